// Which sessions draw on the credit. The announced credit covers the Agent SDKs, `claude -p`,
// GitHub Actions and third-party SDK apps; interactive Claude Code does not (FACTS.md). The
// entrypoint lists are data: a newly seen value is one line here.
import { HEADLESS_ENTRYPOINTS } from '../model';
import type { PoolFacts } from './facts';
import type { OverrideMode, PoolSettings, SessionClassification, SessionFacts, SurfaceClass } from './types';

export { HEADLESS_ENTRYPOINTS };
export const INTERACTIVE_ENTRYPOINTS: readonly string[] = ['cli', 'claude-vscode', 'claude-desktop'];
/** Known, but whether the credit covers them is not: counted only with countUnclassified. */
export const UNCLASSIFIED_ENTRYPOINTS: readonly string[] = ['local-agent'];
/** Surface hints the caller may give when it identified a session by other means. */
export const HEADLESS_SURFACE_HINTS: readonly string[] = ['github-actions', 'agent-sdk-app', 'headless'];
export const INTERACTIVE_SURFACE_HINTS: readonly string[] = ['interactive'];
/** Hint for a session the ledger has rows for but no facts about. */
export const UNKNOWN_SURFACE_HINT = 'unknown';

export interface SurfaceVerdict {
  surface: SurfaceClass;
  reason: string;
}

/** What the session is, from its own facts only (no overrides, no settings). */
export function detectSurface(s: SessionFacts): SurfaceVerdict {
  const hint = s.surface?.trim().toLowerCase() ?? '';
  if (HEADLESS_SURFACE_HINTS.includes(hint)) return { surface: 'headless', reason: `surface ${hint}` };
  if (INTERACTIVE_SURFACE_HINTS.includes(hint)) return { surface: 'interactive', reason: `surface ${hint}` };
  if (hint === UNKNOWN_SURFACE_HINT) return { surface: 'unclassified', reason: 'no session facts' };
  if (s.capturedRun) return { surface: 'headless', reason: 'captured claude -p run' };
  const ep = s.entrypoint.trim();
  if (HEADLESS_ENTRYPOINTS.includes(ep)) return { surface: 'headless', reason: `entrypoint ${ep}` };
  if (INTERACTIVE_ENTRYPOINTS.includes(ep)) return { surface: 'interactive', reason: `entrypoint ${ep}` };
  if (UNCLASSIFIED_ENTRYPOINTS.includes(ep)) return { surface: 'unclassified', reason: `entrypoint ${ep} (coverage unknown)` };
  if (ep) return { surface: 'unclassified', reason: `unknown entrypoint "${ep}"` };
  if (s.queueOperationStart) return { surface: 'headless', reason: 'file starts with queue-operation (headless run, version without entrypoint)' };
  return { surface: 'interactive', reason: 'no entrypoint and no queue-operation start (interactive, version without entrypoint)' };
}

/** A session the ledger has rows for but no facts about. */
export function unknownSession(sessionId: string, projectKey: string): SessionFacts {
  return { sessionId, projectKey, entrypoint: '', queueOperationStart: false, firstPromptHash: '', surface: UNKNOWN_SURFACE_HINT };
}

/** Session override beats project override beats the surface and the settings. */
export function classifySession(
  s: SessionFacts,
  settings: Pick<PoolSettings, 'scope' | 'countUnclassified'>,
  overrides: Pick<PoolFacts, 'sessionOverrides' | 'projectOverrides'>,
): SessionClassification {
  const base = { sessionId: s.sessionId, projectKey: s.projectKey };
  const verdict = detectSurface(s);
  const sessionMode = overrides.sessionOverrides.get(s.sessionId);
  const projectMode = overrides.projectOverrides.get(s.projectKey);
  const pick: [OverrideMode, 'session' | 'project'] | null = sessionMode ? [sessionMode, 'session'] : projectMode ? [projectMode, 'project'] : null;
  if (pick) {
    const [mode, target] = pick;
    return { ...base, surface: verdict.surface, counted: mode === 'count', override: { mode, target }, reason: `override: ${mode} (${target}); ${verdict.reason}` };
  }
  let counted: boolean;
  let why: string;
  if (settings.scope === 'all') {
    counted = true;
    why = 'scope all';
  } else if (verdict.surface === 'headless') {
    counted = true;
    why = '';
  } else if (verdict.surface === 'interactive') {
    counted = false;
    why = 'interactive: not covered';
  } else {
    counted = settings.countUnclassified;
    why = settings.countUnclassified ? 'unclassified: counted (countUnclassified on)' : 'unclassified: not counted (countUnclassified off)';
  }
  return { ...base, surface: verdict.surface, counted, override: null, reason: why ? `${verdict.reason}; ${why}` : verdict.reason };
}
