// What to tell the user when a `claude -p` run starts or ends in a VS Code terminal: the warning at start (credit used
// up under overage `stop`, credit below the warning share, a resumed session whose context is already long) and the
// quiet notification at the end. Pure, no `vscode` import: test/unit/headless-terminal.test.ts.
import { DateTime } from 'luxon';
import type { PrintInvocation } from '../../core/headless/commandLine';
import type { RunFact } from '../../core/headless/runFact';
import type { Balance } from '../../core/pool/types';
import { formatUsd, usdToNanos, type Pricer } from '../../core/pricing/pricer';
import type { UserSettings } from '../../core/state/settings';

/** Settings keys of the run messages in the per-user settings file (the extension mirrors VS Code settings into them). */
export const RUN_SETTING_KEYS = {
  /** `always` (default) | `over` (only runs over `runNotifyOverUsd`) | `never`. */
  notify: 'runNotifications',
  overUsd: 'runNotifyOverUsd',
} as const;

/** Context size above which resuming a session earns a warning, unless the hook's `contextThreshold` says otherwise. */
export const DEFAULT_LONG_CONTEXT_TOKENS = 200_000;
/** Prompt caches written by Claude Code live 5 minutes (1 hour for some writes): older than this, count it expired. */
const CACHE_TTL_MS = 5 * 60 * 1000;

export type RunNotifyPolicy = { mode: 'always' } | { mode: 'never' } | { mode: 'over'; overNanos: number };

export function runNotifyPolicy(settings: UserSettings): RunNotifyPolicy {
  const mode = settings[RUN_SETTING_KEYS.notify];
  if (mode === 'never') return { mode: 'never' };
  if (mode === 'over') {
    const v = settings[RUN_SETTING_KEYS.overUsd];
    const usd = typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 1;
    return { mode: 'over', overNanos: usdToNanos(usd) };
  }
  return { mode: 'always' };
}

/** The context size that earns a warning: the hook's `contextThreshold` when set, else 200K tokens. */
export function longContextThreshold(settings: UserSettings): number {
  const hook = settings['hook'];
  const t = hook && typeof hook === 'object' ? (hook as Record<string, unknown>).contextThreshold : undefined;
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? Math.round(t) : DEFAULT_LONG_CONTEXT_TOKENS;
}

export interface ResumedContext {
  sessionId: string;
  /** Prompt tokens of the session's newest request: what every next turn sends again. */
  tokens: number;
  model?: string;
  /** Epoch ms of that request. */
  at?: number;
}

export interface StartWarningInput {
  invocation: PrintInvocation;
  balance: Balance | undefined;
  /** Display setting warnShare (0-1). */
  warnShare: number;
  /** The session the run resumes or continues, when known. */
  resumed?: ResumedContext;
  threshold: number;
  pricer: Pricer;
  now: number;
}

export interface RunMessage {
  severity: 'info' | 'warning' | 'error';
  message: string;
}

const tokensText = (n: number): string => (n >= 1_000_000 ? `${(n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1)}M` : `${Math.round(n / 1000)}K`);
const usd2 = (nanos: number): string => formatUsd(nanos, { decimals: 2 });
/** A run's cost: cents from a cent up ("$0.42"), more decimals below so a small run does not read as $0.00. */
const runUsd = (nanos: number): string => (Math.abs(nanos) >= 10_000_000 ? usd2(nanos) : formatUsd(nanos));

function ago(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  return h < 48 ? `${h} h ago` : `${Math.round(h / 24)} days ago`;
}

/** The model a turn would be priced at: a full `--model` id, else the session's own. */
function turnModel(inv: PrintInvocation, resumed: ResumedContext): string | undefined {
  const flag = inv.flags.model;
  if (flag && /claude-/i.test(flag)) return flag;
  return resumed.model || undefined;
}

/** The warning to show as the run starts, or undefined when all is well. */
export function startWarning(input: StartWarningInput): RunMessage | undefined {
  const { balance: b, invocation: inv } = input;
  const parts: string[] = [];
  let severity: RunMessage['severity'] = 'warning';
  const left = b && b.balanceNanos !== null ? b.balanceNanos : null;
  if (b && left !== null && left <= 0 && b.overage === 'stop') {
    severity = 'error';
    const reset = DateTime.fromMillis(b.cycle.end, { zone: b.timezone }).toFormat('yyyy-LL-dd');
    parts.push(`the credit is used up (${usd2(0)} of ${usd2(b.allotmentNanos ?? 0)} left): under overage "stop" this run's requests would be rejected until ${reset}`);
  } else if (b && left !== null && b.allotmentNanos && left > 0 && left / b.allotmentNanos < input.warnShare) {
    parts.push(`only ${usd2(left)} of ${usd2(b.allotmentNanos)} credit left (${Math.floor((left / b.allotmentNanos) * 100)}%)`);
  }
  const r = input.resumed;
  if (r && r.tokens > input.threshold) {
    const how = inv.flags.continue ? 'continues' : 'resumes';
    let text = `it ${how} session ${r.sessionId.slice(0, 8)} whose context is already ${tokensText(r.tokens)} tokens`;
    const model = turnModel(inv, r);
    const warm = model ? input.pricer.price({ model, timestamp: input.now, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: r.tokens, webSearches: 0, speed: '', inferenceGeo: '' }) : undefined;
    const cold = model ? input.pricer.price({ model, timestamp: input.now, input: 0, output: 0, cacheWrite5m: r.tokens, cacheWrite1h: 0, cacheRead: 0, webSearches: 0, speed: '', inferenceGeo: '' }) : undefined;
    if (warm?.priced && cold?.priced) {
      text += `: about ${formatUsd(warm.costNanos)} a turn at list price to send it again`;
      const expired = r.at !== undefined && input.now - r.at > CACHE_TTL_MS;
      if (expired) text += ` (last used ${ago(input.now - r.at!)}: the cache has likely expired, so the first turn re-writes it for about ${formatUsd(cold.costNanos)})`;
      if (left !== null && left > 0 && warm.costNanos > 0) text += `; ${usd2(left)} left covers about ${Math.floor(left / warm.costNanos).toLocaleString('en-US')} such turns`;
    } else if (model) text += ` (no list price for ${model})`;
    parts.push(text);
  }
  if (!parts.length) return undefined;
  return { severity, message: `claude -p started: ${parts.join('; ')}.` };
}

export interface EndNoticeInput {
  fact: RunFact;
  /** Our list price when the fact has none (a text-output run linked to its transcript): the ledger's rows. */
  ledgerCostNanos?: number;
  balance: Balance | undefined;
  policy: RunNotifyPolicy;
}

/** The quiet notification when a run ends ("claude -p finished: $0.42 (Claude Code says $0.41) · $57.10 left"). */
export function endNotice(input: EndNoticeInput): RunMessage | undefined {
  const { fact: f, balance: b, policy } = input;
  if (policy.mode === 'never') return undefined;
  const ours = f.listCostNanos ?? input.ledgerCostNanos ?? null;
  const theirs = f.totalCostUsd === null ? null : usdToNanos(f.totalCostUsd);
  if (policy.mode === 'over' && Math.max(ours ?? 0, theirs ?? 0) < policy.overNanos) return undefined;
  const failed = f.result?.isError === true || (f.exitCode !== null && f.exitCode !== 0);
  const what = failed ? `claude -p failed (${[f.result?.isError ? f.result.subtype || 'error' : '', f.exitCode !== null && f.exitCode !== 0 ? `exit ${f.exitCode}` : ''].filter(Boolean).join(', ')})` : 'claude -p finished';
  const cost: string[] = [];
  if (ours !== null) cost.push(`${runUsd(ours)}${f.listCostNanos !== null && !f.listCostPriced ? '+' : ''}`);
  if (theirs !== null) cost.push(ours !== null ? `(Claude Code says ${runUsd(theirs)})` : `Claude Code says ${runUsd(theirs)}`);
  let message = cost.length ? `${what}: ${cost.join(' ')}` : what;
  if (b && b.balanceNanos !== null) {
    message += b.balanceNanos > 0 ? ` · ${b.remainingIsUpperBound ? 'at most ' : ''}${usd2(b.balanceNanos)} left` : b.overage === 'bill' ? ` · ${usd2(b.overageNanos ?? 0)} over the credit` : ' · credit used up';
  }
  return { severity: failed ? 'warning' : 'info', message };
}
