// Builders for the records Claude Code keeps of its own spend (authored, not copied): Task tool
// calls and results, subagent lines, cost-state snapshots, captured `claude -p` run facts and
// ~/.claude.json project entries.
import { assistant, user, uuid, type AssistantSpec } from './builders';

export interface TokenSpec {
  input?: number;
  output?: number;
  cacheWrite?: number;
  cacheRead?: number;
  webSearches?: number;
  costUSD?: number;
}

/** The parent's assistant line calling the Task tool. */
export function taskCall(spec: Omit<AssistantSpec, 'content'> & { toolUseId: string; prompt?: string }): Record<string, unknown> {
  const { toolUseId, prompt, ...rest } = spec;
  return assistant({ ...rest, content: [{ type: 'tool_use', id: toolUseId, name: 'Task', input: { description: 'explore', prompt: prompt ?? 'Look around', subagent_type: 'Explore' } }], stopReason: 'tool_use' });
}

/** The Task tool result in the parent file: `toolUseResult.usage` is the subagent's final request. */
export function taskResult(spec: { sessionId?: string; agentId: string; toolUseId: string; usage: TokenSpec; timestamp?: string }): Record<string, unknown> {
  const u = spec.usage;
  const usage = { input_tokens: u.input ?? 0, output_tokens: u.output ?? 0, cache_creation_input_tokens: u.cacheWrite ?? 0, cache_read_input_tokens: u.cacheRead ?? 0, service_tier: 'standard' };
  return user([{ tool_use_id: spec.toolUseId, type: 'tool_result', content: [{ type: 'text', text: 'Found it.' }] }], {
    sessionId: spec.sessionId ?? 'sess-1',
    timestamp: spec.timestamp ?? '2026-11-20T10:05:00.000Z',
    toolUseResult: {
      status: 'completed',
      prompt: 'Look around',
      agentId: spec.agentId,
      content: [{ type: 'text', text: 'Found it.' }],
      totalDurationMs: 12_000,
      totalTokens: usage.input_tokens + usage.output_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens,
      totalToolUseCount: 2,
      usage,
    },
  });
}

/** A 2.1.x subagent request: sidechain, agentId, no stop_reason, the stream's start output count. */
export function subagentRequest(spec: AssistantSpec & { agentId: string }): Record<string, unknown> {
  return assistant({ isSidechain: true, stopReason: null, ...spec });
}

/** A `cost-state` snapshot (cumulative; no timestamp), as interactive sessions write them. */
export function costState(sessionId: string, models: Record<string, TokenSpec>, totalCostUSD?: number): Record<string, unknown> {
  const modelUsage: Record<string, unknown> = {};
  let total = 0;
  for (const [m, t] of Object.entries(models)) {
    modelUsage[m] = {
      inputTokens: t.input ?? 0,
      outputTokens: t.output ?? 0,
      thinkingTokens: 0,
      cacheReadInputTokens: t.cacheRead ?? 0,
      cacheCreationInputTokens: t.cacheWrite ?? 0,
      webSearchRequests: t.webSearches ?? 0,
      costUSD: t.costUSD ?? 0,
    };
    total += t.costUSD ?? 0;
  }
  return { type: 'cost-state', sessionId, totalCostUSD: totalCostUSD ?? total, totalAPIDuration: 1000, totalDuration: 5000, startTime: 1, totalLinesAdded: 0, totalLinesRemoved: 0, modelUsage, hasUnknownModelCost: false };
}

/** A captured `claude -p` run as a journal fact (kind `run`), shaped as core/headless stores it (numbers only). */
export function runFact(sessionId: string, models: Record<string, TokenSpec>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const modelUsage = Object.entries(models).map(([model, t]) => ({
    model, input: t.input ?? 0, output: t.output ?? 0, cacheRead: t.cacheRead ?? 0, cacheWrite: t.cacheWrite ?? 0, webSearches: t.webSearches ?? 0, costUsd: t.costUSD ?? 0, contextWindow: 200000,
  }));
  const total = modelUsage.reduce((s, m) => s + m.costUsd, 0);
  return {
    kind: 'run', v: 1, runId: uuid(), via: 'exec', where: 'terminal', command: 'claude -p --output-format json', cwd: '/home/dev/project',
    startedAt: '2026-11-21T08:59:00.000Z', endedAt: '2026-11-21T09:01:00.000Z', exitCode: 0, sessionId, sessionFrom: 'result', flags: { outputFormat: 'json' },
    noSessionPersistence: false, claudeCodeVersion: '2.1.250', model: Object.keys(models)[0] ?? null,
    result: { subtype: 'success', isError: false, numTurns: 2, durationMs: 1000, durationApiMs: 900, costBasis: 'list', usage: null, modelUsage },
    truncated: false, totalCostUsd: total, ...extra,
  };
}

/** A ~/.claude.json with one project's `last*` fields. */
export function claudeJson(cwd: string, sessionId: string, models: Record<string, TokenSpec>): Record<string, unknown> {
  const lastModelUsage: Record<string, unknown> = {};
  let cost = 0;
  const sum = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
  for (const [m, t] of Object.entries(models)) {
    lastModelUsage[m] = { inputTokens: t.input ?? 0, outputTokens: t.output ?? 0, cacheReadInputTokens: t.cacheRead ?? 0, cacheCreationInputTokens: t.cacheWrite ?? 0, webSearchRequests: t.webSearches ?? 0, costUSD: t.costUSD ?? 0 };
    cost += t.costUSD ?? 0;
    sum.input += t.input ?? 0;
    sum.output += t.output ?? 0;
    sum.cacheWrite += t.cacheWrite ?? 0;
    sum.cacheRead += t.cacheRead ?? 0;
  }
  return {
    numStartups: 12,
    projects: {
      [cwd]: {
        allowedTools: [],
        lastSessionId: sessionId,
        lastCost: cost,
        lastModelUsage,
        lastTotalInputTokens: sum.input,
        lastTotalOutputTokens: sum.output,
        lastTotalCacheCreationInputTokens: sum.cacheWrite,
        lastTotalCacheReadInputTokens: sum.cacheRead,
      },
    },
  };
}

/** Text of n characters (content whose size implies an output count). */
export function text(n: number): string {
  return 'x'.repeat(n);
}
