// The `hook` section of the per-user settings file: what the Claude Code hook, the status line and the
// in-editor context warnings warn about, and whether the hook may block. Read from a file anything may
// have written, so every value is checked and falls back to its default.

/** As written in the settings file (every key optional). */
export interface HookUserSettings {
  /** Context size in tokens above which to warn, besides the models' price tiers; null or 0: none. */
  contextThreshold?: number | null;
  /** `warn` (default): never block. `block`: an unattended (headless) run with no credit left under overage `stop` is blocked. */
  policy?: 'warn' | 'block';
  /** Warn when a resumed or forked session must re-write an expired prompt cache (default true). */
  warnOnExpiredCache?: boolean;
  /** Warn when the next request crosses a long-context price tier of its model (default true). */
  warnOnTier?: boolean;
  /** Warn when the next request crosses `contextThreshold` (default true). */
  warnOnThreshold?: boolean;
  /** Warn when a request would spend more than the credit left, or none is left (default true). */
  warnOnCredit?: boolean;
  /** Also tell Claude (UserPromptSubmit additionalContext) that the context is over a tier (default false). */
  addContext?: boolean;
  /** A cache re-write estimated below this many USD is not worth a warning (default 0.10). */
  minCacheRewriteUsd?: number;
}

export interface HookSettings {
  contextThreshold: number | null;
  policy: 'warn' | 'block';
  warnOnExpiredCache: boolean;
  warnOnTier: boolean;
  warnOnThreshold: boolean;
  warnOnCredit: boolean;
  addContext: boolean;
  minCacheRewriteNanos: number;
}

export const DEFAULT_HOOK_SETTINGS: HookSettings = {
  contextThreshold: null,
  policy: 'warn',
  warnOnExpiredCache: true,
  warnOnTier: true,
  warnOnThreshold: true,
  warnOnCredit: true,
  addContext: false,
  minCacheRewriteNanos: 100_000_000,
};

const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);

/** The effective hook settings from the settings file's `hook` value (anything may arrive). */
export function resolveHookSettings(raw: unknown): HookSettings {
  const d = DEFAULT_HOOK_SETTINGS;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ...d };
  const o = raw as Record<string, unknown>;
  const t = o.contextThreshold;
  const threshold = typeof t === 'number' && Number.isFinite(t) && t > 0 ? Math.round(t) : null;
  const min = o.minCacheRewriteUsd;
  return {
    contextThreshold: threshold,
    policy: o.policy === 'block' ? 'block' : 'warn',
    warnOnExpiredCache: bool(o.warnOnExpiredCache, d.warnOnExpiredCache),
    warnOnTier: bool(o.warnOnTier, d.warnOnTier),
    warnOnThreshold: bool(o.warnOnThreshold, d.warnOnThreshold),
    warnOnCredit: bool(o.warnOnCredit, d.warnOnCredit),
    addContext: bool(o.addContext, d.addContext),
    minCacheRewriteNanos: typeof min === 'number' && Number.isFinite(min) && min >= 0 ? Math.round(min * 1e9) : d.minCacheRewriteNanos,
  };
}
