// `modelsUsed` in the order ccusage lists it: models in the order it first meets them, reading transcript files
// in path order and each file from the top (20.0.24, checked on the shared corpus). Scripts compare the lists
// as they are. Only rows with two models or more need the requests' files; the rollups do not know them.
import type { Database } from 'sql.js';
import { eachRow } from '../ledger/query';

export interface ModelOrderGroup {
  row: { modelsUsed: string[] };
  /** The requests that may belong to the row: a time span, or a session. */
  where: { from: number; to: number } | { sessionId: string };
  /** Whether a request of that span (its instant, its project) is in the row. */
  belongs(ts: number, project: string): boolean;
}

const before = (a: { path: string; offset: number }, b: { path: string; offset: number }): boolean => a.path < b.path || (a.path === b.path && a.offset < b.offset);

export function orderModelsUsed(db: Database, groups: readonly ModelOrderGroup[]): void {
  for (const g of groups) {
    if (g.row.modelsUsed.length < 2) continue;
    const first = new Map<string, { path: string; offset: number }>();
    const sql = `SELECT r.model, f.path, r.offset, r.ts, r.project_key FROM requests r JOIN files f ON f.id = r.file_id WHERE ${'sessionId' in g.where ? 'r.session_id = ?' : 'r.ts BETWEEN ? AND ?'}`;
    const params = 'sessionId' in g.where ? [g.where.sessionId] : [g.where.from, g.where.to];
    eachRow(db, sql, params, (v) => {
      if (!g.belongs(Number(v[3]), String(v[4]))) return;
      const at = { path: String(v[1]), offset: Number(v[2]) };
      const seen = first.get(String(v[0]));
      if (!seen || before(at, seen)) first.set(String(v[0]), at);
    });
    const rank = (m: string): { path: string; offset: number } => first.get(m) ?? { path: '\uffff', offset: 0 };
    g.row.modelsUsed = [...g.row.modelsUsed].sort((a, b) => (before(rank(a), rank(b)) ? -1 : before(rank(b), rank(a)) ? 1 : 0));
  }
}
