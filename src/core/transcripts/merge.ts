// Dedup rules for copies of one request (streamed lines, progress echoes, forks, re-reads).
import { HEADLESS_ENTRYPOINTS, type Turn } from '../model';

export function totalTokens(t: Turn): number {
  return t.input + t.output + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
}


/**
 * Which session made a request held by several sessions (a fork copies lines, keeping their
 * timestamps and ids): the earliest copy; on a tie, the interactive copy, since forking with
 * `-p` rewrites `cli` to `sdk-cli` — never charge interactive spend to the headless credit.
 */
function incomingOwnsSession(existing: Turn, incoming: Turn): boolean {
  if (incoming.timestamp && existing.timestamp && incoming.timestamp !== existing.timestamp) return incoming.timestamp < existing.timestamp;
  const eh = HEADLESS_ENTRYPOINTS.includes(existing.entrypoint);
  const ih = HEADLESS_ENTRYPOINTS.includes(incoming.entrypoint);
  if (eh !== ih) return eh;
  return false;
}

/** Merges a copy into the request it duplicates; both have the same key. */
export function mergeTurn(existing: Turn, incoming: Turn): Turn {
  // Usage: the copy with the most tokens (early stream copies carry a stale partial output).
  const better = totalTokens(incoming) > totalTokens(existing) ? incoming : existing;
  let owner = existing;
  if (incoming.sessionId !== existing.sessionId) {
    if (incomingOwnsSession(existing, incoming)) owner = incoming;
  } else if (existing.fromProgress && !incoming.fromProgress) {
    owner = incoming; // the subagent's own file beats the parent's echo for where it lives
  }
  const merged: Turn = {
    ...owner,
    input: better.input,
    output: better.output,
    cacheWrite5m: better.cacheWrite5m,
    cacheWrite1h: better.cacheWrite1h,
    cacheRead: better.cacheRead,
    webSearches: Math.max(existing.webSearches, incoming.webSearches),
    webFetches: Math.max(existing.webFetches, incoming.webFetches),
    speed: better.speed || existing.speed || incoming.speed,
    inferenceGeo: better.inferenceGeo || existing.inferenceGeo || incoming.inferenceGeo,
    serviceTier: better.serviceTier || existing.serviceTier || incoming.serviceTier,
    model: better.model || owner.model,
    stopReason: incoming.stopReason || existing.stopReason,
    fromProgress: existing.fromProgress && incoming.fromProgress,
    // Within a session, the instant of the copy whose usage is kept (as ccusage dates it: a session's first and
    // last activity, and the day of a request streamed across midnight, agree); across sessions, the owner's.
    timestamp: (incoming.sessionId === existing.sessionId ? better.timestamp : owner.timestamp) || existing.timestamp || incoming.timestamp,
  };
  // Content: each streamed line carries one block; sum each block once.
  const seen = new Set(existing.blockIds);
  const fresh = incoming.blockIds.filter((id) => !seen.has(id));
  if (fresh.length) {
    merged.blockIds = existing.blockIds.concat(fresh);
    const freshSet = new Set(fresh);
    // Sizes of the incoming blocks not seen before, by kind (block ids start with their kind letter).
    if (incoming.blockIds.every((id) => freshSet.has(id))) {
      merged.textChars = existing.textChars + incoming.textChars;
      merged.toolInputChars = existing.toolInputChars + incoming.toolInputChars;
      merged.thinkingChars = existing.thinkingChars + incoming.thinkingChars;
      merged.toolCalls = existing.toolCalls.concat(incoming.toolCalls);
    } else {
      merged.textChars = Math.max(existing.textChars, incoming.textChars);
      merged.toolInputChars = Math.max(existing.toolInputChars, incoming.toolInputChars);
      merged.thinkingChars = Math.max(existing.thinkingChars, incoming.thinkingChars);
      merged.toolCalls = existing.toolCalls.length >= incoming.toolCalls.length ? existing.toolCalls : incoming.toolCalls;
    }
  } else {
    merged.blockIds = existing.blockIds;
    merged.textChars = existing.textChars;
    merged.toolInputChars = existing.toolInputChars;
    merged.thinkingChars = existing.thinkingChars;
    merged.toolCalls = existing.toolCalls;
  }
  return merged;
}

/** A `/btw` side question replays a main-chain message as a sidechain line with a new requestId. */
export function isBtwReplay(candidate: Turn, other: Turn): boolean {
  return candidate.messageId === other.messageId && candidate.key !== other.key && candidate.isSidechain && !candidate.fromProgress && !candidate.agentId && !other.isSidechain;
}
