// The extension loads in a real VS Code: it activates by itself, registers its commands, and shows its status bar item.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, test } from './harness';
import { EXTENSION_ID, page } from './page';
import { testEnv } from './env';

test('activation: the extension is installed and activates on startup by itself', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded (publisher.name in package.json?)`);
  try {
    // Not ext.activate(): that would hide a broken activationEvents entry.
    await eventually(() => assert.ok(ext.isActive, 'not active yet'), { timeoutMs: 20_000 });
  } catch {
    let why = 'no error from activate()';
    try { await ext.activate(); } catch (err) { why = `activate() throws: ${String(err)}`; }
    assert.fail(`${EXTENSION_ID} did not activate on startup (activationEvents?); ${why}`);
  }
});

test('activation: the command creditLedger.openLedger is registered', async () => {
  const commands = await vscode.commands.getCommands(true);
  assert.ok(commands.includes('creditLedger.openLedger'), 'creditLedger.openLedger is not registered');
});

test('activation: the status bar shows the Credit Ledger item', async () => {
  const item = await eventually(async () => {
    const it = await page.statusBarItem('creditLedger.balance');
    assert.ok(it, 'no status bar item creditLedger.balance');
    assert.ok(it.visible, 'the item is in the DOM but not visible');
    assert.match(it.text, /Credit Ledger/, `status bar text is ${JSON.stringify(it.text)}`);
    return it;
  });
  assert.ok(item.hasCommand, 'clicking the item does nothing (no command)');
  await page.screenshot('activation-statusbar', { area: 'statusbar' });
}, { page: true });

test('activation: the run is isolated from the real user (temp CLAUDE_CONFIG_DIR and CREDIT_LEDGER_HOME)', () => {
  const env = testEnv();
  assert.equal(process.env.CLAUDE_CONFIG_DIR, env.claudeConfigDir);
  assert.ok(fs.statSync(env.claudeConfigDir).isDirectory(), `${env.claudeConfigDir} is not a directory`);
  // Both live in the runner's temp folder, never under a real home.
  assert.equal(path.dirname(env.ledgerHome), path.dirname(env.claudeConfigDir));
});
