// Reads what the pool needs out of the ledger: spend rows and session facts.
import type { Database } from 'sql.js';
import type { SessionFacts, SpendRow } from '../pool/types';

/** Spend rows with a timestamp at or after `since` (epoch ms), in time order. */
export function spendRows(db: Database, since: number): SpendRow[] {
  const out: SpendRow[] = [];
  const stmt = db.prepare('SELECT session_id, project_key, ts, cost_nanos, priced, model FROM requests WHERE ts >= ? ORDER BY ts');
  try {
    stmt.bind([since]);
    while (stmt.step()) {
      const v = stmt.get();
      out.push({ sessionId: String(v[0]), projectKey: String(v[1]), timestamp: Number(v[2]), costNanos: Number(v[3]), priced: Number(v[4]) === 1, model: String(v[5]) });
    }
  } finally {
    stmt.free();
  }
  return out;
}

/** Facts for every session (entrypoint from the session's own lines, else from its requests). */
export function sessionFacts(db: Database, capturedRuns: ReadonlySet<string> = new Set()): SessionFacts[] {
  const r = db.exec(`
    SELECT s.session_id, s.project_key, s.entrypoint, s.queue_op, s.first_prompt_hash,
           (SELECT r.entrypoint FROM requests r WHERE r.session_id = s.session_id AND r.entrypoint <> '' LIMIT 1)
    FROM sessions s`);
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
  const orphans = db.exec(`SELECT session_id, project_key, max(entrypoint) FROM requests WHERE session_id NOT IN (SELECT session_id FROM sessions) GROUP BY session_id`);
  if (orphans.length) {
    for (const v of orphans[0].values) {
      const sessionId = String(v[0]);
      if (seen.has(sessionId)) continue;
      out.push({ sessionId, projectKey: String(v[1]), entrypoint: String(v[2] ?? ''), queueOperationStart: false, firstPromptHash: '', capturedRun: capturedRuns.has(sessionId) });
    }
  }
  return out;
}
