// Plain data in and out of the pool: rows from the ledger, session facts, settings, and the
// JSON-serializable Balance. Money is integer nano-dollars (1e-9 USD); instants are epoch ms.
import type { Fact } from '../state/journal';

export type PlanId =
  | 'pro'
  | 'max5x'
  | 'max20x'
  | 'team-standard'
  | 'team-premium'
  | 'enterprise-usage'
  | 'enterprise-premium'
  | 'custom'
  | 'api';

/** `headless`: the announced credit's surfaces only; `all`: every request counts. */
export type Scope = 'headless' | 'all';
/** `bill`: past zero is billed at API rates; `stop`: requests would be rejected past zero. */
export type Overage = 'bill' | 'stop';
/** Which cost a spend row is counted at: as recorded, or corrected (e.g. for undercounted output). */
export type Basis = 'recorded' | 'corrected';

/** One priced request, as the ledger hands it to the pool. */
export interface SpendRow {
  sessionId: string;
  projectKey: string;
  /** Epoch ms. */
  timestamp: number;
  costNanos: number;
  /** Cost after corrections; when absent it equals `costNanos`. */
  correctedCostNanos?: number;
  /** False when the model (or part of the request) has no price: its cost is a lower bound. */
  priced: boolean;
  /** Priced as an estimate (a model not on the rate card, at its family's newest row). */
  estimated?: boolean;
  /** A fast request priced at standard rates (no fast rate on the card): its cost is a lower bound. */
  lowerBound?: boolean;
  model: string;
}

/** What the pool needs to know about a session to decide whether it draws on the credit. */
export interface SessionFacts {
  sessionId: string;
  projectKey: string;
  /** The transcript's `entrypoint`, or "" when the version does not write one. */
  entrypoint: string;
  /** The session's main file starts with a `queue-operation` line (headless heuristic). */
  queueOperationStart: boolean;
  /** Hash of the first prompt ("" when unknown); equal hashes in one project = a recurring job. */
  firstPromptHash: string;
  /** A captured `claude -p` run started this session. */
  capturedRun?: boolean;
  /** Surface identified by other means: "github-actions", "agent-sdk-app", "headless", "interactive", or "unknown" (no facts). */
  surface?: string;
}

export interface PoolSettings {
  /** null: the user has not chosen a plan yet (a state the UI shows; spend is still counted). */
  plan: PlanId | null;
  /** Only for `custom` and `api`: the monthly credit or budget in USD. */
  amountUsd?: number;
  scope: Scope;
  overage: Overage;
  /** 1-31; 29-31 clamp to the last day of short months. */
  cycleDay: number;
  /** IANA time zone of the reset (local midnight) and of day grouping. */
  timezone: string;
  /** Count `local-agent` and unknown entrypoints against the credit. */
  countUnclassified: boolean;
  basis: Basis;
}

export type SurfaceClass = 'headless' | 'interactive' | 'unclassified';
export type OverrideMode = 'count' | 'never';
export type OverrideTarget = 'session' | 'project';

export interface SessionClassification {
  sessionId: string;
  projectKey: string;
  /** What the session is, before overrides and settings. */
  surface: SurfaceClass;
  /** Whether its spend draws on the credit (after overrides, scope and countUnclassified). */
  counted: boolean;
  /** The override that decided it, if any. */
  override: { mode: OverrideMode; target: OverrideTarget } | null;
  /** Why, in words: "entrypoint sdk-cli", "override: count (session)", ... */
  reason: string;
}

/** One billing cycle: [start, end) in epoch ms, resetting at local midnight of the cycle day. */
export interface BillingCycle {
  start: number;
  /** Exclusive: the next reset. */
  end: number;
  /** year * 12 + (month - 1) of the local start date: increases by one per cycle. */
  index: number;
  /** Local dates, end inclusive: "2026-01-31 – 2026-02-27". */
  label: string;
  /** Local calendar days in the cycle. */
  lengthDays: number;
  /** Local calendar days from the given instant's date to the reset date (0 for past cycles). */
  daysLeft: number;
}

export interface SessionSpend {
  sessionId: string;
  projectKey: string;
  surface: SurfaceClass;
  /** Spend in the cycle, on the chosen basis. */
  spentNanos: number;
  requests: number;
  unpricedRequests: number;
  reason: string;
}

export interface ReconcilePoint {
  /** Epoch ms of the figure the user typed. */
  asOf: number;
  /** The remaining credit the user typed, in nanos. */
  figureNanos: number;
  /** Our own count of the remaining credit at asOf (allotment − covered spend + adjustments); null without a plan. */
  ourRemainingNanos: number | null;
  /** ourRemainingNanos − figureNanos: positive when we counted less spend than the provider did. */
  driftNanos: number | null;
  /** Start of the cycle the figure belongs to. */
  cycleStart: number;
}

export interface RecurringJob {
  projectKey: string;
  firstPromptHash: string;
  sessionIds: string[];
  runs: number;
  /** Mean spend per run (whole sessions, all rows given, chosen basis). */
  costPerRunNanos: number;
  firstRunAt: number;
  lastRunAt: number;
  /** From the spacing of the runs; null when all runs started at the same instant. */
  runsPerWeek: number | null;
  /** Full runs the remaining credit still covers; null without a plan. */
  runsLeftCovered: number | null;
  /** Full runs a whole allotment covers; null without a plan. */
  runsPerAllotment: number | null;
  /** Runs in a cycle at this pace (rounded), their cost, and how far that goes past the allotment. */
  projectedCycleRuns: number | null;
  projectedCycleCostNanos: number | null;
  projectedCycleOverNanos: number | null;
}

export interface PastCycle {
  start: number;
  end: number;
  label: string;
  spentNanos: number;
}

export interface Balance {
  /** Epoch ms the balance was computed for. */
  now: number;
  plan: PlanId | null;
  planSet: boolean;
  planLabel: string;
  scope: Scope;
  overage: Overage;
  basis: Basis;
  timezone: string;
  cycleDay: number;
  policyStatus: string;
  cycle: BillingCycle;
  /** null when the plan is not set. */
  allotmentNanos: number | null;
  /** Covered spend in the cycle up to now, on the chosen basis. */
  spentNanos: number;
  recordedSpentNanos: number;
  correctedSpentNanos: number;
  /** Sum of adjustment facts in the cycle. */
  adjustmentsNanos: number;
  /** Signed balance (allotment − spend + adjustments, or from the reconcile figure); null without a plan. */
  balanceNanos: number | null;
  /** max(0, balance); null without a plan. */
  remainingNanos: number | null;
  /** Unpriced covered requests count as $0 in the balance: the remaining is at most this much. */
  remainingIsUpperBound: boolean;
  /** Unpriced covered requests the remaining depends on (after the reconcile's asOf when there is one). */
  unpricedCount: number;
  /** Covered spend in the cycle priced as an estimate (models not on the rate card), on the chosen basis; inside spentNanos. */
  estimatedNanos: number;
  /** Covered fast requests in the cycle priced at standard rates (no fast rate on the card): lower bounds. */
  lowerBoundCount: number;
  /** max(0, −balance): billed at API rates under `bill`, requests that would have been rejected under `stop`. */
  overageNanos: number | null;
  /** When the balance last reached zero (and stayed there); null when credit is left. */
  exhaustedAt: number | null;
  burn: { trailing7dPerDayNanos: number; cycleToDatePerDayNanos: number };
  /** Spend so far + the trailing-7-day rate to the end of the cycle. */
  projectedCycleSpendNanos: number;
  /** Local hour the credit runs out at the trailing-7-day rate; null if not within the cycle (or already out). */
  projectedRunOutAt: number | null;
  /** Covered spend since local midnight. */
  spentTodayNanos: number;
  covered: SessionSpend[];
  excluded: SessionSpend[];
  /** Sessions of unknown surface not counted (countUnclassified off). */
  unclassified: SessionSpend[];
  /** The reconcile in force this cycle, if any. */
  reconcile: ReconcilePoint | null;
  /** Every reconcile up to now, oldest first: the drift over time. */
  reconcileHistory: ReconcilePoint[];
  recurringJobs: RecurringJob[];
  /** Newest first. */
  pastCycles: PastCycle[];
}

export interface PoolInput {
  settings: PoolSettings;
  /** Spend rows of the cycle, the 7 days before it and the past cycles wanted (more is fine). */
  rows: SpendRow[];
  sessions: SessionFacts[];
  /** Journal facts; kinds the pool does not know are ignored. */
  facts: readonly Fact[];
  /** How many cycles before the current one to summarize (default 3). */
  pastCycleCount?: number;
}
