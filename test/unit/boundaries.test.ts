// Boundaries a mutation check found unpinned: the loop detector's minIterations, its 0.95 growth factor and
// minRepeats (each exactly at the threshold, and one short of it), and a request's web searches across its
// streamed copies (the largest copy's count, never the sum: every copy repeats the same usage).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { assistant, configDir, jsonl, tempDir, user } from './builders';
import { MINUTE, T, req, rereadLoop, runAudit, sessionsOf } from './auditBuilders';
import type { AuditThresholds } from '../../src/core/audit/types';

const NOW = T('2026-11-21T00:00:00Z');

function loopsOf(requests: ReturnType<typeof req>[], thresholds: Partial<AuditThresholds> = {}): { kind: string }[] {
  return runAudit({ requests, sessions: sessionsOf(requests), now: NOW, thresholds }).loops.map((l) => ({ kind: l.kind }));
}

/** The same Bash call back to back, with these prompt sizes (cache reads), 50 output tokens each. */
function sameCall(prompts: number[]): ReturnType<typeof req>[] {
  return prompts.map((p, i) => req({ session: 'rx', project: 'api', at: T('2026-11-20T10:00:00Z') + i * MINUTE, output: 50, cr: p, tools: ['Bash#abcdef000001'] }));
}

describe('the loop detector\'s boundaries', () => {
  test('minIterations: a re-read loop of exactly minIterations stale requests is one; one fewer is not', () => {
    // rereadLoop(n): the first request writes the context, the n - 1 after it re-read it.
    assert.deepEqual(loopsOf(rereadLoop(T('2026-11-20T10:00:00Z'), 11)).map((l) => l.kind), ['reread']);
    assert.ok(!loopsOf(rereadLoop(T('2026-11-20T10:00:00Z'), 10)).some((l) => l.kind === 'reread'));
    assert.deepEqual(loopsOf(rereadLoop(T('2026-11-20T10:00:00Z'), 6), { minIterations: 5 }).map((l) => l.kind), ['reread']);
    assert.ok(!loopsOf(rereadLoop(T('2026-11-20T10:00:00Z'), 5), { minIterations: 5 }).some((l) => l.kind === 'reread'));
  });

  test('minRepeats: the same call exactly minRepeats times is a loop; one fewer is not', () => {
    const cheap = { minCostUsd: 0 };
    assert.deepEqual(loopsOf(sameCall([100_000, 100_000, 100_000]), cheap).map((l) => l.kind), ['reflexive']);
    assert.deepEqual(loopsOf(sameCall([100_000, 100_000]), cheap), []);
    assert.deepEqual(loopsOf(sameCall([100_000, 100_000, 100_000, 100_000]), { ...cheap, minRepeats: 4 }).map((l) => l.kind), ['reflexive']);
    assert.deepEqual(loopsOf(sameCall([100_000, 100_000, 100_000]), { ...cheap, minRepeats: 4 }), []);
  });

  test('the context may shrink to 0.95 of the call before and still be the same loop; below that it is not', () => {
    const cheap = { minCostUsd: 0 };
    assert.deepEqual(loopsOf(sameCall([100_000, 95_000, 90_250]), cheap).map((l) => l.kind), ['reflexive']);
    assert.deepEqual(loopsOf(sameCall([100_000, 94_999, 90_249]), cheap), []);
  });
});

describe('web searches across a request\'s streamed copies', () => {
  test('the request is billed the largest copy\'s searches once, not every copy\'s', () => {
    const copy = (output: number, searches: number): Record<string, unknown> =>
      assistant({ messageId: 'msg_ws', requestId: 'req_ws', input: 100, output, webSearches: searches, timestamp: '2026-11-20T10:00:00.000Z' });
    const dir = configDir({ 'p/s.jsonl': jsonl([user('look it up'), copy(5, 3), copy(20, 2), copy(50, 2)]) });
    const home = tempDir('cl-home-');
    const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../dist/cli.js'), 'daily', '--json', '--config-dir', dir, '--timezone', 'UTC'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home } });
    assert.equal(r.status, 0, r.stderr);
    const totals = (JSON.parse(r.stdout) as { totals: { requests: number; outputTokens: number; totalCost: number } }).totals;
    assert.equal(totals.requests, 1);
    assert.equal(totals.outputTokens, 50);
    // 100 input at $3/M, 50 output at $15/M, 3 searches at $10 per 1,000.
    assert.equal(Math.round(totals.totalCost * 1e9), 100 * 3_000 + 50 * 15_000 + 3 * 10_000_000);
  });
});
