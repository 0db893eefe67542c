// The rate card's shape (rates.json) and its loader. Rates are USD per million tokens.
import rawCard from './rates.json';

/** The five token categories, priced in USD per million tokens. */
export interface RateSet {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

/** Rates as written in data or settings: cache rates default to the card's standard multipliers of `input`. */
export interface PartialRateSet {
  input: number;
  output: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  cacheRead?: number;
}

/** A whole-request premium: when input + cache writes + cache reads exceed `thresholdTokens`. */
export interface LongContextTier {
  thresholdTokens: number;
  /** ISO instant; requests at or after it (absent: since always). */
  from?: string;
  /** ISO instant; requests before it (absent: still in force). */
  until?: string;
  rates: PartialRateSet;
  source: string;
}

export interface ModelRate {
  /** Normalized model id (see normalizeModelId). */
  id: string;
  /** Other normalized ids that name the same model. */
  aliases?: string[];
  /** false for rates reported but not confirmed on the official pricing page. */
  verified: boolean;
  source: string;
  rates: PartialRateSet;
  longContext?: LongContextTier[];
  /** Fast mode (`speed: "fast"`) multiplier on every rate; absent: no fast pricing known. */
  fastMultiplier?: number;
  fastSource?: string;
  /** true when the card's data-residency multiplier applies to this model. */
  residency?: boolean;
}

export interface RateCard {
  /** Date (YYYY-MM-DD) the card was last checked against its sources. */
  asOf: string;
  currency: string;
  unit: string;
  cacheMultipliers: { cacheWrite5m: number; cacheWrite1h: number; cacheRead: number; source?: string };
  webSearch: { usdPerThousand: number; source: string };
  residency: { inferenceGeo: string; multiplier: number; source: string };
  models: ModelRate[];
}

/** The bundled rate card (esbuild inlines the JSON). */
export function loadRateCard(): RateCard {
  // Deep copy so callers that edit their card never change the shared module data.
  return structuredClone(rawCard as RateCard);
}
