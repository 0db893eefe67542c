// The correction rules as pure functions over authored evidence (no ledger, no files).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { apportion, correctSession, ownRowKey, type Correction, type RequestFacts, type SessionEvidence } from '../../src/core/corrections/rules';
import { claudeJsonEntries, largestRecord, modelUsageTotals, runRecords, type OwnRecord } from '../../src/core/corrections/records';
import { claudeJsonPaths } from '../../src/core/corrections/claudeJson';
import type { Fact } from '../../src/core/state/journal';

const pricer = createPricer(loadRateCard());
const SONNET = 'claude-sonnet-4-5-20250929';
const HAIKU = 'claude-haiku-4-5-20251001';
const T0 = Date.parse('2026-11-20T10:00:00Z');
/** Sonnet 4.5 output: $15 per million = 15,000 nanodollars a token. */
const SONNET_OUT = 15_000;

let n = 0;
function req(spec: Partial<RequestFacts> = {}): RequestFacts {
  n++;
  return {
    key: `m${n}:r${n}`, agentId: '', model: SONNET, timestamp: T0 + n * 1000, input: 10, output: 5, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 1000,
    webSearches: 0, speed: '', inferenceGeo: '', stopReason: 'end_turn', textChars: 0, toolInputChars: 0, thinkingChars: 0, ...spec,
  };
}

function session(requests: RequestFacts[], extra: Partial<SessionEvidence> = {}): SessionEvidence {
  return { sessionId: 's1', projectKey: 'p', lastTimestamp: Math.max(...requests.map((r) => r.timestamp)), requests, taskResults: [], ...extra };
}

function record(models: OwnRecord['models'], source: OwnRecord['source'] = 'cost-state'): OwnRecord {
  return { source, origin: source === 'cost-state' ? 'cost-state line' : 'claude -p result', totalCostUsd: 1, costBasis: '', models };
}

const totals = (t: Partial<OwnRecord['models'][string]>): OwnRecord['models'][string] => ({ input: 0, output: 0, cacheWrite: 0, cacheRead: 0, webSearches: 0, costUsd: null, ...t });

function addedOutput(cs: Correction[], key: string, source?: string): number {
  return cs.filter((c) => c.key === key && (!source || c.source === source)).reduce((s, c) => s + c.added.output, 0);
}

describe('apportion', () => {
  test('splits exactly, in proportion, evenly when all weights are zero', () => {
    assert.deepEqual(apportion(400, [600, 1800]), [100, 300]);
    assert.deepEqual(apportion(10, [1, 1, 1]), [4, 3, 3]);
    assert.deepEqual(apportion(7, [0, 0]), [4, 3]);
    assert.deepEqual(apportion(0, [5, 5]), [0, 0]);
    for (const [total, w] of [[97, [3, 5, 11, 0]], [1, [1, 1]], [1000, [7]]] as const) assert.equal(apportion(total, w).reduce((s, x) => s + x, 0), total);
  });
});

describe('rule 1: a subagent\'s final request takes its output from the Task result', () => {
  test('3 output tokens in the lines, 997 in the Task result', () => {
    const first = req({ agentId: 'a1', stopReason: '', output: 2, input: 3, cacheRead: 5000, cacheWrite5m: 3000, toolInputChars: 12 });
    const final = req({ agentId: 'a1', stopReason: '', output: 3, input: 2, cacheRead: 8000, cacheWrite5m: 500, textChars: 9 });
    const cs = correctSession(session([first, final], { taskResults: [{ subagentId: 'a1', timestamp: T0 + 9000, usage: { input: 2, output: 997, cacheWrite: 500, cacheRead: 8000 } }] }), pricer);
    assert.equal(cs.length, 1);
    assert.equal(cs[0].key, final.key);
    assert.equal(cs[0].source, 'task-result');
    assert.equal(cs[0].added.output, 994);
    assert.equal(cs[0].costNanos, 994 * SONNET_OUT);
    assert.match(cs[0].detail, /subagent a1: 997 output tokens/);
  });

  test('the request is found by its input and cache counts; else the agent\'s last request', () => {
    const a = req({ agentId: 'a1', stopReason: '', output: 1, input: 7, cacheRead: 100 });
    const b = req({ agentId: 'a1', stopReason: '', output: 1, input: 8, cacheRead: 200 });
    const byUsage = correctSession(session([a, b], { taskResults: [{ subagentId: 'a1', timestamp: 0, usage: { input: 7, output: 50, cacheWrite: 0, cacheRead: 100 } }] }), pricer);
    assert.equal(addedOutput(byUsage, a.key, 'task-result'), 49);
    const fallback = correctSession(session([a, b], { taskResults: [{ subagentId: 'a1', timestamp: 0, usage: { input: 1, output: 50, cacheWrite: 0, cacheRead: 1 } }] }), pricer);
    assert.equal(addedOutput(fallback, b.key, 'task-result'), 49);
  });

  test('a Task result below the transcript lowers nothing', () => {
    const a = req({ agentId: 'a1', stopReason: '', output: 80, input: 7, cacheRead: 100 });
    assert.deepEqual(correctSession(session([a], { taskResults: [{ subagentId: 'a1', timestamp: 0, usage: { input: 7, output: 20, cacheWrite: 0, cacheRead: 100 } }] }), pricer), []);
  });
});

describe('rule 2: raised to Claude Code\'s own totals', () => {
  test('output remainder spread over requests without stop_reason by content size; a model only in the record becomes a row of its own', () => {
    const done = req({ output: 100 });
    const small = req({ stopReason: '', output: 5, textChars: 600 });
    const large = req({ stopReason: '', output: 5, textChars: 1800 });
    const rec = record({ [SONNET]: totals({ input: 30, output: 510, cacheRead: 3000, costUsd: 0.2 }), [HAIKU]: totals({ input: 400, output: 40, costUsd: 0.0006 }) });
    const cs = correctSession(session([done, small, large], { record: rec }), pricer);
    assert.equal(addedOutput(cs, small.key, 'cost-state'), 100);
    assert.equal(addedOutput(cs, large.key, 'cost-state'), 300);
    assert.equal(addedOutput(cs, done.key), 0, 'a request with stop_reason is final');
    const own = cs.find((c) => c.ownRow)!;
    assert.equal(own.key, ownRowKey('s1', HAIKU));
    assert.equal(own.model, HAIKU);
    assert.deepEqual(own.added, { input: 400, output: 40, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, webSearches: 0 });
    assert.equal(own.costNanos, 400 * 1000 + 40 * 5000);
    assert.equal(own.timestamp, large.timestamp);
    assert.equal(cs.filter((c) => c.source === 'estimate').length, 0, 'nothing estimated past the record');
  });

  test('evenly when no request shows content; output with nowhere to go and missing input/cache go to a row of its own', () => {
    const a = req({ stopReason: '', output: 1 });
    const b = req({ stopReason: '', output: 1 });
    const even = correctSession(session([a, b], { record: record({ [SONNET]: totals({ input: 20, output: 11, cacheRead: 2000 }) }) }), pricer);
    assert.deepEqual([addedOutput(even, a.key), addedOutput(even, b.key)], [5, 4]);
    const closed = req({ output: 10 });
    const cs = correctSession(session([closed], { record: record({ [SONNET]: totals({ input: 25, output: 60, cacheRead: 1500, cacheWrite: 100 }) }) }), pricer);
    assert.equal(cs.length, 1);
    assert.deepEqual(cs[0].added, { input: 15, output: 50, cacheWrite5m: 100, cacheWrite1h: 0, cacheRead: 500, webSearches: 0 });
    assert.ok(cs[0].ownRow);
  });

  test('requests no rule can change may come as sums: the same corrections', () => {
    const closed = [req({ output: 100, input: 12, cacheRead: 900 }), req({ output: 40, input: 3, cacheRead: 100, model: HAIKU })];
    const open = [req({ stopReason: '', output: 5, textChars: 600 }), req({ stopReason: '', output: 5, textChars: 1800 })];
    const rec = record({ [SONNET]: totals({ input: 40, output: 600, cacheRead: 4000 }), [HAIKU]: totals({ input: 3, output: 90, cacheRead: 100 }) });
    const listed = correctSession(session([...closed, ...open], { record: rec }), pricer);
    const summed = correctSession(
      session(open, {
        record: rec,
        lastTimestamp: Math.max(...closed.concat(open).map((r) => r.timestamp)),
        settled: closed.map((r) => ({ model: r.model, input: r.input, output: r.output, cacheWrite: r.cacheWrite5m + r.cacheWrite1h, cacheRead: r.cacheRead, webSearches: r.webSearches })),
      }),
      pricer,
    );
    assert.deepEqual(summed, listed);
    assert.ok(listed.some((c) => c.ownRow && c.model === HAIKU && c.added.output === 50));
  });

  test('a lagging record (below the transcript) lowers nothing and blocks estimates', () => {
    const done = req({ output: 100 });
    const open = req({ stopReason: '', output: 5, textChars: 1200 });
    const cs = correctSession(session([done, open], { record: record({ [SONNET]: totals({ input: 5, output: 60, cacheRead: 500 }) }) }), pricer);
    assert.deepEqual(cs, []);
  });

  test('a claude -p result is a record too; the model is matched across spellings', () => {
    const a = req({ stopReason: '', output: 12, model: 'claude-sonnet-4-5-20250929', textChars: 60 });
    const cs = correctSession(session([a], { record: record({ 'claude-sonnet-4-5': totals({ input: 10, output: 112, cacheRead: 1000 }) }, 'claude-p-result') }), pricer);
    assert.equal(cs.length, 1);
    assert.equal(cs[0].source, 'claude-p-result');
    assert.equal(cs[0].added.output, 100);
  });

  test('a row of its own is priced call by call: a sum of small calls never pays the long-context premium', () => {
    const a = req({ model: 'claude-sonnet-4-5-20250929', output: 1 });
    const cs = correctSession(session([a], { record: record({ 'claude-sonnet-4-5': totals({ input: 10, output: 1, cacheRead: 1000 + 300_000 }) }) }), pricer);
    assert.equal(cs[0].costNanos, 300_000 * 300, 'cache reads at $0.30 per million, not the $0.60 premium');
  });
});

describe('rule 3: estimates from visible content', () => {
  test('a request whose content implies more output gets the estimate; one consistent with its count is left alone', () => {
    const under = req({ stopReason: '', output: 3, textChars: 1000, toolInputChars: 150, thinkingChars: 50 });
    const fine = req({ stopReason: '', output: 400, textChars: 600 });
    const closed = req({ output: 1, textChars: 6000 });
    const cs = correctSession(session([under, fine, closed]), pricer);
    assert.equal(cs.length, 1);
    assert.equal(cs[0].key, under.key);
    assert.equal(cs[0].source, 'estimate');
    assert.equal(cs[0].added.output, 200 - 3);
  });

  test('estimates never lift a session above its record; within the headroom they are scaled down', () => {
    const a = req({ stopReason: '', output: 10, textChars: 600 });
    const b = req({ stopReason: '', output: 10, textChars: 1200 });
    const cs = correctSession(session([a, b], { record: record({ [SONNET]: totals({ input: 20, output: 20, cacheRead: 2000 }) }) }), pricer);
    assert.deepEqual(cs, [], 'the record says 20: the transcript already has it all');
  });

  test('never lowered, never above the record: random sessions', () => {
    let seed = 7;
    const rnd = (k: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % k;
    };
    for (let i = 0; i < 300; i++) {
      const requests = Array.from({ length: 1 + rnd(6) }, () =>
        req({ model: rnd(3) ? SONNET : HAIKU, output: rnd(500), stopReason: rnd(2) ? '' : 'end_turn', textChars: rnd(5000), toolInputChars: rnd(2000), agentId: rnd(3) ? '' : 'a1', input: rnd(50), cacheRead: rnd(9000) }),
      );
      const rec = rnd(2) ? record({ [SONNET]: totals({ output: rnd(3000), input: rnd(100), cacheRead: rnd(20000) }), ...(rnd(2) ? { [HAIKU]: totals({ output: rnd(900), input: rnd(900) }) } : {}) }) : undefined;
      const taskResults = rnd(2) ? [{ subagentId: 'a1', timestamp: 0, usage: { input: rnd(50), output: rnd(4000), cacheWrite: 0, cacheRead: rnd(9000) } }] : [];
      const cs = correctSession(session(requests, { record: rec, taskResults }), pricer);
      for (const c of cs) {
        for (const v of Object.values(c.added)) assert.ok(v >= 0, 'a correction only adds');
        assert.ok(c.costNanos >= 0);
      }
      if (!rec) continue;
      for (const model of [SONNET, HAIKU]) {
        const list = requests.filter((r) => r.model === model);
        const beforeEstimates = list.reduce((s, r) => s + r.output + addedOutput(cs, r.key, 'task-result') + addedOutput(cs, r.key, 'cost-state'), 0);
        const after = beforeEstimates + list.reduce((s, r) => s + addedOutput(cs, r.key, 'estimate'), 0);
        const cap = Math.max(beforeEstimates, rec.models[model]?.output ?? 0);
        assert.ok(after <= cap, `estimates stay within the record (${after} <= ${cap})`);
      }
    }
  });
});

describe('Claude Code\'s own records', () => {
  test('largest record wins; modelUsage in Claude Code\'s spelling or as parsed entries', () => {
    const small = record({ [SONNET]: totals({ output: 10 }) });
    const big = record({ [SONNET]: totals({ output: 20 }) });
    assert.equal(largestRecord([small, big, undefined]), big);
    assert.deepEqual(modelUsageTotals({ [SONNET]: { inputTokens: 1, outputTokens: 2, cacheReadInputTokens: 3, cacheCreationInputTokens: 4, webSearchRequests: 5, costUSD: 0.5 } })[SONNET], { input: 1, output: 2, cacheRead: 3, cacheWrite: 4, webSearches: 5, costUsd: 0.5 });
    assert.deepEqual(modelUsageTotals([{ model: SONNET, input: 1, output: 2, cacheRead: 3, cacheWrite: 4, webSearches: 5, costUsd: 0.5 }])[SONNET], { input: 1, output: 2, cacheRead: 3, cacheWrite: 4, webSearches: 5, costUsd: 0.5 });
  });

  test('captured claude -p runs are summed per session (a resumed session runs several times) and counted once each', () => {
    const fact = (id: string, runId: string, out: number): Fact => ({ id, at: '2026-11-20T10:00:00Z', kind: 'run', sessionId: 's1', runId, costBasis: 'list', totalCostUsd: 0.1, modelUsage: { [SONNET]: { inputTokens: 1, outputTokens: out } } });
    const runs = runRecords([fact('f1', 'r1', 10), fact('f2', 'r2', 5), fact('f3', 'r1', 10), { id: 'x', at: '', kind: 'reconcile' }]);
    const r = runs.get('s1')!;
    assert.equal(r.source, 'claude-p-result');
    assert.equal(r.models[SONNET].output, 15);
    assert.equal(r.costBasis, 'list');
    assert.ok(Math.abs(r.totalCostUsd! - 0.2) < 1e-12);
    // a raw result object under `result`
    const raw = runRecords([{ id: 'f9', at: '', kind: 'run', result: { type: 'result', session_id: 's2', total_cost_usd: 0.25, modelUsage: { [HAIKU]: { inputTokens: 5, outputTokens: 7 } } } }]);
    assert.equal(raw.get('s2')!.models[HAIKU].output, 7);
  });

  test('~/.claude.json: the last session of each project, with lastModelUsage or only the lastTotal* fields', () => {
    const entries = claudeJsonEntries({
      projects: {
        '/home/dev/a': { lastSessionId: 's1', lastCost: 0.5, lastModelUsage: { [SONNET]: { inputTokens: 1, outputTokens: 700 } } },
        '/home/dev/b': { lastSessionId: 's2', lastCost: 0.1, lastTotalInputTokens: 5, lastTotalOutputTokens: 9 },
        '/home/dev/c': { allowedTools: [] },
      },
    });
    assert.equal(entries.length, 2);
    assert.equal(entries[0].record.models[SONNET].output, 700);
    assert.equal(entries[1].record.models[''].output, 9);
    // totals without a model stand for the session's only model
    const a = req({ stopReason: '', output: 1 });
    const cs = correctSession(session([a], { record: entries[1].record }), pricer);
    assert.equal(addedOutput(cs, a.key), 8);
  });

  test('where ~/.claude.json is: beside ~/.claude, inside a named config dir', () => {
    assert.deepEqual(claudeJsonPaths(['/home/u/.claude'], '/home/u'), ['/home/u/.claude.json']);
    assert.deepEqual(claudeJsonPaths(['/work/cfg'], '/home/u'), ['/work/cfg/.claude.json']);
    assert.deepEqual(claudeJsonPaths(['/home/u/.config/claude', '/home/u/.claude'], '/home/u'), ['/home/u/.config/claude/.claude.json', '/home/u/.claude.json']);
  });
});
