// The extension end to end in a real VS Code, read from the workbench page as a user sees it: the status bar through
// its states (no transcripts, plan not set, normal, warning, used up, over), live updates from a transcript and from
// the journal (the CLI's reconcile), threshold notifications, and every command run with arguments.
// Fixtures are written relative to now, into the runner's CLAUDE_CONFIG_DIR; the last test removes them again.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isBalanceSnapshot } from '../../src/core/pool/snapshot';
import { readJournal } from '../../src/core/state/journal';
import { escapeMarkdown } from '../../src/extension/statusModel';
import { assistant, jsonl } from '../unit/builders';
import { testEnv } from './env';
import { ledgerApi } from './extensionApi';
import { eventually, report, test } from './harness';
import { EXTENSION_ID, page } from './page';

const ITEM = 'creditLedger.balance';
const PROJECT = '-tmp-credit-ledger-status-fixture';
const SESSION = 'e7e7e7e7-0000-4000-8000-statusbar001';
/** Sonnet 4.5 output is $15 per million tokens: dollars -> output tokens. */
const tokensFor = (usd: number): number => Math.round((usd / 15) * 1_000_000);

let turns = 0;
function transcript(): string {
  return path.join(testEnv().claudeConfigDir, 'projects', PROJECT, `${SESSION}.jsonl`);
}

/** Output tokens one request may carry here: the ledger rejects a request over its model's window + max output. */
const MAX_TOKENS_PER_REQUEST = 1_000_000;

/** Appends headless (`claude -p`) requests costing `usd` in all, stamped now (after any reconcile figure the test typed). */
function appendTurn(usd: number): void {
  const file = transcript();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines: Record<string, unknown>[] = [];
  for (let left = tokensFor(usd); left > 0; left -= MAX_TOKENS_PER_REQUEST) {
    turns++;
    lines.push(assistant({ sessionId: SESSION, messageId: `msg_status_${turns}`, entrypoint: 'sdk-cli', cwd: '/tmp/credit-ledger-status-fixture', model: 'claude-sonnet-4-5-20250929', output: Math.min(left, MAX_TOKENS_PER_REQUEST), timestamp: new Date().toISOString() }));
  }
  fs.appendFileSync(file, jsonl(lines));
}

async function statusText(expected: string | RegExp, timeoutMs = 10_000): Promise<{ text: string; kind: string; ms: number }> {
  const started = Date.now();
  return eventually(async () => {
    const item = await page.statusBarItem(ITEM);
    assert.ok(item, 'no Credit Ledger status bar item');
    if (typeof expected === 'string') assert.equal(item.text, expected);
    else assert.match(item.text, expected);
    return { text: item.text, kind: item.kind, ms: Date.now() - started };
  }, { timeoutMs, intervalMs: 100 });
}

async function notification(match: RegExp): Promise<{ severity: string; message: string; buttons: string[] }> {
  return eventually(async () => {
    const all = await page.notifications();
    const hit = all.find((n) => match.test(n.message));
    assert.ok(hit, `no notification matching ${match} among ${JSON.stringify(all.map((n) => n.message))}`);
    return hit;
  }, { timeoutMs: 10_000 });
}

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('creditLedger');

// Timings belong in `npm run bench` (a loaded CI machine takes 4x as long); what is checked is what makes activation slow.
test('extension: activate() opens no database and lists no transcript on the way', async () => {
  const api = await ledgerApi();
  const { activateMs, loadMs, ledgerOpened, transcriptsListed } = api.activation;
  assert.equal(ledgerOpened, false, 'the ledger was opened before activate() returned');
  assert.equal(transcriptsListed, false, 'transcripts were listed before activate() returned');
  report(`  # activate() ${activateMs.toFixed(1)} ms; the bundle began evaluating ${loadMs.toFixed(1)} ms before it`);
});

test('extension: with no transcripts the status bar says so and offers to choose folders', async () => {
  const api = await ledgerApi();
  await api.whenIdle();
  const seen = await statusText('$(credit-card) Credit Ledger: no transcripts');
  assert.equal(seen.kind, 'standard');
  const view = api.status()!;
  assert.equal(view.command.id, 'creditLedger.chooseFolders');
  assert.ok(view.tooltip.includes(escapeMarkdown(path.join(testEnv().claudeConfigDir, 'projects'))), view.tooltip);
}, { page: true });

test('extension: the first transcript (projects/ created after activation) shows its spend; plan not set', async () => {
  const api = await ledgerApi();
  const started = Date.now();
  appendTurn(4.2);
  const seen = await statusText('$(credit-card) $4.20 spent · Set plan', 15_000);
  report(`  # projects/ created, first turn shown after ${Date.now() - started} ms`);
  assert.equal(seen.kind, 'standard');
  assert.equal(api.status()!.command.id, 'creditLedger.setPlan');
}, { page: true });

test('extension: creditLedger.setPlan with arguments sets the plan without a prompt; the status bar shows what is left', async () => {
  const result = await vscode.commands.executeCommand('creditLedger.setPlan', { plan: 'max5x', scope: 'headless', overage: 'stop', cycleDay: 1 });
  assert.deepEqual(result, { plan: 'max5x', scope: 'headless', overage: 'stop', cycleDay: 1 });
  assert.equal(config().inspect('plan')?.globalValue, 'max5x');
  const seen = await statusText('$(credit-card) $95.80 left');
  assert.equal(seen.kind, 'standard');
  // Mirrored for the CLI and the hook.
  const file = JSON.parse(fs.readFileSync(path.join(testEnv().ledgerHome, 'settings.json'), 'utf8'));
  assert.equal(file.plan, 'max5x');
  assert.equal(file.scope, 'headless');
  const snapshot = JSON.parse(fs.readFileSync(path.join(testEnv().ledgerHome, 'balance.json'), 'utf8'));
  assert.ok(isBalanceSnapshot(snapshot), 'the balance snapshot is written');
  assert.equal(snapshot.remainingNanos, 95.8e9);
  await page.screenshot('statusbar-normal', { area: 'statusbar' });
}, { page: true });

test('extension: a turn appended to a watched transcript changes the status bar within about a second', async () => {
  const api = await ledgerApi();
  await api.whenIdle();
  appendTurn(15);
  const seen = await statusText('$(credit-card) $80.80 left', 5_000);
  report(`  # turn appended -> status bar updated in ${seen.ms} ms (page polled every 100 ms)`);
  // The time is reported, not asserted (a busy machine is not a regression); the 5 s wait above fails a lost update.
}, { page: true });

test('extension: under 25% left the item turns to the warning colour, and the 75% notification shows once', async () => {
  await vscode.commands.executeCommand('notifications.clearAll');
  appendTurn(60);
  const seen = await statusText('$(credit-card) $20.80 left');
  assert.equal(seen.kind, 'warning');
  await page.screenshot('statusbar-warning', { area: 'statusbar' });
  const n = await notification(/75% of your Max 5x credit is spent/);
  assert.equal(n.severity, 'warning');
  assert.deepEqual(n.buttons, ['Open Ledger', 'Reconcile']);
  assert.match(n.message, /paused/);
  const notified = readJournal(path.join(testEnv().ledgerHome, 'journal.jsonl')).facts.filter((f) => f.kind === 'notified');
  assert.deepEqual(notified.map((f) => f.threshold), [0.75]);
}, { page: true });

test('extension: a reconcile written by the CLI (another process) changes the status bar', async () => {
  const api = await ledgerApi();
  const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  execFileSync(process.execPath, [cli, 'reconcile', '50'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'pipe' });
  const seen = await statusText('$(credit-card) $50.00 left', 5_000);
  report(`  # CLI reconcile -> status bar updated in ${seen.ms} ms`);
  assert.equal(seen.kind, 'standard');
  assert.equal(api.balance()?.reconcile?.figureNanos, 50e9);
}, { page: true });

test('extension: used up: error colour, one notification for 90% and 100% together; "over" with overage bill', async () => {
  const api = await ledgerApi();
  await vscode.commands.executeCommand('notifications.clearAll');
  appendTurn(60);
  const seen = await statusText('$(credit-card) Credit used up');
  assert.equal(seen.kind, 'error');
  await page.screenshot('statusbar-exhausted', { area: 'statusbar' });
  const n = await notification(/credit is used up/);
  assert.equal(n.severity, 'error');
  assert.match(n.message, /requests would stop/);
  const notified = readJournal(path.join(testEnv().ledgerHome, 'journal.jsonl')).facts.filter((f) => f.kind === 'notified');
  assert.deepEqual(notified.map((f) => f.threshold), [0.75, 0.9, 1]);
  assert.equal((await page.notifications()).filter((x) => /Credit Ledger/.test(x.message)).length, 1, 'one message for both thresholds');

  await vscode.commands.executeCommand('creditLedger.setPlan', { plan: 'max5x', overage: 'bill' });
  const over = await statusText('$(credit-card) $10.00 over');
  assert.equal(over.kind, 'error');
  await page.screenshot('statusbar-overage', { area: 'statusbar' });
  // A reopen after a setting change does not notify again: the journal remembers, per cycle.
  await api.whenIdle();
  assert.equal(readJournal(path.join(testEnv().ledgerHome, 'journal.jsonl')).facts.filter((f) => f.kind === 'notified').length, 3);
}, { page: true, timeoutMs: 60_000 });

test('extension: creditLedger.reconcile and creditLedger.overrideSession take their answers as arguments', async () => {
  const api = await ledgerApi();
  const fact = (await vscode.commands.executeCommand('creditLedger.reconcile', { remainingUsd: '$63.20' })) as { kind: string; remainingUsd: number };
  assert.equal(fact.kind, 'reconcile');
  assert.equal(fact.remainingUsd, 63.2);
  await statusText('$(credit-card) $63.20 left');

  const override = (await vscode.commands.executeCommand('creditLedger.overrideSession', { sessionId: SESSION, mode: 'never' })) as { kind: string; targetId: string; mode: string };
  assert.deepEqual([override.kind, override.targetId, override.mode], ['override', SESSION, 'never']);
  await eventually(() => assert.ok(api.balance()?.excluded.some((s) => s.sessionId === SESSION), 'the session is excluded'));
  await vscode.commands.executeCommand('creditLedger.overrideSession', { sessionId: SESSION, mode: 'auto' });
  await eventually(() => assert.ok(api.balance()?.covered.some((s) => s.sessionId === SESSION), 'the session counts again'));

  // Bad arguments: nothing is written, the user is told.
  const before = readJournal(path.join(testEnv().ledgerHome, 'journal.jsonl')).facts.length;
  assert.equal(await vscode.commands.executeCommand('creditLedger.reconcile', { remainingUsd: 'lots' }), undefined);
  assert.equal(await vscode.commands.executeCommand('creditLedger.setPlan', { plan: 'gold' }), undefined);
  assert.equal(readJournal(path.join(testEnv().ledgerHome, 'journal.jsonl')).facts.length, before);
  assert.equal(config().inspect('plan')?.globalValue, 'max5x');
}, { page: true });

test('extension: creditLedger.exportLedger writes CSV and JSON to the given path without a prompt', async () => {
  const dir = path.join(testEnv().ledgerHome, 'exports');
  const csv = (await vscode.commands.executeCommand('creditLedger.exportLedger', { format: 'csv', path: path.join(dir, 'ledger.csv') })) as { requests: number };
  assert.equal(csv.requests, turns);
  const lines = fs.readFileSync(path.join(dir, 'ledger.csv'), 'utf8').trim().split('\r\n');
  assert.equal(lines.length, turns + 1);
  assert.match(lines[0]!, /^timestamp,local_date,session_id,project_key/);
  assert.ok(lines.slice(1).every((l) => l.includes(SESSION)));
  await vscode.commands.executeCommand('creditLedger.exportLedger', { path: path.join(dir, 'ledger.json') });
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'ledger.json'), 'utf8'));
  assert.equal(doc.requests.length, turns);
  assert.equal(doc.totals.costUsd, '139.20');
  assert.equal(doc.balance.plan, 'max5x');
});

test('extension: creditLedger.chooseFolders with a list sets the folders; an empty list restores the defaults', async () => {
  const api = await ledgerApi();
  const other = path.join(testEnv().ledgerHome, 'other-config');
  fs.mkdirSync(path.join(other, 'projects'), { recursive: true });
  const chosen = await vscode.commands.executeCommand('creditLedger.chooseFolders', { folders: [other, testEnv().claudeConfigDir] });
  assert.deepEqual(chosen, [other, testEnv().claudeConfigDir]);
  assert.deepEqual(config().inspect('transcriptFolders')?.globalValue, [other, testEnv().claudeConfigDir]);
  await api.whenIdle();
  const file = JSON.parse(fs.readFileSync(path.join(testEnv().ledgerHome, 'settings.json'), 'utf8'));
  assert.deepEqual(file.transcriptFolders, [other, testEnv().claudeConfigDir]);
  await vscode.commands.executeCommand('creditLedger.chooseFolders', []);
  assert.equal(config().inspect('transcriptFolders')?.globalValue, undefined);
  await api.whenIdle();
  assert.equal(JSON.parse(fs.readFileSync(path.join(testEnv().ledgerHome, 'settings.json'), 'utf8')).transcriptFolders, undefined);
  await statusText('$(credit-card) $63.20 left');
}, { page: true });

test('extension: a folder taken off the read list keeps its spend, counting, and the window asks; chooseFolders {forgetUnread: true} removes it', async () => {
  const api = await ledgerApi();
  const leaving = path.join(testEnv().ledgerHome, 'leaving-config');
  const file = path.join(leaving, 'projects', 'p', 'leaving.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, jsonl([assistant({ sessionId: 'leaving-0000-4000-8000-000000000001', messageId: 'msg_leaving_1', entrypoint: 'sdk-cli', cwd: '/tmp/leaving', model: 'claude-sonnet-4-5-20250929', output: tokensFor(1.5), timestamp: new Date().toISOString() })]));
  await vscode.commands.executeCommand('creditLedger.chooseFolders', { folders: [leaving, testEnv().claudeConfigDir] });
  await api.whenIdle();
  await statusText('$(credit-card) $61.70 left');
  fs.rmSync(file); // Claude Code deleted the transcript: only the ledger holds that spend now
  await vscode.commands.executeCommand('notifications.clearAll');
  await vscode.commands.executeCommand('creditLedger.chooseFolders', []);
  await api.whenIdle();
  await statusText('$(credit-card) $61.70 left');
  const asked = await eventually(async () => {
    const n = (await page.notifications()).find((x) => /holds spend read from folders it no longer reads/.test(x.message));
    assert.ok(n, 'the window asks before the spend leaves the ledger');
    return n;
  });
  assert.deepEqual(asked.buttons, ['Keep', 'Remove']);
  assert.match(asked.message, /1 request, \$1\.50; 1 transcript already gone/);
  await vscode.commands.executeCommand('creditLedger.chooseFolders', { folders: [], forgetUnread: true });
  await api.whenIdle();
  await statusText('$(credit-card) $63.20 left');
  await vscode.commands.executeCommand('notifications.clearAll');
  fs.rmSync(leaving, { recursive: true, force: true });
}, { page: true });

test('extension: creditLedger.rebuildLedger {confirm: true} re-reads the transcripts and keeps the journal facts', async () => {
  const api = await ledgerApi();
  const before = api.balance()!;
  const result = (await vscode.commands.executeCommand('creditLedger.rebuildLedger', { confirm: true })) as { ledgerFile: string };
  assert.equal(result.ledgerFile, api.ledgerFile);
  await api.whenIdle();
  const after = api.balance()!;
  assert.equal(after.spentNanos, before.spentNanos);
  assert.equal(after.reconcile?.figureNanos, 63.2e9, 'the reconcile figure came back from the journal');
  await statusText('$(credit-card) $63.20 left');
}, { page: true });

test('extension: the per-user settings file changed by the CLI (credit-ledger config set) applies in this window', async () => {
  const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  const run = (...args: string[]): void => void execFileSync(process.execPath, [cli, ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'pipe' });
  run('config', 'set', 'warnShare', '0.7'); // $63.20 of $100 left is under 70%
  await eventually(async () => assert.equal((await page.statusBarItem(ITEM))?.kind, 'warning'));
  run('config', 'unset', 'warnShare');
  await eventually(async () => assert.equal((await page.statusBarItem(ITEM))?.kind, 'standard'));
  await statusText('$(credit-card) $63.20 left');
}, { page: true });

test('extension: clicking the status bar opens the ledger; the other commands run', async () => {
  await page.clickStatusBarItem(ITEM);
  await eventually(async () => assert.match(await page.webviewText('Credit Ledger'), /Max 5x/), { timeoutMs: 20_000 });
  await vscode.commands.executeCommand('creditLedger.auditLoops');
  await vscode.commands.executeCommand('creditLedger.openLedger');
  await vscode.commands.executeCommand('creditLedger.refresh');
  await vscode.commands.executeCommand('creditLedger.showLog');
  const commands = await vscode.commands.getCommands(true);
  const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
  for (const id of contributed) assert.ok(commands.includes(id), `${id} is not registered`);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('workbench.action.closePanel');
}, { page: true, timeoutMs: 60_000 });

test('extension: the walkthrough and the settings show as contributed', async () => {
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#firstRun`, false);
  await eventually(async () => {
    const text = (await page.query('.gettingStartedContainer')).map((e) => e.text).join('\n');
    assert.match(text, /Get started with Credit Ledger/);
    assert.match(text, /Choose your plan and what counts/);
    assert.match(text, /Confirm where Claude Code's transcripts are/);
    assert.match(text, /Open the ledger/);
  }, { timeoutMs: 15_000 });
  await page.screenshot('walkthrough', { area: 'editor' });
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:credit-ledger.credit-ledger');
  await eventually(async () => {
    const text = (await page.query('.settings-editor')).map((e) => e.text).join('\n');
    assert.match(text, /Credit Ledger/);
    assert.match(text, /paused/);
  }, { timeoutMs: 15_000 });
  await page.screenshot('settings', { area: 'editor' });
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}, { page: true, timeoutMs: 60_000 });

test('extension: creditLedger.setPlan without arguments prompts: plans with amounts and the policy status, then the scope', async () => {
  const running = vscode.commands.executeCommand('creditLedger.setPlan');
  const quickInput = async (): Promise<string> => (await page.query('.quick-input-widget')).filter((e) => e.visible).map((e) => e.text).join('\n');
  const plans = await eventually(async () => {
    const text = await quickInput();
    assert.match(text, /Max 20x/);
    return text;
  }, { timeoutMs: 10_000 });
  assert.match(plans, /\$200 a month/);
  assert.match(plans, /Set Plan/);
  const placeholder = (await page.query('.quick-input-widget input')).map((e) => e.ariaLabel).join(' ');
  await page.screenshot('setplan-quickpick');
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // the first plan: Pro
  await eventually(async () => assert.match(await quickInput(), /Headless only \(default for Pro\)/), { timeoutMs: 10_000 });
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  const result = (await running) as { plan: string; scope: string };
  assert.deepEqual([result.plan, result.scope], ['pro', 'headless']);
  assert.equal(config().inspect('plan')?.globalValue, 'pro');
  report(`  # plan quick pick placeholder: ${placeholder.slice(0, 120)}`);
  await vscode.commands.executeCommand('notifications.clearAll');
}, { page: true });

test('extension: cleanup: fixtures, journal and plan removed, the ledger rebuilt empty', async () => {
  const api = await ledgerApi();
  fs.rmSync(path.dirname(transcript()), { recursive: true, force: true });
  fs.rmSync(path.join(testEnv().ledgerHome, 'journal.jsonl'), { force: true });
  fs.rmSync(path.join(testEnv().ledgerHome, 'exports'), { recursive: true, force: true });
  for (const key of ['plan', 'scope', 'overage', 'cycleDay']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
  await vscode.commands.executeCommand('creditLedger.rebuildLedger', { confirm: true });
  await api.whenIdle();
  await statusText('$(credit-card) Credit Ledger: no transcripts');
  await vscode.commands.executeCommand('notifications.clearAll');
}, { page: true });
