// Installing the Claude Code hook and status line from VS Code: with `{confirm: true}` the commands write without a
// prompt (the palette shows the diff and asks first); the user settings file is the runner's CLAUDE_CONFIG_DIR's, and an
// uninstall leaves it as it was.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { testEnv } from './env';
import { test } from './harness';

const settingsFile = (): string => path.join(testEnv().claudeConfigDir, 'settings.json');
const BEFORE = '{\n  // the user\'s own settings, kept as they are\n  "model": "sonnet",\n  "statusLine": { "type": "command", "command": "echo mine" }\n}\n';

test('hook: creditLedger.installHook {target: user, statusLine: true, confirm: true} writes the hook and wraps the status line; uninstall restores the file', async () => {
  const file = settingsFile();
  const had = fs.existsSync(file) ? fs.readFileSync(file) : null;
  fs.writeFileSync(file, BEFORE);
  try {
    const installed = await vscode.commands.executeCommand<{ settingsFile: string; wrote: boolean; backup: string | null; launcher: string }>('creditLedger.installHook', { target: 'user', statusLine: true, confirm: true });
    assert.ok(installed, 'installHook returned nothing');
    assert.equal(installed.settingsFile, file);
    assert.equal(installed.wrote, true);
    assert.ok(installed.backup && fs.readFileSync(installed.backup, 'utf8') === BEFORE, 'the file before is backed up');
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /the user's own settings, kept as they are/, 'comments survive');
    assert.match(text, /"UserPromptSubmit"/);
    assert.match(text, /"SessionStart"/);
    assert.match(text, /credit-ledger-hook'? hook/);
    assert.match(text, /credit-ledger-hook'? statusline --wrap 'echo mine'/);
    assert.ok(fs.existsSync(installed.launcher), `the launcher ${installed.launcher} exists`);

    // A second install changes nothing.
    const again = await vscode.commands.executeCommand<{ wrote: boolean }>('creditLedger.installHook', { target: 'user', statusLine: true, confirm: true });
    assert.equal(again?.wrote, false);

    const removed = await vscode.commands.executeCommand<{ mode: string }>('creditLedger.uninstallHook', { target: 'user', confirm: true });
    assert.equal(removed?.mode, 'restore');
    assert.equal(fs.readFileSync(file, 'utf8'), BEFORE, 'restored byte for byte');
    assert.ok(!fs.existsSync(installed.launcher), 'the launcher is gone with the last install');
  } finally {
    if (had) fs.writeFileSync(file, had);
    else fs.rmSync(file, { force: true });
  }
});

test('hook: a bad target is refused in words, and nothing is written', async () => {
  const file = settingsFile();
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  const r = await vscode.commands.executeCommand('creditLedger.installHook', { target: 'everywhere', confirm: true });
  assert.equal(r, undefined);
  assert.equal(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null, before);
  await vscode.commands.executeCommand('notifications.clearAll');
});
