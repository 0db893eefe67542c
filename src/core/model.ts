// Domain records shared by the engine, the pool, the audit, the CLI and the extension.

/** `entrypoint` values of the surfaces the announced credit covers (`claude -p`, the Agent SDKs). */
export const HEADLESS_ENTRYPOINTS: readonly string[] = ['sdk-cli', 'sdk-ts', 'sdk-py'];

/** Token buckets of one request, as the transcript recorded them. */
export interface TokenCounts {
  input: number;
  output: number;
  /** Cache writes billed at the 5-minute rate (includes writes with no 5m/1h split). */
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

/** The attributes of one request that decide its list price. */
export interface PriceableUsage extends TokenCounts {
  model: string;
  /** Epoch milliseconds; the rate card is dated, so time decides the price. */
  timestamp: number;
  webSearches: number;
  /** "standard" | "fast" | "" */
  speed: string;
  /** "global" | "us" | "not_available" | "" */
  inferenceGeo: string;
}

/** One billed API request (a Turn), deduplicated across streamed copies, files and ingests. */
export interface Turn extends PriceableUsage {
  /** Dedup key: `${messageId}:${requestId}` or `${messageId}` when requestId is missing. */
  key: string;
  messageId: string;
  requestId: string;
  sessionId: string;
  /** Subagent id when the request was made by a subagent ("" otherwise). */
  agentId: string;
  isSidechain: boolean;
  /** Folder name under projects/ (the encoded cwd). */
  projectKey: string;
  cwd: string;
  gitBranch: string;
  version: string;
  /** The transcript's `entrypoint`, or "" when the version does not write one. */
  entrypoint: string;
  /** `promptSource` / `turnOrigin` of the user line this request answers. */
  promptSource: string;
  turnOrigin: string;
  webFetches: number;
  serviceTier: string;
  stopReason: string;
  /** Characters of content by kind, summed over the request's streamed copies. */
  textChars: number;
  toolInputChars: number;
  thinkingChars: number;
  /** Privacy-safe fingerprint of tool calls: `name#hash` per call, in order (never the input text). */
  toolCalls: ToolCall[];
  /** Content blocks already counted (so copies seen twice are not summed twice). */
  blockIds: string[];
  file: string;
  offset: number;
  /** A progress-embedded copy (parent file echo of a subagent message). */
  fromProgress: boolean;
}

export interface ToolCall {
  id: string;
  name: string;
  /** Short hash of the tool input JSON (never the input itself). */
  inputHash: string;
}

export type EventKind = 'task-result' | 'cost-state' | 'compact' | 'tool-error' | 'loop-marker';

/** Non-request facts a transcript holds that later features need (stored as their own rows). */
export interface TranscriptEvent {
  /** Unique and stable across re-reads (used as the primary key). */
  id: string;
  kind: EventKind;
  sessionId: string;
  agentId: string;
  /** Epoch ms; 0 when the line has no timestamp (cost-state). */
  timestamp: number;
  file: string;
  offset: number;
  data: Record<string, unknown>;
}
