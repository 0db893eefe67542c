// Turns transcript lines into Turns, TranscriptEvents and session facts (FACTS.md rules).
// Small lines are parsed whole; large lines (tool results are most of the bytes) are parsed
// only when a structural key we need occurs in them: inside JSON strings every quote is
// escaped, so a raw `"usage"` can only be a key (or the bare string value "usage").
import type { ToolCall, TranscriptEvent, Turn } from '../model';
import { fnv1a, shortHash } from './hash';
import { DEFAULT_REQUEST_LIMIT, usageProblem, type RequestLimits } from './plausibility';

const MAX_TOKENS = 1e9;
const LOOP_TOOLS = new Set(['ScheduleWakeup', 'CronCreate', 'CronList', 'CronDelete']);
const TASK_TOOLS = new Set(['Task', 'Agent']);

/** What a file's reader carries from one line (and one ingest) to the next. */
export interface FileParseState {
  linesSeen: number;
  firstType: string;
  lastPromptSource: string;
  lastTurnOrigin: string;
  firstPromptDone: boolean;
  /** Recent tool calls of this file: tool_use id -> [name, inputHash] (bounded). */
  recentCalls: Record<string, [string, string]>;
  callsSinceTrim: number;
  /** The last read reached the end of the file (only an unterminated line, if anything, is left). */
  readToEnd: boolean;
  /** Request keys already read in this ingest (not persisted): lets progress echoes be skipped early. */
  knownKeys?: { has(key: string): boolean };
}

export function newFileParseState(): FileParseState {
  return { linesSeen: 0, firstType: '', lastPromptSource: '', lastTurnOrigin: '', firstPromptDone: false, recentCalls: {}, callsSinceTrim: 0, readToEnd: false };
}

export interface FileContext {
  /** Path relative to its config dir's projects/ folder (stable identity in the ledger). */
  file: string;
  projectKey: string;
  /** Subagent id from the file name (`agent-<id>.jsonl`), or "". */
  fileAgentId: string;
  allowLabels: boolean;
  /** What one request can carry, by model (the rate card's windows); default: DEFAULT_REQUEST_LIMIT for every model. */
  limits?: RequestLimits;
}

const NO_WINDOWS: RequestLimits = { byModel: {}, fallback: DEFAULT_REQUEST_LIMIT };

export interface SessionObservation {
  sessionId: string;
  projectKey: string;
  cwd: string;
  entrypoint: string;
  /** From this file's first line being a queue-operation (only main session files). */
  queueOperationStart: boolean;
  firstPromptHash: string;
  firstPromptLabel: string;
  firstTimestamp: number;
  lastTimestamp: number;
}

export interface ParseSink {
  turn(t: Turn): void;
  event(e: TranscriptEvent): void;
  session(s: SessionObservation): void;
  malformed(reason: string): void;
}

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function tokens(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return 0;
  return Math.min(Math.floor(v), MAX_TOKENS);
}
function parseTime(v: unknown): number {
  if (typeof v !== 'string') return 0;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : 0;
}

const Q = 0x22;

/** Finds `"key"` followed by optional spaces and `:` in a buffer; returns the index after the colon or -1. */
function findKey(buf: Buffer, key: string, from = 0): number {
  const needle = `"${key}"`;
  let i = buf.indexOf(needle, from, 'latin1');
  while (i >= 0) {
    let j = i + needle.length;
    while (j < buf.length && (buf[j] === 0x20 || buf[j] === 0x09)) j++;
    if (buf[j] === 0x3a) return j + 1;
    i = buf.indexOf(needle, i + 1, 'latin1');
  }
  return -1;
}

/** Reads a short string value (no escapes needed for ids and enums) after a key's colon. */
function stringAfter(buf: Buffer, pos: number): string {
  let j = pos;
  while (j < buf.length && (buf[j] === 0x20 || buf[j] === 0x09)) j++;
  if (buf[j] !== Q) return '';
  const end = buf.indexOf(Q, j + 1);
  if (end < 0 || end - j > 256) return '';
  return buf.toString('utf8', j + 1, end);
}

function hasTrueAfter(buf: Buffer, key: string): boolean {
  let pos = findKey(buf, key);
  while (pos >= 0) {
    let j = pos;
    while (j < buf.length && (buf[j] === 0x20 || buf[j] === 0x09)) j++;
    if (buf[j] === 0x74 /* t */) return true;
    pos = findKey(buf, key, pos);
  }
  return false;
}

/** Lines up to this size may carry prompts, compactions and cost-state; larger ones are tool output. */
const SMALL_LINE = 4096;

/** Parses one complete line (without its newline) at `offset` of the file. */
export function parseLine(buf: Buffer, offset: number, ctx: FileContext, state: FileParseState, sink: ParseSink): void {
  state.linesSeen++;
  if (buf.length === 0) return;
  if (!needsFullParse(buf, state)) {
    // Not parsed, but a line that cannot be a JSON object is still counted as malformed.
    if (!looksLikeObject(buf)) {
      if (buf.toString('latin1').trim() !== '') sink.malformed('not a JSON object');
      return;
    }
    scanSkippedLine(buf, state);
    return;
  }
  let obj: unknown;
  try {
    obj = JSON.parse(buf.toString('utf8'));
  } catch {
    if (buf.toString('latin1').trim() === '') return;
    sink.malformed('not JSON');
    return;
  }
  if (!isObj(obj)) {
    sink.malformed('not an object');
    return;
  }
  if (obj.type === 'progress' && state.knownKeys && isKnownEcho(obj, state.knownKeys)) return;
  handleObject(obj, buf, offset, ctx, state, sink);
}

/**
 * Whether a line may hold anything we count or keep. Most bytes are tool results in user
 * lines: those are only scanned for a few structural keys, never decoded or parsed.
 */
function needsFullParse(buf: Buffer, state: FileParseState): boolean {
  if (state.linesSeen === 1) return true;
  if (findKey(buf, 'usage') >= 0) return true; // requests, progress echoes, Task results
  if (hasTrueAfter(buf, 'is_error')) return true;
  if (buf.length > SMALL_LINE) return false;
  if (buf.indexOf('compact_boundary', 0, 'latin1') >= 0) return true;
  if (buf.indexOf('"cost-state"', 0, 'latin1') >= 0) return true;
  if (buf.indexOf('<command-name>/loop', 0, 'latin1') >= 0) return true;
  if (!state.firstPromptDone && buf.indexOf('"user"', 0, 'latin1') >= 0) return true;
  // Session facts (cwd, entrypoint, first/last activity) come from request lines and prompts.
  return false;
}

function looksLikeObject(buf: Buffer): boolean {
  let i = 0;
  let j = buf.length - 1;
  while (i < j && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  while (j > i && (buf[j] === 0x20 || buf[j] === 0x09)) j--;
  return buf[i] === 0x7b && buf[j] === 0x7d;
}

/** What a skipped line still tells: the prompt source of the turn it starts. */
function scanSkippedLine(buf: Buffer, state: FileParseState): void {
  const ps = findKey(buf, 'promptSource');
  if (ps >= 0) state.lastPromptSource = stringAfter(buf, ps);
  const to = findKey(buf, 'turnOrigin');
  if (to >= 0) state.lastTurnOrigin = stringAfter(buf, to);
}

/** A parent-file echo of a subagent request already read from the subagent's own file adds nothing. */
function isKnownEcho(o: Json, known: { has(key: string): boolean }): boolean {
  const data = isObj(o.data) ? o.data : undefined;
  const inner = data && isObj(data.message) ? data.message : undefined;
  const message = inner && isObj(inner.message) ? inner.message : undefined;
  if (!inner || !message || typeof message.id !== 'string') return false;
  const requestId = str(inner.requestId);
  return known.has(requestId ? `${message.id}:${requestId}` : message.id);
}

function handleObject(o: Json, raw: Buffer, offset: number, ctx: FileContext, state: FileParseState, sink: ParseSink): void {
  const type = str(o.type);
  if (!state.firstType) state.firstType = type || '?';
  switch (type) {
    case 'assistant':
      handleAssistant(o, offset, ctx, state, sink, false);
      break;
    case 'user':
      handleUser(o, raw, offset, ctx, state, sink);
      break;
    case 'progress':
      handleProgress(o, offset, ctx, state, sink);
      break;
    case 'system':
      if (o.subtype === 'compact_boundary') {
        const m = isObj(o.compactMetadata) ? o.compactMetadata : {};
        sink.event({
          id: `compact:${str(o.uuid) || shortHash(raw.toString('latin1'), 16)}`,
          kind: 'compact',
          sessionId: str(o.sessionId),
          agentId: str(o.agentId) || ctx.fileAgentId,
          timestamp: parseTime(o.timestamp),
          file: ctx.file,
          offset,
          data: { trigger: str(m.trigger), preTokens: tokens(m.preTokens), postTokens: tokens(m.postTokens) },
        });
      }
      break;
    case 'cost-state':
      handleCostState(o, raw, offset, ctx, sink);
      break;
    default:
      break;
  }
  if (type === 'queue-operation' || type === 'user' || type === 'assistant') observeSession(o, ctx, state, sink, type);
}

function observeSession(o: Json, ctx: FileContext, state: FileParseState, sink: ParseSink, type: string): void {
  const sessionId = str(o.sessionId);
  if (!sessionId || ctx.fileAgentId || o.isSidechain === true) return;
  const ts = parseTime(o.timestamp);
  sink.session({
    sessionId,
    projectKey: ctx.projectKey,
    cwd: str(o.cwd),
    entrypoint: str(o.entrypoint),
    queueOperationStart: state.firstType === 'queue-operation',
    firstPromptHash: '',
    firstPromptLabel: '',
    firstTimestamp: ts,
    lastTimestamp: ts,
  });
}

function contentBlocks(message: Json): unknown[] {
  return Array.isArray(message.content) ? message.content : typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : [];
}

function handleAssistant(o: Json, offset: number, ctx: FileContext, state: FileParseState, sink: ParseSink, fromProgress: boolean): void {
  const message = isObj(o.message) ? o.message : undefined;
  if (!message) return;
  const model = str(message.model);
  const usage = isObj(message.usage) ? message.usage : undefined;
  const blocks = contentBlocks(message);
  // Tool calls are remembered (for the errors that answer them) even on lines we do not count.
  const toolCalls: ToolCall[] = [];
  const blockIds: string[] = [];
  let textChars = 0;
  let toolInputChars = 0;
  let thinkingChars = 0;
  const loopTools: ToolCall[] = [];
  for (const b of blocks) {
    if (!isObj(b)) continue;
    if (b.type === 'text') {
      const t = str(b.text);
      textChars += t.length;
      blockIds.push(`x${t.length}.${fnv1a(t.slice(0, 64) + t.slice(-64))}`);
    } else if (b.type === 'thinking' || b.type === 'redacted_thinking') {
      const t = str(b.thinking) || str(b.data);
      thinkingChars += t.length;
      blockIds.push(`k${t.length}.${fnv1a(t.slice(0, 64) + str(b.signature).slice(0, 32))}`);
    } else if (b.type === 'tool_use' || b.type === 'server_tool_use') {
      const input = JSON.stringify(b.input ?? {});
      const id = str(b.id);
      const call: ToolCall = { id, name: str(b.name), inputHash: shortHash(input) };
      toolInputChars += input.length;
      toolCalls.push(call);
      blockIds.push(`u${id || fnv1a(input)}`);
      rememberCall(state, call);
      if (LOOP_TOOLS.has(call.name)) loopTools.push(call);
    }
  }
  if (!usage || model === '<synthetic>' || o.isApiErrorMessage === true) return;
  const messageId = str(message.id);
  if (!messageId) {
    sink.malformed('assistant line without message.id');
    return;
  }
  const rejected = usageProblem(usage, model, ctx.limits ?? NO_WINDOWS);
  if (rejected) {
    sink.malformed(rejected); // not a request: counted and reported, never clamped and priced
    return;
  }
  const requestId = str(o.requestId);
  const cacheCreation = isObj(usage.cache_creation) ? usage.cache_creation : undefined;
  const totalWrite = tokens(usage.cache_creation_input_tokens);
  let write5m = totalWrite;
  let write1h = 0;
  if (cacheCreation) {
    const w5 = tokens(cacheCreation.ephemeral_5m_input_tokens);
    const w1 = tokens(cacheCreation.ephemeral_1h_input_tokens);
    if (w5 + w1 > 0) {
      write1h = w1;
      write5m = Math.max(totalWrite - w1, w5);
    }
  }
  const serverTools = isObj(usage.server_tool_use) ? usage.server_tool_use : {};
  const timestamp = parseTime(o.timestamp);
  const sessionId = str(o.sessionId);
  const agentId = str(o.agentId) || ctx.fileAgentId;
  const turn: Turn = {
    key: requestId ? `${messageId}:${requestId}` : messageId,
    messageId,
    requestId,
    sessionId,
    agentId,
    isSidechain: o.isSidechain === true || fromProgress,
    projectKey: ctx.projectKey,
    cwd: str(o.cwd),
    gitBranch: str(o.gitBranch),
    version: str(o.version),
    entrypoint: str(o.entrypoint),
    promptSource: state.lastPromptSource,
    turnOrigin: state.lastTurnOrigin,
    model,
    timestamp,
    input: tokens(usage.input_tokens),
    output: tokens(usage.output_tokens),
    cacheWrite5m: write5m,
    cacheWrite1h: write1h,
    cacheRead: tokens(usage.cache_read_input_tokens),
    webSearches: tokens(serverTools.web_search_requests),
    webFetches: tokens(serverTools.web_fetch_requests),
    speed: str(usage.speed),
    inferenceGeo: str(usage.inference_geo),
    serviceTier: str(usage.service_tier),
    stopReason: str(message.stop_reason),
    textChars,
    toolInputChars,
    thinkingChars,
    toolCalls,
    blockIds,
    file: ctx.file,
    offset,
    fromProgress,
  };
  sink.turn(turn);
  for (const call of loopTools) {
    sink.event({
      id: `loop:${call.id || `${turn.key}:${call.name}`}`,
      kind: 'loop-marker',
      sessionId,
      agentId,
      timestamp,
      file: ctx.file,
      offset,
      data: { marker: call.name, inputHash: call.inputHash, requestKey: turn.key },
    });
  }
}

const RECENT_CALLS = 256;

function rememberCall(state: FileParseState, call: ToolCall): void {
  if (!call.id) return;
  const calls = state.recentCalls;
  calls[call.id] = [call.name, call.inputHash];
  // Trim in bulk, rarely: errors answer calls made moments before.
  if (++state.callsSinceTrim > RECENT_CALLS) {
    state.callsSinceTrim = 0;
    const keys = Object.keys(calls);
    for (const k of keys.slice(0, Math.max(0, keys.length - RECENT_CALLS))) delete calls[k];
  }
}

function promptText(message: Json): string | undefined {
  if (typeof message.content === 'string') return message.content;
  if (!Array.isArray(message.content)) return undefined;
  const texts: string[] = [];
  for (const b of message.content) {
    if (!isObj(b)) continue;
    if (b.type === 'tool_result') return undefined;
    if (b.type === 'text') texts.push(str(b.text));
  }
  return texts.length ? texts.join('\n') : undefined;
}

function handleUser(o: Json, raw: Buffer, offset: number, ctx: FileContext, state: FileParseState, sink: ParseSink): void {
  const message = isObj(o.message) ? o.message : {};
  const sessionId = str(o.sessionId);
  const agentId = str(o.agentId) || ctx.fileAgentId;
  const timestamp = parseTime(o.timestamp);
  if (typeof o.promptSource === 'string') state.lastPromptSource = o.promptSource;
  if (typeof o.turnOrigin === 'string') state.lastTurnOrigin = o.turnOrigin;
  const text = promptText(message);
  if (text !== undefined && o.isMeta !== true) {
    if (text.includes('<command-name>/loop')) {
      sink.event({ id: `loop:${str(o.uuid) || shortHash(raw.toString('latin1'), 16)}`, kind: 'loop-marker', sessionId, agentId, timestamp, file: ctx.file, offset, data: { marker: '/loop' } });
    }
    if (!state.firstPromptDone && !ctx.fileAgentId && o.isSidechain !== true && sessionId && !isHousekeeping(text)) {
      state.firstPromptDone = true;
      const normalized = text.replace(/\s+/g, ' ').trim();
      sink.session({
        sessionId,
        projectKey: ctx.projectKey,
        cwd: str(o.cwd),
        entrypoint: str(o.entrypoint),
        queueOperationStart: state.firstType === 'queue-operation',
        firstPromptHash: shortHash(normalized, 16),
        firstPromptLabel: ctx.allowLabels ? normalized.slice(0, 80) : '',
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
      });
    }
  }
  if (Array.isArray(message.content)) {
    for (const b of message.content) {
      if (!isObj(b) || b.type !== 'tool_result' || b.is_error !== true) continue;
      const toolUseId = str(b.tool_use_id);
      const call = state.recentCalls[toolUseId];
      sink.event({
        id: `err:${toolUseId || shortHash(raw.toString('latin1'), 16)}`,
        kind: 'tool-error',
        sessionId,
        agentId,
        timestamp,
        file: ctx.file,
        offset,
        data: { toolUseId, tool: call ? call[0] : '', inputHash: call ? call[1] : '' },
      });
    }
  }
  const result = o.toolUseResult;
  if (isObj(result) && typeof result.agentId === 'string' && isObj(result.usage)) {
    const u = result.usage;
    const toolUseId = Array.isArray(message.content) ? str((message.content.find((b) => isObj(b) && b.type === 'tool_result') as Json | undefined)?.tool_use_id) : '';
    const call = state.recentCalls[toolUseId];
    if (!call || TASK_TOOLS.has(call[0])) {
      sink.event({
        id: `task:${result.agentId}:${toolUseId}`,
        kind: 'task-result',
        sessionId,
        agentId,
        timestamp,
        file: ctx.file,
        offset,
        data: {
          subagentId: result.agentId,
          toolUseId,
          status: str(result.status),
          totalTokens: tokens(result.totalTokens),
          totalDurationMs: tokens(result.totalDurationMs),
          totalToolUseCount: tokens(result.totalToolUseCount),
          usage: {
            input: tokens(u.input_tokens),
            output: tokens(u.output_tokens),
            cacheWrite: tokens(u.cache_creation_input_tokens),
            cacheRead: tokens(u.cache_read_input_tokens),
          },
        },
      });
    }
  }
}

/** Command output and caveats are written as user lines but are not the user's prompt. */
function isHousekeeping(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith('<local-command') || t.startsWith('Caveat:') || t.startsWith('<command-name>') || t.startsWith('<system-reminder>');
}

function handleProgress(o: Json, offset: number, ctx: FileContext, state: FileParseState, sink: ParseSink): void {
  const data = isObj(o.data) ? o.data : undefined;
  if (!data || !isObj(data.message)) return;
  const inner = data.message;
  if (inner.type !== 'assistant') return;
  // The echo carries the subagent's own line: count it as a sidechain copy, through the dedup.
  const echoed: Json = {
    ...inner,
    sessionId: str(inner.sessionId) || str(o.sessionId),
    agentId: str(inner.agentId) || str(data.agentId),
    timestamp: inner.timestamp ?? o.timestamp,
    cwd: inner.cwd ?? o.cwd,
    version: inner.version ?? o.version,
    gitBranch: inner.gitBranch ?? o.gitBranch,
    entrypoint: inner.entrypoint ?? o.entrypoint,
    isSidechain: true,
  };
  const saved = { ...state };
  handleAssistant(echoed, offset, ctx, state, sink, true);
  state.lastPromptSource = saved.lastPromptSource;
  state.lastTurnOrigin = saved.lastTurnOrigin;
}

function handleCostState(o: Json, raw: Buffer, offset: number, ctx: FileContext, sink: ParseSink): void {
  const modelUsage = isObj(o.modelUsage) ? o.modelUsage : {};
  const models: Record<string, Record<string, number>> = {};
  for (const [model, v] of Object.entries(modelUsage)) {
    if (!isObj(v)) continue;
    models[model] = {
      input: tokens(v.inputTokens),
      output: tokens(v.outputTokens),
      thinking: tokens(v.thinkingTokens),
      cacheRead: tokens(v.cacheReadInputTokens),
      cacheWrite: tokens(v.cacheCreationInputTokens),
      webSearches: tokens(v.webSearchRequests),
      costUSD: typeof v.costUSD === 'number' && Number.isFinite(v.costUSD) ? v.costUSD : 0,
    };
  }
  sink.event({
    id: `cost:${shortHash(raw.toString('latin1'), 20)}`,
    kind: 'cost-state',
    sessionId: str(o.sessionId),
    agentId: '',
    timestamp: parseTime(o.timestamp),
    file: ctx.file,
    offset,
    data: {
      totalCostUSD: typeof o.totalCostUSD === 'number' ? o.totalCostUSD : 0,
      startTime: o.startTime ?? null,
      hasUnknownModelCost: o.hasUnknownModelCost === true,
      modelUsage: models,
    },
  });
}
