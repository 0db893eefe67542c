// Prices one request at list prices from the dated rate card plus the user's overrides.
// All arithmetic is integer nanodollars: each rate becomes whole nanodollars per token once.
import { createHash } from 'node:crypto';
import type { PriceableUsage } from '../model';
import { indexModels, normalizeModelId } from './modelId';
import type { ModelIndex } from './modelId';
import type { PartialRateSet, RateCard, RateSet } from './rateCard';

export { loadRateCard } from './rateCard';
export type { RateCard, RateSet, PartialRateSet, ModelRate, LongContextTier } from './rateCard';
export { formatUsd, nanosToUsd, usdToNanos, NANOS_PER_USD } from './money';
export type { FormatUsdOptions } from './money';
export { normalizeModelId } from './modelId';

/** Bump when the pricing rules (not the data) change, so stored rows are repriced. */
const PRICING_RULES_VERSION = 1;

const RATE_KEYS = ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const;
type RateKey = (typeof RATE_KEYS)[number];

/** One model's rates from the user's settings, USD per million tokens. */
export interface RateOverride extends PartialRateSet {
  /** Free text for the user's own reference; ignored by pricing. */
  note?: string;
}

/** Model id (any spelling) -> rates. Read from a settings file, so every entry is validated. */
export type RateOverrides = Readonly<Record<string, RateOverride>>;

export interface EffectiveTier {
  thresholdTokens: number;
  from?: string;
  until?: string;
  rates: RateSet;
  source: string;
}

/** A model as the pricer sees it: card row with overrides applied and cache rates filled in. */
export interface EffectiveModel {
  id: string;
  aliases: readonly string[];
  origin: 'card' | 'override' | 'card+override';
  verified: boolean;
  source: string;
  rates: RateSet;
  longContext: readonly EffectiveTier[];
  fastMultiplier?: number;
  residency: boolean;
}

export interface PricedUsage {
  /** The card's id for the model when known, else the normalized id. */
  model: string;
  /** false: the model has no rates; costNanos is 0 and must be shown as "unpriced", never as $0. */
  priced: boolean;
  /** Whole request in nanodollars, web search included; 0 when unpriced. */
  costNanos: number;
  /** The long-context premium applied to the whole request. */
  longContext: boolean;
  /** Fast-mode rates applied (a fast request on a model without fast rates is priced standard and noted). */
  fast: boolean;
  /** The data-residency multiplier applied. */
  residency: boolean;
  webSearchNanos: number;
  notes: string[];
}

export interface Pricer {
  price(u: PriceableUsage): PricedUsage;
  /** The effective row for a model id in any spelling. */
  lookup(model: string): EffectiveModel | undefined;
  readonly models: readonly EffectiveModel[];
  /** Short stable hash of everything that decides a price; changes mean stored rows need repricing. */
  readonly fingerprint: string;
  readonly asOf: string;
  /** Bad card rows or override entries, skipped and described here instead of thrown. */
  readonly problems: readonly string[];
}

interface ResolvedTier extends EffectiveTier {
  fromMs: number;
  untilMs: number;
}

interface ResolvedModel extends EffectiveModel {
  longContext: readonly ResolvedTier[];
}

/** Integer nanodollars per token for each category. */
type NanoRates = Readonly<Record<RateKey, number>>;

export function createPricer(card: RateCard, overrides?: RateOverrides | null): Pricer {
  const problems: string[] = [];
  const multipliers = card.cacheMultipliers;
  const cardModels: ResolvedModel[] = [];
  for (const row of card.models) {
    const resolved = resolveCardRow(row, multipliers, problems);
    if (resolved) cardModels.push(resolved);
  }
  const cardIndex = indexModels(cardModels);
  problems.push(...cardIndex.conflicts.map((c) => `rate card: ${c}`));
  // A row whose own id another row already holds can never be found: drop it from the listing too.
  const reachable = cardModels.filter((row) => cardIndex.find(row.id) === row);

  const models = applyOverrides(reachable, cardIndex, overrides, multipliers, problems);
  const index = indexModels(models);
  const webSearchNanosEach = Math.round(card.webSearch.usdPerThousand * 1_000_000);
  const residencyGeo = card.residency.inferenceGeo.toLowerCase();
  const residencyMultiplier = card.residency.multiplier;

  // Per-pricer caches: the same few model strings and rate variants repeat across millions of requests.
  const modelCache = new Map<string, ResolvedModel | undefined>();
  const rateCache = new Map<string, NanoRates>();

  const lookupResolved = (raw: string): ResolvedModel | undefined => {
    if (modelCache.has(raw)) return modelCache.get(raw);
    const found = index.find(raw);
    modelCache.set(raw, found);
    return found;
  };

  const nanoRates = (model: ResolvedModel, tier: number, multiplier: number, rates: RateSet): NanoRates => {
    const key = `${model.id}\u0000${tier}\u0000${multiplier}`;
    let cached = rateCache.get(key);
    if (!cached) {
      cached = {
        input: toNanosPerToken(rates.input, multiplier),
        output: toNanosPerToken(rates.output, multiplier),
        cacheWrite5m: toNanosPerToken(rates.cacheWrite5m, multiplier),
        cacheWrite1h: toNanosPerToken(rates.cacheWrite1h, multiplier),
        cacheRead: toNanosPerToken(rates.cacheRead, multiplier),
      };
      rateCache.set(key, cached);
    }
    return cached;
  };

  const price = (u: PriceableUsage): PricedUsage => {
    const notes: string[] = [];
    const raw = typeof u.model === 'string' ? u.model : '';
    const model = lookupResolved(raw);
    if (!model) {
      const normalized = normalizeModelId(raw);
      notes.push(`unknown model "${raw}": unpriced`);
      return { model: normalized, priced: false, costNanos: 0, longContext: false, fast: false, residency: false, webSearchNanos: 0, notes };
    }
    if (!model.verified) notes.push(`rates for ${model.id} are unverified`);
    if (model.origin !== 'card') notes.push(`rates for ${model.id} from user settings`);

    const tokens = {
      input: tokenCount(u.input, 'input', notes),
      output: tokenCount(u.output, 'output', notes),
      cacheWrite5m: tokenCount(u.cacheWrite5m, 'cacheWrite5m', notes),
      cacheWrite1h: tokenCount(u.cacheWrite1h, 'cacheWrite1h', notes),
      cacheRead: tokenCount(u.cacheRead, 'cacheRead', notes),
    };
    const promptTokens = tokens.input + tokens.cacheWrite5m + tokens.cacheWrite1h + tokens.cacheRead;

    const hasTime = Number.isFinite(u.timestamp) && u.timestamp > 0;
    if (!hasTime && model.longContext.some((t) => t.untilMs !== Infinity || t.fromMs !== -Infinity)) {
      notes.push('no request time: dated long-context tiers judged as in force today');
    }
    let tierIndex = -1;
    for (let i = 0; i < model.longContext.length; i++) {
      const t = model.longContext[i];
      if (promptTokens <= t.thresholdTokens) continue;
      const inWindow = hasTime ? u.timestamp >= t.fromMs && u.timestamp < t.untilMs : t.untilMs === Infinity;
      if (inWindow) {
        tierIndex = i;
        break;
      }
    }
    const tier = tierIndex >= 0 ? model.longContext[tierIndex] : undefined;
    if (tier) notes.push(`long context: ${promptTokens} prompt tokens > ${tier.thresholdTokens}; whole request at premium rates`);

    let multiplier = 1;
    let fast = false;
    if (String(u.speed ?? '').toLowerCase() === 'fast') {
      if (model.fastMultiplier !== undefined) {
        fast = true;
        multiplier *= model.fastMultiplier;
        notes.push(`fast mode: ${model.fastMultiplier}x`);
      } else {
        notes.push(`fast mode: no fast rates known for ${model.id}; priced at standard rates`);
      }
    }
    const residency = model.residency && String(u.inferenceGeo ?? '').toLowerCase() === residencyGeo;
    if (residency) {
      multiplier *= residencyMultiplier;
      notes.push(`data residency (${residencyGeo}): ${residencyMultiplier}x`);
    }

    const r = nanoRates(model, tierIndex, multiplier, tier ? tier.rates : model.rates);
    const tokenNanos =
      tokens.input * r.input +
      tokens.output * r.output +
      tokens.cacheWrite5m * r.cacheWrite5m +
      tokens.cacheWrite1h * r.cacheWrite1h +
      tokens.cacheRead * r.cacheRead;
    const webSearchNanos = tokenCount(u.webSearches, 'webSearches', notes) * webSearchNanosEach;
    return {
      model: model.id,
      priced: true,
      costNanos: tokenNanos + webSearchNanos,
      longContext: tier !== undefined,
      fast,
      residency,
      webSearchNanos,
      notes,
    };
  };

  const publicModels: EffectiveModel[] = models.map(toEffective);
  const publicById = new Map(models.map((m, i) => [m, publicModels[i]] as const));
  return {
    price,
    lookup: (model) => {
      const found = lookupResolved(model);
      return found ? publicById.get(found) : undefined;
    },
    models: publicModels,
    fingerprint: fingerprintOf(card, models),
    asOf: card.asOf,
    problems,
  };
}

/** USD per million tokens -> whole nanodollars per token, rounded once after multipliers. */
function toNanosPerToken(usdPerMillion: number, multiplier: number): number {
  return Math.round(usdPerMillion * multiplier * 1000);
}

function tokenCount(n: number, what: string, notes: string[]): number {
  if (Number.isSafeInteger(n) && n >= 0) return n;
  const fixed = Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
  notes.push(`bad ${what} count ${String(n)}: counted as ${fixed}`);
  return fixed;
}

function fillRates(r: PartialRateSet, m: RateCard['cacheMultipliers']): RateSet {
  return {
    input: r.input,
    output: r.output,
    cacheWrite5m: r.cacheWrite5m ?? r.input * m.cacheWrite5m,
    cacheWrite1h: r.cacheWrite1h ?? r.input * m.cacheWrite1h,
    cacheRead: r.cacheRead ?? r.input * m.cacheRead,
  };
}

function isRate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** Checks a rate set read from data; returns a description of what is wrong, or "". */
function rateSetProblem(r: unknown): string {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return 'rates must be an object';
  const o = r as Record<string, unknown>;
  for (const k of RATE_KEYS) {
    const v = o[k];
    const required = k === 'input' || k === 'output';
    if (v === undefined || v === null) {
      if (required) return `missing ${k}`;
      continue;
    }
    if (!isRate(v)) return `${k} must be a non-negative number (got ${JSON.stringify(v)})`;
  }
  return '';
}

function parseInstant(iso: string | undefined, fallback: number): number {
  if (iso === undefined) return fallback;
  return Date.parse(iso);
}

function resolveCardRow(row: RateCard['models'][number], m: RateCard['cacheMultipliers'], problems: string[]): ResolvedModel | undefined {
  const id = normalizeModelId(String(row.id ?? ''));
  if (id === '') {
    problems.push('rate card: a model row has no id; skipped');
    return undefined;
  }
  const bad = rateSetProblem(row.rates);
  if (bad) {
    problems.push(`rate card: ${id}: ${bad}; skipped`);
    return undefined;
  }
  const tiers: ResolvedTier[] = [];
  for (const t of row.longContext ?? []) {
    const fromMs = parseInstant(t.from, -Infinity);
    const untilMs = parseInstant(t.until, Infinity);
    const tierBad = rateSetProblem(t.rates);
    if (tierBad || Number.isNaN(fromMs) || Number.isNaN(untilMs) || !(t.thresholdTokens >= 0)) {
      problems.push(`rate card: ${id}: bad long-context tier (${tierBad || 'bad threshold or date'}); skipped`);
      continue;
    }
    tiers.push({ thresholdTokens: t.thresholdTokens, from: t.from, until: t.until, rates: fillRates(t.rates, m), source: t.source, fromMs, untilMs });
  }
  let fastMultiplier = row.fastMultiplier;
  if (fastMultiplier !== undefined && !(isRate(fastMultiplier) && fastMultiplier > 0)) {
    problems.push(`rate card: ${id}: bad fastMultiplier ${JSON.stringify(fastMultiplier)}; fast mode priced at standard rates`);
    fastMultiplier = undefined;
  }
  return {
    id,
    aliases: (row.aliases ?? []).map(normalizeModelId).filter((a) => a !== ''),
    origin: 'card',
    verified: row.verified !== false,
    source: row.source,
    rates: fillRates(row.rates, m),
    longContext: tiers,
    fastMultiplier,
    residency: row.residency === true,
  };
}

function applyOverrides(
  cardModels: readonly ResolvedModel[],
  cardIndex: ModelIndex<ResolvedModel>,
  overrides: RateOverrides | null | undefined,
  m: RateCard['cacheMultipliers'],
  problems: string[],
): ResolvedModel[] {
  if (overrides === undefined || overrides === null) return [...cardModels];
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    problems.push('rate overrides: must be an object mapping model ids to rates; ignored');
    return [...cardModels];
  }
  const replaced = new Map<ResolvedModel, ResolvedModel>();
  const added = new Map<string, ResolvedModel>();
  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(overrides as Record<string, unknown>)) {
    const where = `rate overrides: "${key}"`;
    const normalized = normalizeModelId(key);
    if (normalized === '') {
      problems.push(`${where}: not a model id; skipped`);
      continue;
    }
    const base = cardIndex.find(normalized);
    const target = base ? base.id : normalized;
    const earlier = seen.get(target);
    if (earlier !== undefined) {
      problems.push(`${where}: names the same model as "${earlier}"; skipped`);
      continue;
    }
    const bad = rateSetProblem(value);
    if (bad) {
      problems.push(`${where}: ${bad}; skipped`);
      continue;
    }
    seen.set(target, key);
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!(RATE_KEYS as readonly string[]).includes(k) && k !== 'note') problems.push(`${where}: unknown field "${k}" ignored`);
    }
    const given: PartialRateSet = {
      input: o.input as number,
      output: o.output as number,
      cacheWrite5m: isRate(o.cacheWrite5m) ? o.cacheWrite5m : undefined,
      cacheWrite1h: isRate(o.cacheWrite1h) ? o.cacheWrite1h : undefined,
      cacheRead: isRate(o.cacheRead) ? o.cacheRead : undefined,
    };
    for (const k of RATE_KEYS) {
      const v = given[k];
      if (v !== undefined && Math.abs(Math.round(v * 1000) - v * 1000) > 1e-6) {
        problems.push(`${where}: ${k} ${v} is finer than $0.001 per million tokens; rounded to ${Math.round(v * 1000) / 1000}`);
      }
    }
    const rates = fillRates(given, m);
    if (base) {
      // The premium tiers keep their ratio to the standard rates, so a corrected base price carries over.
      const longContext = base.longContext.map((t) => ({ ...t, rates: scaleRates(t.rates, base.rates, rates) }));
      replaced.set(base, { ...base, origin: 'card+override', source: `user settings (card: ${base.source})`, rates, longContext });
    } else {
      added.set(normalized, {
        id: normalized,
        aliases: [],
        origin: 'override',
        verified: true,
        source: 'user settings',
        rates,
        longContext: [],
        fastMultiplier: undefined,
        residency: false,
      });
    }
  }
  return [...cardModels.map((row) => replaced.get(row) ?? row), ...added.values()];
}

function scaleRates(tier: RateSet, cardBase: RateSet, newBase: RateSet): RateSet {
  const out = { ...tier };
  for (const k of RATE_KEYS) out[k] = cardBase[k] > 0 ? (tier[k] * newBase[k]) / cardBase[k] : tier[k];
  return out;
}

function toEffective(m: ResolvedModel): EffectiveModel {
  const out: EffectiveModel = {
    id: m.id,
    aliases: m.aliases,
    origin: m.origin,
    verified: m.verified,
    source: m.source,
    rates: { ...m.rates },
    longContext: m.longContext.map(({ thresholdTokens, from, until, rates, source }) => ({ thresholdTokens, from, until, rates: { ...rates }, source })),
    residency: m.residency,
  };
  if (m.fastMultiplier !== undefined) out.fastMultiplier = m.fastMultiplier;
  return out;
}

/** Hashes only what decides a price (sources and notes are prose), in a fixed key order. */
function fingerprintOf(card: RateCard, models: readonly ResolvedModel[]): string {
  const rateList = (r: RateSet): number[] => RATE_KEYS.map((k) => r[k]);
  const priced = [...models]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((mo) => [
      mo.id,
      [...mo.aliases].sort(),
      rateList(mo.rates),
      mo.longContext.map((t) => [t.thresholdTokens, t.from ?? null, t.until ?? null, rateList(t.rates)]),
      mo.fastMultiplier ?? null,
      mo.residency,
    ]);
  const material = JSON.stringify([
    PRICING_RULES_VERSION,
    card.webSearch.usdPerThousand,
    card.residency.inferenceGeo.toLowerCase(),
    card.residency.multiplier,
    priced,
  ]);
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}
