// Spreads a large parse over worker threads: a session's files stay together so a parent's
// progress echoes meet their subagent files in the same worker.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TranscriptEvent, Turn } from '../model';
import type { SessionObservation } from './lineParser';
import { mergeBatches, newBatch, parseFiles, type ParseBatch, type ParseJob } from './parseFiles';

/** Below this many bytes to read, a worker's start-up costs more than it saves. */
export const WORKER_THRESHOLD_BYTES = 48 * 1024 * 1024;

export function workerScriptBeside(dir: string): string | undefined {
  const p = path.join(dir, 'ingest-worker.js');
  return fs.existsSync(p) ? p : undefined;
}

function sessionGroup(p: string): string {
  const marker = p.indexOf(`${path.sep}subagents${path.sep}`);
  if (marker >= 0) return p.slice(0, marker);
  return p.endsWith('.jsonl') ? p.slice(0, -'.jsonl'.length) : p;
}

/** Greedy split of jobs into `n` groups of similar byte counts, keeping each session's files together. */
export function splitJobs(jobs: (ParseJob & { bytes: number })[], n: number): ParseJob[][] {
  const groups = new Map<string, { jobs: ParseJob[]; bytes: number }>();
  for (const j of jobs) {
    const key = sessionGroup(j.path);
    const g = groups.get(key) ?? { jobs: [], bytes: 0 };
    g.jobs.push({ path: j.path, from: j.from, state: j.state, projectKey: j.projectKey, agentId: j.agentId });
    g.bytes += j.bytes;
    groups.set(key, g);
  }
  const bins = Array.from({ length: n }, () => ({ jobs: [] as ParseJob[], bytes: 0 }));
  for (const g of [...groups.values()].sort((a, b) => b.bytes - a.bytes)) {
    const bin = bins.reduce((min, b) => (b.bytes < min.bytes ? b : min));
    bin.jobs.push(...g.jobs);
    bin.bytes += g.bytes;
  }
  return bins.filter((b) => b.jobs.length).map((b) => b.jobs);
}

type WorkerMessage = { progress: number } | { ok: boolean; payload?: string; error?: string };

interface WorkerBatch {
  turns: Turn[];
  events: TranscriptEvent[];
  sessions: SessionObservation[];
  files: ParseBatch['files'];
  malformedSamples: ParseBatch['malformedSamples'];
}

function fromPayload(payload: string): ParseBatch {
  const w = JSON.parse(payload) as WorkerBatch;
  return {
    turns: new Map(w.turns.map((t) => [t.key, t])),
    byMessage: new Map(),
    events: w.events,
    sessions: new Map(w.sessions.map((s) => [s.sessionId, s])),
    files: w.files,
    malformedSamples: w.malformedSamples,
  };
}

function runWorker(script: string, jobs: ParseJob[], allowLabels: boolean, onBytes?: (bytes: number) => void): Promise<ParseBatch> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script);
    worker.on('message', (msg: WorkerMessage) => {
      if ('progress' in msg) {
        onBytes?.(msg.progress);
        return;
      }
      void worker.terminate();
      if (msg.ok && msg.payload !== undefined) resolve(fromPayload(msg.payload));
      else reject(new Error(msg.error ?? 'ingest worker failed'));
    });
    worker.once('error', reject);
    // A worker that dies without an answer (out of memory, killed) must not leave the ingest waiting forever.
    worker.once('exit', (code) => reject(new Error(`ingest worker exited (code ${code}) before answering`)));
    worker.postMessage({ jobs, allowLabels });
  });
}

/**
 * `mainThreadShare`: this thread parses the first share itself while the workers parse the rest,
 * instead of idling until they answer: one worker fewer to start and to serialize for, and less
 * memory held twice (only where blocking this thread is fine: the CLI, never the extension host).
 */
export async function parseInWorkers(script: string, jobs: (ParseJob & { bytes: number })[], allowLabels: boolean, threads: number, onBytes?: (bytes: number) => void, mainThreadShare = false): Promise<ParseBatch> {
  const groups = splitJobs(jobs, threads);
  const own = mainThreadShare && groups.length > 1 ? groups.shift() : undefined;
  const pending = groups.map((group) => runWorker(script, group, allowLabels, onBytes)); // started before this thread parses
  const mine = own ? parseFiles(own, allowLabels, undefined, onBytes) : undefined;
  const parts = await Promise.all(pending);
  const batch = newBatch();
  for (const part of mine ? [mine, ...parts] : parts) mergeBatches(batch, part);
  return batch;
}
