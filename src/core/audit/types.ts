// The loop audit's report model: plain JSON, the contract between core/audit and its renderers
// (`credit-ledger audit --json` prints it as is; the panel's Audit tab renders it). Types only, no
// imports with side effects, so the webview bundle can `import type` it.
//
// Conventions (as in the panel model): money is integer nanodollars (1e-9 USD) in fields named
// `...Nanos`; instants are epoch milliseconds; token counts are whole tokens; ratios are 0..1.
// Every string meant for people (`title`, `verdict`, `summary`, `signals`) is complete prose that
// can be shown as is; the numbers beside it let a renderer format its own way.

export const AUDIT_REPORT_VERSION = 1;

/**
 * - `reread`: a run of large-context requests in one thread (main or one subagent) that add nothing
 *   new (no new tool call, little output): each pays the input meter again for the whole context.
 * - `reflexive`: the same call (tool + input hash) failing again and again, or repeated with nothing
 *   new in between, or the same reply written again, while the context grows.
 * - `scheduled`: Claude Code's own loops: `ScheduleWakeup` (self-paced `/loop`), `CronCreate`, `/loop`.
 * - `recurring`: headless sessions that repeat (same project + first prompt, or same captured command line).
 */
export type LoopKind = 'reread' | 'reflexive' | 'scheduled' | 'recurring';

/** The detector's knobs: defaults in code, overridden by the settings file key `audit` and by CLI flags. */
export interface AuditThresholds {
  /** Prompt tokens (input + cache writes + cache reads) from which a request is a large context. Default 50,000. */
  contextThreshold: number;
  /** Re-reads in a row (large context, nothing new) that make a re-read loop. Default 10. */
  minIterations: number;
  /** Repeats of one call (or failures of one command) that make a reflexive loop. Default 3. */
  minRepeats: number;
  /** Output tokens under which a request "produces little". Default 1,000. */
  lowOutputTokens: number;
  /** Requests allowed between two repeats of the same call for them to count as back to back. Default 1. */
  maxSpacing: number;
  /** A pause this long splits a scheduled loop into iterations (besides each ScheduleWakeup). Default 3. */
  iterationGapMinutes: number;
  /** Loops that cost less than this in total are not reported. Default 0.10. */
  minCostUsd: number;
  /** The cache hit ratio the "fix the cache" move prices. Default 0.9. */
  targetCacheHitRatio: number;
  /** The user's time, for "keep it and pay" break-even hours. Default 100. */
  hourlyRateUsd: number;
  /** A loop whose last request is this recent is "running now" (status bar). Default 10. */
  liveWindowMinutes: number;
  /** ... and only when it has cost at least this much. Default 1. */
  liveMinCostUsd: number;
}

/** Where the loop is, with enough to open the transcript at its first request. */
export interface LoopLocation {
  projectKey: string;
  /** Working directory the (first) session started in ("" when unknown): what people call the project. */
  cwd: string;
  /** The session of the first request (for `recurring`: of the first run). */
  sessionId: string;
  /** Every session the loop spans (one, except for `recurring`: one per run, oldest first). */
  sessionIds: string[];
  /** Subagent id when the loop is inside a subagent; "" for the main thread (and for whole-session loops). */
  agentId: string;
  /** True when the loop's requests are sidechain (subagent) requests. */
  sidechain: boolean;
  /** Entrypoint of the session ("sdk-cli", "cli", ...; "" when the transcript has none). */
  entrypoint: string;
  /** Surface class the pool gave the session. */
  surface: 'headless' | 'interactive' | 'unclassified';
  /** Whether the session's spend draws on the credit (surface, scope, overrides). */
  drawsOnCredit: boolean;
  /** Why it does or does not draw on the credit, in words. */
  creditReason: string;
  firstAt: number;
  lastAt: number;
  /** Ledger key of the first request (`messageId:requestId`). */
  firstRequestKey: string;
  /** Transcript file holding the first request (absolute path); null when the ledger lost the file row. */
  file: string | null;
  /** Byte offset of the first request's line in `file`. */
  offset: number;
}

export interface ContextSize {
  /** Prompt tokens of the first iteration's first request. */
  firstTokens: number;
  /** ... of the last iteration's first request. */
  lastTokens: number;
  /** Mean over iterations (each iteration's first request: what it re-reads when it starts). */
  avgTokens: number;
  /** Largest prompt of any request in the loop. */
  maxTokens: number;
  /** (last − first) / (iterations − 1); 0 with one iteration. Positive: the context grows. */
  growthPerIterationTokens: number;
}

export interface LoopMetrics {
  requests: number;
  iterations: number;
  /** Cost of every request of the loop, at list prices (a lower bound when `unpricedRequests` > 0). */
  costNanos: number;
  /** The part of `costNanos` in the current billing cycle (up to now). */
  cycleCostNanos: number;
  costPerIterationNanos: number;
  /** Requests on models with no list price (counted as $0 above). */
  unpricedRequests: number;
  tokens: { input: number; output: number; cacheWrite: number; cacheRead: number };
  context: ContextSize;
  /** Prompt tokens that the previous request of the same thread had already sent (the re-read part). */
  rereadTokens: number;
  rereadCostNanos: number;
  /** rereadCostNanos / costNanos. */
  rereadShare: number;
  /** Cache reads / prompt tokens. */
  cacheHitRatio: number;
  /** Cache writes that no later request read back (the next request came after the cache expired, or never). */
  unreadCacheWriteTokens: number;
  unreadCacheWriteCostNanos: number;
  /** Requests that came more than 5 minutes after the previous one and re-wrote most of the context to the cache. */
  expiredCacheRewrites: number;
  /** What those re-writes cost beyond reading the same tokens from a live cache. */
  expiredCacheRewriteExtraNanos: number;
  /** Median time between iteration starts, seconds; null with one iteration. */
  medianIntervalSeconds: number | null;
  /** Output tokens per dollar; null when the loop cost nothing (unpriced). */
  outputPerUsd: number | null;
  /** Models used, costliest first. */
  models: string[];
}

/** For loops that repeat on their own (`scheduled`, `recurring`): the pace and where it is heading. */
export interface LoopSchedule {
  /** Still repeating: the last iteration is recent for its pace (and, for ScheduleWakeup, asked for another). */
  active: boolean;
  /** Time between iterations (recurring: 7 days / runs per week), seconds. */
  periodSeconds: number;
  iterationsPerWeek: number;
  /** Iterations a whole billing cycle holds at this pace. */
  iterationsPerCycle: number;
  /** Cost of a whole cycle at this pace. */
  cycleCostAtPaceNanos: number;
  /** When active: iterations still to come before the cycle ends; else 0. */
  remainingIterationsThisCycle: number;
  /** When active: this cycle's cost so far + the remaining iterations; else null. */
  projectedCycleCostNanos: number | null;
  /** When active: the next iteration's expected start; else null. */
  nextAt: number | null;
}

/** (a) Run it less often. Present only when the loop draws on the credit and a plan is set. */
export interface LessOftenMove {
  summary: string;
  remainingNanos: number;
  allotmentNanos: number;
  /** Full iterations (runs) the remaining credit covers, this loop alone. */
  iterationsCovered: number;
  /** Full iterations a whole allotment covers. */
  iterationsPerAllotment: number;
  /** Active periodic loops: the longest even spacing that fits the remaining credit to the cycle end, seconds; null when it covers none or the loop is not periodic. */
  fitIntervalSeconds: number | null;
  /** Active periodic loops: the spacing that fits a whole allotment in a cycle, seconds; null when not (or no longer) periodic or none fits. */
  fitIntervalPerCycleSeconds: number | null;
}

/** (b) The same tokens on a cheaper model of the rate card (models with identical prices are grouped). */
export interface CheaperModelMove {
  summary: string;
  /** Rate-card ids with these prices (normalized ids). */
  models: string[];
  /** False when the card marks the rates unverified. */
  verified: boolean;
  /** The loop's requests repriced on this model. */
  costNanos: number;
  costPerIterationNanos: number;
  savingNanos: number;
  /** Active periodic loops: saving over a whole cycle at this pace; else the saving on the loop as it ran. */
  savingPerCycleNanos: number;
}

/** (c) Keep it and pay. */
export interface KeepAndPayMove {
  summary: string;
  /** Active periodic loops: a whole cycle at this pace; else what the loop cost as it ran. */
  cycleCostNanos: number;
  /** Past the credit, counting this loop alone (active periodic: a whole cycle at pace; else its share of this cycle's overage); null when it does not draw on the credit or no plan is set. */
  overagePerCycleNanos: number | null;
  /** What happens past the credit: billed at API rates, or requests stop. */
  overagePolicy: 'bill' | 'stop';
  hourlyRateUsd: number;
  /** cycleCostNanos in hours of the user's time. */
  costHours: number;
  /** overagePerCycleNanos in hours (the break-even: worth it if it saves more time than this); null as above. */
  breakEvenHours: number | null;
}

/** (d) Fix the loop: what a working cache or a shorter context would save (not additive: each is priced alone). */
export interface FixMove {
  /** `cache`: the target hit ratio; `cache-expiry`: iterations closer than the 5-minute cache; `shorter-context`: every iteration at the first one's context. */
  kind: 'cache' | 'cache-expiry' | 'shorter-context';
  summary: string;
  /** The loop's requests repriced with the fix. */
  costNanos: number;
  savingNanos: number;
  savingPerCycleNanos: number;
}

export interface LoopMoves {
  /** null when the loop does not draw on the credit or no plan is set (see `keepAndPay.summary`). */
  lessOften: LessOftenMove | null;
  /** Verified prices first, each from the closest price down to the cheapest; empty when no model on the card is cheaper. */
  cheaperModels: CheaperModelMove[];
  keepAndPay: KeepAndPayMove;
  /** Only the fixes that would save something. */
  fixes: FixMove[];
}

/** For `reflexive` loops: what repeats. */
export interface RepeatedCall {
  /** Tool name, or "" for a repeated reply (text). */
  tool: string;
  /** Short hash of the tool input (or of the text); never the input itself. */
  inputHash: string;
  repeats: number;
  /** Of them, calls answered by an error. */
  failures: number;
}

/** For `recurring` loops: the job. */
export interface RecurringJobInfo {
  firstPromptHash: string;
  /** Summary of the captured command line when the runs were grouped by it. */
  command: string | null;
  runs: number;
  costPerRunNanos: number;
  runsPerWeek: number | null;
}

export interface AuditLoop {
  /** Stable across runs and growth of the loop (`<kind>-<10 hex>`): the key of "ignore this loop". */
  id: string;
  kind: LoopKind;
  /** "Re-read loop", "Reflexive loop", "Scheduled loop", "Recurring job". */
  title: string;
  /** One sentence in plain words: "Re-reads 180K tokens of context 42 times for 3K tokens of output ($25.20)." */
  verdict: string;
  /** Other things found about the same requests (e.g. a repeated call inside a re-read loop). */
  signals: string[];
  /** The user chose to ignore it (journal fact `ignore-loop`); hidden unless asked for. */
  ignored: boolean;
  where: LoopLocation;
  metrics: LoopMetrics;
  schedule: LoopSchedule | null;
  /** Money at stake this cycle: projected to the cycle end when the loop repeats on its own and is active, else its cost this cycle. */
  atStakeNanos: number;
  atStakeBasis: 'projected' | 'cycle';
  moves: LoopMoves;
  repeated: RepeatedCall | null;
  /** For `scheduled`: how many of each marker (`ScheduleWakeup`, `CronCreate`, `CronList`, `CronDelete`, `/loop`). */
  markers: Record<string, number> | null;
  job: RecurringJobInfo | null;
  /** Other loops over some of the same requests (a recurring job and a loop inside one of its runs). */
  relatedLoopIds: string[];
}

/** The credit the loops are weighed against. */
export interface AuditCredit {
  planSet: boolean;
  planLabel: string;
  scope: 'headless' | 'all';
  overagePolicy: 'bill' | 'stop';
  allotmentNanos: number | null;
  remainingNanos: number | null;
  overageNanos: number | null;
  cycle: { start: number; end: number; label: string; lengthDays: number; daysLeft: number };
}

export interface AuditSummary {
  /** Loops shown (not ignored). */
  loops: number;
  ignored: number;
  byKind: Record<LoopKind, number>;
  /** Sum of `atStakeNanos` over shown loops, requests shared by two loops counted once. */
  atStakeNanos: number;
  /** Cost this cycle of the shown loops' requests, each request once. */
  cycleCostNanos: number;
  /** Loops found but under `minCostUsd`. */
  belowMinCost: number;
  /** What was looked at. */
  examined: { requests: number; sessions: number; threads: number };
}

export interface AuditReport {
  version: typeof AUDIT_REPORT_VERSION;
  /** The instant the audit was computed for. */
  now: number;
  /** Requests considered: [since, until) epoch ms; null = unbounded. */
  window: { since: number | null; until: number | null };
  thresholds: AuditThresholds;
  credit: AuditCredit;
  /** Costliest at stake first. Includes ignored loops (flagged `ignored`) only when asked for. */
  loops: AuditLoop[];
  summary: AuditSummary;
  /** Caveats that apply to this report (e.g. undercounted subagent output), in words. */
  notes: string[];
}
