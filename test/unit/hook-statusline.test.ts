// The status line: context and tier, this session at list price (incremental, deduplicated), the credit left,
// Claude Code's own figure as a fallback, and a wrapped user command.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseStatusLineInput } from '../../src/core/hook/input';
import { runStatusLine, runWrapped } from '../../src/core/hook/run';
import { sessionCost } from '../../src/core/hook/sessionCost';
import { resolveHookSettings } from '../../src/core/hook/settings';
import { combineStatusLines, renderStatusLine, statusLineView } from '../../src/core/hook/statusLine';
import { readTranscriptTail } from '../../src/core/hook/tail';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { assistant, jsonl, tempDir, user } from './builders';
import { contextTurn, snapshot, SONNET_45, statusLineInput, userHome, writeTranscript } from './hookBuilders';

const pricer = createPricer(loadRateCard());
const NOW = Date.parse('2026-11-20T10:01:00.000Z');

function view(lines: unknown[], opts: { costUsd?: number; snap?: ReturnType<typeof snapshot> | null; threshold?: number } = {}): string {
  const file = writeTranscript(lines);
  const input = parseStatusLineInput(statusLineInput({ transcriptPath: file, costUsd: opts.costUsd }))!;
  const cost = sessionCost(file, 'sess-1', pricer, tempDir());
  const v = statusLineView({ input, tail: readTranscriptTail(file), cost, snapshot: opts.snap ?? null, settings: resolveHookSettings({ contextThreshold: opts.threshold }), pricer, now: NOW });
  return renderStatusLine(v, false);
}

describe('status line text', () => {
  test('under the tier: the context against the next limit, the session at list price, the credit left', () => {
    const line = view([user('hi'), contextTurn(150_000, { messageId: 'm1', input: 10, cacheWrite: 1000, cacheRead: 148_990, output: 300 })], { snap: snapshot({ remainingUsd: 63.2 }) });
    const cost = 10 * 3000 + 1000 * 3750 + 148_990 * 300 + 300 * 15_000;
    assert.equal(line, `Sonnet 4.5 · ctx 150K/200K (75%) · session $${(cost / 1e9).toFixed(4)} list · today $0.00 headless · $63.20 left`);
  });

  test('over the tier: marked with its multiplier', () => {
    assert.match(view([contextTurn(212_000)]), /^Sonnet 4\.5 · ctx 212K \(100%\) > 200K: long-context ×2 · session \$0\.\d{4} list$/);
  });

  test('over the user\'s threshold on a model without tiers', () => {
    assert.match(view([contextTurn(120_000, { model: 'claude-haiku-4-5' })], { threshold: 100_000 }), /^Sonnet 4\.5 · ctx 120K\/?.* \(over your threshold\)/);
  });

  test('credit used up, and Claude Code\'s figure when nothing can be priced', () => {
    assert.match(view([contextTurn(10_000)], { snap: snapshot({ remainingUsd: 0, overage: 'bill' }) }), /credit used up \(billing at API rates\)$/);
    assert.equal(view([user('hi')], { costUsd: 1.234 }), "Sonnet 4.5 · session $1.23 (Claude Code's figure)");
  });

  test('colours only when asked', () => {
    const file = writeTranscript([contextTurn(212_000)]);
    const input = parseStatusLineInput(statusLineInput({ transcriptPath: file }))!;
    const v = statusLineView({ input, tail: readTranscriptTail(file), cost: null, snapshot: null, settings: resolveHookSettings(undefined), pricer, now: NOW });
    assert.match(renderStatusLine(v, true), /\x1b\[33m/);
    assert.doesNotMatch(renderStatusLine(v, false), /\x1b/);
  });

  test('a wrapped command\'s output comes first', () => {
    assert.equal(combineStatusLines('main* ~/p\n', 'ctx 10K'), 'main* ~/p │ ctx 10K');
    assert.equal(combineStatusLines('line 1\nline 2', 'ctx 10K'), 'line 1\nline 2\nctx 10K');
    assert.equal(combineStatusLines('', 'ctx 10K'), 'ctx 10K');
    assert.equal(combineStatusLines('theirs', ''), 'theirs');
  });
});

describe('session cost at list price, read incrementally', () => {
  test('streamed copies count once, at their largest; /btw replays and synthetic lines not at all', () => {
    const a1 = assistant({ messageId: 'm1', requestId: 'r1', input: 100, output: 5 });
    const a1b = assistant({ messageId: 'm1', requestId: 'r1', input: 100, output: 400 });
    const btw = assistant({ messageId: 'm1', requestId: 'r9', input: 100, output: 400, isSidechain: true });
    const syn = assistant({ messageId: 'm2', model: '<synthetic>', input: 999 });
    const file = writeTranscript([a1, a1b, btw, syn]);
    const c = sessionCost(file, 'sess-1', pricer, tempDir());
    assert.equal(c.requests, 1);
    assert.equal(c.costNanos, 100 * 3000 + 400 * 15_000);
    assert.equal(c.complete, true);
  });

  test('later calls add only what was appended; subagent files beside the session count', () => {
    const dir = tempDir();
    const cache = tempDir();
    const file = writeTranscript([assistant({ messageId: 'm1', input: 1000 })], dir);
    assert.equal(sessionCost(file, 'sess-1', pricer, cache).costNanos, 1000 * 3000);
    fs.appendFileSync(file, jsonl([assistant({ messageId: 'm2', input: 2000 })]));
    const sub = path.join(dir, 'sess-1', 'subagents', 'agent-a1.jsonl');
    fs.mkdirSync(path.dirname(sub), { recursive: true });
    fs.writeFileSync(sub, jsonl([assistant({ messageId: 'm3', input: 500, isSidechain: true, agentId: 'a1' })]));
    const c = sessionCost(file, 'sess-1', pricer, cache);
    assert.equal(c.requests, 3);
    assert.equal(c.costNanos, 3500 * 3000);
  });

  test('a budget smaller than the file gives a lower bound, then catches up', () => {
    const lines: unknown[] = [];
    for (let i = 0; i < 200; i++) lines.push(assistant({ messageId: `m${i}`, input: 1000, content: [{ type: 'text', text: 'z'.repeat(2000) }] }));
    const file = writeTranscript(lines);
    const cache = tempDir();
    const first = sessionCost(file, 'sess-1', pricer, cache, 100_000);
    assert.equal(first.complete, false);
    assert.ok(first.requests > 0 && first.requests < 200);
    let c = first;
    for (let i = 0; i < 20 && !c.complete; i++) c = sessionCost(file, 'sess-1', pricer, cache, 100_000);
    assert.equal(c.complete, true);
    assert.equal(c.requests, 200);
    assert.equal(c.costNanos, 200 * 1000 * 3000);
  });

  test('a replaced (shorter) file is counted again from the start', () => {
    const cache = tempDir();
    const file = writeTranscript([assistant({ messageId: 'm1', input: 1000 }), assistant({ messageId: 'm2', input: 1000 })]);
    assert.equal(sessionCost(file, 'sess-1', pricer, cache).requests, 2);
    fs.writeFileSync(file, jsonl([assistant({ messageId: 'm3', input: 10 })]));
    const c = sessionCost(file, 'sess-1', pricer, cache);
    assert.equal(c.requests, 1);
    assert.equal(c.costNanos, 10 * 3000);
  });
});

describe('runStatusLine', () => {
  test('wraps the user\'s command with the same stdin; fails open on a broken one', async () => {
    const { paths } = userHome({ snapshot: snapshot({ cycleEnd: new Date(Date.now() + 86_400_000).toISOString() }) });
    const file = writeTranscript([contextTurn(50_000, { model: SONNET_45 })]);
    const stdin = statusLineInput({ transcriptPath: file });
    const out = await runStatusLine(stdin, { wrap: `node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log('theirs:'+JSON.parse(s).model.id))"`, color: false }, { paths, env: process.env });
    assert.match(out, /^theirs:claude-sonnet-4-5-20250929 │ Sonnet 4\.5 · ctx 50K\/200K \(25%\) · session \$\S+ list · \$63\.20 left$/);
    const broken = await runStatusLine(stdin, { wrap: 'exit 3', color: false }, { paths, env: process.env });
    assert.match(broken, /^Sonnet 4\.5 · ctx 50K/);
    // bad stdin says so, where the user looks, instead of a balance
    assert.equal(await runStatusLine('nonsense', { color: false }, { paths, env: process.env }), 'credit-ledger statusline: no status-line JSON from Claude Code on stdin (got something else)');
    assert.equal(await runStatusLine('', { color: false }, { paths, env: process.env }), 'credit-ledger statusline: no status-line JSON from Claude Code on stdin (got nothing)');
    assert.match(await runStatusLine('{"unrelated": true}', { color: false }, { paths, env: process.env }), /^credit-ledger statusline: no status-line JSON/);
  });

  test('model, context % of the window and today\'s spend (from a snapshot written today)', async () => {
    const { paths } = userHome({ snapshot: { ...snapshot({ cycleEnd: new Date(Date.now() + 86_400_000).toISOString() }), stampedAt: new Date().toISOString(), timezone: 'UTC', spentTodayNanos: 1_230_000_000 } });
    const file = writeTranscript([contextTurn(50_000, { model: SONNET_45 })]);
    const out = await runStatusLine(JSON.stringify({ session_id: 'sess-1', transcript_path: file, model: { id: 'claude-opus-4-6[1m]' }, context_window: { context_window_size: 1_000_000 } }), { color: false }, { paths, env: process.env });
    assert.match(out, /^opus-4\.6 · ctx 50K \(5%\) · session \$\S+ list · today \$1\.23 headless · \$63\.20 left$/);
  });

  test('a wrapped command that hangs is cut off', async () => {
    const logs: string[] = [];
    const started = Date.now();
    const out = await runWrapped('sleep 5; echo late', '{}', process.env, (m) => logs.push(m), 300);
    assert.equal(out, '');
    assert.ok(Date.now() - started < 2000);
    assert.match(logs.join('\n'), /timed out/);
  });
});
