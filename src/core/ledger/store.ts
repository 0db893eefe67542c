// The sql.js ledger: schema, migrations, persistence (lock, atomic saves, corruption recovery).
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic } from 'sql.js';
import { writeFileAtomic } from '../state/atomicFile';

export const SCHEMA_VERSION = 4;

export const CREATE_REQUEST_INDEXES = `
    CREATE INDEX IF NOT EXISTS requests_msg ON requests(msg_id);
    CREATE INDEX IF NOT EXISTS requests_session ON requests(session_id);
    CREATE INDEX IF NOT EXISTS requests_ts ON requests(ts);`;
export const DROP_REQUEST_INDEXES = 'DROP INDEX IF EXISTS requests_msg; DROP INDEX IF EXISTS requests_session; DROP INDEX IF EXISTS requests_ts;';

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS files (
      id INTEGER PRIMARY KEY,
      path TEXT NOT NULL UNIQUE,
      config_dir TEXT NOT NULL,
      identity TEXT NOT NULL,
      size INTEGER NOT NULL,
      mtime REAL NOT NULL,
      offset INTEGER NOT NULL,
      tail TEXT NOT NULL,
      state TEXT NOT NULL,
      lines INTEGER NOT NULL DEFAULT 0,
      malformed INTEGER NOT NULL DEFAULT 0,
      missing INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS requests (
      key TEXT PRIMARY KEY,
      msg_id TEXT NOT NULL,
      request_id TEXT NOT NULL,
      session_id TEXT NOT NULL,
      agent_id TEXT NOT NULL,
      sidechain INTEGER NOT NULL,
      progress INTEGER NOT NULL,
      project_key TEXT NOT NULL,
      cwd TEXT NOT NULL,
      git_branch TEXT NOT NULL,
      version TEXT NOT NULL,
      entrypoint TEXT NOT NULL,
      prompt_source TEXT NOT NULL,
      turn_origin TEXT NOT NULL,
      model TEXT NOT NULL,
      ts INTEGER NOT NULL,
      input INTEGER NOT NULL,
      output INTEGER NOT NULL,
      cw5m INTEGER NOT NULL,
      cw1h INTEGER NOT NULL,
      cr INTEGER NOT NULL,
      web_search INTEGER NOT NULL,
      web_fetch INTEGER NOT NULL,
      speed TEXT NOT NULL,
      geo TEXT NOT NULL,
      tier TEXT NOT NULL,
      stop_reason TEXT NOT NULL,
      text_chars INTEGER NOT NULL,
      tool_chars INTEGER NOT NULL,
      thinking_chars INTEGER NOT NULL,
      tools TEXT NOT NULL,
      blocks TEXT NOT NULL,
      file_id INTEGER NOT NULL,
      offset INTEGER NOT NULL,
      cost_nanos INTEGER NOT NULL,
      priced INTEGER NOT NULL,
      long_ctx INTEGER NOT NULL
    );
    ${CREATE_REQUEST_INDEXES}
    CREATE TABLE IF NOT EXISTS events (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      session_id TEXT NOT NULL,
      agent_id TEXT NOT NULL,
      ts INTEGER NOT NULL,
      file_id INTEGER NOT NULL,
      offset INTEGER NOT NULL,
      data TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS events_session ON events(session_id, kind);
    CREATE TABLE IF NOT EXISTS sessions (
      session_id TEXT PRIMARY KEY,
      project_key TEXT NOT NULL,
      cwd TEXT NOT NULL,
      entrypoint TEXT NOT NULL,
      queue_op INTEGER NOT NULL,
      first_prompt_hash TEXT NOT NULL,
      label TEXT NOT NULL,
      first_ts INTEGER NOT NULL,
      last_ts INTEGER NOT NULL
    );
  `,
  // Corrections to what transcripts undercount, each beside its request with its source (core/corrections):
  // token counts and cost it adds; project_key and model only on rows of their own (own_row = 1: models only
  // Claude Code's records hold). And Claude Code's own records kept after their file moves on (~/.claude.json).
  2: `
    CREATE TABLE IF NOT EXISTS corrections (
      key TEXT NOT NULL,
      source TEXT NOT NULL,
      session_id TEXT NOT NULL,
      project_key TEXT NOT NULL,
      model TEXT NOT NULL,
      ts INTEGER NOT NULL,
      own_row INTEGER NOT NULL,
      input INTEGER NOT NULL,
      output INTEGER NOT NULL,
      cw5m INTEGER NOT NULL,
      cw1h INTEGER NOT NULL,
      cr INTEGER NOT NULL,
      web_search INTEGER NOT NULL,
      cost_nanos INTEGER NOT NULL,
      priced INTEGER NOT NULL,
      detail TEXT NOT NULL,
      PRIMARY KEY (key, source)
    );
    CREATE INDEX IF NOT EXISTS corrections_session ON corrections(session_id);
    CREATE TABLE IF NOT EXISTS own_records (
      session_id TEXT NOT NULL,
      origin TEXT NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (session_id, origin)
    );
  `,
};

// The shared ledger (core/sync): the machine each row came from ('' = read on this machine, else the id of
// the machine that first pushed it to the shared ledger), and the outbox of what the server has not yet acknowledged.
const MACHINE_COLUMNS: readonly string[] = ['requests', 'events', 'own_records'];
const CREATE_OUTBOX = `
    CREATE TABLE IF NOT EXISTS sync_outbox (
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (kind, id)
    );`;

/** Steps written as code: a column added only where it is missing (a ledger part-way through a step is not corrupt). */
const MIGRATION_STEPS: Record<number, (db: Database) => void> = {
  3: (db) => {
    for (const table of MACHINE_COLUMNS) addColumn(db, table, 'machine_id', "TEXT NOT NULL DEFAULT ''");
    db.run(CREATE_OUTBOX);
  },
  // How sure a request's price is (core/pricing PRICE_FLAGS): 1 estimated at a family's newest row, 2 a lower bound
  // (fast mode with no fast rate). Rows written before it are repriced: the rules version changed with it.
  4: (db) => addColumn(db, 'requests', 'price_flags', 'INTEGER NOT NULL DEFAULT 0'),
};

function addColumn(db: Database, table: string, column: string, decl: string): void {
  const cols = db.exec(`PRAGMA table_info(${table})`);
  if (cols.length && cols[0].values.some((v) => v[1] === column)) return;
  db.run(`ALTER TABLE ${table} ADD COLUMN ${column} ${decl}`);
}

/** A ledger written by a newer Credit Ledger: not corrupt, so it is refused, never set aside or rebuilt. */
export class SchemaTooNewError extends Error {
  constructor(readonly version: number) {
    super(`this ledger was written by a newer Credit Ledger (schema ${version}; this one reads up to ${SCHEMA_VERSION}): update Credit Ledger, or point --db at another file`);
  }
}

let sqlPromise: Promise<SqlJsStatic> | undefined;

/** Loads sql.js once per process; the wasm sits beside the bundle (dist/) or in node_modules. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!sqlPromise) {
    // Beside the bundle in dist/; from node_modules when running from source (tests).
    const candidates = [path.join(__dirname, 'sql-wasm.wasm'), path.join(__dirname, '..', '..', '..', 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm')];
    const wasmPath = candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
    const wasmBinary = fs.readFileSync(wasmPath);
    sqlPromise = initSqlJs({ wasmBinary: wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) as ArrayBuffer });
  }
  return sqlPromise;
}

export interface StoreOpenResult {
  db: Database;
  /** Set when the file could not be opened and was set aside; says what happened. */
  recovered?: string;
  readOnly: boolean;
  created: boolean;
}

export interface OpenOptions {
  /** File path, or undefined for an in-memory ledger. */
  file?: string;
  /** Open without taking the write lock (another process writes). */
  readOnly?: boolean;
  /** A ledger to start from when the file does not exist yet (DESIGN.md: requests outlive transcripts). */
  seedFrom?: string;
}

function migrate(db: Database): void {
  db.run(MIGRATIONS[1]);
  const row = db.exec(`SELECT value FROM meta WHERE key = 'schema_version'`);
  let version = row.length ? Number(row[0].values[0][0]) : 0;
  if (version > SCHEMA_VERSION) throw new SchemaTooNewError(version);
  while (version < SCHEMA_VERSION) {
    version++;
    if (MIGRATION_STEPS[version]) MIGRATION_STEPS[version](db);
    else if (version > 1) db.run(MIGRATIONS[version]);
  }
  db.run(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`, [String(version)]);
}

/** A file that is not a whole SQLite image: empty, foreign, or cut short (sql.js would take it as a valid empty or partial database). */
export function imageProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'the file is empty (0 bytes)';
  if (bytes.length < 100 || Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== 'SQLite format 3\0') return 'the file is not a SQLite database';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = view.getUint16(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return 'the file has no valid page size';
  const pages = view.getUint32(28);
  // The header's page count holds when its change counter matches (SQLite 3.7.0+ writes both).
  if (pages > 0 && view.getUint32(92) === view.getUint32(24) && bytes.length < pages * pageSize) return `the file is cut short (${bytes.length} of ${pages * pageSize} bytes)`;
  if (bytes.length % pageSize !== 0) return `the file is cut short (${bytes.length} bytes is not a whole number of ${pageSize}-byte pages)`;
  return undefined;
}

/** Opens bytes as a ledger after checking the whole database (every page, not only the schema table), then migrates. */
function openBytes(SQL: SqlJsStatic, bytes: Uint8Array | undefined): Database {
  if (bytes) {
    const problem = imageProblem(bytes);
    if (problem) throw new Error(problem);
  }
  const db = bytes ? new SQL.Database(bytes) : new SQL.Database();
  try {
    if (bytes) {
      // quick_check reads every page of every table and index: one bad page fails here, not in a later query.
      const r = db.exec('PRAGMA quick_check');
      const lines = r.length ? r[0].values.map((v) => String(v[0])) : ['no answer'];
      if (lines.length !== 1 || lines[0] !== 'ok') throw new Error(`database check failed: ${lines.slice(0, 3).join('; ')}`);
    }
    migrate(db);
    if (bytes) {
      const problem = schemaProblem(SQL, db);
      if (problem) throw new Error(problem);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

let expectedColumns: Map<string, string[]> | undefined;

function columnsOf(db: Database): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const tables = db.exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
  for (const [name] of tables.length ? tables[0].values : []) {
    const cols = db.exec(`PRAGMA table_info("${String(name).replace(/"/g, '""')}")`);
    out.set(String(name), cols.length ? cols[0].values.map((v) => String(v[1])) : []);
  }
  return out;
}

/** A table of ours missing a column (a file edited by hand, or a foreign database that happens to pass the check): later queries would fail. */
function schemaProblem(SQL: SqlJsStatic, db: Database): string | undefined {
  if (!expectedColumns) {
    const fresh = new SQL.Database();
    try {
      migrate(fresh);
      expectedColumns = columnsOf(fresh);
    } finally {
      fresh.close();
    }
  }
  const actual = columnsOf(db);
  for (const [table, cols] of expectedColumns) {
    const have = new Set(actual.get(table) ?? []);
    const missing = cols.filter((c) => !have.has(c));
    if (missing.length) return `table ${table} lacks ${missing.join(', ')}`;
  }
  return undefined;
}

function readIfExists(file: string): Uint8Array | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The previous good copy kept beside a ledger by every save. */
export function previousCopyOf(file: string): string {
  return `${file}.prev`;
}

export async function openStore(opts: OpenOptions): Promise<StoreOpenResult> {
  const SQL = await loadSqlJs();
  const file = opts.file;
  if (!file) return openMemory(SQL, opts.seedFrom);
  const readOnly = !!opts.readOnly;
  const bytes = readIfExists(file);
  if (bytes) {
    try {
      return { db: openBytes(SQL, bytes), readOnly, created: false };
    } catch (err) {
      if (err instanceof SchemaTooNewError) throw err;
      return recover(SQL, opts, file, (err as Error).message);
    }
  }
  // No file but a last good copy: a file deleted by hand or lost between renames (Rebuild deletes both).
  if (fs.existsSync(previousCopyOf(file))) return recover(SQL, opts, file, 'the file is missing');
  const seed = opts.seedFrom ? readIfExists(opts.seedFrom) : undefined;
  if (seed) {
    try {
      return { db: openBytes(SQL, seed), readOnly, created: true };
    } catch (err) {
      if (err instanceof SchemaTooNewError) throw err;
      // a bad seed is only a missed head start: start empty
    }
  }
  return { db: openBytes(SQL, undefined), readOnly, created: true };
}

/** An in-memory ledger, empty or a copy of `seedFrom` (a read-only run's view of a ledger file it never writes). */
function openMemory(SQL: SqlJsStatic, seedFrom: string | undefined): StoreOpenResult {
  const bytes = seedFrom && fs.existsSync(seedFrom) ? fs.readFileSync(seedFrom) : undefined;
  try {
    return { db: openBytes(SQL, bytes), readOnly: false, created: !bytes };
  } catch (err) {
    if (!bytes || err instanceof SchemaTooNewError) throw err;
    // A corrupt copy: the transcripts that still exist are read into an empty ledger; the file is left as it is.
    return { db: openBytes(SQL, undefined), readOnly: false, created: true, recovered: `The ledger ${seedFrom} could not be read (${(err as Error).message}); this run read the transcripts that still exist instead (the file was not touched).` };
  }
}

/** A ledger that cannot be read: set it aside, restore the last good copy (else the seed, else empty); the caller re-reads the transcripts. */
function recover(SQL: SqlJsStatic, opts: OpenOptions, file: string, reason: string): StoreOpenResult {
  const readOnly = !!opts.readOnly;
  let aside: string | undefined;
  // A reader (another process holds the lock) never moves the writer's file; it reads the best copy it can.
  if (!readOnly && fs.existsSync(file)) {
    aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(file, aside);
  }
  const what = `The ledger ${file} could not be read (${reason})${aside ? `; it was set aside as ${aside}` : ''}`;
  const sources: [string | undefined, string][] = [
    [previousCopyOf(file), 'the last good copy was restored'],
    [opts.seedFrom, `it was started from ${opts.seedFrom}`],
  ];
  for (const [source, label] of sources) {
    const candidate = source ? readIfExists(source) : undefined;
    if (!candidate) continue;
    try {
      return { db: openBytes(SQL, candidate), readOnly, created: false, recovered: `${what}; ${label}. Transcripts that still exist are read again.` };
    } catch (err) {
      if (err instanceof SchemaTooNewError) throw err;
      // this copy is bad too: try the next
    }
  }
  return { db: openBytes(SQL, undefined), readOnly, created: true, recovered: `${what}; no good copy was left, so it was rebuilt from the transcripts that still exist.` };
}

/** Saves atomically and keeps the previous good copy, made on the first save too so one bad write never leaves nothing to restore. */
export function saveStore(db: Database, file: string): void {
  const bytes = db.export();
  writeFileAtomic(file, bytes, true);
  if (!fs.existsSync(previousCopyOf(file))) writeFileAtomic(previousCopyOf(file), bytes);
}

export { acquireLock } from './lock';
