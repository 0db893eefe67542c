// Claude Code's own records of what a session spent: `cost-state` snapshots in the transcript,
// captured `claude -p` results (journal facts of kind `run`) and ~/.claude.json's `last*` fields.
// Each becomes an OwnRecord: per-model token totals and Claude Code's own cost estimate.
import type { Fact } from '../state/journal';

/** Where a correction's number came from. */
export type CorrectionSource = 'task-result' | 'cost-state' | 'claude-p-result' | 'estimate';
export const CORRECTION_SOURCES: readonly CorrectionSource[] = ['task-result', 'cost-state', 'claude-p-result', 'estimate'];

export interface ModelTotals {
  input: number;
  output: number;
  /** Cache writes without a 5m/1h split (Claude Code's records do not keep one). */
  cacheWrite: number;
  cacheRead: number;
  webSearches: number;
  /** Claude Code's own estimate for the model (not a bill); null when the record has none. */
  costUsd: number | null;
}

export interface OwnRecord {
  /** The rule it feeds: a `cost-state` (transcript line or ~/.claude.json) or a `claude -p` result. */
  source: 'cost-state' | 'claude-p-result';
  /** Where it was read, for people: "cost-state line", "~/.claude.json", "claude -p result". */
  origin: string;
  totalCostUsd: number | null;
  /** `claude -p` results of later versions: list, managed, unknown; "" when not given. */
  costBasis: string;
  /** By model id as Claude Code spelled it; "" when the record names no model (totals only). */
  models: Record<string, ModelTotals>;
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);
const usd = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function emptyTotals(): ModelTotals {
  return { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, webSearches: 0, costUsd: null };
}

export function totalsTokens(t: ModelTotals): number {
  return t.input + t.output + t.cacheWrite + t.cacheRead;
}

export function recordTokens(r: OwnRecord): number {
  let n = 0;
  for (const t of Object.values(r.models)) n += totalsTokens(t);
  return n;
}

/** One model's totals in Claude Code's spelling (`inputTokens`, ...) or ours (`input`, ...). */
function entryTotals(v: Json): ModelTotals {
  return {
    input: count(v.inputTokens ?? v.input),
    output: count(v.outputTokens ?? v.output),
    cacheWrite: count(v.cacheCreationInputTokens ?? v.cacheWrite),
    cacheRead: count(v.cacheReadInputTokens ?? v.cacheRead),
    webSearches: count(v.webSearchRequests ?? v.webSearches),
    costUsd: usd(v.costUSD ?? v.costUsd),
  };
}

/**
 * `modelUsage` as cost-state, `claude -p` and ~/.claude.json write it (`{<model>: {inputTokens, ...}}`),
 * or as a list of `{model, input, output, ...}` entries (core/headless's parsed form).
 */
export function modelUsageTotals(modelUsage: unknown): Record<string, ModelTotals> {
  const out: Record<string, ModelTotals> = {};
  const add = (model: string, t: ModelTotals): void => {
    if (out[model]) addTotals(out[model], t);
    else out[model] = t;
  };
  if (Array.isArray(modelUsage)) {
    for (const e of modelUsage) if (isObj(e) && typeof e.model === 'string') add(e.model, entryTotals(e));
  } else if (isObj(modelUsage)) {
    for (const [model, v] of Object.entries(modelUsage)) if (isObj(v)) add(model, entryTotals(v));
  }
  return out;
}

/** A stored `cost-state` event's data (core/transcripts/lineParser already renamed the fields). */
export function costStateRecord(data: unknown): OwnRecord | undefined {
  if (!isObj(data) || !isObj(data.modelUsage)) return undefined;
  const models: Record<string, ModelTotals> = {};
  for (const [model, v] of Object.entries(data.modelUsage)) {
    if (!isObj(v)) continue;
    models[model] = { input: count(v.input), output: count(v.output), cacheWrite: count(v.cacheWrite), cacheRead: count(v.cacheRead), webSearches: count(v.webSearches), costUsd: usd(v.costUSD) };
  }
  return { source: 'cost-state', origin: 'cost-state line', totalCostUsd: usd(data.totalCostUSD), costBasis: '', models };
}

/** A run's `usage` (the API's `input_tokens`, ... or our `input`, ...) as totals for one model. */
function usageTotals(u: Json): ModelTotals {
  const server = isObj(u.server_tool_use) ? u.server_tool_use : {};
  return {
    input: count(u.input_tokens ?? u.input),
    output: count(u.output_tokens ?? u.output),
    cacheWrite: count(u.cache_creation_input_tokens ?? u.cacheWrite),
    cacheRead: count(u.cache_read_input_tokens ?? u.cacheRead),
    webSearches: count(server.web_search_requests ?? u.webSearches),
    costUsd: null,
  };
}

function addTotals(into: ModelTotals, t: ModelTotals): void {
  into.input += t.input;
  into.output += t.output;
  into.cacheWrite += t.cacheWrite;
  into.cacheRead += t.cacheRead;
  into.webSearches += t.webSearches;
  if (t.costUsd !== null) into.costUsd = (into.costUsd ?? 0) + t.costUsd;
}

/** The journal fact kind of a captured `claude -p` run. */
export const RUN_FACT = 'run';

/** The session a captured run wrote to ("" when the fact names none). */
export function runSessionId(f: Fact): string {
  const result = isObj(f.result) ? f.result : {};
  return str(f.sessionId) || str(f.session_id) || str(result.session_id) || str(result.sessionId);
}

/**
 * Captured `claude -p` results (journal facts of kind `run`), summed per session: each run is
 * one process, and `--resume` appends several runs to one session. Fields are read at the top
 * of the fact or under `result` (the raw result object), in either spelling.
 */
export function runRecords(facts: readonly Fact[]): Map<string, OwnRecord> {
  const out = new Map<string, OwnRecord>();
  const seen = new Set<string>();
  for (const f of facts) {
    if (f.kind !== RUN_FACT) continue;
    const result = isObj(f.result) ? f.result : {};
    const sessionId = runSessionId(f);
    if (!sessionId) continue;
    const runId = str(f.runId) || str(result.uuid) || str(f.uuid) || f.id;
    if (seen.has(runId)) continue;
    seen.add(runId);
    let models = modelUsageTotals(f.modelUsage ?? result.modelUsage);
    if (!Object.keys(models).length) {
      const u = isObj(f.usage) ? f.usage : isObj(result.usage) ? result.usage : undefined;
      if (!u) continue;
      models = { [str(f.model) || str(result.model)]: usageTotals(u) };
    }
    const total = usd(f.totalCostUsd) ?? usd(f.totalCostUSD) ?? usd(f.total_cost_usd) ?? usd(result.total_cost_usd) ?? usd(f.costUsd);
    const basis = str(f.costBasis) || str(result.costBasis) || str(result.cost_basis);
    const rec = out.get(sessionId) ?? { source: 'claude-p-result' as const, origin: 'claude -p result', totalCostUsd: null, costBasis: basis, models: {} };
    for (const [m, t] of Object.entries(models)) addTotals((rec.models[m] ??= emptyTotals()), t);
    if (total !== null) rec.totalCostUsd = (rec.totalCostUsd ?? 0) + total;
    if (rec.costBasis !== basis) rec.costBasis = rec.costBasis && basis ? 'mixed' : rec.costBasis || basis;
    out.set(sessionId, rec);
  }
  return out;
}

export interface ClaudeJsonEntry {
  sessionId: string;
  cwd: string;
  record: OwnRecord;
}

/** `projects[<abs cwd>].last*` of a ~/.claude.json: the last session of each project. */
export function claudeJsonEntries(json: unknown, origin = '~/.claude.json'): ClaudeJsonEntry[] {
  const out: ClaudeJsonEntry[] = [];
  if (!isObj(json) || !isObj(json.projects)) return out;
  for (const [cwd, p] of Object.entries(json.projects)) {
    if (!isObj(p)) continue;
    const sessionId = str(p.lastSessionId);
    if (!sessionId) continue;
    let models = modelUsageTotals(p.lastModelUsage);
    if (!Object.keys(models).length) {
      const totals: ModelTotals = {
        input: count(p.lastTotalInputTokens),
        output: count(p.lastTotalOutputTokens),
        cacheWrite: count(p.lastTotalCacheCreationInputTokens),
        cacheRead: count(p.lastTotalCacheReadInputTokens),
        webSearches: count(p.lastTotalWebSearchRequests),
        costUsd: usd(p.lastCost),
      };
      if (!totalsTokens(totals)) continue;
      models = { '': totals };
    }
    out.push({ sessionId, cwd, record: { source: 'cost-state', origin, totalCostUsd: usd(p.lastCost), costBasis: '', models } });
  }
  return out;
}

/** The record that saw the most: cumulative snapshots only grow, so the largest is the latest. */
export function largestRecord(records: readonly (OwnRecord | undefined)[]): OwnRecord | undefined {
  let best: OwnRecord | undefined;
  let bestTokens = -1;
  for (const r of records) {
    if (!r) continue;
    const n = recordTokens(r);
    if (n > bestTokens || (n === bestTokens && (r.totalCostUsd ?? 0) > (best?.totalCostUsd ?? 0))) {
      best = r;
      bestTokens = n;
    }
  }
  return best;
}
