// Reads what `claude -p` printed: the `--output-format json` result object (one line or pretty-printed) and the
// `stream-json` NDJSON events (system/init, assistant, user, stream_event, result). Streaming and bounded: only the
// current line (or one pretty-printed object) is held, never the whole run. Robust to what terminals and pipes do to
// output: escape sequences, \r\n, other text interleaved between lines (stderr, a shell's echo), a line cut short at
// the end, and a JSON line with foreign text written into its middle (recovered where the JSON itself is intact).
import { EscapeStripper } from './terminalText';

/** Token counts of a result's `usage` (the main loop) or of one assistant message. */
export interface TokenUsage {
  input: number;
  output: number;
  /** All cache writes (`cache_creation_input_tokens`). */
  cacheWrite: number;
  /** The 5m/1h split when Claude Code gave it (`cache_creation.ephemeral_*`); absent: unknown. */
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  cacheRead: number;
  webSearches: number;
  webFetches: number;
  /** "standard" | "fast" | "" */
  speed: string;
  /** "global" | "us" | "not_available" | "" */
  inferenceGeo: string;
}

/** One model's line of `modelUsage` (every model the run used, auxiliary ones too). */
export interface ModelUsageEntry {
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  webSearches: number;
  /** Claude Code's own estimate for this model. */
  costUsd: number | null;
  contextWindow: number | null;
}

/** The `result` event: what Claude Code says about the whole run. */
export interface RunResult {
  /** The result event's own `uuid` ("" when absent). */
  uuid: string;
  subtype: string;
  isError: boolean;
  sessionId: string;
  durationMs: number | null;
  durationApiMs: number | null;
  numTurns: number | null;
  /** Claude Code's own client-side estimate (`total_cost_usd`): reconcile, don't trust. */
  totalCostUsd: number | null;
  /** `list`, `managed`, `unknown` (later versions); null when absent. */
  costBasis: string | null;
  usage: TokenUsage | null;
  modelUsage: ModelUsageEntry[] | null;
  /** Epoch ms this parser saw the result (its run ended about then). */
  seenAt: number;
}

/** The `system/init` event of stream-json. */
export interface RunInit {
  sessionId: string;
  model: string;
  cwd: string;
  claudeCodeVersion: string;
  seenAt: number;
}

/** One assistant message of a stream, deduplicated on message id (the copy with the most tokens). */
export interface StreamMessage {
  messageId: string;
  model: string;
  usage: TokenUsage;
}

export type DetectedFormat = 'json' | 'stream-json' | 'text' | 'none';

export interface RunOutput {
  format: DetectedFormat;
  /** Every result seen, in order (a loop in one command line runs claude several times). */
  results: RunResult[];
  /** Every init seen, in order. */
  inits: RunInit[];
  /** Assistant messages per session id, for pricing a stream cut before its result. */
  messages: Map<string, StreamMessage[]>;
  /** Session id seen last in any event (result, init or message). */
  lastSessionId: string;
  /** Lines that looked like JSON events but could not be read. */
  malformed: number;
  /** Non-empty lines that are not JSON (text output, stderr, shell noise). */
  textLines: number;
  bytes: number;
  /** JSON events were seen but the last stream ended without its result (cut short, killed, crashed). */
  truncated: boolean;
}

/** A pretty-printed object larger than this is dropped (nothing Claude Code prints is near it). */
const MAX_PENDING_OBJECT = 16 * 1024 * 1024;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

export function readTokenUsage(raw: unknown): TokenUsage | null {
  const u = obj(raw);
  if (!u) return null;
  const out: TokenUsage = {
    input: num(u.input_tokens),
    output: num(u.output_tokens),
    cacheWrite: num(u.cache_creation_input_tokens),
    cacheRead: num(u.cache_read_input_tokens),
    webSearches: num(obj(u.server_tool_use)?.web_search_requests),
    webFetches: num(obj(u.server_tool_use)?.web_fetch_requests),
    speed: str(u.speed),
    inferenceGeo: str(u.inference_geo),
  };
  const split = obj(u.cache_creation);
  if (split && (typeof split.ephemeral_5m_input_tokens === 'number' || typeof split.ephemeral_1h_input_tokens === 'number')) {
    out.cacheWrite1h = num(split.ephemeral_1h_input_tokens);
    out.cacheWrite5m = Math.max(0, out.cacheWrite - out.cacheWrite1h);
  }
  return out;
}

export function readModelUsage(raw: unknown): ModelUsageEntry[] | null {
  const m = obj(raw);
  if (!m) return null;
  return Object.entries(m).map(([model, v]) => {
    const e = obj(v) ?? {};
    return {
      model,
      input: num(e.inputTokens),
      output: num(e.outputTokens),
      cacheRead: num(e.cacheReadInputTokens),
      cacheWrite: num(e.cacheCreationInputTokens),
      webSearches: num(e.webSearchRequests),
      costUsd: numOrNull(e.costUSD),
      contextWindow: numOrNull(e.contextWindow),
    };
  });
}

/** A `result` object (from `--output-format json` or the end of a stream) -> RunResult; undefined if it is not one. */
export function readResult(v: unknown, seenAt: number): RunResult | undefined {
  const r = obj(v);
  if (!r || r.type !== 'result') return undefined;
  return {
    uuid: str(r.uuid),
    subtype: str(r.subtype),
    isError: r.is_error === true,
    sessionId: str(r.session_id),
    durationMs: numOrNull(r.duration_ms),
    durationApiMs: numOrNull(r.duration_api_ms),
    numTurns: numOrNull(r.num_turns),
    totalCostUsd: numOrNull(r.total_cost_usd),
    costBasis: typeof r.costBasis === 'string' ? r.costBasis : typeof r.cost_basis === 'string' ? r.cost_basis : null,
    usage: readTokenUsage(r.usage),
    modelUsage: readModelUsage(r.modelUsage),
    seenAt,
  };
}

function usageWeight(u: TokenUsage): number {
  return u.input + u.output + u.cacheWrite + u.cacheRead;
}

/** Depth of `{`/`[` nesting after `text`, starting from `state` (string-aware); for pretty-printed objects. */
interface BraceState {
  depth: number;
  inString: boolean;
  escaped: boolean;
}

function scanBraces(text: string, s: BraceState): void {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (s.inString) {
      if (s.escaped) s.escaped = false;
      else if (c === '\\') s.escaped = true;
      else if (c === '"') s.inString = false;
    } else if (c === '"') s.inString = true;
    else if (c === '{' || c === '[') s.depth++;
    else if (c === '}' || c === ']') s.depth--;
  }
}

function tryParseObject(text: string): Record<string, unknown> | undefined {
  try {
    return obj(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Top-level event types of `claude -p` output. */
const EVENT_TYPES = new Set(['result', 'system', 'assistant', 'user', 'stream_event', 'rate_limit_event', 'control_request', 'control_response', 'tool_progress', 'auth_status']);

/**
 * A JSON line another writer cut in two (`{..."a":1` + `warning: x\n` + `,"b":2}\n`): the head (with the foreign text
 * at its end) and the next line. Inside a string the foreign text is just absorbed; elsewhere the parser's error
 * position says where it starts, and it is cut out.
 */
export function rejoin(head: string, next: string): Record<string, unknown> | undefined {
  const joined = head + next;
  try {
    return obj(JSON.parse(joined));
  } catch (err) {
    const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
    const at = m ? Number(m[1]) : -1;
    if (at <= 0 || at > head.length) return undefined;
    return tryParseObject(head.slice(0, at) + next);
  }
}

export interface RunOutputParserOptions {
  clock?: () => number;
  /** Called for every JSON event read (after it is folded into the summary). */
  onEvent?: (event: Record<string, unknown>) => void;
}

export class RunOutputParser {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly stripper = new EscapeStripper();
  private readonly clock: () => number;
  private line = '';
  /** A JSON line that did not parse, kept for one more line (see rejoin). */
  private broken: string | undefined;
  private pending: { text: string; braces: BraceState } | undefined;
  private readonly seen = new Map<string, StreamMessage>();
  private sawJson = false;
  private openStream = false;
  private readonly out: RunOutput = { format: 'none', results: [], inits: [], messages: new Map(), lastSessionId: '', malformed: 0, textLines: 0, bytes: 0, truncated: false };

  constructor(private readonly opts: RunOutputParserOptions = {}) {
    this.clock = opts.clock ?? Date.now;
  }

  /** Feeds output as it arrives: bytes (UTF-8, split anywhere) or text. */
  push(chunk: string | Uint8Array): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    this.out.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    const plain = this.stripper.push(text);
    let start = 0;
    for (;;) {
      const nl = plain.indexOf('\n', start);
      if (nl < 0) break;
      this.onLine(this.line + plain.slice(start, nl));
      this.line = '';
      start = nl + 1;
    }
    this.line += plain.slice(start);
  }

  /** The output ended: reads a last line without its newline and closes the summary. */
  end(): RunOutput {
    const tail = this.decoder.decode();
    if (tail) this.line += this.stripper.push(tail);
    if (this.line) this.onLine(this.line);
    this.line = '';
    if (this.broken !== undefined) {
      this.broken = undefined;
      this.out.malformed++;
    }
    if (this.pending) {
      const parsed = tryParseObject(this.pending.text);
      this.pending = undefined;
      if (parsed) this.onObject(parsed);
      else this.out.malformed++;
    }
    this.out.truncated = this.openStream || (this.sawJson && this.out.results.length === 0);
    return this.summary();
  }

  /** What has been read so far. */
  summary(): RunOutput {
    const messages = new Map<string, StreamMessage[]>();
    for (const [key, m] of this.seen) {
      const session = key.slice(0, key.indexOf('\u0000'));
      const list = messages.get(session) ?? [];
      list.push(m);
      messages.set(session, list);
    }
    let format: DetectedFormat = this.out.format;
    if (format === 'none' && this.out.textLines > 0) format = 'text';
    return { ...this.out, format, results: [...this.out.results], inits: [...this.out.inits], messages };
  }

  private onLine(raw: string): void {
    const line = raw.trim();
    if (this.pending) {
      this.onPendingLine(raw, line);
      return;
    }
    if (!line) return;
    if (this.broken !== undefined) {
      const broken = this.broken;
      this.broken = undefined;
      const alone = line.startsWith('{') ? tryParseObject(line) : undefined;
      const joined = alone ? undefined : rejoin(broken, line);
      if (joined) {
        this.onObject(joined);
        return;
      }
      this.out.malformed++;
    }
    if (line === '{') {
      this.pending = { text: line, braces: { depth: 1, inString: false, escaped: false } }; // pretty-printed object
      return;
    }
    if (line.startsWith('{')) {
      const parsed = tryParseObject(line);
      if (parsed) this.onObject(parsed);
      else if (!this.recoverEmbedded(line)) this.breakLine(line);
      return;
    }
    // Foreign text before an event on the same line (stderr written without a newline, a prompt): find the event.
    const at = line.indexOf('{"type"');
    if (at >= 0) {
      if (!this.recoverEmbedded(line)) this.breakLine(line.slice(at));
      return;
    }
    this.out.textLines++;
  }

  /** An event line that does not parse: maybe other output was written into it; the next line may complete it. */
  private breakLine(line: string): void {
    if (line.length > MAX_PENDING_OBJECT) this.out.malformed++;
    else this.broken = line;
  }

  private onPendingLine(raw: string, line: string): void {
    const pending = this.pending!;
    // A complete event on its own line while an object was pending: the pending one was cut short.
    if (line.startsWith('{') && line.endsWith('}')) {
      const alone = tryParseObject(line);
      if (alone && typeof alone.type === 'string') {
        this.pending = undefined;
        this.out.malformed++;
        this.onObject(alone);
        return;
      }
    }
    pending.text += '\n' + raw;
    scanBraces('\n' + raw, pending.braces);
    if (pending.braces.depth <= 0 && !pending.braces.inString) {
      const parsed = tryParseObject(pending.text);
      this.pending = undefined;
      if (parsed) this.onObject(parsed);
      else this.out.malformed++;
    } else if (pending.text.length > MAX_PENDING_OBJECT) {
      this.pending = undefined;
      this.out.malformed++;
    }
  }

  /** Reads every top-level event glued into one line (`{...}{...}`, or text then `{...}`), from the end back. */
  private recoverEmbedded(line: string): boolean {
    const parts: Record<string, unknown>[] = [];
    let end = line.length;
    let at = line.lastIndexOf('{"type"');
    while (at >= 0) {
      const parsed = tryParseObject(line.slice(at, end));
      // Content blocks are `{"type":"text",...}` too: only a known top-level event counts as recovered.
      if (parsed && EVENT_TYPES.has(str(parsed.type))) {
        parts.unshift(parsed);
        end = at;
      }
      at = at > 0 ? line.lastIndexOf('{"type"', at - 1) : -1;
    }
    if (!parts.length) return false;
    if (line.slice(0, end).trim().startsWith('{')) this.out.malformed++; // a cut event before the ones read
    for (const p of parts) this.onObject(p);
    return true;
  }

  private onObject(o: Record<string, unknown>): void {
    const type = str(o.type);
    if (!type) {
      this.out.textLines++;
      return;
    }
    this.sawJson = true;
    const now = this.clock();
    const sessionId = str(o.session_id);
    if (sessionId) this.out.lastSessionId = sessionId;
    if (type === 'result') {
      const result = readResult(o, now);
      if (result) {
        this.out.results.push(result);
        if (result.sessionId) this.out.lastSessionId = result.sessionId;
        if (this.out.format === 'none') this.out.format = 'json';
        this.openStream = false;
      }
    } else if (type === 'system' && o.subtype === 'init') {
      this.out.format = 'stream-json';
      this.openStream = true;
      this.out.inits.push({ sessionId, model: str(o.model), cwd: str(o.cwd), claudeCodeVersion: str(o.claude_code_version), seenAt: now });
    } else if (type === 'assistant') {
      this.out.format = 'stream-json';
      this.openStream = true;
      const message = obj(o.message);
      const usage = readTokenUsage(message?.usage);
      const id = str(message?.id);
      if (message && usage && id) {
        const key = `${sessionId}\u0000${id}`;
        const prev = this.seen.get(key);
        if (!prev || usageWeight(usage) > usageWeight(prev.usage)) this.seen.set(key, { messageId: id, model: str(message.model), usage });
      }
    } else if (type === 'user' || type === 'stream_event' || type === 'rate_limit_event' || type === 'system') {
      this.out.format = 'stream-json';
      this.openStream = true;
    }
    this.opts.onEvent?.(o);
  }
}

/** Parses a complete output in one go (tests, small captures). */
export function parseRunOutput(text: string | Uint8Array, opts: RunOutputParserOptions = {}): RunOutput {
  const p = new RunOutputParser(opts);
  p.push(text);
  return p.end();
}
