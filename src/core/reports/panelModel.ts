// The ledger panel's model: one pure function from the ledger database and the balance to plain
// JSON the webview renders. No vscode import; every number the panel shows is decided here.
import { DateTime } from 'luxon';
import type { Database } from 'sql.js';
import type { AuditReport } from '../audit/types';
import type { PlanComparison } from '../plans/comparison';
import { resolveRuns } from '../headless/ledgerLink';
import { readRunFacts, type RunRecord } from '../headless/runFact';
import type { Balance, OverrideMode, OverrideTarget, PlanId, SurfaceClass } from '../pool/types';
import type { EffectiveModel, Pricer } from '../pricing/pricer';
import { formatUsd } from '../pricing/money';
import { ownUsagesOf, secondOpinion } from '../pricing/secondOpinion';
import { accuracyReport } from '../corrections/accuracy';
import { runRecords } from '../corrections/records';
import { normalizeModelId } from '../pricing/modelId';
import type { Fact } from '../state/journal';
import { localDay } from './timeZone';

export const PANEL_MODEL_VERSION = 1;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface TokenTotals {
  input: number;
  output: number;
  /** 5-minute and 1-hour cache writes together. */
  cacheWrite: number;
  cacheRead: number;
}

export interface PanelPlan {
  set: boolean;
  id: PlanId | null;
  label: string;
  scope: Balance['scope'];
  overage: Balance['overage'];
  basis: Balance['basis'];
  cycleDay: number;
}

export interface PanelBalance {
  /** null when the plan is not set. */
  allotmentNanos: number | null;
  spentNanos: number;
  remainingNanos: number | null;
  /** Signed: negative past zero. */
  balanceNanos: number | null;
  overageNanos: number | null;
  adjustmentsNanos: number;
  remainingIsUpperBound: boolean;
  unpricedCount: number;
  /** Spend priced as an estimate (models not on the rate card), inside spentNanos. */
  estimatedNanos: number;
  exhaustedAt: number | null;
  spentTodayNanos: number;
  trailing7dPerDayNanos: number;
  cycleToDatePerDayNanos: number;
  projectedCycleSpendNanos: number;
  projectedRunOutAt: number | null;
  /** What an even pace through the cycle would have spent by now; null without a plan. */
  evenPaceSpentNanos: number | null;
  reconcile: { asOf: number; figureNanos: number; driftNanos: number | null } | null;
}

/** One instant of the burn-down: covered spend so far and, with a plan, what is left. */
export interface BurnPoint {
  /** Epoch ms. */
  t: number;
  spentNanos: number;
  remainingNanos: number | null;
}

export interface BurnDown {
  start: number;
  end: number;
  now: number;
  allotmentNanos: number | null;
  /** Cumulative covered spend, hourly where there was spend, from the cycle start to now. */
  actual: BurnPoint[];
  /** From now at the trailing-7-day rate, to the run-out or the end of the cycle; empty when there is nothing to project. */
  projection: BurnPoint[];
}

export interface DailySeries {
  model: string;
  /** One value per entry of `DailySpend.days`. */
  allNanos: number[];
  coveredNanos: number[];
}

export interface DailySpend {
  /** Local dates YYYY-MM-DD from the cycle start to today. */
  days: string[];
  /** Local midnight of each day, epoch ms. */
  dayStarts: number[];
  /** Most expensive model first. */
  series: DailySeries[];
}

export interface ModelSplitRow {
  model: string;
  requests: number;
  unpricedRequests: number;
  tokens: TokenTotals;
  allNanos: number;
  coveredNanos: number;
}

export interface WhatIfRow {
  /** The rate card's model id. */
  model: string;
  verified: boolean;
  /** The cycle's requests repriced on this model (standard rates, today's long-context tiers). */
  allNanos: number;
  coveredNanos: number;
}

export interface WhatIf {
  rateCardAsOf: string;
  /** What the cycle cost on the models actually used, as priced (unpriced requests count $0). */
  actual: { allNanos: number; coveredNanos: number };
  /** Requests whose own model has no price: the actual is a lower bound, the what-if prices them. */
  unpricedRequests: number;
  /** Cheapest first. */
  rows: WhatIfRow[];
}

export interface PanelSession {
  sessionId: string;
  projectKey: string;
  cwd: string;
  /** The session ran in (or under) the workspace folder. */
  inWorkspace: boolean;
  entrypoint: string;
  surface: SurfaceClass;
  /** Draws on the credit (after overrides and settings). */
  covered: boolean;
  /** Why it counts or not, in words (from the pool). */
  reason: string;
  override: { mode: OverrideMode; target: OverrideTarget } | null;
  /** Spend in the cycle on the chosen basis. */
  costNanos: number;
  requests: number;
  unpricedRequests: number;
  tokens: TokenTotals;
  /** cacheRead / (input + cacheWrite + cacheRead); null when the session read no prompt tokens. */
  cacheHitRatio: number | null;
  /** The first prompt's label, only when the user allowed labels; transcript text: render as text only. */
  label: string | null;
  models: string[];
  firstTs: number;
  lastTs: number;
  /** The session's main transcript, when it still exists. */
  transcriptPath: string | null;
}

/** One captured `claude -p` run (journal fact `run`, core/headless/runFact), as the Runs tab lists it. */
export interface PanelRun {
  runId: string;
  /** The session it wrote: from its output, its flags, or linked through the ledger; null when unknown. */
  sessionId: string | null;
  sessionFrom: RunRecord['sessionFrom'];
  startedAt: number;
  endedAt: number;
  /** Claude Code's own duration when the result gave one, else start to end. */
  durationMs: number;
  turns: number | null;
  via: RunRecord['via'];
  where: RunRecord['where'];
  /** The command line with prompt and free text removed; null when not seen. */
  command: string | null;
  /** First 80 characters of the prompt when the user allowed labels; transcript text: render as text only. */
  label: string | null;
  cwd: string;
  model: string | null;
  exitCode: number | null;
  /** The result said is_error; its subtype (e.g. `error_max_turns`). */
  isError: boolean;
  subtype: string | null;
  /** The output ended without a result (killed, cut short). */
  truncated: boolean;
  noSessionPersistence: boolean;
  /** Claude Code's `total_cost_usd` (its estimate), in nanodollars; null when it printed none. */
  reportedNanos: number | null;
  /** The run's usage at our list prices. */
  listNanos: number | null;
  /** False: a model had no price, `listNanos` is a lower bound. */
  listPriced: boolean;
  /** The same session's requests in the ledger over the run's time, at list price. */
  ledgerNanos: number | null;
  /** reported − list. */
  differenceNanos: number | null;
  differenceReason: string | null;
  transcriptPath: string | null;
}

/** How much of the cycle's counted spend comes from corrections (core/corrections), by where they come from. */
export interface PanelCorrections {
  basis: Balance['basis'];
  recordedSpentNanos: number;
  correctedSpentNanos: number;
  /** corrected − recorded (what the corrections add to the counted spend). */
  addedNanos: number;
  /** From Claude Code's own records (subagent Task results, its cost state, `claude -p` results). */
  fromRecordsNanos: number;
  /** Estimated from content size where the transcript kept no output count. */
  estimatedNanos: number;
}

export interface PanelModel {
  version: typeof PANEL_MODEL_VERSION;
  generatedAt: number;
  timezone: string;
  plan: PanelPlan;
  /** Where the credit policy stands; shown next to the plan (never live billing). */
  policyStatus: string;
  cycle: { start: number; end: number; label: string; lengthDays: number; daysLeft: number };
  balance: PanelBalance;
  burnDown: BurnDown;
  daily: DailySpend;
  models: ModelSplitRow[];
  whatIf: WhatIf;
  /** Sessions with requests in the cycle, most recent first. */
  sessions: PanelSession[];
  /** Newest first. */
  pastCycles: { start: number; end: number; label: string; spentNanos: number }[];
  workspace: { cwd: string | null };
  allowLabels: boolean;
  /** Short lines the panel shows above everything (e.g. "reading transcripts"). */
  notices: string[];
  /** The loop audit (core/audit), computed by the host only when the Audit tab is shown; null until then. */
  audit: AuditReport | null;
  /** The audit is being computed (or recomputed after the ledger changed). */
  auditPending: boolean;
  /** Captured `claude -p` runs, newest first (at most RUNS_LIMIT). */
  runs: PanelRun[];
  /** Runs recorded in the journal in all (the list may be cut to the newest). */
  runsTotal: number;
  /** Present when corrections change the cycle's counted spend. */
  corrections: PanelCorrections | null;
  /** The trailing month against every plan (core/plans); null until the host has one. */
  plans: PlanComparison | null;
}

export interface PanelModelInput {
  db: Database;
  balance: Balance;
  /** Prices the what-if; the meter's own pricer. */
  pricer: Pricer;
  timezone: string;
  workspaceCwd?: string | null;
  allowLabels: boolean;
  /** Epoch ms. */
  now: number;
  notices?: readonly string[];
  /** The loop audit when the host has one (see PanelModel.audit). */
  audit?: AuditReport | null;
  auditPending?: boolean;
  /** The journal's facts (Meter.journalFacts): the Runs tab reads the `run` facts. */
  facts?: readonly Fact[];
  /** The plan comparison when the host has one (see PanelModel.plans). */
  plans?: PlanComparison | null;
}

/** The Runs tab lists the newest runs only. */
export const RUNS_LIMIT = 200;

interface Buckets {
  input: number;
  output: number;
  cw5m: number;
  cw1h: number;
  cr: number;
  web: number;
}

const emptyBuckets = (): Buckets => ({ input: 0, output: 0, cw5m: 0, cw1h: 0, cr: 0, web: 0 });

interface SessionAcc {
  projectKey: string;
  cwd: string;
  entrypoint: string;
  requests: number;
  unpriced: number;
  dbNanos: number;
  tokens: TokenTotals;
  models: Map<string, number>;
  first: number;
  last: number;
}

export function buildPanelModel(input: PanelModelInput): PanelModel {
  const { db, balance: b, pricer } = input;
  // The model describes the ledger at the balance's instant, so every figure agrees with it.
  const now = Math.min(input.now, b.now);
  const zone = input.timezone;
  const cycle = b.cycle;
  const until = Math.min(now, cycle.end - 1);
  const workspace = input.workspaceCwd ? normalizePath(input.workspaceCwd) : null;

  const sessionSpend = new Map([...b.covered, ...b.excluded, ...b.unclassified].map((s) => [s.sessionId, s] as const));
  const coveredIds = new Set(b.covered.map((s) => s.sessionId));
  const displayModel = modelNamer(pricer);

  // What-if groups: requests split by which in-force long-context thresholds their prompt exceeds.
  const thresholds = [...new Set(pricer.models.flatMap((m) => m.longContext.filter((t) => tierInForce(t, now)).map((t) => t.thresholdTokens)))].sort((a, c) => a - c);
  const whatIfAll = thresholds.map(emptyBuckets).concat([emptyBuckets()]);
  const whatIfCovered = thresholds.map(emptyBuckets).concat([emptyBuckets()]);

  const dayOf = localDay(zone);
  const days = cycleDays(cycle.start, until, zone);
  const dayIndex = new Map(days.map((d, i) => [d.date, i] as const));
  const daily = new Map<string, DailySeries>();
  const split = new Map<string, ModelSplitRow>();
  const sessions = new Map<string, SessionAcc>();
  const hourly = new Map<number, Map<string, number>>();
  let actualAll = 0;
  let actualCovered = 0;
  let unpricedAll = 0;

  const stmt = db.prepare(
    `SELECT session_id, project_key, cwd, entrypoint, model, ts, input, output, cw5m, cw1h, cr, web_search, cost_nanos, priced
     FROM requests WHERE ts >= ? AND ts <= ? ORDER BY ts`,
  );
  try {
    stmt.bind([cycle.start, until]);
    while (stmt.step()) {
      const v = stmt.get();
      const sessionId = String(v[0]);
      const model = displayModel(String(v[4]));
      const ts = Number(v[5]);
      const u: Buckets = { input: Number(v[6]), output: Number(v[7]), cw5m: Number(v[8]), cw1h: Number(v[9]), cr: Number(v[10]), web: Number(v[11]) };
      const cost = Number(v[12]);
      const priced = Number(v[13]) === 1;
      const covered = coveredIds.has(sessionId);

      actualAll += cost;
      if (covered) actualCovered += cost;
      if (!priced) unpricedAll++;
      const prompt = u.input + u.cw5m + u.cw1h + u.cr;
      const group = thresholds.filter((t) => prompt > t).length;
      addBuckets(whatIfAll[group], u);
      if (covered) addBuckets(whatIfCovered[group], u);

      const di = dayIndex.get(dayOf(ts));
      if (di !== undefined) {
        let s = daily.get(model);
        if (!s) daily.set(model, (s = { model, allNanos: days.map(() => 0), coveredNanos: days.map(() => 0) }));
        s.allNanos[di] += cost;
        if (covered) s.coveredNanos[di] += cost;
      }

      let m = split.get(model);
      if (!m) split.set(model, (m = { model, requests: 0, unpricedRequests: 0, tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 }, allNanos: 0, coveredNanos: 0 }));
      m.requests++;
      if (!priced) m.unpricedRequests++;
      addTokens(m.tokens, u);
      m.allNanos += cost;
      if (covered) m.coveredNanos += cost;

      let s = sessions.get(sessionId);
      if (!s) {
        s = { projectKey: String(v[1]), cwd: String(v[2]), entrypoint: String(v[3]), requests: 0, unpriced: 0, dbNanos: 0, tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 }, models: new Map(), first: ts, last: ts };
        sessions.set(sessionId, s);
      }
      s.requests++;
      if (!priced) s.unpriced++;
      s.dbNanos += cost;
      addTokens(s.tokens, u);
      s.models.set(model, (s.models.get(model) ?? 0) + cost);
      s.last = ts;
      if (!s.cwd) s.cwd = String(v[2]);
      if (!s.entrypoint) s.entrypoint = String(v[3]);

      if (covered) {
        const hour = Math.floor(ts / HOUR_MS) * HOUR_MS;
        let h = hourly.get(hour);
        if (!h) hourly.set(hour, (h = new Map()));
        h.set(sessionId, (h.get(sessionId) ?? 0) + cost);
      }
    }
  } finally {
    stmt.free();
  }

  const meta = sessionMeta(db, [...sessions.keys()]);
  const paths = transcriptPaths(db);
  const panelSessions: PanelSession[] = [];
  for (const [sessionId, s] of sessions) {
    const spend = sessionSpend.get(sessionId);
    const info = meta.get(sessionId);
    const cwd = info?.cwd || s.cwd;
    const promptTokens = s.tokens.input + s.tokens.cacheWrite + s.tokens.cacheRead;
    panelSessions.push({
      sessionId,
      projectKey: spend?.projectKey || info?.projectKey || s.projectKey,
      cwd,
      inWorkspace: workspace !== null && cwd !== '' && isUnder(normalizePath(cwd), workspace),
      entrypoint: info?.entrypoint || s.entrypoint,
      surface: spend?.surface ?? 'unclassified',
      covered: coveredIds.has(sessionId),
      reason: spend?.reason ?? 'no session facts',
      override: overrideOf(spend?.reason ?? ''),
      costNanos: spend?.spentNanos ?? s.dbNanos,
      requests: s.requests,
      unpricedRequests: s.unpriced,
      tokens: s.tokens,
      cacheHitRatio: promptTokens > 0 ? s.tokens.cacheRead / promptTokens : null,
      label: input.allowLabels && info?.label ? info.label : null,
      models: [...s.models.entries()].sort((a, c) => c[1] - a[1] || a[0].localeCompare(c[0])).map(([name]) => name),
      firstTs: s.first,
      lastTs: s.last,
      transcriptPath: paths.get(sessionId) ?? null,
    });
  }
  panelSessions.sort((a, c) => c.lastTs - a.lastTs || a.sessionId.localeCompare(c.sessionId));

  // The pool's per-session spend is on the chosen basis; scale the ledger's rows to it so the curve ends at the balance.
  const scale = new Map<string, number>();
  for (const s of b.covered) {
    const acc = sessions.get(s.sessionId);
    scale.set(s.sessionId, acc && acc.dbNanos > 0 ? s.spentNanos / acc.dbNanos : 1);
  }
  const burnDown = buildBurnDown(b, hourly, scale, until);

  const allotment = b.allotmentNanos;
  const elapsed = Math.max(0, Math.min(1, (now - cycle.start) / Math.max(1, cycle.end - cycle.start)));
  const notices = [...(input.notices ?? [])];
  if (b.unpricedCount > 0) {
    const what = `${b.unpricedCount} counted request${b.unpricedCount === 1 ? ' has' : 's have'} no price on the rate card`;
    notices.push(b.planSet ? `${what}: the remaining credit is at most what is shown.` : `${what}: the spend shown is a lower bound.`);
  }
  if (b.estimatedNanos > 0) {
    notices.push(`${formatUsd(b.estimatedNanos)} of the spend is estimated: models not on the rate card, priced at their family's newest row (credit-ledger rates lists them; exact prices replace the estimate).`);
  }
  // The card's second opinion over this cycle: models Claude Code's own records price differently.
  const cycleSessions = accuracyReport(db, runRecords(input.facts ?? []), { since: localDay(zone)(cycle.start), timezone: zone }).sessions;
  for (const o of secondOpinion(ownUsagesOf(cycleSessions), input.pricer)) if (!o.agrees && o.sentence) notices.push(o.sentence);
  if (b.lowerBoundCount > 0) {
    notices.push(`${b.lowerBoundCount} fast-mode request${b.lowerBoundCount === 1 ? ' is' : 's are'} priced at standard rates (no fast rate on the card for the model): a lower bound.`);
  }

  return {
    version: PANEL_MODEL_VERSION,
    generatedAt: input.now,
    timezone: zone,
    plan: { set: b.planSet, id: b.plan, label: b.planLabel, scope: b.scope, overage: b.overage, basis: b.basis, cycleDay: b.cycleDay },
    policyStatus: b.policyStatus,
    cycle: { start: cycle.start, end: cycle.end, label: cycle.label, lengthDays: cycle.lengthDays, daysLeft: cycle.daysLeft },
    balance: {
      allotmentNanos: allotment,
      spentNanos: b.spentNanos,
      remainingNanos: b.remainingNanos,
      balanceNanos: b.balanceNanos,
      overageNanos: b.overageNanos,
      adjustmentsNanos: b.adjustmentsNanos,
      remainingIsUpperBound: b.remainingIsUpperBound,
      unpricedCount: b.unpricedCount,
      estimatedNanos: b.estimatedNanos,
      exhaustedAt: b.exhaustedAt,
      spentTodayNanos: b.spentTodayNanos,
      trailing7dPerDayNanos: b.burn.trailing7dPerDayNanos,
      cycleToDatePerDayNanos: b.burn.cycleToDatePerDayNanos,
      projectedCycleSpendNanos: b.projectedCycleSpendNanos,
      projectedRunOutAt: b.projectedRunOutAt,
      evenPaceSpentNanos: allotment === null ? null : Math.round(allotment * elapsed),
      reconcile: b.reconcile ? { asOf: b.reconcile.asOf, figureNanos: b.reconcile.figureNanos, driftNanos: b.reconcile.driftNanos } : null,
    },
    burnDown,
    daily: {
      days: days.map((d) => d.date),
      dayStarts: days.map((d) => d.start),
      series: [...daily.values()].sort((a, c) => sum(c.allNanos) - sum(a.allNanos) || a.model.localeCompare(c.model)),
    },
    models: [...split.values()].sort((a, c) => c.allNanos - a.allNanos || a.model.localeCompare(c.model)),
    whatIf: {
      rateCardAsOf: pricer.asOf,
      actual: { allNanos: actualAll, coveredNanos: actualCovered },
      unpricedRequests: unpricedAll,
      rows: repriceOnEachModel(pricer, thresholds, whatIfAll, whatIfCovered, now),
    },
    sessions: panelSessions,
    pastCycles: b.pastCycles.map((c) => ({ start: c.start, end: c.end, label: c.label, spentNanos: c.spentNanos })),
    workspace: { cwd: input.workspaceCwd ?? null },
    allowLabels: input.allowLabels,
    notices,
    audit: input.audit ?? null,
    auditPending: input.auditPending ?? false,
    ...buildRuns(db, input.facts ?? [], paths, input.allowLabels),
    corrections: buildCorrections(db, b, until),
    plans: input.plans ?? null,
  };
}

/** The run facts, newest first, each with its session (linked through the ledger when the output named none). */
export function buildRuns(db: Database, facts: readonly Fact[], paths: ReadonlyMap<string, string>, allowLabels: boolean): { runs: PanelRun[]; runsTotal: number } {
  const all = readRunFacts(facts).sort((a, c) => c.startedMs - a.startedMs || a.runId.localeCompare(c.runId));
  const claimed = new Set(all.map((r) => r.sessionId).filter((s): s is string => !!s));
  const runs = resolveRuns(db, all.slice(0, RUNS_LIMIT), claimed).map(({ run: r, sessionId, sessionFrom, ledger }): PanelRun => {
    const res = r.result;
    return {
      runId: r.runId,
      sessionId,
      sessionFrom,
      startedAt: r.startedMs,
      endedAt: r.endedMs,
      durationMs: res?.durationMs ?? Math.max(0, r.endedMs - r.startedMs),
      turns: res?.numTurns ?? null,
      via: r.via,
      where: r.where,
      command: r.command,
      label: allowLabels && typeof r.label === 'string' ? r.label : null,
      cwd: r.cwd,
      model: r.model,
      exitCode: r.exitCode,
      isError: res?.isError === true,
      subtype: res?.subtype ?? null,
      truncated: r.truncated,
      noSessionPersistence: r.noSessionPersistence,
      reportedNanos: r.totalCostUsd === null ? null : Math.round(r.totalCostUsd * 1e9),
      listNanos: r.listCostNanos,
      listPriced: r.listCostPriced,
      ledgerNanos: ledger ? ledger.costNanos : null,
      differenceNanos: r.differenceNanos,
      differenceReason: r.differenceReason,
      transcriptPath: sessionId ? (paths.get(sessionId) ?? null) : null,
    };
  });
  return { runs, runsTotal: all.length };
}

/** What corrections add to the cycle's counted spend, split into Claude Code's own records and estimates. */
function buildCorrections(db: Database, b: Balance, until: number): PanelCorrections | null {
  const added = b.correctedSpentNanos - b.recordedSpentNanos;
  if (added === 0) return null;
  let fromRecords = 0;
  let estimated = 0;
  const covered = new Set(b.covered.map((s) => s.sessionId));
  try {
    const stmt = db.prepare('SELECT session_id, source, sum(cost_nanos) FROM corrections WHERE ts >= ? AND ts <= ? GROUP BY session_id, source');
    try {
      stmt.bind([b.cycle.start, until]);
      while (stmt.step()) {
        const v = stmt.get();
        if (!covered.has(String(v[0]))) continue;
        if (String(v[1]) === 'estimate') estimated += Number(v[2]);
        else fromRecords += Number(v[2]);
      }
    } finally {
      stmt.free();
    }
  } catch {
    // a ledger from before the corrections table: the totals still say how much
  }
  // The split is of the corrections table; the total is the balance's own (they agree unless rows lack a time).
  if (fromRecords + estimated !== added) {
    const sum = fromRecords + estimated;
    fromRecords = sum > 0 ? Math.round((added * fromRecords) / sum) : added;
    estimated = added - fromRecords;
  }
  return { basis: b.basis, recordedSpentNanos: b.recordedSpentNanos, correctedSpentNanos: b.correctedSpentNanos, addedNanos: added, fromRecordsNanos: fromRecords, estimatedNanos: estimated };
}

function buildBurnDown(b: Balance, hourly: Map<number, Map<string, number>>, scale: Map<string, number>, until: number): BurnDown {
  const allotment = b.allotmentNanos;
  const { start, end } = b.cycle;
  // Adjustments and a reconcile figure move the balance off allotment − spend; the step lands at the
  // reconcile's instant when there is one (adjustments then count from the cycle start).
  const offset = allotment === null || b.balanceNanos === null ? 0 : b.balanceNanos - (allotment - b.spentNanos);
  const offsetAt = b.reconcile ? b.reconcile.asOf : start;
  const remainingAt = (t: number, spent: number): number | null => (allotment === null ? null : allotment - spent + (t >= offsetAt ? offset : 0));

  const actual: BurnPoint[] = [{ t: start, spentNanos: 0, remainingNanos: remainingAt(start, 0) }];
  let spent = 0;
  const hours = [...hourly.keys()].sort((a, c) => a - c);
  for (const hour of hours) {
    let add = 0;
    for (const [sessionId, nanos] of hourly.get(hour)!) add += nanos * (scale.get(sessionId) ?? 1);
    spent += add;
    const t = Math.min(hour + HOUR_MS, until);
    const rounded = Math.round(spent);
    actual.push({ t, spentNanos: rounded, remainingNanos: remainingAt(t, rounded) });
  }
  // End exactly on the balance's own figures (rounding, rows the hourly walk could not scale).
  const last = actual[actual.length - 1];
  const nowPoint: BurnPoint = { t: until, spentNanos: b.spentNanos, remainingNanos: b.balanceNanos };
  if (last.t === until) actual[actual.length - 1] = nowPoint;
  else actual.push(nowPoint);

  const rate = b.burn.trailing7dPerDayNanos;
  const projection: BurnPoint[] = [];
  if (rate > 0 && until < end) {
    let stop = end;
    if (b.balanceNanos !== null && b.balanceNanos > 0) stop = Math.min(end, until + (b.balanceNanos / rate) * DAY_MS);
    else if (b.balanceNanos !== null && b.overage === 'stop') stop = until; // requests stop at zero: nothing to project
    if (stop > until) {
      const projected = Math.round(b.spentNanos + (rate * (stop - until)) / DAY_MS);
      projection.push(nowPoint, { t: Math.round(stop), spentNanos: projected, remainingNanos: b.balanceNanos === null ? null : b.balanceNanos - (projected - b.spentNanos) });
    }
  }
  return { start, end, now: until, allotmentNanos: allotment, actual, projection };
}

function tierInForce(t: EffectiveModel['longContext'][number], now: number): boolean {
  const from = t.from ? Date.parse(t.from) : -Infinity;
  const until = t.until ? Date.parse(t.until) : Infinity;
  return now >= from && now < until;
}

/** USD per million tokens -> whole nanodollars per token (as the pricer rounds them). */
const perToken = (usdPerMillion: number): number => Math.round(usdPerMillion * 1000);

function repriceOnEachModel(pricer: Pricer, thresholds: number[], all: Buckets[], covered: Buckets[], now: number): WhatIfRow[] {
  const webAll = all.reduce((s, g) => s + g.web, 0);
  const webCovered = covered.reduce((s, g) => s + g.web, 0);
  const rows: WhatIfRow[] = [];
  for (const m of pricer.models) {
    const webEach = webSearchNanos(pricer, m.id, now);
    let allNanos = webAll * webEach;
    let coveredNanos = webCovered * webEach;
    for (let g = 0; g < all.length; g++) {
      // Group g holds prompts above thresholds[g - 1] and at most thresholds[g]: the first tier it exceeds applies.
      const tier = m.longContext.find((t) => tierInForce(t, now) && g > 0 && t.thresholdTokens <= thresholds[g - 1]);
      const r = tier ? tier.rates : m.rates;
      const cost = (u: Buckets): number =>
        u.input * perToken(r.input) + u.output * perToken(r.output) + u.cw5m * perToken(r.cacheWrite5m) + u.cw1h * perToken(r.cacheWrite1h) + u.cr * perToken(r.cacheRead);
      allNanos += cost(all[g]);
      coveredNanos += cost(covered[g]);
    }
    rows.push({ model: m.id, verified: m.verified, allNanos, coveredNanos });
  }
  return rows.sort((a, c) => a.allNanos - c.allNanos || a.model.localeCompare(c.model));
}

function webSearchNanos(pricer: Pricer, model: string, now: number): number {
  const p = pricer.price({ model, timestamp: now, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, webSearches: 1, speed: '', inferenceGeo: '' });
  return p.webSearchNanos;
}

function addBuckets(into: Buckets, u: Buckets): void {
  into.input += u.input;
  into.output += u.output;
  into.cw5m += u.cw5m;
  into.cw1h += u.cw1h;
  into.cr += u.cr;
  into.web += u.web;
}

function addTokens(into: TokenTotals, u: Buckets): void {
  into.input += u.input;
  into.output += u.output;
  into.cacheWrite += u.cw5m + u.cw1h;
  into.cacheRead += u.cr;
}

function sum(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}

/** The rate card's id for a model in any spelling, else its normalized id. */
function modelNamer(pricer: Pricer): (raw: string) => string {
  const cache = new Map<string, string>();
  return (raw) => {
    let name = cache.get(raw);
    if (name === undefined) {
      name = pricer.lookup(raw)?.id ?? (normalizeModelId(raw) || raw || 'unknown');
      cache.set(raw, name);
    }
    return name;
  };
}

/** Local days from the cycle's first day to the day holding `until`, with their local midnights. */
function cycleDays(start: number, until: number, zone: string): { date: string; start: number }[] {
  const out: { date: string; start: number }[] = [];
  let d = DateTime.fromMillis(start, { zone }).startOf('day');
  const last = DateTime.fromMillis(Math.max(start, until), { zone }).startOf('day');
  while (d <= last && out.length < 40) {
    out.push({ date: d.toISODate() ?? '', start: d.toMillis() });
    d = d.plus({ days: 1 });
  }
  return out;
}

/** The pool writes "override: <mode> (<target>); ..." into a classification's reason. */
function overrideOf(reason: string): PanelSession['override'] {
  const m = /^override: (count|never) \((session|project)\)/.exec(reason);
  return m ? { mode: m[1] as OverrideMode, target: m[2] as OverrideTarget } : null;
}

interface SessionMeta {
  projectKey: string;
  cwd: string;
  entrypoint: string;
  label: string;
}

function sessionMeta(db: Database, ids: string[]): Map<string, SessionMeta> {
  const out = new Map<string, SessionMeta>();
  if (!ids.length) return out;
  const stmt = db.prepare('SELECT project_key, cwd, entrypoint, label FROM sessions WHERE session_id = ?');
  try {
    for (const id of ids) {
      stmt.bind([id]);
      if (stmt.step()) {
        const v = stmt.get();
        out.set(id, { projectKey: String(v[0]), cwd: String(v[1]), entrypoint: String(v[2]), label: String(v[3] ?? '') });
      }
      stmt.reset();
    }
  } finally {
    stmt.free();
  }
  return out;
}

/** Session id -> its main transcript (`<sessionId>.jsonl`), for files that still exist. */
function transcriptPaths(db: Database): Map<string, string> {
  const out = new Map<string, string>();
  const r = db.exec(`SELECT path FROM files WHERE missing = 0 AND path LIKE '%.jsonl'`);
  if (!r.length) return out;
  for (const [p] of r[0].values) {
    const file = String(p);
    const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1, -'.jsonl'.length);
    if (name.startsWith('agent-') || out.has(name)) continue;
    out.set(name, file);
  }
  return out;
}

function normalizePath(p: string): string {
  let s = p.replace(/\\/g, '/');
  if (/^[A-Za-z]:/.test(s)) s = s[0].toLowerCase() + s.slice(1); // Windows drive letters vary in case
  return s.length > 1 ? s.replace(/\/+$/, '') : s;
}

function isUnder(p: string, root: string): boolean {
  return p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);
}
