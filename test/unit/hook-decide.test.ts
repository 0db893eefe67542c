// The hook's decision on authored transcripts: long-context tiers (dated), the user's threshold, compactions,
// expired caches on resume, the credit for headless runs, and inputs that are missing, malformed or huge.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decideHook, hookResponse, type ContextFinding, type CreditFinding, type ExpiredCacheFinding, type HookEnv } from '../../src/core/hook/decide';
import { parseHookInput } from '../../src/core/hook/input';
import { runHook } from '../../src/core/hook/run';
import { resolveHookSettings, type HookUserSettings } from '../../src/core/hook/settings';
import { readTranscriptTail, TAIL_INITIAL_BYTES, TAIL_MAX_BYTES } from '../../src/core/hook/tail';
import type { BalanceSnapshot } from '../../src/core/pool/snapshot';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { jsonl, queueOperation, tempDir, user } from './builders';
import {
  bigTranscript,
  bulkyToolResult,
  compactBoundary,
  contextTurn,
  HAIKU_45,
  hookInput,
  OPUS_46,
  promptOf,
  snapshot,
  SONNET_45,
  userHome,
  writeTranscript,
  type HookInputSpec,
} from './hookBuilders';

const pricer = createPricer(loadRateCard());
const NOW = Date.parse('2026-11-20T10:01:00.000Z');
/** The last request, a minute before NOW: its 5-minute cache is warm. */
const LAST = '2026-11-20T10:00:00.000Z';

interface Case {
  lines: unknown[] | null;
  input?: HookInputSpec;
  snapshot?: BalanceSnapshot | null;
  settings?: HookUserSettings;
  now?: number;
  env?: Partial<HookEnv>;
  warned?: string[];
}

function decide(c: Case): ReturnType<typeof decideHook> {
  const file = c.lines === null ? '/nonexistent/sess-1.jsonl' : writeTranscript(c.lines);
  const input = parseHookInput(hookInput({ ...c.input, transcriptPath: file }));
  assert.ok(input);
  return decideHook({
    input,
    tail: readTranscriptTail(file),
    snapshot: c.snapshot ?? null,
    settings: resolveHookSettings(c.settings),
    pricer,
    now: c.now ?? NOW,
    env: { entrypoint: '', githubActions: false, ...c.env },
    warned: c.warned ?? [],
  });
}

type Outcome = { findings: { kind: string }[] };
function finding(o: Outcome, kind: 'tier' | 'threshold'): ContextFinding | undefined;
function finding(o: Outcome, kind: 'expired-cache'): ExpiredCacheFinding | undefined;
function finding(o: Outcome, kind: 'credit'): CreditFinding | undefined;
function finding(o: Outcome, kind: string): unknown {
  return o.findings.find((f) => f.kind === kind);
}

describe('long-context tiers on Sonnet 4.5 (200K, whole request at premium)', () => {
  test('under the tier: silent, exit with nothing to say', () => {
    const o = decide({ lines: [user('hi'), contextTurn(150_000, { timestamp: LAST })], input: { prompt: promptOf(1000) } });
    assert.equal(o.action, 'silent');
    assert.equal(hookResponse(o, 'UserPromptSubmit'), '');
  });

  test('exactly at 200,000 tokens: still standard rates, silent', () => {
    const o = decide({ lines: [contextTurn(199_000, { timestamp: LAST })], input: { prompt: promptOf(1000) } });
    assert.equal(o.action, 'silent');
    assert.deepEqual(o.warned, []);
  });

  test('one token over: warns with the context, the estimate at list price, the multiplier and the credit left', () => {
    const o = decide({ lines: [contextTurn(199_000, { timestamp: LAST })], input: { prompt: promptOf(1001) }, snapshot: snapshot({ remainingUsd: 63.2 }) });
    assert.equal(o.action, 'warn');
    const f = finding(o, 'tier')!;
    assert.equal(f.contextTokens, 199_000);
    assert.equal(f.promptTokens, 1001);
    assert.equal(f.nextTokens, 200_001);
    assert.equal(f.thresholdTokens, 200_000);
    assert.equal(f.crossing, true);
    assert.equal(f.model, 'claude-sonnet-4-5');
    // warm cache: the context is read ($0.60/M at the tier), the prompt written ($7.50/M)
    assert.equal(f.estimate!.costNanos, 199_000 * 600 + 1001 * 7500);
    assert.equal(f.estimate!.standardNanos, 199_000 * 300 + 1001 * 3750);
    assert.deepEqual(f.estimate!.multiplier, { input: 2, output: 1.5 });
    const out = JSON.parse(hookResponse(o, 'UserPromptSubmit')) as { systemMessage: string; hookSpecificOutput?: unknown };
    assert.match(out.systemMessage, /~200,001 tokens, over the 200K long-context tier of claude-sonnet-4-5/);
    assert.match(out.systemMessage, /input ×2, output ×1\.5/);
    assert.match(out.systemMessage, /≈\$0\.1269 at list price before output \(\$0\.0635 of it for the long-context tier\)/);
    assert.match(out.systemMessage, /Credit left: \$63\.20 \(Max 5x/);
    assert.equal(out.hookSpecificOutput, undefined, 'no additionalContext unless asked for');
    assert.deepEqual(o.warned, ['tier:200000']);
  });

  test('a cold cache (idle past 5 minutes) prices the whole context as a cache write', () => {
    const o = decide({ lines: [contextTurn(210_000, { timestamp: LAST })], input: { prompt: promptOf(100) }, now: NOW + 10 * 60_000 });
    assert.equal(finding(o, 'tier')!.estimate!.costNanos, 210_100 * 7500);
    // a session writing 1-hour caches is still warm after 10 minutes
    const warm = decide({ lines: [contextTurn(210_000, { timestamp: LAST }, '1h')], input: { prompt: promptOf(100) }, now: NOW + 10 * 60_000 });
    assert.equal(finding(warm, 'tier')!.estimate!.costNanos, 210_000 * 600 + 100 * 12_000);
  });

  test('already warned for this crossing: silent, and still remembered; back under re-arms it', () => {
    const again = decide({ lines: [contextTurn(230_000, { timestamp: LAST })], input: { prompt: promptOf(10) }, warned: ['tier:200000'] });
    assert.equal(again.action, 'silent');
    assert.deepEqual(again.warned, ['tier:200000']);
    const under = decide({ lines: [contextTurn(50_000, { timestamp: LAST })], input: { prompt: promptOf(10) }, warned: ['tier:200000'] });
    assert.deepEqual(under.warned, []);
  });

  test('additionalContext tells Claude only when the settings ask for it', () => {
    const o = decide({ lines: [contextTurn(230_000, { timestamp: LAST })], input: { prompt: 'go on' }, settings: { addContext: true } });
    const out = JSON.parse(hookResponse(o, 'UserPromptSubmit')) as { hookSpecificOutput: { hookEventName: string; additionalContext: string } };
    assert.equal(out.hookSpecificOutput.hookEventName, 'UserPromptSubmit');
    assert.match(out.hookSpecificOutput.additionalContext, /over the 200K long-context price tier/);
  });

  test('warnOnTier off: silent', () => {
    assert.equal(decide({ lines: [contextTurn(230_000, { timestamp: LAST })], input: { prompt: 'x' }, settings: { warnOnTier: false } }).action, 'silent');
  });
});

describe('Opus 4.6: the 200K tier ended when the 1M window went GA on 2026-03-13', () => {
  const lines = (at: string): unknown[] => [contextTurn(220_000, { model: OPUS_46, timestamp: at })];

  test('before 2026-03-13: over 200K warns at the beta premium (input ×2, output ×1.5)', () => {
    const o = decide({ lines: lines('2026-03-01T09:59:00.000Z'), input: { prompt: promptOf(100) }, now: Date.parse('2026-03-01T10:00:00.000Z') });
    assert.equal(o.action, 'warn');
    const f = finding(o, 'tier')!;
    assert.equal(f.model, 'claude-opus-4-6');
    assert.deepEqual(f.estimate!.multiplier, { input: 2, output: 1.5 });
    assert.equal(f.estimate!.costNanos, 220_000 * 1000 + 100 * 12_500);
  });

  test('after 2026-03-13: the whole window bills at standard rates, silent', () => {
    const o = decide({ lines: lines('2026-04-01T09:59:00.000Z'), input: { prompt: promptOf(100) }, now: Date.parse('2026-04-01T10:00:00.000Z') });
    assert.equal(o.action, 'silent');
    assert.equal(o.estimate!.costNanos, 220_000 * 500 + 100 * 6250);
    assert.equal(o.estimate!.tier, null);
  });
});

describe('a model without a long-context tier, and the user\'s own threshold', () => {
  test('Haiku 4.5 at 500K tokens: no tier, silent', () => {
    assert.equal(decide({ lines: [contextTurn(500_000, { model: HAIKU_45, timestamp: LAST })], input: { prompt: 'x' } }).action, 'silent');
  });

  test('with contextThreshold 300,000 it warns, once per crossing', () => {
    const o = decide({ lines: [contextTurn(299_990, { model: HAIKU_45, timestamp: LAST })], input: { prompt: promptOf(20) }, settings: { contextThreshold: 300_000 } });
    assert.equal(o.action, 'warn');
    const f = finding(o, 'threshold')!;
    assert.equal(f.nextTokens, 300_010);
    assert.equal(f.model, 'claude-haiku-4-5');
    assert.match(o.message, /over your 300,000-token threshold/);
    assert.deepEqual(o.warned, ['threshold:300000']);
  });

  test('a threshold equal to a tier warns once, as the tier', () => {
    const o = decide({ lines: [contextTurn(230_000, { timestamp: LAST })], input: { prompt: 'x' }, settings: { contextThreshold: 200_000 } });
    assert.deepEqual(o.findings.map((f) => f.kind), ['tier']);
  });

  test('an unknown model is named unpriced, never $0', () => {
    const o = decide({ lines: [contextTurn(260_000, { model: 'claude-nova-9', timestamp: LAST })], input: { prompt: 'x' }, settings: { contextThreshold: 250_000 } });
    assert.equal(o.action, 'warn');
    assert.match(o.message, /claude-nova-9 is unpriced/);
    assert.doesNotMatch(o.message, /\$0\.00/);
  });
});

describe('a compaction after the last request resets the context to its postTokens', () => {
  test('250K, then compacted to 30K: silent', () => {
    const file = writeTranscript([contextTurn(250_000, { timestamp: '2026-11-20T09:50:00.000Z' }), compactBoundary({ postTokens: 30_000, timestamp: '2026-11-20T09:55:00.000Z' }), user('go on')]);
    const tail = readTranscriptTail(file);
    assert.equal(tail.contextSource, 'compaction');
    assert.equal(tail.contextTokens, 30_000);
    assert.equal(tail.model, SONNET_45, 'the model still comes from the last request');
    const o = decide({ lines: [contextTurn(250_000, { timestamp: '2026-11-20T09:50:00.000Z' }), compactBoundary({ postTokens: 30_000 })], input: { prompt: promptOf(500) }, warned: ['tier:200000'] });
    assert.equal(o.action, 'silent');
    assert.deepEqual(o.warned, [], 'back under the tier: the next crossing warns again');
  });

  test('a compaction without postTokens: context unknown, silent', () => {
    const tail = readTranscriptTail(writeTranscript([contextTurn(250_000), compactBoundary()]));
    assert.equal(tail.contextTokens, null);
    assert.equal(decide({ lines: [contextTurn(250_000), compactBoundary()], input: { prompt: 'x' } }).action, 'silent');
  });

  test('a request after the compaction counts again', () => {
    const o = decide({ lines: [contextTurn(250_000), compactBoundary({ postTokens: 30_000 }), contextTurn(205_000, { timestamp: LAST })], input: { prompt: 'x' } });
    assert.equal(finding(o, 'tier')!.contextTokens, 205_000);
  });
});

describe('resume or fork with an expired prompt cache (SessionStart)', () => {
  const lines = [contextTurn(180_000, { timestamp: '2026-11-20T08:00:00.000Z' })];

  test('warns with our figure at cache-write list price and Claude Code\'s', () => {
    const o = decide({ lines, input: { event: 'SessionStart', source: 'resume', contextTokens: 180_000, expired: true, estimatedUsd: 0.68, secondsSince: 7200 }, snapshot: snapshot() });
    assert.equal(o.action, 'warn');
    const f = finding(o, 'expired-cache')!;
    assert.equal(f.ourNanos, 180_000 * 3750);
    assert.equal(f.claudeUsd, 0.68);
    assert.equal(f.idleSeconds, 7200);
    const out = JSON.parse(hookResponse(o, 'SessionStart')) as { systemMessage: string; decision?: string };
    assert.equal(out.decision, undefined);
    assert.match(out.systemMessage, /resumed session's prompt cache has likely expired after 2 h idle/);
    assert.match(out.systemMessage, /~180,000 tokens of context \(≈\$0\.6750 at 5m cache-write list price; Claude Code estimates \$0\.68\)/);
    assert.match(out.systemMessage, /Credit left: \$63\.20/);
  });

  test('over the tier, the re-write is priced at the long-context cache-write rate', () => {
    const o = decide({ lines: [contextTurn(250_000, { timestamp: '2026-11-20T08:00:00.000Z' })], input: { event: 'SessionStart', source: 'fork', contextTokens: 250_000, expired: true } });
    assert.equal(finding(o, 'expired-cache')!.ourNanos, 250_000 * 7500);
    assert.match(o.message, /this fork's prompt cache/);
  });

  test('older versions without the fields: expiry judged from the last request\'s time', () => {
    const o = decide({ lines, input: { event: 'SessionStart', source: 'resume' } });
    const f = finding(o, 'expired-cache')!;
    assert.equal(f.contextTokens, 180_000);
    assert.equal(f.idleSeconds, 2 * 3600 + 60);
    assert.equal(f.claudeUsd, null);
  });

  test('a warm cache, a small context, a startup or the setting off: silent', () => {
    assert.equal(decide({ lines, input: { event: 'SessionStart', source: 'resume', contextTokens: 180_000, expired: false } }).action, 'silent');
    assert.equal(decide({ lines: [contextTurn(20_000, { timestamp: '2026-11-20T08:00:00.000Z' })], input: { event: 'SessionStart', source: 'resume' } }).action, 'silent');
    assert.equal(decide({ lines, input: { event: 'SessionStart', source: 'startup' } }).action, 'silent');
    assert.equal(decide({ lines, input: { event: 'SessionStart', source: 'resume', expired: true }, settings: { warnOnExpiredCache: false } }).action, 'silent');
  });
});

describe('the credit, for headless runs', () => {
  const headless = [queueOperation(), user('nightly job', { entrypoint: 'sdk-cli' }), contextTurn(40_000, { entrypoint: 'sdk-cli', timestamp: LAST })];

  test('exhausted with overage stop: warns by default', () => {
    const o = decide({ lines: headless, input: { prompt: 'next step' }, snapshot: snapshot({ remainingUsd: 0, overage: 'stop' }) });
    assert.equal(o.action, 'warn');
    assert.equal(o.surface.headless, true);
    const f = finding(o, 'credit')!;
    assert.equal(f.exhausted, true);
    assert.equal(f.block, false);
    assert.match(o.message, /credit is used up and overage is "stop"/);
    assert.match(o.message, /hook\.policy to "block"/);
  });

  test('exhausted with overage stop and policy block: blocks the prompt', () => {
    const o = decide({ lines: headless, input: { prompt: 'next step' }, snapshot: snapshot({ remainingUsd: 0, overage: 'stop' }), settings: { policy: 'block' } });
    assert.equal(o.action, 'block');
    const out = JSON.parse(hookResponse(o, 'UserPromptSubmit')) as { decision: string; reason: string; systemMessage?: string };
    assert.equal(out.decision, 'block');
    assert.match(out.reason, /stopped this unattended run: the Max 5x credit is used up and overage is "stop"/);
    assert.equal(out.systemMessage, undefined);
  });

  test('exhausted with overage bill: warns that it is billed, never blocks', () => {
    const o = decide({ lines: headless, input: { prompt: 'next step' }, snapshot: snapshot({ remainingUsd: 0, overage: 'bill' }), settings: { policy: 'block' } });
    assert.equal(o.action, 'warn');
    assert.match(o.message, /billed at API rates/);
  });

  test('a request costing more than what is left: warns, or blocks under policy block with overage stop', () => {
    const lines = [queueOperation(), contextTurn(150_000, { entrypoint: 'sdk-cli', timestamp: LAST })];
    const snap = snapshot({ remainingUsd: 0.01, overage: 'stop' });
    const warn = decide({ lines, input: { prompt: 'x' }, snapshot: snap });
    const f = finding(warn, 'credit')!;
    assert.equal(f.exhausted, false);
    assert.equal(f.estimateNanos, 150_000 * 300 + 1 * 3750);
    assert.match(warn.message, /costs more than the \$0\.0100 of credit left/);
    assert.equal(decide({ lines, input: { prompt: 'x' }, snapshot: snap, settings: { policy: 'block' } }).action, 'block');
  });

  test('never blocks on estimated spend alone: warns instead', () => {
    // Used up only because of $3 estimated (models not on the rate card): the firm figures leave $2.
    const est = { ...snapshot({ remainingUsd: 0, overage: 'stop' }), overageNanos: 1e9, estimatedNanos: 3e9 };
    const o = decide({ lines: headless, input: { prompt: 'next step' }, snapshot: est, settings: { policy: 'block' } });
    assert.equal(o.action, 'warn');
    assert.equal(finding(o, 'credit')!.block, false);
    // Still out without the estimates: blocks as before.
    const firm = { ...snapshot({ remainingUsd: 0, overage: 'stop' }), overageNanos: 5e9, estimatedNanos: 3e9 };
    assert.equal(decide({ lines: headless, input: { prompt: 'next step' }, snapshot: firm, settings: { policy: 'block' } }).action, 'block');
  });

  test('a next request on a model not on the rate card is estimated: it warns but never blocks', () => {
    const lines = [queueOperation(), contextTurn(150_000, { entrypoint: 'sdk-cli', timestamp: LAST, model: 'claude-sonnet-5-7' })];
    const o = decide({ lines, input: { prompt: 'x' }, snapshot: snapshot({ remainingUsd: 0.01, overage: 'stop' }), settings: { policy: 'block' } });
    assert.equal(o.action, 'warn');
    assert.ok(finding(o, 'credit')!.estimateNanos > 0.01e9);
  });

  test('headless from CLAUDE_CODE_ENTRYPOINT, before the transcript exists', () => {
    const o = decide({ lines: null, input: { prompt: 'first' }, snapshot: snapshot({ remainingUsd: 0 }), settings: { policy: 'block' }, env: { entrypoint: 'sdk-py' } });
    assert.equal(o.action, 'block');
    assert.match(o.surface.reason, /CLAUDE_CODE_ENTRYPOINT sdk-py/);
  });

  test('headless from a queue-operation first line (versions without entrypoint)', () => {
    const lines = [queueOperation(), user('job'), contextTurn(10_000, { timestamp: LAST })];
    assert.equal(decide({ lines, input: { prompt: 'x' }, snapshot: snapshot({ remainingUsd: 0 }), settings: { policy: 'block' } }).action, 'block');
  });

  test('an interactive session is not on the headless credit: silent (policy block too)', () => {
    const lines = [user('hi', { entrypoint: 'cli' }), contextTurn(10_000, { entrypoint: 'cli', timestamp: LAST })];
    assert.equal(decide({ lines, input: { prompt: 'x' }, snapshot: snapshot({ remainingUsd: 0 }), settings: { policy: 'block' } }).action, 'silent');
    // ... unless the budget counts all usage: then a warning, never a block
    const all = decide({ lines, input: { prompt: 'x' }, snapshot: snapshot({ remainingUsd: 0, scope: 'all' }), settings: { policy: 'block' } });
    assert.equal(all.action, 'warn');
  });

  test('a snapshot from a cycle that has ended, or without a plan: no credit judgement', () => {
    assert.equal(decide({ lines: headless, input: { prompt: 'x' }, snapshot: snapshot({ remainingUsd: 0, cycleEnd: '2026-11-15T00:00:00.000Z' }), settings: { policy: 'block' } }).action, 'silent');
    assert.equal(decide({ lines: headless, input: { prompt: 'x' }, snapshot: snapshot({ plan: null, remainingUsd: null }) }).action, 'silent');
  });
});

describe('inputs that are missing, malformed, half-written or huge', () => {
  test('malformed stdin: nothing printed, the reason logged to hook.log', () => {
    const { paths } = userHome();
    for (const bad of ['', 'not json', '[1,2]', '{"hook_event_name": "UserPromptSubmit", "prompt": ']) {
      assert.equal(runHook(bad, { paths, env: {} }), '');
    }
    const log = fs.readFileSync(path.join(paths.dataDir, 'hook.log'), 'utf8');
    assert.equal(log.trim().split('\n').length, 4);
    assert.match(log, /stdin is not a JSON object/);
  });

  test('fields of the wrong type are ignored, not fatal', () => {
    const { paths } = userHome();
    const out = runHook(JSON.stringify({ hook_event_name: 'UserPromptSubmit', transcript_path: 42, prompt: { a: 1 }, session_id: null }), { paths, env: {} });
    assert.equal(out, '');
  });

  test('a missing transcript, or a folder in its place: silent', () => {
    assert.equal(decide({ lines: null, input: { prompt: promptOf(300_000) } }).action, 'silent');
    const { paths } = userHome();
    assert.equal(runHook(hookInput({ transcriptPath: tempDir(), prompt: 'x' }), { paths, env: {} }), '');
  });

  test('a half-written last line: the complete request before it counts', () => {
    const file = writeTranscript([contextTurn(150_000, { timestamp: LAST })]);
    const cut = jsonl([contextTurn(250_000, { timestamp: LAST })]);
    fs.appendFileSync(file, cut.slice(0, Math.floor(cut.length / 2)));
    const tail = readTranscriptTail(file);
    assert.equal(tail.contextTokens, 150_000);
    const input = parseHookInput(hookInput({ transcriptPath: file, prompt: 'x' }))!;
    const o = decideHook({ input, tail, snapshot: null, settings: resolveHookSettings(undefined), pricer, now: NOW, env: { entrypoint: '', githubActions: false }, warned: [] });
    assert.equal(o.action, 'silent');
  });

  test('an empty transcript, and one with no request yet', () => {
    assert.equal(readTranscriptTail(writeTranscript([])).contextTokens, null);
    assert.equal(decide({ lines: [user('hello')], input: { prompt: 'x' } }).action, 'silent');
  });

  test('sidechain, synthetic and API-error lines are not the session\'s context', () => {
    const side = { ...contextTurn(400_000, { isSidechain: true }) };
    const synthetic = contextTurn(400_000, { model: '<synthetic>' });
    const err = contextTurn(400_000, { isApiErrorMessage: true });
    const tail = readTranscriptTail(writeTranscript([contextTurn(120_000), side, synthetic, err]));
    assert.equal(tail.contextTokens, 120_000);
  });

  test('a 100 MB transcript: only its tail is read', () => {
    const file = path.join(tempDir(), 'big.jsonl');
    bigTranscript(file, 100 * 1024 * 1024, 230_000, { timestamp: LAST });
    assert.ok(fs.statSync(file).size > 99 * 1024 * 1024);
    const tail = readTranscriptTail(file);
    assert.equal(tail.contextTokens, 230_000);
    assert.equal(tail.bytesRead, TAIL_INITIAL_BYTES);
    const input = parseHookInput(hookInput({ transcriptPath: file, prompt: 'x' }))!;
    const o = decideHook({ input, tail, snapshot: null, settings: resolveHookSettings(undefined), pricer, now: NOW, env: { entrypoint: '', githubActions: false }, warned: [] });
    assert.equal(finding(o, 'tier')!.contextTokens, 230_000);
    fs.rmSync(file);
  });

  test('the tail grows backwards past a large tool result, within its bound', () => {
    const file = writeTranscript([contextTurn(210_000, { timestamp: LAST }), bulkyToolResult(3 * 1024 * 1024)]);
    const tail = readTranscriptTail(file);
    assert.equal(tail.contextTokens, 210_000);
    assert.ok(tail.bytesRead > TAIL_INITIAL_BYTES && tail.bytesRead <= TAIL_MAX_BYTES);
    const none = writeTranscript([contextTurn(210_000), bulkyToolResult(5 * 1024 * 1024), bulkyToolResult(5 * 1024 * 1024)]);
    const t2 = readTranscriptTail(none);
    assert.equal(t2.contextTokens, null, 'never reads the whole of a large file');
    assert.equal(t2.bytesRead, TAIL_MAX_BYTES);
  });
});

describe('runHook: the process-level contract', () => {
  test('warns once per crossing across prompts (the hook state), logs what it said', () => {
    const file = writeTranscript([contextTurn(230_000, { timestamp: new Date(Date.now() - 60_000).toISOString() })]);
    const { paths } = userHome({ snapshot: snapshot({ stampedAt: new Date().toISOString(), cycleEnd: new Date(Date.now() + 86_400_000).toISOString() }) });
    const first = runHook(hookInput({ transcriptPath: file, prompt: 'one' }), { paths, env: {} });
    assert.match(JSON.parse(first).systemMessage, /long-context tier/);
    assert.equal(runHook(hookInput({ transcriptPath: file, prompt: 'two' }), { paths, env: {} }), '');
    const state = JSON.parse(fs.readFileSync(path.join(paths.dataDir, 'hook-state.json'), 'utf8'));
    assert.deepEqual(state.sessions['sess-1'].warned, ['tier:200000']);
    assert.match(fs.readFileSync(path.join(paths.dataDir, 'hook.log'), 'utf8'), /UserPromptSubmit sess-1 .*: warn: /);
  });

  test('a missing snapshot or a broken settings file is no error', () => {
    const file = writeTranscript([contextTurn(230_000, { timestamp: new Date().toISOString() })]);
    const { paths } = userHome();
    fs.writeFileSync(paths.settings, '{ not json');
    const out = runHook(hookInput({ transcriptPath: file, prompt: 'x' }), { paths, env: {} });
    assert.doesNotMatch(JSON.parse(out).systemMessage, /Credit left/);
  });

  test('block policy from the settings file, headless from the environment', () => {
    const { paths } = userHome({ snapshot: snapshot({ remainingUsd: 0, cycleEnd: new Date(Date.now() + 86_400_000).toISOString() }), settings: { hook: { policy: 'block' } } });
    const out = runHook(hookInput({ prompt: 'run' }), { paths, env: { CLAUDE_CODE_ENTRYPOINT: 'sdk-cli' } });
    assert.equal(JSON.parse(out).decision, 'block');
  });
});
