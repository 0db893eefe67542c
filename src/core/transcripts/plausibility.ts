// What one request can carry. A line whose usage no real request could have (1e308 tokens, a billion in one
// request, a token count written as text) is not a request: it is rejected, counted and reported, never clamped
// and priced. The limit is the model's context window plus its maximum output when the rate card knows them.
import { normalizeModelId } from '../pricing/modelId';

/** Where the card gives no window: above every model's window plus output (the largest is 1M + 128K). */
export const DEFAULT_REQUEST_LIMIT = 2_000_000;
/** Searches one request can bill: far above any server-tool loop (each search is a block in the context). */
export const MAX_WEB_SEARCHES = 10_000;
/** Every rejection reason starts with this, so reports can count them apart from lines that are not JSON. */
export const REJECTED_USAGE = 'rejected usage';

/** A card row as far as limits go (the rate card's models; the window fields are optional until every row has them). */
export interface WindowedModel {
  id: string;
  aliases?: readonly string[];
  contextWindow?: number;
  maxOutput?: number;
}

/** Most tokens one request can carry, by normalized model id. Plain data: it crosses to worker threads. */
export interface RequestLimits {
  byModel: Record<string, number>;
  fallback: number;
}

export function requestLimits(models: readonly WindowedModel[], fallback = DEFAULT_REQUEST_LIMIT): RequestLimits {
  const byModel: Record<string, number> = {};
  for (const m of models) {
    const w = m.contextWindow;
    const o = m.maxOutput;
    if (!isCount(w) || !isCount(o) || w <= 0) continue;
    for (const id of [m.id, ...(m.aliases ?? [])]) byModel[normalizeModelId(id)] ??= w + o;
  }
  return { byModel, fallback };
}

export function limitFor(limits: RequestLimits, model: string): number {
  return limits.byModel[normalizeModelId(model)] ?? limits.fallback;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

const TOKEN_FIELDS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `usage` (an assistant line's `message.usage`) cannot be a real request of `model`; null when it can. */
export function usageProblem(usage: Json, model: string, limits: RequestLimits): string | null {
  const fields: [string, unknown][] = TOKEN_FIELDS.map((f) => [f, usage[f]]);
  if (isObj(usage.cache_creation)) for (const f of ['ephemeral_5m_input_tokens', 'ephemeral_1h_input_tokens']) fields.push([`cache_creation.${f}`, usage.cache_creation[f]]);
  if (isObj(usage.server_tool_use)) for (const f of ['web_search_requests', 'web_fetch_requests']) fields.push([`server_tool_use.${f}`, usage.server_tool_use[f]]);
  else if (usage.server_tool_use !== undefined && usage.server_tool_use !== null) return `${REJECTED_USAGE}: server_tool_use is not an object (${shown(usage.server_tool_use)})`;
  if (usage.cache_creation !== undefined && usage.cache_creation !== null && !isObj(usage.cache_creation)) return `${REJECTED_USAGE}: cache_creation is not an object (${shown(usage.cache_creation)})`;
  for (const [name, v] of fields) {
    if (v === undefined || v === null) continue; // absent: zero
    if (!isCount(v)) return `${REJECTED_USAGE}: ${name} is not a token count (${shown(v)})`;
  }
  const n = (v: unknown): number => (isCount(v) ? v : 0);
  const total = TOKEN_FIELDS.reduce((s, f) => s + n(usage[f]), 0);
  const limit = limitFor(limits, model);
  if (total > limit) return `${REJECTED_USAGE}: ${fmt(total)} tokens in one request, more than ${model || 'a model'} can carry (${fmt(limit)})`;
  const searches = isObj(usage.server_tool_use) ? n(usage.server_tool_use.web_search_requests) : 0;
  if (searches > MAX_WEB_SEARCHES) return `${REJECTED_USAGE}: ${fmt(searches)} web searches in one request (at most ${fmt(MAX_WEB_SEARCHES)})`;
  return null;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function fmt(n: number): string {
  return n < 1e15 ? Math.round(n).toLocaleString('en-US') : n.toExponential(2);
}
