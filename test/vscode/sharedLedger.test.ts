// The shared ledger in a real VS Code: with a PostgreSQL server started here (test/unit/pgServer.ts) and the
// window configured for it, the status bar shows the merged balance after another "machine" pushes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Meter } from '../../src/core/meter/meter';
import { userPaths } from '../../src/core/state/paths';
import { sharedLedgerSetup, syncMeter } from '../../src/core/sync/meterSync';
import { formatUsd } from '../../src/core/pricing/money';
import { startPgServer } from '../unit/pgServer';
import { testEnv } from './env';
import { ledgerApi } from './extensionApi';
import { eventually, report, test } from './harness';
import { page } from './page';

function turn(sessionId: string, id: string, at: string, entrypoint: string, output: number): string {
  return JSON.stringify({
    type: 'assistant', sessionId, cwd: '/work/app', version: '2.1.250', entrypoint, uuid: `u-${id}`, timestamp: at, requestId: `req_${id}`,
    message: { id, model: 'claude-sonnet-4-5-20250929', role: 'assistant', type: 'message', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 1000, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } },
  }) + '\n';
}

test('shared ledger: the status bar shows the merged balance after another machine pushes', async () => {
  const api = await ledgerApi();
  const server = await startPgServer();
  const config = vscode.workspace.getConfiguration('creditLedger');
  const localFile = path.join(testEnv().claudeConfigDir, 'projects', 'shared-test', 'local-1.jsonl');
  const otherHome = path.join(testEnv().ledgerHome, 'other-machine');
  const planKeys = ['plan', 'amount', 'scope', 'overage', 'cycleDay'];
  const previous = planKeys.map((k) => config.inspect(k)?.globalValue);
  try {
    server.createDatabase('vscode_ledger');
    const url = server.url('vscode_ledger');
    const now = new Date().toISOString();
    // This window's own usage, and a plan with a credit to count against.
    fs.mkdirSync(path.dirname(localFile), { recursive: true });
    fs.writeFileSync(localFile, turn('local-1', 'msg_local_1', now, 'sdk-cli', 20_000));
    await vscode.commands.executeCommand('creditLedger.setPlan', { plan: 'api', amount: 40, scope: 'all', overage: 'bill', cycleDay: 1 });
    await vscode.commands.executeCommand('creditLedger.refresh');
    await api.whenIdle();
    const before = api.balance()!;
    report(`  # this window before: ${before.spentNanos} nanodollars spent`);

    // Another machine (its own HOME and transcripts) runs `claude -p` and pushes.
    const otherClaude = path.join(otherHome, 'claude');
    fs.mkdirSync(path.join(otherClaude, 'projects', 'ci'), { recursive: true });
    fs.writeFileSync(path.join(otherClaude, 'projects', 'ci', 'remote-1.jsonl'), turn('remote-1', 'msg_remote_1', now, 'sdk-cli', 100_000));
    const otherPaths = userPaths({ CREDIT_LEDGER_HOME: path.join(otherHome, 'data') });
    const otherSettings = { plan: 'api', amount: 40, scope: 'all' as const, configDirs: [otherClaude], machineLabel: 'ci-runner' };
    const other = await Meter.open({ paths: otherPaths, settings: otherSettings, ledgerFile: otherPaths.userLedger, writesSnapshot: false, shared: true });
    let otherSpent: number;
    try {
      const local = other.refresh();
      otherSpent = local.balance.spentNanos;
      await syncMeter(other, sharedLedgerSetup(otherPaths, otherSettings, {}, url)!);
      other.save();
    } finally {
      other.close();
    }
    assert.ok(otherSpent > 0);
    report(`  # the other machine pushed ${otherSpent} nanodollars of spend`);

    // This window: the URL in settings (no password), the password in SecretStorage.
    await vscode.commands.executeCommand('creditLedger.setSharedLedgerPassword', { password: server.password });
    const noPassword = new URL(url);
    noPassword.password = '';
    await config.update('sync.databaseUrl', noPassword.toString(), vscode.ConfigurationTarget.Global);
    await eventually(async () => {
      await vscode.commands.executeCommand('creditLedger.syncNow');
      await api.whenIdle();
      assert.equal(api.balance()!.spentNanos, before.spentNanos + otherSpent, 'merged: this machine plus the other one');
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    const merged = api.balance()!;
    assert.equal(merged.remainingNanos, 40_000_000_000 - merged.spentNanos);
    const view = api.status()!;
    assert.ok(view.text.includes(formatUsd(merged.remainingNanos!).replace(/\.\d+$/, '')), `status bar text "${view.text}" shows the merged remaining ${formatUsd(merged.remainingNanos!)}`);
    assert.match(view.tooltip, /merged across 2 machines/);
    assert.match(view.tooltip, /\| ci\\-runner \| \$1\.50 \|/, 'the other machine, its spend, in the tooltip');
    // What the user sees in the workbench.
    await eventually(async () => assert.equal((await page.statusBarItem('creditLedger.balance'))?.text, view.text), { timeoutMs: 20_000 });
    report(`  # merged status bar: ${view.text}`);
  } finally {
    await config.update('sync.databaseUrl', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('creditLedger.setSharedLedgerPassword', { password: '' });
    for (const [i, k] of planKeys.entries()) await config.update(k, previous[i], vscode.ConfigurationTarget.Global);
    fs.rmSync(path.dirname(localFile), { recursive: true, force: true });
    fs.rmSync(otherHome, { recursive: true, force: true });
    server.destroy();
    await vscode.commands.executeCommand('creditLedger.rebuildLedger', { confirm: true });
    await api.whenIdle();
  }
}, { page: true, timeoutMs: 180_000 });
