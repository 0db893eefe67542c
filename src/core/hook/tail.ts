// The context a session's next request starts from, read from the END of its transcript only: the hook and the
// status line answer in milliseconds on transcripts of hundreds of megabytes. Reads the last 256 KB and grows
// backwards only while no counted request is found, up to a bound (never the whole of a large file).
import * as fs from 'node:fs';
import { openRegularFile, readRange } from '../state/regularFile';
import { DEFAULT_REQUEST_LIMIT, usageProblem, type RequestLimits } from '../transcripts/plausibility';

export const TAIL_INITIAL_BYTES = 256 * 1024;
export const TAIL_MAX_BYTES = 8 * 1024 * 1024;
/** The first line is read this far to tell a headless run (`queue-operation` first) from an interactive one. */
const HEAD_BYTES = 4096;

/** The last request of the main thread that counts (not a sidechain, not synthetic, not an API error). */
export interface LastRequest {
  model: string;
  /** Epoch ms; null when the line has no valid timestamp. */
  at: number | null;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** input + cache writes + cache reads: what long-context tiers are judged on. */
  promptTokens: number;
}

export interface TranscriptTail {
  exists: boolean;
  size: number;
  bytesRead: number;
  /** Tokens the next request starts from; null when unknown (no request yet, or a compaction without postTokens). */
  contextTokens: number | null;
  /** `request`: the last request's prompt tokens; `compaction`: a compact_boundary after it; `none`: nothing found. */
  contextSource: 'request' | 'compaction' | 'none';
  last: LastRequest | null;
  /** The model of the last request ('' when none was found). */
  model: string;
  /** The newest `entrypoint` seen on a parsed line ('' when none). */
  entrypoint: string;
  /** The file starts with a `queue-operation` line (headless run of a version without `entrypoint`). */
  queueOperationStart: boolean;
  /** The first request line passed over for usage no real request can carry (why), or null. */
  rejected: string | null;
}

export interface TailOptions {
  initialBytes?: number;
  maxBytes?: number;
  /** What one request can carry (core/transcripts/plausibility); default: DEFAULT_REQUEST_LIMIT. */
  limits?: RequestLimits;
}

const NO_WINDOWS: RequestLimits = { byModel: {}, fallback: DEFAULT_REQUEST_LIMIT };

export function emptyTail(): TranscriptTail {
  return { exists: false, size: 0, bytesRead: 0, contextTokens: null, contextSource: 'none', last: null, model: '', entrypoint: '', queueOperationStart: false, rejected: null };
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : 0);

const NL = 0x0a;
const USAGE = Buffer.from('"usage"');
const COMPACT = Buffer.from('compact_boundary');

/**
 * The usage of an assistant line as the pricer's token buckets (writes without a 5m/1h split count as 5m); null when the
 * line is no counted request, `{ rejected }` when its usage is one no real request can carry (never a basis to warn or block).
 */
export function requestOf(o: Json, limits: RequestLimits = NO_WINDOWS): LastRequest | { rejected: string } | null {
  if (o.type !== 'assistant' || o.isSidechain === true || o.isApiErrorMessage === true) return null;
  const m = o.message;
  if (!isObj(m) || !isObj(m.usage)) return null;
  const model = typeof m.model === 'string' ? m.model : '';
  if (model === '<synthetic>') return null;
  const u = m.usage;
  const rejected = usageProblem(u, model, limits);
  if (rejected) return { rejected };
  const writes = count(u.cache_creation_input_tokens);
  let cacheWrite5m = writes;
  let cacheWrite1h = 0;
  if (isObj(u.cache_creation)) {
    const w5 = count(u.cache_creation.ephemeral_5m_input_tokens);
    const w1 = count(u.cache_creation.ephemeral_1h_input_tokens);
    if (w5 + w1 > 0) {
      cacheWrite5m = w5;
      cacheWrite1h = w1;
    }
  }
  const input = count(u.input_tokens);
  const cacheRead = count(u.cache_read_input_tokens);
  const at = typeof o.timestamp === 'string' ? Date.parse(o.timestamp) : NaN;
  return { model, at: Number.isFinite(at) ? at : null, input, output: count(u.output_tokens), cacheWrite5m, cacheWrite1h, cacheRead, promptTokens: input + cacheWrite5m + cacheWrite1h + cacheRead };
}

function parseLine(line: Buffer): Json | null {
  try {
    const v = JSON.parse(line.toString('utf8')) as unknown;
    return isObj(v) ? v : null;
  } catch {
    return null; // cut mid-write, or not JSON
  }
}

function startsWithQueueOperation(fd: number, size: number): boolean {
  const head = readRange(fd, 0, Math.min(size, HEAD_BYTES));
  const nl = head.indexOf(NL);
  const first = nl >= 0 ? head.subarray(0, nl) : head;
  if (nl >= 0 || head.length === size) {
    const o = parseLine(first);
    if (o) return o.type === 'queue-operation';
  }
  // A first line longer than the head: its leading "type" key is enough (queue-operation lines are short anyway).
  return /^\s*\{\s*"type"\s*:\s*"queue-operation"/.test(first.toString('latin1'));
}

/** Reads the tail of a transcript; a missing or unreadable file gives an empty tail (never throws). */
export function readTranscriptTail(file: string, opts: TailOptions = {}): TranscriptTail {
  const out = emptyTail();
  const initial = Math.max(1024, opts.initialBytes ?? TAIL_INITIAL_BYTES);
  const max = Math.max(initial, opts.maxBytes ?? TAIL_MAX_BYTES);
  let fd: number;
  try {
    fd = openRegularFile(file); // a FIFO or device transcript_path must not hang the hook
  } catch {
    return out;
  }
  try {
    const size = fs.fstatSync(fd).size;
    out.exists = true;
    out.size = size;
    if (size === 0) return out;
    out.queueOperationStart = startsWithQueueOperation(fd, size);

    let start = Math.max(0, size - initial);
    let data = readRange(fd, start, size);
    out.bytesRead = data.length;
    // Lines in data[0, hi) are not yet scanned; data[0] is mid-line unless start is 0.
    let hi = data.length;
    let found = false;
    for (;;) {
      while (hi > 0) {
        const nl = data.lastIndexOf(NL, hi - 1);
        if (nl < 0 && start > 0) break; // a partial line: complete it by reading further back
        const line = data.subarray(nl + 1, hi);
        hi = nl < 0 ? 0 : nl;
        if (line.length === 0) continue;
        if (scanLine(line, out, opts.limits ?? NO_WINDOWS)) {
          found = true;
          break;
        }
      }
      if (found || start === 0 || out.bytesRead >= max) break;
      const next = Math.max(0, size - Math.min(max, (size - start) * 4));
      const chunk = readRange(fd, next, start);
      out.bytesRead += chunk.length;
      hi += chunk.length;
      data = Buffer.concat([chunk, data]);
      start = next;
    }
    return out;
  } catch {
    return out;
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // nothing to do
    }
  }
}

/** Folds one line (scanned newest first) into the tail; true when the last counted request is found. */
function scanLine(line: Buffer, out: TranscriptTail, limits: RequestLimits): boolean {
  // Only lines that can matter are parsed: tool output and prompts can be megabytes.
  const maybeCompact = out.contextSource === 'none' && line.indexOf(COMPACT) >= 0;
  if (!maybeCompact && line.indexOf(USAGE) < 0) return false;
  const o = parseLine(line);
  if (!o) return false;
  if (!out.entrypoint && typeof o.entrypoint === 'string') out.entrypoint = o.entrypoint;
  if (maybeCompact && o.type === 'system' && o.subtype === 'compact_boundary') {
    const m = isObj(o.compactMetadata) ? o.compactMetadata : {};
    out.contextSource = 'compaction';
    out.contextTokens = typeof m.postTokens === 'number' && Number.isFinite(m.postTokens) && m.postTokens >= 0 ? Math.round(m.postTokens) : null;
    return false; // keep going back for the model and the time of the last request
  }
  const r = requestOf(o, limits);
  if (!r) return false;
  if ('rejected' in r) {
    out.rejected ??= r.rejected;
    return false; // keep going back for the last real request
  }
  out.last = r;
  out.model = r.model;
  if (out.contextSource === 'none') {
    out.contextSource = 'request';
    out.contextTokens = r.promptTokens;
  }
  return true;
}
