import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeBalance, describeBalance } from '../../src/core/pool/balance';
import type { SessionFacts, SpendRow } from '../../src/core/pool/types';
import { poolSettings as settings } from './builders';

const USD = 1_000_000_000;
const T = (iso: string): number => Date.parse(iso);
// Sonnet 4.5 list price: $3 per million input tokens, $15 per million output tokens, in nanos per token.
const SONNET_IN = 3_000;
const SONNET_OUT = 15_000;
const REQUEST_NANOS = 200_000 * SONNET_IN + 10_000 * SONNET_OUT; // 200K uncached input (not over 200K: no long-context premium) + 10K output


/** A nightly job in April 2026 (30 days): night d starts at 02:00 UTC, 20 requests a minute apart. */
function nightly(nights: number): { rows: SpendRow[]; sessions: SessionFacts[] } {
  const rows: SpendRow[] = [];
  const sessions: SessionFacts[] = [];
  for (let d = 1; d <= nights; d++) {
    const sessionId = `night-${d}`;
    sessions.push({ sessionId, projectKey: '-srv-reports', entrypoint: 'sdk-cli', queueOperationStart: true, firstPromptHash: 'h-nightly-report' });
    for (let i = 0; i < 20; i++) {
      rows.push({ sessionId, projectKey: '-srv-reports', timestamp: T(`2026-04-${String(d).padStart(2, '0')}T02:00:00Z`) + i * 60_000, costNanos: REQUEST_NANOS, priced: true, model: 'claude-sonnet-4-5-20250929' });
    }
  }
  // Noise that must not form a job: a one-off run, and interactive sessions sharing a prompt.
  sessions.push({ sessionId: 'once', projectKey: '-srv-reports', entrypoint: 'sdk-cli', queueOperationStart: false, firstPromptHash: 'h-once' });
  rows.push({ sessionId: 'once', projectKey: '-srv-reports', timestamp: T('2026-03-30T09:00:00Z'), costNanos: 1 * USD, priced: true, model: 'claude-haiku-4-5' });
  for (const id of ['chat-1', 'chat-2']) {
    sessions.push({ sessionId: id, projectKey: '-srv-reports', entrypoint: 'cli', queueOperationStart: false, firstPromptHash: 'h-hi' });
    rows.push({ sessionId: id, projectKey: '-srv-reports', timestamp: T(id === 'chat-1' ? '2026-04-01T09:00:00Z' : '2026-04-02T09:00:00Z'), costNanos: 2 * USD, priced: true, model: 'claude-opus-4-6' });
  }
  return { rows, sessions };
}

describe('seed scenario: a nightly headless job on Max 5x', () => {
  it('one request is $0.75; a night of 20 is $15.00', () => {
    assert.equal(REQUEST_NANOS, 750_000_000);
    assert.equal(20 * REQUEST_NANOS, 15 * USD);
  });

  it('after three nights: $15 a run, 7 runs a week, $100 covers 6 full nights, 30 nights cost $450, $350 over', () => {
    const { rows, sessions } = nightly(3);
    const b = computeBalance({ settings: settings(), rows, sessions, facts: [] }, T('2026-04-03T12:00:00Z'));
    assert.equal(b.spentNanos, 45 * USD);
    assert.equal(b.remainingNanos, 55 * USD);
    assert.equal(b.recurringJobs.length, 1);
    const job = b.recurringJobs[0]!;
    assert.deepEqual(job, {
      projectKey: '-srv-reports',
      firstPromptHash: 'h-nightly-report',
      sessionIds: ['night-1', 'night-2', 'night-3'],
      runs: 3,
      costPerRunNanos: 15 * USD,
      firstRunAt: T('2026-04-01T02:00:00Z'),
      lastRunAt: T('2026-04-03T02:00:00Z'),
      runsPerWeek: 7,
      runsLeftCovered: 3, // $55 left covers 3 more full nights
      runsPerAllotment: 6,
      projectedCycleRuns: 30,
      projectedCycleCostNanos: 450 * USD,
      projectedCycleOverNanos: 350 * USD,
    });
  });

  it('after 30 nights: $450 spent, $350 over, out since the 14th request of night 7', () => {
    const { rows, sessions } = nightly(30);
    const bill = computeBalance({ settings: settings(), rows, sessions, facts: [] }, T('2026-04-30T23:00:00Z'));
    assert.equal(bill.spentNanos, 450 * USD);
    assert.equal(bill.remainingNanos, 0);
    assert.equal(bill.overageNanos, 350 * USD);
    // 6 nights = $90; night 7 crosses $100 on its 14th request ($90 + 14 × $0.75 = $100.50).
    assert.equal(bill.exhaustedAt, T('2026-04-07T02:13:00Z'));
    assert.equal(bill.projectedRunOutAt, null);
    assert.equal(bill.recurringJobs[0]!.runsLeftCovered, 0);
    assert.equal(describeBalance(bill), 'credit used up since 2026-04-07 02:13 UTC; $350.00 over');
    const stop = computeBalance({ settings: settings({ overage: 'stop' }), rows, sessions, facts: [] }, T('2026-04-30T23:00:00Z'));
    assert.equal(stop.exhaustedAt, T('2026-04-07T02:13:00Z'));
    assert.equal(describeBalance(stop), 'credit used up since 2026-04-07 02:13 UTC: requests would be rejected until 2026-05-01 00:00 UTC');
  });

  it('before the job has run twice there is no recurring job', () => {
    const { rows, sessions } = nightly(1);
    const b = computeBalance({ settings: settings(), rows, sessions, facts: [] }, T('2026-04-01T12:00:00Z'));
    assert.deepEqual(b.recurringJobs, []);
  });

  it('an interactive job is not a recurring headless job, even with scope all', () => {
    const { rows, sessions } = nightly(2);
    const b = computeBalance({ settings: settings({ scope: 'all' }), rows, sessions, facts: [] }, T('2026-04-02T12:00:00Z'));
    assert.deepEqual(b.recurringJobs.map((j) => j.firstPromptHash), ['h-nightly-report']);
  });
});
