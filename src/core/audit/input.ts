// What the audit reads out of the ledger: requests with their tool fingerprints and file
// positions, and the events that mark loops (tool errors, loop markers, compactions).
import type { Database, SqlValue } from 'sql.js';
import type { PriceableUsage } from '../model';

/** One priced request as the detector sees it (a `requests` row joined with its file path). */
export interface AuditRequest extends PriceableUsage {
  key: string;
  sessionId: string;
  /** Subagent id ("" for the main thread and for 1.0.x inline sidechains). */
  agentId: string;
  sidechain: boolean;
  projectKey: string;
  cwd: string;
  entrypoint: string;
  promptSource: string;
  turnOrigin: string;
  stopReason: string;
  /** Tool call fingerprints `name#inputHash`, in call order. */
  tools: string[];
  /** Fingerprints of the text blocks (`x<chars>.<hash>`): equal text gives equal fingerprints. */
  texts: string[];
  fileId: number;
  offset: number;
  /** Absolute path of the transcript holding the request ("" when the file row is gone). */
  file: string;
  costNanos: number;
  priced: boolean;
}

export type AuditEventKind = 'tool-error' | 'loop-marker' | 'compact';

export interface AuditEvent {
  id: string;
  kind: AuditEventKind;
  sessionId: string;
  agentId: string;
  timestamp: number;
  /** tool-error: {toolUseId, tool, inputHash}; loop-marker: {marker, inputHash?, requestKey?}; compact: {trigger, preTokens, postTokens}. */
  data: Record<string, unknown>;
}

/** Requests considered: [since, until) epoch ms; null = unbounded. */
export interface AuditWindow {
  since: number | null;
  until: number | null;
}

/** Prompt tokens of a request: everything it sent, cached or not. */
export function promptTokens(r: Pick<AuditRequest, 'input' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead'>): number {
  return r.input + r.cacheWrite5m + r.cacheWrite1h + r.cacheRead;
}

function windowWhere(column: string, w: AuditWindow): { sql: string; params: number[] } {
  const parts: string[] = [];
  const params: number[] = [];
  if (w.since !== null) {
    parts.push(`${column} >= ?`);
    params.push(w.since);
  }
  if (w.until !== null) {
    parts.push(`${column} < ?`);
    params.push(w.until);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

const COLUMNS =
  'r.key, r.session_id, r.agent_id, r.sidechain, r.project_key, r.cwd, r.entrypoint, r.prompt_source, r.turn_origin, r.model, r.ts, ' +
  'r.input, r.output, r.cw5m, r.cw1h, r.cr, r.web_search, r.speed, r.geo, r.stop_reason, r.tools, r.blocks, r.file_id, r.offset, r.cost_nanos, r.priced, f.path';

function splitList(s: SqlValue): string[] {
  return typeof s === 'string' && s ? s.split(',') : [];
}

export function loadAuditRequests(db: Database, window: AuditWindow): AuditRequest[] {
  const where = windowWhere('r.ts', window);
  const stmt = db.prepare(`SELECT ${COLUMNS} FROM requests r LEFT JOIN files f ON f.id = r.file_id ${where.sql}`);
  const out: AuditRequest[] = [];
  try {
    stmt.bind(where.params);
    while (stmt.step()) {
      const v = stmt.get();
      const n = (i: number): number => Number(v[i] ?? 0);
      const s = (i: number): string => String(v[i] ?? '');
      out.push({
        key: s(0), sessionId: s(1), agentId: s(2), sidechain: n(3) === 1, projectKey: s(4), cwd: s(5), entrypoint: s(6), promptSource: s(7), turnOrigin: s(8),
        model: s(9), timestamp: n(10), input: n(11), output: n(12), cacheWrite5m: n(13), cacheWrite1h: n(14), cacheRead: n(15), webSearches: n(16),
        speed: s(17), inferenceGeo: s(18), stopReason: s(19), tools: splitList(v[20]), texts: splitList(v[21]).filter((b) => b.startsWith('x')),
        fileId: n(22), offset: n(23), costNanos: n(24), priced: n(25) === 1, file: s(26),
      });
    }
  } finally {
    stmt.free();
  }
  return out;
}

export function loadAuditEvents(db: Database, window: AuditWindow): AuditEvent[] {
  const where = windowWhere('ts', window);
  const kinds = `kind IN ('tool-error', 'loop-marker', 'compact')`;
  const sql = `SELECT id, kind, session_id, agent_id, ts, data FROM events ${where.sql ? `${where.sql} AND ${kinds}` : `WHERE ${kinds}`}`;
  const r = db.exec(sql, where.params);
  if (!r.length) return [];
  return r[0].values.map((v) => {
    let data: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(String(v[5] ?? '{}')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
    } catch {
      // a bad row is skipped as empty data: the event still counts
    }
    return { id: String(v[0]), kind: String(v[1]) as AuditEventKind, sessionId: String(v[2]), agentId: String(v[3]), timestamp: Number(v[4]), data };
  });
}
