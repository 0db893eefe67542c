// Sessions' latest context sizes from a ledger database, for the in-editor context warnings: the last main-thread
// request of each session active since `since`, or a compaction after it. Only types come from sql.js: the hook
// bundle never loads it.
import type { Database } from 'sql.js';
import type { SessionContext } from './contextWarnings';

export function latestContexts(db: Database, since: number): SessionContext[] {
  const r = db.exec(
    `SELECT r.session_id, r.model, r.input + r.cw5m + r.cw1h + r.cr, r.ts, r.project_key, r.cwd, r.entrypoint
       FROM requests r
      WHERE r.ts >= ? AND r.sidechain = 0 AND r.agent_id = '' AND r.progress = 0
        AND r.ts = (SELECT max(r2.ts) FROM requests r2 WHERE r2.session_id = r.session_id AND r2.sidechain = 0 AND r2.agent_id = '' AND r2.progress = 0)`,
    [since],
  );
  const out = new Map<string, SessionContext>();
  for (const v of r[0]?.values ?? []) {
    const s: SessionContext = { sessionId: String(v[0]), model: String(v[1]), contextTokens: Number(v[2]), at: Number(v[3]), projectKey: String(v[4]), cwd: String(v[5]), entrypoint: String(v[6]) };
    const prev = out.get(s.sessionId);
    if (!prev || s.contextTokens > prev.contextTokens) out.set(s.sessionId, s); // copies at the same instant: the largest
  }
  if (!out.size) return [];
  // A compaction after the last request shrinks the context to its postTokens.
  const ids = [...out.keys()];
  const c = db.exec(
    `SELECT session_id, ts, data FROM events WHERE kind = 'compact' AND agent_id = '' AND session_id IN (${ids.map(() => '?').join(',')}) ORDER BY ts`,
    ids,
  );
  for (const v of c[0]?.values ?? []) {
    const s = out.get(String(v[0]));
    const ts = Number(v[1]);
    if (!s || !(ts > s.at)) continue;
    let post: unknown;
    try {
      post = (JSON.parse(String(v[2])) as { postTokens?: unknown }).postTokens;
    } catch {
      post = undefined;
    }
    s.at = ts;
    s.contextTokens = typeof post === 'number' && post > 0 ? post : 0;
  }
  return [...out.values()];
}
