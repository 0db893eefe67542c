// `claude -p` in a real VS Code terminal (shell integration): a fake `claude` on PATH, written here, prints a captured
// `--output-format json` result (../shared/corpus/claude-p-output/result_success.json, read from there) and writes a
// matching transcript into the runner's CLAUDE_CONFIG_DIR. Running it through a terminal must give a run fact in the
// journal, a notification and a status bar update; a run started while the credit is used up must be warned about
// before its output ends. Needs registerTerminalRuns (src/extension/terminal/terminalRuns.ts) wired into the
// composition root.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readRunFacts } from '../../src/core/headless/runFact';
import { readJournal } from '../../src/core/state/journal';
import { assistant, jsonl, user } from '../unit/builders';
import { testEnv } from './env';
import { ledgerApi } from './extensionApi';
import { eventually, report, test } from './harness';
import { page } from './page';

const ITEM = 'creditLedger.balance';
// The suite runs from <repo>/out/test/vscode; the captures sit beside the repo in shared/corpus.
const RESULT = path.resolve(__dirname, '../../../../shared/corpus/claude-p-output/result_success.json');
const SESSION = '40e7b02d-c0f9-4876-9010-f514d4eb0603';
// The capture's modelUsage (claude-opus-4-5) at list price: 38 input, 765 output, 28,775 cache reads, 31,159 writes.
const LIST_NANOS = 38 * 5000 + 765 * 25_000 + 28_775 * 500 + 31_159 * 6250;

interface Fixture {
  dir: string;
  bin: string;
  cwd: string;
  transcript: string;
}

let fixture: Fixture | undefined;

/** The fake claude: waits for $FAKE_WAIT (if set), writes the transcript (times: now), prints the captured result. */
function makeFixture(): Fixture {
  if (fixture) return fixture;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-terminal-runs-'));
  const bin = path.join(dir, 'bin');
  const cwd = path.join(dir, 'work');
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(cwd, { recursive: true });
  const transcript = path.join(testEnv().claudeConfigDir, 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'), `${SESSION}.jsonl`);
  // Version 2.1.3 writes no entrypoint and this file starts with no queue-operation: only the run fact says headless.
  const lines = jsonl([
    user('list the files', { sessionId: SESSION, cwd, version: '2.1.3', timestamp: '__TS__' }),
    assistant({ sessionId: SESSION, cwd, version: '2.1.3', messageId: 'msg_terminal_run_1', model: 'claude-opus-4-5-20251101', timestamp: '__TS__', input: 38, output: 765, cacheRead: 28_775, write5m: 31_159 }),
  ]);
  const js = path.join(dir, 'fake-claude.js');
  fs.writeFileSync(
    js,
    `const fs = require('fs');
const path = require('path');
(async () => {
  const wait = process.env.FAKE_WAIT;
  if (wait) for (const until = Date.now() + 30000; !fs.existsSync(wait) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
  fs.mkdirSync(path.dirname(${JSON.stringify(transcript)}), { recursive: true });
  fs.writeFileSync(${JSON.stringify(transcript)}, ${JSON.stringify(lines)}.split('__TS__').join(new Date().toISOString()));
  process.stdout.write(fs.readFileSync(${JSON.stringify(RESULT)}));
})();
`,
  );
  // A shell wrapper: the extension host's own binary runs the script (Node under code-server, Electron as Node elsewhere).
  fs.writeFileSync(path.join(bin, 'claude'), `#!/bin/sh\nELECTRON_RUN_AS_NODE=1 exec "${process.execPath}" "${js}" "$@"\n`);
  fs.chmodSync(path.join(bin, 'claude'), 0o755);
  fixture = { dir, bin, cwd, transcript };
  return fixture;
}

async function bashTerminal(f: Fixture, name: string): Promise<{ terminal: vscode.Terminal; shell: vscode.TerminalShellIntegration }> {
  const bash = ['/bin/bash', '/usr/bin/bash'].find((p) => fs.existsSync(p));
  assert.ok(bash, 'no bash: shell integration needs a shell VS Code can integrate');
  const terminal = vscode.window.createTerminal({ name, shellPath: bash, cwd: f.cwd, env: { PATH: `${f.bin}${path.delimiter}${process.env.PATH ?? ''}` } });
  const shell = await new Promise<vscode.TerminalShellIntegration>((resolve, reject) => {
    if (terminal.shellIntegration) return resolve(terminal.shellIntegration);
    const timer = setTimeout(() => reject(new Error('shell integration did not activate in bash within 20 s')), 20_000);
    const sub = vscode.window.onDidChangeTerminalShellIntegration((e) => {
      if (e.terminal !== terminal) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e.shellIntegration);
    });
  });
  return { terminal, shell };
}

function ended(execution: vscode.TerminalShellExecution): { done: Promise<number | undefined>; isDone: () => boolean } {
  let isDone = false;
  const done = new Promise<number | undefined>((resolve) => {
    const sub = vscode.window.onDidEndTerminalShellExecution((e) => {
      if (e.execution !== execution) return;
      isDone = true;
      sub.dispose();
      resolve(e.exitCode);
    });
  });
  return { done, isDone: () => isDone };
}

function runFactsFor(sessionId: string): ReturnType<typeof readRunFacts> {
  return readRunFacts(readJournal(path.join(testEnv().ledgerHome, 'journal.jsonl')).facts).filter((r) => r.sessionId === sessionId);
}

async function notification(match: RegExp, timeoutMs = 20_000): Promise<{ severity: string; message: string }> {
  return eventually(async () => {
    const all = await page.notifications();
    const hit = all.find((n) => match.test(n.message));
    assert.ok(hit, `no notification matching ${match} among ${JSON.stringify(all.map((n) => n.message))}`);
    return hit;
  }, { timeoutMs, intervalMs: 250 });
}

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('creditLedger');
const haveCapture = (): boolean => {
  if (fs.existsSync(RESULT)) return true;
  report(`  # skipped: the capture ${RESULT} is not here (shared corpus absent)`);
  return false;
};

test('terminal runs: claude -p in a terminal gives a run fact, a notification and a status bar update', async () => {
  if (!haveCapture()) return;
  const api = await ledgerApi();
  await api.whenIdle();
  await vscode.commands.executeCommand('creditLedger.setPlan', { plan: 'max5x', scope: 'headless', overage: 'stop', cycleDay: 1 });
  await vscode.commands.executeCommand('notifications.clearAll');
  const f = makeFixture();
  const before = runFactsFor(SESSION).length;
  // Earlier tests may have left spend of their own: expect ours on top of it.
  const spentBefore = await eventually(() => {
    const b = api.balance();
    assert.equal(b?.plan, 'max5x');
    return b!.spentNanos;
  });
  const left = `$${((100e9 - spentBefore - LIST_NANOS) / 1e9).toFixed(2)}`;
  const { terminal, shell } = await bashTerminal(f, 'claude -p run');
  try {
    const execution = shell.executeCommand('claude -p "list the files" --output-format json');
    const end = ended(execution);
    assert.equal(await end.done, 0, 'the fake claude exits 0');

    // The run fact: Claude Code's figure next to our list price of the same usage; never the prompt.
    const fact = await eventually(() => {
      const facts = runFactsFor(SESSION);
      assert.equal(facts.length, before + 1, 'no run fact for the session in the journal');
      return facts[facts.length - 1]!;
    }, { timeoutMs: 20_000 });
    assert.equal(fact.via, 'terminal');
    assert.equal(fact.where, 'terminal');
    assert.equal(fact.command, 'claude -p --output-format json <prompt>');
    assert.equal(fact.cwd, f.cwd);
    assert.equal(fact.exitCode, 0);
    assert.equal(fact.totalCostUsd, 0.24722425);
    assert.equal(fact.listCostNanos, LIST_NANOS);
    assert.equal(fact.result?.numTurns, 2);
    assert.ok(!fs.readFileSync(path.join(testEnv().ledgerHome, 'journal.jsonl'), 'utf8').includes('list the files'), 'the prompt is not stored');

    // The session (no entrypoint, no queue-operation) counts as headless because the run captured it.
    await eventually(() => {
      const b = api.balance();
      const covered = b?.covered.find((s) => s.sessionId === SESSION);
      assert.ok(covered, `session not covered: ${JSON.stringify(b?.covered.map((s) => s.sessionId))}`);
      assert.match(covered.reason, /captured claude -p run/);
      assert.equal(b!.spentNanos, spentBefore + LIST_NANOS);
    }, { timeoutMs: 20_000 });

    // The quiet notification and the status bar: what was left, less $0.2284.
    const n = await notification(/claude -p finished: \$0\.23 \(Claude Code says \$0\.25\) · \$[\d,.]+ left/);
    assert.ok(n.message.endsWith(`${left} left`), `${n.message} (expected ${left} left)`);
    assert.equal(n.severity, 'info');
    await eventually(async () => {
      const item = await page.statusBarItem(ITEM);
      assert.equal(item?.text, `$(credit-card) ${left} left`);
    });
    await page.screenshot('terminal-run-finished', { area: 'statusbar' });
  } finally {
    terminal.dispose();
  }
}, { page: true, timeoutMs: 90_000 });

test('terminal runs: a run started while the credit is used up is warned about before its output ends', async () => {
  if (!haveCapture()) return;
  const api = await ledgerApi();
  const f = makeFixture();
  // $0.10 of credit and the first run's $0.23 already spent: used up; overage stop.
  await vscode.commands.executeCommand('creditLedger.setPlan', { plan: 'custom', amount: 0.1, scope: 'headless', overage: 'stop', cycleDay: 1 });
  await eventually(() => assert.ok((api.balance()?.balanceNanos ?? 1) <= 0, 'the credit is not used up yet'), { timeoutMs: 20_000 });
  await vscode.commands.executeCommand('notifications.clearAll');
  const flag = path.join(f.dir, 'release');
  const { terminal, shell } = await bashTerminal(f, 'claude -p while used up');
  try {
    const execution = shell.executeCommand(`FAKE_WAIT=${flag} claude -p "list the files" --output-format json`);
    const end = ended(execution);
    // The fake holds its output back until the flag exists: the warning must come while it waits.
    const warning = await notification(/claude -p started: the credit is used up/);
    assert.equal(end.isDone(), false, 'the run ended before the warning was seen');
    assert.equal(warning.severity, 'error');
    assert.match(warning.message, /would be rejected until \d{4}-\d{2}-\d{2}/);
    fs.writeFileSync(flag, '');
    assert.equal(await end.done, 0);
    await notification(/claude -p finished: .* · credit used up/);
  } finally {
    terminal.dispose();
  }
}, { page: true, timeoutMs: 90_000 });

test('terminal runs: cleanup (fixture, plan)', async () => {
  if (fixture) {
    fs.rmSync(path.dirname(fixture.transcript), { recursive: true, force: true });
    fs.rmSync(fixture.dir, { recursive: true, force: true });
    fixture = undefined;
  }
  for (const key of ['plan', 'amount', 'scope', 'overage', 'cycleDay']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
  await vscode.commands.executeCommand('notifications.clearAll');
});
