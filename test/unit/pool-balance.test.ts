import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Fact } from '../../src/core/state/journal';
import { computeBalance, describeBalance } from '../../src/core/pool/balance';
import { startOfLocalHour } from '../../src/core/pool/cycle';
import { adjustmentFact, overrideFact, reconcileFact } from '../../src/core/pool/facts';
import { POLICY_STATUS } from '../../src/core/pool/plans';
import { isBalanceSnapshot, snapshotFromBalance } from '../../src/core/pool/snapshot';
import type { Balance, PoolInput, SessionFacts, SpendRow } from '../../src/core/pool/types';
import { poolSettings as settings } from './builders';

const USD = 1_000_000_000;
const T = (iso: string): number => Date.parse(iso);
const row = (sessionId: string, at: string, usd: number, over: Partial<SpendRow> = {}): SpendRow => ({
  sessionId,
  projectKey: 'proj',
  timestamp: T(at),
  costNanos: Math.round(usd * USD),
  priced: true,
  model: 'claude-sonnet-4-5',
  ...over,
});
const sess = (sessionId: string, entrypoint: string, over: Partial<SessionFacts> = {}): SessionFacts => ({
  sessionId,
  projectKey: 'proj',
  entrypoint,
  queueOperationStart: false,
  firstPromptHash: '',
  ...over,
});
let n = 0;
const fact = (body: Record<string, unknown>, at = '2026-05-01T00:00:00Z'): Fact => ({ id: `f${++n}`, at, kind: String(body.kind), ...body });
const balance = (input: Partial<PoolInput>, now: string): Balance =>
  computeBalance({ settings: settings(), rows: [], sessions: [], facts: [], ...input }, T(now));

describe('computeBalance: what counts', () => {
  const sessions = [
    sess('h1', 'sdk-cli'),
    sess('h2', '', { queueOperationStart: true }),
    sess('i1', 'cli'),
    sess('u1', 'local-agent'),
  ];
  const rows = [
    row('h1', '2026-05-03T10:00:00Z', 6),
    row('h1', '2026-05-03T10:01:00Z', 4),
    row('h2', '2026-05-04T10:00:00Z', 5),
    row('i1', '2026-05-05T10:00:00Z', 30),
    row('u1', '2026-05-06T10:00:00Z', 2),
    row('ghost', '2026-05-06T11:00:00Z', 1), // rows without session facts
    row('h1', '2026-04-20T10:00:00Z', 7), // previous cycle
    row('h1', '2026-05-21T10:00:00Z', 50), // after now
  ];

  it('allotment − covered spend; every session listed with its reason', () => {
    const b = balance({ rows, sessions }, '2026-05-20T12:00:00Z');
    assert.equal(b.plan, 'max5x');
    assert.equal(b.planLabel, 'Max 5x');
    assert.equal(b.policyStatus, POLICY_STATUS);
    assert.equal(b.allotmentNanos, 100 * USD);
    assert.equal(b.spentNanos, 15 * USD);
    assert.equal(b.remainingNanos, 85 * USD);
    assert.equal(b.overageNanos, 0);
    assert.equal(b.exhaustedAt, null);
    assert.equal(b.remainingIsUpperBound, false);
    assert.deepEqual(
      b.covered.map((s) => [s.sessionId, s.spentNanos, s.requests, s.reason]),
      [
        ['h1', 10 * USD, 2, 'entrypoint sdk-cli'],
        ['h2', 5 * USD, 1, 'file starts with queue-operation (headless run, version without entrypoint)'],
      ],
    );
    assert.deepEqual(b.excluded.map((s) => [s.sessionId, s.spentNanos, s.reason]), [['i1', 30 * USD, 'entrypoint cli; interactive: not covered']]);
    assert.deepEqual(b.unclassified.map((s) => [s.sessionId, s.spentNanos]), [['u1', 2 * USD], ['ghost', 1 * USD]]);
    assert.match(b.unclassified[1]!.reason, /no session facts/);
    assert.deepEqual(b.pastCycles.map((c) => [c.label, c.spentNanos]), [
      ['2026-04-01 – 2026-04-30', 7 * USD],
      ['2026-03-01 – 2026-03-31', 0],
      ['2026-02-01 – 2026-02-28', 0],
    ]);
    assert.equal(b.cycle.start, T('2026-05-01T00:00:00Z'));
    assert.equal(b.cycle.end, T('2026-06-01T00:00:00Z'));
    assert.equal(b.cycle.daysLeft, 12);
    assert.deepEqual(JSON.parse(JSON.stringify(b)), b);
    assert.equal(describeBalance(b), '$85.00 left');
  });

  it('unclassified sessions count only with countUnclassified', () => {
    const b = computeBalance({ settings: settings({ countUnclassified: true }), rows, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(b.spentNanos, 18 * USD);
    assert.deepEqual(b.covered.map((s) => s.sessionId), ['h1', 'h2', 'u1', 'ghost']);
    assert.deepEqual(b.unclassified, []);
  });

  it('scope all counts interactive sessions too', () => {
    const b = computeBalance({ settings: settings({ scope: 'all' }), rows, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(b.spentNanos, 48 * USD);
    assert.deepEqual(b.excluded, []);
  });

  it('overrides from the journal: session beats project', () => {
    const facts = [
      fact(overrideFact('project', 'proj', 'never')),
      fact(overrideFact('session', 'i1', 'count'), '2026-05-02T00:00:00Z'),
    ];
    const b = balance({ rows, sessions, facts }, '2026-05-20T12:00:00Z');
    assert.deepEqual(b.covered.map((s) => [s.sessionId, s.reason]), [['i1', 'override: count (session); entrypoint cli']]);
    assert.equal(b.spentNanos, 30 * USD);
    // Overridden sessions are excluded, not unclassified: the user decided.
    assert.deepEqual(b.excluded.map((s) => s.sessionId).sort(), ['ghost', 'h1', 'h2', 'u1']);
    assert.deepEqual(b.unclassified, []);
  });

  it('a turn exactly at the reset instant belongs to the new cycle', () => {
    const at = [row('h1', '2026-05-01T00:00:00Z', 3), row('h1', '2026-04-30T23:59:59.999Z', 2)];
    const b = balance({ rows: at, sessions }, '2026-05-10T00:00:00Z');
    assert.equal(b.spentNanos, 3 * USD);
    assert.equal(b.pastCycles[0]!.spentNanos, 2 * USD);
    // Auckland resets at 2026-04-30T12:00Z (NZST, +12): both turns are in May's cycle there.
    const nz = computeBalance({ settings: settings({ timezone: 'Pacific/Auckland' }), rows: [...at, row('h1', '2026-04-30T12:00:00Z', 4)], sessions, facts: [] }, T('2026-05-10T00:00:00Z'));
    assert.equal(nz.cycle.start, T('2026-04-30T12:00:00Z'));
    assert.equal(nz.spentNanos, 9 * USD);
  });

  it('a plan not set still counts spend, with no allotment', () => {
    const b = computeBalance({ settings: settings({ plan: null }), rows, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(b.planSet, false);
    assert.equal(b.planLabel, 'Plan not set');
    assert.equal(b.allotmentNanos, null);
    assert.equal(b.remainingNanos, null);
    assert.equal(b.overageNanos, null);
    assert.equal(b.spentNanos, 15 * USD);
    assert.equal(describeBalance(b), 'Plan not set: $15.00 spent this cycle');
  });

  it('custom and api plans show their amount in the label', () => {
    const b = computeBalance({ settings: settings({ plan: 'api', amountUsd: 250, scope: 'all' }), rows, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(b.planLabel, 'API key (own budget) ($250.00)');
    assert.equal(b.remainingNanos, (250 - 48) * USD);
  });
});

describe('computeBalance: unpriced turns, basis', () => {
  it('estimated spend counts in the balance and is said: "$63.40 left, incl. $2.10 estimated"', () => {
    const rows = [
      row('h1', '2026-05-03T10:00:00Z', 34.5),
      row('h1', '2026-05-03T10:05:00Z', 2.1, { estimated: true, model: 'claude-fable-5-3' }),
      row('h1', '2026-05-03T10:06:00Z', 1, { lowerBound: true }),
      row('i1', '2026-05-03T11:00:00Z', 9, { estimated: true }),
    ];
    const b = balance({ rows, sessions: [sess('h1', 'sdk-ts'), sess('i1', 'cli')] }, '2026-05-20T12:00:00Z');
    assert.equal(b.remainingNanos, Math.round(62.4 * USD));
    assert.equal(b.estimatedNanos, Math.round(2.1 * USD), 'only covered spend');
    assert.equal(b.lowerBoundCount, 1);
    assert.equal(b.remainingIsUpperBound, false);
    assert.equal(describeBalance(b), '$62.40 left, incl. $2.10 estimated');
  });

  it('an unpriced covered turn makes the remaining an upper bound', () => {
    const rows = [row('h1', '2026-05-03T10:00:00Z', 15), row('h1', '2026-05-03T10:05:00Z', 0, { priced: false, model: 'claude-fable-5' }), row('i1', '2026-05-03T11:00:00Z', 0, { priced: false })];
    const b = balance({ rows, sessions: [sess('h1', 'sdk-ts'), sess('i1', 'cli')] }, '2026-05-20T12:00:00Z');
    assert.equal(b.remainingNanos, 85 * USD);
    assert.equal(b.remainingIsUpperBound, true);
    assert.equal(b.unpricedCount, 1);
    assert.equal(b.covered[0]!.unpricedRequests, 1);
    assert.equal(describeBalance(b), 'at most $85.00 left; 1 unpriced request');
  });

  it('basis picks recorded or corrected cost; both totals are reported', () => {
    const rows = [row('h1', '2026-05-03T10:00:00Z', 10, { correctedCostNanos: 12 * USD }), row('h1', '2026-05-04T10:00:00Z', 5)];
    const sessions = [sess('h1', 'sdk-cli')];
    const corrected = balance({ rows, sessions }, '2026-05-20T12:00:00Z');
    assert.equal(corrected.basis, 'corrected');
    assert.equal(corrected.spentNanos, 17 * USD);
    assert.equal(corrected.remainingNanos, 83 * USD);
    const recorded = computeBalance({ settings: settings({ basis: 'recorded' }), rows, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(recorded.spentNanos, 15 * USD);
    assert.equal(recorded.remainingNanos, 85 * USD);
    assert.equal(recorded.covered[0]!.spentNanos, 15 * USD);
    for (const b of [corrected, recorded]) {
      assert.equal(b.recordedSpentNanos, 15 * USD);
      assert.equal(b.correctedSpentNanos, 17 * USD);
    }
  });
});

describe('computeBalance: reconcile and adjustments', () => {
  const sessions = [sess('h1', 'sdk-cli')];

  it('from asOf on, the balance is the typed figure minus covered spend since; the drift is reported', () => {
    const rows = [
      row('h1', '2026-05-05T10:00:00Z', 10),
      row('h1', '2026-05-08T10:00:00Z', 0, { priced: false }), // before asOf: the figure already includes it
      row('h1', '2026-05-10T12:00:00Z', 1), // exactly at asOf: included in the figure
      row('h1', '2026-05-12T10:00:00Z', 3.2),
    ];
    const facts = [fact(reconcileFact(63.2, T('2026-05-10T12:00:00Z')), '2026-05-10T12:01:00Z')];
    const b = balance({ rows, sessions, facts }, '2026-05-20T12:00:00Z');
    assert.deepEqual(b.reconcile, {
      asOf: T('2026-05-10T12:00:00Z'),
      figureNanos: 63_200_000_000,
      ourRemainingNanos: 89 * USD,
      driftNanos: 25_800_000_000, // we counted $25.80 less spend than the account shows
      cycleStart: T('2026-05-01T00:00:00Z'),
    });
    assert.equal(b.remainingNanos, 60 * USD);
    assert.equal(b.spentNanos, 14_200_000_000); // our own count is unchanged
    assert.equal(b.remainingIsUpperBound, false);
    assert.equal(b.unpricedCount, 0);
  });

  it('the latest figure of the cycle wins; history keeps every figure with its drift', () => {
    const rows = [row('h1', '2026-04-10T10:00:00Z', 20), row('h1', '2026-05-05T10:00:00Z', 10), row('h1', '2026-05-15T10:00:00Z', 5)];
    const facts = [
      fact(reconcileFact(70, T('2026-04-20T00:00:00Z')), '2026-04-20T00:00:00Z'),
      fact(reconcileFact(85, T('2026-05-06T00:00:00Z')), '2026-05-06T00:00:00Z'),
      fact({ kind: 'reconcile', remainingUsd: '$80.50', asOf: '2026-05-16T00:00:00Z' }, '2026-05-16T00:00:00Z'),
      fact(reconcileFact(1, T('2026-05-25T00:00:00Z')), '2026-05-16T00:00:00Z'), // in the future of `now`: ignored
      fact({ kind: 'reconcile', remainingUsd: 'lots', asOf: '2026-05-17T00:00:00Z' }), // malformed: ignored
    ];
    const b = balance({ rows, sessions, facts }, '2026-05-20T12:00:00Z');
    assert.equal(b.reconcile?.figureNanos, 80_500_000_000);
    assert.equal(b.reconcile?.driftNanos, 4_500_000_000);
    assert.equal(b.remainingNanos, 80_500_000_000);
    assert.deepEqual(
      b.reconcileHistory.map((h) => [new Date(h.asOf).toISOString(), h.figureNanos / USD, h.ourRemainingNanos! / USD, h.driftNanos! / USD]),
      [
        ['2026-04-20T00:00:00.000Z', 70, 80, 10],
        ['2026-05-06T00:00:00.000Z', 85, 90, 5],
        ['2026-05-16T00:00:00.000Z', 80.5, 85, 4.5],
      ],
    );
  });

  it('a reconcile in an earlier cycle does not carry over', () => {
    const rows = [row('h1', '2026-05-05T10:00:00Z', 10)];
    const facts = [fact(reconcileFact(5, T('2026-04-28T00:00:00Z')), '2026-04-28T00:00:00Z')];
    const b = balance({ rows, sessions, facts }, '2026-05-20T12:00:00Z');
    assert.equal(b.reconcile, null);
    assert.equal(b.remainingNanos, 90 * USD);
    assert.equal(b.reconcileHistory.length, 1);
  });

  it('unpriced turns after the figure keep it a bound', () => {
    const rows = [row('h1', '2026-05-12T10:00:00Z', 0, { priced: false })];
    const facts = [fact(reconcileFact(50, T('2026-05-10T00:00:00Z')))];
    const b = balance({ rows, sessions, facts }, '2026-05-20T12:00:00Z');
    assert.equal(b.remainingIsUpperBound, true);
    assert.equal(describeBalance(b), 'at most $50.00 left; 1 unpriced request');
  });

  it('adjustments in the cycle add to the balance, before and after a figure', () => {
    const rows = [row('h1', '2026-05-05T10:00:00Z', 10)];
    const facts = [
      fact(adjustmentFact(5, T('2026-05-06T00:00:00Z'), 'goodwill credit')),
      fact(adjustmentFact(-2, T('2026-04-06T00:00:00Z'))), // previous cycle
    ];
    const b = balance({ rows, sessions, facts }, '2026-05-20T12:00:00Z');
    assert.equal(b.adjustmentsNanos, 5 * USD);
    assert.equal(b.remainingNanos, 95 * USD);
    const withFigure = balance({ rows, sessions, facts: [...facts, fact(reconcileFact(90, T('2026-05-05T12:00:00Z')))] }, '2026-05-20T12:00:00Z');
    assert.equal(withFigure.remainingNanos, 95 * USD); // 90 typed + 5 adjusted after it
    assert.equal(withFigure.reconcile?.driftNanos, 0);
  });
});

describe('computeBalance: overage', () => {
  const sessions = [sess('h1', 'sdk-cli')];
  const rows = [
    row('h1', '2026-05-02T10:00:00Z', 8),
    row('h1', '2026-05-03T10:00:00Z', 8),
    row('h1', '2026-05-04T10:00:00Z', 8),
    row('h1', '2026-05-05T10:00:00Z', 8),
  ];

  it('bill: overage dollars past zero, and since when', () => {
    const b = computeBalance({ settings: settings({ plan: 'pro' }), rows, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(b.balanceNanos, -12 * USD);
    assert.equal(b.remainingNanos, 0);
    assert.equal(b.overageNanos, 12 * USD);
    assert.equal(b.exhaustedAt, T('2026-05-04T10:00:00Z'));
    assert.equal(b.projectedRunOutAt, null);
    assert.equal(describeBalance(b), 'credit used up since 2026-05-04 10:00 UTC; $12.00 over');
  });

  it('stop: requests would be rejected since the covered spend crossed the allotment', () => {
    const b = computeBalance({ settings: settings({ plan: 'pro', overage: 'stop', timezone: 'America/New_York' }), rows, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(b.overage, 'stop');
    assert.equal(b.exhaustedAt, T('2026-05-04T10:00:00Z'));
    assert.equal(describeBalance(b), 'credit used up since 2026-05-04 06:00 EDT: requests would be rejected until 2026-06-01 00:00 EDT');
  });

  it('reaching exactly zero exhausts; a later grant lifts it; the next crossing is the one reported', () => {
    const two = [row('h1', '2026-05-02T10:00:00Z', 10), row('h1', '2026-05-03T10:00:00Z', 10)];
    const zero = computeBalance({ settings: settings({ plan: 'pro', overage: 'stop' }), rows: two, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(zero.remainingNanos, 0);
    assert.equal(zero.overageNanos, 0);
    assert.equal(zero.exhaustedAt, T('2026-05-03T10:00:00Z'));
    const facts = [fact(adjustmentFact(20, T('2026-05-06T00:00:00Z')))];
    const lifted = computeBalance({ settings: settings({ plan: 'pro' }), rows, sessions, facts }, T('2026-05-20T12:00:00Z'));
    assert.equal(lifted.remainingNanos, 8 * USD);
    assert.equal(lifted.exhaustedAt, null);
    const again = computeBalance({ settings: settings({ plan: 'pro' }), rows: [...rows, row('h1', '2026-05-07T10:00:00Z', 9)], sessions, facts }, T('2026-05-20T12:00:00Z'));
    assert.equal(again.exhaustedAt, T('2026-05-07T10:00:00Z'));
    // A typed figure of zero exhausts at its asOf.
    const typed = computeBalance({ settings: settings({ plan: 'pro' }), rows: [], sessions, facts: [fact(reconcileFact(0, T('2026-05-09T00:00:00Z')))] }, T('2026-05-20T12:00:00Z'));
    assert.equal(typed.exhaustedAt, T('2026-05-09T00:00:00Z'));
  });
});

describe('computeBalance: burn, projection, today', () => {
  const sessions = [sess('h1', 'sdk-cli')];
  // $2 at noon UTC every day from May 1 to May 20.
  const rows = Array.from({ length: 20 }, (_, i) => row('h1', `2026-05-${String(i + 1).padStart(2, '0')}T12:00:00Z`, 2));

  it('trailing 7 days and cycle to date, per day; projected spend and run-out hour', () => {
    const b = computeBalance({ settings: settings({ plan: 'custom', amountUsd: 50 }), rows, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(b.spentNanos, 40 * USD);
    assert.equal(b.burn.trailing7dPerDayNanos, 2 * USD);
    assert.equal(b.burn.cycleToDatePerDayNanos, Math.round((40 * USD) / 19.5));
    assert.equal(b.projectedCycleSpendNanos, 63 * USD); // 40 + 11.5 days × $2
    assert.equal(b.projectedRunOutAt, T('2026-05-25T12:00:00Z'));
    assert.equal(b.spentTodayNanos, 2 * USD);
  });

  it('no run-out within the cycle gives null; the run-out is floored to the local hour', () => {
    const far = computeBalance({ settings: settings(), rows, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(far.projectedRunOutAt, null);
    const now = T('2026-05-20T12:00:00Z');
    const kolkata = computeBalance({ settings: settings({ plan: 'custom', amountUsd: 50, timezone: 'Asia/Kolkata' }), rows, sessions, facts: [] }, now);
    const expected = startOfLocalHour(now + (kolkata.balanceNanos! / (2 * USD)) * 86_400_000, 'Asia/Kolkata');
    assert.equal(kolkata.projectedRunOutAt, expected);
    assert.equal(new Date(expected).getUTCMinutes(), 30);
  });

  it('today is the local day', () => {
    const late = [...rows, row('h1', '2026-05-20T06:00:00Z', 1)]; // 23:00 on May 19 in Los Angeles
    const utc = computeBalance({ settings: settings(), rows: late, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(utc.spentTodayNanos, 3 * USD);
    const la = computeBalance({ settings: settings({ timezone: 'America/Los_Angeles' }), rows: late, sessions, facts: [] }, T('2026-05-20T12:00:00Z'));
    assert.equal(la.spentTodayNanos, 2 * USD);
  });
});

describe('snapshotFromBalance', () => {
  it('writes the small per-user snapshot', () => {
    const rows = [row('h1', '2026-05-03T10:00:00Z', 15), row('h1', '2026-05-03T10:05:00Z', 0, { priced: false })];
    const b = balance({ rows, sessions: [sess('h1', 'sdk-cli')] }, '2026-05-20T12:00:00Z');
    const snap = snapshotFromBalance(b, {
      stampedAt: T('2026-05-20T12:00:01Z'),
      configDirs: ['/home/me/.claude'],
      liveSessions: [{ sessionId: 'h1', contextTokens: 123_456, updatedAt: '2026-05-20T11:59:00.000Z' }],
    });
    assert.deepEqual(snap, {
      version: 1,
      stampedAt: '2026-05-20T12:00:01.000Z',
      basis: 'corrected',
      plan: 'max5x',
      planLabel: 'Max 5x',
      scope: 'headless',
      overage: 'bill',
      configDirs: ['/home/me/.claude'],
      timezone: 'UTC',
      cycle: { start: '2026-05-01T00:00:00.000Z', end: '2026-06-01T00:00:00.000Z', label: '2026-05-01 – 2026-05-31', daysLeft: 12 },
      allotmentNanos: 100 * USD,
      spentNanos: 15 * USD,
      spentTodayNanos: 0,
      remainingNanos: 85 * USD,
      remainingIsUpperBound: true,
      unpricedCount: 1,
      estimatedNanos: 0,
      overageNanos: 0,
      exhaustedAt: null,
      liveSessions: [{ sessionId: 'h1', contextTokens: 123_456, updatedAt: '2026-05-20T11:59:00.000Z' }],
      merged: false,
    });
    assert.ok(isBalanceSnapshot(JSON.parse(JSON.stringify(snap))));
    assert.deepEqual(snapshotFromBalance(b, { stampedAt: 0, configDirs: [] }).liveSessions, []);
    assert.equal(isBalanceSnapshot({ version: 1, stampedAt: 'x' }), false);
    assert.equal(isBalanceSnapshot(null), false);
  });
});

describe('computeBalance: the reconcile instant and unpriced requests', () => {
  // The figure typed at an instant includes what happened at that instant: an unpriced request stamped exactly then
  // is inside it (the balance no longer depends on it); one a millisecond later is not.
  it('an unpriced request at the reconcile instant is in the figure; one just after still makes the balance an upper bound', () => {
    const at = '2026-05-10T12:00:00.000Z';
    const sessions = [sess('h', 'sdk-cli')];
    const facts = [fact(reconcileFact(40, T(at)), '2026-05-10T12:01:00Z')];
    const same = balance({ rows: [row('h', at, 0, { priced: false, model: 'claude-future-9' })], sessions, facts }, '2026-05-20T12:00:00Z');
    assert.equal(same.unpricedCount, 0);
    assert.equal(same.remainingIsUpperBound, false);
    assert.equal(same.remainingNanos, 40 * USD);
    const after = balance({ rows: [row('h', '2026-05-10T12:00:00.001Z', 0, { priced: false, model: 'claude-future-9' })], sessions, facts }, '2026-05-20T12:00:00Z');
    assert.equal(after.unpricedCount, 1);
    assert.equal(after.remainingIsUpperBound, true);
    const before = balance({ rows: [row('h', '2026-05-10T11:59:59.999Z', 0, { priced: false, model: 'claude-future-9' })], sessions, facts }, '2026-05-20T12:00:00Z');
    assert.equal(before.unpricedCount, 0);
  });
});
