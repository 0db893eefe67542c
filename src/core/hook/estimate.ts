// What the next request will cost, before it is sent: the dated long-context tiers in force, the request's price
// at list rates (tier-aware, through the pricer), and what re-writing an expired prompt cache costs.
import type { EffectiveModel, EffectiveTier, Pricer } from '../pricing/pricer';
import type { RateSet } from '../pricing/rateCard';

/** Claude Code's prompt cache lives 5 minutes (1 hour for 1h writes) after its last use. */
export const CACHE_TTL_5M_MS = 5 * 60 * 1000;
export const CACHE_TTL_1H_MS = 60 * 60 * 1000;

/** Tokens a prompt will add, at about 4 characters a token. */
export function promptTokensOf(text: string | null | undefined): number {
  return text ? Math.ceil(text.length / 4) : 0;
}

/** The model's long-context tiers in force at `at` (epoch ms), lowest threshold first. */
export function tiersInForce(model: EffectiveModel | undefined, at: number): EffectiveTier[] {
  if (!model) return [];
  return model.longContext
    .filter((t) => (t.from === undefined || at >= Date.parse(t.from)) && (t.until === undefined || at < Date.parse(t.until)))
    .sort((a, b) => a.thresholdTokens - b.thresholdTokens);
}

/** The tier a request of `promptTokens` is billed at, at `at` (the pricer's rule: strictly over the threshold). */
export function tierFor(model: EffectiveModel | undefined, promptTokens: number, at: number): EffectiveTier | null {
  let hit: EffectiveTier | null = null;
  for (const t of tiersInForce(model, at)) if (promptTokens > t.thresholdTokens) hit = t;
  return hit;
}

export interface TierMultiplier {
  input: number;
  output: number;
}

export function tierMultiplier(model: EffectiveModel, tier: EffectiveTier): TierMultiplier {
  const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 100) / 100 : 1);
  return { input: ratio(tier.rates.input, model.rates.input), output: ratio(tier.rates.output, model.rates.output) };
}

export interface RequestTokens {
  input: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  output: number;
}

export interface RequestEstimate {
  /** The card's id, or the normalized id of an unknown model. */
  model: string;
  priced: boolean;
  /** Priced at a family's newest row: the model is not on the rate card. */
  estimated: boolean;
  tokens: RequestTokens;
  promptTokens: number;
  /** At list price, tier included; output not included (unknown before the request). */
  costNanos: number;
  /** The same tokens at the model's standard rates: costNanos - standardNanos is what the tier adds. */
  standardNanos: number;
  tier: EffectiveTier | null;
  multiplier: TierMultiplier | null;
}

/** Nanodollars for tokens at a rate set, with the pricer's rounding (whole nanodollars per token). */
function nanosAt(rates: RateSet, t: RequestTokens): number {
  const per = (usdPerMillion: number): number => Math.round(usdPerMillion * 1000);
  return t.input * per(rates.input) + t.output * per(rates.output) + t.cacheWrite5m * per(rates.cacheWrite5m) + t.cacheWrite1h * per(rates.cacheWrite1h) + t.cacheRead * per(rates.cacheRead);
}

/** Prices a request that has not been made yet, at `at`. */
export function estimateRequest(pricer: Pricer, model: string, tokens: RequestTokens, at: number): RequestEstimate {
  const priced = pricer.price({ model, timestamp: at, webSearches: 0, speed: '', inferenceGeo: '', ...tokens });
  const row = pricer.lookup(model) ?? pricer.estimateFor(model);
  const promptTokens = tokens.input + tokens.cacheWrite5m + tokens.cacheWrite1h + tokens.cacheRead;
  const tier = row ? tierFor(row, promptTokens, at) : null;
  return {
    model: priced.model,
    priced: priced.priced,
    estimated: priced.estimated,
    tokens,
    promptTokens,
    costNanos: priced.costNanos,
    standardNanos: row ? nanosAt(row.rates, tokens) : 0,
    tier,
    multiplier: row && tier ? tierMultiplier(row, tier) : null,
  };
}

/** Whether the prompt cache written by the last request is likely still warm at `now`. */
export function cacheLikelyWarm(lastAt: number | null, wrote1h: boolean, now: number): boolean {
  if (lastAt === null) return false;
  return now - lastAt < (wrote1h ? CACHE_TTL_1H_MS : CACHE_TTL_5M_MS);
}

/**
 * The tokens of the next request: with a warm cache the context is read from it and only the new prompt is
 * written; with a cold one the whole context is written again (at the TTL the session writes with).
 */
export function nextRequestTokens(contextTokens: number, newTokens: number, warm: boolean, ttl1h: boolean): RequestTokens {
  const written = warm ? newTokens : contextTokens + newTokens;
  return {
    input: 0,
    cacheRead: warm ? contextTokens : 0,
    cacheWrite5m: ttl1h ? 0 : written,
    cacheWrite1h: ttl1h ? written : 0,
    output: 0,
  };
}

/** "950", "12.3K", "212K", "1.05M"; rounded down, so a count just under a 200K tier never reads as "200K". */
export function formatTokens(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  const down = (v: number, d: number): string => (Math.floor(v * 10 ** d) / 10 ** d).toFixed(d).replace(/\.?0+$/, '');
  if (n < 1000) return String(Math.round(n));
  if (n < 10_000) return `${down(n / 1000, 1)}K`;
  if (n < 1_000_000) return `${Math.floor(n / 1000)}K`;
  return `${down(n / 1_000_000, 2)}M`;
}

/** "200,001": exact counts where a boundary matters. */
export function groupTokens(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "×2", "×1.5". */
export function formatMultiplier(m: number): string {
  return `×${String(Math.round(m * 100) / 100)}`;
}
