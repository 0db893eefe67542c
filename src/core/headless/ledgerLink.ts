// Runs meet the ledger: which transcript a run wrote when its output named no session (text output), how long the
// context of the session a run resumes already is, and the run's cost from the ledger's own per-request rows.
// Read-only queries over an open ledger; the run-time CLI commands (exec, record) never come here.
import type { Database, SqlValue } from 'sql.js';
import { INTERACTIVE_ENTRYPOINTS } from '../pool/surfaces';
import { projectKeyOf, type RunFlags, type RunRecord } from './runFact';

/** A session with requests in a time window, as the linker weighs it. */
export interface SessionCandidate {
  sessionId: string;
  cwd: string;
  projectKey: string;
  /** From the session's lines, else from its requests; "" on versions that write none. */
  entrypoint: string;
  queueOperationStart: boolean;
  /** Epoch ms of the session's first activity (first line or request) and of its requests inside the window. */
  sessionStart: number;
  firstInWindow: number;
  lastInWindow: number;
}

const rowsOf = (db: Database, sql: string, params: SqlValue[]): SqlValue[][] => {
  const r = db.exec(sql, params);
  return r.length ? r[0]!.values : [];
};

/** Every session with a request between `since` and `until` (epoch ms). */
export function sessionCandidates(db: Database, since: number, until: number): SessionCandidate[] {
  return rowsOf(
    db,
    `SELECT r.session_id, max(r.cwd), max(r.project_key), max(r.entrypoint), min(r.ts), max(r.ts),
            s.cwd, s.entrypoint, s.queue_op, s.first_ts,
            (SELECT min(ts) FROM requests r2 WHERE r2.session_id = r.session_id)
     FROM requests r LEFT JOIN sessions s ON s.session_id = r.session_id
     WHERE r.ts >= ? AND r.ts <= ? GROUP BY r.session_id`,
    [since, until],
  ).map((v) => {
    const firstRequest = Number(v[10] ?? v[4]);
    const firstLine = v[9] === null || v[9] === undefined ? Infinity : Number(v[9]) || Infinity;
    return {
      sessionId: String(v[0]),
      cwd: String(v[6] ?? '') || String(v[1] ?? ''),
      projectKey: String(v[2] ?? ''),
      entrypoint: String(v[7] ?? '') || String(v[3] ?? ''),
      queueOperationStart: Number(v[8] ?? 0) === 1,
      sessionStart: Math.min(firstRequest, firstLine),
      firstInWindow: Number(v[4]),
      lastInWindow: Number(v[5]),
    };
  });
}

export interface RunToLink {
  cwd: string;
  startedMs: number;
  endedMs: number;
  flags?: RunFlags;
}

export interface SessionLink {
  sessionId: string;
  reason: string;
}

/** Slack around a run: transcripts are written as responses complete, and clocks of two processes differ a little. */
export const LINK_SLACK_BEFORE_MS = 2_000;
export const LINK_SLACK_AFTER_MS = 30_000;

const sameDir = (a: string, b: string): boolean => a.replace(/[\\/]+$/, '') === b.replace(/[\\/]+$/, '');

/**
 * The session a run wrote, from the ledger's sessions: same cwd, activity during the run, not an interactive
 * entrypoint, not claimed by another run, and for a new session (no --continue/--resume) born during the run.
 * Prefers `sdk-cli`, then a queue-operation start (headless on versions without entrypoint). Undefined when none or
 * when two are equally plausible (parallel runs in one folder): a wrong link would misfile a session.
 */
export function linkRunToSession(run: RunToLink, candidates: readonly SessionCandidate[], claimed: ReadonlySet<string> = new Set()): SessionLink | undefined {
  const from = run.startedMs - LINK_SLACK_BEFORE_MS;
  const to = run.endedMs + LINK_SLACK_AFTER_MS;
  const appends = (run.flags?.continue === true || run.flags?.resume !== undefined) && run.flags?.forkSession !== true;
  const key = projectKeyOf(run.cwd);
  const fits = candidates.filter((c) => {
    if (!(sameDir(c.cwd, run.cwd) || (!c.cwd && c.projectKey === key))) return false;
    if (INTERACTIVE_ENTRYPOINTS.includes(c.entrypoint) && !appends) return false;
    if (c.lastInWindow < from || c.firstInWindow > to) return false;
    if (!appends && (c.sessionStart < from || claimed.has(c.sessionId))) return false;
    return true;
  });
  if (!fits.length) return undefined;
  const rank = (c: SessionCandidate): number => (c.entrypoint === 'sdk-cli' ? 0 : c.entrypoint === '' && c.queueOperationStart ? 1 : c.entrypoint === '' ? 2 : 3);
  const best = Math.min(...fits.map(rank));
  const top = fits.filter((c) => rank(c) === best);
  if (top.length > 1) return undefined;
  const c = top[0]!;
  const why = c.entrypoint ? `entrypoint ${c.entrypoint}` : c.queueOperationStart ? 'no entrypoint, queue-operation start' : 'no entrypoint';
  return { sessionId: c.sessionId, reason: `transcript in ${run.cwd} written during the run (${why})` };
}

export interface SessionContext {
  /** Prompt tokens of the session's newest main-chain request: what the next turn sends again. */
  tokens: number;
  model: string;
  /** Epoch ms of that request. */
  at: number;
}

/** The context size of a session now, or undefined when the ledger has no request of it. */
export function sessionContext(db: Database, sessionId: string): SessionContext | undefined {
  const v = rowsOf(db, `SELECT input + cw5m + cw1h + cr, model, ts FROM requests WHERE session_id = ? AND sidechain = 0 ORDER BY ts DESC LIMIT 1`, [sessionId])[0];
  return v ? { tokens: Number(v[0]), model: String(v[1]), at: Number(v[2]) } : undefined;
}

/** The most recent session in a folder (what `claude -c` continues), by its newest request before `before`. */
export function latestSessionIn(db: Database, cwd: string, before: number): string | undefined {
  const v = rowsOf(db, `SELECT session_id FROM requests WHERE (cwd = ? OR cwd = ?) AND sidechain = 0 AND ts <= ? ORDER BY ts DESC LIMIT 1`, [cwd, cwd.replace(/[\\/]+$/, ''), before])[0];
  return v ? String(v[0]) : undefined;
}

export interface LedgerRunCost {
  costNanos: number;
  requests: number;
  unpricedRequests: number;
  outputTokens: number;
}

/** The session's requests between `since` and `until` at list price, from the ledger's per-request rows. */
export function ledgerRunCost(db: Database, sessionId: string, since: number, until: number): LedgerRunCost | undefined {
  const v = rowsOf(db, `SELECT sum(cost_nanos), count(*), sum(1 - priced), sum(output) FROM requests WHERE session_id = ? AND ts >= ? AND ts <= ?`, [sessionId, since, until])[0];
  if (!v || Number(v[1]) === 0) return undefined;
  return { costNanos: Number(v[0]), requests: Number(v[1]), unpricedRequests: Number(v[2]), outputTokens: Number(v[3]) };
}

/** A recorded run with its session (linked through the ledger when the output named none) and the ledger's cost of it. */
export interface ResolvedRun<R extends RunRecord = RunRecord> {
  run: R;
  sessionId: string | null;
  sessionFrom: RunRecord['sessionFrom'];
  ledger: LedgerRunCost | undefined;
}

/**
 * Resolves runs in the order given; a session linked to one run is not linked to another. `claimed` starts with the
 * sessions runs already named (pass them all, also of runs not resolved here).
 */
export function resolveRuns<R extends RunRecord>(db: Database, runs: readonly R[], claimed: Set<string> = new Set(runs.map((r) => r.sessionId).filter((s): s is string => !!s))): ResolvedRun<R>[] {
  return runs.map((run) => {
    const since = run.startedMs - LINK_SLACK_BEFORE_MS;
    const until = run.endedMs + LINK_SLACK_AFTER_MS;
    let sessionId = run.sessionId;
    let sessionFrom = run.sessionFrom;
    if (!sessionId && !run.noSessionPersistence) {
      const link = linkRunToSession({ cwd: run.cwd, startedMs: run.startedMs, endedMs: run.endedMs, flags: run.flags }, sessionCandidates(db, since, until), claimed);
      if (link) {
        sessionId = link.sessionId;
        sessionFrom = 'transcript';
        claimed.add(link.sessionId);
      }
    }
    return { run, sessionId, sessionFrom, ledger: sessionId ? ledgerRunCost(db, sessionId, since, until) : undefined };
  });
}
