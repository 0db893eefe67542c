// The status line's text, a pure function: the context size and its price tier, this session's cost at list
// price (or Claude Code's own figure, labelled as such), and the credit left.
import type { BalanceSnapshot } from '../pool/snapshot';
import { DateTime } from 'luxon';
import { displayModelName } from '../pricing/modelId';
import { formatUsd } from '../pricing/money';
import type { Pricer } from '../pricing/pricer';
import { creditFrom } from './decide';
import { formatMultiplier, formatTokens, tierFor, tierMultiplier, tiersInForce } from './estimate';
import type { StatusLineInput } from './input';
import type { SessionCost } from './sessionCost';
import type { HookSettings } from './settings';
import type { TranscriptTail } from './tail';

export interface StatusLineData {
  input: StatusLineInput;
  tail: TranscriptTail;
  cost: SessionCost | null;
  snapshot: BalanceSnapshot | null;
  settings: HookSettings;
  pricer: Pricer;
  now: number;
}

export interface StatusLineView {
  contextTokens: number | null;
  /** The share of the model's context window in use (0-100), as Claude Code and ccusage show it. */
  contextPercent: number | null;
  model: string;
  /** The model as Claude Code names it (`display_name`), else its short id (`opus-4.6`). */
  modelLabel: string;
  /** Today's spend from the balance snapshot (what the credit counts), when the snapshot is today's. */
  todayText: string;
  /** The tier the context is over now, and its input multiplier. */
  overTier: { thresholdTokens: number; inputMultiplier: number } | null;
  /** The next threshold above the context (a tier in force, or the user's threshold). */
  nextLimit: number | null;
  overThreshold: boolean;
  sessionText: string;
  creditText: string;
  creditState: 'ok' | 'low' | 'out' | 'none';
}

export function statusLineView(d: StatusLineData): StatusLineView {
  const { input, tail, pricer, now, settings } = d;
  const model = input.modelId || tail.model;
  const row = model ? pricer.lookup(model) : undefined;
  const contextTokens = tail.contextSource !== 'none' ? tail.contextTokens : input.currentContextTokens;
  let overTier: StatusLineView['overTier'] = null;
  let nextLimit: number | null = null;
  const ct = settings.contextThreshold;
  if (contextTokens !== null) {
    const tier = row ? tierFor(row, contextTokens, now) : null;
    if (row && tier) overTier = { thresholdTokens: tier.thresholdTokens, inputMultiplier: tierMultiplier(row, tier).input };
    const limits = tiersInForce(row, now).map((t) => t.thresholdTokens);
    if (ct !== null) limits.push(ct);
    nextLimit = limits.filter((l) => l >= contextTokens).sort((a, b) => a - b)[0] ?? null;
  }
  const overThreshold = ct !== null && contextTokens !== null && contextTokens > ct;
  // Claude Code gives the window; older versions do not: 1M for a [1m] model, else 200K
  const window = input.contextWindowSize ?? (/\[1m\]$/i.test(input.modelId || tail.model) ? 1_000_000 : 200_000);
  const contextPercent = contextTokens === null || !window ? null : Math.min(100, Math.round((contextTokens / window) * 100));
  const modelLabel = input.modelName || (model ? displayModelName(model) : '');

  let sessionText = '';
  const c = d.cost;
  if (c && c.requests > 0 && c.unpriced < c.requests) {
    sessionText = `session ${c.complete ? '' : '≥'}${formatUsd(c.costNanos)} list${c.unpriced ? ` +${c.unpriced} unpriced` : ''}`;
  } else if (input.totalCostUsd !== null) {
    sessionText = `session $${input.totalCostUsd.toFixed(2)} (Claude Code's figure)`;
  } else if (c && c.requests > 0) {
    sessionText = `session unpriced (${c.unpriced} requests)`;
  }

  const snap = d.snapshot;
  const today = (t: number | string): string => DateTime.fromMillis(typeof t === 'number' ? t : Date.parse(t), { zone: snap?.timezone || 'UTC' }).toISODate() ?? '';
  const todayText = snap && today(snap.stampedAt) === today(now) ? `today ${formatUsd(snap.spentTodayNanos, { decimals: 2 })}${snap.scope === 'headless' ? ' headless' : ''}` : '';
  const credit = creditFrom(d.snapshot, now);
  let creditText = '';
  let creditState: StatusLineView['creditState'] = 'none';
  if (credit) {
    if (credit.exhausted) {
      creditState = 'out';
      creditText = credit.overage === 'bill' ? 'credit used up (billing at API rates)' : 'credit used up';
    } else {
      const s = d.snapshot;
      const share = s && s.allotmentNanos ? credit.remainingNanos / s.allotmentNanos : 1;
      creditState = share < 0.1 ? 'low' : 'ok';
      creditText = `${credit.upperBound ? '≤' : ''}${formatUsd(credit.remainingNanos, { decimals: 2 })} left`;
    }
  }
  return { contextTokens, contextPercent, model: row?.id ?? model, modelLabel, todayText, overTier, nextLimit, overThreshold, sessionText, creditText, creditState };
}

const ansi = (code: string, text: string, color: boolean): string => (color ? `\x1b[${code}m${text}\x1b[0m` : text);

export function renderStatusLine(v: StatusLineView, color: boolean): string {
  const parts: string[] = [];
  if (v.modelLabel) parts.push(v.modelLabel);
  if (v.contextTokens !== null) {
    const pct = v.contextPercent === null ? '' : ` (${v.contextPercent}%)`;
    let ctx = `ctx ${formatTokens(v.contextTokens)}`;
    if (v.overTier) ctx = ansi('33', `${ctx}${pct} > ${formatTokens(v.overTier.thresholdTokens)}: long-context ${formatMultiplier(v.overTier.inputMultiplier)}`, color);
    else if (v.nextLimit !== null) ctx = `${ctx}/${formatTokens(v.nextLimit)}${pct}`;
    else ctx = `${ctx}${pct}`;
    if (!v.overTier && v.overThreshold) ctx = ansi('33', `${ctx} (over your threshold)`, color);
    parts.push(ctx);
  }
  if (v.sessionText) parts.push(v.sessionText);
  if (v.todayText) parts.push(v.todayText);
  if (v.creditText) parts.push(v.creditState === 'out' ? ansi('31', v.creditText, color) : v.creditState === 'low' ? ansi('33', v.creditText, color) : v.creditText);
  return parts.join(' · ');
}

/** The wrapped command's output first, then ours: on its last line when it printed one line, else on a line of its own. */
export function combineStatusLines(wrapped: string, ours: string): string {
  const theirs = wrapped.replace(/\s+$/, '');
  if (!theirs) return ours;
  if (!ours) return theirs;
  return theirs.includes('\n') ? `${theirs}\n${ours}` : `${theirs} │ ${ours}`;
}
