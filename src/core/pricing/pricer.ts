// Prices one request at list prices from the dated rate card plus the user's overrides.
// A pure function of (request facts, card): the ledger can reprice any stored row with any card.
// All arithmetic is integer nanodollars: each rate becomes whole nanodollars per token once.
import { createHash } from 'node:crypto';
import type { PriceableUsage } from '../model';
import { compareModelVersions, indexModels, normalizeModelId, parseModelFamily } from './modelId';
import type { ModelIndex } from './modelId';
import { RATE_KEYS, instantMs, rateSetProblem, validModelRate } from './rateCard';
import type { ModelRate, ModelStatus, PartialRateSet, PriceTier, RateCard, RateKey, RateRow, RateSet } from './rateCard';

export { loadRateCard, RATE_KEYS } from './rateCard';
export type { RateCard, RateSet, PartialRateSet, ModelRate, RateRow, PriceTier, FastRates, ModelStatus } from './rateCard';
export { formatUsd, nanosToUsd, usdToNanos, NANOS_PER_USD } from './money';
export type { FormatUsdOptions } from './money';
export { normalizeModelId, displayModelName, parseModelFamily } from './modelId';

/** Bump when the pricing rules (not the data) change, so stored rows are repriced. */
const PRICING_RULES_VERSION = 3;

/** Cache rates as multiples of input: used only to fill in a user's override that gives input and output alone. */
const STANDARD_CACHE_MULTIPLIERS: Readonly<Record<Exclude<RateKey, 'input' | 'output'>, number>> = { cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1 };

/** One model's rates from the user's settings, USD per million tokens. */
export interface RateOverride extends PartialRateSet {
  /** Free text for the user's own reference; ignored by pricing. */
  note?: string;
}

/** Model id (any spelling) -> rates. Read from a settings file, so every entry is validated. */
export type RateOverrides = Readonly<Record<string, RateOverride>>;

/** A whole-request tier with the window it is in force (from its row's date to the next row's). */
export interface EffectiveTier {
  thresholdTokens: number;
  /** ISO instant; requests at or after it (absent: since always). */
  from?: string;
  /** ISO instant; requests before it (absent: still in force). */
  until?: string;
  rates: RateSet;
  source: string;
}

/** A model as the pricer sees it: the card's rows with the user's overrides applied. */
export interface EffectiveModel {
  id: string;
  aliases: readonly string[];
  origin: 'card' | 'override' | 'card+override';
  family: string;
  version: string;
  /** Short name for tables ("opus-5.5"). */
  display: string;
  released?: string;
  status: ModelStatus;
  /** Prompt tokens one request can hold and the most it can write; absent for models only the user's settings name. */
  contextWindow?: number;
  maxOutput?: number;
  residency: boolean;
  /** Dated rows, oldest first. */
  rows: readonly RateRow[];
  /** The newest row's figures (the price in force today). */
  verified: boolean;
  source: string;
  rates: RateSet;
  fast?: RateSet;
  /** Every row's tiers with the window each is in force. */
  longContext: readonly EffectiveTier[];
}

export interface PricedUsage {
  /** The card's id for the model when known, else the normalized id. */
  model: string;
  /** false: the model has no rates; costNanos is 0 and must be shown as "unpriced", never as $0. */
  priced: boolean;
  /** Priced at another model's row (a newer member of a known family): show it as an estimate. */
  estimated: boolean;
  /** The card model an estimate was priced at ("" when not estimated). */
  estimatedFrom: string;
  /** A fast request on a row with no fast rate, priced at standard rates: the real price is higher. */
  lowerBound: boolean;
  /** Whole request in nanodollars, web search included; 0 when unpriced. */
  costNanos: number;
  /** The request was over a whole-request tier's threshold (200K, Haiku 5.5's 100K). */
  longContext: boolean;
  /** Fast-mode rates applied. */
  fast: boolean;
  /** The data-residency multiplier applied. */
  residency: boolean;
  webSearchNanos: number;
  /** The `from` of the row that priced the request ("" when unpriced). */
  rowFrom: string;
  notes: string[];
}

export interface Pricer {
  price(u: PriceableUsage): PricedUsage;
  /** The effective model for an id in any spelling (models on the card or in the user's settings only). */
  lookup(model: string): EffectiveModel | undefined;
  /** For a model not on the card that is a newer version of a known family: the model whose rows price it as an estimate. */
  estimateFor(model: string): EffectiveModel | undefined;
  /** The row in force for a model at `at` (epoch ms; the newest when not finite). */
  rowAt(model: string, at: number): RateRow | undefined;
  readonly models: readonly EffectiveModel[];
  /** Short stable hash of everything that decides a price; changes mean stored rows need repricing. */
  readonly fingerprint: string;
  readonly asOf: string;
  /** Bad card rows or override entries, skipped and described here instead of thrown. */
  readonly problems: readonly string[];
  /** Things the user should know that are not errors (cache rates derived for an override that gave input and output only). */
  readonly notices: readonly string[];
}

interface ResolvedRow extends RateRow {
  fromMs: number;
}

interface ResolvedModel extends Omit<EffectiveModel, 'rows'> {
  rows: readonly ResolvedRow[];
}

/** Integer nanodollars per token for each category. */
type NanoRates = Readonly<Record<RateKey, number>>;

export function createPricer(card: RateCard, overrides?: RateOverrides | null): Pricer {
  const problems: string[] = [];
  const notices: string[] = [];
  const cardModels: ResolvedModel[] = [];
  for (const raw of card.models) {
    const valid = validModelRate(raw, problems);
    if (valid) cardModels.push(resolveModel(valid, 'card'));
    else problems.push(`rate card: ${String((raw as { id?: unknown })?.id ?? '?')} skipped`);
  }
  const cardIndex = indexModels(cardModels);
  problems.push(...cardIndex.conflicts.map((c) => `rate card: ${c}`));
  // A row whose own id another row already holds can never be found: drop it from the listing too.
  const reachable = cardModels.filter((row) => cardIndex.find(row.id) === row);

  const models = applyOverrides(reachable, cardIndex, overrides, problems, notices);
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

  // Newest card model of each family (ids and aliases: claude-mythos-5-3 estimates at Mythos 5.2, which is Fable 5.2's row).
  const newestOfFamily = new Map<string, { version: number[]; model: ResolvedModel }>();
  for (const m of models) {
    if (m.origin === 'override') continue; // a user's own row is exact for itself, never a family's yardstick
    for (const name of [m.id, ...m.aliases]) {
      const f = parseModelFamily(name);
      if (!f) continue;
      const best = newestOfFamily.get(f.family);
      if (!best || compareModelVersions(f.version, best.version) > 0) newestOfFamily.set(f.family, { version: f.version, model: m });
    }
  }
  const estimateCache = new Map<string, ResolvedModel | undefined>();
  const estimateResolved = (raw: string): ResolvedModel | undefined => {
    if (estimateCache.has(raw)) return estimateCache.get(raw);
    let base: ResolvedModel | undefined;
    if (!lookupResolved(raw)) {
      const f = parseModelFamily(raw);
      const best = f ? newestOfFamily.get(f.family) : undefined;
      // Only a newer member: an older or in-between version missing from the card may have had any price.
      if (f && best && compareModelVersions(f.version, best.version) > 0) base = best.model;
    }
    estimateCache.set(raw, base);
    return base;
  };

  const nanoRates = (key: string, multiplier: number, rates: RateSet): NanoRates => {
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
    const exact = lookupResolved(raw);
    const model = exact ?? estimateResolved(raw);
    if (!model) {
      const normalized = normalizeModelId(raw);
      notes.push(`unknown model "${raw}": unpriced`);
      return { model: normalized, priced: false, estimated: false, estimatedFrom: '', lowerBound: false, costNanos: 0, longContext: false, fast: false, residency: false, webSearchNanos: 0, rowFrom: '', notes };
    }
    if (!exact) notes.push(`${normalizeModelId(raw)} is not on the rate card (as of ${card.asOf}): estimated at ${model.id}'s rates`);
    if (model.origin !== 'card') notes.push(`rates for ${model.id} from user settings`);

    const hasTime = Number.isFinite(u.timestamp) && u.timestamp > 0;
    if (!hasTime && model.rows.length > 1) notes.push('no request time: priced at the row in force today');
    const rowIndex = rowIndexAt(model.rows, hasTime ? u.timestamp : Infinity);
    const row = model.rows[rowIndex];
    if (!row.verified) notes.push(`rates for ${model.id} from ${row.from.slice(0, 10)} are unverified`);

    const tokens = {
      input: tokenCount(u.input, 'input', notes),
      output: tokenCount(u.output, 'output', notes),
      cacheWrite5m: tokenCount(u.cacheWrite5m, 'cacheWrite5m', notes),
      cacheWrite1h: tokenCount(u.cacheWrite1h, 'cacheWrite1h', notes),
      cacheRead: tokenCount(u.cacheRead, 'cacheRead', notes),
    };
    const promptTokens = tokens.input + tokens.cacheWrite5m + tokens.cacheWrite1h + tokens.cacheRead;

    // Tiers are sorted lowest first: the highest threshold the prompt is over wins.
    let tierIndex = -1;
    const tiers = row.tiers ?? [];
    for (let i = 0; i < tiers.length; i++) if (promptTokens > tiers[i].aboveTokens) tierIndex = i;
    const tier: PriceTier | undefined = tierIndex >= 0 ? tiers[tierIndex] : undefined;
    if (tier) notes.push(`over ${tier.aboveTokens.toLocaleString('en-US')} prompt tokens (${promptTokens.toLocaleString('en-US')}): the whole request at the higher rates`);

    let rates: RateSet = tier ? tier.rates : row.rates;
    let fast = false;
    let lowerBound = false;
    if (String(u.speed ?? '').toLowerCase() === 'fast') {
      const fastRates = tier ? tier.fast : row.fast?.rates;
      if (row.fast && fastRates) {
        fast = true;
        rates = fastRates;
        notes.push(`fast mode rates${row.fast.verified ? '' : ' (unverified)'}`);
      } else {
        lowerBound = true;
        notes.push(`fast mode: the card has no fast rate for ${model.id} at this date; priced at standard rates, a lower bound`);
      }
    }
    let multiplier = 1;
    const residency = model.residency && String(u.inferenceGeo ?? '').toLowerCase() === residencyGeo;
    if (residency) {
      multiplier *= residencyMultiplier;
      notes.push(`data residency (${residencyGeo}): ${residencyMultiplier}x`);
    }

    const r = nanoRates(`${model.id}\u0000${rowIndex}\u0000${tierIndex}\u0000${fast}\u0000${multiplier}`, multiplier, rates);
    const tokenNanos =
      tokens.input * r.input +
      tokens.output * r.output +
      tokens.cacheWrite5m * r.cacheWrite5m +
      tokens.cacheWrite1h * r.cacheWrite1h +
      tokens.cacheRead * r.cacheRead;
    const webSearchNanos = tokenCount(u.webSearches, 'webSearches', notes) * webSearchNanosEach;
    return {
      model: exact ? model.id : normalizeModelId(raw),
      priced: true,
      estimated: !exact,
      estimatedFrom: exact ? '' : model.id,
      lowerBound,
      costNanos: tokenNanos + webSearchNanos,
      longContext: tier !== undefined,
      fast,
      residency,
      webSearchNanos,
      rowFrom: row.from,
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
    estimateFor: (model) => {
      const base = estimateResolved(model);
      return base ? publicById.get(base) : undefined;
    },
    rowAt: (model, at) => {
      const found = lookupResolved(model) ?? estimateResolved(model);
      return found ? stripRow(found.rows[rowIndexAt(found.rows, Number.isFinite(at) ? at : Infinity)]) : undefined;
    },
    models: publicModels,
    fingerprint: fingerprintOf(card, models),
    asOf: card.asOf,
    problems,
    notices,
  };
}

/** The row in force at `at`: the last one that took effect at or before it; the first row also covers earlier requests. */
function rowIndexAt(rows: readonly ResolvedRow[], at: number): number {
  let i = 0;
  while (i + 1 < rows.length && rows[i + 1].fromMs <= at) i++;
  return i;
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

function isRate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function resolveModel(m: ModelRate, origin: ResolvedModel['origin']): ResolvedModel {
  const rows = m.rows.map((r) => ({ ...r, fromMs: instantMs(r.from) }));
  return finishModel({ ...m, aliases: m.aliases.map(normalizeModelId).filter((a) => a !== ''), id: normalizeModelId(m.id), origin }, rows);
}

/** Fills the fields derived from the rows (today's figures, the tier windows). */
function finishModel(m: Omit<ResolvedModel, 'verified' | 'source' | 'rates' | 'fast' | 'longContext' | 'rows' | 'display'> & { rows?: unknown }, rows: ResolvedRow[]): ResolvedModel {
  const newest = rows[rows.length - 1];
  const longContext: EffectiveTier[] = [];
  rows.forEach((row, i) => {
    const next = rows[i + 1];
    for (const t of row.tiers ?? []) {
      const tier: EffectiveTier = { thresholdTokens: t.aboveTokens, rates: { ...t.rates }, source: t.source };
      // The first row also prices requests dated before it, so its tiers have no start.
      if (i > 0) tier.from = row.from;
      if (next) tier.until = next.from;
      longContext.push(tier);
    }
  });
  const out: ResolvedModel = {
    id: m.id,
    aliases: m.aliases,
    origin: m.origin,
    family: m.family,
    version: m.version,
    display: m.family && m.version ? `${m.family}-${m.version}` : m.id.replace(/^claude-/, ''),
    status: m.status,
    residency: m.residency,
    rows,
    verified: newest.verified,
    source: newest.source,
    rates: { ...newest.rates },
    longContext,
  };
  if (m.released) out.released = m.released;
  if (m.contextWindow) out.contextWindow = m.contextWindow;
  if (m.maxOutput) out.maxOutput = m.maxOutput;
  if (newest.fast) out.fast = { ...newest.fast.rates };
  return out;
}

function applyOverrides(
  cardModels: readonly ResolvedModel[],
  cardIndex: ModelIndex<ResolvedModel>,
  overrides: RateOverrides | null | undefined,
  problems: string[],
  notices: string[],
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
    const bad = overrideProblem(value);
    if (bad) {
      problems.push(`${where}: ${bad}; skipped`);
      continue;
    }
    seen.set(target, key);
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!(RATE_KEYS as readonly string[]).includes(k) && k !== 'note') problems.push(`${where}: unknown field "${k}" ignored`);
    }
    const given: Partial<RateSet> = {};
    for (const k of RATE_KEYS) {
      const v = o[k];
      if (!isRate(v)) continue;
      given[k] = v;
      if (Math.abs(Math.round(v * 1000) - v * 1000) > 1e-6) {
        problems.push(`${where}: ${k} ${v} is finer than $0.001 per million tokens; rounded to ${Math.round(v * 1000) / 1000}`);
      }
    }
    const missing = RATE_KEYS.filter((k) => given[k] === undefined);
    if (base) {
      if (missing.length) notices.push(`${where}: ${missing.join(', ')} not given; derived from ${base.id}'s own ratio to input on the card`);
      // Each dated row keeps its shape: derived categories, tiers and fast rates keep their ratio to the row's own rates.
      const rows = base.rows.map((row) => {
        const rates = fillFromRatios(given, row.rates);
        const out: ResolvedRow = { ...row, verified: true, rates, source: `user settings (card: ${row.source})`, checked: row.checked };
        if (row.tiers) out.tiers = row.tiers.map((t) => ({ ...t, rates: scaleRates(t.rates, row.rates, rates), ...(t.fast ? { fast: scaleRates(t.fast, row.rates, rates) } : {}) }));
        if (row.fast) out.fast = { ...row.fast, rates: scaleRates(row.fast.rates, row.rates, rates) };
        return out;
      });
      replaced.set(base, finishModel({ ...base, origin: 'card+override' }, rows));
    } else {
      if (missing.length) {
        const how = missing.map((k) => (k === 'input' || k === 'output' ? k : `${k} ${STANDARD_CACHE_MULTIPLIERS[k]}x`)).join(', ');
        notices.push(`${where}: ${missing.join(', ')} not given; derived from input at the standard multipliers (${how})`);
      }
      const rates: RateSet = {
        input: given.input as number,
        output: given.output as number,
        cacheWrite5m: given.cacheWrite5m ?? tidy((given.input as number) * STANDARD_CACHE_MULTIPLIERS.cacheWrite5m),
        cacheWrite1h: given.cacheWrite1h ?? tidy((given.input as number) * STANDARD_CACHE_MULTIPLIERS.cacheWrite1h),
        cacheRead: given.cacheRead ?? tidy((given.input as number) * STANDARD_CACHE_MULTIPLIERS.cacheRead),
      };
      const parsed = parseModelFamily(normalized);
      const row: ResolvedRow = { from: '1970-01-01T00:00:00Z', fromMs: 0, verified: true, rates, source: 'user settings', checked: '' };
      added.set(
        normalized,
        finishModel({ id: normalized, aliases: [], origin: 'override', family: parsed?.family ?? '', version: parsed?.version.join('.') ?? '', status: 'active', residency: false }, [row]),
      );
    }
  }
  return [...cardModels.map((row) => replaced.get(row) ?? row), ...added.values()];
}

/** An override needs input and output; cache categories are optional (older settings) but must be rates when given. */
function overrideProblem(v: unknown): string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'rates must be an object';
  const o = v as Record<string, unknown>;
  const complete = { cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, ...Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined && x !== null)) };
  return rateSetProblem(complete);
}

function fillFromRatios(given: Partial<RateSet>, row: RateSet): RateSet {
  const input = given.input as number;
  const ratio = (k: RateKey): number => (row.input > 0 ? tidy((row[k] / row.input) * input) : row[k]);
  return {
    input,
    output: given.output as number,
    cacheWrite5m: given.cacheWrite5m ?? ratio('cacheWrite5m'),
    cacheWrite1h: given.cacheWrite1h ?? ratio('cacheWrite1h'),
    cacheRead: given.cacheRead ?? ratio('cacheRead'),
  };
}

function scaleRates(tier: RateSet, cardBase: RateSet, newBase: RateSet): RateSet {
  const out = { ...tier };
  for (const k of RATE_KEYS) out[k] = cardBase[k] > 0 ? tidy((tier[k] * newBase[k]) / cardBase[k]) : tier[k];
  return out;
}

/** Derived rates lose float noise (0.19999999999999998); the pricer rounds to $0.001 per million anyway. */
function tidy(usdPerMillion: number): number {
  return Math.round(usdPerMillion * 1e6) / 1e6;
}

function stripRow(r: ResolvedRow): RateRow {
  const { fromMs: _fromMs, ...row } = r;
  return structuredClone(row);
}

function toEffective(m: ResolvedModel): EffectiveModel {
  return { ...structuredClone({ ...m, rows: [] }), rows: m.rows.map(stripRow) };
}

/** Hashes only what decides a price (sources and notes are prose), in a fixed key order. */
function fingerprintOf(card: RateCard, models: readonly ResolvedModel[]): string {
  const rateList = (r: RateSet | undefined): number[] | null => (r ? RATE_KEYS.map((k) => r[k]) : null);
  const priced = [...models]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((mo) => [
      mo.id,
      [...mo.aliases].sort(),
      mo.residency,
      mo.rows.map((r) => [r.fromMs, rateList(r.rates), rateList(r.fast?.rates), (r.tiers ?? []).map((t) => [t.aboveTokens, rateList(t.rates), rateList(t.fast)])]),
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

