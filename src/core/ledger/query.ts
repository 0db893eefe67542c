// Walks a query's rows one at a time (no array of every row), freeing the statement whatever happens.
import type { Database, SqlValue } from 'sql.js';

export function eachRow(db: Database, sql: string, params: SqlValue[], visit: (v: SqlValue[]) => void): void {
  const stmt = db.prepare(sql);
  try {
    stmt.bind(params);
    while (stmt.step()) visit(stmt.get());
  } finally {
    stmt.free();
  }
}
