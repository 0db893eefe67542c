// Reads what the pool needs out of the ledger: spend rows and session facts.
import type { Database } from 'sql.js';
import type { SessionFacts, SpendRow } from '../pool/types';
import { eachRow } from '../ledger/query';
import { PRICE_FLAGS } from '../ledger/rows';

// Rows of their own: models only Claude Code's records hold (nothing recorded, all corrected).
const OWN_SELECT = 'SELECT key, session_id, project_key, ts, 0, priced, model, cost_nanos FROM corrections WHERE own_row = 1';

function readSpend(db: Database, where: string, params: (string | number)[], into: Map<string, SpendRow>): void {
  // What the corrections (core/corrections) add to each request, summed on in JS: a per-row subquery costs 8x the scan.
  const added = new Map<string, number>();
  eachRow(db, `SELECT key, sum(cost_nanos) FROM corrections WHERE own_row = 0 AND ${where} GROUP BY key`, params, (v) => added.set(String(v[0]), Number(v[1])));
  eachRow(db, `SELECT key, session_id, project_key, ts, cost_nanos, priced, model, price_flags FROM requests WHERE ${where}`, params, (v) => {
    const key = String(v[0]);
    const row: SpendRow = { sessionId: String(v[1]), projectKey: String(v[2]), timestamp: Number(v[3]), costNanos: Number(v[4]), priced: Number(v[5]) === 1, model: String(v[6]) };
    const flags = Number(v[7]);
    if (flags & PRICE_FLAGS.estimated) row.estimated = true;
    if (flags & PRICE_FLAGS.lowerBound) row.lowerBound = true;
    const plus = added.get(key);
    if (plus !== undefined) row.correctedCostNanos = row.costNanos + plus;
    into.set(key, row);
  });
  eachRow(db, `${OWN_SELECT} AND ${where}`, params, (v) => {
    into.set(String(v[0]), { sessionId: String(v[1]), projectKey: String(v[2]), timestamp: Number(v[3]), costNanos: 0, correctedCostNanos: Number(v[7]), priced: Number(v[5]) === 1, model: String(v[6]) });
  });
}


/** Spend rows with a timestamp at or after `since` (epoch ms), by request key. */
export function spendRows(db: Database, since: number): Map<string, SpendRow> {
  const out = new Map<string, SpendRow>();
  readSpend(db, 'ts >= ?', [since], out);
  return out;
}

/** Refreshes the given keys in a cache of spend rows (removed keys are dropped). */
export function refreshSpendRows(db: Database, rows: Map<string, SpendRow>, keys: readonly string[]): void {
  for (const k of keys) rows.delete(k);
  for (let i = 0; i < keys.length; i += 500) {
    const part = keys.slice(i, i + 500);
    readSpend(db, `key IN (${part.map(() => '?').join(',')})`, part, rows);
  }
}

/** Facts for every session, or only the given ones (entrypoint from the session's own lines, else from its requests). */
export function sessionFacts(db: Database, capturedRuns: ReadonlySet<string> = new Set(), only?: readonly string[]): SessionFacts[] {
  if (only && only.length > 500) only = undefined;
  const filter = only ? `WHERE s.session_id IN (${only.map(() => '?').join(',')})` : '';
  const r = db.exec(
    `SELECT s.session_id, s.project_key, s.entrypoint, s.queue_op, s.first_prompt_hash,
           (SELECT r.entrypoint FROM requests r WHERE r.session_id = s.session_id AND r.entrypoint <> '' LIMIT 1)
    FROM sessions s ${filter}`,
    only ? [...only] : undefined,
  );
  const out: SessionFacts[] = [];
  const seen = new Set<string>();
  if (r.length) {
    for (const v of r[0].values) {
      const sessionId = String(v[0]);
      seen.add(sessionId);
      out.push({
        sessionId,
        projectKey: String(v[1]),
        entrypoint: String(v[2]) || String(v[5] ?? ''),
        queueOperationStart: Number(v[3]) === 1,
        firstPromptHash: String(v[4]),
        capturedRun: capturedRuns.has(sessionId),
      });
    }
  }
  // Sessions known only from requests (e.g. their main file is gone, or only progress echoes remain).
  const orphanFilter = only ? `AND session_id IN (${only.map(() => '?').join(',')})` : '';
  const orphans = db.exec(`SELECT session_id, project_key, max(entrypoint) FROM requests WHERE session_id NOT IN (SELECT session_id FROM sessions) ${orphanFilter} GROUP BY session_id`, only ? [...only] : undefined);
  if (orphans.length) {
    for (const v of orphans[0].values) {
      const sessionId = String(v[0]);
      if (seen.has(sessionId)) continue;
      out.push({ sessionId, projectKey: String(v[1]), entrypoint: String(v[2] ?? ''), queueOperationStart: false, firstPromptHash: '', capturedRun: capturedRuns.has(sessionId) });
    }
  }
  return out;
}

/** The earliest request's instant (epoch ms), or null when the ledger holds none. */
export function firstRequestAt(db: Database): number | null {
  let first: number | null = null;
  eachRow(db, 'SELECT min(ts) FROM requests', [], (v) => {
    if (v[0] !== null) first = Number(v[0]);
  });
  return first;
}
