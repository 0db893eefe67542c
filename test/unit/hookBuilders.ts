// Builders for the hook's tests: transcripts whose last request has a chosen context size, hook and status-line
// stdin, balance snapshots and per-user folders. Authored data only (no real transcripts copied).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BalanceSnapshot } from '../../src/core/pool/snapshot';
import type { UserPaths } from '../../src/core/state/paths';
import { userPaths } from '../../src/core/state/paths';
import { assistant, jsonl, queueOperation, tempDir, user, type AssistantSpec } from './builders';

export const SONNET_45 = 'claude-sonnet-4-5-20250929';
export const OPUS_46 = 'claude-opus-4-6';
export const HAIKU_45 = 'claude-haiku-4-5-20251001';

let msg = 0;

/** An assistant line whose prompt (input + cache writes + cache reads) is `context` tokens: 10 input, 1,000 written, the rest read. */
export function contextTurn(context: number, spec: Partial<AssistantSpec> = {}, ttl: '5m' | '1h' = '5m'): Record<string, unknown> {
  const input = Math.min(10, context);
  const written = Math.min(1000, Math.max(0, context - input));
  return assistant({
    messageId: `msg_ctx_${++msg}`,
    input,
    cacheRead: Math.max(0, context - input - written),
    ...(ttl === '1h' ? { write5m: 0, write1h: written } : { cacheWrite: written }),
    output: 300,
    ...spec,
  });
}

export interface CompactSpec {
  preTokens?: number;
  postTokens?: number;
  timestamp?: string;
  sessionId?: string;
}

export function compactBoundary(c: CompactSpec = {}): Record<string, unknown> {
  const meta: Record<string, unknown> = { trigger: 'auto', preTokens: c.preTokens ?? 250_000 };
  if (c.postTokens !== undefined) meta.postTokens = c.postTokens;
  return {
    parentUuid: null,
    isSidechain: false,
    type: 'system',
    subtype: 'compact_boundary',
    content: 'Conversation compacted',
    sessionId: c.sessionId ?? 'sess-1',
    timestamp: c.timestamp ?? '2026-11-20T10:05:00.000Z',
    uuid: `compact-${++msg}`,
    level: 'info',
    compactMetadata: meta,
  };
}

/** A user line carrying a tool result of about `bytes` bytes (what fills transcripts between requests). */
export function bulkyToolResult(bytes: number, sessionId = 'sess-1'): Record<string, unknown> {
  return user([{ type: 'tool_result', tool_use_id: `toolu_${++msg}`, content: 'y'.repeat(Math.max(0, bytes)) }], { sessionId });
}

export function writeTranscript(lines: unknown[], dir = tempDir('cl-hook-'), name = 'sess-1.jsonl'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, jsonl(lines));
  return file;
}

/** A prompt of `tokens` tokens at 4 characters a token. */
export function promptOf(tokens: number): string {
  return 'x'.repeat(tokens * 4);
}

export interface HookInputSpec {
  event?: string;
  sessionId?: string;
  transcriptPath?: string;
  prompt?: string;
  source?: string;
  contextTokens?: number;
  expired?: boolean;
  estimatedUsd?: number;
  secondsSince?: number;
  model?: string;
}

export function hookInput(h: HookInputSpec = {}): string {
  const o: Record<string, unknown> = {
    session_id: h.sessionId ?? 'sess-1',
    transcript_path: h.transcriptPath ?? '/nonexistent/sess-1.jsonl',
    cwd: '/home/dev/project',
    permission_mode: 'default',
    hook_event_name: h.event ?? 'UserPromptSubmit',
  };
  if (h.prompt !== undefined) o.prompt = h.prompt;
  if (h.source !== undefined) o.source = h.source;
  if (h.contextTokens !== undefined) o.context_tokens = h.contextTokens;
  if (h.expired !== undefined) o.prompt_cache_likely_expired = h.expired;
  if (h.estimatedUsd !== undefined) o.estimated_cache_write_usd = h.estimatedUsd;
  if (h.secondsSince !== undefined) o.seconds_since_last_response = h.secondsSince;
  if (h.model !== undefined) o.model = h.model;
  return JSON.stringify(o);
}

export function statusLineInput(s: { sessionId?: string; transcriptPath?: string; model?: string; costUsd?: number } = {}): string {
  return JSON.stringify({
    session_id: s.sessionId ?? 'sess-1',
    transcript_path: s.transcriptPath ?? '/nonexistent/sess-1.jsonl',
    cwd: '/home/dev/project',
    model: { id: s.model ?? SONNET_45, display_name: 'Sonnet 4.5' },
    workspace: { current_dir: '/home/dev/project', project_dir: '/home/dev/project' },
    version: '2.1.300',
    cost: s.costUsd === undefined ? {} : { total_cost_usd: s.costUsd, total_duration_ms: 1000 },
    exceeds_200k_tokens: false,
  });
}

export interface SnapshotSpec {
  plan?: BalanceSnapshot['plan'];
  planLabel?: string;
  remainingUsd?: number | null;
  allotmentUsd?: number;
  overage?: 'bill' | 'stop';
  scope?: 'headless' | 'all';
  stampedAt?: string;
  cycleStart?: string;
  cycleEnd?: string;
}

export function snapshot(s: SnapshotSpec = {}): BalanceSnapshot {
  const allot = Math.round((s.allotmentUsd ?? 100) * 1e9);
  const remaining = s.remainingUsd === null ? null : Math.round((s.remainingUsd ?? 63.2) * 1e9);
  return {
    version: 1,
    stampedAt: s.stampedAt ?? '2026-11-20T09:00:00.000Z',
    basis: 'corrected',
    plan: s.plan === undefined ? 'max5x' : s.plan,
    planLabel: s.planLabel ?? 'Max 5x',
    scope: s.scope ?? 'headless',
    overage: s.overage ?? 'stop',
    configDirs: ['/home/dev/.claude'],
    timezone: 'UTC',
    cycle: { start: s.cycleStart ?? '2026-11-01T00:00:00.000Z', end: s.cycleEnd ?? '2026-12-01T00:00:00.000Z', label: '2026-11-01 – 2026-11-30', daysLeft: 10 },
    allotmentNanos: allot,
    spentNanos: remaining === null ? 0 : Math.max(0, allot - remaining),
    spentTodayNanos: 0,
    remainingNanos: remaining,
    remainingIsUpperBound: false,
    unpricedCount: 0,
    overageNanos: remaining !== null && remaining <= 0 ? 5e9 : 0,
    exhaustedAt: remaining !== null && remaining <= 0 ? '2026-11-19T00:00:00.000Z' : null,
    liveSessions: [],
  };
}

/** A fresh per-user folder (CREDIT_LEDGER_HOME), optionally with a snapshot and settings. */
export function userHome(opts: { snapshot?: BalanceSnapshot; settings?: Record<string, unknown> } = {}): { home: string; paths: UserPaths } {
  const home = tempDir('cl-hook-home-');
  const paths = userPaths({ CREDIT_LEDGER_HOME: home });
  if (opts.snapshot) fs.writeFileSync(paths.snapshot, JSON.stringify(opts.snapshot));
  if (opts.settings) fs.writeFileSync(paths.settings, JSON.stringify(opts.settings));
  return { home, paths };
}

/**
 * Writes a transcript of about `bytes` bytes: bulky tool results between requests of growing context, ending with a
 * request of `lastContext` tokens (and `tailLines` after it). Written in pieces, so 100 MB never sits in memory twice.
 */
export function bigTranscript(file: string, bytes: number, lastContext: number, opts: { model?: string; headless?: boolean; timestamp?: string } = {}): void {
  const fd = fs.openSync(file, 'w');
  try {
    if (opts.headless) fs.writeSync(fd, jsonl([queueOperation()]));
    let written = 0;
    let ctx = 20_000;
    const filler = jsonl([bulkyToolResult(200_000)]);
    while (written + filler.length < bytes - 4096) {
      const turn = jsonl([contextTurn(ctx, { model: opts.model ?? SONNET_45, timestamp: opts.timestamp })]);
      fs.writeSync(fd, turn);
      fs.writeSync(fd, filler);
      written += turn.length + filler.length;
      ctx = Math.min(ctx + 500, lastContext - 1);
    }
    fs.writeSync(fd, jsonl([contextTurn(lastContext, { model: opts.model ?? SONNET_45, timestamp: opts.timestamp }), user('thanks')]));
  } finally {
    fs.closeSync(fd);
  }
}
