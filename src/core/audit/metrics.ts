// What a loop costs and why: context per iteration, the re-read share, the cache (hit ratio,
// writes never read back, writes re-done after the 5-minute cache expired), output per dollar.
// A request's cost is split between its token buckets in proportion to the model's list rates,
// so the parts always add up to the cost the ledger stored.
import type { Pricer } from '../pricing/pricer';
import { FIVE_MINUTES_MS, median, type Candidate, type Thread } from './detect';
import type { AuditRequest } from './input';
import { promptTokens } from './input';
import type { ContextSize, LoopMetrics } from './types';

const HOUR_MS = 3_600_000;

type Buckets = { input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number };

/** Splits request costs between token buckets by the model's rates (USD per million tokens). */
export class CostSplitter {
  private readonly rates = new Map<string, Buckets | null>();

  constructor(private readonly pricer: Pricer) {}

  private ratesOf(model: string): Buckets | null {
    if (!this.rates.has(model)) {
      const m = this.pricer.lookup(model);
      this.rates.set(model, m ? { input: m.rates.input, output: m.rates.output, cacheWrite5m: m.rates.cacheWrite5m, cacheWrite1h: m.rates.cacheWrite1h, cacheRead: m.rates.cacheRead } : null);
    }
    return this.rates.get(model)!;
  }

  /** Nanos of `r` that pay for `part` (a subset of its tokens); web search is left out. */
  costOf(r: AuditRequest, part: Partial<Buckets>): number {
    const rates = this.ratesOf(r.model);
    if (!rates || !r.priced || r.costNanos <= 0) return 0;
    const weigh = (b: Partial<Buckets>): number =>
      (b.input ?? 0) * rates.input + (b.output ?? 0) * rates.output + (b.cacheWrite5m ?? 0) * rates.cacheWrite5m + (b.cacheWrite1h ?? 0) * rates.cacheWrite1h + (b.cacheRead ?? 0) * rates.cacheRead;
    const whole = weigh(r);
    if (whole <= 0) return 0;
    const tokenCost = r.webSearches > 0 ? this.pricer.price({ ...r, webSearches: 0 }).costNanos : r.costNanos;
    return (tokenCost * weigh(part)) / whole;
  }

  /** What reading `tokens` from the cache would cost on `r`'s terms (same tier and multipliers). */
  readCostOf(r: AuditRequest, tokens: number): number {
    return this.costOf(r, { cacheRead: tokens });
  }
}

/** Where each request sits in its thread, to find the request before and after it. */
export interface ThreadIndex {
  threadOf: Map<string, Thread>;
  position: Map<string, number>;
}

export function indexThreads(threads: Iterable<Thread>): ThreadIndex {
  const threadOf = new Map<string, Thread>();
  const position = new Map<string, number>();
  for (const th of threads) {
    th.rows.forEach((r, i) => {
      threadOf.set(r.key, th);
      position.set(r.key, i);
    });
  }
  return { threadOf, position };
}

function neighbour(idx: ThreadIndex, r: AuditRequest, step: -1 | 1): AuditRequest | undefined {
  const th = idx.threadOf.get(r.key);
  const pos = idx.position.get(r.key);
  return th && pos !== undefined ? th.rows[pos + step] : undefined;
}

/** The re-read part of a request: the prompt the previous request of its thread already sent, taken from cache reads first. */
function rereadBuckets(r: AuditRequest, prevPrompt: number): Partial<Buckets> {
  let left = Math.min(promptTokens(r), prevPrompt);
  const take = (n: number): number => {
    const t = Math.min(n, left);
    left -= t;
    return t;
  };
  return { cacheRead: take(r.cacheRead), cacheWrite5m: take(r.cacheWrite5m), cacheWrite1h: take(r.cacheWrite1h), input: take(r.input) };
}

export interface MetricsContext {
  splitter: CostSplitter;
  threads: ThreadIndex;
  cycle: { start: number; end: number };
  now: number;
}

export function contextSize(iterations: readonly AuditRequest[][], rows: readonly AuditRequest[]): ContextSize {
  const firsts = iterations.map((it) => promptTokens(it[0]!));
  const first = firsts[0] ?? 0;
  const last = firsts[firsts.length - 1] ?? 0;
  return {
    firstTokens: first,
    lastTokens: last,
    avgTokens: firsts.length ? Math.round(firsts.reduce((s, v) => s + v, 0) / firsts.length) : 0,
    maxTokens: rows.reduce((m, r) => Math.max(m, promptTokens(r)), 0),
    growthPerIterationTokens: firsts.length > 1 ? Math.round((last - first) / (firsts.length - 1)) : 0,
  };
}

export function loopMetrics(c: Candidate, ctx: MetricsContext): LoopMetrics {
  const { splitter } = ctx;
  let cost = 0;
  let cycleCost = 0;
  let unpriced = 0;
  const tokens = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
  let prompt = 0;
  let rereadTokens = 0;
  let rereadCost = 0;
  let unreadTokens = 0;
  let unreadCost = 0;
  let expired = 0;
  let expiredExtra = 0;
  const byModel = new Map<string, number>();
  for (const r of c.rows) {
    cost += r.costNanos;
    if (r.timestamp >= ctx.cycle.start && r.timestamp < ctx.cycle.end && r.timestamp <= ctx.now) cycleCost += r.costNanos;
    if (!r.priced) unpriced++;
    byModel.set(r.model, (byModel.get(r.model) ?? 0) + r.costNanos);
    tokens.input += r.input;
    tokens.output += r.output;
    tokens.cacheWrite += r.cacheWrite5m + r.cacheWrite1h;
    tokens.cacheRead += r.cacheRead;
    const p = promptTokens(r);
    prompt += p;
    const prev = neighbour(ctx.threads, r, -1);
    if (prev) {
      const part = rereadBuckets(r, promptTokens(prev));
      rereadTokens += (part.cacheRead ?? 0) + (part.cacheWrite5m ?? 0) + (part.cacheWrite1h ?? 0) + (part.input ?? 0);
      rereadCost += splitter.costOf(r, part);
      const gap = r.timestamp - prev.timestamp;
      const written = r.cacheWrite5m + r.cacheWrite1h;
      const cacheGone = gap > FIVE_MINUTES_MS && (prev.cacheWrite1h === 0 || gap > HOUR_MS);
      if (cacheGone && written * 2 >= p && p > 0) {
        expired++;
        expiredExtra += splitter.costOf(r, { cacheWrite5m: r.cacheWrite5m, cacheWrite1h: r.cacheWrite1h }) - splitter.readCostOf(r, written);
      }
    }
    const written = r.cacheWrite5m + r.cacheWrite1h;
    if (written > 0) {
      const next = neighbour(ctx.threads, r, 1);
      const ttl = r.cacheWrite1h > 0 ? HOUR_MS : FIVE_MINUTES_MS;
      const stillLive = !next && ctx.now - r.timestamp < ttl;
      const readBack = !!next && next.timestamp - r.timestamp <= ttl && next.cacheRead >= r.cacheRead + written / 2;
      if (!readBack && !stillLive) {
        unreadTokens += written;
        unreadCost += splitter.costOf(r, { cacheWrite5m: r.cacheWrite5m, cacheWrite1h: r.cacheWrite1h });
      }
    }
  }
  const iterations = c.iterations.length;
  const starts = c.iterations.map((it) => it[0]!.timestamp);
  const intervals = starts.slice(1).map((s, k) => s - starts[k]!);
  return {
    requests: c.rows.length,
    iterations,
    costNanos: cost,
    cycleCostNanos: cycleCost,
    costPerIterationNanos: iterations ? Math.round(cost / iterations) : 0,
    unpricedRequests: unpriced,
    tokens,
    context: contextSize(c.iterations, c.rows),
    rereadTokens,
    rereadCostNanos: Math.round(rereadCost),
    rereadShare: cost > 0 ? Math.min(1, rereadCost / cost) : 0,
    cacheHitRatio: prompt > 0 ? tokens.cacheRead / prompt : 0,
    unreadCacheWriteTokens: unreadTokens,
    unreadCacheWriteCostNanos: Math.round(unreadCost),
    expiredCacheRewrites: expired,
    expiredCacheRewriteExtraNanos: Math.round(Math.max(0, expiredExtra)),
    medianIntervalSeconds: intervals.length ? Math.round(median(intervals) / 1000) : null,
    outputPerUsd: cost > 0 ? Math.round(tokens.output / (cost / 1e9)) : null,
    models: [...byModel].sort((a, b) => b[1] - a[1]).map(([m]) => m),
  };
}
