// The per-user balance snapshot (DESIGN.md "Where state lives"): a small JSON object the status
// bar shows before any database opens and the hook / status-line command read instead of sql.js.
import type { PoolFacts } from './facts';
import { readJsonFile } from '../state/atomicFile';
import type { Balance, Basis, Overage, PlanId, Scope } from './types';

export const SNAPSHOT_VERSION = 1;

export interface LiveSession {
  sessionId: string;
  contextTokens: number;
  /** ISO instant. */
  updatedAt: string;
}

export interface BalanceSnapshot {
  version: typeof SNAPSHOT_VERSION;
  /** ISO instant it was written; the newest snapshot wins. */
  stampedAt: string;
  basis: Basis;
  plan: PlanId | null;
  planLabel: string;
  scope: Scope;
  overage: Overage;
  configDirs: string[];
  timezone: string;
  cycle: { start: string; end: string; label: string; daysLeft: number };
  allotmentNanos: number | null;
  spentNanos: number;
  spentTodayNanos: number;
  remainingNanos: number | null;
  remainingIsUpperBound: boolean;
  unpricedCount: number;
  /** Covered spend this cycle priced as an estimate (inside spentNanos); absent in snapshots written before estimates. */
  estimatedNanos?: number;
  overageNanos: number | null;
  /** ISO instant the credit reached zero, or null. */
  exhaustedAt: string | null;
  liveSessions: LiveSession[];
  /** Whether the figures include other machines' rows from the shared ledger (absent in older snapshots: false). */
  merged?: boolean;
}

export interface SnapshotMeta {
  stampedAt: Date | number;
  configDirs: string[];
  /** Filled by the caller from live session files; empty by default. */
  liveSessions?: LiveSession[];
  merged?: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function snapshotFromBalance(b: Balance, meta: SnapshotMeta): BalanceSnapshot {
  return {
    version: SNAPSHOT_VERSION,
    stampedAt: new Date(meta.stampedAt).toISOString(),
    basis: b.basis,
    plan: b.plan,
    planLabel: b.planLabel,
    scope: b.scope,
    overage: b.overage,
    configDirs: [...meta.configDirs],
    timezone: b.timezone,
    cycle: { start: iso(b.cycle.start), end: iso(b.cycle.end), label: b.cycle.label, daysLeft: b.cycle.daysLeft },
    allotmentNanos: b.allotmentNanos,
    spentNanos: b.spentNanos,
    spentTodayNanos: b.spentTodayNanos,
    remainingNanos: b.remainingNanos,
    remainingIsUpperBound: b.remainingIsUpperBound,
    unpricedCount: b.unpricedCount,
    estimatedNanos: b.estimatedNanos,
    overageNanos: b.overageNanos,
    exhaustedAt: b.exhaustedAt === null ? null : iso(b.exhaustedAt),
    liveSessions: meta.liveSessions ? meta.liveSessions.map((s) => ({ ...s })) : [],
    merged: !!meta.merged,
  };
}

/** Guard for readers of the file (the hook, the status line): a partial or foreign file is not a snapshot. */
export function isBalanceSnapshot(v: unknown): v is BalanceSnapshot {
  if (!v || typeof v !== 'object') return false;
  const s = v as Partial<BalanceSnapshot>;
  return (
    s.version === SNAPSHOT_VERSION &&
    typeof s.stampedAt === 'string' &&
    typeof s.spentNanos === 'number' &&
    (s.remainingNanos === null || typeof s.remainingNanos === 'number') &&
    !!s.cycle &&
    typeof s.cycle.end === 'string' &&
    Array.isArray(s.configDirs) &&
    Array.isArray(s.liveSessions)
  );
}

/**
 * The snapshot with the balance facts written after it was stamped (a `reconcile` typed a moment ago, a grant):
 * the hook and the status line read the snapshot instead of replaying the journal, and must not block or warn on
 * a figure the user has just corrected. A reconcile sets the figure (an upper bound when it is dated before the
 * snapshot: the spend in between is not known here); adjustments after it add to it. Other facts wait for the
 * next ledger run. `facts`: journal facts written after `snapshot.stampedAt`, in the current cycle or not.
 */
export function withNewerFacts(snapshot: BalanceSnapshot, facts: PoolFacts): { snapshot: BalanceSnapshot; applied: number } {
  if (snapshot.remainingNanos === null) return { snapshot, applied: 0 };
  const stampedAt = Date.parse(snapshot.stampedAt);
  const start = Date.parse(snapshot.cycle.start);
  const end = Date.parse(snapshot.cycle.end);
  const inCycle = (t: number): boolean => t >= start && t < end;
  const reconcile = facts.reconciles.filter((r) => inCycle(r.asOf)).at(-1);
  let remaining = snapshot.remainingNanos;
  let upperBound = snapshot.remainingIsUpperBound;
  let applied = 0;
  if (reconcile) {
    remaining = reconcile.figureNanos;
    upperBound = upperBound || reconcile.asOf < stampedAt;
    applied++;
  }
  for (const a of facts.adjustments) {
    if (!inCycle(a.asOf) || (reconcile && a.asOf <= reconcile.asOf)) continue; // a figure read later includes it
    remaining += a.amountNanos;
    applied++;
  }
  if (!applied) return { snapshot, applied };
  const exhaustedAt = remaining > 0 ? null : (snapshot.exhaustedAt ?? new Date(reconcile?.asOf ?? stampedAt).toISOString());
  return { snapshot: { ...snapshot, remainingNanos: remaining, remainingIsUpperBound: upperBound, exhaustedAt }, applied };
}

/** The snapshot file, or undefined when missing or not a snapshot. */
export function readSnapshot(file: string): BalanceSnapshot | undefined {
  const v = readJsonFile<unknown>(file);
  return isBalanceSnapshot(v) ? v : undefined;
}
