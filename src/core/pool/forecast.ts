// Where the credit is heading: burn rates, the projected spend and run-out hour, and recurring
// headless jobs (same project + same first prompt, run at least twice) priced per run.
import { startOfLocalHour } from './cycle';
import type { BillingCycle, RecurringJob, SessionClassification, SessionFacts } from './types';

export const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** A covered request reduced to what forecasting needs: when, and what it cost on the chosen basis. */
export interface CostPoint {
  sessionId: string;
  timestamp: number;
  nanos: number;
}

export interface Burn {
  trailing7dPerDayNanos: number;
  cycleToDatePerDayNanos: number;
}

/** `points` are covered requests up to `now`. The cycle-to-date rate counts at least one day. */
export function burnRates(points: readonly CostPoint[], cycle: BillingCycle, now: number): Burn {
  let last7 = 0;
  let cycleToDate = 0;
  for (const p of points) {
    if (p.timestamp > now - WEEK_MS) last7 += p.nanos;
    if (p.timestamp >= cycle.start) cycleToDate += p.nanos;
  }
  const elapsedDays = Math.max(1, (now - cycle.start) / DAY_MS);
  return { trailing7dPerDayNanos: Math.round(last7 / 7), cycleToDatePerDayNanos: Math.round(cycleToDate / elapsedDays) };
}

export function projectCycleSpend(spentNanos: number, perDayNanos: number, cycle: BillingCycle, now: number): number {
  return spentNanos + Math.round((perDayNanos * Math.max(0, cycle.end - now)) / DAY_MS);
}

/** The local hour the balance reaches zero at `perDayNanos`; null if it does not within the cycle. */
export function projectRunOut(balanceNanos: number | null, perDayNanos: number, cycle: BillingCycle, now: number, zone: string): number | null {
  if (balanceNanos === null || balanceNanos <= 0 || perDayNanos <= 0) return null;
  const at = now + (balanceNanos / perDayNanos) * DAY_MS;
  return at < cycle.end ? startOfLocalHour(at, zone) : null;
}

export interface JobContext {
  cycle: BillingCycle;
  allotmentNanos: number | null;
  /** Signed balance now (null without a plan). */
  balanceNanos: number | null;
}

/**
 * Groups counted, non-interactive sessions by project and first-prompt hash. A run's cost is
 * its whole session's spend among `points` (so a run that straddles a reset is one run).
 */
export function findRecurringJobs(
  sessions: readonly SessionFacts[],
  classes: ReadonlyMap<string, SessionClassification>,
  points: readonly CostPoint[],
  ctx: JobContext,
): RecurringJob[] {
  const runs = new Map<string, { nanos: number; start: number }>();
  for (const p of points) {
    const r = runs.get(p.sessionId);
    if (r) {
      r.nanos += p.nanos;
      r.start = Math.min(r.start, p.timestamp);
    } else runs.set(p.sessionId, { nanos: p.nanos, start: p.timestamp });
  }
  const groups = new Map<string, { projectKey: string; hash: string; ids: string[] }>();
  for (const s of sessions) {
    const c = classes.get(s.sessionId);
    if (!s.firstPromptHash || !c?.counted || c.surface === 'interactive' || !runs.has(s.sessionId)) continue;
    const key = `${s.projectKey}\u0000${s.firstPromptHash}`;
    const g = groups.get(key) ?? { projectKey: s.projectKey, hash: s.firstPromptHash, ids: [] };
    if (!g.ids.includes(s.sessionId)) g.ids.push(s.sessionId);
    groups.set(key, g);
  }
  const jobs: RecurringJob[] = [];
  for (const g of groups.values()) {
    if (g.ids.length < 2) continue;
    const list = g.ids.map((id) => ({ id, ...runs.get(id)! })).sort((a, b) => a.start - b.start);
    const total = list.reduce((s, r) => s + r.nanos, 0);
    const costPerRun = Math.round(total / list.length);
    const first = list[0]!.start;
    const last = list[list.length - 1]!.start;
    const runsPerWeek = last > first ? Math.round((((list.length - 1) / (last - first)) * WEEK_MS) * 100) / 100 : null;
    const projectedRuns = runsPerWeek === null ? null : Math.round((runsPerWeek * ctx.cycle.lengthDays) / 7);
    const projectedCost = projectedRuns === null ? null : projectedRuns * costPerRun;
    jobs.push({
      projectKey: g.projectKey,
      firstPromptHash: g.hash,
      sessionIds: list.map((r) => r.id),
      runs: list.length,
      costPerRunNanos: costPerRun,
      firstRunAt: first,
      lastRunAt: last,
      runsPerWeek,
      runsLeftCovered: ctx.balanceNanos === null || costPerRun <= 0 ? null : Math.floor(Math.max(0, ctx.balanceNanos) / costPerRun),
      runsPerAllotment: ctx.allotmentNanos === null || costPerRun <= 0 ? null : Math.floor(ctx.allotmentNanos / costPerRun),
      projectedCycleRuns: projectedRuns,
      projectedCycleCostNanos: projectedCost,
      projectedCycleOverNanos: projectedCost === null || ctx.allotmentNanos === null ? null : Math.max(0, projectedCost - ctx.allotmentNanos),
    });
  }
  // Costliest per week first; jobs of unknown pace after.
  const weekly = (j: RecurringJob): number => (j.runsPerWeek ?? 0) * j.costPerRunNanos;
  return jobs.sort((a, b) => weekly(b) - weekly(a) || b.costPerRunNanos - a.costPerRunNanos);
}
