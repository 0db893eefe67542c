// The rate card's shape (rates.json), its validation and its loader. Rates are USD per million tokens.
// One validator serves the shipped card, imported price files and the per-user rate file, so every
// figure that can reach the pricer has passed the same checks.
import rawCard from './rates.json';

/** The five token categories, in the order the card and every table list them. */
export const RATE_KEYS = ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const;
export type RateKey = (typeof RATE_KEYS)[number];

/** The five token categories, priced in USD per million tokens: every one explicit. */
export type RateSet = Record<RateKey, number>;

/** Rates as a user may still write them in settings: cache rates optional (derived, and said so). */
export interface PartialRateSet {
  input: number;
  output: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  cacheRead?: number;
}

/** A whole-request tier: when input + cache writes + cache reads exceed `aboveTokens`, every token of the request is billed at `rates`. */
export interface PriceTier {
  aboveTokens: number;
  rates: RateSet;
  /** The tier's fast-mode rates; required when the row has fast rates. */
  fast?: RateSet;
  source: string;
}

export interface FastRates {
  rates: RateSet;
  source: string;
  /** false when the fast price is reported but not on the official pricing page. */
  verified: boolean;
}

/** One dated price of a model: in force from `from` until the next row's `from`. */
export interface RateRow {
  /** ISO instant the row takes effect. The first row also prices requests dated before it. */
  from: string;
  /** false for prices reported but not confirmed on the official pricing page. */
  verified: boolean;
  rates: RateSet;
  /** Whole-request tiers, lowest threshold first. */
  tiers?: PriceTier[];
  /** Fast mode (`speed: "fast"`) rates; absent: no fast price known (fast requests are a lower bound). */
  fast?: FastRates;
  /** Where the figures come from (pricing page, model page, ...). */
  source: string;
  /** Date (YYYY-MM-DD) the figures were last checked against the source. */
  checked: string;
  note?: string;
}

/** active: current; legacy: still served, superseded; retired: no longer served by Anthropic's API. */
export type ModelStatus = 'active' | 'legacy' | 'retired';
export const MODEL_STATUSES: readonly ModelStatus[] = ['active', 'legacy', 'retired'];

export interface ModelRate {
  /** Normalized model id (see normalizeModelId). */
  id: string;
  /** Other normalized ids that share this model's rows (e.g. Mythos and Fable of one version). */
  aliases: string[];
  /** "opus", "sonnet", "haiku", "fable". */
  family: string;
  /** "5.5", "4", "3.7". */
  version: string;
  /** YYYY-MM-DD. */
  released: string;
  status: ModelStatus;
  /** Tokens one request can hold (prompt), and the most it can write. */
  contextWindow: number;
  maxOutput: number;
  /** true when the card's data-residency multiplier applies to this model. */
  residency: boolean;
  /** Dated prices, oldest first. */
  rows: RateRow[];
}

export interface RateCard {
  schema: 2;
  /** Date (YYYY-MM-DD) the card was last checked against its sources. */
  asOf: string;
  currency: string;
  unit: string;
  webSearch: { usdPerThousand: number; source: string; checked?: string };
  residency: { inferenceGeo: string; multiplier: number; source: string; checked?: string };
  models: ModelRate[];
}

/** The highest rate the validator accepts (USD per million tokens): far above any list price, so a typo in units is caught. */
export const MAX_RATE = 1000;

/** The bundled rate card (esbuild inlines the JSON). */
export function loadRateCard(): RateCard {
  // Deep copy so callers that edit their card never change the shared module data.
  return structuredClone(rawCard as RateCard);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isDate(v: unknown): v is string {
  return typeof v === 'string' && DATE_RE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
}

export function isInstant(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 10 && !Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v));
}

/** Epoch ms of a card instant ("2026-10-07" or a full ISO instant). */
export function instantMs(v: string): number {
  return Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What is wrong with a rate set read from data ("" when it is whole): every category present, a number in [0, MAX_RATE]. */
export function rateSetProblem(r: unknown): string {
  if (!isObject(r)) return 'rates must be an object';
  const missing = RATE_KEYS.filter((k) => r[k] === undefined || r[k] === null);
  if (missing.length) return `missing ${missing.join(', ')}`;
  for (const k of RATE_KEYS) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${k} must be a number (got ${JSON.stringify(v)})`;
    if (v < 0) return `${k} is negative (${v})`;
    if (v > MAX_RATE) return `${k} ${v} is over ${MAX_RATE} USD per million tokens (wrong unit?)`;
  }
  return '';
}

function pickRates(r: Record<string, unknown>): RateSet {
  return { input: r.input as number, output: r.output as number, cacheWrite5m: r.cacheWrite5m as number, cacheWrite1h: r.cacheWrite1h as number, cacheRead: r.cacheRead as number };
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}

function validRow(raw: unknown, where: string, problems: string[]): RateRow | undefined {
  if (!isObject(raw)) {
    problems.push(`${where}: a row must be an object`);
    return undefined;
  }
  const bad = rateSetProblem(raw.rates);
  if (bad) {
    problems.push(`${where}: ${bad}`);
    return undefined;
  }
  if (!isInstant(raw.from)) {
    problems.push(`${where}: "from" must be a date or ISO instant (got ${JSON.stringify(raw.from)})`);
    return undefined;
  }
  const source = text(raw.source);
  if (!source) {
    problems.push(`${where}: no source`);
    return undefined;
  }
  if (!isDate(raw.checked)) {
    problems.push(`${where}: "checked" must be the date the figures were checked (YYYY-MM-DD)`);
    return undefined;
  }
  const row: RateRow = { from: raw.from, verified: raw.verified !== false, rates: pickRates(raw.rates as Record<string, unknown>), source, checked: raw.checked };
  if (raw.fast !== undefined) {
    if (!isObject(raw.fast) || rateSetProblem(raw.fast.rates) || !text(raw.fast.source)) {
      problems.push(`${where}: bad fast rates (${isObject(raw.fast) ? rateSetProblem(raw.fast.rates) || 'no source' : 'not an object'})`);
      return undefined;
    }
    row.fast = { rates: pickRates(raw.fast.rates as Record<string, unknown>), source: text(raw.fast.source), verified: raw.fast.verified === true };
  }
  if (raw.tiers !== undefined) {
    if (!Array.isArray(raw.tiers)) {
      problems.push(`${where}: tiers must be a list`);
      return undefined;
    }
    const tiers: PriceTier[] = [];
    for (const [i, t] of raw.tiers.entries()) {
      const at = `${where} tier ${i + 1}`;
      if (!isObject(t) || !Number.isSafeInteger(t.aboveTokens) || (t.aboveTokens as number) <= 0) {
        problems.push(`${at}: "aboveTokens" must be a positive whole number of tokens`);
        return undefined;
      }
      const tierBad = rateSetProblem(t.rates);
      if (tierBad) {
        problems.push(`${at}: ${tierBad}`);
        return undefined;
      }
      const tier: PriceTier = { aboveTokens: t.aboveTokens as number, rates: pickRates(t.rates as Record<string, unknown>), source: text(t.source) || source };
      if (t.fast !== undefined) {
        const fastBad = rateSetProblem(t.fast);
        if (fastBad) {
          problems.push(`${at}: fast ${fastBad}`);
          return undefined;
        }
        tier.fast = pickRates(t.fast as Record<string, unknown>);
      } else if (row.fast) {
        // Without it a fast request over the threshold would have no price: never guess one.
        problems.push(`${at}: the row has fast rates, so the tier needs its own`);
        return undefined;
      }
      tiers.push(tier);
    }
    tiers.sort((a, b) => a.aboveTokens - b.aboveTokens);
    if (tiers.length) row.tiers = tiers;
  }
  if (text(raw.note)) row.note = text(raw.note);
  return row;
}

/**
 * Checks one model entry of a card or a price file. Returns the entry, or undefined with the reasons
 * in `problems` (a bad row rejects the whole model: a model with a hole in its history would price wrong in silence).
 */
export function validModelRate(raw: unknown, problems: string[], label = 'rate card'): ModelRate | undefined {
  if (!isObject(raw)) {
    problems.push(`${label}: a model entry must be an object`);
    return undefined;
  }
  const id = text(raw.id).toLowerCase();
  if (!id) {
    problems.push(`${label}: a model entry has no id`);
    return undefined;
  }
  const where = `${label}: ${id}`;
  const before = problems.length;
  if (!Array.isArray(raw.rows) || raw.rows.length === 0) problems.push(`${where}: no rows`);
  const family = text(raw.family).toLowerCase();
  if (!family) problems.push(`${where}: no family`);
  const version = text(raw.version);
  if (!/^\d+(?:\.\d+)*$/.test(version)) problems.push(`${where}: version must look like "5.5" (got ${JSON.stringify(raw.version)})`);
  if (!isDate(raw.released)) problems.push(`${where}: "released" must be YYYY-MM-DD`);
  if (!MODEL_STATUSES.includes(raw.status as ModelStatus)) problems.push(`${where}: status must be one of ${MODEL_STATUSES.join(', ')}`);
  for (const k of ['contextWindow', 'maxOutput'] as const) {
    if (!Number.isSafeInteger(raw[k]) || (raw[k] as number) <= 0) problems.push(`${where}: ${k} must be a positive whole number of tokens`);
  }
  if (raw.aliases !== undefined && (!Array.isArray(raw.aliases) || raw.aliases.some((a) => typeof a !== 'string'))) problems.push(`${where}: aliases must be a list of ids`);
  if (problems.length > before) return undefined;
  const rows: RateRow[] = [];
  for (const [i, r] of (raw.rows as unknown[]).entries()) {
    const row = validRow(r, `${where} row ${i + 1}`, problems);
    if (!row) return undefined;
    rows.push(row);
  }
  rows.sort((a, b) => instantMs(a.from) - instantMs(b.from));
  for (let i = 1; i < rows.length; i++) {
    if (instantMs(rows[i].from) === instantMs(rows[i - 1].from)) {
      problems.push(`${where}: two rows take effect at ${rows[i].from}`);
      return undefined;
    }
  }
  return {
    id,
    aliases: ((raw.aliases as string[] | undefined) ?? []).map((a) => a.trim().toLowerCase()).filter((a) => a !== ''),
    family,
    version,
    released: raw.released as string,
    status: raw.status as ModelStatus,
    contextWindow: raw.contextWindow as number,
    maxOutput: raw.maxOutput as number,
    residency: raw.residency === true,
    rows,
  };
}
