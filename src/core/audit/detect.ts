// The loop detectors: pure functions from ordered requests (one thread or one session) and their
// events to candidate loops. A candidate is the loop's requests split into iterations; metrics,
// prices and words are added later (report.ts), so every detector stays small and testable.
import type { AuditEvent, AuditRequest } from './input';
import { promptTokens } from './input';
import type { AuditThresholds, LoopKind, RepeatedCall } from './types';

/** Tool names of Claude Code's own loops (FACTS.md "Automation markers"). */
export const LOOP_TOOL_NAMES: readonly string[] = ['ScheduleWakeup', 'CronCreate', 'CronList', 'CronDelete'];
/** Markers that start a loop (CronList and CronDelete only manage one). */
const LOOP_STARTERS: readonly string[] = ['ScheduleWakeup', 'CronCreate', '/loop'];
/** A retry of a failing command comes within this many requests of the previous attempt. */
export const RETRY_SPACING = 10;
/** Text blocks shorter than this ("ok", "Done.") repeat innocently. */
const MIN_REPEATED_TEXT_CHARS = 20;
const FIVE_MINUTES_MS = 5 * 60_000;

/** The requests of one context: a session's main thread, or one subagent. In transcript order. */
export interface Thread {
  key: string;
  sessionId: string;
  agentId: string;
  sidechain: boolean;
  rows: AuditRequest[];
  /** Prompt tokens per row. */
  prompt: number[];
  /** The row calls a tool (name + input) the thread had not called before. */
  fresh: boolean[];
  /** Large context, nothing new, little output: the row mostly pays to read the context again. */
  stale: boolean[];
  big: boolean[];
}

export interface Candidate {
  kind: LoopKind;
  /** Which loop wins when two cover the same requests: scheduled 4, failing command 3, re-read 2, repeated call 1. */
  priority: number;
  /** Identity that stays the same while the loop grows (hashed into the loop id). */
  stableKey: string;
  /** The loop's requests, oldest first. */
  rows: AuditRequest[];
  /** `rows` split into iterations, in order. */
  iterations: AuditRequest[][];
  sessionIds: string[];
  agentId: string;
  sidechain: boolean;
  /** A short phrase for this finding when it is folded into another loop as a signal. */
  describe: string;
  repeated?: RepeatedCall;
  markers?: Record<string, number>;
  /** Scheduled loops: the pace seen and whether it asked to go on. */
  pace?: { periodMs: number; lastStart: number; wantsMore: boolean };
}

export function threadKey(r: Pick<AuditRequest, 'sessionId' | 'agentId' | 'sidechain'>): string {
  return `${r.sessionId}\u0000${r.agentId}\u0000${r.sidechain ? 1 : 0}`;
}

function toolName(fp: string): string {
  const i = fp.lastIndexOf('#');
  return i < 0 ? fp : fp.slice(0, i);
}

function toolHash(fp: string): string {
  const i = fp.lastIndexOf('#');
  return i < 0 ? '' : fp.slice(i + 1);
}

/** File order within a file (timestamps can step backwards); files by their first request. */
function transcriptOrder(rows: AuditRequest[]): AuditRequest[] {
  const byFile = new Map<number, AuditRequest[]>();
  for (const r of rows) {
    const list = byFile.get(r.fileId);
    if (list) list.push(r);
    else byFile.set(r.fileId, [r]);
  }
  if (byFile.size === 1) return [...rows].sort((a, b) => a.offset - b.offset);
  const files = [...byFile.values()].map((list) => list.sort((a, b) => a.offset - b.offset));
  files.sort((a, b) => Math.min(...a.map((r) => r.timestamp)) - Math.min(...b.map((r) => r.timestamp)));
  return files.flat();
}

/** Groups requests into threads and marks, per request, what the detectors look at. */
export function buildThreads(requests: readonly AuditRequest[], t: AuditThresholds): Map<string, Thread> {
  const groups = new Map<string, AuditRequest[]>();
  for (const r of requests) {
    const k = threadKey(r);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  const threads = new Map<string, Thread>();
  for (const [key, list] of groups) {
    const rows = transcriptOrder(list);
    const seen = new Set<string>();
    const prompt: number[] = [];
    const fresh: boolean[] = [];
    const stale: boolean[] = [];
    const big: boolean[] = [];
    for (const r of rows) {
      const p = promptTokens(r);
      const isFresh = r.tools.some((fp) => !seen.has(fp));
      for (const fp of r.tools) seen.add(fp);
      // A person typing a new question is new input even without a tool call.
      const human = r.tools.length === 0 && (r.turnOrigin === 'human' || r.promptSource === 'typed');
      const isBig = p >= t.contextThreshold;
      prompt.push(p);
      fresh.push(isFresh);
      big.push(isBig);
      stale.push(isBig && !isFresh && !human && r.output < t.lowOutputTokens);
    }
    threads.set(key, { key, sessionId: rows[0]!.sessionId, agentId: rows[0]!.agentId, sidechain: rows[0]!.sidechain, rows, prompt, fresh, stale, big });
  }
  return threads;
}

/**
 * Re-read loops: runs of stale requests (large context, no new call, little output), bridging at
 * most one large-context request that did something new; the request that started the run (the
 * first call of what then repeats) counts as its first iteration.
 */
export function findRereadLoops(th: Thread, t: AuditThresholds): Candidate[] {
  const out: Candidate[] = [];
  const n = th.rows.length;
  let i = 0;
  while (i < n) {
    if (!th.stale[i]) {
      i++;
      continue;
    }
    let last = i;
    let j = i + 1;
    while (j < n) {
      if (th.stale[j]) {
        last = j++;
      } else if (th.big[j] && j + 1 < n && th.stale[j + 1]) {
        last = j + 1;
        j += 2;
      } else break;
    }
    let staleCount = 0;
    for (let k = i; k <= last; k++) if (th.stale[k]) staleCount++;
    let start = i;
    if (start > 0 && th.big[start - 1] && th.rows[start - 1]!.output < t.lowOutputTokens) start--;
    if (staleCount >= t.minIterations) {
      const rows = th.rows.slice(start, last + 1);
      out.push({
        kind: 'reread',
        priority: 2,
        stableKey: `reread\u0000${th.key}\u0000${rows[0]!.key}`,
        rows,
        iterations: rows.map((r) => [r]),
        sessionIds: [th.sessionId],
        agentId: th.agentId,
        sidechain: th.sidechain,
        describe: `re-reads the context ${rows.length} times with little output`,
      });
    }
    i = last + 1;
  }
  return out;
}

/** Splits `rows[first..last]` into iterations that start at each of `starts` (indices into rows). */
function splitAt(rows: AuditRequest[], starts: number[], last: number): AuditRequest[][] {
  const its: AuditRequest[][] = [];
  for (let k = 0; k < starts.length; k++) its.push(rows.slice(starts[k], k + 1 < starts.length ? starts[k + 1] : last + 1));
  return its;
}

export interface ToolFailure {
  fingerprint: string;
  timestamp: number;
}

/**
 * Reflexive loops in one thread: (1) the same call failing at least `minRepeats` times, each retry
 * within RETRY_SPACING requests of the previous attempt; (2) the same call (or the same reply text)
 * repeated at least `minRepeats` times back to back (at most `maxSpacing` requests between, none
 * of them calling anything new), the context not shrinking.
 */
export function findReflexiveLoops(th: Thread, failures: readonly ToolFailure[], t: AuditThresholds): Candidate[] {
  const out: Candidate[] = [];
  const occurrences = new Map<string, number[]>();
  th.rows.forEach((r, i) => {
    const fps = new Set<string>();
    for (const fp of r.tools) if (!LOOP_TOOL_NAMES.includes(toolName(fp)) && toolHash(fp)) fps.add(fp);
    for (const x of r.texts) {
      const m = /^x(\d+)\./.exec(x);
      if (m && Number(m[1]) >= MIN_REPEATED_TEXT_CHARS) fps.add(`text:${x}`);
    }
    for (const fp of fps) {
      const list = occurrences.get(fp);
      if (list) list.push(i);
      else occurrences.set(fp, [i]);
    }
  });

  // (1) failing commands: each failure belongs to the last call of that fingerprint before it.
  const failed = new Map<string, Set<number>>();
  for (const f of failures) {
    const occ = occurrences.get(f.fingerprint);
    if (!occ) continue;
    let at = occ[0]!;
    for (const i of occ) if (th.rows[i]!.timestamp <= f.timestamp) at = i;
    const set = failed.get(f.fingerprint) ?? new Set<number>();
    set.add(at);
    failed.set(f.fingerprint, set);
  }
  for (const [fp, set] of failed) {
    if (set.size < t.minRepeats) continue;
    const occ = occurrences.get(fp)!;
    chains(occ, (a, b) => b - a - 1 <= RETRY_SPACING).forEach((chain, nth) => {
      const fails = chain.filter((i) => set.has(i)).length;
      if (fails < t.minRepeats) return;
      const tool = toolName(fp);
      out.push(reflexiveCandidate(th, fp, chain, nth, 3, `runs the same failing ${tool} call ${chain.length} times (${fails} failures)`, { tool, inputHash: toolHash(fp), repeats: chain.length, failures: fails }));
    });
  }

  // (2) repeated calls and replies, back to back.
  for (const [fp, occ] of occurrences) {
    if (occ.length < t.minRepeats) continue;
    const linked = (a: number, b: number): boolean => {
      if (b - a - 1 > t.maxSpacing) return false;
      for (let k = a + 1; k < b; k++) if (th.fresh[k]) return false;
      return th.prompt[b]! >= 0.95 * th.prompt[a]!;
    };
    chains(occ, linked).forEach((chain, nth) => {
      if (chain.length < t.minRepeats) return;
      const isText = fp.startsWith('text:');
      const tool = isText ? '' : toolName(fp);
      const fails = chain.filter((i) => failed.get(fp)?.has(i)).length;
      const describe = isText ? `writes the same reply ${chain.length} times` : `repeats the same ${tool} call ${chain.length} times`;
      out.push(reflexiveCandidate(th, fp, chain, nth, 1, describe, { tool, inputHash: isText ? fp.slice(5) : toolHash(fp), repeats: chain.length, failures: fails }));
    });
  }
  return out;
}

/**
 * A reflexive loop over `chain` (indices into the thread's rows, the `nth` run of `fp` in the thread). The first run
 * keeps the key it always had; a later run of the same call in the same thread is another loop, so its key (and id)
 * also names its first request.
 */
function reflexiveCandidate(th: Thread, fp: string, chain: number[], nth: number, priority: number, describe: string, repeated: RepeatedCall): Candidate {
  const first = chain[0]!;
  const last = chain[chain.length - 1]!;
  const rows = th.rows.slice(first, last + 1);
  return {
    kind: 'reflexive',
    priority,
    stableKey: `reflexive\u0000${th.key}\u0000${fp}${nth > 0 ? `\u0000${rows[0]!.key}` : ''}`,
    rows,
    iterations: splitAt(th.rows, chain, last),
    sessionIds: [th.sessionId],
    agentId: th.agentId,
    sidechain: th.sidechain,
    describe,
    repeated,
  };
}

/** Maximal runs of `items` where each neighbour pair is linked. */
function chains(items: number[], linked: (a: number, b: number) => boolean): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  for (const i of items) {
    if (cur.length && linked(cur[cur.length - 1]!, i)) cur.push(i);
    else {
      if (cur.length) out.push(cur);
      cur = [i];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** At least `min` intervals, most within a quarter of their median (a timer, not a person). */
function isRegular(intervals: number[], min: number): boolean {
  if (intervals.length < min) return false;
  const m = median(intervals);
  if (m <= 0) return false;
  return median(intervals.map((x) => Math.abs(x - m))) <= 0.25 * m;
}

const hasWake = (r: AuditRequest): boolean => r.tools.some((fp) => toolName(fp) === 'ScheduleWakeup');

/**
 * A session's scheduled loop: from the first ScheduleWakeup / CronCreate / `/loop` marker to the
 * session end (or a final CronDelete). Iterations start after each ScheduleWakeup call, at each
 * fired (`turnOrigin: scheduled`) turn and after each pause of `iterationGapMinutes`; subagent
 * requests join the iteration they ran in. Without ScheduleWakeup calls or fired turns the pauses
 * must be regular (CronCreate or `/loop` in a session a person also types into).
 */
export function findScheduledLoop(sessionThreads: readonly Thread[], markers: readonly AuditEvent[], t: AuditThresholds): Candidate | null {
  const loopMarkers = markers.filter((m) => m.kind === 'loop-marker');
  const counts: Record<string, number> = {};
  for (const m of loopMarkers) {
    const name = String(m.data.marker ?? '');
    if (name) counts[name] = (counts[name] ?? 0) + 1;
  }
  const starters = loopMarkers.filter((m) => LOOP_STARTERS.includes(String(m.data.marker)));
  if (!starters.length || !sessionThreads.length) return null;
  const main = sessionThreads.find((th) => th.agentId === '' && !th.sidechain) ?? [...sessionThreads].sort((a, b) => b.rows.length - a.rows.length)[0]!;
  const rowAt = (m: AuditEvent): number => {
    const key = typeof m.data.requestKey === 'string' ? m.data.requestKey : '';
    const byKey = key ? main.rows.findIndex((r) => r.key === key) : -1;
    return byKey >= 0 ? byKey : main.rows.findIndex((r) => r.timestamp >= m.timestamp);
  };
  let startIdx = Math.min(...starters.map(rowAt).filter((i) => i >= 0));
  if (!Number.isFinite(startIdx)) return null;
  const gapMs = t.iterationGapMinutes * 60_000;
  // A ScheduleWakeup call ends the turn it is in: the loop starts with that turn's first requests.
  const firstStarter = starters.reduce((a, b) => (rowAt(b) >= 0 && (rowAt(a) < 0 || rowAt(b) < rowAt(a)) ? b : a));
  if (firstStarter.data.marker !== '/loop') {
    for (let k = 0; k < RETRY_SPACING && startIdx > 0; k++) {
      const prev = main.rows[startIdx - 1]!;
      if (hasWake(prev) || main.rows[startIdx]!.timestamp - prev.timestamp >= gapMs) break;
      startIdx--;
    }
  }
  let endIdx = main.rows.length - 1;
  const ordered = [...loopMarkers].sort((a, b) => a.timestamp - b.timestamp);
  const lastMarker = ordered[ordered.length - 1]!;
  if (lastMarker.data.marker === 'CronDelete') {
    const at = rowAt(lastMarker);
    if (at >= startIdx) endIdx = at;
  }
  const loopMain = main.rows.slice(startIdx, endIdx + 1);
  const starts: number[] = [0];
  for (let i = 1; i < loopMain.length; i++) {
    const prev = loopMain[i - 1]!;
    const r = loopMain[i]!;
    const firedTurn = r.turnOrigin === 'scheduled' && prev.turnOrigin !== 'scheduled';
    if (hasWake(prev) || firedTurn || r.timestamp - prev.timestamp >= gapMs) starts.push(i);
  }
  if (starts.length < 2) return null;
  // Each ScheduleWakeup call marks its iteration, and 2.1.278+ marks fired turns `scheduled`; without
  // either, pauses alone (a person thinking) would look like iterations: only a regular pace counts.
  const stamps = starts.map((i) => loopMain[i]!.timestamp);
  const paced = stamps.slice(1).map((s, k) => s - stamps[k]!);
  // A `/loop` alone (no CronCreate, no ScheduleWakeup seen) needs a longer regular run to count.
  const minIntervals = counts.CronCreate ? 2 : 4;
  if (!counts.ScheduleWakeup && !loopMain.some((r) => r.turnOrigin === 'scheduled') && !isRegular(paced, minIntervals)) return null;
  const iterations = splitAt(loopMain, starts, loopMain.length - 1);
  // Subagent requests made during the loop join the iteration they ran in.
  const from = loopMain[0]!.timestamp;
  const until = loopMain[loopMain.length - 1]!.timestamp + gapMs;
  const startTimes = iterations.map((it) => it[0]!.timestamp);
  for (const th of sessionThreads) {
    if (th === main) continue;
    for (const r of th.rows) {
      if (r.timestamp < from || r.timestamp > until) continue;
      let k = 0;
      while (k + 1 < startTimes.length && startTimes[k + 1]! <= r.timestamp) k++;
      iterations[k]!.push(r);
    }
  }
  for (const it of iterations) it.sort((a, b) => a.timestamp - b.timestamp);
  const rows = iterations.flat();
  const intervals = startTimes.slice(1).map((s, k) => s - startTimes[k]!);
  const lastCron = ordered.filter((m) => m.data.marker === 'CronCreate').pop();
  const cronLive = !!lastCron && !ordered.some((m) => m.data.marker === 'CronDelete' && m.timestamp >= lastCron.timestamp);
  const onlySlashLoop = !counts.ScheduleWakeup && !counts.CronCreate;
  const wantsMore = iterations[iterations.length - 1]!.some(hasWake) || cronLive || onlySlashLoop;
  const what = counts.ScheduleWakeup ? 'ScheduleWakeup' : counts.CronCreate ? 'CronCreate' : '/loop';
  return {
    kind: 'scheduled',
    priority: 4,
    stableKey: `scheduled\u0000${main.sessionId}\u0000${loopMain[0]!.key}`,
    rows,
    iterations,
    sessionIds: [main.sessionId],
    agentId: '',
    sidechain: false,
    describe: `a ${what} loop of ${iterations.length} iterations`,
    markers: counts,
    pace: { periodMs: median(intervals), lastStart: startTimes[startTimes.length - 1]!, wantsMore },
  };
}

/** Failures per (session, agent), as tool fingerprints. */
export function failuresBySessionAgent(events: readonly AuditEvent[]): Map<string, ToolFailure[]> {
  const out = new Map<string, ToolFailure[]>();
  for (const e of events) {
    if (e.kind !== 'tool-error') continue;
    const tool = typeof e.data.tool === 'string' ? e.data.tool : '';
    const hash = typeof e.data.inputHash === 'string' ? e.data.inputHash : '';
    if (!tool || !hash) continue;
    const k = `${e.sessionId}\u0000${e.agentId}`;
    const list = out.get(k) ?? [];
    list.push({ fingerprint: `${tool}#${hash}`, timestamp: e.timestamp });
    out.set(k, list);
  }
  return out;
}

/** Keeps one finding per group of overlapping ones (half of the smaller loop's requests shared): the higher priority wins and notes the other. */
export function mergeOverlapping(cands: readonly Candidate[]): { kept: Candidate[]; signals: Map<Candidate, string[]> } {
  const sorted = [...cands].sort((a, b) => b.priority - a.priority || b.rows.length - a.rows.length);
  const kept: Candidate[] = [];
  const keys = new Map<Candidate, Set<string>>();
  const signals = new Map<Candidate, string[]>();
  for (const c of sorted) {
    const mine = new Set(c.rows.map((r) => r.key));
    const host = kept.find((k) => {
      if (k.sessionIds[0] !== c.sessionIds[0]) return false;
      const theirs = keys.get(k)!;
      let shared = 0;
      for (const key of mine) if (theirs.has(key)) shared++;
      return shared * 2 >= Math.min(mine.size, theirs.size);
    });
    if (host) {
      const list = signals.get(host)!;
      const phrase = `It also ${c.describe}.`;
      if (!list.includes(phrase)) list.push(phrase);
      continue;
    }
    kept.push(c);
    keys.set(c, mine);
    signals.set(c, []);
  }
  return { kept, signals };
}

export { FIVE_MINUTES_MS, median };
