// The ledger: incremental ingest of transcripts into the sql.js store, deduplicated and priced.
import type { Database, SqlValue, Statement } from 'sql.js';
import type { PriceableUsage, TranscriptEvent, Turn } from '../model';
import { discover, type ConfigDir, type DiscoveryProblem, type TranscriptFile } from '../transcripts/discovery';
import { newFileParseState, parseLine, type FileParseState, type SessionObservation } from '../transcripts/lineParser';
import { isBtwReplay, mergeTurn } from '../transcripts/merge';
import { readLines, tailChecksum } from '../transcripts/reader';
import { REQUEST_COLUMNS, rowToTurn, turnToRow, type PriceFields } from './rows';
import { acquireLock, openStore, saveStore } from './store';

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
  /** Up to 20 examples of skipped lines: file, offset, reason. */
  malformedSamples: { file: string; offset: number; reason: string }[];
  problems: DiscoveryProblem[];
  durationMs: number;
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

interface Batch {
  turns: Map<string, Turn>;
  byMessage: Map<string, string[]>;
  events: TranscriptEvent[];
  sessions: Map<string, SessionObservation>;
  fileIds: Map<string, number>;
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
    const opened = await openStore({ file: opts.file, readOnly, seedFrom: opts.seedFrom });
    const ledger = new Ledger(opened.db, opts, readOnly, opened.recovered, release);
    ledger.repriceIfNeeded();
    if (opened.created || opened.recovered) ledger.dirty = true;
    return ledger;
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
      const update = this.db.prepare('UPDATE requests SET cost_nanos = ?, priced = ?, long_ctx = ? WHERE key = ?');
      this.db.run('BEGIN');
      for (const r of rows[0].values) {
        const p = this.pricer.price({
          model: String(r[1]), timestamp: Number(r[2]), input: Number(r[3]), output: Number(r[4]), cacheWrite5m: Number(r[5]),
          cacheWrite1h: Number(r[6]), cacheRead: Number(r[7]), webSearches: Number(r[8]), speed: String(r[9]), inferenceGeo: String(r[10]),
        });
        update.run([p.costNanos, p.priced ? 1 : 0, p.longContext ? 1 : 0, r[0]]);
      }
      this.db.run('COMMIT');
      update.free();
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
    report.problems = found.problems;
    this.setMeta('config_dirs', JSON.stringify(configDirs.map((d) => d.root)));
    return report;
  }

  /** Ingests the given files (already discovered); reads only bytes appended since the last ingest. */
  ingestFiles(files: TranscriptFile[], onProgress?: (done: number, total: number) => void): IngestReport {
    const started = Date.now();
    const report: IngestReport = {
      configDirs: [], filesSeen: files.length, filesRead: 0, filesReread: 0, filesUnchanged: 0, bytesRead: 0, linesRead: 0,
      requestsAdded: 0, requestsUpdated: 0, malformedLines: 0, malformedSamples: [], problems: [], durationMs: 0,
    };
    const batch: Batch = { turns: new Map(), byMessage: new Map(), events: [], sessions: new Map(), fileIds: new Map() };
    const fileUpdates: { file: TranscriptFile; id: number | undefined; offset: number; tail: string; state: FileParseState; lines: number; malformed: number }[] = [];
    const totalBytes = files.reduce((s, f) => s + f.size, 0);
    let doneBytes = 0;
    const existingFiles = this.fileRows();
    for (const f of files) {
      const row = existingFiles.get(f.path);
      let from = 0;
      let state = newFileParseState();
      if (row) {
        if (row.identity === f.identity && row.size === f.size && row.mtime === f.mtimeMs && row.offset === f.size) {
          report.filesUnchanged++;
          continue;
        }
        if (row.identity === f.identity && f.size >= row.offset && tailChecksum(f.path, row.offset) === row.tail) {
          from = row.offset;
          state = parseState(row.state);
        } else {
          report.filesReread++; // replaced or truncated: read again; the dedup keeps it from counting twice
        }
      }
      if (from === f.size && row) {
        fileUpdates.push({ file: f, id: row.id, offset: from, tail: row.tail, state, lines: 0, malformed: 0 });
        continue;
      }
      const ctx = { file: f.path, projectKey: f.projectKey, fileAgentId: f.agentId, allowLabels: this.allowLabels };
      let malformed = 0;
      const sink = {
        turn: (t: Turn) => addTurn(batch, t),
        event: (e: TranscriptEvent) => batch.events.push(e),
        session: (s: SessionObservation) => mergeSession(batch.sessions, s),
        malformed: (reason: string) => {
          malformed++;
          report.malformedLines++;
          if (report.malformedSamples.length < 20) report.malformedSamples.push({ file: f.path, offset: currentOffset, reason });
        },
      };
      let currentOffset = from;
      let result;
      try {
        result = readLines(f.path, from, (line, offset) => {
          currentOffset = offset;
          try {
            parseLine(line, offset, ctx, state, sink);
          } catch (err) {
            sink.malformed(`parser error: ${(err as Error).message}`);
          }
        });
      } catch (err) {
        report.problems.push({ path: f.path, problem: `read failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
        continue;
      }
      report.filesRead++;
      report.bytesRead += result.endOffset - from;
      report.linesRead += result.lines;
      fileUpdates.push({ file: f, id: row?.id, offset: result.endOffset, tail: result.tailChecksum, state, lines: result.lines, malformed });
      doneBytes += f.size;
      onProgress?.(doneBytes, totalBytes);
    }
    if (this.readOnly) {
      report.durationMs = Date.now() - started;
      return report;
    }
    this.db.run('BEGIN');
    try {
      for (const u of fileUpdates) {
        const id = this.upsertFile(u.file, u.id, u.offset, u.tail, u.state, u.lines, u.malformed);
        batch.fileIds.set(u.file.path, id);
      }
      const counts = this.applyTurns(batch);
      report.requestsAdded = counts.added;
      report.requestsUpdated = counts.updated;
      this.applyEvents(batch);
      this.applySessions(batch);
      this.db.run('COMMIT');
    } catch (err) {
      this.db.run('ROLLBACK');
      throw err;
    }
    if (fileUpdates.length) this.dirty = true;
    report.durationMs = Date.now() - started;
    return report;
  }

  private fileRows(): Map<string, FileRow> {
    const map = new Map<string, FileRow>();
    const r = this.db.exec('SELECT path, id, identity, size, mtime, offset, tail, state FROM files');
    if (r.length) {
      for (const v of r[0].values) {
        map.set(String(v[0]), { id: Number(v[1]), identity: String(v[2]), size: Number(v[3]), mtime: Number(v[4]), offset: Number(v[5]), tail: String(v[6]), state: String(v[7]) });
      }
    }
    return map;
  }

  private upsertFile(f: TranscriptFile, id: number | undefined, offset: number, tail: string, state: FileParseState, lines: number, malformed: number): number {
    const stateJson = JSON.stringify(state);
    if (id === undefined) {
      this.db.run(
        'INSERT INTO files (path, config_dir, identity, size, mtime, offset, tail, state, lines, malformed) VALUES (?,?,?,?,?,?,?,?,?,?)',
        [f.path, f.projectsDir, f.identity, f.size, f.mtimeMs, offset, tail, stateJson, lines, malformed],
      );
      return Number(this.db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
    }
    this.db.run(
      'UPDATE files SET identity = ?, size = ?, mtime = ?, offset = ?, tail = ?, state = ?, lines = lines + ?, malformed = malformed + ?, missing = 0 WHERE id = ?',
      [f.identity, f.size, f.mtimeMs, offset, tail, stateJson, lines, malformed, id],
    );
    return id;
  }

  private applyTurns(batch: Batch): { added: number; updated: number } {
    if (!batch.turns.size) return { added: 0, updated: 0 };
    const empty = this.db.exec('SELECT 1 FROM requests LIMIT 1').length === 0;
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
          if (byMsg && this.resolveBtw(byMsg, t)) continue;
        } else added++;
        const fileId = batch.fileIds.get(t.file) ?? this.fileIdOf(t.file);
        insert.run(turnToRow(t, fileId, this.pricer.price(t)));
      }
    } finally {
      insert.free();
      select?.free();
      byMsg?.free();
    }
    return { added, updated };
  }

  private fileIdOf(filePath: string): number {
    const r = this.db.exec('SELECT id FROM files WHERE path = ?', [filePath]);
    return r.length ? Number(r[0].values[0][0]) : 0;
  }

  /** Drops a `/btw` replay against stored rows; returns true when `t` itself is the replay. */
  private resolveBtw(byMsg: Statement, t: Turn): boolean {
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
      if (isBtwReplay(other, t)) this.db.run('DELETE FROM requests WHERE key = ?', [o.key]);
    }
    return false;
  }

  private applyEvents(batch: Batch): void {
    if (!batch.events.length) return;
    const stmt = this.db.prepare('INSERT OR IGNORE INTO events (id, kind, session_id, agent_id, ts, file_id, offset, data) VALUES (?,?,?,?,?,?,?,?)');
    try {
      for (const e of batch.events) stmt.run([e.id, e.kind, e.sessionId, e.agentId, e.timestamp, batch.fileIds.get(e.file) ?? 0, e.offset, JSON.stringify(e.data)]);
    } finally {
      stmt.free();
    }
  }

  private applySessions(batch: Batch): void {
    if (!batch.sessions.size) return;
    const select = this.db.prepare('SELECT project_key, cwd, entrypoint, queue_op, first_prompt_hash, label, first_ts, last_ts FROM sessions WHERE session_id = ?');
    const upsert = this.db.prepare('INSERT OR REPLACE INTO sessions (session_id, project_key, cwd, entrypoint, queue_op, first_prompt_hash, label, first_ts, last_ts) VALUES (?,?,?,?,?,?,?,?,?)');
    try {
      for (const s of batch.sessions.values()) {
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
      }
    } finally {
      select.free();
      upsert.free();
    }
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

  /** All stored requests as Turns (for reports over modest ledgers and for tests). */
  allTurns(): Turn[] {
    const r = this.db.exec(`SELECT ${REQUEST_COLUMNS.map((c) => `r.${c}`).join(',')}, f.path FROM requests r LEFT JOIN files f ON f.id = r.file_id ORDER BY r.ts, r.file_id, r.offset`);
    if (!r.length) return [];
    return r[0].values.map((v) => rowToTurn(v, String(v[REQUEST_COLUMNS.length] ?? '')));
  }
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
    return { ...newFileParseState(), ...(JSON.parse(json) as Partial<FileParseState>) };
  } catch {
    return newFileParseState();
  }
}

function addTurn(batch: Batch, t: Turn): void {
  const existing = batch.turns.get(t.key);
  if (existing) {
    batch.turns.set(t.key, mergeTurn(existing, t));
    return;
  }
  const siblings = batch.byMessage.get(t.messageId);
  if (siblings) {
    for (const k of siblings) {
      const other = batch.turns.get(k);
      if (!other) continue;
      if (isBtwReplay(t, other)) return;
      if (isBtwReplay(other, t)) batch.turns.delete(k);
    }
    siblings.push(t.key);
  } else batch.byMessage.set(t.messageId, [t.key]);
  batch.turns.set(t.key, t);
}

function mergeObservation(a: SessionObservation, b: SessionObservation): SessionObservation {
  return {
    sessionId: a.sessionId,
    projectKey: a.projectKey || b.projectKey,
    cwd: a.cwd || b.cwd,
    entrypoint: b.entrypoint || a.entrypoint,
    queueOperationStart: a.queueOperationStart || b.queueOperationStart,
    firstPromptHash: a.firstPromptHash || b.firstPromptHash,
    firstPromptLabel: a.firstPromptLabel || b.firstPromptLabel,
    firstTimestamp: a.firstTimestamp && b.firstTimestamp ? Math.min(a.firstTimestamp, b.firstTimestamp) : a.firstTimestamp || b.firstTimestamp,
    lastTimestamp: Math.max(a.lastTimestamp, b.lastTimestamp),
  };
}

function mergeSession(map: Map<string, SessionObservation>, s: SessionObservation): void {
  const prev = map.get(s.sessionId);
  map.set(s.sessionId, prev ? mergeObservation(prev, s) : s);
}
