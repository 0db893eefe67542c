// What a VS Code terminal run tells the user: the warning as it starts and the quiet notice as it ends (pure parts of
// src/extension/terminal; the listeners themselves are checked in a real VS Code by test/vscode/terminalRuns.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectPrintRun } from '../../src/core/headless/commandLine';
import type { RunFact } from '../../src/core/headless/runFact';
import { computeBalance } from '../../src/core/pool/balance';
import type { Balance, PoolSettings } from '../../src/core/pool/types';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { endNotice, longContextThreshold, runNotifyPolicy, startWarning } from '../../src/extension/terminal/runMessages';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const USD = 1_000_000_000;
const pricer = createPricer(loadRateCard());

function balance(spentUsd: number, over: Partial<PoolSettings> = {}): Balance {
  const settings: PoolSettings = { plan: 'pro', scope: 'headless', overage: 'stop', cycleDay: 1, timezone: 'UTC', countUnclassified: false, basis: 'recorded', ...over };
  return computeBalance(
    {
      settings,
      rows: [{ sessionId: 's', projectKey: 'p', timestamp: NOW - 3_600_000, costNanos: Math.round(spentUsd * USD), priced: true, model: 'claude-sonnet-4-5' }],
      sessions: [{ sessionId: 's', projectKey: 'p', entrypoint: 'sdk-cli', queueOperationStart: false, firstPromptHash: '' }],
      facts: [],
    },
    NOW,
  );
}

function fact(over: Partial<RunFact> = {}): RunFact {
  return {
    kind: 'run', v: 1, runId: 'r', via: 'terminal', where: 'terminal', command: 'claude -p <prompt>', cwd: '/w', startedAt: new Date(NOW - 9000).toISOString(), endedAt: new Date(NOW).toISOString(),
    exitCode: 0, sessionId: 's', sessionFrom: 'result', flags: {}, noSessionPersistence: false, claudeCodeVersion: null, model: 'claude-sonnet-4-5',
    result: { subtype: 'success', isError: false, numTurns: 2, durationMs: 9000, durationApiMs: 8000, costBasis: null, usage: null, modelUsage: null },
    truncated: false, totalCostUsd: 0.41, listCostNanos: 420_000_000, listCostPriced: true, listCostFrom: 'modelUsage', differenceNanos: -10_000_000, differenceKind: 'unexplained', differenceReason: null,
    ...over,
  };
}

describe('the warning as a claude -p run starts', () => {
  const inv = detectPrintRun('claude -p "fix the tests"')!;

  test('nothing to say with credit left and no long context', () => {
    assert.equal(startWarning({ invocation: inv, balance: balance(2), warnShare: 0.25, threshold: 200_000, pricer, now: NOW }), undefined);
    assert.equal(startWarning({ invocation: inv, balance: undefined, warnShare: 0.25, threshold: 200_000, pricer, now: NOW }), undefined);
  });

  test('credit used up under overage stop: an error with the reset date', () => {
    const w = startWarning({ invocation: inv, balance: balance(25), warnShare: 0.25, threshold: 200_000, pricer, now: NOW })!;
    assert.equal(w.severity, 'error');
    assert.match(w.message, /credit is used up \(\$0\.00 of \$20\.00 left\)/);
    assert.match(w.message, /rejected until 2026-12-01/);
    // Under "bill" the run is billed, not stopped: no stop warning.
    assert.equal(startWarning({ invocation: inv, balance: balance(25, { overage: 'bill' }), warnShare: 0.25, threshold: 200_000, pricer, now: NOW }), undefined);
  });

  test('below the warning share: how much is left', () => {
    const w = startWarning({ invocation: inv, balance: balance(17), warnShare: 0.25, threshold: 200_000, pricer, now: NOW })!;
    assert.equal(w.severity, 'warning');
    assert.match(w.message, /only \$3\.00 of \$20\.00 credit left \(15%\)/);
  });

  test('resuming a long context: its size, the cost per turn at list price, the expired-cache cost, turns the credit covers', () => {
    const resume = detectPrintRun('claude -p --resume abcdef12-0000 "go on"')!;
    const w = startWarning({
      invocation: resume,
      balance: balance(10),
      warnShare: 0.25,
      resumed: { sessionId: 'abcdef12-0000', tokens: 150_000, model: 'claude-sonnet-4-5', at: NOW - 2 * 3_600_000 },
      threshold: 100_000,
      pricer,
      now: NOW,
    })!;
    // 150K cache reads at $0.30/M = $0.045; re-written at $3.75/M = $0.5625; $10 left / $0.045 = 222 turns.
    assert.match(w.message, /resumes session abcdef12 whose context is already 150K tokens/);
    assert.match(w.message, /about \$0\.0450 a turn at list price/);
    assert.match(w.message, /last used 2 h ago: the cache has likely expired, so the first turn re-writes it for about \$0\.5625/);
    assert.match(w.message, /\$10\.00 left covers about 222 such turns/);
    assert.equal(startWarning({ invocation: resume, balance: balance(10), warnShare: 0.25, resumed: { sessionId: 'x', tokens: 90_000 }, threshold: 100_000, pricer, now: NOW }), undefined);
  });

  test('the threshold: the hook\'s contextThreshold when set, else 200K', () => {
    assert.equal(longContextThreshold({}), 200_000);
    assert.equal(longContextThreshold({ hook: { contextThreshold: 120_000 } }), 120_000);
    assert.equal(longContextThreshold({ hook: { contextThreshold: null } }), 200_000);
  });
});

describe('the notice as a claude -p run ends', () => {
  test('"claude -p finished: $0.42 (Claude Code says $0.41) · $57.10 left"', () => {
    const n = endNotice({ fact: fact(), balance: balance(42.9, { plan: 'max5x' }), policy: { mode: 'always' } })!;
    assert.equal(n.message, 'claude -p finished: $0.42 (Claude Code says $0.41) · $57.10 left');
    assert.equal(n.severity, 'info');
  });

  test('a failed run, a run without a result, the ledger\'s figure for text output, an exhausted credit', () => {
    const failed = endNotice({ fact: fact({ exitCode: 1, result: { ...fact().result!, isError: true, subtype: 'error_max_turns' } }), balance: balance(25), policy: { mode: 'always' } })!;
    assert.equal(failed.severity, 'warning');
    assert.match(failed.message, /^claude -p failed \(error_max_turns, exit 1\): \$0\.42 .* · credit used up$/);
    const text = endNotice({ fact: fact({ result: null, totalCostUsd: null, listCostNanos: null }), ledgerCostNanos: 1_500_000_000, balance: undefined, policy: { mode: 'always' } })!;
    assert.equal(text.message, 'claude -p finished: $1.50');
    const nothing = endNotice({ fact: fact({ result: null, totalCostUsd: null, listCostNanos: null }), balance: undefined, policy: { mode: 'always' } })!;
    assert.equal(nothing.message, 'claude -p finished');
  });

  test('the setting: always, only over $X, never', () => {
    assert.deepEqual(runNotifyPolicy({}), { mode: 'always' });
    assert.deepEqual(runNotifyPolicy({ runNotifications: 'never' }), { mode: 'never' });
    assert.deepEqual(runNotifyPolicy({ runNotifications: 'over', runNotifyOverUsd: 0.5 }), { mode: 'over', overNanos: 500_000_000 });
    assert.equal(endNotice({ fact: fact(), balance: undefined, policy: { mode: 'never' } }), undefined);
    assert.equal(endNotice({ fact: fact(), balance: undefined, policy: { mode: 'over', overNanos: 500_000_000 } }), undefined);
    assert.ok(endNotice({ fact: fact(), balance: undefined, policy: { mode: 'over', overNanos: 400_000_000 } }));
  });
});
