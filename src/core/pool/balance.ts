// The balance of the cycle: allotment − covered spend + adjustments, or, once the user has typed
// the figure their account shows, that figure − covered spend since. Pure: rows, sessions,
// journal facts and settings in; a JSON-serializable Balance out.
import { DateTime } from 'luxon';
import { cycleFor, previousCycles, startOfLocalDay } from './cycle';
import { readPoolFacts } from './facts';
import type { PoolFacts } from './facts';
import { burnRates, findRecurringJobs, projectCycleSpend, projectRunOut } from './forecast';
import type { CostPoint } from './forecast';
import { formatUsd } from './money';
import { planLabel, POLICY_STATUS } from './plans';
import { allotmentNanos } from './settings';
import { classifySession, unknownSession } from './surfaces';
import type {
  Balance,
  BillingCycle,
  PastCycle,
  PoolInput,
  PoolSettings,
  ReconcilePoint,
  SessionClassification,
  SessionFacts,
  SessionSpend,
  SpendRow,
} from './types';

const DEFAULT_PAST_CYCLES = 3;

export function rowCost(row: SpendRow, basis: PoolSettings['basis']): number {
  return basis === 'corrected' ? (row.correctedCostNanos ?? row.costNanos) : row.costNanos;
}

/** Every session the rows or the facts mention, classified (rows without facts are "unclassified"). */
export function classifySessions(
  sessions: readonly SessionFacts[],
  rows: readonly SpendRow[],
  settings: PoolSettings,
  facts: PoolFacts,
): Map<string, SessionClassification> {
  const out = new Map<string, SessionClassification>();
  for (const s of sessions) out.set(s.sessionId, classifySession(s, settings, facts));
  for (const r of rows) if (!out.has(r.sessionId)) out.set(r.sessionId, classifySession(unknownSession(r.sessionId, r.projectKey), settings, facts));
  return out;
}

interface Step {
  t: number;
  /** Rows and adjustments at an instant come before a reconcile at that instant (the figure includes them). */
  order: 0 | 1;
  delta: number;
  set: number | null;
}

/** Replays the cycle to find the final balance and when it last reached zero. */
function replay(allotment: number, cycle: BillingCycle, steps: Step[]): { balance: number; exhaustedAt: number | null } {
  steps.sort((a, b) => a.t - b.t || a.order - b.order);
  let balance = allotment;
  let exhaustedAt = balance <= 0 ? cycle.start : null;
  for (const s of steps) {
    balance = s.set ?? balance + s.delta;
    if (balance > 0) exhaustedAt = null;
    else exhaustedAt ??= s.t;
  }
  return { balance, exhaustedAt };
}

export function computeBalance(input: PoolInput, now: number): Balance {
  const { settings } = input;
  const zone = settings.timezone;
  const cycle = cycleFor(now, settings.cycleDay, zone);
  const allotment = allotmentNanos(settings);
  const facts = readPoolFacts(input.facts);
  const classes = classifySessions(input.sessions, input.rows, settings, facts);
  const inCycle = (t: number): boolean => t >= cycle.start && t < cycle.end && t <= now;

  // Covered requests up to now (all history given: burn and recurring jobs look past the reset).
  const points: CostPoint[] = [];
  let recordedSpent = 0;
  let correctedSpent = 0;
  let estimated = 0;
  let lowerBoundCount = 0;
  const perSession = new Map<string, SessionSpend>();
  for (const r of input.rows) {
    if (r.timestamp > now) continue;
    const c = classes.get(r.sessionId)!;
    const nanos = rowCost(r, settings.basis);
    if (c.counted) points.push({ sessionId: r.sessionId, timestamp: r.timestamp, nanos });
    if (!inCycle(r.timestamp)) continue;
    if (c.counted) {
      recordedSpent += r.costNanos;
      correctedSpent += r.correctedCostNanos ?? r.costNanos;
      if (r.estimated) estimated += nanos;
      if (r.lowerBound) lowerBoundCount++;
    }
    const s = perSession.get(r.sessionId) ?? { sessionId: r.sessionId, projectKey: c.projectKey, surface: c.surface, spentNanos: 0, requests: 0, unpricedRequests: 0, reason: c.reason };
    s.spentNanos += nanos;
    s.requests += 1;
    if (!r.priced) s.unpricedRequests += 1;
    perSession.set(r.sessionId, s);
  }
  const spent = settings.basis === 'corrected' ? correctedSpent : recordedSpent;
  const adjustments = facts.adjustments.filter((a) => inCycle(a.asOf));
  const adjustmentsNanos = adjustments.reduce((s, a) => s + a.amountNanos, 0);

  // Reconcile figures: the drift of each, and the latest one of this cycle anchors the balance.
  const history: ReconcilePoint[] = facts.reconciles
    .filter((rc) => rc.asOf <= now)
    .map((rc) => {
      const c = cycleFor(rc.asOf, settings.cycleDay, zone);
      const within = (t: number): boolean => t >= c.start && t <= rc.asOf;
      const ours =
        allotment === null
          ? null
          : allotment - points.reduce((s, p) => (within(p.timestamp) ? s + p.nanos : s), 0) + facts.adjustments.reduce((s, a) => (within(a.asOf) ? s + a.amountNanos : s), 0);
      return { asOf: rc.asOf, figureNanos: rc.figureNanos, ourRemainingNanos: ours, driftNanos: ours === null ? null : ours - rc.figureNanos, cycleStart: c.start };
    });
  const cycleReconciles = history.filter((h) => h.cycleStart === cycle.start);
  const reconcile = cycleReconciles[cycleReconciles.length - 1] ?? null;

  let balance: number | null = null;
  let exhaustedAt: number | null = null;
  if (allotment !== null) {
    const steps: Step[] = [
      ...points.filter((p) => inCycle(p.timestamp)).map((p): Step => ({ t: p.timestamp, order: 0, delta: -p.nanos, set: null })),
      ...adjustments.map((a): Step => ({ t: a.asOf, order: 0, delta: a.amountNanos, set: null })),
      ...cycleReconciles.map((h): Step => ({ t: h.asOf, order: 1, delta: 0, set: h.figureNanos })),
    ];
    ({ balance, exhaustedAt } = replay(allotment, cycle, steps));
  }

  // Unpriced requests the balance still depends on: those after the figure, when there is one.
  const since = reconcile?.asOf ?? -Infinity;
  let unpricedCount = 0;
  for (const r of input.rows) if (!r.priced && inCycle(r.timestamp) && r.timestamp > since && classes.get(r.sessionId)!.counted) unpricedCount++;

  const burn = burnRates(points, cycle, now);
  const dayStart = startOfLocalDay(now, zone);
  const spentToday = points.reduce((s, p) => (p.timestamp >= dayStart ? s + p.nanos : s), 0);

  const sessions = [...perSession.values()].sort((a, b) => b.spentNanos - a.spentNanos || a.sessionId.localeCompare(b.sessionId));
  const covered: SessionSpend[] = [];
  const excluded: SessionSpend[] = [];
  const unclassified: SessionSpend[] = [];
  for (const s of sessions) {
    const c = classes.get(s.sessionId)!;
    if (c.counted) covered.push(s);
    else if (c.surface === 'unclassified' && c.override === null) unclassified.push(s);
    else excluded.push(s);
  }

  const pastCycles: PastCycle[] = previousCycles(now, input.pastCycleCount ?? DEFAULT_PAST_CYCLES, settings.cycleDay, zone).map((c) => ({
    start: c.start,
    end: c.end,
    label: c.label,
    spentNanos: points.reduce((s, p) => (p.timestamp >= c.start && p.timestamp < c.end ? s + p.nanos : s), 0),
  }));

  return {
    now,
    plan: settings.plan,
    planSet: settings.plan !== null,
    planLabel: settings.plan === 'custom' || settings.plan === 'api' ? `${planLabel(settings.plan)} (${formatUsd(allotment ?? 0)})` : planLabel(settings.plan),
    scope: settings.scope,
    overage: settings.overage,
    basis: settings.basis,
    timezone: zone,
    cycleDay: settings.cycleDay,
    policyStatus: POLICY_STATUS,
    cycle,
    allotmentNanos: allotment,
    spentNanos: spent,
    recordedSpentNanos: recordedSpent,
    correctedSpentNanos: correctedSpent,
    adjustmentsNanos,
    balanceNanos: balance,
    remainingNanos: balance === null ? null : Math.max(0, balance),
    remainingIsUpperBound: unpricedCount > 0,
    unpricedCount,
    estimatedNanos: estimated,
    lowerBoundCount,
    overageNanos: balance === null ? null : Math.max(0, -balance),
    exhaustedAt,
    burn,
    projectedCycleSpendNanos: projectCycleSpend(spent, burn.trailing7dPerDayNanos, cycle, now),
    projectedRunOutAt: projectRunOut(balance, burn.trailing7dPerDayNanos, cycle, now, zone),
    spentTodayNanos: spentToday,
    covered,
    excluded,
    unclassified,
    reconcile,
    reconcileHistory: history,
    recurringJobs: findRecurringJobs(input.sessions, classes, points, { cycle, allotmentNanos: allotment, balanceNanos: balance }),
    pastCycles,
  };
}

/** One line for the status bar tooltip or the CLI: "at most $63.20 left, incl. $2.10 estimated; 2 unpriced requests". */
export function describeBalance(b: Balance): string {
  const est = b.estimatedNanos > 0 ? `, incl. ${formatUsd(b.estimatedNanos)} estimated` : '';
  if (b.balanceNanos === null) return `${b.planLabel}: ${formatUsd(b.spentNanos)} spent this cycle${est}`;
  const unpriced = b.unpricedCount ? `; ${b.unpricedCount} unpriced request${b.unpricedCount === 1 ? '' : 's'}` : '';
  if (b.balanceNanos > 0) return `${b.remainingIsUpperBound ? 'at most ' : ''}${formatUsd(b.balanceNanos)} left${est}${unpriced}`;
  const local = (ms: number): string => DateTime.fromMillis(ms, { zone: b.timezone }).toFormat('yyyy-LL-dd HH:mm ZZZZ');
  const since = b.exhaustedAt === null ? '' : ` since ${local(b.exhaustedAt)}`;
  return b.overage === 'bill'
    ? `credit used up${since}; ${b.remainingIsUpperBound ? 'at least ' : ''}${formatUsd(b.overageNanos ?? 0)} over${est}${unpriced}`
    : `credit used up${since}: requests would be rejected until ${local(b.cycle.end)}${est}${unpriced}`;
}
