// Serves the suite's page checks (see test/vscode/page.ts for the protocol) by reading the workbench with Playwright.
// DOM facts for VS Code 1.139 (code-server 4.139.1), found by inspecting the live page:
//   status bar item   div.statusbar-item#<extension id>.<item id>  (e.g. id="credit-ledger.credit-ledger.creditLedger.balance")
//                     classes: left|right, has-command, <kind>-kind (warning-kind, error-kind, ...), has-background-color
//                     label: a.statusbar-item-label > span.codicon.codicon-<icon> + text
//   notifications     toasts are NOT rendered when --enable-smoke-test-driver is on (NotificationsToasts.addToast);
//                     the center is: bell [id="status.notifications"] > a, then .notifications-center.visible
//                     .notification-list-item > .notification-list-item-icon.codicon-<info|warning|error>,
//                     .notification-list-item-message, .notification-list-item-source, .monaco-button (buttons)
//   webviews          iframe.webview (src has extensionId=<id>) inside div.webview-overlay-content (position: fixed,
//                     over the editor group) > its document has iframe#active-frame holding the extension's HTML
//   editor tabs       .editor-group-container .tab.active (aria-label = title)
import * as fs from 'node:fs';
import * as path from 'node:path';

const css = (id) => `[id=${JSON.stringify(id)}]`;

export class PageDriver {
  /**
   * @param {import('playwright-core').Page} page
   * @param {{ requestDir: string, screenshotDir: string, log: (s: string) => void }} options
   */
  constructor(page, options) {
    this.page = page;
    this.requestDir = options.requestDir;
    this.screenshotDir = options.screenshotDir;
    this.log = options.log;
    this.stopped = false;
    this.served = 0;
  }

  /** Polls the request folder until stop(); one request at a time, in name order. */
  async serve() {
    while (!this.stopped) {
      let names = [];
      try { names = fs.readdirSync(this.requestDir).filter((n) => n.endsWith('.request.json')).sort(); } catch { /* gone at teardown */ }
      for (const name of names) {
        if (this.stopped) return;
        const file = path.join(this.requestDir, name);
        const answerFile = file.replace(/\.request\.json$/, '.answer.json');
        let answer;
        let request;
        try {
          request = JSON.parse(fs.readFileSync(file, 'utf8'));
          answer = { ok: true, result: await this.handle(request) };
        } catch (err) {
          answer = { ok: false, error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
          this.log(`page check ${request?.kind ?? name} failed: ${answer.error}`);
        }
        try {
          fs.writeFileSync(`${answerFile}.tmp`, JSON.stringify(answer));
          fs.renameSync(`${answerFile}.tmp`, answerFile);
          fs.rmSync(file, { force: true });
        } catch { /* teardown race */ }
        this.served++;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop() {
    this.stopped = true;
  }

  async handle(req) {
    switch (req.kind) {
      case 'statusbar': return this.statusBarItem(req.id, req.extensionId);
      case 'notifications': return this.notifications();
      case 'webviews': return this.webviews(!!req.html);
      case 'screenshot': return this.screenshot(req);
      case 'click': return this.click(req);
      case 'query': return this.query(req.selector);
      default: throw new Error(`unknown page check kind ${JSON.stringify(req.kind)}`);
    }
  }

  async statusBarItem(id, extensionId = 'credit-ledger.credit-ledger') {
    const domId = `${extensionId}.${id}`;
    return this.page.evaluate((domId) => {
      const el = document.getElementById(domId);
      if (!el || !el.classList.contains('statusbar-item')) return null;
      const label = el.querySelector('a.statusbar-item-label') ?? el;
      // Rebuild `$(icon)` syntax from the codicon spans so the suite can compare with what the extension set.
      let text = '';
      for (const node of label.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) text += node.textContent;
        else if (node instanceof HTMLElement && node.classList.contains('codicon')) {
          const icon = [...node.classList].find((c) => c.startsWith('codicon-') && !c.startsWith('codicon-modifier-'));
          const spin = node.classList.contains('codicon-modifier-spin') ? '~spin' : '';
          text += icon ? `$(${icon.slice('codicon-'.length)}${spin})` : '';
        } else text += node.textContent ?? '';
      }
      const classes = [...el.classList];
      const kindClass = classes.find((c) => c.endsWith('-kind'));
      const style = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      return {
        domId,
        text,
        visibleText: label.innerText ?? label.textContent ?? '',
        ariaLabel: el.getAttribute('aria-label') ?? '',
        kind: kindClass ? kindClass.slice(0, -'-kind'.length) : 'standard',
        classes,
        backgroundColor: style.backgroundColor,
        color: getComputedStyle(label).color,
        alignment: classes.includes('left') ? 'left' : 'right',
        visible: style.display !== 'none' && style.visibility !== 'hidden' && rect.width > 0 && rect.height > 0,
        hasCommand: classes.includes('has-command'),
      };
    }, domId);
  }

  async notifications() {
    const page = this.page;
    const center = page.locator('.notifications-center.visible');
    const wasOpen = (await center.count()) > 0;
    if (!wasOpen) {
      await page.locator(`${css('status.notifications')} a`).click({ timeout: 5000 });
      await center.waitFor({ state: 'visible', timeout: 5000 });
    }
    try {
      return await center.evaluate((c) => [...c.querySelectorAll('.notification-list-item')].map((item) => {
        const icon = item.querySelector('.notification-list-item-icon');
        const severity = icon?.classList.contains('codicon-error') ? 'error' : icon?.classList.contains('codicon-warning') ? 'warning' : 'info';
        return {
          severity,
          message: item.querySelector('.notification-list-item-message')?.textContent ?? '',
          source: item.querySelector('.notification-list-item-source')?.textContent ?? '',
          buttons: [...item.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map((b) => b.textContent ?? ''),
        };
      }));
    } finally {
      if (!wasOpen) {
        const hide = center.locator('.codicon-notifications-hide');
        if (await hide.count()) await hide.click({ timeout: 5000 }).catch(() => page.keyboard.press('Escape'));
        else await page.keyboard.press('Escape');
      }
    }
  }

  async webviews(withHtml) {
    const page = this.page;
    const frames = await page.$$('iframe.webview');
    const views = [];
    for (const handle of frames) {
      const info = await handle.evaluate((iframe) => {
        const r = iframe.getBoundingClientRect();
        const style = getComputedStyle(iframe.parentElement ?? iframe);
        const visible = r.width > 0 && r.height > 0 && style.display !== 'none' && style.visibility !== 'hidden';
        const extensionId = new URL(iframe.src).searchParams.get('extensionId') ?? '';
        // Webviews float over the workbench; the holder is the smallest editor group or view pane under their centre.
        const cx = r.left + r.width / 2;
        const cy = r.top + r.height / 2;
        let best = null;
        let bestArea = Infinity;
        for (const el of document.querySelectorAll('.editor-group-container, .pane')) {
          const b = el.getBoundingClientRect();
          if (cx >= b.left && cx <= b.right && cy >= b.top && cy <= b.bottom && b.width * b.height < bestArea) {
            best = el;
            bestArea = b.width * b.height;
          }
        }
        let title = '';
        if (best?.classList.contains('editor-group-container')) {
          const tab = best.querySelector('.tab.active');
          title = tab?.getAttribute('aria-label') ?? tab?.textContent ?? '';
        } else if (best) {
          title = best.querySelector('.pane-header .title')?.textContent ?? '';
        }
        return { visible, extensionId, title };
      });
      if (!info.visible) continue;
      const outer = await handle.contentFrame();
      const innerHandle = outer && (await outer.$('#active-frame'));
      const inner = innerHandle && (await innerHandle.contentFrame());
      if (!inner) continue; // still loading: the suite retries with eventually()
      const content = await inner.evaluate((html) => ({ text: document.body?.innerText ?? '', html: html ? document.documentElement.outerHTML : undefined }), withHtml);
      views.push({ title: info.title, extensionId: info.extensionId, ...content });
    }
    return views;
  }

  async screenshot(req) {
    const name = String(req.name || 'screenshot').replace(/[^A-Za-z0-9._-]+/g, '-');
    fs.mkdirSync(this.screenshotDir, { recursive: true });
    const file = path.join(this.screenshotDir, `${name}.png`);
    // Let a theme switch or a re-layout paint before the capture.
    await this.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined)))));
    await this.page.waitForTimeout(250);
    const selector = req.selector ?? (req.area ? css(`workbench.parts.${req.area}`) : undefined);
    if (selector) await this.page.locator(selector).first().screenshot({ path: file, timeout: 10_000 });
    else await this.page.screenshot({ path: file, timeout: 10_000 });
    this.log(`screenshot ${path.relative(process.cwd(), file)}`);
    return { path: file };
  }

  async click(req) {
    let selector = req.selector;
    if (req.statusbar) selector = `${css(`${req.statusbar.extensionId ?? 'credit-ledger.credit-ledger'}.${req.statusbar.id}`)} a.statusbar-item-label`;
    if (!selector) throw new Error('click needs statusbar or selector');
    await this.page.locator(selector).first().click({ timeout: 5000 });
    return {};
  }

  async query(selector) {
    return this.page.locator(selector).evaluateAll((els) => els.map((el) => {
      const r = el.getBoundingClientRect();
      return { text: el.innerText ?? el.textContent ?? '', classes: [...el.classList], ariaLabel: el.getAttribute('aria-label') ?? '', visible: r.width > 0 && r.height > 0 };
    }));
  }
}
