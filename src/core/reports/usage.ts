// Daily, monthly and session reports in the JSON shape `ccusage claude daily|monthly|session --json`
// prints (20.0.24), with our extra fields beside the ccusage ones.
import type { Database } from 'sql.js';
import { HEADLESS_ENTRYPOINTS } from '../model';
import { nanosToUsd } from '../pricing/money';
import { localDay } from './timeZone';
import { eachRow } from '../ledger/query';
import { orderModelsUsed } from './modelOrder';
import { BUCKET_MS } from '../ledger/rollups';

export interface ReportFilter {
  /** Inclusive local dates YYYY-MM-DD. */
  since?: string;
  until?: string;
  timezone: string;
  /** Only this project (ccusage's `--project`: the project folder's name, as `projectPath` prints it). */
  project?: string;
}

interface Counts {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
}

/** Counts and cost after corrections (core/corrections), beside the recorded ones. */
interface CorrectedCounts extends Counts {
  costNanos: number;
  headlessCostNanos: number;
}

interface Bucket extends Counts {
  corrected: CorrectedCounts;
  correctedByModel: Map<string, CorrectedCounts>;
  costNanos: number;
  unpricedRequests: number;
  unpricedTokens: number;
  requests: number;
  headlessCostNanos: number;
  byModel: Map<string, Counts & { costNanos: number; requests: number; unpriced: number }>;
  byEntrypoint: Map<string, number>;
}

/**
 * Ours, beside the ccusage fields (which stay as the transcripts recorded them): tokens and cost
 * after correcting what transcripts undercount (Task results, Claude Code's cost-state and
 * `claude -p` records, content estimates), including models only those records name.
 */
export interface CorrectedFigures extends Counts {
  totalTokens: number;
  totalCost: number;
  headlessCost: number;
  modelBreakdowns: (Counts & { modelName: string; cost: number })[];
}

export interface ModelBreakdown extends Counts {
  modelName: string;
  cost: number;
  /** Ours: requests, and how many of them have no price on the rate card. */
  requests: number;
  unpricedRequests: number;
}

export interface ReportRow extends Counts {
  totalTokens: number;
  totalCost: number;
  modelsUsed: string[];
  modelBreakdowns: ModelBreakdown[];
  requests: number;
  unpriced: { requests: number; tokens: number };
  headlessCost: number;
  entrypoints: Record<string, number>;
  corrected: CorrectedFigures;
}

export interface Totals extends Counts {
  totalTokens: number;
  totalCost: number;
  requests: number;
  unpriced: { requests: number; tokens: number; models: string[] };
  headlessCost: number;
  corrected: CorrectedFigures;
}


/** One request, or a rollup of `n` of them (then `ts` is its 15-minute bucket's start). */
export interface RawRow {
  ts: number;
  /** Requests it stands for, and the first and last of their timestamps. */
  n: number;
  first: number;
  last: number;
  model: string;
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  costNanos: number;
  priced: boolean;
  sessionId: string;
  projectKey: string;
  entrypoint: string;
  headlessSession: boolean;
  /** Tokens and cost the corrections add to this row. */
  added: { input: number; output: number; cacheWrite: number; cacheRead: number; costNanos: number };
  /** A row of its own from Claude Code's records: nothing recorded, only corrected figures. */
  own: boolean;
}

/** Where a report's rows come from: the rollups (what reports use), or every request (the reference). */
export type RowSource = (db: Database, visit: (r: RawRow) => void) => void;

/**
 * The rollups (core/ledger/rollups), earliest first: a few thousand rows however many requests.
 * Per session, the project, entrypoint and surface of its earliest row are the session's.
 */
export const rollupRows: RowSource = (db, visit) => {
  const sessionCols = "COALESCE(s.queue_op, 0), COALESCE(s.entrypoint, '')";
  eachRow(db, `
    SELECT g.bucket, g.model, g.input, g.output, g.cw, g.cr, g.cost_nanos, g.priced, g.session_id, g.project_key, g.entrypoint, ${sessionCols},
      g.own, g.n, g.add_input, g.add_output, g.add_cw, g.add_cr, g.add_cost, g.first_ts, g.last_ts
    FROM rollups g LEFT JOIN sessions s ON s.session_id = g.session_id ORDER BY g.first_ts, g.own`, [], (v) => {
    const entrypoint = String(v[10]) || String(v[12]);
    visit({
      ts: Number(v[0]) * BUCKET_MS, n: Number(v[14]), first: Number(v[20]), last: Number(v[21]), model: String(v[1]), input: Number(v[2]), output: Number(v[3]),
      cacheWrite: Number(v[4]), cacheRead: Number(v[5]), costNanos: Number(v[6]), priced: Number(v[7]) === 1, sessionId: String(v[8]), projectKey: String(v[9]), entrypoint,
      headlessSession: HEADLESS_ENTRYPOINTS.includes(entrypoint) || (!entrypoint && Number(v[11]) === 1),
      added: { input: Number(v[15]), output: Number(v[16]), cacheWrite: Number(v[17]), cacheRead: Number(v[18]), costNanos: Number(v[19]) },
      own: Number(v[13]) === 1,
    });
  });
};

/** Every request and own row, one at a time: the reference the rollups are tested against. */
export const requestRows: RowSource = (db, visit) => {
  // What corrections add per request, joined in JS (a SQL join to the grouped table costs more than the scan).
  const none = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, costNanos: 0 };
  const added = new Map<string, RawRow['added']>();
  const n = (v: unknown): number => Number(v ?? 0);
  eachRow(db, 'SELECT key, sum(input), sum(output), sum(cw5m + cw1h), sum(cr), sum(cost_nanos) FROM corrections WHERE own_row = 0 GROUP BY key', [], (v) => {
    added.set(String(v[0]), { input: n(v[1]), output: n(v[2]), cacheWrite: n(v[3]), cacheRead: n(v[4]), costNanos: n(v[5]) });
  });
  const sessionCols = "COALESCE(s.queue_op, 0), COALESCE(s.entrypoint, '')";
  eachRow(db, `
    SELECT r.ts, r.model, r.input, r.output, r.cw5m + r.cw1h, r.cr, r.cost_nanos, r.priced, r.session_id, r.project_key, r.entrypoint, ${sessionCols}, r.key
    FROM requests r LEFT JOIN sessions s ON s.session_id = r.session_id`, [], (v) => {
    const entrypoint = String(v[10]) || String(v[12]);
    visit({
      ts: Number(v[0]), n: 1, first: Number(v[0]), last: Number(v[0]), model: String(v[1]), input: Number(v[2]), output: Number(v[3]), cacheWrite: Number(v[4]), cacheRead: Number(v[5]),
      costNanos: Number(v[6]), priced: Number(v[7]) === 1, sessionId: String(v[8]), projectKey: String(v[9]), entrypoint,
      headlessSession: HEADLESS_ENTRYPOINTS.includes(entrypoint) || (!entrypoint && Number(v[11]) === 1),
      added: added.get(String(v[13])) ?? none,
      own: false,
    });
  });
  // Rows of their own: models only Claude Code's records hold (auxiliary calls); nothing recorded.
  eachRow(db, `
    SELECT o.ts, o.model, o.priced, o.session_id, o.project_key, ${sessionCols}, o.input, o.output, o.cw5m + o.cw1h, o.cr, o.cost_nanos
    FROM corrections o LEFT JOIN sessions s ON s.session_id = o.session_id WHERE o.own_row = 1`, [], (v) => {
    const entrypoint = String(v[6]);
    visit({
      ts: Number(v[0]), n: 1, first: Number(v[0]), last: Number(v[0]), model: String(v[1]), input: 0, output: 0, cacheWrite: 0, cacheRead: 0, costNanos: 0, priced: Number(v[2]) === 1,
      sessionId: String(v[3]), projectKey: String(v[4]), entrypoint, headlessSession: HEADLESS_ENTRYPOINTS.includes(entrypoint) || (!entrypoint && Number(v[5]) === 1),
      added: { input: n(v[7]), output: n(v[8]), cacheWrite: n(v[9]), cacheRead: n(v[10]), costNanos: n(v[11]) },
      own: true,
    });
  });
};


function newCorrected(): CorrectedCounts {
  return { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, costNanos: 0, headlessCostNanos: 0 };
}

function newBucket(): Bucket {
  return {
    inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, costNanos: 0, unpricedRequests: 0, unpricedTokens: 0, requests: 0, headlessCostNanos: 0,
    byModel: new Map(), byEntrypoint: new Map(), corrected: newCorrected(), correctedByModel: new Map(),
  };
}

function addCorrected(c: CorrectedCounts, r: RawRow): void {
  c.inputTokens += r.input + r.added.input;
  c.outputTokens += r.output + r.added.output;
  c.cacheCreationTokens += r.cacheWrite + r.added.cacheWrite;
  c.cacheReadTokens += r.cacheRead + r.added.cacheRead;
  c.costNanos += r.costNanos + r.added.costNanos;
  if (r.headlessSession) c.headlessCostNanos += r.costNanos + r.added.costNanos;
}

/** The recorded token buckets and cost of a row, into a bucket or one model's breakdown. */
function addRecorded(c: Counts & { costNanos: number }, r: RawRow): void {
  c.inputTokens += r.input;
  c.outputTokens += r.output;
  c.cacheCreationTokens += r.cacheWrite;
  c.cacheReadTokens += r.cacheRead;
  c.costNanos += r.costNanos;
}

function add(b: Bucket, r: RawRow): void {
  addCorrected(b.corrected, r);
  let cm = b.correctedByModel.get(r.model);
  if (!cm) b.correctedByModel.set(r.model, (cm = newCorrected()));
  addCorrected(cm, r);
  if (r.own) return; // not a request: only the corrected figures know it
  addRecorded(b, r);
  b.requests += r.n;
  if (!r.priced) {
    b.unpricedRequests += r.n;
    b.unpricedTokens += r.input + r.output + r.cacheWrite + r.cacheRead;
  }
  if (r.headlessSession) b.headlessCostNanos += r.costNanos;
  const ep = r.entrypoint || (r.headlessSession ? 'headless (queue-operation)' : 'unknown');
  b.byEntrypoint.set(ep, (b.byEntrypoint.get(ep) ?? 0) + r.costNanos);
  let m = b.byModel.get(r.model);
  if (!m) {
    m = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, costNanos: 0, requests: 0, unpriced: 0 };
    b.byModel.set(r.model, m);
  }
  addRecorded(m, r);
  m.requests += r.n;
  if (!r.priced) m.unpriced += r.n;
}

function toRow(b: Bucket): ReportRow {
  const models = [...b.byModel.entries()].sort((a, c) => c[1].costNanos - a[1].costNanos || a[0].localeCompare(c[0]));
  const entrypoints: Record<string, number> = {};
  for (const [k, v] of [...b.byEntrypoint.entries()].sort()) entrypoints[k] = nanosToUsd(v);
  return {
    inputTokens: b.inputTokens,
    outputTokens: b.outputTokens,
    cacheCreationTokens: b.cacheCreationTokens,
    cacheReadTokens: b.cacheReadTokens,
    totalTokens: b.inputTokens + b.outputTokens + b.cacheCreationTokens + b.cacheReadTokens,
    totalCost: nanosToUsd(b.costNanos),
    modelsUsed: models.map(([name]) => name),
    modelBreakdowns: models.map(([name, m]) => ({
      modelName: name,
      inputTokens: m.inputTokens,
      outputTokens: m.outputTokens,
      cacheCreationTokens: m.cacheCreationTokens,
      cacheReadTokens: m.cacheReadTokens,
      cost: nanosToUsd(m.costNanos),
      requests: m.requests,
      unpricedRequests: m.unpriced,
    })),
    requests: b.requests,
    unpriced: { requests: b.unpricedRequests, tokens: b.unpricedTokens },
    headlessCost: nanosToUsd(b.headlessCostNanos),
    entrypoints,
    corrected: correctedOf(b),
  };
}

function correctedOf(b: Bucket): CorrectedFigures {
  const c = b.corrected;
  const models = [...b.correctedByModel.entries()].sort((a, d) => d[1].costNanos - a[1].costNanos || a[0].localeCompare(d[0]));
  return {
    inputTokens: c.inputTokens,
    outputTokens: c.outputTokens,
    cacheCreationTokens: c.cacheCreationTokens,
    cacheReadTokens: c.cacheReadTokens,
    totalTokens: c.inputTokens + c.outputTokens + c.cacheCreationTokens + c.cacheReadTokens,
    totalCost: nanosToUsd(c.costNanos),
    headlessCost: nanosToUsd(c.headlessCostNanos),
    modelBreakdowns: models.map(([modelName, m]) => ({
      modelName,
      inputTokens: m.inputTokens,
      outputTokens: m.outputTokens,
      cacheCreationTokens: m.cacheCreationTokens,
      cacheReadTokens: m.cacheReadTokens,
      cost: nanosToUsd(m.costNanos),
    })),
  };
}

function totalsOf(all: Bucket): Totals {
  const r = toRow(all);
  return {
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cacheCreationTokens: r.cacheCreationTokens,
    cacheReadTokens: r.cacheReadTokens,
    totalTokens: r.totalTokens,
    totalCost: r.totalCost,
    requests: r.requests,
    unpriced: { requests: r.unpriced.requests, tokens: r.unpriced.tokens, models: r.modelBreakdowns.filter((m) => m.unpricedRequests > 0).map((m) => m.modelName) },
    headlessCost: r.headlessCost,
    corrected: r.corrected,
  };
}

function inRange(day: string, f: ReportFilter): boolean {
  return (!f.since || day >= f.since) && (!f.until || day <= f.until);
}

export interface DailyReport {
  daily: (ReportRow & { date: string })[];
  totals: Totals;
}

export interface MonthlyReport {
  monthly: (ReportRow & { month: string })[];
  totals: Totals;
}

export interface SessionRow extends ReportRow {
  sessionId: string;
  projectPath: string;
  firstActivity: string;
  lastActivity: string;
  entrypoint: string;
  headless: boolean;
}

export interface SessionReport {
  sessions: SessionRow[];
  totals: Totals;
}

function grouped(db: Database, f: ReportFilter, keyOf: (day: string, r: RawRow) => string, source: RowSource): { groups: Map<string, Bucket>; all: Bucket; extra: Map<string, { first: number; last: number; project: string; entrypoint: string; headless: boolean }> } {
  const groups = new Map<string, Bucket>();
  const extra = new Map<string, { first: number; last: number; project: string; entrypoint: string; headless: boolean }>();
  const all = newBucket();
  const dayOf = localDay(f.timezone);
  source(db, (r) => {
    if (f.project !== undefined && r.projectKey !== f.project) return;
    const day = dayOf(r.ts);
    if (!inRange(day, f)) return;
    const key = keyOf(day, r);
    let b = groups.get(key);
    if (!b) groups.set(key, (b = newBucket()));
    add(b, r);
    add(all, r);
    const e = extra.get(key);
    if (!e) extra.set(key, { first: r.first, last: r.last, project: r.projectKey, entrypoint: r.entrypoint, headless: r.headlessSession });
    else {
      e.first = Math.min(e.first, r.first);
      e.last = Math.max(e.last, r.last);
      if (!e.entrypoint && r.entrypoint) e.entrypoint = r.entrypoint;
    }
  });
  return { groups, all, extra };
}

/** Rows per period key, oldest first, with `modelsUsed` in the order ccusage lists them (core/reports/modelOrder). */
function periodRows(db: Database, f: ReportFilter, keyOf: (day: string) => string, source: RowSource): { rows: [string, ReportRow][]; totals: Totals } {
  const { groups, all, extra } = grouped(db, f, (day) => keyOf(day), source);
  const rows = [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([key, b]): [string, ReportRow] => [key, toRow(b)]);
  const dayOf = localDay(f.timezone);
  orderModelsUsed(db, rows.map(([key, row]) => ({ row, where: { from: extra.get(key)!.first, to: extra.get(key)!.last }, belongs: (ts, project) => (f.project === undefined || project === f.project) && inRange(dayOf(ts), f) && keyOf(dayOf(ts)) === key })));
  return { rows, totals: totalsOf(all) };
}

export function dailyReport(db: Database, f: ReportFilter, source: RowSource = rollupRows): DailyReport {
  const { rows, totals } = periodRows(db, f, (day) => day, source);
  return { daily: rows.map(([date, row]) => ({ date, ...row })), totals };
}

export interface WeeklyReport {
  weekly: (ReportRow & { week: string })[];
  totals: Totals;
}

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The local date a week starts on (ccusage's `week`: the first day of the week holding `day`). */
export function weekStart(day: string, startOfWeek: Weekday): string {
  const d = new Date(`${day}T00:00:00Z`);
  const back = (d.getUTCDay() - WEEKDAYS.indexOf(startOfWeek) + 7) % 7;
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

export function weeklyReport(db: Database, f: ReportFilter, startOfWeek: Weekday = 'sunday', source: RowSource = rollupRows): WeeklyReport {
  const { rows, totals } = periodRows(db, f, (day) => weekStart(day, startOfWeek), source);
  return { weekly: rows.map(([week, row]) => ({ week, ...row })), totals };
}

export function monthlyReport(db: Database, f: ReportFilter, source: RowSource = rollupRows): MonthlyReport {
  const { rows, totals } = periodRows(db, f, (day) => day.slice(0, 7), source);
  return { monthly: rows.map(([month, row]) => ({ month, ...row })), totals };
}

export function sessionReport(db: Database, f: ReportFilter, source: RowSource = rollupRows): SessionReport {
  const { groups, all, extra } = grouped(db, f, (_day, r) => r.sessionId, source);
  const sessions = [...groups.entries()]
    .map(([sessionId, b]) => {
      const e = extra.get(sessionId)!;
      return {
        sessionId,
        projectPath: e.project,
        firstActivity: new Date(e.first).toISOString(),
        lastActivity: new Date(e.last).toISOString(),
        entrypoint: e.entrypoint,
        headless: e.headless,
        ...toRow(b),
      };
    })
    // as ccusage sorts them (whatever its --order): the most expensive first
    .sort((a, b) => b.totalCost - a.totalCost || a.lastActivity.localeCompare(b.lastActivity) || a.sessionId.localeCompare(b.sessionId));
  orderModelsUsed(db, sessions.map((row) => ({ row, where: { sessionId: row.sessionId }, belongs: (ts) => inRange(localDay(f.timezone)(ts), f) })));
  return { sessions, totals: totalsOf(all) };
}
