// `credit-ledger balance`: the credit pool's state, explained; `reconcile`: the figure the billing page shows.
import { DateTime } from 'luxon';
import { describeBalance, PLANS, type Balance, type SessionSpend } from '../core/pool';
import { formatUsd, nanosToUsd } from '../core/pricing/money';
import type { RunContext } from './context';
import { renderTable, terminalWidth, uniquePrefixes, wrapText, type Style } from './table';

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
    reconcile: b.reconcile && { asOf: iso(b.reconcile.asOf), figure: nanosToUsd(b.reconcile.figureNanos), drift: usd(b.reconcile.driftNanos), change: usd(reconcileChangeNanos(b)) },
    coveredSessions: b.covered.map(session1),
    ...(verbose ? { excludedSessions: b.excluded.map(session1), unclassifiedSessions: b.unclassified.map(session1), reconcileHistory: b.reconcileHistory, recurringJobs: b.recurringJobs, pastCycles: b.pastCycles } : {}),
  };
}

/** What a reconcile changed: the remaining after it, less allotment − spent + adjustments (−drift: the account's figure less our count then). */
export function reconcileChangeNanos(b: Balance): number | null {
  if (!b.reconcile || b.balanceNanos === null || b.allotmentNanos === null) return null;
  return b.balanceNanos - (b.allotmentNanos - b.spentNanos + b.adjustmentsNanos);
}

const signed = (n: number): string => `${n < 0 ? '-' : '+'}${formatUsd(Math.abs(n))}`;

function driftWords(drift: number): string {
  if (drift === 0) return 'our count agreed';
  return `we had counted ${formatUsd(Math.abs(drift))} ${drift > 0 ? 'less' : 'more'} spend than your account`;
}

/** The balance as an account: allotment − spent + adjustments (+ what a reconcile changed) = remaining, times with their zone. */
export function renderBalance(b: Balance, ctx: RunContext, verbose: boolean, style: Style): string {
  const width = terminalWidth();
  const local = (ms: number): string => `${DateTime.fromMillis(ms, { zone: b.timezone }).toFormat('yyyy-LL-dd HH:mm')} ${b.timezone}`;
  const money = (n: number | null): string => (n === null ? '—' : formatUsd(n));
  const para = (text: string): string => wrapText(text, width);
  const lines: string[] = [];
  const headline = describeBalance(b);
  const colour = b.balanceNanos !== null && b.balanceNanos <= 0 ? style.red : b.allotmentNanos && b.remainingNanos !== null && b.remainingNanos < b.allotmentNanos * 0.25 ? style.yellow : style.green;
  lines.push(style.bold(para(`${b.planLabel} · ${b.scope === 'headless' ? 'headless usage (claude -p, Agent SDK, GitHub Actions)' : 'all usage'} · overage: ${b.overage === 'bill' ? 'billed at API rates' : 'requests stop'}`)));
  lines.push(colour(para(headline)));
  if (!b.planSet) {
    lines.push(style.yellow(para(`No plan is set, so there is no balance, only spend. Set one with credit-ledger config set plan max5x (or ${PLANS.filter((p) => p.id !== 'max5x').map((p) => p.id).join(', ')}; custom and api also need config set amount <USD>), or --plan for one run.`)));
  }
  lines.push(style.dim(para(`Policy: ${b.policyStatus}`)), '');
  const basis = `${b.basis} basis; ${b.basis === 'corrected' ? `recorded ${money(b.recordedSpentNanos)}` : `corrected ${money(b.correctedSpentNanos)}`}${b.estimatedNanos ? `; incl. ${money(b.estimatedNanos)} estimated` : ''}`;
  const rows: [string, string][] = [['Cycle', `${b.cycle.label} (${b.cycle.daysLeft} day${b.cycle.daysLeft === 1 ? '' : 's'} left; resets ${local(b.cycle.end)})`]];
  if (b.allotmentNanos !== null && b.balanceNanos !== null) {
    rows.push(['Allotment', money(b.allotmentNanos)], ['Spent', `${signed(-b.spentNanos)} (${basis})`], ['Adjustments', signed(b.adjustmentsNanos)]);
    const change = reconcileChangeNanos(b);
    if (b.reconcile && change !== null) {
      rows.push([
        'Reconciled',
        `${signed(change)} (your account showed ${money(b.reconcile.figureNanos)} left at ${local(b.reconcile.asOf)}` +
          `${b.reconcile.ourRemainingNanos === null ? '' : `, our count ${money(b.reconcile.ourRemainingNanos)}`}: ${driftWords(b.reconcile.driftNanos ?? 0)})`,
      ]);
    }
    rows.push(['Remaining', `${b.remainingIsUpperBound ? 'at most ' : ''}${money(b.remainingNanos)}${b.balanceNanos < 0 ? ` (the balance is ${signed(b.balanceNanos)})` : ''}`]);
    if (b.overage === 'bill') rows.push(['Overage', `${money(b.overageNanos)} (billed at API rates)`]);
    else rows.push(['Requests stop', b.exhaustedAt === null ? `when the remaining reaches $0 (until the reset)` : `since ${local(b.exhaustedAt)}, until ${local(b.cycle.end)}`]);
  } else rows.push(['Spent', `${money(b.spentNanos)} (${basis})`]);
  rows.push(
    ['Spent today', money(b.spentTodayNanos)],
    ['Burn rate', `${money(b.burn.trailing7dPerDayNanos)}/day (7 days), ${money(b.burn.cycleToDatePerDayNanos)}/day (cycle)`],
    ['Projected cycle spend', money(b.projectedCycleSpendNanos)],
  );
  if (b.balanceNanos !== null) rows.push(['Runs out', b.projectedRunOutAt === null ? (b.exhaustedAt === null ? 'not this cycle at the current rate' : `already, at ${local(b.exhaustedAt)}`) : local(b.projectedRunOutAt)]);
  rows.push(['Unpriced requests', String(b.unpricedCount)]);
  const keyWidth = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) {
    const wrapped = wrapText(v, Math.max(20, width - keyWidth - 2)).split('\n');
    lines.push(`${k.padEnd(keyWidth)}  ${wrapped[0]}`, ...wrapped.slice(1).map((l) => `${' '.repeat(keyWidth + 2)}${l}`));
  }
  if (b.unpricedCount) lines.push('', style.yellow(para(`${b.unpricedCount} covered request(s) use a model with no list price: they count as $0 here, so the remaining is an upper bound. Add its rates: credit-ledger config set rateOverrides.<model> input=<USD/M>,output=<USD/M>, or import prices with credit-ledger rates update --from <file-or-url>.`)));
  if (b.estimatedNanos) lines.push('', style.yellow(para(`${formatUsd(b.estimatedNanos)} of the spend is estimated: models not on the rate card, priced at their family's newest row (\`credit-ledger rates\` lists them). Exact prices under "rateOverrides" or from \`credit-ledger rates update\` replace the estimate.`)));
  if (b.lowerBoundCount) lines.push('', style.yellow(para(`${b.lowerBoundCount} covered fast-mode request(s) are priced at standard rates (the card has no fast rate for their model): their cost is a lower bound.`)));
  const both = verbose ? cycleSpendBoth(b, ctx) : undefined;
  const list = (title: string, sessions: SessionSpend[]): void => {
    if (!sessions.length) return;
    lines.push('', style.bold(title));
    const cost = (s: SessionSpend, basis: 'recorded' | 'corrected'): string => {
      const two = both?.get(s.sessionId);
      // not among the meter's rows (a run that left no transcript): nothing to correct, both figures are one
      return formatUsd(two ? (basis === 'recorded' ? two.recordedNanos : two.correctedNanos) : s.spentNanos);
    };
    const table = (id: (s: SessionSpend) => string, maxWidth?: number): string => {
      const rows = sessions.map((s) => [id(s), s.projectKey, cost(s, 'recorded'), cost(s, 'corrected'), String(s.requests), s.reason]);
      return renderTable(['Session', 'Project', 'Recorded', 'Corrected', 'Requests', 'Why'], rows, new Set([2, 3, 4]), style, { maxWidth, shrink: [1, 5], keepEnd: [1] });
    };
    // whole ids when they fit (to copy into an override), else the shortest prefixes that tell them apart
    const whole = table((s) => s.sessionId);
    const ids = uniquePrefixes(sessions.map((s) => s.sessionId));
    lines.push(whole.split('\n').every((l) => l.replace(/\x1b\[[0-9;]*m/g, '').length <= width) ? whole : table((s) => ids.get(s.sessionId)!, width));
  };
  if (verbose) {
    list('Covered sessions (draw on the credit)', b.covered);
    list('Not covered', b.excluded);
    list('Unclassified (not counted; set countUnclassified to count them)', b.unclassified);
  } else if (b.covered.length) {
    lines.push('', style.dim(para(`${b.covered.length} covered session(s) this cycle; --verbose lists them and why.`)));
  }
  return lines.join('\n');
}
