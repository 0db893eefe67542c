// One sync with the shared ledger: push this machine's outbox (requests, sessions, their transcript
// events and Claude Code's own records, and journal facts), then pull what other machines changed into
// the local ledger. Prices never travel: the server keeps token facts, and every reader prices the
// merged rows with its own rate card. Pushes hold an advisory lock, so the one sequence that stamps
// every change also orders commits and a pull never skips a change committed late.
import type { Client } from 'pg';
import type { Database, SqlValue } from 'sql.js';
import type { Turn } from '../model';
import { REQUEST_COLUMNS, rowToTurn, turnToRow } from '../ledger/rows';
import { eachRow } from '../ledger/query';
import { mergeSessions, type TurnPricer } from '../ledger/ledger';
import { appendFact, readJournal, type Fact } from '../state/journal';
import { mergeObservation } from '../transcripts/parseFiles';
import type { SessionObservation } from '../transcripts/lineParser';
import { mergeTurn } from '../transcripts/merge';
import { recordTokens, type OwnRecord } from '../corrections/records';
import { connect, describeError, SyncError, type ConnectOptions, type SharedLedgerTarget } from './connection';
import type { MachineIdentity } from './machine';
import { acknowledge, pendingEntries, seedOutbox, type LocalLedger } from './outbox';
import { hashProject, shareableFact } from './privacy';
import { columnType, ensureServerSchema, PUSH_LOCK, SHARED_REQUEST_COLUMNS } from './schema';

/** Rows per push transaction and per pull page. */
const BATCH = 2000;
/** Transcript events the corrections need (token numbers only, never text). */
const SHARED_EVENT_KINDS = ['task-result', 'cost-state', 'compact', 'loop-marker'];

export interface SyncOptions {
  target: SharedLedgerTarget;
  identity: MachineIdentity;
  journalPath: string;
  /** The user's `allowPromptLabels`: project paths travel as they are instead of hashed. */
  allowLabels: boolean;
  pricer: TurnPricer;
  connect?: ConnectOptions;
  /** Push only (a `record` in a pipeline does not wait for a pull). */
  pushOnly?: boolean;
  /** Called after each push transaction commits (progress; tests cut the server off here). */
  onPushed?: (kind: 'requests' | 'sessions' | 'facts', rows: number) => void | Promise<void>;
}

export interface SyncCounts {
  requests: number;
  sessions: number;
  events: number;
  records: number;
  facts: number;
}

export interface MachineStatus {
  id: string;
  label: string;
  firstSeen: string;
  lastPush: string | null;
  lastPull: string | null;
}

export interface SyncResult {
  ledgerId: string;
  migrated: number[];
  pushed: SyncCounts;
  pulled: SyncCounts;
  /** Local request keys and sessions the pull wrote: the meter re-reads them. */
  changedKeys: string[];
  changedSessions: string[];
  machines: MachineStatus[];
  at: string;
}

const zero = (): SyncCounts => ({ requests: 0, sessions: 0, events: 0, records: 0, facts: 0 });

/** The local meta keys the sync keeps (per local ledger). */
export const SYNC_META = {
  ledgerId: 'sync.ledgerId',
  pulledSeq: 'sync.pulledSeq',
  factsOffset: 'sync.factsOffset',
  lastSync: 'sync.lastSync',
  machines: 'sync.machines',
  lastError: 'sync.lastError',
} as const;

const SHARED_WIDTH = SHARED_REQUEST_COLUMNS.length;
const PROJECT = SHARED_REQUEST_COLUMNS.indexOf('project_key');
const CWD = SHARED_REQUEST_COLUMNS.indexOf('cwd');
const BRANCH = SHARED_REQUEST_COLUMNS.indexOf('git_branch');

function toTurn(shared: readonly SqlValue[]): Turn {
  // rowToTurn reads the local row layout: the shared columns come first, then file_id and offset.
  return rowToTurn([...shared, 0, 0], '');
}

function sharedOf(t: Turn): SqlValue[] {
  return turnToRow(t, 0, { costNanos: 0, priced: false, longContext: false }).slice(0, SHARED_WIDTH);
}

const sameRow = (a: readonly SqlValue[], b: readonly SqlValue[]): boolean => a.length === b.length && a.every((v, i) => String(v) === String(b[i]));

function inList(n: number): string {
  return Array(n).fill('?').join(',');
}

function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Pushes and pulls once. Throws SyncError (with a message for people); the outbox keeps what was not acknowledged. */
export async function syncOnce(local: LocalLedger, opts: SyncOptions): Promise<SyncResult> {
  const client = await connect(opts.target, opts.connect);
  try {
    return await syncWith(client, local, opts);
  } catch (err) {
    throw describeError(err, opts.target);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function syncWith(client: Client, local: LocalLedger, opts: SyncOptions): Promise<SyncResult> {
  const info = await ensureServerSchema(client);
  if (local.meta(SYNC_META.ledgerId) !== info.ledgerId) {
    // A first sync, or another shared ledger: everything read here goes out, everything there comes in.
    seedOutbox(local);
    local.setMeta(SYNC_META.pulledSeq, '0');
    local.setMeta(SYNC_META.factsOffset, '0');
    local.setMeta(SYNC_META.ledgerId, info.ledgerId);
  }
  const me = opts.identity.id;
  await client.query(
    `INSERT INTO cl_machines (machine_id, label) VALUES ($1, $2) ON CONFLICT (machine_id) DO UPDATE SET label = EXCLUDED.label`,
    [me, opts.identity.label],
  );
  const pushed = await push(client, local, opts);
  await client.query('UPDATE cl_machines SET last_push = now() WHERE machine_id = $1', [me]);
  let pulled = zero();
  let changedKeys: string[] = [];
  let changedSessions: string[] = [];
  if (!opts.pushOnly) {
    const p = await pull(client, local, opts);
    pulled = p.counts;
    changedKeys = p.keys;
    changedSessions = p.sessions;
    await client.query('UPDATE cl_machines SET last_pull = now() WHERE machine_id = $1', [me]);
  }
  const machines = await readMachines(client);
  const at = new Date().toISOString();
  local.setMeta(SYNC_META.machines, JSON.stringify(machines));
  local.setMeta(SYNC_META.lastSync, at);
  local.setMeta(SYNC_META.lastError, '');
  return { ledgerId: info.ledgerId, migrated: info.migrated, pushed, pulled, changedKeys, changedSessions, machines, at };
}

async function readMachines(client: Client): Promise<MachineStatus[]> {
  const r = await client.query<{ machine_id: string; label: string; first_seen: Date; last_push: Date | null; last_pull: Date | null }>(
    'SELECT machine_id, label, first_seen, last_push, last_pull FROM cl_machines ORDER BY first_seen, machine_id',
  );
  const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
  return r.rows.map((m) => ({ id: m.machine_id, label: m.label, firstSeen: m.first_seen.toISOString(), lastPush: iso(m.last_push), lastPull: iso(m.last_pull) }));
}

// ---- push ------------------------------------------------------------------------------------

async function inPushTransaction<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [PUSH_LOCK]);
    const out = await fn();
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function push(client: Client, local: LocalLedger, opts: SyncOptions): Promise<SyncCounts> {
  const counts = zero();
  const entries = pendingEntries(local.db);
  const requests = entries.filter((e) => e.kind === 'request');
  const sessions = entries.filter((e) => e.kind === 'session');
  for (const part of chunks(requests)) {
    const n = await inPushTransaction(client, () => pushRequests(client, local.db, part.map((e) => e.id), opts));
    counts.requests += n;
    acknowledge(local, part); // after the commit: a push cut off before it is sent again, and merges to the same rows
    await opts.onPushed?.('requests', n);
  }
  for (const part of chunks(sessions, 500)) {
    const ids = part.map((e) => e.id);
    const n = await inPushTransaction(client, async () => ({
      sessions: await pushSessions(client, local.db, ids, opts),
      events: await pushEvents(client, local.db, ids, opts.identity.id),
      records: await pushRecords(client, local.db, ids, opts.identity.id),
    }));
    counts.sessions += n.sessions;
    counts.events += n.events;
    counts.records += n.records;
    acknowledge(local, part);
    await opts.onPushed?.('sessions', n.sessions);
  }
  counts.facts = await pushFacts(client, local, opts);
  return counts;
}

function localShared(db: Database, keys: readonly string[], allowLabels: boolean): Map<string, SqlValue[]> {
  const out = new Map<string, SqlValue[]>();
  // Only rows read on this machine: rows pulled from the shared ledger are already there.
  eachRow(db, `SELECT ${SHARED_REQUEST_COLUMNS.join(',')} FROM requests WHERE machine_id = '' AND key IN (${inList(keys.length)})`, [...keys], (v) => {
    if (!allowLabels) {
      v[PROJECT] = hashProject(String(v[PROJECT]));
      v[CWD] = '';
      v[BRANCH] = '';
    }
    out.set(String(v[0]), v);
  });
  return out;
}

async function pushRequests(client: Client, db: Database, keys: string[], opts: SyncOptions): Promise<number> {
  const mine = localShared(db, keys, opts.allowLabels);
  if (!mine.size) return 0;
  const existing = new Map<string, SqlValue[]>();
  const r = await client.query({ text: `SELECT ${SHARED_REQUEST_COLUMNS.join(',')} FROM cl_requests WHERE key = ANY($1::text[])`, values: [[...mine.keys()]], rowMode: 'array' });
  for (const row of r.rows as SqlValue[][]) existing.set(String(row[0]), row);
  const rows: SqlValue[][] = [];
  const better: Record<string, unknown>[] = [];
  for (const [key, row] of mine) {
    const there = existing.get(key);
    // The better copy wins by the local dedup's own rule; an unchanged row is not written again.
    const merged = there ? sharedOf(mergeTurn(toTurn(there), toTurn(row))) : row;
    // What the server knew better comes back here now: pulls skip the rows this machine wrote last.
    if (!sameRow(merged, row)) better.push({ ...Object.fromEntries(SHARED_REQUEST_COLUMNS.map((c, i) => [c, merged[i]])), machine_id: '' });
    if (there && sameRow(merged, there)) continue;
    rows.push(merged);
  }
  if (better.length) applyRequests(db, better, opts.pricer);
  if (!rows.length) return 0;
  const cols = SHARED_REQUEST_COLUMNS;
  const arrays = cols.map((c, i) => rows.map((row) => (columnType(c) === 'bigint' ? Number(row[i]) : String(row[i] ?? ''))));
  const unnest = cols.map((c, i) => `$${i + 1}::${columnType(c)}[]`).join(', ');
  const me = cols.length + 1;
  await client.query(
    `INSERT INTO cl_requests (${cols.join(', ')}, machine_id, updated_by, seq)
     SELECT u.*, $${me}, $${me}, nextval('cl_seq') FROM unnest(${unnest}) AS u(${cols.join(', ')})
     ON CONFLICT (key) DO UPDATE SET ${cols.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_by = EXCLUDED.updated_by, seq = EXCLUDED.seq`,
    [...arrays, opts.identity.id],
  );
  return rows.length;
}

interface SessionRow {
  session_id: string;
  project_key: string;
  cwd: string;
  entrypoint: string;
  queue_op: boolean;
  first_prompt_hash: string;
  first_ts: number;
  last_ts: number;
}

const observation = (s: SessionRow, label = ''): SessionObservation => ({
  sessionId: s.session_id, projectKey: s.project_key, cwd: s.cwd, entrypoint: s.entrypoint, queueOperationStart: s.queue_op,
  firstPromptHash: s.first_prompt_hash, firstPromptLabel: label, firstTimestamp: s.first_ts, lastTimestamp: s.last_ts,
});
const sessionRow = (o: SessionObservation): SessionRow => ({
  session_id: o.sessionId, project_key: o.projectKey, cwd: o.cwd, entrypoint: o.entrypoint, queue_op: o.queueOperationStart,
  first_prompt_hash: o.firstPromptHash, first_ts: o.firstTimestamp, last_ts: o.lastTimestamp,
});
const SESSION_FIELDS = ['session_id', 'project_key', 'cwd', 'entrypoint', 'queue_op', 'first_prompt_hash', 'first_ts', 'last_ts'] as const;
const sameSession = (a: SessionRow, b: SessionRow): boolean => SESSION_FIELDS.every((f) => String(a[f]) === String(b[f]));

async function pushSessions(client: Client, db: Database, ids: string[], opts: SyncOptions): Promise<number> {
  const mine: SessionRow[] = [];
  eachRow(db, `SELECT session_id, project_key, cwd, entrypoint, queue_op, first_prompt_hash, first_ts, last_ts FROM sessions WHERE session_id IN (${inList(ids.length)})`, ids, (v) => {
    mine.push({
      session_id: String(v[0]), project_key: opts.allowLabels ? String(v[1]) : hashProject(String(v[1])), cwd: opts.allowLabels ? String(v[2]) : '',
      entrypoint: String(v[3]), queue_op: Number(v[4]) === 1, first_prompt_hash: String(v[5]), first_ts: Number(v[6]), last_ts: Number(v[7]),
    });
  });
  if (!mine.length) return 0;
  const r = await client.query<SessionRow>(`SELECT ${SESSION_FIELDS.join(', ')} FROM cl_sessions WHERE session_id = ANY($1::text[])`, [mine.map((s) => s.session_id)]);
  const there = new Map(r.rows.map((s) => [s.session_id, s]));
  const rows: SessionRow[] = [];
  const better: SessionRow[] = [];
  for (const s of mine) {
    const old = there.get(s.session_id);
    const merged = old ? sessionRow(mergeObservation(observation(old), observation(s))) : s;
    if (!sameSession(merged, s)) better.push(merged);
    if (old && sameSession(merged, old)) continue;
    rows.push(merged);
  }
  if (better.length) applySessions(db, better);
  if (!rows.length) return 0;
  await client.query(
    `INSERT INTO cl_sessions (${SESSION_FIELDS.join(', ')}, machine_id, updated_by, seq)
     SELECT u.*, $9, $9, nextval('cl_seq') FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::bigint[], $8::bigint[])
       AS u(${SESSION_FIELDS.join(', ')})
     ON CONFLICT (session_id) DO UPDATE SET ${SESSION_FIELDS.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_by = EXCLUDED.updated_by, seq = EXCLUDED.seq`,
    [...SESSION_FIELDS.map((f) => rows.map((s) => s[f])), opts.identity.id],
  );
  return rows.length;
}

async function pushEvents(client: Client, db: Database, sessions: string[], me: string): Promise<number> {
  const rows: SqlValue[][] = [];
  eachRow(db, `SELECT id, kind, session_id, agent_id, ts, data FROM events WHERE machine_id = '' AND kind IN (${inList(SHARED_EVENT_KINDS.length)}) AND session_id IN (${inList(sessions.length)})`, [...SHARED_EVENT_KINDS, ...sessions], (v) => rows.push(v));
  if (!rows.length) return 0;
  // Events never change: only the ones the server lacks are written (no sequence numbers spent on the rest).
  const known = await client.query<{ id: string }>('SELECT id FROM cl_events WHERE id = ANY($1::text[])', [rows.map((r) => String(r[0]))]);
  const have = new Set(known.rows.map((r) => r.id));
  const fresh = rows.filter((r) => !have.has(String(r[0])));
  if (!fresh.length) return 0;
  await client.query(
    `INSERT INTO cl_events (id, kind, session_id, agent_id, ts, data, machine_id, seq)
     SELECT u.*, $7, nextval('cl_seq') FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) AS u(id, kind, session_id, agent_id, ts, data)
     ON CONFLICT (id) DO NOTHING`,
    [...[0, 1, 2, 3, 4, 5].map((i) => fresh.map((r) => (i === 4 ? Number(r[i]) : String(r[i])))), me],
  );
  return fresh.length;
}

function parseRecord(data: unknown): OwnRecord | undefined {
  try {
    return JSON.parse(String(data)) as OwnRecord;
  } catch {
    return undefined;
  }
}

async function pushRecords(client: Client, db: Database, sessions: string[], me: string): Promise<number> {
  const mine: { session: string; origin: string; data: string }[] = [];
  eachRow(db, `SELECT session_id, origin, data FROM own_records WHERE machine_id = '' AND session_id IN (${inList(sessions.length)})`, sessions, (v) => mine.push({ session: String(v[0]), origin: String(v[1]), data: String(v[2]) }));
  let n = 0;
  for (const rec of mine) {
    const r = await client.query<{ data: string }>('SELECT data FROM cl_own_records WHERE session_id = $1 AND origin = $2', [rec.session, rec.origin]);
    const old = r.rows[0] ? parseRecord(r.rows[0].data) : undefined;
    const incoming = parseRecord(rec.data);
    // The largest record of a session wins, as in the local ledger.
    if (!incoming || (old && recordTokens(old) >= recordTokens(incoming))) continue;
    await client.query(
      `INSERT INTO cl_own_records (session_id, origin, data, machine_id, updated_by, seq) VALUES ($1, $2, $3, $4, $4, nextval('cl_seq'))
       ON CONFLICT (session_id, origin) DO UPDATE SET data = EXCLUDED.data, updated_by = EXCLUDED.updated_by, seq = EXCLUDED.seq`,
      [rec.session, rec.origin, rec.data, me],
    );
    n++;
  }
  return n;
}

async function pushFacts(client: Client, local: LocalLedger, opts: SyncOptions): Promise<number> {
  const from = Number(local.meta(SYNC_META.factsOffset) ?? 0) || 0;
  const read = readJournal(opts.journalPath, from);
  // Facts this machine wrote (or written before machines had ids); facts pulled from others are already there.
  const mine = read.facts.filter((f) => f.machine === undefined || f.machine === opts.identity.id).map((f) => shareableFact(f, opts.allowLabels));
  let n = 0;
  for (const part of chunks(mine)) {
    n += await inPushTransaction(client, async () => {
      const known = await client.query<{ id: string }>('SELECT id FROM cl_facts WHERE id = ANY($1::text[])', [part.map((f) => f.id)]);
      const have = new Set(known.rows.map((r) => r.id));
      const fresh = part.filter((f) => !have.has(f.id));
      if (!fresh.length) return 0;
      await client.query(
        `INSERT INTO cl_facts (id, kind, fact, machine_id, seq) SELECT u.*, $4, nextval('cl_seq') FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, kind, fact)
         ON CONFLICT (id) DO NOTHING`,
        [fresh.map((f) => f.id), fresh.map((f) => f.kind), fresh.map((f) => JSON.stringify({ ...f, machine: f.machine ?? opts.identity.id })), opts.identity.id],
      );
      return fresh.length;
    });
  }
  if (read.endOffset !== from) local.setMeta(SYNC_META.factsOffset, String(read.endOffset));
  return n;
}

// ---- pull ------------------------------------------------------------------------------------

interface PullOutcome {
  counts: SyncCounts;
  keys: string[];
  sessions: string[];
}

/** Pages through one table's changes in (from, to] made by other machines (and on a first pull, this one's too). */
async function* changes(client: Client, table: string, columns: string, from: number, to: number, me: string, first: boolean): AsyncGenerator<Record<string, unknown>[]> {
  let cursor = from;
  // Rows this machine wrote last hold nothing new for it (its push applied the merge here already); events and facts never change.
  const writer = table === 'cl_events' || table === 'cl_facts' ? 'machine_id' : 'updated_by';
  for (;;) {
    const r = await client.query(
      `SELECT ${columns}, machine_id, seq FROM ${table} WHERE seq > $1 AND seq <= $2 AND ($3 OR ${writer} <> $4) ORDER BY seq LIMIT ${BATCH}`,
      [cursor, to, first, me],
    );
    if (!r.rows.length) return;
    yield r.rows as Record<string, unknown>[];
    cursor = Number(r.rows[r.rows.length - 1].seq);
    if (r.rows.length < BATCH) return;
  }
}

async function pull(client: Client, local: LocalLedger, opts: SyncOptions): Promise<PullOutcome> {
  const from = Number(local.meta(SYNC_META.pulledSeq) ?? 0) || 0;
  // Waits for any push in flight: every change numbered up to `to` is committed once this returns.
  await client.query('BEGIN');
  const hi = await client.query<{ last_value: number; is_called: boolean }>('SELECT pg_advisory_xact_lock_shared($1), last_value, is_called FROM cl_seq', [PUSH_LOCK]);
  await client.query('COMMIT');
  const to = hi.rows[0].is_called ? Number(hi.rows[0].last_value) : 0;
  const out: PullOutcome = { counts: zero(), keys: [], sessions: [] };
  if (to <= from) return out;
  const me = opts.identity.id;
  const first = from === 0;
  const touched = new Set<string>();
  for await (const page of changes(client, 'cl_requests', SHARED_REQUEST_COLUMNS.join(', '), from, to, me, first)) {
    const written = applyRequests(local.db, page, opts.pricer);
    out.counts.requests += written.length;
    out.keys.push(...written);
    for (const row of page) touched.add(String(row.session_id));
  }
  for await (const page of changes(client, 'cl_sessions', SESSION_FIELDS.join(', '), from, to, me, first)) {
    out.counts.sessions += applySessions(local.db, page as unknown as SessionRow[]);
    for (const row of page) touched.add(String(row.session_id));
  }
  for await (const page of changes(client, 'cl_events', 'id, kind, session_id, agent_id, ts, data', from, to, me, first)) {
    out.counts.events += applyEvents(local.db, page);
    for (const row of page) touched.add(String(row.session_id));
  }
  for await (const page of changes(client, 'cl_own_records', 'session_id, origin, data', from, to, me, first)) {
    out.counts.records += applyRecords(local.db, page);
    for (const row of page) touched.add(String(row.session_id));
  }
  for await (const page of changes(client, 'cl_facts', 'id, fact', from, to, me, first)) out.counts.facts += applyFacts(opts.journalPath, page);
  out.sessions = [...touched];
  local.setMeta(SYNC_META.pulledSeq, String(to));
  return out;
}

const LOCAL_SELECT = `SELECT ${REQUEST_COLUMNS.join(',')}, machine_id FROM requests WHERE key IN `;

/** Merges other machines' requests into the local ledger, priced with this machine's card; returns the keys written. */
function applyRequests(db: Database, page: Record<string, unknown>[], pricer: TurnPricer): string[] {
  const existing = new Map<string, SqlValue[]>();
  const keys = page.map((r) => String(r.key));
  eachRow(db, `${LOCAL_SELECT}(${inList(keys.length)})`, keys, (v) => existing.set(String(v[0]), v));
  const written: string[] = [];
  const insert = db.prepare(`INSERT OR REPLACE INTO requests (${REQUEST_COLUMNS.join(',')}, machine_id) VALUES (${inList(REQUEST_COLUMNS.length + 1)})`);
  db.run('BEGIN');
  try {
    for (const r of page) {
      const remote = SHARED_REQUEST_COLUMNS.map((c) => r[c] as SqlValue);
      const key = String(r.key);
      const here = existing.get(key);
      let turn: Turn;
      let fileId = 0;
      let offset = 0;
      let machine = String(r.machine_id);
      if (here) {
        const current = here.slice(0, SHARED_WIDTH);
        const merged = sharedOf(mergeTurn(rowToTurn(here, ''), toTurn(remote)));
        if (sameRow(merged, current)) continue;
        turn = toTurn(merged);
        fileId = Number(here[REQUEST_COLUMNS.indexOf('file_id')]);
        offset = Number(here[REQUEST_COLUMNS.indexOf('offset')]);
        machine = String(here[REQUEST_COLUMNS.length]); // read here too: it stays this machine's row
      } else turn = toTurn(remote);
      const row = turnToRow(turn, fileId, pricer.price(turn));
      row[REQUEST_COLUMNS.indexOf('offset')] = offset;
      insert.run([...row, machine]);
      written.push(key);
    }
    db.run('COMMIT');
  } catch (err) {
    db.run('ROLLBACK');
    throw err;
  } finally {
    insert.free();
  }
  return written;
}

function applySessions(db: Database, page: SessionRow[]): number {
  return mergeSessions(db, page.map((s) => observation(s)));
}

function applyEvents(db: Database, page: Record<string, unknown>[]): number {
  const stmt = db.prepare('INSERT OR IGNORE INTO events (id, kind, session_id, agent_id, ts, file_id, offset, data, machine_id) VALUES (?,?,?,?,?,0,0,?,?)');
  let n = 0;
  try {
    for (const e of page) {
      stmt.run([String(e.id), String(e.kind), String(e.session_id), String(e.agent_id), Number(e.ts), String(e.data), String(e.machine_id)]);
      n += db.getRowsModified();
    }
  } finally {
    stmt.free();
  }
  return n;
}

function applyRecords(db: Database, page: Record<string, unknown>[]): number {
  let n = 0;
  for (const r of page) {
    const incoming = parseRecord(r.data);
    if (!incoming) continue;
    const stored = db.exec('SELECT data FROM own_records WHERE session_id = ? AND origin = ?', [String(r.session_id), String(r.origin)]);
    const old = stored.length ? parseRecord(stored[0].values[0][0]) : undefined;
    if (old && recordTokens(old) >= recordTokens(incoming)) continue;
    db.run('INSERT OR REPLACE INTO own_records (session_id, origin, data, machine_id) VALUES (?, ?, ?, ?)', [String(r.session_id), String(r.origin), String(r.data), String(r.machine_id)]);
    n++;
  }
  return n;
}

/** Other machines' facts join this user's journal (once each), so every ledger here replays them. */
function applyFacts(journalPath: string, page: Record<string, unknown>[]): number {
  const known = new Set(readJournal(journalPath).facts.map((f) => f.id));
  let n = 0;
  for (const r of page) {
    let fact: Fact;
    try {
      fact = JSON.parse(String(r.fact)) as Fact;
    } catch {
      continue;
    }
    if (!fact || typeof fact.id !== 'string' || typeof fact.kind !== 'string' || known.has(fact.id)) continue;
    appendFact(journalPath, { ...fact, machine: fact.machine ?? String(r.machine_id) });
    known.add(fact.id);
    n++;
  }
  return n;
}

export { SyncError };
