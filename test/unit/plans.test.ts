// "Which plan fits my work?" (core/plans): the trailing month against every plan, on fixtures of known spend —
// the seed's nightly job (4M input + 200K output tokens a night on Sonnet 4.5: $15.00 a night, 6 nights on $100).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRequest } from '../../src/core/audit/input';
import { comparePlans, groupPlans, trailingWindow, windowOfDays, type PlanComparison, type PlanFit } from '../../src/core/plans/comparison';
import type { PoolSettings, SpendRow } from '../../src/core/pool/types';
import { nightlyJob, rereadLoop, poolSettings, pricer, req, runAudit, session, T, USD } from './auditBuilders';

// In November: the audit weighs a loop against the current cycle, 30 days long like the window.
const NOW = T('2026-11-01T12:00:00Z');
const WINDOW = trailingWindow(NOW, 'UTC');

function rowsOf(requests: readonly AuditRequest[]): SpendRow[] {
  return requests.map((r) => ({ sessionId: r.sessionId, projectKey: r.projectKey, timestamp: r.timestamp, costNanos: r.costNanos, priced: r.priced, model: r.model }));
}

/** One interactive session: 5 requests of 200K uncached input on Sonnet 4.5 ($3.00), counted only at scope `all`. */
function interactiveWork(): { requests: AuditRequest[]; sessions: ReturnType<typeof session>[] } {
  const requests = Array.from({ length: 5 }, (_, i) => req({ session: 'chat', project: 'app', entrypoint: 'cli', at: T('2026-10-15T10:00:00Z') + i * 60_000, input: 200_000 }));
  return { requests, sessions: [session('chat', { entrypoint: 'cli', queueOperationStart: false, projectKey: '-home-dev-app' })] };
}

interface Spec {
  requests: AuditRequest[];
  sessions: ReturnType<typeof session>[];
  settings?: Partial<PoolSettings>;
  firstRequestAt?: number | null;
  rows?: SpendRow[];
  hourlyRateUsd?: number;
}

function compare(spec: Spec): PlanComparison {
  const settings = poolSettings(spec.settings);
  const audit = runAudit({ requests: spec.requests, sessions: spec.sessions, settings: spec.settings, now: NOW, thresholds: { hourlyRateUsd: spec.hourlyRateUsd ?? 100 } });
  const first = spec.requests.reduce((m, r) => Math.min(m, r.timestamp), Infinity);
  return comparePlans({
    pool: { settings, rows: spec.rows ?? rowsOf(spec.requests), sessions: spec.sessions, facts: [] },
    window: WINDOW,
    firstRequestAt: spec.firstRequestAt !== undefined ? spec.firstRequestAt : Number.isFinite(first) ? first : null,
    hourlyRateUsd: spec.hourlyRateUsd ?? 100,
    audit,
    pricer,
  });
}

const plan = (c: PlanComparison, id: string): PlanFit => c.plans.find((p) => p.plan === id)!;

describe('the seed\'s nightly job, every night of the last 30 days', () => {
  const nightly = nightlyJob(30, T('2026-10-02T02:00:00Z'));
  const chat = interactiveWork();
  const c = compare({ requests: [...nightly.requests, ...chat.requests], sessions: [...nightly.sessions, ...chat.sessions] });

  it('compares the last 30 complete local days: $450.00 headless, $453.00 in all', () => {
    assert.deepEqual(c.window, { since: T('2026-10-02T00:00:00Z'), until: T('2026-11-01T00:00:00Z'), days: 30, label: '2026-10-02 – 2026-10-31' });
    assert.equal(c.basedOnDays, 30);
    assert.equal(c.thin, false);
    assert.equal(c.headlessSpendNanos, 450 * USD);
    assert.equal(c.allSpendNanos, 453 * USD);
    assert.deepEqual(c.notes, []);
  });

  it('Max 5x (the plan set, marked): $100 covers 6 nights, runs out on day 7, $350 over = 3.5 hours at $100/h', () => {
    const m = plan(c, 'max5x');
    assert.equal(m.current, true);
    assert.equal(c.plans.filter((p) => p.current).length, 1);
    assert.equal(m.scope, 'headless');
    assert.equal(m.creditNanos, 100 * USD);
    assert.equal(m.monthSpendNanos, 450 * USD);
    assert.equal(m.coveredDays, 6);
    assert.equal(m.coveredShare, 0.222);
    assert.equal(m.runOutDay, 7);
    assert.equal(m.overageNanos, 350 * USD);
    assert.equal(m.overageHours, 3.5);
    assert.equal(m.loopRunsCovered, 6);
    assert.equal(m.summary, '$100.00 covers 6 days of 30 (22%) and runs out on day 7; $350.00 over, 3.5 hours of your time at $100/h.');
  });

  it('every other plan at its own default scope: Pro 1 night, Max 20x 13, an API key pays all usage', () => {
    assert.deepEqual(
      c.plans.map((p) => [p.plan, p.scope, p.creditNanos / USD, p.coveredDays, p.runOutDay, p.overageNanos / USD, p.loopRunsCovered]),
      [
        ['pro', 'headless', 20, 1, 2, 430, 1],
        ['max5x', 'headless', 100, 6, 7, 350, 6],
        ['max20x', 'headless', 200, 13, 14, 250, 13],
        ['team-standard', 'headless', 20, 1, 2, 430, 1],
        ['team-premium', 'headless', 100, 6, 7, 350, 6],
        ['enterprise-usage', 'headless', 20, 1, 2, 430, 1],
        ['enterprise-premium', 'headless', 200, 13, 14, 250, 13],
        ['api', 'all', 0, 0, 1, 453, null],
      ],
    );
    assert.equal(plan(c, 'api').summary, 'No credit: all usage at list price is $453.00 a month, 4.5 hours of your time at $100/h.');
  });

  it('the biggest loop is the nightly job, with the three moves the audit priced', () => {
    const l = c.biggestLoop!;
    assert.equal(l.kind, 'recurring');
    assert.equal(l.costPerIterationNanos, 15 * USD);
    assert.equal(l.iterations, 30);
    assert.equal(l.drawsOnCredit, true);
    assert.match(l.moves.lessOften, /a whole \$100\.00 credit covers 6 runs/);
    // The closest cheaper model at checked prices: Sonnet 5.5 / Sonnet 5 at $2 / $10 (rate card of 2026-12-06).
    assert.equal(l.moves.cheaperModel.startsWith('On claude-sonnet-5-5 / claude-sonnet-5: $10.00 a run instead of $15.00'), true, l.moves.cheaperModel);
    assert.match(l.moves.keepAndPay, /^Keeping it costs \$450\.00 a cycle at this pace, \$350\.00 past the \$100\.00 credit/);
    assert.match(l.moves.keepAndPay, /3\.5 hours a cycle at \$100\/h/);
  });

  it('the user\'s hourly rate prices the overage: at $50/h, $350 is 7 hours', () => {
    const cheap = compare({ requests: nightly.requests, sessions: nightly.sessions, hourlyRateUsd: 50 });
    assert.equal(plan(cheap, 'max5x').overageHours, 7);
    assert.equal(cheap.hourlyRateUsd, 50);
  });

  it('the corrected basis by default; recorded when asked', () => {
    const rows = rowsOf(nightly.requests).map((r) => ({ ...r, correctedCostNanos: r.costNanos * 2 }));
    const corrected = compare({ requests: nightly.requests, sessions: nightly.sessions, rows });
    assert.equal(corrected.basis, 'corrected');
    assert.equal(corrected.headlessSpendNanos, 900 * USD);
    const recorded = compare({ requests: nightly.requests, sessions: nightly.sessions, rows, settings: { basis: 'recorded' } });
    assert.equal(recorded.headlessSpendNanos, 450 * USD);
  });
});

describe('when the data is thin or nothing is headless', () => {
  it('three nights of history: the month is those 3 days scaled up, and it says so', () => {
    const nightly = nightlyJob(3, T('2026-10-29T02:00:00Z'));
    const c = compare({ requests: nightly.requests, sessions: nightly.sessions });
    assert.equal(c.basedOnDays, 3);
    assert.equal(c.thin, true);
    assert.equal(c.headlessSpendNanos, 45 * USD);
    assert.equal(plan(c, 'max5x').monthSpendNanos, 450 * USD);
    assert.equal(plan(c, 'max5x').coveredDays, 6);
    assert.deepEqual(c.notes, ['Based on 3 days of history only: the month is that many days scaled up, so take it as a rough guide.']);
  });

  it('history older than the window counts the whole window, even if the window\'s first days were quiet', () => {
    const nightly = nightlyJob(3, T('2026-10-29T02:00:00Z'));
    const c = compare({ requests: nightly.requests, sessions: nightly.sessions, firstRequestAt: T('2026-08-01T00:00:00Z') });
    assert.equal(c.basedOnDays, 30);
    assert.equal(c.thin, false);
    assert.equal(plan(c, 'max5x').monthSpendNanos, 45 * USD);
    assert.equal(plan(c, 'max5x').runOutDay, null);
    assert.equal(plan(c, 'max5x').summary, '$100.00 covers the whole month of headless usage ($45.00, 45% of it).');
  });

  it('only interactive work: "your covered usage is $0: the credit would not be touched"', () => {
    const chat = interactiveWork();
    const c = compare({ requests: chat.requests, sessions: chat.sessions, firstRequestAt: T('2026-10-01T00:00:00Z') });
    assert.equal(c.headlessSpendNanos, 0);
    assert.equal(c.allSpendNanos, 3 * USD);
    const m = plan(c, 'max5x');
    assert.equal(m.coveredDays, 30);
    assert.equal(m.coveredShare, 1);
    assert.equal(m.runOutDay, null);
    assert.equal(m.overageNanos, 0);
    assert.equal(m.summary, 'Your covered usage is $0: the $100.00 credit would not be touched.');
    assert.equal(plan(c, 'api').monthSpendNanos, 3 * USD);
    assert.deepEqual(c.notes, ['Nothing headless in this window: your covered usage is $0: the credit would not be touched.']);
  });

  it('no history at all: nothing to compare, in words', () => {
    const c = compare({ requests: [], sessions: [], firstRequestAt: null });
    assert.equal(c.basedOnDays, 0);
    assert.equal(c.biggestLoop, null);
    assert.deepEqual(c.notes, ['No history in this window: nothing to compare yet.']);
    assert.ok(c.plans.every((p) => p.monthSpendNanos === 0));
  });
});

describe('prices the card is unsure of', () => {
  it('says how much is estimated, how many requests are a lower bound and how many have no price', () => {
    const nightly = nightlyJob(30, T('2026-10-02T02:00:00Z'));
    const rows = rowsOf(nightly.requests).map((r, i) => (i === 0 ? { ...r, estimated: true } : i === 1 ? { ...r, lowerBound: true } : i === 2 ? { ...r, priced: false, costNanos: 0 } : r));
    const c = compare({ requests: nightly.requests, sessions: nightly.sessions, rows });
    assert.deepEqual(c.notes, [
      '1 request on models with no list price counts as $0: the spend is a lower bound (add rates under "rateOverrides").',
      '$0.75 of it is estimated: models newer than the rate card, priced at their family\'s newest rates.',
      '1 request priced as a lower bound (a rate the card does not have, such as fast mode): the spend is at least this.',
    ]);
    assert.equal(plan(c, 'max5x').unpricedRequests, 1);
  });
});

describe('the plan the user set', () => {
  const nightly = nightlyJob(30, T('2026-10-02T02:00:00Z'));

  it('no plan set: nothing marked, and "run it less often" counts the runs each credit covers', () => {
    const c = compare({ requests: nightly.requests, sessions: nightly.sessions, settings: { plan: null } });
    assert.equal(c.currentPlan, null);
    assert.ok(c.plans.every((p) => !p.current));
    assert.equal(
      c.biggestLoop!.moves.lessOften,
      'At $15.00 a run, a whole credit covers: Pro 1 run, Max 5x 6 runs, Max 20x 13 runs, Team Standard 1 run, Team Premium 6 runs, Enterprise (usage-based) 1 run, Enterprise Premium seat 13 runs.',
    );
  });

  it('a custom amount is compared only when it is the user\'s plan', () => {
    const c = compare({ requests: nightly.requests, sessions: nightly.sessions, settings: { plan: 'custom', amountUsd: 300 } });
    const custom = plan(c, 'custom');
    assert.equal(custom.current, true);
    assert.equal(custom.label, 'Custom amount ($300.00)');
    assert.equal(custom.coveredDays, 20);
    assert.equal(custom.runOutDay, 20);
    assert.equal(plan(compare({ requests: nightly.requests, sessions: nightly.sessions }), 'custom'), undefined);
  });

  it('a loop in an interactive session does not draw on the credit: no runs covered, and the move says why', () => {
    const requests = rereadLoop(T('2026-10-20T10:00:00Z')).map((r) => ({ ...r, entrypoint: 'cli' }));
    const c = compare({ requests, sessions: [session('poll', { entrypoint: 'cli', queueOperationStart: false })] });
    assert.equal(c.headlessSpendNanos, 0);
    assert.ok(c.plans.every((p) => p.loopRunsCovered === null));
    const l = c.biggestLoop!;
    assert.equal(l.kind, 'reread');
    assert.equal(l.drawsOnCredit, false);
    assert.match(l.moves.lessOften, /^It does not draw on the credit \(entrypoint cli; interactive: not covered\)/);
    assert.match(l.moves.keepAndPay, /^It does not draw on the credit/);
  });
});

describe('the window', () => {
  it('the last 30 complete local days, across a daylight-saving change', () => {
    const w = trailingWindow(T('2026-11-20T12:00:00Z'), 'Europe/Berlin');
    assert.equal(w.until, T('2026-11-19T23:00:00Z'));
    assert.equal(w.since, T('2026-10-20T22:00:00Z'));
  });

  it('--since/--until are inclusive local days; one alone keeps 30 days on the other side', () => {
    assert.deepEqual(windowOfDays(NOW, 'UTC', '2026-11-10', '2026-11-16'), { since: T('2026-11-10T00:00:00Z'), until: T('2026-11-17T00:00:00Z') });
    assert.deepEqual(windowOfDays(NOW, 'UTC', undefined, '2026-11-16'), { since: T('2026-10-18T00:00:00Z'), until: T('2026-11-17T00:00:00Z') });
    assert.deepEqual(windowOfDays(NOW, 'UTC', '2026-10-20'), { since: T('2026-10-20T00:00:00Z'), until: T('2026-11-01T00:00:00Z') });
  });
});

describe('the Overview tab\'s table', () => {
  it('groups plans that come out alike (same credit, same scope) into one row, marked when the user\'s plan is among them', () => {
    const nightly = nightlyJob(30, T('2026-10-02T02:00:00Z'));
    const c = compare({ requests: nightly.requests, sessions: nightly.sessions, settings: { plan: 'team-premium' } });
    assert.deepEqual(
      groupPlans(c.plans).map((g) => [g.labels.join(' · '), g.fit.creditNanos / USD, g.fit.coveredDays, g.current, g.currentLabel]),
      [
        ['Pro · Team Standard · Enterprise (usage-based)', 20, 1, false, null],
        ['Max 5x · Team Premium', 100, 6, true, 'Team Premium'],
        ['Max 20x · Enterprise Premium seat', 200, 13, false, null],
        ['API key (own budget)', 0, 0, false, null],
      ],
    );
  });
});
