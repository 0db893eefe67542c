// Self-checks of the page driver: what the suite shows through the API, the page must read back as a user sees it.
// These use throwaway UI created by the suite (the suite runs as part of our extension), not the extension's own.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { eventually, test } from './harness';
import { page } from './page';

test('page: a status bar item with a warning or error background reads as that kind', async () => {
  const item = vscode.window.createStatusBarItem('creditLedger.pageCheck', vscode.StatusBarAlignment.Right, 1000);
  try {
    item.text = '$(warning) page check';
    item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    item.show();
    await eventually(async () => {
      const seen = await page.statusBarItem('creditLedger.pageCheck');
      assert.equal(seen?.text, '$(warning) page check');
      assert.equal(seen?.visibleText.trim(), 'page check');
      assert.equal(seen?.kind, 'warning');
    });
    item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    await eventually(async () => assert.equal((await page.statusBarItem('creditLedger.pageCheck'))?.kind, 'error'));
    item.backgroundColor = undefined;
    await eventually(async () => assert.equal((await page.statusBarItem('creditLedger.pageCheck'))?.kind, 'standard'));
  } finally {
    item.dispose();
  }
  await eventually(async () => assert.equal(await page.statusBarItem('creditLedger.pageCheck'), null));
}, { page: true });

test('page: notifications are read with severity, source and buttons', async () => {
  await vscode.commands.executeCommand('notifications.clearAll');
  void vscode.window.showWarningMessage('Credit Ledger page check: 80% of the credit used', 'Open Ledger');
  const seen = await eventually(async () => {
    const all = await page.notifications();
    const hit = all.find((n) => n.message.includes('page check: 80%'));
    assert.ok(hit, `not among ${JSON.stringify(all)}`);
    return hit;
  });
  assert.equal(seen.severity, 'warning');
  assert.deepEqual(seen.buttons, ['Open Ledger']);
  assert.match(seen.source, /Credit Ledger/);
  await vscode.commands.executeCommand('notifications.clearAll');
  // Only ours: the extension may have notifications of its own.
  await eventually(async () => assert.ok(!(await page.notifications()).some((n) => n.message.includes('page check: 80%')), 'still listed after clearAll'));
}, { page: true });

test('page: text inside a webview panel is readable', async () => {
  const panel = vscode.window.createWebviewPanel('creditLedger.pageCheck', 'Page Check Panel', vscode.ViewColumn.One, {});
  try {
    panel.webview.html = '<!DOCTYPE html><html><body><h1>Remaining: $12.34</h1><p>of $50.00</p></body></html>';
    const text = await eventually(() => page.webviewText('Page Check Panel'));
    assert.match(text, /Remaining: \$12\.34/);
    assert.match(text, /of \$50\.00/);
    const views = await page.webviews();
    assert.equal(views.find((v) => v.title.includes('Page Check Panel'))?.extensionId, 'credit-ledger.credit-ledger');
    await page.screenshot('page-check-webview', { area: 'editor' });
  } finally {
    panel.dispose();
  }
}, { page: true });

test('page: screenshots in a dark and a light theme', async () => {
  const themes = vscode.extensions.all.flatMap((e) => (e.packageJSON?.contributes?.themes ?? []) as Array<{ id?: string; label?: string; uiTheme?: string }>);
  const pick = (ui: string, preferred: RegExp): string => {
    const ofKind = themes.filter((t) => t.uiTheme === ui);
    const t = ofKind.find((x) => preferred.test(x.id ?? x.label ?? '')) ?? ofKind[0];
    assert.ok(t, `no ${ui} theme among ${themes.length}`);
    return (t.id ?? t.label)!;
  };
  const dark = pick('vs-dark', /Dark Modern/);
  const light = pick('vs', /Light Modern/);
  const previous = await page.useTheme(dark);
  try {
    assert.equal(vscode.window.activeColorTheme.kind, vscode.ColorThemeKind.Dark);
    const darkShot = await page.screenshot('theme-dark');
    await page.useTheme(light);
    assert.equal(vscode.window.activeColorTheme.kind, vscode.ColorThemeKind.Light);
    const lightShot = await page.screenshot('theme-light');
    for (const p of [darkShot, lightShot]) assert.ok(fs.statSync(p).size > 1000, `${p} is empty`);
  } finally {
    if (previous) await page.useTheme(previous);
  }
}, { page: true, timeoutMs: 60_000 });
