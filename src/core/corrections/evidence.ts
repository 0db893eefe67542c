// Reads what the correction rules need out of the ledger: each session's requests, the Task
// results of its subagents, its largest cost-state snapshot and its ~/.claude.json record.
import type { Database, SqlValue } from 'sql.js';
import { costStateRecord, largestRecord, type OwnRecord } from './records';
import type { RequestFacts, SessionEvidence, SettledTotals, TaskResultFacts } from './rules';
import { eachRow } from '../ledger/query';

const CHUNK = 500;

// Requests a rule may change: no stop_reason (the stream's start was written), or a subagent's.
const OPEN = "(stop_reason = '' OR agent_id <> '')";
const REQUEST_SELECT = `SELECT key, session_id, project_key, agent_id, model, ts, input, output, cw5m, cw1h, cr, web_search, speed, geo,
  stop_reason, text_chars, tool_chars, thinking_chars, file_id, offset FROM requests WHERE ${OPEN}`;
// The others only count through their sums (read narrow: most of a ledger's rows).
const SETTLED_SELECT = `SELECT session_id, project_key, model, input, output, cw5m + cw1h, cr, web_search, ts FROM requests WHERE NOT ${OPEN}`;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}


function parse(v: SqlValue): unknown {
  try {
    return JSON.parse(String(v));
  } catch {
    return undefined;
  }
}

function taskResult(data: unknown, ts: number): TaskResultFacts | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as { subagentId?: unknown; usage?: Record<string, unknown> };
  if (typeof d.subagentId !== 'string' || !d.subagentId || typeof d.usage !== 'object' || d.usage === null) return undefined;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { subagentId: d.subagentId, timestamp: ts, usage: { input: n(d.usage.input), output: n(d.usage.output), cacheWrite: n(d.usage.cacheWrite), cacheRead: n(d.usage.cacheRead) } };
}

/** The `own_records` origin for ~/.claude.json snapshots. */
export const CLAUDE_JSON_ORIGIN = 'claude-json';

/**
 * Evidence for the given sessions (null: every session). `runs` are the captured `claude -p`
 * results by session (journal facts, see records.runRecords).
 */
export function loadEvidence(db: Database, sessions: readonly string[] | null, runs: ReadonlyMap<string, OwnRecord>): SessionEvidence[] {
  const bySession = new Map<string, SessionEvidence>();
  const where = (col: string, part: readonly string[]): string => `${col} IN (${part.map(() => '?').join(',')})`;
  const parts: (readonly string[] | null)[] = sessions === null ? [null] : chunks(sessions);

  const agents = new Set<string>();
  const order = new Map<string, [number, number]>();
  const sessionOf = (sessionId: string, projectKey: string): SessionEvidence => {
    let s = bySession.get(sessionId);
    if (!s) bySession.set(sessionId, (s = { sessionId, projectKey, lastTimestamp: 0, requests: [], settled: [], taskResults: [] }));
    return s;
  };
  for (const part of parts) {
    eachRow(db, `${REQUEST_SELECT}${part ? ` AND ${where('session_id', part)}` : ''}`, part ? [...part] : [], (v) => {
      const s = sessionOf(String(v[1]), String(v[2]));
      const r: RequestFacts = {
        key: String(v[0]), agentId: String(v[3]), model: String(v[4]), timestamp: Number(v[5]), input: Number(v[6]), output: Number(v[7]),
        cacheWrite5m: Number(v[8]), cacheWrite1h: Number(v[9]), cacheRead: Number(v[10]), webSearches: Number(v[11]), speed: String(v[12]), inferenceGeo: String(v[13]),
        stopReason: String(v[14]), textChars: Number(v[15]), toolInputChars: Number(v[16]), thinkingChars: Number(v[17]),
      };
      order.set(r.key, [Number(v[18]), Number(v[19])]);
      s.requests.push(r);
      if (r.timestamp > s.lastTimestamp) s.lastTimestamp = r.timestamp;
      if (r.agentId) agents.add(r.agentId);
    });
    eachRow(db, `${SETTLED_SELECT}${part ? ` AND ${where('session_id', part)}` : ''}`, part ? [...part] : [], (v) => {
      const s = sessionOf(String(v[0]), String(v[1]));
      const model = String(v[2]);
      const list = s.settled!;
      let t: SettledTotals | undefined = list.find((x) => x.model === model);
      if (!t) list.push((t = { model, input: 0, output: 0, cacheWrite: 0, cacheRead: 0, webSearches: 0 }));
      t.input += Number(v[3]);
      t.output += Number(v[4]);
      t.cacheWrite += Number(v[5]);
      t.cacheRead += Number(v[6]);
      t.webSearches += Number(v[7]);
      if (Number(v[8]) > s.lastTimestamp) s.lastTimestamp = Number(v[8]);
    });
  }
  // File order within time (timestamps can step backwards inside a file; ties keep file order).
  for (const s of bySession.values()) {
    s.requests.sort((a, b) => a.timestamp - b.timestamp || order.get(a.key)![0] - order.get(b.key)![0] || order.get(a.key)![1] - order.get(b.key)![1]);
  }

  // Task results by subagent id: usually in the subagent's own session; a fork holds copies too.
  const tasks = new Map<string, TaskResultFacts[]>();
  const seenTask = new Set<string>();
  const addTask = (id: string, data: SqlValue, ts: SqlValue): void => {
    const tr = taskResult(parse(data), Number(ts));
    if (!tr || !agents.has(tr.subagentId)) return;
    // a fork's copy of the same result has the same tool_use id: count it once
    const dedup = id.slice(id.indexOf(':') + 1);
    if (seenTask.has(dedup)) return;
    seenTask.add(dedup);
    const list = tasks.get(tr.subagentId);
    if (list) list.push(tr);
    else tasks.set(tr.subagentId, [tr]);
  };
  for (const part of parts) {
    eachRow(db, `SELECT id, data, ts FROM events WHERE kind = 'task-result'${part ? ` AND ${where('session_id', part)}` : ''}`, part ? [...part] : [], (v) => addTask(String(v[0]), v[1], v[2]));
  }
  if (sessions !== null) {
    // Subagents whose result sits in another session's file (e.g. only a fork's copy was read).
    for (const agent of agents) {
      if (tasks.has(agent)) continue;
      eachRow(db, `SELECT id, data, ts FROM events WHERE id >= ? AND id < ?`, [`task:${agent}:`, `task:${agent};`], (v) => addTask(String(v[0]), v[1], v[2]));
    }
  }

  const records = recordCandidates(db, parts, sessions, runs);
  // Sessions Claude Code recorded but with no request stored: rows of their own need a time.
  const bare = [...records.keys()].filter((id) => !bySession.has(id));
  for (const part of chunks(bare)) {
    eachRow(db, `SELECT session_id, project_key, last_ts FROM sessions WHERE ${where('session_id', part)} AND last_ts > 0`, [...part], (v) => {
      bySession.set(String(v[0]), { sessionId: String(v[0]), projectKey: String(v[1]), lastTimestamp: Number(v[2]), requests: [], settled: [], taskResults: [] });
    });
  }

  for (const s of bySession.values()) {
    for (const r of s.requests) {
      if (!r.agentId) continue;
      const list = tasks.get(r.agentId);
      if (list) {
        s.taskResults.push(...list);
        tasks.delete(r.agentId);
      }
    }
    s.record = largestRecord(records.get(s.sessionId) ?? []);
  }
  return [...bySession.values()];
}

function recordCandidates(db: Database, parts: readonly (readonly string[] | null)[], sessions: readonly string[] | null, runs: ReadonlyMap<string, OwnRecord>): Map<string, OwnRecord[]> {
  const where = (part: readonly string[]): string => ` AND session_id IN (${part.map(() => '?').join(',')})`;
  const records = new Map<string, OwnRecord[]>();
  const addRecord = (sessionId: string, r: OwnRecord | undefined): void => {
    if (!r) return;
    const list = records.get(sessionId);
    if (list) list.push(r);
    else records.set(sessionId, [r]);
  };
  for (const part of parts) {
    const filter = part ? where(part) : '';
    eachRow(db, `SELECT session_id, data FROM events WHERE kind = 'cost-state'${filter}`, part ? [...part] : [], (v) => addRecord(String(v[0]), costStateRecord(parse(v[1]))));
    eachRow(db, `SELECT session_id, data FROM own_records WHERE origin = ?${filter}`, part ? [CLAUDE_JSON_ORIGIN, ...part] : [CLAUDE_JSON_ORIGIN], (v) => addRecord(String(v[0]), parse(v[1]) as OwnRecord | undefined));
  }
  const wanted = sessions === null ? null : new Set(sessions);
  for (const [sessionId, r] of runs) if (!wanted || wanted.has(sessionId)) addRecord(sessionId, r);
  return records;
}

/** Each session's own record (the largest of its cost-state snapshots, ~/.claude.json record and `claude -p` results). */
export function loadRecords(db: Database, sessions: readonly string[] | null, runs: ReadonlyMap<string, OwnRecord>): Map<string, OwnRecord> {
  const out = new Map<string, OwnRecord>();
  for (const [id, list] of recordCandidates(db, sessions === null ? [null] : chunks(sessions), sessions, runs)) {
    const r = largestRecord(list);
    if (r) out.set(id, r);
  }
  return out;
}
