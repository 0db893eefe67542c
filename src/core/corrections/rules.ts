// The correction rules (FACTS.md "What the transcript undercounts"): pure functions from one
// session's stored requests and Claude Code's own records to corrections stored beside them.
// Each request keeps what the transcript recorded; a correction only ever adds, and says why.
//   1. a subagent's final request takes its output from the Task result;
//   2. per-model totals are raised to the session's own record (cost-state or `claude -p`
//      result) where it is higher: output is spread over the requests without stop_reason by
//      content size, other buckets (and output with nowhere to go) become a row of its own;
//   3. a request without stop_reason whose content implies more output (6 characters a
//      token) gets that estimate, never lifting a session above its own record.
import type { PriceableUsage, TokenCounts } from '../model';
import { normalizeModelId } from '../pricing/modelId';
import { type CorrectionSource, type ModelTotals, type OwnRecord } from './records';

/** Deliberately low: real output runs 3-4 characters a token, so an estimate never overshoots. */
export const CHARS_PER_TOKEN = 6;

/** One stored request, as the rules read it. */
export interface RequestFacts extends PriceableUsage {
  key: string;
  agentId: string;
  /** "" when the transcript kept none (the stream's start was written, not its end). */
  stopReason: string;
  textChars: number;
  toolInputChars: number;
  thinkingChars: number;
}

export interface TaskResultFacts {
  subagentId: string;
  timestamp: number;
  /** The subagent's final request, as the Task tool result reports it. */
  usage: { input: number; output: number; cacheWrite: number; cacheRead: number };
}

/** Sums of requests no rule can change (a stop_reason, outside subagents): only their totals matter. */
export interface SettledTotals {
  model: string;
  input: number;
  output: number;
  /** 5m and 1h writes together (Claude Code's records do not split them). */
  cacheWrite: number;
  cacheRead: number;
  webSearches: number;
}

/** Everything known about one session (requests in file order). */
export interface SessionEvidence {
  sessionId: string;
  projectKey: string;
  /** Time given to rows of its own (Claude Code's records carry none): the session's last request. */
  lastTimestamp: number;
  /** Requests a rule may change; the loader may pass the others as `settled` sums instead. */
  requests: RequestFacts[];
  settled?: SettledTotals[];
  taskResults: TaskResultFacts[];
  record?: OwnRecord;
}

export interface AddedTokens extends TokenCounts {
  webSearches: number;
}

/** What one rule added to one request (or, with ownRow, a priced row of its own). */
export interface Correction {
  /** The request's key; `own:<session>:<model>` for a row of its own. */
  key: string;
  source: CorrectionSource;
  sessionId: string;
  projectKey: string;
  model: string;
  timestamp: number;
  ownRow: boolean;
  added: AddedTokens;
  /** Cost this correction adds (corrected cost minus the cost before it). */
  costNanos: number;
  priced: boolean;
  /** Why, where the request's own columns and the source do not say it (Task results, rows of their own); else "". */
  detail: string;
}

/** The pricing port (core/pricing's Pricer and the ledger's TurnPricer both fit). */
export interface CorrectionPricer {
  price(u: PriceableUsage): { costNanos: number; priced: boolean };
}

export function ownRowKey(sessionId: string, model: string): string {
  return `own:${sessionId}:${model}`;
}

export function contentChars(r: RequestFacts): number {
  return r.textChars + r.toolInputChars + r.thinkingChars;
}

/** Splits `total` into integers proportional to `weights` (largest remainder; evenly when all are zero). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const n = weights.length;
  if (!n || total <= 0) return new Array<number>(n).fill(0);
  const sum = weights.reduce((s, w) => s + Math.max(0, w), 0);
  const w = sum > 0 ? weights.map((x) => Math.max(0, x)) : new Array<number>(n).fill(1);
  const wsum = sum > 0 ? sum : n;
  const shares = w.map((x) => Math.floor((total * x) / wsum));
  let left = total - shares.reduce((s, x) => s + x, 0);
  const order = w.map((x, i) => ({ i, frac: (total * x) / wsum - shares[i] })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % n, left--) shares[order[k].i]++;
  return shares;
}

interface Step {
  source: CorrectionSource;
  add: number;
  detail: string;
}

/** normalizeModelId, remembered: a ledger repeats a few model spellings many thousand times. */
export function modelKeyCache(): (model: string) => string {
  const cache = new Map<string, string>();
  return (model) => {
    let k = cache.get(model);
    if (k === undefined) cache.set(model, (k = normalizeModelId(model)));
    return k;
  };
}

export function correctSession(s: SessionEvidence, pricer: CorrectionPricer, modelKey: (model: string) => string = normalizeModelId): Correction[] {
  const output = new Map<string, number>();
  for (const r of s.requests) output.set(r.key, r.output);
  const steps = new Map<string, Step[]>();
  const addStep = (r: RequestFacts, step: Step): void => {
    if (step.add <= 0) return;
    output.set(r.key, output.get(r.key)! + step.add);
    const list = steps.get(r.key);
    if (list) list.push(step);
    else steps.set(r.key, [step]);
  };

  // 1. Task results: the subagent's final request.
  const fromTask = new Set<string>();
  const byAgent = new Map<string, RequestFacts[]>();
  for (const r of s.requests) {
    if (!r.agentId) continue;
    const list = byAgent.get(r.agentId);
    if (list) list.push(r);
    else byAgent.set(r.agentId, [r]);
  }
  for (const tr of [...s.taskResults].sort((a, b) => a.timestamp - b.timestamp)) {
    const list = byAgent.get(tr.subagentId);
    if (!list) continue;
    const u = tr.usage;
    const open = list.filter((r) => !fromTask.has(r.key));
    // The request whose input and cache counts are the result's; else the agent's last one.
    const same = open.filter((r) => r.input === u.input && r.cacheRead === u.cacheRead && r.cacheWrite5m + r.cacheWrite1h === u.cacheWrite);
    const final = same[same.length - 1] ?? open[open.length - 1];
    if (!final) continue;
    fromTask.add(final.key);
    const have = output.get(final.key)!;
    if (u.output > have) addStep(final, { source: 'task-result', add: u.output - have, detail: `Task result of subagent ${tr.subagentId}: ${u.output} output tokens` });
  }

  // Requests by model, matched across spellings (records may name a model differently).
  const byModel = new Map<string, RequestFacts[]>();
  for (const r of s.requests) {
    const m = modelKey(r.model);
    const list = byModel.get(m);
    if (list) list.push(r);
    else byModel.set(m, [r]);
  }
  const settled = new Map<string, SettledTotals>();
  for (const t of s.settled ?? []) {
    const m = modelKey(t.model);
    const have = settled.get(m);
    if (have) settled.set(m, { model: have.model, input: have.input + t.input, output: have.output + t.output, cacheWrite: have.cacheWrite + t.cacheWrite, cacheRead: have.cacheRead + t.cacheRead, webSearches: have.webSearches + t.webSearches });
    else settled.set(m, t);
    if (!byModel.has(m)) byModel.set(m, []);
  }
  const sumOutput = (norm: string): number => (settled.get(norm)?.output ?? 0) + (byModel.get(norm) ?? []).reduce((n, r) => n + output.get(r.key)!, 0);
  const sumOf = (norm: string, pick: (r: RequestFacts) => number, settledPick: (t: SettledTotals) => number): number => {
    const t = settled.get(norm);
    return (t ? settledPick(t) : 0) + (byModel.get(norm) ?? []).reduce((n, r) => n + pick(r), 0);
  };
  const modelNames = new Map<string, string>();
  for (const [norm, list] of byModel) modelNames.set(norm, list[0]?.model ?? settled.get(norm)!.model);
  const open = (r: RequestFacts): boolean => !r.stopReason && !fromTask.has(r.key);

  // 2. The session's own record: raise each model's buckets to it.
  const own: Correction[] = [];
  const recordOutput = new Map<string, number>();
  const ownOutput = new Map<string, number>();
  const record = s.record;
  if (record) {
    const source = record.source;
    for (const [model, totals] of recordModels(record, modelNames, modelKey)) {
      const norm = modelKey(model);
      recordOutput.set(norm, (recordOutput.get(norm) ?? 0) + totals.output);
      const list = byModel.get(norm) ?? [];
      const extra: AddedTokens = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, webSearches: 0 };
      const remainder = totals.output - sumOutput(norm);
      if (remainder > 0) {
        const targets = list.filter(open);
        if (targets.length) {
          const shares = apportion(remainder, targets.map(contentChars));
          targets.forEach((r, i) => addStep(r, { source, add: shares[i], detail: '' }));
        } else extra.output = remainder;
      }
      extra.input = Math.max(0, totals.input - sumOf(norm, (r) => r.input, (t) => t.input));
      extra.cacheWrite5m = Math.max(0, totals.cacheWrite - sumOf(norm, (r) => r.cacheWrite5m + r.cacheWrite1h, (t) => t.cacheWrite));
      extra.cacheRead = Math.max(0, totals.cacheRead - sumOf(norm, (r) => r.cacheRead, (t) => t.cacheRead));
      extra.webSearches = Math.max(0, totals.webSearches - sumOf(norm, (r) => r.webSearches, (t) => t.webSearches));
      if (extra.output) ownOutput.set(norm, (ownOutput.get(norm) ?? 0) + extra.output);
      if (extra.input + extra.output + extra.cacheWrite5m + extra.cacheRead + extra.webSearches === 0) continue;
      const p = priceAggregate(pricer, model, s.lastTimestamp, extra);
      own.push({
        key: ownRowKey(s.sessionId, model),
        source,
        sessionId: s.sessionId,
        projectKey: s.projectKey,
        model,
        timestamp: s.lastTimestamp,
        ownRow: true,
        added: extra,
        costNanos: p.costNanos,
        priced: p.priced,
        detail: modelNames.has(norm)
          ? `${model}: tokens the ${record.origin} counts beyond the transcript's requests (calls with no assistant line)`
          : `${model}: only in the ${record.origin} (auxiliary calls such as titles and checks)`,
      });
    }
  }

  // 3. Estimates from content, within the record's output when there is one.
  for (const [norm, list] of byModel) {
    const wants: { r: RequestFacts; want: number }[] = [];
    for (const r of list) {
      if (!open(r)) continue;
      const est = Math.floor(contentChars(r) / CHARS_PER_TOKEN);
      const have = output.get(r.key)!;
      if (est > have) wants.push({ r, want: est - have });
    }
    if (!wants.length) continue;
    let grant = wants.map((w) => w.want);
    if (record) {
      const headroom = Math.max(0, (recordOutput.get(norm) ?? 0) - sumOutput(norm) - (ownOutput.get(norm) ?? 0));
      const total = grant.reduce((n, x) => n + x, 0);
      if (total > headroom) grant = apportion(headroom, grant);
    }
    wants.forEach((w, i) => addStep(w.r, { source: 'estimate', add: grant[i], detail: '' }));
  }

  // Price each step on top of the one before: its cost is what it adds.
  const out: Correction[] = [];
  for (const r of s.requests) {
    const list = steps.get(r.key);
    if (!list) continue;
    let u: PriceableUsage = { ...r };
    let prev = pricer.price(u);
    for (const st of list) {
      u = { ...u, output: u.output + st.add };
      const p = pricer.price(u);
      out.push({
        key: r.key,
        source: st.source,
        sessionId: s.sessionId,
        projectKey: s.projectKey,
        model: r.model,
        timestamp: r.timestamp,
        ownRow: false,
        added: { input: 0, output: st.add, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, webSearches: 0 },
        costNanos: p.costNanos - prev.costNanos,
        priced: p.priced,
        detail: st.detail,
      });
      prev = p;
    }
  }
  return out.concat(own);
}

/**
 * The record's models, merged across spellings (`claude-opus-4-6` and `claude-opus-4-6[1m]` are
 * one model); a record that names none (totals only) stands for the session's only model.
 */
function recordModels(record: OwnRecord, modelNames: ReadonlyMap<string, string>, modelKey: (model: string) => string): [string, ModelTotals][] {
  const merged = new Map<string, [string, ModelTotals]>();
  for (const [raw, totals] of Object.entries(record.models)) {
    const model = raw || (modelNames.size === 1 ? [...modelNames.values()][0] : '');
    if (!model) continue;
    const norm = modelKey(model);
    const have = merged.get(norm);
    if (!have) {
      merged.set(norm, [model, { ...totals }]);
      continue;
    }
    const t = have[1];
    t.input += totals.input;
    t.output += totals.output;
    t.cacheWrite += totals.cacheWrite;
    t.cacheRead += totals.cacheRead;
    t.webSearches += totals.webSearches;
    if (totals.costUsd !== null) t.costUsd = (t.costUsd ?? 0) + totals.costUsd;
  }
  return [...merged.values()];
}

/**
 * Prices totals of many calls: token by token at the model's standard rates, so a sum of small
 * calls never crosses a long-context threshold that none of them crossed.
 */
function priceAggregate(pricer: CorrectionPricer, model: string, timestamp: number, t: AddedTokens): { costNanos: number; priced: boolean } {
  const base: PriceableUsage = { model, timestamp, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, webSearches: 0, speed: '', inferenceGeo: '' };
  let costNanos = 0;
  let priced = true;
  const unit = (field: 'input' | 'output' | 'cacheWrite5m' | 'cacheRead' | 'webSearches', n: number): void => {
    if (!n) return;
    const p = pricer.price({ ...base, [field]: 1 });
    priced &&= p.priced;
    costNanos += p.costNanos * n;
  };
  unit('input', t.input);
  unit('output', t.output);
  unit('cacheWrite5m', t.cacheWrite5m);
  unit('cacheRead', t.cacheRead);
  unit('webSearches', t.webSearches);
  return { costNanos, priced };
}
