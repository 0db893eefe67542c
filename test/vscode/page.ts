// Page checks: the suite asks the runner (which drives the workbench page with Playwright) to read what a user sees.
// The VS Code API cannot read the status bar, toasts or a webview's DOM; the page can.
//
// Protocol (files, so it crosses the extension host / runner process boundary with no ports):
//   suite  writes  $CREDIT_LEDGER_TEST_PAGE_DIR/<n>.request.json   {"kind": ..., ...}   (temp file + rename)
//   runner writes  $CREDIT_LEDGER_TEST_PAGE_DIR/<n>.answer.json    {"ok": true, "result": ...} | {"ok": false, "error": "..."}
// Requests are served one at a time in order. Without the env variable (e.g. under @vscode/test-electron) there is
// no page driver: `page.available` is false and tests marked `{ page: true }` are skipped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { delay } from './harness';

/** Our extension's id: status bar items are identified in the DOM as `<extension id>.<item id>`. */
export const EXTENSION_ID = 'credit-ledger.credit-ledger';

export type StatusBarKind = 'standard' | 'warning' | 'error' | 'prominent' | 'remote' | 'offline';

export interface StatusBarItemView {
  /** The DOM id: `<extension id>.<item id>`, e.g. `credit-ledger.credit-ledger.creditLedger.balance`. */
  domId: string;
  /** The label as the extension set it, icons written back as `$(name)`: `$(credit-card) Credit Ledger`. */
  text: string;
  /** What a reader sees (icons are glyphs, not text): `Credit Ledger`. */
  visibleText: string;
  ariaLabel: string;
  /** From the item's `<kind>-kind` class: `warning` / `error` when backgroundColor is statusBarItem.warning/errorBackground. */
  kind: StatusBarKind;
  classes: string[];
  /** Computed CSS colours, e.g. `rgb(…)`. */
  backgroundColor: string;
  color: string;
  alignment: 'left' | 'right';
  visible: boolean;
  hasCommand: boolean;
}

export interface NotificationView {
  severity: 'info' | 'warning' | 'error';
  message: string;
  /** e.g. `Source: Credit Ledger`. */
  source: string;
  buttons: string[];
}

export interface WebviewView {
  /** The editor tab (panel) or view header holding the webview. */
  title: string;
  /** From the webview iframe's `extensionId` parameter. */
  extensionId: string;
  /** `document.body.innerText` of the webview's content frame. */
  text: string;
  html?: string;
}

export type WorkbenchArea = 'statusbar' | 'editor' | 'sidebar' | 'panel' | 'auxiliarybar' | 'titlebar' | 'activitybar';

export interface ElementView {
  text: string;
  classes: string[];
  ariaLabel: string;
  visible: boolean;
}

export type PageRequest =
  | { kind: 'statusbar'; id: string; extensionId?: string }
  | { kind: 'notifications' }
  | { kind: 'webviews'; html?: boolean }
  | { kind: 'screenshot'; name: string; area?: WorkbenchArea; selector?: string }
  | { kind: 'click'; statusbar?: { id: string; extensionId?: string }; selector?: string }
  | { kind: 'query'; selector: string };

interface PageAnswer {
  ok: boolean;
  result?: unknown;
  error?: string;
}

let counter = 0;

function pageDir(): string | undefined {
  return process.env.CREDIT_LEDGER_TEST_PAGE_DIR || undefined;
}

async function ask<T>(request: PageRequest, timeoutMs = 30_000): Promise<T> {
  const dir = pageDir();
  if (!dir) throw new Error('no page driver: run the suite through scripts/vscode/offline.mjs (or mark the test { page: true })');
  const n = String(++counter).padStart(6, '0');
  const req = path.join(dir, `${n}.request.json`);
  const answer = path.join(dir, `${n}.answer.json`);
  fs.writeFileSync(`${req}.tmp`, JSON.stringify(request));
  fs.renameSync(`${req}.tmp`, req);
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(answer)) {
    if (Date.now() > deadline) throw new Error(`page driver did not answer ${request.kind} request ${n} within ${timeoutMs} ms`);
    await delay(50);
  }
  const parsed = JSON.parse(fs.readFileSync(answer, 'utf8')) as PageAnswer;
  if (!parsed.ok) throw new Error(`page check ${request.kind} failed: ${parsed.error}`);
  return parsed.result as T;
}

export const page = {
  /** True under the offline runner; false where no page driver runs (test-electron). */
  get available(): boolean {
    return pageDir() !== undefined;
  },

  /** The status bar item as rendered, or null if the workbench has no such item. `id` is the createStatusBarItem id. */
  statusBarItem(id: string, extensionId: string = EXTENSION_ID): Promise<StatusBarItemView | null> {
    return ask<StatusBarItemView | null>({ kind: 'statusbar', id, extensionId });
  },

  /** The label text with icons as `$(name)`; throws if the item is not in the status bar. */
  async statusBarText(id: string, extensionId: string = EXTENSION_ID): Promise<string> {
    const item = await page.statusBarItem(id, extensionId);
    if (!item) throw new Error(`no status bar item ${extensionId}.${id}`);
    return item.text;
  },

  /**
   * Notifications as listed in the notification center (opened and closed again like a user clicking the bell).
   * Toasts never appear under the runner: VS Code suppresses them when the smoke-test driver is on, and the runner
   * needs that flag for the test payload. Clear between tests with `vscode.commands.executeCommand('notifications.clearAll')`.
   */
  notifications(): Promise<NotificationView[]> {
    return ask<NotificationView[]>({ kind: 'notifications' });
  },

  /** Webviews currently visible (panels in the active tab of their group, and visible webview views). */
  webviews(options: { html?: boolean } = {}): Promise<WebviewView[]> {
    return ask<WebviewView[]>({ kind: 'webviews', html: options.html });
  },

  /** Text of the first visible webview whose tab/view title contains `titleSubstring`; throws listing what is visible. */
  async webviewText(titleSubstring: string): Promise<string> {
    const views = await page.webviews();
    const hit = views.find((v) => v.title.includes(titleSubstring));
    if (!hit) throw new Error(`no visible webview titled *${titleSubstring}*; visible: ${JSON.stringify(views.map((v) => v.title))}`);
    return hit.text;
  },

  /** Saves test-results/screenshots/<name>.png (whole window, a workbench area, or a CSS selector); returns its path. */
  async screenshot(name: string, options: { area?: WorkbenchArea; selector?: string } = {}): Promise<string> {
    const r = await ask<{ path: string }>({ kind: 'screenshot', name, ...options });
    return r.path;
  },

  /** Clicks a status bar item as a user would. */
  async clickStatusBarItem(id: string, extensionId: string = EXTENSION_ID): Promise<void> {
    await ask({ kind: 'click', statusbar: { id, extensionId } });
  },

  /** Escape hatch: every element matching a CSS selector in the workbench page (not inside webviews). */
  query(selector: string): Promise<ElementView[]> {
    return ask<ElementView[]>({ kind: 'query', selector });
  },

  /**
   * Switches the colour theme (user setting) and waits until the workbench has applied it, so a screenshot
   * taken next shows it. Returns the previous theme name, to restore with another call.
   */
  async useTheme(themeName: string): Promise<string | undefined> {
    const config = vscode.workspace.getConfiguration('workbench');
    const previous = config.get<string>('colorTheme');
    if (previous === themeName) return previous;
    const applied = new Promise<void>((resolve) => {
      const sub = vscode.window.onDidChangeActiveColorTheme(() => {
        sub.dispose();
        resolve();
      });
    });
    await config.update('colorTheme', themeName, vscode.ConfigurationTarget.Global);
    await Promise.race([applied, delay(5000)]);
    return previous;
  },
};
