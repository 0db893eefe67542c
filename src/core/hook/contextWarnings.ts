// In-editor context warnings, decided here as pure functions (the VS Code glue is extension/warnings): when a
// watched session's context is over a long-context price tier of its model (at this date) or the user's threshold,
// one warning per session per threshold, never a stream. "Already shown" and snoozes are journal facts, so every
// window (and a window opened later) agrees on what the user has seen.
import type { Fact } from '../state/journal';
import { formatUsd } from '../pricing/money';
import type { Pricer } from '../pricing/pricer';
import { estimateRequest, formatMultiplier, formatTokens, groupTokens, nextRequestTokens, tierMultiplier, tiersInForce, type TierMultiplier } from './estimate';
import type { HookSettings } from './settings';

/** Journal fact: a context warning was shown (claimed) for a session and threshold. */
export const CONTEXT_WARNING_SHOWN_FACT = 'context-warning-shown';
/** Journal fact: context warnings snoozed for a session (or `*`: every session) until an instant. */
export const CONTEXT_WARNING_SNOOZED_FACT = 'context-warning-snoozed';

/** A session's latest context, as the ledger knows it (see ledgerContexts.ts for the query). */
export interface SessionContext {
  sessionId: string;
  /** The model of its last main-thread request. */
  model: string;
  /** That request's input + cache writes + cache reads, or a later compaction's postTokens. */
  contextTokens: number;
  /** Epoch ms of that request (or compaction). */
  at: number;
  projectKey?: string;
  cwd?: string;
  entrypoint?: string;
}

export interface ContextWarningSettings {
  warnOnTier: boolean;
  warnOnThreshold: boolean;
  contextThreshold: number | null;
  /** Sessions idle longer than this are history, not "watched": no warning (a first ingest never floods). */
  maxIdleMs: number;
}

export const DEFAULT_MAX_IDLE_MS = 30 * 60 * 1000;

export function contextWarningSettingsFrom(hook: HookSettings, maxIdleMs = DEFAULT_MAX_IDLE_MS): ContextWarningSettings {
  return { warnOnTier: hook.warnOnTier, warnOnThreshold: hook.warnOnThreshold, contextThreshold: hook.contextThreshold, maxIdleMs };
}

export interface ContextWarning {
  sessionId: string;
  /** `tier:<tokens>` or `threshold:<tokens>`: with sessionId, what "shown once" is about. */
  key: string;
  kind: 'tier' | 'threshold';
  /** The card's id when known. */
  model: string;
  thresholdTokens: number;
  contextTokens: number;
  multiplier: TierMultiplier | null;
  /** Another request on this context (read from a warm cache) at list price before output; null when unpriced. */
  nextRequestNanos: number | null;
  /** What the tier adds to that request; 0 for a threshold. */
  premiumNanos: number;
  at: number;
  projectKey: string;
  cwd: string;
  message: string;
}

/** Appended when a warning is shown (a type alias, so it passes where a Record is expected). */
export type ContextWarningShownFact = {
  kind: typeof CONTEXT_WARNING_SHOWN_FACT;
  sessionId: string;
  key: string;
  contextTokens: number;
  model: string;
};

export type ContextWarningSnoozedFact = {
  kind: typeof CONTEXT_WARNING_SNOOZED_FACT;
  /** A session id, or `*` for every session. */
  sessionId: string;
  /** ISO instant. */
  until: string;
};

export function shownFact(w: Pick<ContextWarning, 'sessionId' | 'key' | 'contextTokens' | 'model'>): ContextWarningShownFact {
  return { kind: CONTEXT_WARNING_SHOWN_FACT, sessionId: w.sessionId, key: w.key, contextTokens: w.contextTokens, model: w.model };
}

export function snoozedFact(sessionId: string, until: number): ContextWarningSnoozedFact {
  return { kind: CONTEXT_WARNING_SNOOZED_FACT, sessionId, until: new Date(until).toISOString() };
}

const isShown = (f: Fact, sessionId: string, key: string): boolean => f.kind === CONTEXT_WARNING_SHOWN_FACT && f.sessionId === sessionId && f.key === key;

/** The first `shown` fact for this session and key in journal order: the window that wrote it shows the warning. */
export function firstShownClaim(facts: readonly Fact[], sessionId: string, key: string): Fact | undefined {
  return facts.find((f) => isShown(f, sessionId, key));
}

export function isSnoozed(facts: readonly Fact[], sessionId: string, now: number): boolean {
  return facts.some((f) => f.kind === CONTEXT_WARNING_SNOOZED_FACT && (f.sessionId === sessionId || f.sessionId === '*') && typeof f.until === 'string' && Date.parse(f.until) > now);
}

/** The warnings due now and not yet shown (nor snoozed), most expensive context first. */
export function decideContextWarnings(sessions: readonly SessionContext[], facts: readonly Fact[], settings: ContextWarningSettings, pricer: Pricer, now: number): ContextWarning[] {
  const shown = new Set<string>();
  for (const f of facts) if (f.kind === CONTEXT_WARNING_SHOWN_FACT && typeof f.sessionId === 'string' && typeof f.key === 'string') shown.add(`${f.sessionId}\u0000${f.key}`);
  const out: ContextWarning[] = [];
  for (const s of sessions) {
    if (!s.sessionId || !(s.contextTokens > 0) || now - s.at > settings.maxIdleMs) continue;
    if (isSnoozed(facts, s.sessionId, now)) continue;
    const row = s.model ? pricer.lookup(s.model) : undefined;
    const tiers = settings.warnOnTier ? tiersInForce(row, now) : [];
    const due: { kind: 'tier' | 'threshold'; threshold: number }[] = [];
    for (const t of tiers) if (s.contextTokens > t.thresholdTokens) due.push({ kind: 'tier', threshold: t.thresholdTokens });
    const ct = settings.contextThreshold;
    if (settings.warnOnThreshold && ct !== null && s.contextTokens > ct && !tiers.some((t) => t.thresholdTokens === ct)) due.push({ kind: 'threshold', threshold: ct });
    for (const d of due) {
      const key = `${d.kind}:${d.threshold}`;
      if (shown.has(`${s.sessionId}\u0000${key}`)) continue;
      const e = s.model ? estimateRequest(pricer, s.model, nextRequestTokens(s.contextTokens, 0, true, false), now) : null;
      const tier = d.kind === 'tier' ? tiers.find((t) => t.thresholdTokens === d.threshold) : undefined;
      const w: ContextWarning = {
        sessionId: s.sessionId,
        key,
        kind: d.kind,
        model: row?.id ?? s.model,
        thresholdTokens: d.threshold,
        contextTokens: s.contextTokens,
        multiplier: row && tier ? tierMultiplier(row, tier) : null,
        nextRequestNanos: e && e.priced ? e.costNanos : null,
        premiumNanos: e && e.priced && d.kind === 'tier' ? Math.max(0, e.costNanos - e.standardNanos) : 0,
        at: s.at,
        projectKey: s.projectKey ?? '',
        cwd: s.cwd ?? '',
        message: '',
      };
      w.message = contextWarningText(w);
      out.push(w);
    }
  }
  return out.sort((a, b) => b.contextTokens - a.contextTokens || a.sessionId.localeCompare(b.sessionId));
}

function sessionLabel(w: Pick<ContextWarning, 'sessionId' | 'cwd' | 'projectKey'>): string {
  const where = w.cwd ? w.cwd.split(/[\\/]/).filter(Boolean).pop() : w.projectKey;
  return `${where ? `${where} ` : ''}(${w.sessionId.slice(0, 8)})`;
}

export function contextWarningText(w: Omit<ContextWarning, 'message'>): string {
  const cost = w.nextRequestNanos !== null ? ` Each request now costs ≈${formatUsd(w.nextRequestNanos)} at list price before output` : '';
  if (w.kind === 'tier') {
    const m = w.multiplier ? ` (input ${formatMultiplier(w.multiplier.input)}, output ${formatMultiplier(w.multiplier.output)})` : '';
    const premium = cost && w.premiumNanos > 0 ? `, ${formatUsd(w.premiumNanos)} of it for the tier.` : cost ? '.' : '';
    return `Credit Ledger: session ${sessionLabel(w)} has ~${groupTokens(w.contextTokens)} tokens of context, over the ${formatTokens(w.thresholdTokens)} long-context tier of ${w.model}: its requests are billed at long-context rates${m}.${cost}${premium} /compact in that session brings it back under.`;
  }
  return `Credit Ledger: session ${sessionLabel(w)} has ~${groupTokens(w.contextTokens)} tokens of context, over your ${groupTokens(w.thresholdTokens)}-token threshold${w.model ? ` (${w.model})` : ''}.${cost}${cost ? '.' : ''}`;
}
