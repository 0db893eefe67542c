// The outbox: what this machine changed that the shared ledger has not acknowledged yet, kept in the
// local ledger (table sync_outbox, saved with it) so a push cut off by a crash, a closed laptop or a
// server restart is sent again later. Sending twice is harmless: the server merges by the dedup key.
import type { Database, SqlValue } from 'sql.js';

export type OutboxKind = 'request' | 'session';

/** The local ledger as the sync sees it: its database and its meta table (setMeta marks it for saving). */
export interface LocalLedger {
  readonly db: Database;
  meta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
}

export interface OutboxEntry {
  kind: OutboxKind;
  id: string;
  seq: number;
}

function nextSeq(db: Database): number {
  const r = db.exec('SELECT coalesce(max(seq), 0) + 1 FROM sync_outbox');
  return Number(r[0].values[0][0]);
}

function put(db: Database, kind: OutboxKind, ids: readonly string[], seq: number): void {
  if (!ids.length) return;
  const stmt = db.prepare('INSERT OR REPLACE INTO sync_outbox (kind, id, seq) VALUES (?, ?, ?)');
  try {
    for (const id of ids) stmt.run([kind, id, seq]);
  } finally {
    stmt.free();
  }
}

/** Notes requests and sessions this machine's ingest wrote (a change during a push gets a newer seq, so it is sent again). */
export function recordLocalChanges(ledger: LocalLedger, keys: readonly string[], sessions: readonly string[]): void {
  if (!keys.length && !sessions.length) return;
  const seq = nextSeq(ledger.db);
  put(ledger.db, 'request', keys, seq);
  put(ledger.db, 'session', sessions, seq);
  ledger.setMeta('sync.outboxSeq', String(seq));
}

/** Everything read on this machine goes out (a first sync, or a new shared ledger). */
export function seedOutbox(ledger: LocalLedger): void {
  const seq = nextSeq(ledger.db);
  ledger.db.run(`INSERT OR IGNORE INTO sync_outbox (kind, id, seq) SELECT 'request', key, ? FROM requests WHERE machine_id = ''`, [seq]);
  ledger.db.run(`INSERT OR IGNORE INTO sync_outbox (kind, id, seq) SELECT 'session', session_id, ? FROM sessions`, [seq]);
  ledger.setMeta('sync.outboxSeq', String(seq));
}

export function pendingEntries(db: Database): OutboxEntry[] {
  const r = db.exec('SELECT kind, id, seq FROM sync_outbox ORDER BY seq');
  return r.length ? r[0].values.map((v) => ({ kind: String(v[0]) as OutboxKind, id: String(v[1]), seq: Number(v[2]) })) : [];
}

export function outboxSize(db: Database): number {
  return Number(db.exec('SELECT count(*) FROM sync_outbox')[0].values[0][0]);
}

/** Removes what the server acknowledged, unless it changed again since it was read. */
export function acknowledge(ledger: LocalLedger, entries: readonly OutboxEntry[]): void {
  if (!entries.length) return;
  const stmt = ledger.db.prepare('DELETE FROM sync_outbox WHERE kind = ? AND id = ? AND seq <= ?');
  try {
    for (const e of entries) stmt.run([e.kind, e.id, e.seq] as SqlValue[]);
  } finally {
    stmt.free();
  }
  ledger.setMeta('sync.ackedAt', new Date().toISOString());
}
