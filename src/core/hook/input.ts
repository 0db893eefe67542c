// What Claude Code writes on the stdin of a hook command and of the status-line command (FACTS.md "Hooks").
// Anything may arrive (older and newer versions, hand-run tests): every field is checked, none is required.

export interface HookInput {
  hookEventName: string;
  sessionId: string;
  transcriptPath: string;
  cwd: string;
  /** UserPromptSubmit: the prompt as typed (commands unexpanded). */
  prompt: string | null;
  /** SessionStart: startup, resume, clear, compact, fork. */
  source: string | null;
  /** SessionStart (some versions): the model id. */
  model: string;
  /** SessionStart on resume and fork (2.1.270+). */
  contextTokens: number | null;
  promptCacheLikelyExpired: boolean | null;
  estimatedCacheWriteUsd: number | null;
  secondsSinceLastResponse: number | null;
}

export interface StatusLineInput {
  sessionId: string;
  transcriptPath: string;
  modelId: string;
  modelName: string;
  /** Claude Code's own estimate of the session's cost (not a bill). */
  totalCostUsd: number | null;
  /** context_window.current_usage (input + cache writes + cache reads) when the version gives it. */
  currentContextTokens: number | null;
  contextWindowSize: number | null;
  exceeds200k: boolean | null;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
const boolOrNull = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

function parseObject(text: string): Json | null {
  try {
    const v = JSON.parse(text) as unknown;
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

function modelOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isObj(v)) return str(v.id) || str(v.model);
  return '';
}

/** null when stdin is not a JSON object (malformed, empty, a hand-run test). */
export function parseHookInput(text: string): HookInput | null {
  const o = parseObject(text);
  if (!o) return null;
  return {
    hookEventName: str(o.hook_event_name),
    sessionId: str(o.session_id),
    transcriptPath: str(o.transcript_path),
    cwd: str(o.cwd),
    prompt: typeof o.prompt === 'string' ? o.prompt : null,
    source: typeof o.source === 'string' ? o.source : null,
    model: modelOf(o.model),
    contextTokens: num(o.context_tokens),
    promptCacheLikelyExpired: boolOrNull(o.prompt_cache_likely_expired),
    estimatedCacheWriteUsd: num(o.estimated_cache_write_usd),
    secondsSinceLastResponse: num(o.seconds_since_last_response),
  };
}

export function parseStatusLineInput(text: string): StatusLineInput | null {
  const o = parseObject(text);
  if (!o) return null;
  const model = isObj(o.model) ? o.model : {};
  const cost = isObj(o.cost) ? o.cost : {};
  const cw = isObj(o.context_window) ? o.context_window : {};
  let current: number | null = null;
  if (isObj(cw.current_usage)) {
    const u = cw.current_usage;
    current = (num(u.input_tokens) ?? 0) + (num(u.cache_creation_input_tokens) ?? 0) + (num(u.cache_read_input_tokens) ?? 0);
  }
  return {
    sessionId: str(o.session_id),
    transcriptPath: str(o.transcript_path),
    modelId: typeof o.model === 'string' ? o.model : str(model.id),
    modelName: str(model.display_name),
    totalCostUsd: num(cost.total_cost_usd),
    currentContextTokens: current,
    contextWindowSize: num(cw.context_window_size),
    exceeds200k: boolOrNull(o.exceeds_200k_tokens),
  };
}
