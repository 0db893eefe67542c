// The ledger: incremental ingest of transcripts into the sql.js store, deduplicated and priced.
import type { Database, SqlValue, Statement } from 'sql.js';
import type { PriceableUsage, Turn } from '../model';
import { discover, realPathOf, type ConfigDir, type DiscoveryProblem, type TranscriptFile } from '../transcripts/discovery';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { newFileParseState, type FileParseState, type SessionObservation } from '../transcripts/lineParser';
import { isBtwReplay, mergeTurn } from '../transcripts/merge';
import { tailChecksum } from '../transcripts/reader';
import { mergeObservation, newBatch, parseFiles, type ParseBatch, type ParseJob } from '../transcripts/parseFiles';
import { parseInWorkers, WORKER_THRESHOLD_BYTES } from '../transcripts/workerPool';
import { REQUEST_COLUMNS, priceFlagsOf, rowToTurn, turnToRow, type PriceFields } from './rows';
import { acquireLock, CREATE_REQUEST_INDEXES, DROP_REQUEST_INDEXES, openStore, saveStore } from './store';
import { ensureRollups, withoutRequestTriggers } from './rollups';
import type { PhaseListener } from '../progress';

/** The pricing port the ledger needs (core/pricing implements it). */
export interface TurnPricer {
  readonly fingerprint: string;
  price(u: PriceableUsage): PriceFields;
}

export interface IngestReport {
  configDirs: ConfigDir[];
  filesSeen: number;
  filesRead: number;
  filesReread: number;
  filesUnchanged: number;
  bytesRead: number;
  linesRead: number;
  requestsAdded: number;
  requestsUpdated: number;
  malformedLines: number;
  /** Of those, assistant lines whose usage no real request can carry (rejected, not priced). */
  rejectedRequests: number;
  /** Up to 20 examples of skipped lines: file, offset, reason. */
  malformedSamples: { file: string; offset: number; reason: string }[];
  problems: DiscoveryProblem[];
  durationMs: number;
  /** Request keys written (added, updated or removed) and sessions touched: lets readers refresh only those. */
  changedKeys: string[];
  changedSessions: string[];
}

/** A folder the ledger read that the current read list leaves out, and what it holds. */
export interface UnreadFolder {
  /** The projects folder as the ledger stored it. */
  configDir: string;
  requests: number;
  costNanos: number;
  /** Its transcripts no longer on disk: their requests cannot be read back. */
  transcriptsGone: number;
}

export interface LedgerOptions {
  file?: string;
  pricer: TurnPricer;
  readOnly?: boolean;
  seedFrom?: string;
  allowLabels?: boolean;
}

interface FileRow {
  id: number;
  identity: string;
  size: number;
  mtime: number;
  offset: number;
  tail: string;
  state: string;
}

/** Rows per statement in a bulk insert (sql.js pays per call as well as per value). */
const BULK_ROWS = 20;

interface IngestPlan {
  started: number;
  jobs: (ParseJob & { bytes: number })[];
  byPath: Map<string, TranscriptFile>;
  rows: Map<string, FileRow>;
  unchanged: number;
  reread: number;
  seen: number;
  /** Known files whose bytes were all read already (only the mtime moved). */
  caughtUp: TranscriptFile[];
}

export class Ledger {
  readonly db: Database;
  readonly file: string | undefined;
  readonly readOnly: boolean;
  /** Message shown to the user when the file was corrupt and was rebuilt. */
  readonly recovered: string | undefined;
  private pricer: TurnPricer;
  private allowLabels: boolean;
  private releaseLock: (() => void) | undefined;
  private dirty = false;
  /** Told when an ingest starts and ends writing its requests (the meter forwards it to a front end). */
  onPhase: PhaseListener | undefined;

  private constructor(db: Database, opts: LedgerOptions, readOnly: boolean, recovered: string | undefined, release: (() => void) | undefined) {
    this.db = db;
    this.file = opts.file;
    this.pricer = opts.pricer;
    this.allowLabels = !!opts.allowLabels;
    this.readOnly = readOnly;
    this.recovered = recovered;
    this.releaseLock = release;
  }

  static async open(opts: LedgerOptions): Promise<Ledger> {
    let release: (() => void) | undefined;
    let readOnly = !!opts.readOnly;
    if (opts.file && !readOnly) {
      release = acquireLock(opts.file);
      if (!release) readOnly = true; // another process writes this file: read it, never write it
    }
    let ledger: Ledger | undefined;
    try {
      const opened = await openStore({ file: opts.file, readOnly, seedFrom: opts.seedFrom });
      ledger = new Ledger(opened.db, opts, readOnly, opened.recovered, release);
      // Before repricing, so a reprice moves the rollups with the costs (a read-only ledger builds them in memory only).
      const rolledUp = ensureRollups(opened.db);
      ledger.repriceIfNeeded();
      if (opened.created || opened.recovered || rolledUp) ledger.dirty = true;
      return ledger;
    } catch (err) {
      // Never keep the file locked (and the database open) for a ledger nobody got.
      if (ledger) ledger.close();
      else release?.();
      throw err;
    }
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  meta(key: string): string | undefined {
    const r = this.db.exec('SELECT value FROM meta WHERE key = ?', [key]);
    return r.length ? String(r[0].values[0][0]) : undefined;
  }

  setMeta(key: string, value: string): void {
    this.db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [key, value]);
    this.dirty = true;
  }

  /** Re-prices every stored request when the rate card or the user's overrides changed. */
  private repriceIfNeeded(): void {
    if (this.meta('pricing_fingerprint') === this.pricer.fingerprint) return;
    const rows = this.db.exec('SELECT key, model, ts, input, output, cw5m, cw1h, cr, web_search, speed, geo FROM requests');
    if (rows.length) {
      const update = this.db.prepare('UPDATE requests SET cost_nanos = ?, priced = ?, long_ctx = ?, price_flags = ? WHERE key = ?');
      this.db.run('BEGIN');
      try {
        for (const r of rows[0].values) {
          const p = this.pricer.price({
            model: String(r[1]), timestamp: Number(r[2]), input: Number(r[3]), output: Number(r[4]), cacheWrite5m: Number(r[5]),
            cacheWrite1h: Number(r[6]), cacheRead: Number(r[7]), webSearches: Number(r[8]), speed: String(r[9]), inferenceGeo: String(r[10]),
          });
          update.run([p.costNanos, p.priced ? 1 : 0, p.longContext ? 1 : 0, priceFlagsOf(p), r[0]]);
        }
        this.db.run('COMMIT');
      } catch (err) {
        this.db.run('ROLLBACK'); // half-repriced rows would mix two rate cards
        throw err;
      } finally {
        update.free();
      }
    }
    if (!this.readOnly) this.setMeta('pricing_fingerprint', this.pricer.fingerprint);
  }

  setPricer(pricer: TurnPricer): void {
    this.pricer = pricer;
    this.repriceIfNeeded();
  }

  /** Discovers and ingests everything new under the config dirs. */
  ingest(configDirs: ConfigDir[], onProgress?: (done: number, total: number) => void): IngestReport {
    const found = discover(configDirs);
    const report = this.ingestFiles(found.files, onProgress);
    report.configDirs = configDirs;
    report.problems = found.problems.concat(report.problems);
    return report;
  }

  /** Ingests the given files (already discovered) in this thread; reads only bytes appended since the last ingest. */
  ingestFiles(files: TranscriptFile[], onProgress?: (done: number, total: number) => void, maxBytesPerFile = Infinity): IngestReport {
    const plan = this.planIngest(files);
    const reading = this.reading(plan, onProgress);
    const batch = parseFiles(plan.jobs, this.allowLabels, newBatch(), reading.onBytes, maxBytesPerFile);
    reading.end();
    return this.applyBatch(plan, batch);
  }

  /** The same, with the parse spread over worker threads when there is enough to read. */
  async ingestFilesParallel(files: TranscriptFile[], workerScript: string | undefined, onProgress?: (done: number, total: number) => void): Promise<IngestReport> {
    const threads = Math.min(4, Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
    const plan = this.planIngest(files);
    const reading = this.reading(plan, onProgress);
    const batch = !workerScript || threads < 2 || reading.total < WORKER_THRESHOLD_BYTES
      ? parseFiles(plan.jobs, this.allowLabels, newBatch(), reading.onBytes)
      : await parseInWorkers(workerScript, plan.jobs, this.allowLabels, threads, reading.onBytes, true);
    reading.end();
    return this.applyBatch(plan, batch);
  }

  /** Byte progress of the parse, and the reading phase's start and end. */
  private reading(plan: IngestPlan, onProgress?: (done: number, total: number) => void): { total: number; onBytes: (bytes: number) => void; end: () => void } {
    const total = plan.jobs.reduce((s, j) => s + j.bytes, 0);
    let done = 0;
    this.onPhase?.({ phase: 'reading', state: 'start', done: 0, total });
    return {
      total,
      onBytes: (bytes): void => {
        done += bytes;
        onProgress?.(done, total);
        this.onPhase?.({ phase: 'reading', state: 'progress', done, total });
      },
      end: (): void => this.onPhase?.({ phase: 'reading', state: 'end', done, total }),
    };
  }

  /** Decides, per file, where reading starts (or that it is unchanged). */
  private planIngest(files: TranscriptFile[]): IngestPlan {
    const plan: IngestPlan = { started: Date.now(), jobs: [], byPath: new Map(), rows: this.fileRows(files.length <= 16 ? files.map((f) => f.path) : undefined), unchanged: 0, reread: 0, seen: files.length, caughtUp: [] };
    for (const f of files) {
      plan.byPath.set(f.path, f);
      const row = plan.rows.get(f.path);
      let from = 0;
      let state = newFileParseState();
      if (row) {
        // Same file, size and time, read to its end: nothing new (a held-back unterminated tail has not moved either).
        if (row.identity === f.identity && row.size === f.size && row.mtime === f.mtimeMs && (row.offset === f.size || parseState(row.state).readToEnd)) {
          plan.unchanged++;
          continue;
        }
        if (row.identity === f.identity && f.size >= row.offset && tailChecksum(f.path, row.offset) === row.tail) {
          from = row.offset;
          state = parseState(row.state);
        } else {
          plan.reread++; // replaced or truncated: read again; the dedup keeps it from counting twice
        }
        if (from === f.size) {
          plan.caughtUp.push(f); // only the mtime moved
          continue;
        }
      }
      plan.jobs.push({ path: f.path, from, state, projectKey: f.projectKey, agentId: f.agentId, bytes: f.size - from });
    }
    return plan;
  }

  private applyBatch(plan: IngestPlan, batch: ParseBatch): IngestReport {
    const report: IngestReport = {
      configDirs: [], filesSeen: plan.seen, filesRead: 0, filesReread: plan.reread, filesUnchanged: plan.unchanged, bytesRead: 0, linesRead: 0,
      requestsAdded: 0, requestsUpdated: 0, malformedLines: 0, rejectedRequests: 0, malformedSamples: batch.malformedSamples, problems: [], durationMs: 0,
      changedKeys: [], changedSessions: touchedSessions(batch),
    };
    for (const f of batch.files) {
      if (f.problem) {
        report.problems.push({ path: f.path, problem: f.problem });
        continue;
      }
      report.filesRead++;
      report.bytesRead += f.endOffset - f.from;
      report.linesRead += f.lines;
      report.malformedLines += f.malformed;
      report.rejectedRequests += f.rejected ?? 0;
    }
    if (this.readOnly) {
      report.durationMs = Date.now() - plan.started;
      return report;
    }
    const fileIds = new Map<string, number>();
    this.onPhase?.({ phase: 'storing', state: 'start', done: 0, total: batch.turns.size });
    this.db.run('BEGIN');
    let files: ReturnType<Ledger['fileWriter']> | undefined;
    try {
      files = this.fileWriter();
      for (const f of plan.caughtUp) {
        const row = plan.rows.get(f.path)!;
        fileIds.set(f.path, files.write(f, row.id, row.offset, row.tail, parseState(row.state), 0, 0));
      }
      for (const pf of batch.files) {
        if (pf.problem) continue;
        const f = plan.byPath.get(pf.path)!;
        fileIds.set(pf.path, files.write(f, plan.rows.get(pf.path)?.id, pf.endOffset, pf.tail, pf.state, pf.lines, pf.malformed));
      }
      const counts = this.applyTurns(batch, fileIds, report.changedKeys);
      report.requestsAdded = counts.added;
      report.requestsUpdated = counts.updated;
      this.applyEvents(batch, fileIds);
      this.applySessions(batch);
      this.db.run('COMMIT');
    } catch (err) {
      this.db.run('ROLLBACK');
      throw err;
    } finally {
      files?.free();
    }
    if (batch.files.length || plan.caughtUp.length) this.dirty = true;
    this.onPhase?.({ phase: 'storing', state: 'end', done: batch.turns.size, total: batch.turns.size });
    report.durationMs = Date.now() - plan.started;
    return report;
  }

  /** Stored file rows: all of them, or only the given paths (a file event names a few). */
  private fileRows(paths?: string[]): Map<string, FileRow> {
    const map = new Map<string, FileRow>();
    const where = paths ? ` WHERE path IN (${paths.map(() => '?').join(',')})` : '';
    const r = this.db.exec(`SELECT path, id, identity, size, mtime, offset, tail, state FROM files${where}`, paths);
    if (r.length) {
      for (const v of r[0].values) {
        map.set(String(v[0]), { id: Number(v[1]), identity: String(v[2]), size: Number(v[3]), mtime: Number(v[4]), offset: Number(v[5]), tail: String(v[6]), state: String(v[7]) });
      }
    }
    return map;
  }

  /** Writes file rows with two prepared statements; new files get ids counted up from the largest. */
  private fileWriter(): { write(f: TranscriptFile, id: number | undefined, offset: number, tail: string, state: FileParseState, lines: number, malformed: number): number; free(): void } {
    const insert = this.db.prepare('INSERT INTO files (id, path, config_dir, identity, size, mtime, offset, tail, state, lines, malformed) VALUES (?,?,?,?,?,?,?,?,?,?,?)');
    const update = this.db.prepare('UPDATE files SET identity = ?, size = ?, mtime = ?, offset = ?, tail = ?, state = ?, lines = lines + ?, malformed = malformed + ?, missing = 0 WHERE id = ?');
    let nextId = Number(this.db.exec('SELECT coalesce(max(id), 0) FROM files')[0].values[0][0]) + 1;
    return {
      write: (f, id, offset, tail, state, lines, malformed): number => {
        const stateJson = JSON.stringify({ ...state, knownKeys: undefined });
        if (id === undefined) {
          id = nextId++;
          insert.run([id, f.path, f.projectsDir, f.identity, f.size, f.mtimeMs, offset, tail, stateJson, lines, malformed]);
        } else update.run([f.identity, f.size, f.mtimeMs, offset, tail, stateJson, lines, malformed, id]);
        return id;
      },
      free: (): void => {
        insert.free();
        update.free();
      },
    };
  }

  private applyTurns(batch: ParseBatch, fileIds: Map<string, number>, changed: string[]): { added: number; updated: number } {
    if (!batch.turns.size) return { added: 0, updated: 0 };
    const empty = this.db.exec('SELECT 1 FROM requests LIMIT 1').length === 0;
    if (empty && batch.turns.size >= BULK_ROWS * 10) return this.bulkInsertTurns(batch, fileIds, changed);
    const placeholders = REQUEST_COLUMNS.map(() => '?').join(',');
    const insert = this.db.prepare(`INSERT OR REPLACE INTO requests (${REQUEST_COLUMNS.join(',')}) VALUES (${placeholders})`);
    const select = empty ? undefined : this.db.prepare(`SELECT ${REQUEST_COLUMNS.map((c) => `r.${c}`).join(',')}, f.path FROM requests r LEFT JOIN files f ON f.id = r.file_id WHERE r.key = ?`);
    const byMsg = empty ? undefined : this.db.prepare('SELECT key, sidechain, agent_id, progress FROM requests WHERE msg_id = ? AND key <> ?');
    let added = 0;
    let updated = 0;
    try {
      for (let t of batch.turns.values()) {
        if (select) {
          const existing = selectTurn(select, t.key);
          if (existing) {
            t = mergeTurn(existing, t);
            updated++;
          } else added++;
          if (byMsg && this.resolveBtw(byMsg, t, changed)) continue;
        } else added++;
        const fileId = fileIds.get(t.file) ?? this.fileIdOf(t.file);
        insert.run(turnToRow(t, fileId, this.pricer.price(t)));
        changed.push(t.key);
      }
    } finally {
      insert.free();
      select?.free();
      byMsg?.free();
    }
    return { added, updated };
  }

  /** A first ingest into an empty table: rows many at a time, indexes built once at the end. */
  private bulkInsertTurns(batch: ParseBatch, fileIds: Map<string, number>, changed: string[]): { added: number; updated: number } {
    return withoutRequestTriggers(this.db, () => this.bulkInsertRows(batch, fileIds, changed));
  }

  private bulkInsertRows(batch: ParseBatch, fileIds: Map<string, number>, changed: string[]): { added: number; updated: number } {
    this.db.run(DROP_REQUEST_INDEXES);
    const row = `(${REQUEST_COLUMNS.map(() => '?').join(',')})`;
    const many = this.db.prepare(`INSERT OR REPLACE INTO requests (${REQUEST_COLUMNS.join(',')}) VALUES ${Array(BULK_ROWS).fill(row).join(',')}`);
    const one = this.db.prepare(`INSERT OR REPLACE INTO requests (${REQUEST_COLUMNS.join(',')}) VALUES ${row}`);
    let pending: SqlValue[] = [];
    let count = 0;
    try {
      for (const t of batch.turns.values()) {
        pending.push(...turnToRow(t, fileIds.get(t.file) ?? this.fileIdOf(t.file), this.pricer.price(t)));
        changed.push(t.key);
        if (++count % BULK_ROWS === 0) {
          many.run(pending);
          pending = [];
        }
      }
      for (let i = 0; i < pending.length; i += REQUEST_COLUMNS.length) one.run(pending.slice(i, i + REQUEST_COLUMNS.length));
    } finally {
      many.free();
      one.free();
      this.db.run(CREATE_REQUEST_INDEXES);
    }
    return { added: count, updated: 0 };
  }

  private fileIdOf(filePath: string): number {
    const r = this.db.exec('SELECT id FROM files WHERE path = ?', [filePath]);
    return r.length ? Number(r[0].values[0][0]) : 0;
  }

  /** Drops a `/btw` replay against stored rows; returns true when `t` itself is the replay. */
  private resolveBtw(byMsg: Statement, t: Turn, changed: string[]): boolean {
    byMsg.bind([t.messageId, t.key]);
    const others: { key: string; sidechain: boolean; agentId: string; progress: boolean }[] = [];
    while (byMsg.step()) {
      const r = byMsg.get();
      others.push({ key: String(r[0]), sidechain: Number(r[1]) === 1, agentId: String(r[2]), progress: Number(r[3]) === 1 });
    }
    byMsg.reset();
    for (const o of others) {
      const other = { ...t, key: o.key, isSidechain: o.sidechain, agentId: o.agentId, fromProgress: o.progress };
      if (isBtwReplay(t, other)) return true;
      if (isBtwReplay(other, t)) {
        this.db.run('DELETE FROM requests WHERE key = ?', [o.key]);
        changed.push(o.key);
      }
    }
    return false;
  }

  private applyEvents(batch: ParseBatch, fileIds: Map<string, number>): void {
    if (!batch.events.length) return;
    const stmt = this.db.prepare('INSERT OR IGNORE INTO events (id, kind, session_id, agent_id, ts, file_id, offset, data) VALUES (?,?,?,?,?,?,?,?)');
    try {
      for (const e of batch.events) stmt.run([e.id, e.kind, e.sessionId, e.agentId, e.timestamp, fileIds.get(e.file) ?? this.fileIdOf(e.file), e.offset, JSON.stringify(e.data)]);
    } finally {
      stmt.free();
    }
  }

  private applySessions(batch: ParseBatch): void {
    if (batch.sessions.size) mergeSessions(this.db, batch.sessions.values());
  }

  /**
   * Folders this ledger read that are not among `projectsDirs` (compared by real path, so another
   * spelling of a folder is the same folder), with what they hold. Nothing is removed here.
   */
  unreadFolders(projectsDirs: string[]): UnreadFolder[] {
    const reading = new Set(projectsDirs.map(realPathOf));
    const out: UnreadFolder[] = [];
    const r = this.db.exec('SELECT config_dir FROM files GROUP BY config_dir');
    for (const [dir] of r.length ? r[0].values : []) {
      const configDir = String(dir);
      if (reading.has(realPathOf(configDir))) continue;
      const spend = this.db.exec('SELECT count(*), coalesce(sum(cost_nanos), 0) FROM requests WHERE file_id IN (SELECT id FROM files WHERE config_dir = ?)', [configDir])[0].values[0];
      const paths = this.db.exec('SELECT path FROM files WHERE config_dir = ?', [configDir]);
      const transcriptsGone = (paths.length ? paths[0].values : []).filter(([p]) => !fs.existsSync(String(p))).length;
      out.push({ configDir, requests: Number(spend[0]), costNanos: Number(spend[1]), transcriptsGone });
    }
    return out;
  }

  /**
   * Removes what was read from the given folders (the user said so: a folder taken off the read
   * list). Returns how many requests left the ledger.
   */
  forgetFolders(configDirs: string[]): number {
    if (this.readOnly || !configDirs.length) return 0;
    const list = configDirs.map(() => '?').join(',');
    const gone = `SELECT id FROM files WHERE config_dir IN (${list})`;
    const count = Number(this.db.exec(`SELECT count(*) FROM requests WHERE file_id IN (${gone})`, configDirs)[0].values[0][0]);
    this.db.run('BEGIN');
    try {
      this.db.run('CREATE TEMP TABLE dropped_sessions AS SELECT DISTINCT session_id FROM requests WHERE file_id IN (' + gone + ')', configDirs);
      this.db.run(`DELETE FROM requests WHERE file_id IN (${gone})`, configDirs);
      this.db.run(`DELETE FROM events WHERE file_id IN (${gone})`, configDirs);
      this.db.run(`DELETE FROM files WHERE config_dir IN (${list})`, configDirs);
      // Sessions that lived only in those folders go with them, and what was derived from them.
      const orphaned = 'SELECT session_id FROM dropped_sessions WHERE session_id NOT IN (SELECT DISTINCT session_id FROM requests)';
      this.db.run(`DELETE FROM sessions WHERE session_id IN (${orphaned})`);
      this.db.run(`DELETE FROM own_records WHERE session_id IN (${orphaned})`);
      this.db.run(`DELETE FROM corrections WHERE session_id IN (SELECT session_id FROM dropped_sessions) AND (own_row = 1 OR key NOT IN (SELECT key FROM requests))`);
      this.db.run('DROP TABLE dropped_sessions');
      // Row ids freed here are handed out again: what was derived incrementally (by rowid watermarks) is recomputed whole.
      this.db.run(`DELETE FROM meta WHERE key = 'corrections'`);
      this.db.run('COMMIT');
    } catch (err) {
      this.db.run('ROLLBACK');
      throw err;
    }
    this.dirty = true;
    return count;
  }

  /** Marks files that no longer exist (their requests stay: the money was spent). */
  markMissing(existingPaths: Set<string>): number {
    const r = this.db.exec('SELECT id, path FROM files WHERE missing = 0');
    let n = 0;
    if (r.length) {
      for (const [id, p] of r[0].values) {
        if (!existingPaths.has(String(p))) {
          this.db.run('UPDATE files SET missing = 1 WHERE id = ?', [id]);
          n++;
        }
      }
    }
    if (n) this.dirty = true;
    return n;
  }

  save(): void {
    if (!this.file || this.readOnly || !this.dirty) return;
    saveStore(this.db, this.file);
    this.dirty = false;
  }

  close(): void {
    this.db.close();
    this.releaseLock?.();
    this.releaseLock = undefined;
  }
}

/** Every session a batch wrote to: its own lines, requests from subagent files, Task results and cost-state lines (corrections follow all of them). */
function touchedSessions(batch: ParseBatch): string[] {
  const out = new Set(batch.sessions.keys());
  for (const t of batch.turns.values()) out.add(t.sessionId);
  for (const e of batch.events) out.add(e.sessionId);
  return [...out];
}

function selectTurn(stmt: Statement, key: string): Turn | undefined {
  stmt.bind([key]);
  try {
    if (!stmt.step()) return undefined;
    const r = stmt.get() as SqlValue[];
    return rowToTurn(r, String(r[REQUEST_COLUMNS.length] ?? ''));
  } finally {
    stmt.reset();
  }
}

function parseState(json: string): FileParseState {
  try {
    return { ...newFileParseState(), ...(JSON.parse(json) as Partial<FileParseState>), knownKeys: undefined };
  } catch {
    return newFileParseState();
  }
}

/** Merges session observations into the sessions table by the dedup's rule (ingest, and rows pulled from the shared ledger); returns how many. */
export function mergeSessions(db: Database, sessions: Iterable<SessionObservation>): number {
  const select = db.prepare('SELECT project_key, cwd, entrypoint, queue_op, first_prompt_hash, label, first_ts, last_ts FROM sessions WHERE session_id = ?');
  const upsert = db.prepare('INSERT OR REPLACE INTO sessions (session_id, project_key, cwd, entrypoint, queue_op, first_prompt_hash, label, first_ts, last_ts) VALUES (?,?,?,?,?,?,?,?,?)');
  let n = 0;
  try {
    for (const s of sessions) {
      let merged = s;
      select.bind([s.sessionId]);
      if (select.step()) {
        const r = select.get();
        const stored: SessionObservation = {
          sessionId: s.sessionId, projectKey: String(r[0]), cwd: String(r[1]), entrypoint: String(r[2]), queueOperationStart: Number(r[3]) === 1,
          firstPromptHash: String(r[4]), firstPromptLabel: String(r[5]), firstTimestamp: Number(r[6]), lastTimestamp: Number(r[7]),
        };
        merged = mergeObservation(stored, s);
      }
      select.reset();
      upsert.run([merged.sessionId, merged.projectKey, merged.cwd, merged.entrypoint, merged.queueOperationStart ? 1 : 0, merged.firstPromptHash, merged.firstPromptLabel, merged.firstTimestamp, merged.lastTimestamp]);
      n++;
    }
  } finally {
    select.free();
    upsert.free();
  }
  return n;
}
