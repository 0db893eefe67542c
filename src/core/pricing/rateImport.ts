// Importing a price file: our own card format, or LiteLLM's model_prices_and_context_window.json (the public
// list ccusage prices from). Every figure is validated; verified rows are kept unless the user says otherwise;
// what changes is described before anything is written. Reading a URL is the only network access, and only
// when the user asks: a plain GET of the price file, nothing about the user sent.
import * as fs from 'node:fs';
import { compareModelVersions, normalizeModelId, parseModelFamily } from './modelId';
import { RATE_KEYS, rateSetProblem, validModelRate } from './rateCard';
import type { ModelRate, RateCard, RateSet } from './rateCard';
import { indexModels } from './modelId';
import { isVerified, type ImportedModel } from './rateFile';

export type PriceFileFormat = 'credit-ledger' | 'litellm';

export interface ImportChange {
  model: string;
  kind: 'add' | 'replace' | 'unchanged' | 'kept-verified';
  /** One line for the user: what the file says and what the card said. */
  detail: string;
}

export interface ImportPlan {
  format: PriceFileFormat;
  source: string;
  /** Models the rate file will hold after the import (earlier imports of other models kept). */
  models: ImportedModel[];
  changes: ImportChange[];
  /** Entries not taken, and why (a missing category, no date, a bad figure). */
  skipped: string[];
}

export class PriceFileError extends Error {}

const FETCH_TIMEOUT_MS = 30_000;
const MAX_BYTES = 64 * 1024 * 1024;

/** The file's text, from a path or an http(s) URL. Throws PriceFileError with a message for the user. */
export async function readPriceSource(from: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  if (/^https?:\/\//i.test(from)) {
    let res: Response;
    try {
      // A bare GET: no cookies, no credentials, no headers about the user.
      res = await fetchImpl(from, { method: 'GET', redirect: 'follow', credentials: 'omit', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (err) {
      throw new PriceFileError(`could not fetch ${from}: ${(err as Error).message}; the card is unchanged`);
    }
    if (!res.ok) throw new PriceFileError(`could not fetch ${from}: HTTP ${res.status}; the card is unchanged`);
    const text = await res.text();
    if (text.length > MAX_BYTES) throw new PriceFileError(`${from} is larger than ${MAX_BYTES / 1024 / 1024} MB; not a price file`);
    return text;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(from)) throw new PriceFileError(`${from}: only files and http(s) URLs can be read`);
  try {
    return fs.readFileSync(from, 'utf8');
  } catch (err) {
    throw new PriceFileError(`could not read ${from}: ${(err as Error).message}; the card is unchanged`);
  }
}

/** Works out what importing `text` changes against the card in force, without writing anything. */
export function planImport(text: string, source: string, card: RateCard, earlier: readonly ImportedModel[], opts: { replaceVerified?: boolean; now: Date }): ImportPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new PriceFileError(`${source} is not JSON (${(err as Error).message}); the card is unchanged`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new PriceFileError(`${source} is not a price file (expected a JSON object); the card is unchanged`);
  const skipped: string[] = [];
  let format: PriceFileFormat;
  let candidates: ModelRate[];
  const o = raw as Record<string, unknown>;
  if (Array.isArray(o.models)) {
    format = 'credit-ledger';
    candidates = [];
    for (const m of o.models) {
      const valid = validModelRate(m, skipped, source);
      if (valid) candidates.push(valid);
    }
  } else if (Object.values(o).some((v) => v && typeof v === 'object' && 'input_cost_per_token' in (v as object))) {
    format = 'litellm';
    candidates = fromLiteLlm(o, card, skipped, opts.now.toISOString().slice(0, 10));
  } else {
    throw new PriceFileError(`${source}: neither a Credit Ledger card (no "models" list) nor LiteLLM's model_prices_and_context_window.json; the card is unchanged`);
  }

  const index = indexModels(card.models);
  const importedAt = opts.now.toISOString();
  const changes: ImportChange[] = [];
  const taken = new Map<string, ImportedModel>(earlier.map((m) => [m.id, m]));
  for (const c of candidates) {
    const base = index.find(c.id);
    const id = base?.id ?? c.id;
    const model: ImportedModel = { ...c, id, importedFrom: source, importedAt, replaceVerified: opts.replaceVerified === true };
    if (!base) {
      changes.push({ model: id, kind: 'add', detail: `new: ${describeRows(c)}` });
      taken.set(id, model);
      continue;
    }
    if (sameRates(base, c)) {
      changes.push({ model: id, kind: 'unchanged', detail: `same as the card: ${describeRows(base)}` });
      continue;
    }
    if (isVerified(base) && !opts.replaceVerified) {
      changes.push({ model: id, kind: 'kept-verified', detail: `the file says ${describeRows(c)}; the card's verified row (${describeRows(base)}) is kept (--replace-verified takes the file's)` });
      continue;
    }
    // LiteLLM knows no dated history: its figures join the card's rows from the date they carry, earlier rows kept.
    const rows = format === 'litellm' ? [...base.rows.filter((r) => Date.parse(r.from) < Date.parse(c.rows[0].from)), ...c.rows] : c.rows;
    const merged: ImportedModel = { ...model, family: base.family, version: base.version, released: base.released, status: base.status, residency: base.residency, aliases: base.aliases, rows };
    changes.push({ model: id, kind: 'replace', detail: `${describeRows(c)} replaces ${describeRows(base)}` });
    taken.set(id, merged);
  }
  return { format, source, models: [...taken.values()], changes, skipped };
}

function describeRows(m: ModelRate): string {
  const r = m.rows[m.rows.length - 1];
  const n = (x: number): string => String(Math.round(x * 1e6) / 1e6);
  return `${RATE_KEYS.map((k) => `$${n(r.rates[k])}`).join(' / ')} (input / output / 5m write / 1h write / cache read) from ${r.from.slice(0, 10)}`;
}

function sameRates(a: ModelRate, b: ModelRate): boolean {
  const ra = a.rows[a.rows.length - 1].rates;
  const rb = b.rows[b.rows.length - 1].rates;
  return RATE_KEYS.every((k) => Math.abs(ra[k] - rb[k]) < 1e-9);
}

const LITELLM_KEYS: Readonly<Record<keyof RateSet, string>> = {
  input: 'input_cost_per_token',
  output: 'output_cost_per_token',
  cacheWrite5m: 'cache_creation_input_token_cost',
  cacheWrite1h: 'cache_creation_input_token_cost_above_1hr',
  cacheRead: 'cache_read_input_token_cost',
};

/** The release date a model id carries: "-20250929", "@20250929", or undefined. */
function dateOfId(key: string): string | undefined {
  const m = /[-@](20\d{2})(\d{2})(\d{2})(?:-v\d+(?::\d+)?)?(?:\[[^\]]*\])?$/.exec(key.trim().toLowerCase());
  if (!m) return undefined;
  const d = `${m[1]}-${m[2]}-${m[3]}`;
  return Number.isNaN(Date.parse(`${d}T00:00:00Z`)) ? undefined : d;
}

/** Anthropic's Claude entries only; each one complete (all five categories, a date) or reported and left out. */
function fromLiteLlm(doc: Record<string, unknown>, card: RateCard, skipped: string[], today: string): ModelRate[] {
  const index = indexModels(card.models);
  const byId = new Map<string, { key: string; rates: RateSet; date?: string; entry: Record<string, unknown> }>();
  for (const [key, value] of Object.entries(doc)) {
    if (!value || typeof value !== 'object') continue;
    const e = value as Record<string, unknown>;
    const provider = String(e.litellm_provider ?? '');
    if (!/claude/i.test(key) || !/anthropic|bedrock|vertex/i.test(provider)) continue;
    if (e.mode !== undefined && e.mode !== 'chat') continue;
    const id = normalizeModelId(key);
    if (!parseModelFamily(id)) {
      skipped.push(`${key}: not a Claude model id this card can name`);
      continue;
    }
    const missing = (Object.keys(LITELLM_KEYS) as (keyof RateSet)[]).filter((k) => e[LITELLM_KEYS[k]] === undefined || e[LITELLM_KEYS[k]] === null);
    if (missing.length) {
      skipped.push(`${key}: no ${missing.join(', ')}${index.find(id) ? '; the card\'s row is kept' : '; not imported'}`);
      continue;
    }
    const rates = {} as RateSet;
    for (const k of RATE_KEYS) rates[k] = typeof e[LITELLM_KEYS[k]] === 'number' ? Math.round((e[LITELLM_KEYS[k]] as number) * 1e6 * 1e6) / 1e6 : (e[LITELLM_KEYS[k]] as number);
    const bad = rateSetProblem(rates);
    if (bad) {
      skipped.push(`${key}: ${bad}; not imported`);
      continue;
    }
    if (Object.keys(e).some((k) => /_above_\d+k_tokens$/.test(k))) {
      skipped.push(`${key}: has a long-context tier LiteLLM gives only in part; not imported (the card keeps its own tiers)`);
      continue;
    }
    const date = dateOfId(key);
    const seen = byId.get(id);
    if (seen) {
      if (RATE_KEYS.some((k) => Math.abs(seen.rates[k] - rates[k]) > 1e-9)) skipped.push(`${key}: differs from ${seen.key} for the same model; ${seen.key} taken`);
      if (!seen.date && date) seen.date = date;
      continue;
    }
    byId.set(id, { key, rates, date, entry: e });
  }
  const out: ModelRate[] = [];
  for (const [id, c] of byId) {
    const base = index.find(id);
    if (!c.date) {
      skipped.push(`${c.key}: no date (LiteLLM gives none unless the id carries it)${base ? '; the card\'s row is kept' : '; not imported'}`);
      continue;
    }
    const f = parseModelFamily(id)!;
    const familyNewest = card.models.filter((m) => parseModelFamily(m.id)?.family === f.family).sort((a, b) => compareModelVersions(parseModelFamily(b.id)!.version, parseModelFamily(a.id)!.version))[0];
    const window = Number(c.entry.max_input_tokens);
    const output = Number(c.entry.max_output_tokens ?? c.entry.max_tokens);
    out.push({
      id,
      aliases: [],
      family: f.family,
      version: f.version.join('.'),
      released: c.date,
      status: 'active',
      contextWindow: Number.isSafeInteger(window) && window > 0 ? window : (familyNewest?.contextWindow ?? 200_000),
      maxOutput: Number.isSafeInteger(output) && output > 0 ? output : (familyNewest?.maxOutput ?? 64_000),
      residency: familyNewest?.residency ?? false,
      rows: [{ from: `${c.date}T00:00:00Z`, verified: false, rates: c.rates, source: `LiteLLM model_prices_and_context_window.json (${c.key})`, checked: today }],
    });
  }
  return out;
}
