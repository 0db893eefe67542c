// `credit-ledger balance`: the credit pool's state, explained; `reconcile`: the figure the billing page shows.
import { DateTime } from 'luxon';
import { describeBalance, type Balance, type SessionSpend } from '../core/pool';
import { formatUsd, nanosToUsd } from '../core/pricing/money';
import type { RunContext } from './context';
import { renderTable, type Style } from './table';

const usd = (n: number | null): number | null => (n === null ? null : nanosToUsd(n));

/** Recorded and corrected spend per session in the cycle (Meter.sessionSpend). */
export type SessionSpendBoth = ReadonlyMap<string, { recordedNanos: number; correctedNanos: number }>;

/** The cycle's spend per session on both bases, up to the balance's instant. */
export function cycleSpendBoth(b: Balance, ctx: RunContext): SessionSpendBoth {
  return ctx.meter.sessionSpend(b.cycle.start, Math.min(b.cycle.end, b.now + 1));
}

function session(s: SessionSpend, both?: SessionSpendBoth): object {
  const two = both?.get(s.sessionId);
  return {
    sessionId: s.sessionId, projectPath: s.projectKey, surface: s.surface, spent: nanosToUsd(s.spentNanos),
    ...(two ? { recordedSpent: nanosToUsd(two.recordedNanos), correctedSpent: nanosToUsd(two.correctedNanos) } : {}),
    requests: s.requests, unpricedRequests: s.unpricedRequests, reason: s.reason,
  };
}

/** The balance as JSON: dollars as numbers (like the reports), instants as ISO strings; `both` adds each session's recorded and corrected spend. */
export function balanceJson(b: Balance, verbose: boolean, both?: SessionSpendBoth): object {
  const session1 = (s: SessionSpend): object => session(s, both);
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  return {
    plan: b.plan,
    planLabel: b.planLabel,
    scope: b.scope,
    overagePolicy: b.overage,
    basis: b.basis,
    timezone: b.timezone,
    policyStatus: b.policyStatus,
    now: iso(b.now),
    cycle: { start: iso(b.cycle.start), end: iso(b.cycle.end), label: b.cycle.label, daysLeft: b.cycle.daysLeft },
    allotment: usd(b.allotmentNanos),
    spent: nanosToUsd(b.spentNanos),
    recordedSpent: nanosToUsd(b.recordedSpentNanos),
    correctedSpent: nanosToUsd(b.correctedSpentNanos),
    adjustments: nanosToUsd(b.adjustmentsNanos),
    remaining: usd(b.remainingNanos),
    remainingIsUpperBound: b.remainingIsUpperBound,
    overage: usd(b.overageNanos),
    exhaustedAt: iso(b.exhaustedAt),
    spentToday: nanosToUsd(b.spentTodayNanos),
    burnRate: { trailing7dPerDay: nanosToUsd(b.burn.trailing7dPerDayNanos), cycleToDatePerDay: nanosToUsd(b.burn.cycleToDatePerDayNanos) },
    projectedCycleSpend: nanosToUsd(b.projectedCycleSpendNanos),
    projectedExhaustion: iso(b.projectedRunOutAt),
    unpricedCount: b.unpricedCount,
    estimatedSpent: nanosToUsd(b.estimatedNanos),
    lowerBoundCount: b.lowerBoundCount,
    reconcile: b.reconcile && { asOf: iso(b.reconcile.asOf), figure: nanosToUsd(b.reconcile.figureNanos), drift: usd(b.reconcile.driftNanos) },
    coveredSessions: b.covered.map(session1),
    ...(verbose ? { excludedSessions: b.excluded.map(session1), unclassifiedSessions: b.unclassified.map(session1), reconcileHistory: b.reconcileHistory, recurringJobs: b.recurringJobs, pastCycles: b.pastCycles } : {}),
  };
}

export function renderBalance(b: Balance, ctx: RunContext, verbose: boolean, style: Style): string {
  const local = (ms: number): string => DateTime.fromMillis(ms, { zone: b.timezone }).toFormat('yyyy-LL-dd HH:mm');
  const money = (n: number | null): string => (n === null ? '—' : formatUsd(n));
  const lines: string[] = [];
  const headline = describeBalance(b);
  const colour = b.balanceNanos !== null && b.balanceNanos <= 0 ? style.red : b.allotmentNanos && b.remainingNanos !== null && b.remainingNanos < b.allotmentNanos * 0.25 ? style.yellow : style.green;
  lines.push(style.bold(`${b.planLabel} · ${b.scope === 'headless' ? 'headless usage (claude -p, Agent SDK, GitHub Actions)' : 'all usage'} · overage: ${b.overage === 'bill' ? 'billed at API rates' : 'requests stop'}`));
  lines.push(colour(headline));
  lines.push(style.dim(`Policy: ${b.policyStatus}`), '');
  const rows: [string, string][] = [
    ['Cycle', `${b.cycle.label} (${b.cycle.daysLeft} day${b.cycle.daysLeft === 1 ? '' : 's'} left, resets ${local(b.cycle.end)} ${b.timezone})`],
    ['Allotment', money(b.allotmentNanos)],
    ['Spent', `${money(b.spentNanos)} (${b.basis}; recorded ${money(b.recordedSpentNanos)}, corrected ${money(b.correctedSpentNanos)})${b.estimatedNanos ? `, incl. ${money(b.estimatedNanos)} estimated` : ''}`],
    ['Adjustments', money(b.adjustmentsNanos)],
    ['Remaining', `${b.remainingIsUpperBound && b.remainingNanos !== null ? 'at most ' : ''}${money(b.remainingNanos)}`],
    ['Overage', money(b.overageNanos)],
    ['Spent today', money(b.spentTodayNanos)],
    ['Burn rate', `${money(b.burn.trailing7dPerDayNanos)}/day (7 days), ${money(b.burn.cycleToDatePerDayNanos)}/day (cycle)`],
    ['Projected cycle spend', money(b.projectedCycleSpendNanos)],
    ['Runs out', b.projectedRunOutAt === null ? (b.exhaustedAt === null ? 'not this cycle at the current rate' : `already, at ${local(b.exhaustedAt)}`) : local(b.projectedRunOutAt)],
    ['Unpriced requests', String(b.unpricedCount)],
  ];
  if (b.reconcile) rows.push(['Reconciled', `${money(b.reconcile.figureNanos)} left as of ${local(b.reconcile.asOf)} (our count differed by ${money(b.reconcile.driftNanos)})`]);
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) lines.push(`${k.padEnd(width)}  ${v}`);
  if (b.unpricedCount) lines.push('', style.yellow(`${b.unpricedCount} covered request(s) use a model with no list price: they count as $0 here, so the remaining is an upper bound. Add the model under "rateOverrides" in ${ctx.paths.settings}, or import prices with \`credit-ledger rates update --from <file-or-url>\`.`));
  if (b.estimatedNanos) lines.push('', style.yellow(`${formatUsd(b.estimatedNanos)} of the spend is estimated: models not on the rate card, priced at their family's newest row (\`credit-ledger rates\` lists them). Exact prices under "rateOverrides" or from \`credit-ledger rates update\` replace the estimate.`));
  if (b.lowerBoundCount) lines.push('', style.yellow(`${b.lowerBoundCount} covered fast-mode request(s) are priced at standard rates (the card has no fast rate for their model): their cost is a lower bound.`));
  const both = verbose ? cycleSpendBoth(b, ctx) : undefined;
  const list = (title: string, sessions: SessionSpend[]): void => {
    if (!sessions.length) return;
    lines.push('', style.bold(title));
    const cost = (s: SessionSpend, basis: 'recorded' | 'corrected'): string => {
      const two = both?.get(s.sessionId);
      // not among the meter's rows (a run that left no transcript): nothing to correct, both figures are one
      return formatUsd(two ? (basis === 'recorded' ? two.recordedNanos : two.correctedNanos) : s.spentNanos);
    };
    lines.push(renderTable(['Session', 'Project', 'Recorded', 'Corrected', 'Requests', 'Why'], sessions.map((s) => [s.sessionId, s.projectKey, cost(s, 'recorded'), cost(s, 'corrected'), String(s.requests), s.reason]), new Set([2, 3, 4]), style));
  };
  if (verbose) {
    list('Covered sessions (draw on the credit)', b.covered);
    list('Not covered', b.excluded);
    list('Unclassified (not counted; set countUnclassified to count them)', b.unclassified);
  } else if (b.covered.length) {
    lines.push('', style.dim(`${b.covered.length} covered session(s) this cycle; --verbose lists them and why.`));
  }
  return lines.join('\n');
}
