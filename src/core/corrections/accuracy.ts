// The accuracy report: per session and model, what the transcript recorded, what the corrections
// make of it, what Claude Code's own record says (tokens and its `costUSD`), and which rule moved
// each number. Money in nanodollars; formatting is the caller's.
import type { Database, SqlValue } from 'sql.js';
import { normalizeModelId } from '../pricing/modelId';
import { localDay } from '../reports/timeZone';
import { loadRecords } from './evidence';
import { CORRECTION_SOURCES, type CorrectionSource, type ModelTotals, type OwnRecord } from './records';

export interface Figures {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  webSearches: number;
  costNanos: number;
}

/** What one rule added in one session and model. */
export interface Move extends Figures {
  source: CorrectionSource;
  /** Requests it changed (0 for a row of its own). */
  requests: number;
  /** The tokens sit in a row of its own (models or calls with no assistant line). */
  ownRow: boolean;
}

export interface AccuracyModel {
  model: string;
  requests: number;
  recorded: Figures;
  corrected: Figures;
  /** The session's own record for this model; null when it has none (or no record names it). */
  claudeCode: (Omit<ModelTotals, 'costUsd'> & { costUsd: number | null }) | null;
  moved: Move[];
}

export interface AccuracySession {
  sessionId: string;
  projectKey: string;
  entrypoint: string;
  firstActivity: number;
  lastActivity: number;
  record: { source: OwnRecord['source']; origin: string; totalCostUsd: number | null; costBasis: string } | null;
  requests: number;
  recorded: Figures;
  corrected: Figures;
  models: AccuracyModel[];
}

export interface AccuracyReport {
  sessions: AccuracySession[];
  totals: {
    sessions: number;
    sessionsWithRecord: number;
    requests: number;
    recorded: Figures;
    corrected: Figures;
    /** Sum of Claude Code's own `totalCostUSD` over the sessions that have a record. */
    claudeCodeCostUsd: number;
    /** Recorded and corrected cost of those same sessions (the like-for-like comparison). */
    recordedWithRecordNanos: number;
    correctedWithRecordNanos: number;
    bySource: Record<CorrectionSource, Figures & { requests: number }>;
  };
}

export interface AccuracyFilter {
  /** Inclusive local dates (YYYY-MM-DD) of a session's last activity. */
  since?: string;
  until?: string;
  timezone: string;
}

export function emptyFigures(): Figures {
  return { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, webSearches: 0, costNanos: 0 };
}

function addFigures(into: Figures, f: Figures): void {
  into.input += f.input;
  into.output += f.output;
  into.cacheWrite += f.cacheWrite;
  into.cacheRead += f.cacheRead;
  into.webSearches += f.webSearches;
  into.costNanos += f.costNanos;
}

function figuresOf(v: SqlValue[], at: number): Figures {
  const n = (i: number): number => Number(v[at + i] ?? 0);
  return { input: n(0), output: n(1), cacheWrite: n(2), cacheRead: n(3), webSearches: n(4), costNanos: n(5) };
}

function rows(db: Database, sql: string, params: SqlValue[] = []): SqlValue[][] {
  const r = db.exec(sql, params);
  return r.length ? r[0].values : [];
}

export function accuracyReport(db: Database, runs: ReadonlyMap<string, OwnRecord>, filter: AccuracyFilter = { timezone: 'UTC' }): AccuracyReport {
  const sessions = new Map<string, AccuracySession>();
  // models of a session by normalized id (spellings differ between transcripts and records)
  const models = new Map<string, Map<string, AccuracyModel>>();
  const modelOf = (sessionId: string, raw: string): AccuracyModel => {
    let byNorm = models.get(sessionId);
    if (!byNorm) models.set(sessionId, (byNorm = new Map()));
    const norm = normalizeModelId(raw);
    let m = byNorm.get(norm);
    if (!m) byNorm.set(norm, (m = { model: raw, requests: 0, recorded: emptyFigures(), corrected: emptyFigures(), claudeCode: null, moved: [] }));
    return m;
  };

  for (const v of rows(db, `SELECT session_id, project_key, model, count(*), sum(input), sum(output), sum(cw5m + cw1h), sum(cr), sum(web_search), sum(cost_nanos), min(ts), max(ts), max(entrypoint)
                            FROM requests GROUP BY session_id, model`)) {
    const id = String(v[0]);
    let s = sessions.get(id);
    if (!s) {
      sessions.set(id, (s = { sessionId: id, projectKey: String(v[1]), entrypoint: '', firstActivity: Number(v[10]), lastActivity: Number(v[11]), record: null, requests: 0, recorded: emptyFigures(), corrected: emptyFigures(), models: [] }));
    }
    s.firstActivity = Math.min(s.firstActivity, Number(v[10]));
    s.lastActivity = Math.max(s.lastActivity, Number(v[11]));
    if (!s.entrypoint) s.entrypoint = String(v[12] ?? '');
    const m = modelOf(id, String(v[2]));
    const f = figuresOf(v, 4);
    m.requests += Number(v[3]);
    addFigures(m.recorded, f);
    addFigures(m.corrected, f);
  }
  // A request's correction takes its model from the request row; a row of its own names its own.
  for (const v of rows(db, `SELECT c.session_id, CASE WHEN c.own_row = 1 THEN c.model ELSE r.model END AS m, c.source, c.own_row, count(*), sum(c.input), sum(c.output),
                                   sum(c.cw5m + c.cw1h), sum(c.cr), sum(c.web_search), sum(c.cost_nanos)
                            FROM corrections c LEFT JOIN requests r ON r.key = c.key WHERE c.own_row = 1 OR r.key IS NOT NULL
                            GROUP BY c.session_id, m, c.source, c.own_row`)) {
    const s = sessions.get(String(v[0]));
    if (!s) continue;
    const m = modelOf(s.sessionId, String(v[1]));
    const f = figuresOf(v, 5);
    addFigures(m.corrected, f);
    const ownRow = Number(v[3]) === 1;
    m.moved.push({ source: String(v[2]) as CorrectionSource, requests: ownRow ? 0 : Number(v[4]), ownRow, ...f });
  }
  for (const v of rows(db, 'SELECT session_id, entrypoint FROM sessions')) {
    const s = sessions.get(String(v[0]));
    if (s && v[1]) s.entrypoint = String(v[1]);
  }

  const records = loadRecords(db, null, runs);
  for (const [id, rec] of records) {
    const s = sessions.get(id);
    if (!s) continue;
    s.record = { source: rec.source, origin: rec.origin, totalCostUsd: rec.totalCostUsd, costBasis: rec.costBasis };
    const onlyModel = models.get(id)?.size === 1 ? [...models.get(id)!.values()][0].model : '';
    for (const [raw, t] of Object.entries(rec.models)) {
      const name = raw || onlyModel;
      if (!name) continue;
      const m = modelOf(id, name);
      const c = (m.claudeCode ??= { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, webSearches: 0, costUsd: null });
      c.input += t.input;
      c.output += t.output;
      c.cacheWrite += t.cacheWrite;
      c.cacheRead += t.cacheRead;
      c.webSearches += t.webSearches;
      if (t.costUsd !== null) c.costUsd = (c.costUsd ?? 0) + t.costUsd;
    }
  }

  const dayOf = localDay(filter.timezone);
  const bySource = Object.fromEntries(CORRECTION_SOURCES.map((k) => [k, { ...emptyFigures(), requests: 0 }])) as AccuracyReport['totals']['bySource'];
  const totals: AccuracyReport['totals'] = {
    sessions: 0, sessionsWithRecord: 0, requests: 0, recorded: emptyFigures(), corrected: emptyFigures(), claudeCodeCostUsd: 0, recordedWithRecordNanos: 0, correctedWithRecordNanos: 0, bySource,
  };
  const out: AccuracySession[] = [];
  for (const s of sessions.values()) {
    const day = dayOf(s.lastActivity);
    if ((filter.since && day < filter.since) || (filter.until && day > filter.until)) continue;
    s.models = [...(models.get(s.sessionId)?.values() ?? [])].sort((a, b) => b.corrected.costNanos - a.corrected.costNanos || a.model.localeCompare(b.model));
    for (const m of s.models) {
      s.requests += m.requests;
      addFigures(s.recorded, m.recorded);
      addFigures(s.corrected, m.corrected);
      m.moved.sort((a, b) => CORRECTION_SOURCES.indexOf(a.source) - CORRECTION_SOURCES.indexOf(b.source) || Number(a.ownRow) - Number(b.ownRow));
      for (const mv of m.moved) {
        addFigures(bySource[mv.source], mv);
        bySource[mv.source].requests += mv.requests;
      }
    }
    totals.sessions++;
    totals.requests += s.requests;
    addFigures(totals.recorded, s.recorded);
    addFigures(totals.corrected, s.corrected);
    if (s.record) {
      totals.sessionsWithRecord++;
      totals.claudeCodeCostUsd += s.record.totalCostUsd ?? 0;
      totals.recordedWithRecordNanos += s.recorded.costNanos;
      totals.correctedWithRecordNanos += s.corrected.costNanos;
    }
    out.push(s);
  }
  // Largest corrections first: the ones worth explaining.
  out.sort((a, b) => b.corrected.costNanos - b.recorded.costNanos - (a.corrected.costNanos - a.recorded.costNanos) || b.lastActivity - a.lastActivity);
  return { sessions: out, totals };
}
