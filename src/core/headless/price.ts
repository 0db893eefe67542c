// A run's cost at list price from what `claude -p` printed, and why Claude Code's own figure differs. Claude Code's
// `total_cost_usd` is a client-side estimate that has been wrong (FACTS.md): we price the same usage with our rate
// card and explain the difference when we can, testing known mispricings as hypotheses against its figure.
import type { PriceableUsage } from '../model';
import { createPricer, loadRateCard, type Pricer, type RateOverrides, type RateSet } from '../pricing/pricer';
import { usdToNanos } from '../pricing/money';
import type { ModelUsageEntry, RunResult, StreamMessage, TokenUsage } from './output';

export interface RunPrice {
  /** Whole run, nanodollars; a lower bound when `priced` is false. */
  costNanos: number;
  /** False when a model of the run has no list price (its tokens are not in costNanos). */
  priced: boolean;
  /** What was priced: the result's per-model usage, its main-loop usage, or the stream's messages (no result). */
  from: 'modelUsage' | 'usage' | 'stream';
  unpricedModels: string[];
  notes: string[];
}

export interface RunPriceInput {
  result?: RunResult;
  /** Assistant messages of the run's stream, for a stream that ended before its result. */
  messages?: readonly StreamMessage[];
  /** Model for a result without `modelUsage` (older versions): the stream's init model or a full `--model` id. */
  model?: string;
  /** Epoch ms of the run: the rate card is dated. */
  at: number;
}

type Bucket = 'input' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead';

/** Usage summed over a run's requests: the fields of one request's price, without its time. */
type Aggregate = Omit<PriceableUsage, 'timestamp'>;

/**
 * Prices usage summed over many requests. The long-context premium is decided per request, and a sum says nothing
 * about single requests, so the prompt buckets are priced in slices no larger than the model's smallest threshold:
 * standard rates, exactly (prices are whole nanodollars per token).
 */
function priceAggregate(pricer: Pricer, a: Aggregate, at: number, notes: string[]): { costNanos: number; priced: boolean } {
  const zero: PriceableUsage = { model: a.model, timestamp: at, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, webSearches: 0, speed: a.speed, inferenceGeo: a.inferenceGeo };
  const base = pricer.price({ ...zero, output: a.output, webSearches: a.webSearches });
  if (!base.priced) return { costNanos: 0, priced: false };
  for (const n of base.notes) if (!notes.includes(n)) notes.push(n);
  const model = pricer.lookup(a.model);
  const threshold = model?.longContext.reduce((m, t) => Math.min(m, t.thresholdTokens), Infinity) ?? Infinity;
  const slice = Number.isFinite(threshold) && threshold > 0 ? threshold : Infinity;
  let cost = base.costNanos;
  const buckets: Bucket[] = ['input', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'];
  for (const b of buckets) {
    let left = a[b];
    while (left > 0) {
      const part = Math.min(left, slice);
      cost += pricer.price({ ...zero, [b]: part }).costNanos;
      left -= part;
    }
  }
  const prompt = a.input + a.cacheWrite5m + a.cacheWrite1h + a.cacheRead;
  if (Number.isFinite(threshold) && prompt > threshold) {
    notes.push(`${a.model}: summed usage priced at standard rates; a single request over ${threshold.toLocaleString('en-US')} prompt tokens may have been billed at the long-context premium (the ledger's per-request rows tell)`);
  }
  return { costNanos: cost, priced: true };
}

/** Spreads the result's 1h cache writes (given only for the main loop) over the models, largest writer first. */
function modelAggregates(modelUsage: readonly ModelUsageEntry[], usage: TokenUsage | null): Aggregate[] {
  let oneHour = usage?.cacheWrite1h ?? 0;
  const byWrites = [...modelUsage].sort((a, b) => b.cacheWrite - a.cacheWrite);
  const primary = [...modelUsage].sort((a, b) => b.input + b.output + b.cacheRead + b.cacheWrite - (a.input + a.output + a.cacheRead + a.cacheWrite))[0];
  const split = new Map<ModelUsageEntry, number>();
  for (const m of byWrites) {
    const h = Math.min(oneHour, m.cacheWrite);
    split.set(m, h);
    oneHour -= h;
  }
  return modelUsage.map((m) => ({
    model: m.model,
    input: m.input,
    output: m.output,
    cacheWrite1h: split.get(m) ?? 0,
    cacheWrite5m: m.cacheWrite - (split.get(m) ?? 0),
    cacheRead: m.cacheRead,
    webSearches: m.webSearches,
    // Fast mode is the main loop's; auxiliary models (titles, checks) run at standard speed.
    speed: m === primary ? (usage?.speed ?? '') : '',
    inferenceGeo: usage?.inferenceGeo ?? '',
  }));
}

/** The run at list price; null when there is nothing to price (text output, or JSON without usage). */
export function priceRun(input: RunPriceInput, pricer: Pricer): RunPrice | null {
  const notes: string[] = [];
  const unpricedModels: string[] = [];
  let total = 0;
  const add = (a: Aggregate): void => {
    const p = priceAggregate(pricer, a, input.at, notes);
    if (p.priced) total += p.costNanos;
    else if (!unpricedModels.includes(a.model || '(unknown model)')) unpricedModels.push(a.model || '(unknown model)');
  };
  const r = input.result;
  if (r?.modelUsage && r.modelUsage.length) {
    for (const a of modelAggregates(r.modelUsage, r.usage)) add(a);
    return { costNanos: total, priced: unpricedModels.length === 0, from: 'modelUsage', unpricedModels, notes };
  }
  if (r?.usage) {
    const u = r.usage;
    if (!input.model) notes.push('the result names no model (no modelUsage) and none was known from the stream or --model');
    if (u.cacheWrite5m === undefined && u.cacheWrite > 0) notes.push('no 5m/1h split of cache writes: priced at the 5-minute rate');
    add({ model: input.model ?? '', input: u.input, output: u.output, cacheWrite5m: u.cacheWrite5m ?? u.cacheWrite, cacheWrite1h: u.cacheWrite1h ?? 0, cacheRead: u.cacheRead, webSearches: u.webSearches, speed: u.speed, inferenceGeo: u.inferenceGeo });
    return { costNanos: total, priced: unpricedModels.length === 0, from: 'usage', unpricedModels, notes };
  }
  if (input.messages && input.messages.length) {
    // One message is one request: priced as such (long-context tiers apply exactly).
    for (const m of input.messages) {
      const u = m.usage;
      const p = pricer.price({
        model: m.model,
        timestamp: input.at,
        input: u.input,
        output: u.output,
        cacheWrite5m: u.cacheWrite5m ?? u.cacheWrite,
        cacheWrite1h: u.cacheWrite1h ?? 0,
        cacheRead: u.cacheRead,
        webSearches: u.webSearches,
        speed: u.speed,
        inferenceGeo: u.inferenceGeo,
      });
      if (p.priced) total += p.costNanos;
      else if (!unpricedModels.includes(m.model)) unpricedModels.push(m.model);
    }
    notes.push('no result: priced from the assistant messages the stream showed (the run may have cost more after the output stopped)');
    return { costNanos: total, priced: unpricedModels.length === 0, from: 'stream', unpricedModels, notes };
  }
  return null;
}

// --- Claude Code's figure against ours ---

/** A mispricing of Claude Code's own cost estimate, tested as a hypothesis: reprice the run its way and compare. */
export interface KnownMispricing {
  id: string;
  /** Claude Code versions affected, inclusive ("2.1.49"). */
  fromVersion: string;
  toVersion: string;
  reason: string;
  /** The rates Claude Code used for a model (given ours), or undefined if it priced that model right. */
  rates(model: string, pricer: Pricer): RateSet | undefined;
}

export const KNOWN_MISPRICINGS: readonly KnownMispricing[] = [
  {
    id: 'sonnet-4-6-at-opus-rates',
    fromVersion: '2.1.49',
    toVersion: '2.1.63',
    reason: 'Claude Code 2.1.49-2.1.63 priced sonnet-4-6 at Opus rates and 1h cache writes at 1.25x input (FACTS.md)',
    rates: (model, pricer) => {
      const own = pricer.lookup(model);
      if (!own) return undefined;
      const base = own.id === 'claude-sonnet-4-6' ? pricer.lookup('claude-opus-4-6')?.rates : own.rates;
      return base ? { ...base, cacheWrite1h: base.cacheWrite5m } : undefined;
    },
  },
];

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

export type DifferenceKind = 'match' | 'known-mispricing' | 'cost-basis' | 'unpriced' | 'unitemized' | 'unexplained';

export interface CostDifference {
  /** Claude Code's figure minus ours (positive: Claude Code says more). */
  differenceNanos: number;
  kind: DifferenceKind;
  /** Why, in words; null when it is unexplained. */
  reason: string | null;
}

/** Within half a percent or a hundredth of a cent: the same figure. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(10_000, Math.abs(b) * 0.005);
}

export interface DifferenceInput {
  reportedUsd: number;
  ours: RunPrice;
  priceInput: RunPriceInput;
  /** Claude Code's version when the stream said it (system/init); without it every known mispricing is tested. */
  claudeCodeVersion?: string;
  pricer: Pricer;
}

/** Claude Code's `total_cost_usd` against our list price of the same usage, with the reason when one is known. */
export function explainDifference(d: DifferenceInput): CostDifference {
  const reported = usdToNanos(d.reportedUsd);
  const differenceNanos = reported - d.ours.costNanos;
  if (!d.ours.priced) {
    return { differenceNanos, kind: 'unpriced', reason: `no list price for ${d.ours.unpricedModels.join(', ')}: our figure leaves those tokens out` };
  }
  if (close(reported, d.ours.costNanos)) return { differenceNanos, kind: 'match', reason: null };
  for (const m of KNOWN_MISPRICINGS) {
    const v = d.claudeCodeVersion;
    if (v && (compareVersions(v, m.fromVersion) < 0 || compareVersions(v, m.toVersion) > 0)) continue;
    const theirs = repriceAs(m, d.priceInput, d.pricer);
    if (theirs !== null && close(reported, theirs)) {
      return { differenceNanos, kind: 'known-mispricing', reason: v ? m.reason : `matches a known mispricing: ${m.reason}` };
    }
  }
  const result = d.priceInput.result;
  if (result?.costBasis && result.costBasis !== 'list') {
    return { differenceNanos, kind: 'cost-basis', reason: `Claude Code's figure is on its "${result.costBasis}" cost basis, not list price` };
  }
  const itemized = result?.modelUsage?.reduce<number | null>((s, m) => (s === null || m.costUsd === null ? null : s + usdToNanos(m.costUsd)), 0) ?? null;
  if (itemized !== null && close(itemized, d.ours.costNanos) && !close(itemized, reported)) {
    return { differenceNanos, kind: 'unitemized', reason: `Claude Code's per-model costs (modelUsage) add up to our figure; its total counts usage it does not itemize per model` };
  }
  return { differenceNanos, kind: 'unexplained', reason: null };
}

function repriceAs(m: KnownMispricing, input: RunPriceInput, pricer: Pricer): number | null {
  const models = new Set<string>();
  for (const e of input.result?.modelUsage ?? []) models.add(e.model);
  for (const e of input.messages ?? []) models.add(e.model);
  if (input.model) models.add(input.model);
  const overrides: Record<string, RateSet> = {};
  let changed = false;
  for (const model of models) {
    const rates = m.rates(model, pricer);
    const own = pricer.lookup(model);
    if (!rates || !own) continue;
    overrides[own.id] = rates;
    if (RATE_KEYS.some((k) => rates[k] !== own.rates[k])) changed = true;
  }
  if (!changed) return null;
  const theirs = priceRun(input, createPricer(loadRateCard(), overrides as RateOverrides));
  return theirs && theirs.priced ? theirs.costNanos : null;
}

const RATE_KEYS = ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const;
