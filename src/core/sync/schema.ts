// The shared ledger's tables on the PostgreSQL server, created and migrated by us, versioned in
// cl_meta. Several machines may connect at once: each migration runs in one transaction under an
// advisory lock, so exactly one of them migrates and the others find the new version.
import type { ClientBase } from 'pg';

/** The server schema this version writes; a newer one is refused (an older client must not write it). */
export const SERVER_SCHEMA_VERSION = 2;

/** Advisory lock keys (pg_advisory_*): one for migrations, one that orders pushes before pulls read. */
export const MIGRATE_LOCK = 0x434c4d31; // "CLM1"
export const PUSH_LOCK = 0x434c5031; // "CLP1"

/** Request columns shared between machines: token facts and what the reports group by; never prices. */
export const SHARED_REQUEST_COLUMNS = [
  'key', 'msg_id', 'request_id', 'session_id', 'agent_id', 'sidechain', 'progress', 'project_key', 'cwd', 'git_branch',
  'version', 'entrypoint', 'prompt_source', 'turn_origin', 'model', 'ts', 'input', 'output', 'cw5m', 'cw1h', 'cr',
  'web_search', 'web_fetch', 'speed', 'geo', 'tier', 'stop_reason', 'text_chars', 'tool_chars', 'thinking_chars',
  'tools', 'blocks',
] as const;

const NUMERIC = new Set(['sidechain', 'progress', 'ts', 'input', 'output', 'cw5m', 'cw1h', 'cr', 'web_search', 'web_fetch', 'text_chars', 'tool_chars', 'thinking_chars']);

/** The PostgreSQL type of a shared request column (counts and instants are BIGINT). */
export function columnType(column: string): 'bigint' | 'text' {
  return NUMERIC.has(column) ? 'bigint' : 'text';
}

const requestColumnsDdl = SHARED_REQUEST_COLUMNS.map((c) => (c === 'key' ? 'key TEXT PRIMARY KEY' : `${c} ${columnType(c).toUpperCase()} NOT NULL`)).join(',\n  ');

/**
 * Each step moves the schema up one version. `machine_id` is the machine that first pushed the row,
 * `updated_by` the last one that changed it, `seq` (one sequence for every table) orders changes for pulls.
 */
export const SERVER_MIGRATIONS: Record<number, string> = {
  1: `
CREATE TABLE IF NOT EXISTS cl_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE SEQUENCE IF NOT EXISTS cl_seq;
CREATE TABLE IF NOT EXISTS cl_machines (
  machine_id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  first_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_push TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS cl_requests (
  ${requestColumnsDdl},
  machine_id TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  seq BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS cl_requests_seq ON cl_requests (seq);
CREATE TABLE IF NOT EXISTS cl_sessions (
  session_id TEXT PRIMARY KEY,
  project_key TEXT NOT NULL,
  cwd TEXT NOT NULL,
  entrypoint TEXT NOT NULL,
  queue_op BOOLEAN NOT NULL,
  first_prompt_hash TEXT NOT NULL,
  first_ts BIGINT NOT NULL,
  last_ts BIGINT NOT NULL,
  machine_id TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  seq BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS cl_sessions_seq ON cl_sessions (seq);
CREATE TABLE IF NOT EXISTS cl_events (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  session_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  ts BIGINT NOT NULL,
  data TEXT NOT NULL,
  machine_id TEXT NOT NULL,
  seq BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS cl_events_seq ON cl_events (seq);
CREATE TABLE IF NOT EXISTS cl_facts (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  fact TEXT NOT NULL,
  machine_id TEXT NOT NULL,
  seq BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS cl_facts_seq ON cl_facts (seq);
`,
  // Claude Code's own records kept from ~/.claude.json (per machine: each has its own file), and when each machine last pulled.
  2: `
CREATE TABLE IF NOT EXISTS cl_own_records (
  session_id TEXT NOT NULL,
  origin TEXT NOT NULL,
  data TEXT NOT NULL,
  machine_id TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (session_id, origin)
);
CREATE INDEX IF NOT EXISTS cl_own_records_seq ON cl_own_records (seq);
ALTER TABLE cl_machines ADD COLUMN IF NOT EXISTS last_pull TIMESTAMPTZ;
`,
};

export class ServerSchemaTooNewError extends Error {
  constructor(readonly version: number) {
    super(`the shared ledger was created by a newer Credit Ledger (server schema ${version}; this one knows up to ${SERVER_SCHEMA_VERSION}): update Credit Ledger on this machine`);
  }
}

export interface ServerLedgerInfo {
  /** Random id of this shared ledger: a machine pointed at another server starts its outbox and pulls over. */
  ledgerId: string;
  version: number;
  /** Versions this connection moved it through (empty when it was current). */
  migrated: number[];
}

async function readVersion(client: ClientBase): Promise<{ version: number; ledgerId: string | undefined }> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('cl_meta')::text AS t`);
  if (!exists.rows[0].t) return { version: 0, ledgerId: undefined };
  const r = await client.query<{ key: string; value: string }>(`SELECT key, value FROM cl_meta WHERE key IN ('schema_version', 'ledger_id')`);
  const map = new Map(r.rows.map((row) => [row.key, row.value]));
  return { version: Number(map.get('schema_version') ?? 0), ledgerId: map.get('ledger_id') };
}

/** Creates or migrates the schema up to `target` (tests build older versions with it); returns what it found. */
export async function ensureServerSchema(client: ClientBase, target: number = SERVER_SCHEMA_VERSION): Promise<ServerLedgerInfo> {
  const seen = await readVersion(client);
  if (seen.version > SERVER_SCHEMA_VERSION) throw new ServerSchemaTooNewError(seen.version);
  if (seen.version >= target && seen.ledgerId) return { ledgerId: seen.ledgerId, version: seen.version, migrated: [] };
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
    // Another machine may have migrated while this one waited for the lock.
    const now = await readVersion(client);
    const migrated: number[] = [];
    let version = now.version;
    while (version < target) {
      version++;
      await client.query(SERVER_MIGRATIONS[version]);
      migrated.push(version);
    }
    const ledgerId = now.ledgerId ?? (await client.query<{ id: string }>('SELECT gen_random_uuid()::text AS id')).rows[0].id;
    await client.query(`INSERT INTO cl_meta (key, value) VALUES ('schema_version', $1), ('ledger_id', $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [String(version), ledgerId]);
    await client.query('COMMIT');
    return { ledgerId, version, migrated };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
