// This session's cost at list price for the status line, without sql.js: the session's transcript (and its
// 2.1.x subagents/ folder) read incrementally, a bounded number of bytes per call, with the running total kept in
// a small per-session cache file. A first call on a huge transcript shows a lower bound ("≥") and catches up over
// the next calls. Streamed copies of a request are deduplicated on message.id + requestId, keeping the largest.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Pricer } from '../pricing/pricer';
import { writeFileAtomic } from '../state/atomicFile';
import { openRegularFile, readRegularText } from '../state/regularFile';
import { DEFAULT_REQUEST_LIMIT, type RequestLimits } from '../transcripts/plausibility';
import { requestOf } from './tail';

export interface SessionCost {
  costNanos: number;
  requests: number;
  /** Requests of models without a price (their cost is not in costNanos). */
  unpriced: number;
  /** Every file has been read to its end: costNanos is the session's total, not a lower bound. */
  complete: boolean;
}

interface Seen {
  key: string;
  msgId: string;
  requestId: string;
  tokens: number;
  costNanos: number;
  priced: boolean;
}

interface CostCache {
  version: 1;
  fingerprint: string;
  files: Record<string, number>;
  costNanos: number;
  requests: number;
  unpriced: number;
  /** The last requests seen: streamed copies of one request are written one after another. */
  recent: Seen[];
}

/** Bytes read per call across the session's files (a first call on a 100 MB transcript takes a few calls). */
export const SESSION_COST_BUDGET_BYTES = 24 * 1024 * 1024;
const RECENT = 512;
const CHUNK = 4 * 1024 * 1024;
const NL = 0x0a;
const USAGE = Buffer.from('"usage"');
const MAX_CACHE_FILES = 300;
const NO_WINDOWS: RequestLimits = { byModel: {}, fallback: DEFAULT_REQUEST_LIMIT };

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function safeName(sessionId: string): string {
  return sessionId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120) || 'unknown';
}

/** The main transcript and, for the 2.1.x layout, `<sessionId>/subagents/**.jsonl` beside it. */
export function sessionFiles(transcriptPath: string, sessionId: string): string[] {
  const files = [transcriptPath];
  const dir = path.join(path.dirname(transcriptPath), sessionId || path.basename(transcriptPath, '.jsonl'), 'subagents');
  const walk = (d: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && depth < 4) walk(p, depth + 1);
      else if (e.isFile() && e.name.endsWith('.jsonl')) files.push(p);
    }
  };
  walk(dir, 0);
  return files;
}

function readCache(file: string, fingerprint: string): CostCache {
  try {
    const v = JSON.parse(readRegularText(file) ?? '') as CostCache;
    if (v && v.version === 1 && v.fingerprint === fingerprint && isObj(v.files) && Array.isArray(v.recent)) return v;
  } catch {
    // none yet, or from another rate card: start over
  }
  return { version: 1, fingerprint, files: {}, costNanos: 0, requests: 0, unpriced: 0, recent: [] };
}

function pruneCacheDir(dir: string, keep: string): void {
  try {
    const names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
    if (names.length <= MAX_CACHE_FILES) return;
    const aged = names.map((n) => ({ n, t: fs.statSync(path.join(dir, n)).mtimeMs })).sort((a, b) => a.t - b.t);
    for (const { n } of aged.slice(0, names.length - MAX_CACHE_FILES)) if (n !== keep) fs.rmSync(path.join(dir, n), { force: true });
  } catch {
    // pruning is housekeeping
  }
}

/** Adds what was written since the last call; `cacheDir` holds one small file per session. */
export function sessionCost(transcriptPath: string, sessionId: string, pricer: Pricer, cacheDir: string, budgetBytes = SESSION_COST_BUDGET_BYTES, limits: RequestLimits = NO_WINDOWS): SessionCost {
  const cacheName = `${safeName(sessionId || path.basename(transcriptPath, '.jsonl'))}.json`;
  const cacheFile = path.join(cacheDir, cacheName);
  let cache = readCache(cacheFile, pricer.fingerprint);
  const files = sessionFiles(transcriptPath, sessionId);
  // A file that shrank was replaced or rewritten: count everything again.
  for (const f of files) {
    const at = cache.files[f];
    if (at === undefined) continue;
    let size = -1;
    try {
      size = fs.statSync(f).size;
    } catch {
      // gone: keep what it added
    }
    if (size >= 0 && size < at) {
      cache = { version: 1, fingerprint: pricer.fingerprint, files: {}, costNanos: 0, requests: 0, unpriced: 0, recent: [] };
      break;
    }
  }
  let budget = budgetBytes;
  let complete = true;
  let changed = false;
  for (const f of files) {
    const r = readNew(f, cache, pricer, budget, f === transcriptPath, limits);
    budget -= r.bytes;
    if (r.bytes > 0) changed = true;
    if (!r.atEnd) complete = false;
  }
  if (changed) {
    try {
      const isNew = !fs.existsSync(cacheFile);
      writeFileAtomic(cacheFile, JSON.stringify(cache));
      if (isNew) pruneCacheDir(cacheDir, cacheName);
    } catch {
      // the next call re-reads from the last saved offset
    }
  }
  return { costNanos: cache.costNanos, requests: cache.requests, unpriced: cache.unpriced, complete };
}

function readNew(file: string, cache: CostCache, pricer: Pricer, budget: number, isMain: boolean, limits: RequestLimits): { bytes: number; atEnd: boolean } {
  let fd: number;
  try {
    fd = openRegularFile(file);
  } catch {
    return { bytes: 0, atEnd: true };
  }
  let read = 0;
  try {
    const size = fs.fstatSync(fd).size;
    let offset = cache.files[file] ?? 0;
    while (offset < size) {
      if (read >= budget) {
        cache.files[file] = offset;
        return { bytes: read, atEnd: false };
      }
      const len = Math.min(CHUNK, size - offset, Math.max(64 * 1024, budget - read));
      const buf = Buffer.allocUnsafe(len);
      const n = fs.readSync(fd, buf, 0, len, offset);
      if (n <= 0) break;
      read += n;
      const data = n === len ? buf : buf.subarray(0, n);
      const lastNl = data.lastIndexOf(NL);
      if (lastNl < 0) {
        // one line longer than a chunk (a large tool input): read it whole once it is complete
        if (offset + n >= size) break;
        const end = findNewline(fd, offset + n, size);
        if (end < 0) break;
        const line = Buffer.allocUnsafe(end - offset);
        const got = fs.readSync(fd, line, 0, line.length, offset);
        read += got;
        if (line.indexOf(USAGE) >= 0) addLine(line.subarray(0, got), cache, pricer, isMain, limits);
        offset = end + 1;
        continue;
      }
      let start = 0;
      while (start <= lastNl) {
        const nl = data.indexOf(NL, start);
        const line = data.subarray(start, nl);
        start = nl + 1;
        if (line.indexOf(USAGE) >= 0) addLine(line, cache, pricer, isMain, limits);
      }
      offset += lastNl + 1;
    }
    cache.files[file] = offset;
    return { bytes: read, atEnd: true };
  } catch {
    return { bytes: read, atEnd: false };
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // nothing to do
    }
  }
}

function findNewline(fd: number, from: number, size: number): number {
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let pos = from; pos < size; ) {
    const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
    if (n <= 0) return -1;
    const i = buf.subarray(0, n).indexOf(NL);
    if (i >= 0) return pos + i;
    pos += n;
  }
  return -1;
}

function addLine(line: Buffer, cache: CostCache, pricer: Pricer, isMain: boolean, limits: RequestLimits): void {
  let o: unknown;
  try {
    o = JSON.parse(line.toString('utf8'));
  } catch {
    return;
  }
  if (!isObj(o) || o.type !== 'assistant' || !isObj(o.message)) return;
  // requestOf skips sidechain lines (it reads the main thread's context); the cost counts them, so look at a copy.
  const r = requestOf({ ...o, isSidechain: false }, limits);
  if (!r || 'rejected' in r) return; // usage no real request can carry: not a cost
  const msgId = typeof o.message.id === 'string' ? o.message.id : '';
  const requestId = typeof o.requestId === 'string' ? o.requestId : '';
  // A /btw side question replays a main-thread message as a sidechain with a new requestId: not a new request.
  if (isMain && o.isSidechain === true && msgId && cache.recent.some((s) => s.msgId === msgId && s.requestId !== requestId)) return;
  const key = msgId ? (requestId ? `${msgId}:${requestId}` : msgId) : `${cache.requests}:${line.length}`;
  const tokens = r.promptTokens + r.output;
  const p = pricer.price({ model: r.model, timestamp: r.at ?? Date.now(), input: r.input, output: r.output, cacheWrite5m: r.cacheWrite5m, cacheWrite1h: r.cacheWrite1h, cacheRead: r.cacheRead, webSearches: webSearches(o.message), speed: speedOf(o.message), inferenceGeo: geoOf(o.message) });
  const seen = cache.recent.find((s) => s.key === key);
  if (seen) {
    if (tokens <= seen.tokens) return;
    cache.costNanos += p.costNanos - seen.costNanos;
    if (seen.priced !== p.priced) cache.unpriced += p.priced ? -1 : 1;
    seen.tokens = tokens;
    seen.costNanos = p.costNanos;
    seen.priced = p.priced;
    return;
  }
  cache.costNanos += p.costNanos;
  cache.requests += 1;
  if (!p.priced) cache.unpriced += 1;
  cache.recent.push({ key, msgId, requestId, tokens, costNanos: p.costNanos, priced: p.priced });
  if (cache.recent.length > RECENT) cache.recent.splice(0, cache.recent.length - RECENT);
}

function usageOf(m: Json): Json {
  return isObj(m.usage) ? m.usage : {};
}

function webSearches(m: Json): number {
  const s = usageOf(m).server_tool_use;
  return isObj(s) && typeof s.web_search_requests === 'number' && s.web_search_requests > 0 ? Math.round(s.web_search_requests) : 0;
}

function speedOf(m: Json): string {
  const v = usageOf(m).speed;
  return typeof v === 'string' ? v : '';
}

function geoOf(m: Json): string {
  const v = usageOf(m).inference_geo;
  return typeof v === 'string' ? v : '';
}
