// Keeps the `corrections` table in step with the ledger: after each ingest it recomputes only
// the sessions whose requests, Task results, cost-state lines, `claude -p` results or
// ~/.claude.json record changed (every session only when the rules or the prices changed).
import type { Database, SqlValue } from 'sql.js';
import type { Fact } from '../state/journal';
import { fnv1a } from '../transcripts/hash';
import { claudeJsonPaths, nodeClaudeJsonFs, readClaudeJson, type ClaudeJsonFs } from './claudeJson';
import { CLAUDE_JSON_ORIGIN, loadEvidence } from './evidence';
import { recordTokens, RUN_FACT, runRecords, runSessionId, type OwnRecord } from './records';
import { correctSession, modelKeyCache, type Correction, type CorrectionPricer } from './rules';

/** Bump when the rules change: every session is then corrected again. */
export const CORRECTION_RULES_VERSION = 1;
const META_KEY = 'corrections';

/** The ledger port: its database and its meta table (setMeta marks the ledger for saving). */
export interface CorrectionLedger {
  readonly db: Database;
  meta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
}

export interface CorrectionUpdate {
  /** Every session was corrected again (first run, new rules or new prices). */
  all: boolean;
  /** Sessions corrected again. */
  sessions: number;
  corrections: number;
  /** Request keys (and own-row keys) whose corrections were written or removed. */
  changedKeys: string[];
  durationMs: number;
}

/** What the last update had seen: the ledger's rowids, the journal's runs, each ~/.claude.json. */
interface Watermark {
  fingerprint: string;
  requests: number;
  events: number;
  runs: number;
  runHash: string;
  claudeJson: Record<string, string>;
}

export interface CorrectorOptions {
  /** Config dir roots of the meter (each may have a .claude.json beside or inside it). */
  configRoots: readonly string[];
  home: string;
  xdgConfigHome?: string;
  fs?: ClaudeJsonFs;
}

const CHUNK = 500;

function hashIds(ids: readonly string[]): string {
  return fnv1a(ids.join('\n'));
}

function scalar(db: Database, sql: string, params: SqlValue[] = []): number {
  const r = db.exec(sql, params);
  return r.length ? Number(r[0].values[0][0] ?? 0) : 0;
}

function column(db: Database, sql: string, params: SqlValue[]): string[] {
  const r = db.exec(sql, params);
  return r.length ? r[0].values.map((v) => String(v[0])) : [];
}

export class Corrector {
  private readonly claudeJsonFiles: string[];
  private readonly fs: ClaudeJsonFs;

  constructor(opts: CorrectorOptions) {
    this.claudeJsonFiles = claudeJsonPaths(opts.configRoots, opts.home, opts.xdgConfigHome);
    this.fs = opts.fs ?? nodeClaudeJsonFs;
  }

  /** The ~/.claude.json files this corrector reads (a stored answer depends on them). */
  get inputFiles(): readonly string[] {
    return this.claudeJsonFiles;
  }

  update(ledger: CorrectionLedger, pricer: CorrectionPricer & { readonly fingerprint: string }, changedSessions: readonly string[], facts: readonly Fact[]): CorrectionUpdate {
    const started = Date.now();
    const db = ledger.db;
    const raw = ledger.meta(META_KEY);
    const prev = parseWatermark(raw);
    const fingerprint = `${CORRECTION_RULES_VERSION}:${pricer.fingerprint}`;
    let all = !prev || prev.fingerprint !== fingerprint;
    const affected = new Set(changedSessions);
    const next: Watermark = {
      fingerprint,
      requests: scalar(db, 'SELECT max(rowid) FROM requests'),
      events: scalar(db, 'SELECT max(rowid) FROM events'),
      runs: 0,
      runHash: '',
      claudeJson: { ...(prev?.claudeJson ?? {}) },
    };
    // Requests written since (INSERT OR REPLACE gives a row a new rowid) and new records in transcripts;
    // the ingest's changedSessions alone misses subagent files and cost-state lines.
    if (prev && !all) {
      if (next.requests > prev.requests) for (const s of column(db, 'SELECT DISTINCT session_id FROM requests WHERE rowid > ?', [prev.requests])) affected.add(s);
      if (next.events > prev.events) for (const s of column(db, `SELECT DISTINCT session_id FROM events WHERE rowid > ? AND kind IN ('task-result', 'cost-state')`, [prev.events])) affected.add(s);
    }

    // Captured `claude -p` runs: the journal only grows; a replaced journal means start over.
    const runs = facts.filter((f) => f.kind === RUN_FACT);
    const ids = runs.map((f) => f.id);
    next.runs = ids.length;
    next.runHash = hashIds(ids);
    if (prev && !all) {
      if (prev.runs <= ids.length && hashIds(ids.slice(0, prev.runs)) === prev.runHash) {
        for (const f of runs.slice(prev.runs)) {
          const s = runSessionId(f);
          if (s) affected.add(s);
        }
      } else all = true;
    }

    // ~/.claude.json: re-read only when it changed; a session's record is kept after the file moves on.
    for (const file of this.claudeJsonFiles) {
      const sig = this.fs.signature(file);
      if (sig === next.claudeJson[file]) continue;
      if (sig === undefined) {
        delete next.claudeJson[file];
        continue;
      }
      const entries = readClaudeJson(file, this.fs);
      if (!entries) continue; // caught mid-write: try again next time
      next.claudeJson[file] = sig;
      for (const e of entries) if (storeOwnRecord(db, e.sessionId, e.record)) affected.add(e.sessionId);
    }

    const corrections: Correction[] = [];
    let changedKeys: string[] = [];
    let corrected = 0;
    const sessions = all ? null : [...affected].filter(Boolean);
    if (sessions === null || sessions.length) {
      const evidence = loadEvidence(db, sessions, runRecords(facts));
      const modelKey = modelKeyCache();
      for (const e of evidence) for (const c of correctSession(e, pricer, modelKey)) corrections.push(c);
      changedKeys = writeCorrections(db, sessions, corrections);
      corrected = evidence.length;
    }
    const value = JSON.stringify(next);
    if (value !== raw || changedKeys.length) ledger.setMeta(META_KEY, value);
    return { all, sessions: corrected, corrections: corrections.length, changedKeys, durationMs: Date.now() - started };
  }
}

function parseWatermark(raw: string | undefined): Watermark | undefined {
  if (!raw) return undefined;
  try {
    const w = JSON.parse(raw) as Partial<Watermark>;
    if (typeof w.fingerprint !== 'string' || typeof w.requests !== 'number' || typeof w.events !== 'number') return undefined;
    return { fingerprint: w.fingerprint, requests: w.requests, events: w.events, runs: Number(w.runs ?? 0), runHash: String(w.runHash ?? ''), claudeJson: typeof w.claudeJson === 'object' && w.claudeJson ? w.claudeJson : {} };
  } catch {
    return undefined;
  }
}

/** Keeps the largest ~/.claude.json record of a known session; true when it changed. */
function storeOwnRecord(db: Database, sessionId: string, record: OwnRecord): boolean {
  const known = db.exec('SELECT 1 FROM requests WHERE session_id = ? LIMIT 1', [sessionId]).length > 0;
  if (!known) return false;
  const stored = db.exec('SELECT data FROM own_records WHERE session_id = ? AND origin = ?', [sessionId, CLAUDE_JSON_ORIGIN]);
  if (stored.length) {
    try {
      const old = JSON.parse(String(stored[0].values[0][0])) as OwnRecord;
      if (recordTokens(old) >= recordTokens(record)) return false;
    } catch {
      // unreadable: replace it
    }
  }
  db.run('INSERT OR REPLACE INTO own_records (session_id, origin, data) VALUES (?, ?, ?)', [sessionId, CLAUDE_JSON_ORIGIN, JSON.stringify(record)]);
  return true;
}

/** Replaces the corrections of the given sessions (null: all); returns the keys removed or written. */
function writeCorrections(db: Database, sessions: readonly string[] | null, corrections: readonly Correction[]): string[] {
  const changed = new Set<string>();
  db.run('BEGIN');
  try {
    if (sessions === null) {
      for (const k of column(db, 'SELECT DISTINCT key FROM corrections', [])) changed.add(k);
      db.run('DELETE FROM corrections');
    } else {
      for (let i = 0; i < sessions.length; i += CHUNK) {
        const part = sessions.slice(i, i + CHUNK);
        const inList = `session_id IN (${part.map(() => '?').join(',')})`;
        for (const k of column(db, `SELECT DISTINCT key FROM corrections WHERE ${inList}`, part)) changed.add(k);
        db.run(`DELETE FROM corrections WHERE ${inList}`, part);
        // requests now owned by these sessions whose corrections were written under another (a fork read first)
        const moved = column(db, `SELECT DISTINCT c.key FROM corrections c JOIN requests r ON r.key = c.key WHERE r.${inList} AND c.session_id <> r.session_id`, part);
        for (let j = 0; j < moved.length; j += CHUNK) {
          const keys = moved.slice(j, j + CHUNK);
          db.run(`DELETE FROM corrections WHERE key IN (${keys.map(() => '?').join(',')})`, keys);
          for (const k of keys) changed.add(k);
        }
      }
    }
    if (corrections.length) insertCorrections(db, corrections, changed);
    db.run('COMMIT');
  } catch (err) {
    db.run('ROLLBACK');
    throw err;
  }
  return [...changed];
}

const COLUMNS = 'key, source, session_id, project_key, model, ts, own_row, input, output, cw5m, cw1h, cr, web_search, cost_nanos, priced, detail';
/** Rows per statement: sql.js pays per call as well as per value. */
const BATCH = 20;

function insertCorrections(db: Database, corrections: readonly Correction[], changed: Set<string>): void {
  const row = `(${COLUMNS.split(',').map(() => '?').join(',')})`;
  const many = db.prepare(`INSERT OR REPLACE INTO corrections (${COLUMNS}) VALUES ${Array(BATCH).fill(row).join(',')}`);
  const one = db.prepare(`INSERT OR REPLACE INTO corrections (${COLUMNS}) VALUES ${row}`);
  try {
    let pending: SqlValue[] = [];
    let n = 0;
    for (const c of corrections) {
      const a = c.added;
      // A request's correction leaves project and model to the request row (narrow rows: half the write cost).
      pending.push(c.key, c.source, c.sessionId, c.ownRow ? c.projectKey : '', c.ownRow ? c.model : '', c.timestamp, c.ownRow ? 1 : 0, a.input, a.output, a.cacheWrite5m, a.cacheWrite1h, a.cacheRead, a.webSearches, c.costNanos, c.priced ? 1 : 0, c.detail);
      changed.add(c.key);
      if (++n % BATCH === 0) {
        many.run(pending);
        pending = [];
      }
    }
    const width = COLUMNS.split(',').length;
    for (let i = 0; i < pending.length; i += width) one.run(pending.slice(i, i + width));
  } finally {
    many.free();
    one.free();
  }
}
