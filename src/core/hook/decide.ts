// The hook's decision, a pure function of what Claude Code sent, the transcript's tail, the balance snapshot,
// the settings and the time: silent, warn (a systemMessage the user sees) or block (UserPromptSubmit only,
// and only for an unattended run the user chose to stop). Default policy: warn, never block.
import type { Env } from '../state/paths';
import type { BalanceSnapshot } from '../pool/snapshot';
import { detectSurface } from '../pool/surfaces';
import { formatUsd } from '../pricing/money';
import type { Pricer } from '../pricing/pricer';
import { cacheLikelyWarm, estimateRequest, formatMultiplier, formatTokens, groupTokens, nextRequestTokens, promptTokensOf, tiersInForce, type RequestEstimate } from './estimate';
import type { HookInput } from './input';
import type { HookSettings } from './settings';
import type { TranscriptTail } from './tail';

/** What the hook's environment says about the session (the hook runs as a child of Claude Code). */
export interface HookEnv {
  /** CLAUDE_CODE_ENTRYPOINT of the running Claude Code ('' when unset). */
  entrypoint: string;
  /** GITHUB_ACTIONS=true: a Claude Code GitHub Action run. */
  githubActions: boolean;
}

export function hookEnvFrom(env: Env): HookEnv {
  return { entrypoint: (env.CLAUDE_CODE_ENTRYPOINT ?? '').trim(), githubActions: env.GITHUB_ACTIONS === 'true' };
}

export interface SurfaceInfo {
  headless: boolean;
  reason: string;
}

/** Headless (the credit's surfaces) or not: the live process's entrypoint first, then the transcript's. */
export function sessionSurface(tail: Pick<TranscriptTail, 'entrypoint' | 'queueOperationStart'>, env: HookEnv): SurfaceInfo {
  if (env.githubActions && !env.entrypoint) return { headless: true, reason: 'GitHub Actions' };
  const entrypoint = env.entrypoint || tail.entrypoint;
  const v = detectSurface({ sessionId: '', projectKey: '', entrypoint, queueOperationStart: tail.queueOperationStart, firstPromptHash: '' });
  return { headless: v.surface === 'headless', reason: env.entrypoint ? `CLAUDE_CODE_ENTRYPOINT ${env.entrypoint}` : v.reason };
}

/** The credit as the snapshot gives it; null when unknown (no snapshot, no plan, or a cycle that has ended since). */
export interface CreditView {
  remainingNanos: number;
  exhausted: boolean;
  upperBound: boolean;
  /** Spend this cycle priced as an estimate (models not on the rate card): never the sole reason to block. */
  estimatedNanos: number;
  overage: 'bill' | 'stop';
  scope: 'headless' | 'all';
  planLabel: string;
  stampedAt: number;
  cycleStart: number;
  cycleEnd: number;
}

export function creditFrom(s: BalanceSnapshot | null, now: number): CreditView | null {
  if (!s || s.plan === null || s.remainingNanos === null) return null;
  const cycleEnd = Date.parse(s.cycle.end);
  const stampedAt = Date.parse(s.stampedAt);
  if (!Number.isFinite(cycleEnd) || now >= cycleEnd) return null; // the cycle has reset since: the figure is stale
  return {
    remainingNanos: Math.max(0, s.remainingNanos),
    exhausted: s.remainingNanos <= 0,
    upperBound: s.remainingIsUpperBound === true,
    estimatedNanos: typeof s.estimatedNanos === 'number' && s.estimatedNanos > 0 ? s.estimatedNanos : 0,
    overage: s.overage === 'bill' ? 'bill' : 'stop',
    scope: s.scope === 'all' ? 'all' : 'headless',
    planLabel: s.planLabel || 'plan',
    stampedAt: Number.isFinite(stampedAt) ? stampedAt : now,
    cycleStart: Date.parse(s.cycle.start),
    cycleEnd,
  };
}

export interface ContextFinding {
  kind: 'tier' | 'threshold';
  key: string;
  model: string;
  thresholdTokens: number;
  /** Context before the prompt (the last request's prompt tokens, or a compaction's postTokens). */
  contextTokens: number;
  promptTokens: number;
  nextTokens: number;
  /** The context was at or under the threshold before this prompt. */
  crossing: boolean;
  estimate: RequestEstimate | null;
}

export interface ExpiredCacheFinding {
  kind: 'expired-cache';
  source: string;
  model: string;
  contextTokens: number;
  idleSeconds: number | null;
  /** Our figure: the context at cache-write list price (tier-aware); null when the model is unpriced or unknown. */
  ourNanos: number | null;
  /** Claude Code's own figure (estimated_cache_write_usd), when it sent one. */
  claudeUsd: number | null;
  ttl: '5m' | '1h';
}

export interface CreditFinding {
  kind: 'credit';
  key: string;
  headless: boolean;
  exhausted: boolean;
  remainingNanos: number;
  /** This request at list price before output (0 when unknown). */
  estimateNanos: number;
  overage: 'bill' | 'stop';
  block: boolean;
}

export type Finding = ContextFinding | ExpiredCacheFinding | CreditFinding;

export interface HookDecisionInput {
  input: HookInput;
  tail: TranscriptTail;
  snapshot: BalanceSnapshot | null;
  settings: HookSettings;
  pricer: Pricer;
  /** Epoch ms. */
  now: number;
  env: HookEnv;
  /** Keys this session was already warned about (the hook's small state file): one warning per crossing. */
  warned: readonly string[];
}

export interface HookOutcome {
  action: 'silent' | 'warn' | 'block';
  findings: Finding[];
  /** What the user sees (systemMessage, or the block reason). */
  message: string;
  additionalContext: string | null;
  /** Keys to remember for this session: thresholds it is over now (dropping one re-arms its warning). */
  warned: string[];
  surface: SurfaceInfo;
  /** The next request's estimate (UserPromptSubmit), for the log. */
  estimate: RequestEstimate | null;
}

export function decideHook(d: HookDecisionInput): HookOutcome {
  const { input, tail, settings, pricer, now } = d;
  const event = input.hookEventName;
  const findings: Finding[] = [];
  const before = new Set(d.warned);
  const keep = new Set<string>();
  const model = tail.model || input.model;
  const surface = sessionSurface(tail, d.env);
  const credit = creditFrom(d.snapshot, now);
  const last = tail.last;
  const ttl1h = !!last && last.cacheWrite1h > 0;
  let estimate: RequestEstimate | null = null;

  if (event === 'UserPromptSubmit') {
    const context = tail.contextTokens ?? 0;
    const promptTokens = promptTokensOf(input.prompt);
    const next = context + promptTokens;
    const warm = tail.contextSource === 'request' && cacheLikelyWarm(last?.at ?? null, ttl1h, now);
    estimate = model ? estimateRequest(pricer, model, nextRequestTokens(context, promptTokens, warm, ttl1h), now) : null;
    const row = model ? (pricer.lookup(model) ?? pricer.estimateFor(model)) : undefined;
    const over = (kind: 'tier' | 'threshold', threshold: number): void => {
      const key = `${kind}:${threshold}`;
      if (next <= threshold) return;
      keep.add(key);
      if (before.has(key)) return;
      findings.push({ kind, key, model: row?.id ?? model, thresholdTokens: threshold, contextTokens: context, promptTokens, nextTokens: next, crossing: context <= threshold, estimate });
    };
    const tiers = settings.warnOnTier ? tiersInForce(row, now) : [];
    for (const t of tiers) over('tier', t.thresholdTokens);
    const ct = settings.contextThreshold;
    if (settings.warnOnThreshold && ct !== null && !tiers.some((t) => t.thresholdTokens === ct)) over('threshold', ct);

    if (settings.warnOnCredit && credit && (surface.headless || credit.scope === 'all')) {
      const cost = estimate && estimate.priced ? estimate.costNanos : 0;
      if (credit.exhausted || cost > credit.remainingNanos) {
        // Blocking needs firm figures: without the estimated spend (and an estimated next request) the credit must still be out.
        const firmLeft = credit.remainingNanos - (d.snapshot?.overageNanos ?? 0) + credit.estimatedNanos;
        const firmCost = estimate && estimate.priced && !estimate.estimated ? estimate.costNanos : 0;
        const firm = firmLeft <= 0 || firmCost > firmLeft;
        const block = firm && surface.headless && settings.policy === 'block' && credit.overage === 'stop';
        const key = `credit:${credit.cycleStart}`;
        keep.add(key);
        if (block || !before.has(key)) {
          findings.push({ kind: 'credit', key, headless: surface.headless, exhausted: credit.exhausted, remainingNanos: credit.remainingNanos, estimateNanos: cost, overage: credit.overage, block });
        }
      }
    }
  } else {
    for (const k of before) keep.add(k); // no prompt to judge: what was warned stays warned
    if (event === 'SessionStart' && settings.warnOnExpiredCache && (input.source === 'resume' || input.source === 'fork')) {
      const f = expiredCache(d, model, ttl1h);
      if (f) findings.push(f);
    }
  }

  const block = findings.some((f) => f.kind === 'credit' && f.block) && event === 'UserPromptSubmit';
  const message = findings.length ? messageFor(findings, credit, now, block) : '';
  const tierHit = findings.find((f): f is ContextFinding => f.kind === 'tier');
  const additionalContext =
    settings.addContext && event === 'UserPromptSubmit' && tierHit
      ? `Note from the user's cost meter (Credit Ledger): the conversation context is about ${groupTokens(tierHit.nextTokens)} tokens, over the ${formatTokens(tierHit.thresholdTokens)} long-context price tier of ${tierHit.model}, so each request is billed at premium rates. If it suits the task, suggest /compact.`
      : null;
  return {
    action: block ? 'block' : findings.length ? 'warn' : 'silent',
    findings,
    message,
    additionalContext,
    warned: [...keep].sort(),
    surface,
    estimate,
  };
}

function expiredCache(d: HookDecisionInput, model: string, ttl1h: boolean): ExpiredCacheFinding | null {
  const { input, tail, pricer, now, settings } = d;
  const lastAt = tail.last?.at ?? null;
  const idle = input.secondsSinceLastResponse ?? (lastAt !== null ? Math.max(0, Math.round((now - lastAt) / 1000)) : null);
  const expired = input.promptCacheLikelyExpired ?? (lastAt !== null ? !cacheLikelyWarm(lastAt, ttl1h, now) : null);
  if (expired !== true) return null;
  const tokens = input.contextTokens ?? tail.contextTokens;
  if (!tokens || tokens <= 0) return null;
  let ourNanos: number | null = null;
  if (model) {
    const e = estimateRequest(pricer, model, nextRequestTokens(tokens, 0, false, ttl1h), now);
    if (e.priced) ourNanos = e.costNanos;
  }
  const claudeUsd = input.estimatedCacheWriteUsd;
  const worth = Math.max(ourNanos ?? 0, claudeUsd !== null ? Math.round(claudeUsd * 1e9) : 0);
  if (worth < settings.minCacheRewriteNanos) return null;
  return { kind: 'expired-cache', source: input.source ?? '', model: pricer.lookup(model)?.id ?? model, contextTokens: tokens, idleSeconds: idle, ourNanos, claudeUsd, ttl: ttl1h ? '1h' : '5m' };
}

const usd = (nanos: number): string => formatUsd(nanos);

function ago(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

function idleText(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 3600) return ` after ${Math.max(1, Math.round(seconds / 60))} min idle`;
  if (seconds < 172_800) return ` after ${Math.round(seconds / 3600)} h idle`;
  return ` after ${Math.round(seconds / 86_400)} days idle`;
}

export function creditLine(credit: CreditView | null, now: number): string {
  if (!credit) return '';
  const left = credit.exhausted ? 'none' : `${credit.upperBound ? 'at most ' : ''}${usd(credit.remainingNanos)}`;
  return `Credit left: ${left} (${credit.planLabel}, metered at list prices, as of ${ago(now - credit.stampedAt)}).`;
}

function estimateText(e: RequestEstimate | null): string {
  if (!e) return 'This request: model unknown, not priced.';
  if (!e.priced) return `This request: ${e.model} is unpriced (add its rates in settings).`;
  const extra = e.tier && e.costNanos > e.standardNanos ? ` (${usd(e.costNanos - e.standardNanos)} of it for the long-context tier)` : '';
  return `This request: ≈${usd(e.costNanos)} at list price before output${extra}.`;
}

function messageFor(findings: readonly Finding[], credit: CreditView | null, now: number, block: boolean): string {
  const lines: string[] = [];
  let estimate: RequestEstimate | null | undefined;
  let compactHint = false;
  for (const f of findings) {
    if (f.kind === 'tier') {
      const m = f.estimate?.multiplier;
      const rates = m ? ` (input ${formatMultiplier(m.input)}, output ${formatMultiplier(m.output)})` : '';
      lines.push(
        f.crossing
          ? `Credit Ledger: this prompt takes the context to ~${groupTokens(f.nextTokens)} tokens, over the ${formatTokens(f.thresholdTokens)} long-context tier of ${f.model}: the whole request is billed at long-context rates${rates}.`
          : `Credit Ledger: the context is ~${groupTokens(f.nextTokens)} tokens, over the ${formatTokens(f.thresholdTokens)} long-context tier of ${f.model}: every request is billed at long-context rates${rates}.`,
      );
      estimate = f.estimate;
      compactHint = true;
    } else if (f.kind === 'threshold') {
      lines.push(`Credit Ledger: this prompt takes the context to ~${groupTokens(f.nextTokens)} tokens, over your ${groupTokens(f.thresholdTokens)}-token threshold${f.model ? ` (${f.model})` : ''}.`);
      estimate = f.estimate;
      compactHint = true;
    } else if (f.kind === 'expired-cache') {
      const ours = f.ourNanos !== null ? `≈${usd(f.ourNanos)} at ${f.ttl} cache-write list price` : 'unpriced model';
      const theirs = f.claudeUsd !== null ? `; Claude Code estimates $${f.claudeUsd.toFixed(2)}` : '';
      lines.push(
        `Credit Ledger: this ${f.source === 'fork' ? 'fork' : 'resumed session'}'s prompt cache has likely expired${idleText(f.idleSeconds)}: the next request re-writes its ~${groupTokens(f.contextTokens)} tokens of context (${ours}${theirs}). /clear starts fresh without it.`,
      );
    } else if (f.kind === 'credit') {
      const est = f.estimateNanos > 0 ? `≈${usd(f.estimateNanos)} at list price before output` : 'cost not known yet';
      if (f.block) {
        lines.push(
          f.exhausted
            ? `Credit Ledger stopped this unattended run: the ${credit?.planLabel ?? ''} credit is used up and overage is "stop" (metered at list prices). Set hook.policy to "warn" in the Credit Ledger settings to let such runs through.`
            : `Credit Ledger stopped this unattended run: this request (${est}) costs more than the ${usd(f.remainingNanos)} of credit left, and overage is "stop". Set hook.policy to "warn" to let such runs through.`,
        );
      } else if (f.exhausted) {
        lines.push(
          f.overage === 'bill'
            ? `Credit Ledger: the credit is used up: this ${f.headless ? 'headless run' : 'session'} is billed at API rates (this request ${est}).`
            : `Credit Ledger: the credit is used up and overage is "stop": this ${f.headless ? 'headless run' : 'session'}'s requests would be rejected until the cycle resets.${f.headless ? ' Set hook.policy to "block" to stop unattended runs here.' : ''}`,
        );
      } else {
        lines.push(`Credit Ledger: this request (${est}) costs more than the ${usd(f.remainingNanos)} of credit left; past zero ${f.overage === 'bill' ? 'it is billed at API rates' : 'requests would stop'}.`);
      }
    }
  }
  if (block) return lines.filter((l) => l.startsWith('Credit Ledger stopped')).join('\n');
  if (estimate !== undefined) lines.push(estimateText(estimate) + (compactHint ? ' /compact would bring the context back down.' : ''));
  const c = creditLine(credit, now);
  if (c && !findings.some((f) => f.kind === 'credit')) lines.push(c);
  return lines.join('\n');
}

/** The hook's stdout for Claude Code: '' when silent, else the JSON of the hook output contract. */
export function hookResponse(outcome: HookOutcome, hookEventName: string): string {
  if (outcome.action === 'silent') return '';
  if (outcome.action === 'block' && hookEventName === 'UserPromptSubmit') return JSON.stringify({ decision: 'block', reason: outcome.message });
  const out: Record<string, unknown> = { systemMessage: outcome.message };
  if (outcome.additionalContext && hookEventName === 'UserPromptSubmit') {
    out.hookSpecificOutput = { hookEventName, additionalContext: outcome.additionalContext };
  }
  return JSON.stringify(out);
}
