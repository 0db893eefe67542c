// Parses a set of transcript files from given offsets into one deduplicated batch. Pure of the
// ledger, so it runs in-process or in a worker thread (both cores on a large first ingest).
import type { TranscriptEvent, Turn } from '../model';
import { newFileParseState, parseLine, type FileParseState, type SessionObservation } from './lineParser';
import { isBtwReplay, mergeTurn } from './merge';
import { readLines } from './reader';
import { loadRateCard } from '../pricing/rateCard';
import { REJECTED_USAGE, requestLimits } from './plausibility';

export interface ParseJob {
  path: string;
  from: number;
  state: FileParseState;
  projectKey: string;
  agentId: string;
}

export interface ParsedFile {
  path: string;
  from: number;
  endOffset: number;
  tail: string;
  state: FileParseState;
  lines: number;
  malformed: number;
  /** Of the malformed lines, assistant lines whose usage no real request can carry (see plausibility). */
  rejected: number;
  /** Set when the file could not be read (it keeps its stored offset). */
  problem?: string;
}

export interface MalformedSample {
  file: string;
  offset: number;
  reason: string;
}

export interface ParseBatch {
  turns: Map<string, Turn>;
  byMessage: Map<string, string[]>;
  events: TranscriptEvent[];
  sessions: Map<string, SessionObservation>;
  files: ParsedFile[];
  malformedSamples: MalformedSample[];
}

export function newBatch(): ParseBatch {
  return { turns: new Map(), byMessage: new Map(), events: [], sessions: new Map(), files: [], malformedSamples: [] };
}

/** Subagent files first: their parents' progress echoes of the same requests are then skipped unparsed. */
export function orderJobs<T extends { agentId: string }>(jobs: T[]): T[] {
  return [...jobs].sort((a, b) => Number(!a.agentId) - Number(!b.agentId));
}

export function parseFiles(jobs: ParseJob[], allowLabels: boolean, batch: ParseBatch = newBatch(), onFile?: (bytes: number) => void, maxBytesPerFile = Infinity): ParseBatch {
  const knownKeys = { has: (key: string): boolean => batch.turns.has(key) };
  const limits = requestLimits(loadRateCard().models);
  for (const job of orderJobs(jobs)) {
    const state: FileParseState = { ...newFileParseState(), ...job.state, knownKeys };
    const ctx = { file: job.path, projectKey: job.projectKey, fileAgentId: job.agentId, allowLabels, limits };
    let malformed = 0;
    let rejected = 0;
    let currentOffset = job.from;
    const sink = {
      turn: (t: Turn): void => addTurn(batch, t),
      event: (e: TranscriptEvent): void => {
        batch.events.push(e);
      },
      session: (s: SessionObservation): void => mergeSession(batch.sessions, s),
      malformed: (reason: string): void => {
        malformed++;
        if (reason.startsWith(REJECTED_USAGE)) rejected++;
        if (batch.malformedSamples.length < 20) batch.malformedSamples.push({ file: job.path, offset: currentOffset, reason });
      },
    };
    try {
      const result = readLines(job.path, job.from, (line, offset) => {
        currentOffset = offset;
        try {
          parseLine(line, offset, ctx, state, sink);
        } catch (err) {
          sink.malformed(`parser error: ${(err as Error).message}`);
        }
      }, maxBytesPerFile);
      state.knownKeys = undefined;
      state.readToEnd = result.atEnd;
      batch.files.push({ path: job.path, from: job.from, endOffset: result.endOffset, tail: result.tailChecksum, state, lines: result.lines, malformed, rejected });
      onFile?.(result.endOffset - job.from);
    } catch (err) {
      state.knownKeys = undefined;
      batch.files.push({ path: job.path, from: job.from, endOffset: job.from, tail: '', state: job.state, lines: 0, malformed: 0, rejected: 0, problem: `read failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    }
  }
  return batch;
}

export function addTurn(batch: ParseBatch, t: Turn): void {
  const existing = batch.turns.get(t.key);
  if (existing) {
    batch.turns.set(t.key, mergeTurn(existing, t));
    return;
  }
  const siblings = batch.byMessage.get(t.messageId);
  if (siblings) {
    for (const k of siblings) {
      const other = batch.turns.get(k);
      if (!other) continue;
      if (isBtwReplay(t, other)) return;
      if (isBtwReplay(other, t)) batch.turns.delete(k);
    }
    siblings.push(t.key);
  } else batch.byMessage.set(t.messageId, [t.key]);
  batch.turns.set(t.key, t);
}

export function mergeObservation(a: SessionObservation, b: SessionObservation): SessionObservation {
  return {
    sessionId: a.sessionId,
    projectKey: a.projectKey || b.projectKey,
    cwd: a.cwd || b.cwd,
    entrypoint: b.entrypoint || a.entrypoint,
    queueOperationStart: a.queueOperationStart || b.queueOperationStart,
    firstPromptHash: a.firstPromptHash || b.firstPromptHash,
    firstPromptLabel: a.firstPromptLabel || b.firstPromptLabel,
    firstTimestamp: a.firstTimestamp && b.firstTimestamp ? Math.min(a.firstTimestamp, b.firstTimestamp) : a.firstTimestamp || b.firstTimestamp,
    lastTimestamp: Math.max(a.lastTimestamp, b.lastTimestamp),
  };
}

export function mergeSession(map: Map<string, SessionObservation>, s: SessionObservation): void {
  const prev = map.get(s.sessionId);
  map.set(s.sessionId, prev ? mergeObservation(prev, s) : s);
}

/** Folds a batch parsed elsewhere (a worker) into this one, through the same dedup. */
export function mergeBatches(into: ParseBatch, from: ParseBatch): void {
  for (const t of from.turns.values()) addTurn(into, t);
  into.events.push(...from.events);
  for (const s of from.sessions.values()) mergeSession(into.sessions, s);
  into.files.push(...from.files);
  for (const m of from.malformedSamples) if (into.malformedSamples.length < 20) into.malformedSamples.push(m);
}
