// The journal facts the pool writes and replays: overrides, reconcile figures, adjustments.
// Builders give the object to pass to appendFact; readPoolFacts folds a journal into what
// the balance needs, skipping malformed facts (the journal is shared and append-only).
import type { Fact } from '../state/journal';
import { parseUsdToNanos, usdToNanos } from './money';
import type { OverrideMode, OverrideTarget } from './types';

export const OVERRIDE_FACT = 'override';
export const RECONCILE_FACT = 'reconcile';
export const ADJUSTMENT_FACT = 'adjustment';
/** Withdraws an earlier reconcile figure (a typo): the journal is append-only, so undoing is a fact too. */
export const RECONCILE_UNDO_FACT = 'reconcile-undo';

// Type aliases, not interfaces, so they pass where the journal expects a Record.
/** `auto` clears an earlier override of the same target. The journal's own `id` names the fact, hence `targetId`. */
export type OverrideFact = {
  kind: typeof OVERRIDE_FACT;
  target: OverrideTarget;
  /** sessionId or projectKey. */
  targetId: string;
  mode: OverrideMode | 'auto';
};

/** The remaining credit the user read off their account ("$63.20 left"), and when: not a delta. */
export type ReconcileFact = {
  kind: typeof RECONCILE_FACT;
  remainingUsd: number;
  /** ISO instant the figure was true. */
  asOf: string;
};

/** A signed amount added to the balance of the cycle holding `asOf` (a grant, a refund). */
export type AdjustmentFact = {
  kind: typeof ADJUSTMENT_FACT;
  amountUsd: number;
  asOf: string;
  note?: string;
};

export function overrideFact(target: OverrideTarget, targetId: string, mode: OverrideMode | 'auto'): OverrideFact {
  return { kind: OVERRIDE_FACT, target, targetId, mode };
}

export function reconcileFact(remainingUsd: number, asOf: Date | number): ReconcileFact {
  return { kind: RECONCILE_FACT, remainingUsd, asOf: new Date(asOf).toISOString() };
}

export type ReconcileUndoFact = {
  kind: typeof RECONCILE_UNDO_FACT;
  /** The journal id of the reconcile fact withdrawn. */
  factId: string;
};

export function reconcileUndoFact(factId: string): ReconcileUndoFact {
  return { kind: RECONCILE_UNDO_FACT, factId };
}

export function adjustmentFact(amountUsd: number, asOf: Date | number, note?: string): AdjustmentFact {
  const fact: AdjustmentFact = { kind: ADJUSTMENT_FACT, amountUsd, asOf: new Date(asOf).toISOString() };
  if (note !== undefined) fact.note = note;
  return fact;
}

export interface ReconcileEntry {
  asOf: number;
  figureNanos: number;
  /** Write time, to order two figures with the same asOf. */
  writtenAt: number;
  /** The journal fact's id (what `reconcile --undo` names). */
  id: string;
}

export interface AdjustmentEntry {
  asOf: number;
  amountNanos: number;
  note: string;
}

export interface PoolFacts {
  /** Latest override per session / per project (`auto` removes the entry). */
  sessionOverrides: Map<string, OverrideMode>;
  projectOverrides: Map<string, OverrideMode>;
  /** Ordered by asOf, then write time. */
  reconciles: ReconcileEntry[];
  adjustments: AdjustmentEntry[];
}

function instantOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

function nanosOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return usdToNanos(v);
  if (typeof v === 'string') return parseUsdToNanos(v);
  return null;
}

export function readPoolFacts(facts: readonly Fact[]): PoolFacts {
  // Several writers append at once: order by the stamped time, keeping file order for ties.
  const ordered = facts
    .map((f, i) => ({ f, i, at: instantOf(f.at) ?? 0 }))
    .sort((a, b) => a.at - b.at || a.i - b.i);
  const sessionOverrides = new Map<string, OverrideMode>();
  const projectOverrides = new Map<string, OverrideMode>();
  const reconciles: ReconcileEntry[] = [];
  const adjustments: AdjustmentEntry[] = [];
  const undone = new Set(facts.filter((f) => f.kind === RECONCILE_UNDO_FACT && typeof f.factId === 'string').map((f) => f.factId as string));
  for (const { f, at } of ordered) {
    if (f.kind === OVERRIDE_FACT) {
      const map = f.target === 'session' ? sessionOverrides : f.target === 'project' ? projectOverrides : null;
      const id = f.targetId;
      if (!map || typeof id !== 'string' || !id) continue;
      if (f.mode === 'count' || f.mode === 'never') map.set(id, f.mode);
      else if (f.mode === 'auto') map.delete(id);
    } else if (f.kind === RECONCILE_FACT) {
      if (undone.has(f.id)) continue;
      const figureNanos = nanosOf(f.remainingUsd);
      const asOf = instantOf(f.asOf) ?? at;
      if (figureNanos !== null && asOf) reconciles.push({ asOf, figureNanos, writtenAt: at, id: f.id });
    } else if (f.kind === ADJUSTMENT_FACT) {
      const amountNanos = nanosOf(f.amountUsd);
      const asOf = instantOf(f.asOf) ?? at;
      if (amountNanos !== null && asOf) adjustments.push({ asOf, amountNanos, note: typeof f.note === 'string' ? f.note : '' });
    }
  }
  reconciles.sort((a, b) => a.asOf - b.asOf || a.writtenAt - b.writtenAt);
  adjustments.sort((a, b) => a.asOf - b.asOf);
  return { sessionOverrides, projectOverrides, reconciles, adjustments };
}
