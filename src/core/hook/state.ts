// The hook's own memory, per user: which thresholds each session was already warned about, so a session over
// a tier hears it once per crossing (not on every prompt). Small, pruned, rewritten atomically; losing it only
// means one warning too many.
import * as path from 'node:path';
import { writeFileAtomic } from '../state/atomicFile';
import { readRegularText } from '../state/regularFile';

export interface HookState {
  version: 1;
  sessions: Record<string, { warned: string[]; at: string }>;
}

/** Sessions remembered; the oldest are dropped first. */
const MAX_SESSIONS = 200;

export function hookStatePath(dataDir: string): string {
  return path.join(dataDir, 'hook-state.json');
}

export function readHookState(file: string): HookState {
  try {
    const v = JSON.parse(readRegularText(file) ?? '') as Partial<HookState>;
    if (v && v.version === 1 && v.sessions && typeof v.sessions === 'object') return v as HookState;
  } catch {
    // missing or half-written: start over
  }
  return { version: 1, sessions: {} };
}

export function warnedFor(state: HookState, sessionId: string): string[] {
  const s = state.sessions[sessionId];
  return s && Array.isArray(s.warned) ? s.warned.filter((k): k is string => typeof k === 'string') : [];
}

/** Records a session's keys when they changed; returns whether the file was written. */
export function saveWarned(file: string, state: HookState, sessionId: string, warned: readonly string[], now: number): boolean {
  if (!sessionId) return false;
  const previous = warnedFor(state, sessionId);
  if (previous.length === warned.length && previous.every((k, i) => k === warned[i])) return false;
  const sessions = { ...state.sessions };
  if (warned.length) sessions[sessionId] = { warned: [...warned], at: new Date(now).toISOString() };
  else delete sessions[sessionId];
  const ids = Object.keys(sessions);
  if (ids.length > MAX_SESSIONS) {
    ids.sort((a, b) => (sessions[a]!.at < sessions[b]!.at ? -1 : 1));
    for (const id of ids.slice(0, ids.length - MAX_SESSIONS)) delete sessions[id];
  }
  writeFileAtomic(file, JSON.stringify({ version: 1, sessions }) + '\n');
  return true;
}
