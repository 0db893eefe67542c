// Journal facts the audit writes and reads: `ignore-loop` (the user's "ignore this loop"), and the
// captured `claude -p` runs (`run`, written by the capture feature) whose command lines group jobs.
import { readRunFacts } from '../headless/runFact';
import type { Fact } from '../state/journal';

export const IGNORE_LOOP_FACT = 'ignore-loop';
export { RUN_FACT } from '../headless/runFact';

/** A loop id as the audit makes them: `<kind>-<10 hex>`. */
export const LOOP_ID_PATTERN = /^(reread|reflexive|scheduled|recurring)-[0-9a-f]{10}$/;

/** `ignore: false` takes back an earlier ignore of the same loop. */
export type IgnoreLoopFact = {
  kind: typeof IGNORE_LOOP_FACT;
  loopId: string;
  ignore: boolean;
};

export function ignoreLoopFact(loopId: string, ignore = true): IgnoreLoopFact {
  return { kind: IGNORE_LOOP_FACT, loopId, ignore };
}

function instantOf(v: unknown): number {
  const t = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(t) ? t : 0;
}

/** The loops ignored now: the latest fact per loop id wins (by stamped time, then journal order). */
export function ignoredLoopIds(facts: readonly Fact[]): Set<string> {
  const latest = new Map<string, { at: number; i: number; ignore: boolean }>();
  facts.forEach((f, i) => {
    if (f.kind !== IGNORE_LOOP_FACT || typeof f.loopId !== 'string' || !f.loopId) return;
    const at = instantOf(f.at);
    const prev = latest.get(f.loopId);
    if (!prev || at > prev.at || (at === prev.at && i > prev.i)) latest.set(f.loopId, { at, i, ignore: f.ignore !== false });
  });
  return new Set([...latest].filter(([, v]) => v.ignore).map(([id]) => id));
}

/**
 * The command line of each captured unattended run (cron, CI, GitHub Actions), by session id, as
 * the capture feature records it (`core/headless/runFact`: the command with the prompt and free
 * text removed). Runs typed in a terminal are left out: without their prompts, every `claude -p`
 * with the same flags would look like one job; those group by first prompt as usual.
 */
export function runCommands(facts: readonly Fact[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of readRunFacts(facts)) {
    if (!r.sessionId || !r.command || r.where === 'terminal') continue;
    const normalized = r.command.replace(/\s+/g, ' ').trim();
    if (normalized) out.set(r.sessionId, normalized);
  }
  return out;
}
