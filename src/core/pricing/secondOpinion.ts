// A second opinion on the card: Claude Code's own per-model `costUSD` (cost-state lines, `claude -p` results,
// recorded runs) against what the card charges for the same tokens. When they disagree beyond rounding, the
// category that explains it is named with both prices, and whether a stale card or a Claude Code bug is likelier.
import type { Pricer } from './pricer';
import type { RateKey, RateSet } from './rateCard';

/** One session's record of one model, as Claude Code wrote it (cache writes without a 5m/1h split). */
export interface OwnModelUsage {
  model: string;
  /** Epoch ms the session ran (its last activity): the card row in force then prices it. */
  at: number;
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  webSearches: number;
  costUsd: number;
}

export interface ModelOpinion {
  /** The card's id (or the model as written when the card lacks it). */
  model: string;
  sessions: number;
  claudeCodeNanos: number;
  /** Ours for the same tokens, cache writes at the 5-minute rate and at the 1-hour rate (the record has no split). */
  oursLowNanos: number;
  oursHighNanos: number;
  agrees: boolean;
  /** When it does not: the category and price that explain Claude Code's figure, beside the card's. */
  category?: RateKey;
  claudeCodeRate?: number;
  cardRate?: number;
  likelier?: 'stale card' | 'Claude Code bug';
  why?: string;
  /** "Claude Code prices claude-sonnet-5-5 at $0.20 per million cache-read tokens where the card says $0.10: ..." */
  sentence?: string;
}

const CATEGORY_WORDS: Record<RateKey, string> = { input: 'input', output: 'output', cacheWrite5m: 'cache-write', cacheWrite1h: 'cache-write', cacheRead: 'cache-read' };
/** Rounding: Claude Code's float sums and our whole nanodollars per token differ by far less than this. */
const TOLERANCE_SHARE = 0.005;
const TOLERANCE_NANOS = 50_000;

function nanosAt(r: RateSet, u: OwnModelUsage, write: 'cacheWrite5m' | 'cacheWrite1h', webNanos: number): number {
  const per = (usd: number): number => Math.round(usd * 1000);
  return u.input * per(r.input) + u.output * per(r.output) + u.cacheWrite * per(r[write]) + u.cacheRead * per(r.cacheRead) + u.webSearches * webNanos;
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/** Compares Claude Code's per-model costs with the card's, summed per model over the sessions given. */
export function secondOpinion(usages: readonly OwnModelUsage[], pricer: Pricer, opts: { webSearchNanos?: number } = {}): ModelOpinion[] {
  const webNanos = opts.webSearchNanos ?? 10_000_000;
  const byModel = new Map<string, { usages: OwnModelUsage[]; cc: number; low: number; high: number; tokens: Record<'input' | 'output' | 'cacheWrite' | 'cacheRead', number> }>();
  for (const u of usages) {
    if (!(u.costUsd >= 0)) continue;
    const base = pricer.lookup(u.model);
    const row = pricer.rowAt(u.model, u.at);
    if (!base || !row) continue; // no card price to compare (unpriced, or an estimate: nothing to second-guess)
    const a = nanosAt(row.rates, u, 'cacheWrite5m', webNanos);
    const b = nanosAt(row.rates, u, 'cacheWrite1h', webNanos);
    const g = byModel.get(base.id) ?? { usages: [], cc: 0, low: 0, high: 0, tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 } };
    g.usages.push(u);
    g.cc += Math.round(u.costUsd * 1e9);
    g.low += Math.min(a, b);
    g.high += Math.max(a, b);
    g.tokens.input += u.input;
    g.tokens.output += u.output;
    g.tokens.cacheWrite += u.cacheWrite;
    g.tokens.cacheRead += u.cacheRead;
    byModel.set(base.id, g);
  }
  const out: ModelOpinion[] = [];
  for (const [model, g] of byModel) {
    const slack = Math.max(TOLERANCE_NANOS, Math.round(g.high * TOLERANCE_SHARE));
    const agrees = g.cc >= g.low - slack && g.cc <= g.high + slack;
    const o: ModelOpinion = { model, sessions: g.usages.length, claudeCodeNanos: g.cc, oursLowNanos: g.low, oursHighNanos: g.high, agrees };
    if (!agrees) explain(o, g, pricer);
    out.push(o);
  }
  return out.sort((a, b) => Number(a.agrees) - Number(b.agrees) || b.claudeCodeNanos - a.claudeCodeNanos);
}

/** Which single category, re-priced, turns our figure into Claude Code's; the biggest token bucket that can wins. */
function explain(o: ModelOpinion, g: { usages: OwnModelUsage[]; cc: number; low: number; high: number; tokens: Record<'input' | 'output' | 'cacheWrite' | 'cacheRead', number> }, pricer: Pricer): void {
  const last = g.usages[g.usages.length - 1];
  const row = pricer.rowAt(o.model, last.at)!;
  // Claude Code's records reconcile with every cache write at the 1-hour rate (FACTS.md): that is the baseline.
  const buckets: Array<[RateKey, number]> = [
    ['cacheRead', g.tokens.cacheRead],
    ['input', g.tokens.input],
    ['output', g.tokens.output],
    ['cacheWrite1h', g.tokens.cacheWrite],
  ];
  buckets.sort((a, b) => b[1] - a[1]);
  for (const [k, tokens] of buckets) {
    if (tokens <= 0) continue;
    const cardRate = row.rates[k];
    const implied = (g.cc - (g.high - tokens * cardRate * 1000)) / tokens / 1000;
    if (implied < 0) continue;
    o.category = k;
    o.claudeCodeRate = round(implied);
    o.cardRate = round(cardRate);
    break;
  }
  if (o.category === undefined) return;
  const base = pricer.lookup(o.model)!;
  const k = o.category;
  const near = (x: number): boolean => Math.abs(x - o.claudeCodeRate!) <= Math.max(0.005, o.claudeCodeRate! * 0.02);
  const earlier = base.rows.slice(0, -1).find((r) => near(r.rates[k]));
  const other = pricer.models.find((m) => m.id !== base.id && m.status !== 'retired' && near(m.rates[k]) && m.rates.input !== base.rates.input);
  const rowNow = pricer.rowAt(o.model, last.at)!;
  if (earlier) {
    o.likelier = 'Claude Code bug';
    o.why = `Claude Code's figure is the card's price before ${base.rows[base.rows.indexOf(earlier) + 1].from.slice(0, 10)}: it has not taken the change`;
  } else if (!rowNow.verified) {
    o.likelier = 'stale card';
    o.why = `the card's row for ${base.display} is unverified`;
  } else if (other) {
    o.likelier = 'Claude Code bug';
    o.why = `that is ${other.display}'s ${CATEGORY_WORDS[k]} price, and the card's row was checked ${rowNow.checked}`;
  } else {
    o.likelier = last.at > Date.parse(`${pricer.asOf}T00:00:00Z`) ? 'stale card' : 'Claude Code bug';
    o.why = o.likelier === 'stale card' ? `the sessions are newer than the card (as of ${pricer.asOf}): check the pricing page, then \`credit-ledger rates update\`` : `the card's row was checked against the pricing page on ${rowNow.checked}, after these sessions`;
  }
  const money = (x: number): string => `$${Number.isInteger(Math.round(x * 1e4) / 100) ? x.toFixed(2) : String(x)}`;
  o.sentence = `Claude Code prices ${o.model} at ${money(o.claudeCodeRate!)} per million ${CATEGORY_WORDS[k]} tokens where the card says ${money(o.cardRate!)}: ${o.likelier === 'stale card' ? 'a stale card is likelier' : 'a Claude Code bug is likelier'} (${o.why}).`;
}


/** Claude Code's per-model records of an accuracy report's sessions (core/corrections/accuracy), for secondOpinion. */
export function ownUsagesOf(sessions: ReadonlyArray<{ lastActivity: number; models: ReadonlyArray<{ model: string; claudeCode: { input: number; output: number; cacheWrite: number; cacheRead: number; webSearches: number; costUsd: number | null } | null }> }>): OwnModelUsage[] {
  const out: OwnModelUsage[] = [];
  for (const s of sessions) {
    for (const m of s.models) {
      const c = m.claudeCode;
      if (!c || c.costUsd === null) continue;
      out.push({ model: m.model, at: s.lastActivity, input: c.input, output: c.output, cacheWrite: c.cacheWrite, cacheRead: c.cacheRead, webSearches: c.webSearches, costUsd: c.costUsd });
    }
  }
  return out;
}
