// When to warn that the credit is running out: once per threshold per cycle per user, whatever did the spending
// (a window, the CLI, cron). The journal remembers what was shown; these pure functions decide. No `vscode` import.
import type { Fact } from '../core/state/journal';
import type { Balance } from '../core/pool/types';
import { formatUsd } from '../core/pricing/money';
import { NOTIFIED_FACT } from './ids';

/** Appended to the journal when a threshold notification is shown (type alias: passes where a Record is expected). */
export type NotifiedFact = {
  kind: typeof NOTIFIED_FACT;
  /** ISO instant the cycle started. */
  cycleStart: string;
  /** Spent share, 0-1 (1 = the whole credit). */
  threshold: number;
};

export function notifiedFact(cycleStart: number, threshold: number): NotifiedFact {
  return { kind: NOTIFIED_FACT, cycleStart: new Date(cycleStart).toISOString(), threshold };
}

/** The setting as given (anything may arrive from settings.json): finite shares in (0, 10], ascending, unique. */
export function normalizeThresholds(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  const out = new Set<number>();
  for (const v of value) {
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    if (Number.isFinite(n) && n > 0 && n <= 10) out.add(Math.round(n * 1e6) / 1e6);
  }
  return [...out].sort((a, b) => a - b);
}

/** Share of the allotment spent, from the signed balance (so a reconcile figure counts); null without a plan. */
export function spentShare(b: Pick<Balance, 'allotmentNanos' | 'balanceNanos'>): number | null {
  if (b.allotmentNanos === null || b.balanceNanos === null || b.allotmentNanos <= 0) return null;
  return (b.allotmentNanos - b.balanceNanos) / b.allotmentNanos;
}

const same = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;

function isNotifiedFor(f: Fact, cycleStart: number, threshold: number): boolean {
  return f.kind === NOTIFIED_FACT && typeof f.cycleStart === 'string' && Date.parse(f.cycleStart) === cycleStart && typeof f.threshold === 'number' && same(f.threshold, threshold);
}

export function alreadyNotified(facts: readonly Fact[], cycleStart: number, threshold: number): boolean {
  return facts.some((f) => isNotifiedFor(f, cycleStart, threshold));
}

/** The first `notified` fact for this cycle and threshold in journal order: its writer is the one that shows it. */
export function firstClaim(facts: readonly Fact[], cycleStart: number, threshold: number): Fact | undefined {
  return facts.find((f) => isNotifiedFor(f, cycleStart, threshold));
}

export interface ThresholdDecision {
  /** The highest threshold crossed and not yet shown: the one the message is about. */
  threshold: number;
  /** Every crossed threshold not yet shown (ascending): all are recorded, so a jump from 70% to 95% warns once. */
  covers: number[];
  share: number;
  cycleStart: number;
}

export function decideNotification(b: Pick<Balance, 'allotmentNanos' | 'balanceNanos' | 'cycle'>, thresholds: readonly number[], facts: readonly Fact[]): ThresholdDecision | null {
  const share = spentShare(b);
  if (share === null) return null;
  const covers = thresholds.filter((t) => share >= t - 1e-12 && !alreadyNotified(facts, b.cycle.start, t));
  if (!covers.length) return null;
  return { threshold: covers[covers.length - 1]!, covers, share, cycleStart: b.cycle.start };
}

export interface NotificationText {
  severity: 'warning' | 'error';
  message: string;
}

export function notificationText(b: Balance, d: ThresholdDecision): NotificationText {
  const of = `${b.planLabel} ${b.plan === 'api' ? 'budget' : 'credit'}`;
  const resets = b.cycle.label.split(' – ')[1] ?? b.cycle.label;
  const note = 'Metered at API list prices; the Agent SDK credit was announced and then paused, so this is a budget, not your bill.';
  if (d.threshold >= 1 || (b.balanceNanos !== null && b.balanceNanos <= 0)) {
    const over = b.overageNanos && b.overageNanos > 0 ? ` (${formatUsd(b.overageNanos, { decimals: 2 })} over)` : '';
    const then = b.overage === 'bill' ? 'further use is billed at API rates' : 'requests would stop';
    return { severity: 'error', message: `Credit Ledger: your ${of} is used up${over}; ${then} until the cycle ends after ${resets}. ${note}` };
  }
  const pct = Math.round(d.threshold * 100);
  const left = b.remainingNanos !== null ? `${b.remainingIsUpperBound ? 'at most ' : ''}${formatUsd(b.remainingNanos, { decimals: 2 })} left` : '';
  return { severity: 'warning', message: `Credit Ledger: ${pct}% of your ${of} is spent (${left}, ${b.cycle.daysLeft} day${b.cycle.daysLeft === 1 ? '' : 's'} to go). ${note}` };
}
