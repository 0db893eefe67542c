// The headless sessions of ../shared/corpus as plain rows (one per deduplicated request, usage as
// the last streamed copy recorded it), priced at the FACTS.md rate card, on Max 5x, scope
// headless, cycle day 1 in UTC. No transcript is read here: the rows are the data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeBalance } from '../../src/core/pool/balance';
import type { PoolSettings, SessionFacts, SpendRow } from '../../src/core/pool/types';

const T = (iso: string): number => Date.parse(iso);

// Nanos per token: input, output, cache write 5m, cache write 1h, cache read.
const RATES: Record<string, [number, number, number, number, number]> = {
  'claude-opus-4-5-20251101': [5_000, 25_000, 6_250, 10_000, 500],
  'claude-haiku-4-5-20251001': [1_000, 5_000, 1_250, 2_000, 100],
};
type Usage = [input: number, output: number, write5m: number, write1h: number, read: number];

function priced(sessionId: string, projectKey: string, model: string, at: string, u: Usage): SpendRow {
  const r = RATES[model]!;
  return { sessionId, projectKey, timestamp: T(at), costNanos: u.reduce((s, tokens, i) => s + tokens * r[i]!, 0), priced: true, model };
}

const OPUS = 'claude-opus-4-5-20251101';
const HAIKU = 'claude-haiku-4-5-20251001';
// claude-reliability: CLI 2.1.14, `claude -p` runs, no entrypoint field, each file starts with queue-operation.
const HELLO = 'de3b8b19-5bc0-4a2a-934a-1b6806567e25';
const FAST = '063004b7-9c12-446a-a977-ca545d9e3cac';
const FIRST = 'cb88ae13-898d-4076-aeb5-bc37191c5d2e';
const SECOND = '645d338e-a844-495b-bcc0-8b12ad5c0bc1';
// margin: CLI 2.1.233, entrypoint sdk-cli.
const MARGIN = '9c42ba52-3bf1-449f-a040-8ee33284a1c8';

const rows: SpendRow[] = [
  priced(HELLO, 'claude-reliability', OPUS, '2026-01-21T06:20:33.873Z', [2, 1, 3173, 0, 15289]),
  priced(HELLO, 'claude-reliability', OPUS, '2026-01-21T06:20:36.969Z', [0, 25, 123, 0, 18462]),
  priced(HELLO, 'claude-reliability', OPUS, '2026-01-21T06:20:41.709Z', [0, 1, 115, 0, 18585]),
  priced(HELLO, 'claude-reliability', OPUS, '2026-01-21T06:20:44.516Z', [1, 2, 128, 0, 18700]),
  priced(FAST, 'claude-reliability', OPUS, '2026-01-21T06:24:35.953Z', [2, 1, 3175, 0, 15289]),
  priced(FAST, 'claude-reliability', OPUS, '2026-01-21T06:24:38.842Z', [0, 1, 173, 0, 18464]),
  priced(FIRST, 'claude-reliability', OPUS, '2026-01-21T06:24:42.479Z', [2, 1, 3177, 0, 15289]),
  priced(FIRST, 'claude-reliability', OPUS, '2026-01-21T06:24:45.438Z', [0, 25, 169, 0, 18466]),
  priced(FIRST, 'claude-reliability', OPUS, '2026-01-21T06:24:48.302Z', [0, 1, 157, 0, 18635]),
  priced(FIRST, 'claude-reliability', OPUS, '2026-01-21T06:24:53.313Z', [0, 25, 352, 0, 18792]),
  priced(FIRST, 'claude-reliability', OPUS, '2026-01-21T06:24:57.077Z', [0, 1, 176, 0, 19144]),
  priced(FIRST, 'claude-reliability', OPUS, '2026-01-21T06:25:01.119Z', [1, 2, 138, 0, 19320]),
  priced(SECOND, 'claude-reliability', OPUS, '2026-01-21T06:25:04.429Z', [2, 6, 3170, 0, 15289]),
  priced(MARGIN, 'margin', HAIKU, '2026-08-20T10:21:56.220Z', [10, 135, 0, 9907, 22820]),
  priced(MARGIN, 'margin', HAIKU, '2026-08-20T10:22:14.569Z', [8, 177, 0, 1914, 32727]),
];
const reliability = (sessionId: string): SessionFacts => ({ sessionId, projectKey: 'claude-reliability', entrypoint: '', queueOperationStart: true, firstPromptHash: `p-${sessionId.slice(0, 4)}` });
const sessions: SessionFacts[] = [
  reliability(HELLO),
  reliability(FAST),
  reliability(FIRST),
  reliability(SECOND),
  { sessionId: MARGIN, projectKey: 'margin', entrypoint: 'sdk-cli', queueOperationStart: true, firstPromptHash: 'p-margin' },
];
const settings: PoolSettings = { plan: 'max5x', scope: 'headless', overage: 'bill', cycleDay: 1, timezone: 'UTC', countUnclassified: false, basis: 'corrected' };

describe('real data: the corpus headless runs on Max 5x, cycle day 1 UTC', () => {
  it('January 2026: four claude -p runs spend $0.2061245, leaving $99.7938755', () => {
    const b = computeBalance({ settings, rows, sessions, facts: [] }, T('2026-01-31T23:59:59Z'));
    assert.equal(b.cycle.label, '2026-01-01 – 2026-01-31');
    assert.deepEqual(
      b.covered.map((s) => [s.sessionId, s.spentNanos, s.requests]),
      [
        [FIRST, 82_269_250, 6],
        [HELLO, 58_376_750, 4],
        [FAST, 37_861_500, 2],
        [SECOND, 27_617_000, 1],
      ],
    );
    assert.ok(b.covered.every((s) => s.reason === 'file starts with queue-operation (headless run, version without entrypoint)'));
    assert.equal(b.spentNanos, 206_124_500);
    assert.equal(b.remainingNanos, 99_793_875_500);
    assert.equal(b.remainingIsUpperBound, false);
    assert.deepEqual(b.recurringJobs, []);
  });

  it('August 2026: the sdk-cli run spends $0.0307747; January is a past cycle', () => {
    const b = computeBalance({ settings, rows, sessions, facts: [], pastCycleCount: 7 }, T('2026-08-31T12:00:00Z'));
    assert.deepEqual(b.covered.map((s) => [s.sessionId, s.spentNanos, s.reason]), [[MARGIN, 30_774_700, 'entrypoint sdk-cli']]);
    assert.equal(b.spentNanos, 30_774_700);
    assert.equal(b.remainingNanos, 99_969_225_300);
    assert.deepEqual(b.pastCycles.map((c) => c.spentNanos), [0, 0, 0, 0, 0, 0, 206_124_500]);
    assert.equal(b.pastCycles[6]!.label, '2026-01-01 – 2026-01-31');
  });

  it('the same rows as interactive sessions are excluded', () => {
    const interactive = sessions.map((s) => ({ ...s, entrypoint: 'cli' }));
    const b = computeBalance({ settings, rows, sessions: interactive, facts: [] }, T('2026-01-31T23:59:59Z'));
    assert.equal(b.spentNanos, 0);
    assert.equal(b.remainingNanos, 100_000_000_000);
    assert.equal(b.excluded.reduce((s, x) => s + x.spentNanos, 0), 206_124_500);
  });
});
