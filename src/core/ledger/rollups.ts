// Rollups: what the daily, monthly and session reports need, summed per 15-minute UTC bucket,
// session, project, model, request entrypoint and priced flag, so a report reads a few thousand
// rows instead of walking every request. 15 minutes: every time zone's offset is a multiple of it
// (+05:45, +12:45), so a bucket never straddles a local midnight and any zone's days come out exact.
//
// Kept current by triggers, not by the code paths that write: every insert, replace, update and
// delete of a request or a correction — ingest, repricing, a folder dropped, a shared ledger's rows
// merged in — moves the rollups in the same statement, so they cannot drift. A REPLACE deletes
// the old row first, which fires the delete trigger only with `recursive_triggers` on (set at
// every open). What a correction adds is summed beside its request (the report joins them so);
// corrections that are rows of their own (own = 1) have a rollup row of their own. Costs are
// summed as stored: a reprice updates every request, and the triggers move the sums with it.
import type { Database } from 'sql.js';

/** Bump when the rollups' shape or rules change: they are rebuilt from the tables at open. */
export const ROLLUPS_VERSION = '1';
export const BUCKET_MS = 15 * 60 * 1000;

const KEY = ['bucket', 'session_id', 'project_key', 'model', 'entrypoint', 'priced', 'own'] as const;
const SUMS = ['input', 'output', 'cw', 'cr', 'cost_nanos', 'add_input', 'add_output', 'add_cw', 'add_cr', 'add_cost'] as const;

export const CREATE_ROLLUPS = `
  CREATE TABLE IF NOT EXISTS rollups (
    bucket INTEGER NOT NULL, session_id TEXT NOT NULL, project_key TEXT NOT NULL, model TEXT NOT NULL,
    entrypoint TEXT NOT NULL, priced INTEGER NOT NULL, own INTEGER NOT NULL,
    n INTEGER NOT NULL,
    ${SUMS.map((s) => `${s} INTEGER NOT NULL`).join(', ')},
    first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
    PRIMARY KEY (${KEY.join(', ')})
  );`;

// ------------------------------------------------------------------ requests (own = 0)
const B = String(BUCKET_MS);
/** The rollup row of a request row `R` (OLD or NEW). */
const requestKey = (R: string): string =>
  `bucket = ${R}.ts / ${B} AND session_id = ${R}.session_id AND project_key = ${R}.project_key AND model = ${R}.model AND entrypoint = ${R}.entrypoint AND priced = ${R}.priced AND own = 0`;
/** Corrections that add to request `R` (summed). */
const addedOf = (R: string, col: string): string => `(SELECT coalesce(sum(${col}), 0) FROM corrections WHERE key = ${R}.key AND own_row = 0)`;
const ADDED_COLS: Record<string, string> = { add_input: 'input', add_output: 'output', add_cw: 'cw5m + cw1h', add_cr: 'cr', add_cost: 'cost_nanos' };

const addRequest = (R: string): string => `
    INSERT INTO rollups (${KEY.join(', ')}, n, ${SUMS.join(', ')}, first_ts, last_ts)
    VALUES (${R}.ts / ${B}, ${R}.session_id, ${R}.project_key, ${R}.model, ${R}.entrypoint, ${R}.priced, 0, 1,
      ${R}.input, ${R}.output, ${R}.cw5m + ${R}.cw1h, ${R}.cr, ${R}.cost_nanos,
      ${Object.values(ADDED_COLS).map((c) => addedOf(R, c)).join(', ')}, ${R}.ts, ${R}.ts)
    ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET n = n + 1,
      ${SUMS.map((s) => `${s} = ${s} + excluded.${s}`).join(', ')},
      first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts);`;

/** The first and last timestamp of a group after a row left it (only when it held one of them). */
const refreshEnds = (keyOf: string, R: string, from: string): string => `
    UPDATE rollups SET first_ts = (SELECT min(ts) FROM ${from}), last_ts = (SELECT max(ts) FROM ${from})
    WHERE ${keyOf} AND (first_ts = ${R}.ts OR last_ts = ${R}.ts);`;

const removeRequest = (R: string): string => `
    UPDATE rollups SET n = n - 1, input = input - ${R}.input, output = output - ${R}.output, cw = cw - (${R}.cw5m + ${R}.cw1h), cr = cr - ${R}.cr,
      cost_nanos = cost_nanos - ${R}.cost_nanos,
      ${Object.entries(ADDED_COLS).map(([s, c]) => `${s} = ${s} - ${addedOf(R, c)}`).join(', ')}
    WHERE ${requestKey(R)};
    DELETE FROM rollups WHERE ${requestKey(R)} AND n = 0;
    ${refreshEnds(requestKey(R), R, `requests q WHERE q.session_id = ${R}.session_id AND q.ts >= ${R}.ts / ${B} * ${B} AND q.ts < (${R}.ts / ${B} + 1) * ${B} AND q.project_key = ${R}.project_key AND q.model = ${R}.model AND q.entrypoint = ${R}.entrypoint AND q.priced = ${R}.priced`)}`;

// ------------------------------------------------------------------ corrections
/** A correction beside a request moves that request's rollup row (none when the request is not stored). */
const requestOfCorrection = (C: string): string =>
  `(${KEY.join(', ')}) = (SELECT ts / ${B}, session_id, project_key, model, entrypoint, priced, 0 FROM requests WHERE key = ${C}.key)`;
const moveAdded = (C: string, sign: '+' | '-'): string => `
    UPDATE rollups SET ${Object.entries(ADDED_COLS).map(([s, c]) => `${s} = ${s} ${sign} (${c.split(' + ').map((x) => `${C}.${x}`).join(' + ')})`).join(', ')}
    WHERE ${requestOfCorrection(C)};`;

const ownKey = (C: string): string =>
  `bucket = ${C}.ts / ${B} AND session_id = ${C}.session_id AND project_key = ${C}.project_key AND model = ${C}.model AND entrypoint = '' AND priced = ${C}.priced AND own = 1`;
const addOwn = (C: string): string => `
    INSERT INTO rollups (${KEY.join(', ')}, n, ${SUMS.join(', ')}, first_ts, last_ts)
    VALUES (${C}.ts / ${B}, ${C}.session_id, ${C}.project_key, ${C}.model, '', ${C}.priced, 1, 1, 0, 0, 0, 0, 0,
      ${C}.input, ${C}.output, ${C}.cw5m + ${C}.cw1h, ${C}.cr, ${C}.cost_nanos, ${C}.ts, ${C}.ts)
    ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET n = n + 1,
      ${SUMS.map((s) => `${s} = ${s} + excluded.${s}`).join(', ')},
      first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts);`;
const removeOwn = (C: string): string => `
    UPDATE rollups SET n = n - 1, add_input = add_input - ${C}.input, add_output = add_output - ${C}.output, add_cw = add_cw - (${C}.cw5m + ${C}.cw1h),
      add_cr = add_cr - ${C}.cr, add_cost = add_cost - ${C}.cost_nanos
    WHERE ${ownKey(C)};
    DELETE FROM rollups WHERE ${ownKey(C)} AND n = 0;
    ${refreshEnds(ownKey(C), C, `corrections q WHERE q.own_row = 1 AND q.session_id = ${C}.session_id AND q.ts >= ${C}.ts / ${B} * ${B} AND q.ts < (${C}.ts / ${B} + 1) * ${B} AND q.project_key = ${C}.project_key AND q.model = ${C}.model AND q.priced = ${C}.priced`)}`;

const REQUEST_TRIGGERS = `
  CREATE TRIGGER IF NOT EXISTS rollups_request_insert AFTER INSERT ON requests BEGIN ${addRequest('NEW')} END;
  CREATE TRIGGER IF NOT EXISTS rollups_request_delete AFTER DELETE ON requests BEGIN ${removeRequest('OLD')} END;
  CREATE TRIGGER IF NOT EXISTS rollups_request_update AFTER UPDATE ON requests BEGIN ${removeRequest('OLD')} ${addRequest('NEW')} END;`;
const DROP_REQUEST_TRIGGERS = 'DROP TRIGGER IF EXISTS rollups_request_insert; DROP TRIGGER IF EXISTS rollups_request_delete; DROP TRIGGER IF EXISTS rollups_request_update;';

/** The rollups as the tables say, from scratch (after a bulk insert, or when missing or of another version). */
const REBUILD = `
  DELETE FROM rollups;
  INSERT INTO rollups (${KEY.join(', ')}, n, ${SUMS.join(', ')}, first_ts, last_ts)
  SELECT r.ts / ${B}, r.session_id, r.project_key, r.model, r.entrypoint, r.priced, 0, count(*),
    sum(r.input), sum(r.output), sum(r.cw5m + r.cw1h), sum(r.cr), sum(r.cost_nanos),
    coalesce(sum(c.input), 0), coalesce(sum(c.output), 0), coalesce(sum(c.cw), 0), coalesce(sum(c.cr), 0), coalesce(sum(c.cost), 0),
    min(r.ts), max(r.ts)
  FROM requests r LEFT JOIN (SELECT key, sum(input) AS input, sum(output) AS output, sum(cw5m + cw1h) AS cw, sum(cr) AS cr, sum(cost_nanos) AS cost
    FROM corrections WHERE own_row = 0 GROUP BY key) c ON c.key = r.key
  GROUP BY 1, 2, 3, 4, 5, 6;
  INSERT INTO rollups (${KEY.join(', ')}, n, ${SUMS.join(', ')}, first_ts, last_ts)
  SELECT ts / ${B}, session_id, project_key, model, '', priced, 1, count(*), 0, 0, 0, 0, 0,
    sum(input), sum(output), sum(cw5m + cw1h), sum(cr), sum(cost_nanos), min(ts), max(ts)
  FROM corrections WHERE own_row = 1
  GROUP BY 1, 2, 3, 4, 6;`;

export function rebuildRollups(db: Database): void {
  db.run(REBUILD);
}

/**
 * At every open: triggers on (a REPLACE's delete fires them only with recursive_triggers), the
 * table and triggers in place, and rebuilt when missing or of another version. Returns true when
 * it rebuilt (the ledger then has changes to save).
 */
export function ensureRollups(db: Database): boolean {
  db.run('PRAGMA recursive_triggers = ON');
  const r = db.exec(`SELECT value FROM meta WHERE key = 'rollups_version'`);
  const current = r.length ? String(r[0].values[0][0]) : undefined;
  if (current === ROLLUPS_VERSION && hasTable(db)) return false;
  db.run('BEGIN');
  try {
    dropTriggers(db);
    db.run(CREATE_ROLLUPS);
    db.run(REQUEST_TRIGGERS);
    db.run(CORRECTION_TRIGGERS_ALL);
    db.run(REBUILD);
    db.run(`INSERT OR REPLACE INTO meta (key, value) VALUES ('rollups_version', ?)`, [ROLLUPS_VERSION]);
    db.run('COMMIT');
  } catch (err) {
    db.run('ROLLBACK');
    throw err;
  }
  return true;
}

function hasTable(db: Database): boolean {
  return db.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rollups'`).length > 0;
}

function dropTriggers(db: Database): void {
  db.run(DROP_REQUEST_TRIGGERS);
  db.run('DROP TRIGGER IF EXISTS rollups_correction_insert; DROP TRIGGER IF EXISTS rollups_correction_delete; DROP TRIGGER IF EXISTS rollups_correction_update;');
  db.run('DROP TABLE IF EXISTS rollups');
}

/**
 * A bulk insert into an empty requests table: without the request triggers (one statement per
 * row would double its cost), then one rebuild. `insert` must only insert requests.
 */
export function withoutRequestTriggers<T>(db: Database, insert: () => T): T {
  db.run(DROP_REQUEST_TRIGGERS);
  try {
    return insert();
  } finally {
    db.run(REQUEST_TRIGGERS);
    db.run(REBUILD);
  }
}

const CORRECTION_TRIGGERS_ALL = `
  CREATE TRIGGER IF NOT EXISTS rollups_correction_insert AFTER INSERT ON corrections BEGIN
    ${moveAdded('NEW', '+').replace('WHERE', 'WHERE NEW.own_row = 0 AND')}
    ${ownInsert('NEW')}
  END;
  CREATE TRIGGER IF NOT EXISTS rollups_correction_delete AFTER DELETE ON corrections BEGIN
    ${moveAdded('OLD', '-').replace('WHERE', 'WHERE OLD.own_row = 0 AND')}
    ${ownRemove('OLD')}
  END;
  CREATE TRIGGER IF NOT EXISTS rollups_correction_update AFTER UPDATE ON corrections BEGIN
    ${moveAdded('OLD', '-').replace('WHERE', 'WHERE OLD.own_row = 0 AND')}
    ${ownRemove('OLD')}
    ${moveAdded('NEW', '+').replace('WHERE', 'WHERE NEW.own_row = 0 AND')}
    ${ownInsert('NEW')}
  END;`;

/** addOwn guarded by own_row = 1 (a trigger body has no IF: the statement selects nothing otherwise). */
function ownInsert(C: string): string {
  return addOwn(C)
    .replace(/VALUES \(/, 'SELECT ')
    .replace(/\)\s*ON CONFLICT/, ` WHERE ${C}.own_row = 1 ON CONFLICT`);
}

function ownRemove(C: string): string {
  return removeOwn(C).replace(/WHERE bucket/g, `WHERE ${C}.own_row = 1 AND bucket`);
}

