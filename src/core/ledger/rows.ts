// Conversions between Turns and `requests` rows.
import type { ToolCall, Turn } from '../model';
import type { SqlValue } from 'sql.js';

export const REQUEST_COLUMNS = [
  'key', 'msg_id', 'request_id', 'session_id', 'agent_id', 'sidechain', 'progress', 'project_key', 'cwd', 'git_branch',
  'version', 'entrypoint', 'prompt_source', 'turn_origin', 'model', 'ts', 'input', 'output', 'cw5m', 'cw1h', 'cr',
  'web_search', 'web_fetch', 'speed', 'geo', 'tier', 'stop_reason', 'text_chars', 'tool_chars', 'thinking_chars',
  'tools', 'blocks', 'file_id', 'offset', 'cost_nanos', 'priced', 'long_ctx', 'price_flags',
] as const;

export interface PriceFields {
  costNanos: number;
  priced: boolean;
  longContext: boolean;
  /** Priced at a family's newest row (the model is not on the card). */
  estimated?: boolean;
  /** A fast request priced at standard rates (no fast rate on the card): the real price is higher. */
  lowerBound?: boolean;
}

/** Bits of the `price_flags` column. */
export const PRICE_FLAGS = { estimated: 1, lowerBound: 2 } as const;

export function priceFlagsOf(p: PriceFields): number {
  return (p.estimated ? PRICE_FLAGS.estimated : 0) | (p.lowerBound ? PRICE_FLAGS.lowerBound : 0);
}

function encodeTools(calls: ToolCall[]): string {
  return calls.map((c) => `${c.name}#${c.inputHash}`).join(',');
}

function decodeTools(s: string): ToolCall[] {
  if (!s) return [];
  return s.split(',').map((p) => {
    const i = p.lastIndexOf('#');
    return { id: '', name: p.slice(0, i), inputHash: p.slice(i + 1) };
  });
}

export function turnToRow(t: Turn, fileId: number, price: PriceFields): SqlValue[] {
  return [
    t.key, t.messageId, t.requestId, t.sessionId, t.agentId, t.isSidechain ? 1 : 0, t.fromProgress ? 1 : 0, t.projectKey, t.cwd, t.gitBranch,
    t.version, t.entrypoint, t.promptSource, t.turnOrigin, t.model, t.timestamp, t.input, t.output, t.cacheWrite5m, t.cacheWrite1h, t.cacheRead,
    t.webSearches, t.webFetches, t.speed, t.inferenceGeo, t.serviceTier, t.stopReason, t.textChars, t.toolInputChars, t.thinkingChars,
    encodeTools(t.toolCalls), t.blockIds.join(','), fileId, t.offset, price.costNanos, price.priced ? 1 : 0, price.longContext ? 1 : 0,
    priceFlagsOf(price),
  ];
}

export function rowToTurn(r: SqlValue[], filePath: string): Turn {
  const s = (i: number): string => String(r[i] ?? '');
  const n = (i: number): number => Number(r[i] ?? 0);
  return {
    key: s(0), messageId: s(1), requestId: s(2), sessionId: s(3), agentId: s(4), isSidechain: n(5) === 1, fromProgress: n(6) === 1,
    projectKey: s(7), cwd: s(8), gitBranch: s(9), version: s(10), entrypoint: s(11), promptSource: s(12), turnOrigin: s(13),
    model: s(14), timestamp: n(15), input: n(16), output: n(17), cacheWrite5m: n(18), cacheWrite1h: n(19), cacheRead: n(20),
    webSearches: n(21), webFetches: n(22), speed: s(23), inferenceGeo: s(24), serviceTier: s(25), stopReason: s(26),
    textChars: n(27), toolInputChars: n(28), thinkingChars: n(29), toolCalls: decodeTools(s(30)), blockIds: s(31) ? s(31).split(',') : [],
    file: filePath, offset: n(33),
  };
}
