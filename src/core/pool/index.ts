// The pool's public surface: plans, settings, cycles, classification, balance, forecast, snapshot.
export type * from './types';
export { PLANS, PLAN_NOT_SET_LABEL, POLICY_STATUS, findPlan, planLabel } from './plans';
export type { Plan } from './plans';
export { NANOS_PER_USD, formatUsd, parseUsdToNanos, usdToNanos } from './money';
export { PoolSettingsError, allotmentNanos, canonicalTimeZone, resolvePoolSettings, systemTimeZone } from './settings';
export type { PoolFlags } from './settings';
export { cycleFor, previousCycles, startOfLocalDay, startOfLocalHour } from './cycle';
export {
  ADJUSTMENT_FACT,
  OVERRIDE_FACT,
  RECONCILE_FACT,
  adjustmentFact,
  overrideFact,
  readPoolFacts,
  reconcileFact,
} from './facts';
export type { AdjustmentFact, OverrideFact, PoolFacts, ReconcileFact } from './facts';
export {
  HEADLESS_ENTRYPOINTS,
  HEADLESS_SURFACE_HINTS,
  INTERACTIVE_ENTRYPOINTS,
  INTERACTIVE_SURFACE_HINTS,
  UNCLASSIFIED_ENTRYPOINTS,
  classifySession,
  detectSurface,
} from './surfaces';
export { classifySessions, computeBalance, describeBalance, rowCost } from './balance';
export { burnRates, findRecurringJobs, projectCycleSpend, projectRunOut } from './forecast';
export { isBalanceSnapshot, readSnapshot, snapshotFromBalance, SNAPSHOT_VERSION } from './snapshot';
export type { BalanceSnapshot, LiveSession, SnapshotMeta } from './snapshot';
