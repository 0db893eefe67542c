// Builders for transcript lines and config dirs (authored fixtures; no real transcripts copied).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PoolSettings } from '../../src/core/pool';

export interface UsageSpec {
  input?: number;
  output?: number;
  cacheWrite?: number;
  cacheRead?: number;
  write5m?: number;
  write1h?: number;
  webSearches?: number;
  speed?: string;
  geo?: string;
}

export interface AssistantSpec extends UsageSpec {
  sessionId?: string;
  messageId: string;
  requestId?: string | null;
  model?: string;
  timestamp?: string;
  isSidechain?: boolean;
  agentId?: string;
  entrypoint?: string;
  cwd?: string;
  version?: string;
  stopReason?: string | null;
  content?: unknown[];
  uuid?: string;
  isApiErrorMessage?: boolean;
}

let counter = 0;
export const uuid = (): string => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

export function usage(u: UsageSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    input_tokens: u.input ?? 0,
    cache_creation_input_tokens: u.cacheWrite ?? (u.write5m ?? 0) + (u.write1h ?? 0),
    cache_read_input_tokens: u.cacheRead ?? 0,
    output_tokens: u.output ?? 0,
    service_tier: 'standard',
  };
  if (u.write5m !== undefined || u.write1h !== undefined) out.cache_creation = { ephemeral_5m_input_tokens: u.write5m ?? 0, ephemeral_1h_input_tokens: u.write1h ?? 0 };
  if (u.webSearches) out.server_tool_use = { web_search_requests: u.webSearches, web_fetch_requests: 0 };
  if (u.speed) out.speed = u.speed;
  if (u.geo) out.inference_geo = u.geo;
  return out;
}

export function assistant(a: AssistantSpec): Record<string, unknown> {
  const line: Record<string, unknown> = {
    parentUuid: null,
    isSidechain: a.isSidechain ?? false,
    userType: 'external',
    cwd: a.cwd ?? '/home/dev/project',
    sessionId: a.sessionId ?? 'sess-1',
    version: a.version ?? '2.1.250',
    gitBranch: 'main',
    message: {
      model: a.model ?? 'claude-sonnet-4-5-20250929',
      id: a.messageId,
      type: 'message',
      role: 'assistant',
      content: a.content ?? [{ type: 'text', text: 'ok' }],
      stop_reason: a.stopReason === undefined ? 'end_turn' : a.stopReason,
      stop_sequence: null,
      usage: usage(a),
    },
    type: 'assistant',
    uuid: a.uuid ?? uuid(),
    timestamp: a.timestamp ?? '2026-11-20T10:00:00.000Z',
  };
  if (a.requestId !== null) line.requestId = a.requestId ?? `req_${a.messageId}`;
  if (a.agentId) line.agentId = a.agentId;
  if (a.entrypoint) line.entrypoint = a.entrypoint;
  if (a.isApiErrorMessage) line.isApiErrorMessage = true;
  return line;
}

export function user(text: string | unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    parentUuid: null,
    isSidechain: false,
    userType: 'external',
    cwd: '/home/dev/project',
    sessionId: 'sess-1',
    version: '2.1.250',
    gitBranch: 'main',
    type: 'user',
    message: { role: 'user', content: text },
    uuid: uuid(),
    timestamp: '2026-11-20T09:59:59.000Z',
    ...extra,
  };
}

export function queueOperation(sessionId = 'sess-1'): Record<string, unknown> {
  return { type: 'queue-operation', operation: 'dequeue', timestamp: '2026-11-20T09:59:58.000Z', sessionId };
}

/** Serializes lines as Claude Code does (compact), or with spaces after `:` and `,`. */
export function jsonl(lines: unknown[], spaced = false): string {
  return lines.map((l) => (spaced ? JSON.stringify(l).replace(/":/g, '": ').replace(/,"/g, ', "') : JSON.stringify(l))).join('\n') + '\n';
}

export function tempDir(prefix = 'cl-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A config dir with files at `projects/<relative>`. */
export function configDir(files: Record<string, string>): string {
  const root = tempDir('cl-config-');
  for (const [rel, content] of Object.entries(files)) writeProjectFile(root, rel, content);
  return root;
}

export function writeProjectFile(root: string, rel: string, content: string): string {
  const p = path.join(root, 'projects', rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

/** Pool settings for tests: Max 5x, headless, billed overage, cycle day 1, UTC, corrected basis. */
export function poolSettings(over: Partial<PoolSettings> = {}): PoolSettings {
  return { plan: 'max5x', scope: 'headless', overage: 'bill', cycleDay: 1, timezone: 'UTC', countUnclassified: false, basis: 'corrected', ...over };
}
