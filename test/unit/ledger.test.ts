import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ledger } from '../../src/core/ledger/ledger';
import { acquireLock } from '../../src/core/ledger/store';
import { writeFileAtomic } from '../../src/core/state/atomicFile';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { discover, resolveConfigDirs } from '../../src/core/transcripts/discovery';
import { dailyReport, sessionReport } from '../../src/core/reports/usage';
import { assistant, configDir, jsonl, queueOperation, tempDir, user, writeProjectFile } from './builders';

const pricer = createPricer(loadRateCard());

async function ingestDir(root: string, file?: string, allowLabels = false): Promise<Ledger> {
  const ledger = await Ledger.open({ file, pricer, allowLabels });
  ledger.ingest(resolveConfigDirs([root]));
  return ledger;
}

function rows(ledger: Ledger): Record<string, unknown>[] {
  const r = ledger.db.exec('SELECT key, session_id, agent_id, input, output, cw5m, cw1h, cr, cost_nanos, priced, text_chars, tool_chars, thinking_chars, tools, stop_reason, entrypoint, prompt_source FROM requests ORDER BY ts, offset');
  if (!r.length) return [];
  return r[0].values.map((v) => Object.fromEntries(r[0].columns.map((c, i) => [c, v[i]])));
}

function events(ledger: Ledger, kind: string): Record<string, unknown>[] {
  const r = ledger.db.exec('SELECT id, session_id, data FROM events WHERE kind = ? ORDER BY ts, offset', [kind]);
  if (!r.length) return [];
  return r[0].values.map((v) => ({ id: v[0], session: v[1], ...JSON.parse(String(v[2])) }));
}

describe('parser rules', () => {
  test('counts only top-level assistant lines with usage, tolerant of spacing and key order', async () => {
    const a = assistant({ messageId: 'm1', input: 10, output: 20 });
    const reordered = Object.fromEntries(Object.entries(assistant({ messageId: 'm2', input: 1, output: 2 })).reverse());
    const root = configDir({
      'p/s.jsonl':
        jsonl([user('hello'), a]) +
        jsonl([reordered], true) +
        jsonl([{ type: 'summary', summary: 'x', message: { usage: { input_tokens: 999 } } }, { type: 'user', message: { role: 'user', content: 'x', usage: { input_tokens: 5 } } }]),
    });
    const l = await ingestDir(root);
    const r = rows(l);
    assert.equal(r.length, 2);
    assert.deepEqual(r.map((x) => [x.key, x.input, x.output]), [['m1:req_m1', 10, 20], ['m2:req_m2', 1, 2]]);
  });

  test('dedups streamed copies on message.id + requestId keeping the copy with the most tokens, never the first', async () => {
    const root = configDir({
      'p/s.jsonl': jsonl([
        assistant({ messageId: 'm1', input: 5, cacheRead: 100, output: 1, content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }], stopReason: null }),
        assistant({ messageId: 'm1', input: 5, cacheRead: 100, output: 1, content: [{ type: 'text', text: 'hello world' }], stopReason: null }),
        assistant({ messageId: 'm1', input: 5, cacheRead: 100, output: 250, content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }] }),
      ]),
    });
    const l = await ingestDir(root);
    const r = rows(l);
    assert.equal(r.length, 1);
    assert.equal(r[0].output, 250);
    assert.equal(r[0].stop_reason, 'end_turn');
    // content summed over the copies (each carries one block)
    assert.equal(r[0].text_chars, 'hello world'.length);
    assert.equal(r[0].thinking_chars, 3);
    assert.equal(r[0].tool_chars, JSON.stringify({ command: 'ls' }).length);
    assert.match(String(r[0].tools), /^Bash#[0-9a-f]{12}$/);
  });

  test('dedups on message.id alone when requestId is missing (behind proxies)', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', requestId: null, output: 3 }), assistant({ messageId: 'm1', requestId: null, output: 9 })]) });
    const r = rows(await ingestDir(root));
    assert.deepEqual(r.map((x) => [x.key, x.output]), [['m1', 9]]);
  });

  test('drops /btw sidechain replays of a main-chain message', async () => {
    const root = configDir({
      'p/s.jsonl': jsonl([assistant({ messageId: 'm1', requestId: 'r1', input: 100, output: 10 }), assistant({ messageId: 'm1', requestId: 'r2', input: 100, output: 10, isSidechain: true })]),
    });
    const r = rows(await ingestDir(root));
    assert.deepEqual(r.map((x) => x.key), ['m1:r1']);
  });

  test('drops a /btw replay that arrives in a later ingest', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', requestId: 'r1', output: 10 })]) });
    const l = await ingestDir(root);
    fs.appendFileSync(path.join(root, 'projects/p/s.jsonl'), jsonl([assistant({ messageId: 'm1', requestId: 'r2', output: 10, isSidechain: true })]));
    l.ingest(resolveConfigDirs([root]));
    assert.deepEqual(rows(l).map((x) => x.key), ['m1:r1']);
  });

  test('counts progress-embedded subagent messages only through the dedup', async () => {
    const sub = assistant({ messageId: 'sm1', requestId: 'sr1', cacheRead: 1000, output: 4, isSidechain: true, agentId: 'a1' });
    const progress = { type: 'progress', sessionId: 'sess-1', timestamp: '2026-11-20T10:00:01.000Z', data: { type: 'agent_progress', agentId: 'a1', message: { ...sub } } };
    // With the subagent's file present: no double count.
    const withFile = configDir({ 'p/sess-1.jsonl': jsonl([progress]), 'p/sess-1/subagents/agent-a1.jsonl': jsonl([sub]) });
    const r1 = rows(await ingestDir(withFile));
    assert.equal(r1.length, 1);
    assert.equal(r1[0].agent_id, 'a1');
    // Without it: the echo recovers the cost.
    const without = configDir({ 'p/sess-1.jsonl': jsonl([progress]) });
    const r2 = rows(await ingestDir(without));
    assert.equal(r2.length, 1);
    assert.equal(r2[0].cr, 1000);
    assert.equal(r2[0].session_id, 'sess-1');
  });

  test('attributes a request copied into a fork to the session that made it', async () => {
    const original = assistant({ sessionId: 'orig', messageId: 'm1', input: 50, output: 5, entrypoint: 'cli' });
    const forkCopy = { ...assistant({ sessionId: 'fork', messageId: 'm1', input: 50, output: 5, entrypoint: 'sdk-cli' }), uuid: original.uuid, timestamp: original.timestamp };
    const forkOwn = assistant({ sessionId: 'fork', messageId: 'm2', input: 60, output: 6, entrypoint: 'sdk-cli', timestamp: '2026-11-20T11:00:00.000Z' });
    // The fork file sorts first on disk: attribution must not depend on file order.
    const root = configDir({ 'p/aaa-fork.jsonl': jsonl([forkCopy, forkOwn]), 'p/zzz-orig.jsonl': jsonl([original]) });
    const r = rows(await ingestDir(root));
    assert.deepEqual(r.map((x) => [x.key, x.session_id]), [['m1:req_m1', 'orig'], ['m2:req_m2', 'fork']]);
  });

  test('skips <synthetic> and API error messages', async () => {
    const root = configDir({
      'p/s.jsonl': jsonl([assistant({ messageId: 'm1', model: '<synthetic>', output: 5 }), assistant({ messageId: 'm2', output: 5, isApiErrorMessage: true }), assistant({ messageId: 'm3', output: 5 })]),
    });
    assert.deepEqual(rows(await ingestDir(root)).map((x) => x.key), ['m3:req_m3']);
  });

  test('splits cache writes into 5m and 1h, and prices both', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', write5m: 1000, write1h: 2000 }), assistant({ messageId: 'm2', cacheWrite: 500 })]) });
    const r = rows(await ingestDir(root));
    assert.deepEqual([r[0].cw5m, r[0].cw1h], [1000, 2000]);
    assert.deepEqual([r[1].cw5m, r[1].cw1h], [500, 0]); // no split: the 5-minute rate
    // Sonnet 4.5: 1000 * $3.75/M + 2000 * $6/M = $0.00375 + $0.012
    assert.equal(r[0].cost_nanos, 15_750_000);
  });

  test('keeps an unknown model as unpriced with its tokens, never $0', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', model: 'claude-zeta-9', input: 1234, output: 10 })]) });
    const l = await ingestDir(root);
    const r = rows(l);
    assert.equal(r[0].priced, 0);
    const report = dailyReport(l.db, { timezone: 'UTC' });
    assert.equal(report.totals.unpriced.requests, 1);
    assert.equal(report.totals.unpriced.tokens, 1244);
    assert.deepEqual(report.totals.unpriced.models, ['claude-zeta-9']);
  });

  test('holds back an unterminated last line until it is complete', async () => {
    const full = JSON.stringify(assistant({ messageId: 'm2', output: 7 }));
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', output: 1 })]) + full.slice(0, 40) });
    const l = await ingestDir(root);
    assert.equal(rows(l).length, 1);
    assert.equal(l.meta('x'), undefined);
    fs.appendFileSync(path.join(root, 'projects/p/s.jsonl'), full.slice(40) + '\n');
    const rep = l.ingest(resolveConfigDirs([root]));
    assert.equal(rep.malformedLines, 0);
    assert.deepEqual(rows(l).map((x) => [x.key, x.output]), [['m1:req_m1', 1], ['m2:req_m2', 7]]);
  });

  test('records promptSource and turnOrigin of the prompt a request answers', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([user('run it', { promptSource: 'sdk', turnOrigin: 'scheduled' }), assistant({ messageId: 'm1', entrypoint: 'sdk-cli' })]) });
    const r = rows(await ingestDir(root));
    assert.equal(r[0].prompt_source, 'sdk');
    assert.equal(r[0].entrypoint, 'sdk-cli');
  });
});

describe('events and sessions', () => {
  test('stores Task results, cost-state, compact boundaries, failed tool results and loop tools', async () => {
    const taskCall = assistant({ messageId: 'm1', content: [{ type: 'tool_use', id: 'toolu_task', name: 'Task', input: { prompt: 'go' } }] });
    const taskResult = user([{ type: 'tool_result', tool_use_id: 'toolu_task', content: 'done' }], {
      toolUseResult: { agentId: 'a9', status: 'completed', totalTokens: 5000, totalDurationMs: 1000, totalToolUseCount: 3, usage: { input_tokens: 1, output_tokens: 997, cache_read_input_tokens: 4000 } },
    });
    const bash = assistant({ messageId: 'm2', content: [{ type: 'tool_use', id: 'toolu_bash', name: 'Bash', input: { command: 'npm test' } }] });
    const failed = user([{ type: 'tool_result', tool_use_id: 'toolu_bash', content: 'exit 1', is_error: true }]);
    const wake = assistant({ messageId: 'm3', content: [{ type: 'tool_use', id: 'toolu_wake', name: 'ScheduleWakeup', input: { delaySeconds: 60 } }] });
    const loopCmd = user('<command-name>/loop</command-name> check CI');
    const compact = { type: 'system', subtype: 'compact_boundary', sessionId: 'sess-1', uuid: 'cb1', timestamp: '2026-11-20T10:05:00.000Z', compactMetadata: { trigger: 'auto', preTokens: 150000, postTokens: 20000 } };
    const cost = { type: 'cost-state', sessionId: 'sess-1', totalCostUSD: 1.5, modelUsage: { 'claude-haiku-4-5': { inputTokens: 100, outputTokens: 50, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, webSearchRequests: 0, costUSD: 0.01 } } };
    const root = configDir({ 'p/sess-1.jsonl': jsonl([user('start'), taskCall, taskResult, bash, failed, wake, loopCmd, compact, cost]) });
    const l = await ingestDir(root);
    const tasks = events(l, 'task-result');
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0].subagentId, 'a9');
    assert.equal((tasks[0].usage as { output: number }).output, 997);
    const errors = events(l, 'tool-error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].tool, 'Bash');
    assert.match(String(errors[0].inputHash), /^[0-9a-f]{12}$/);
    assert.deepEqual(events(l, 'loop-marker').map((e) => e.marker).sort(), ['/loop', 'ScheduleWakeup']);
    const compacts = events(l, 'compact');
    assert.deepEqual([compacts[0].trigger, compacts[0].preTokens, compacts[0].postTokens], ['auto', 150000, 20000]);
    const costs = events(l, 'cost-state');
    assert.equal(costs[0].totalCostUSD, 1.5);
    // Re-reading the same file adds no duplicate events.
    fs.writeFileSync(path.join(root, 'projects/p/sess-1.jsonl'), fs.readFileSync(path.join(root, 'projects/p/sess-1.jsonl')));
    l.ingest(resolveConfigDirs([root]));
    assert.equal(events(l, 'cost-state').length, 1);
  });

  test('stores a hash of the first prompt, and its label only when labels are allowed', async () => {
    const root = configDir({ 'p/sess-1.jsonl': jsonl([queueOperation(), user('Nightly:   summarize the logs'), assistant({ messageId: 'm1' })]) });
    const noLabels = await ingestDir(root);
    const s = noLabels.db.exec('SELECT first_prompt_hash, label, queue_op FROM sessions')[0].values[0];
    assert.match(String(s[0]), /^[0-9a-f]{16}$/);
    assert.equal(s[1], '');
    assert.equal(s[2], 1);
    const withLabels = await ingestDir(root, undefined, true);
    assert.equal(withLabels.db.exec('SELECT label FROM sessions')[0].values[0][0], 'Nightly: summarize the logs');
  });
});

describe('incremental ingest', () => {
  test('reads only appended bytes; a replaced or truncated file is re-read without double counting; deleted files keep their requests', async () => {
    const root = configDir({ 'p/a.jsonl': jsonl([assistant({ messageId: 'm1', output: 1 })]), 'p/b.jsonl': jsonl([assistant({ messageId: 'm2', output: 2 })]) });
    const l = await ingestDir(root);
    const again = l.ingest(resolveConfigDirs([root]));
    assert.equal(again.filesRead, 0);
    assert.equal(again.filesUnchanged, 2);
    const aPath = path.join(root, 'projects/p/a.jsonl');
    const before = fs.statSync(aPath).size;
    fs.appendFileSync(aPath, jsonl([assistant({ messageId: 'm3', output: 3 })]));
    const appended = l.ingest(resolveConfigDirs([root]));
    assert.equal(appended.filesRead, 1);
    assert.equal(appended.bytesRead, fs.statSync(aPath).size - before);
    // replace a.jsonl by a new file holding the same requests plus one more
    fs.rmSync(aPath);
    fs.writeFileSync(aPath, jsonl([assistant({ messageId: 'm1', output: 1 }), assistant({ messageId: 'm3', output: 3 }), assistant({ messageId: 'm4', output: 4 })]));
    const replaced = l.ingest(resolveConfigDirs([root]));
    assert.equal(replaced.filesReread, 1);
    assert.deepEqual(rows(l).map((r) => r.key).sort(), ['m1:req_m1', 'm2:req_m2', 'm3:req_m3', 'm4:req_m4']);
    // truncate: same identity, shorter
    fs.truncateSync(aPath, 10);
    l.ingest(resolveConfigDirs([root]));
    // delete b.jsonl: its request stays
    fs.rmSync(path.join(root, 'projects/p/b.jsonl'));
    l.ingest(resolveConfigDirs([root]));
    assert.equal(rows(l).length, 4);
  });

  test('sums content of one request whose copies arrive in different ingests', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', output: 1, stopReason: null, content: [{ type: 'text', text: 'abcdef' }] })]) });
    const l = await ingestDir(root);
    fs.appendFileSync(path.join(root, 'projects/p/s.jsonl'), jsonl([assistant({ messageId: 'm1', output: 40, content: [{ type: 'tool_use', id: 't1', name: 'Read', input: { file_path: '/x' } }] })]));
    l.ingest(resolveConfigDirs([root]));
    const r = rows(l);
    assert.equal(r.length, 1);
    assert.equal(r[0].output, 40);
    assert.equal(r[0].text_chars, 6);
    assert.equal(r[0].tool_chars, JSON.stringify({ file_path: '/x' }).length);
  });
});

describe('malformed input', () => {
  test('random bytes, wrong types, absurd numbers and huge lines are skipped and counted; nothing throws', async () => {
    const random = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256));
    const wrongTypes = { type: 'assistant', message: { id: 7, model: 42, usage: { input_tokens: 'ten', output_tokens: -5, cache_read_input_tokens: 1e300 } }, timestamp: 'yesterday' };
    const noId = { type: 'assistant', message: { model: 'claude-sonnet-4-5', usage: { input_tokens: 1 } } };
    const huge = user([{ type: 'tool_result', tool_use_id: 'x', content: 'y'.repeat(3_000_000) }]);
    const hugeAssistant = assistant({ messageId: 'big', output: 5, content: [{ type: 'tool_use', id: 'tw', name: 'Write', input: { content: 'z'.repeat(2_000_000) } }] });
    const root = configDir({
      'p/s.jsonl': Buffer.concat([Buffer.from(jsonl([assistant({ messageId: 'm1', output: 1 })])), random, Buffer.from('\n' + jsonl([wrongTypes, noId, huge, hugeAssistant, [1, 2], 'str', null]) + '{"type":"assistant"\n')]).toString('latin1'),
    });
    const l = await ingestDir(root);
    const report = l.ingest(resolveConfigDirs([root]));
    assert.equal(report.malformedLines, 0); // second ingest: nothing new
    const r = rows(l);
    assert.deepEqual(r.map((x) => x.key).sort(), ['big:req_big', 'm1:req_m1']);
    const big = r.find((x) => x.key === 'big:req_big')!;
    assert.ok(Number(big.tool_chars) > 2_000_000);
    const files = l.db.exec('SELECT malformed FROM files')[0].values[0][0];
    assert.ok(Number(files) >= 4, `malformed lines counted: ${files}`);
  });

  test('absurd or negative token counts are no request: rejected and counted, never clamped and priced', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', input: -5, output: 10 }), assistant({ messageId: 'm2', output: 1e15 }), assistant({ messageId: 'm3', input: 7, output: 3 })]) });
    const l = await Ledger.open({ pricer });
    const report = l.ingest(resolveConfigDirs([root]));
    assert.deepEqual(rows(l).map((x) => [x.key, x.input, x.output]), [['m3:req_m3', 7, 3]]);
    assert.equal(report.rejectedRequests, 2);
    assert.equal(report.malformedLines, 2);
    assert.match(report.malformedSamples[0]!.reason, /^rejected usage: input_tokens is not a token count \(-5\)$/);
    assert.match(report.malformedSamples[1]!.reason, /^rejected usage: 1\.00e\+15 tokens in one request, more than claude-sonnet-4-5-20250929 can carry \(1,064,000\)$/);
  });

  test('a file replaced mid-ingest does not break the ingest', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1' })]) });
    const l = await Ledger.open({ pricer });
    const dirs = resolveConfigDirs([root]);
    const found = discover(dirs);
    fs.rmSync(path.join(root, 'projects/p/s.jsonl'));
    const rep = l.ingestFiles(found.files);
    assert.equal(rep.problems.length, 1);
    assert.match(rep.problems[0].problem, /read failed: ENOENT/);
  });
});

describe('discovery', () => {
  test('finds subagents/, workflows/ and flat agent files; CLAUDE_CONFIG_DIR lists; projects/ entries; symlink loops reported', async () => {
    const root = configDir({
      'p/sess.jsonl': jsonl([assistant({ messageId: 'm1' })]),
      'p/agent-abc.jsonl': jsonl([assistant({ messageId: 'm2', isSidechain: true })]),
      'p/sess/subagents/agent-def.jsonl': jsonl([assistant({ messageId: 'm3', isSidechain: true })]),
      'p/sess/subagents/workflows/wf_1/agent-ghi.jsonl': jsonl([assistant({ messageId: 'm4', isSidechain: true })]),
    });
    fs.symlinkSync(path.join(root, 'projects', 'p'), path.join(root, 'projects', 'p', 'sess', 'loop'));
    const other = configDir({ 'q/x.jsonl': jsonl([assistant({ messageId: 'm5' })]) });
    const dirs = resolveConfigDirs(undefined, { CLAUDE_CONFIG_DIR: `${root}, ${path.join(other, 'projects')}` }, '/nonexistent');
    assert.equal(dirs.length, 2);
    const l = await Ledger.open({ pricer });
    const rep = l.ingest(dirs);
    assert.ok(rep.problems.some((p) => /symlink loop/.test(p.problem)));
    const r = rows(l);
    assert.equal(r.length, 5);
    assert.deepEqual(r.filter((x) => x.agent_id).map((x) => x.agent_id).sort(), ['abc', 'def', 'ghi']);
  });

  test('defaults to ~/.config/claude and ~/.claude', () => {
    const dirs = resolveConfigDirs(undefined, {}, '/home/u');
    assert.deepEqual(dirs.map((d) => d.projects), ['/home/u/.config/claude/projects', '/home/u/.claude/projects']);
  });
});

describe('persistence', () => {
  test('saves atomically, keeps the previous copy, and rebuilds a corrupt file from the last good copy', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'ledger.sqlite');
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1' })]) });
    const l1 = await ingestDir(root, file);
    l1.save();
    l1.close();
    const l2 = await ingestDir(root, file);
    fs.appendFileSync(path.join(root, 'projects/p/s.jsonl'), jsonl([assistant({ messageId: 'm2' })]));
    l2.ingest(resolveConfigDirs([root]));
    l2.save();
    l2.close();
    assert.ok(fs.existsSync(`${file}.prev`));
    fs.writeFileSync(file, 'this is not a database');
    const l3 = await Ledger.open({ file, pricer });
    assert.match(l3.recovered ?? '', /could not be read.*set aside.*last good copy/s);
    assert.ok(fs.readdirSync(dir).some((f) => f.includes('.corrupt-')));
    l3.ingest(resolveConfigDirs([root]));
    assert.equal(rows(l3).length, 2);
    l3.close();
  });

  test('a ledger written by a newer Credit Ledger is refused with a clear message, never set aside', async () => {
    const file = path.join(tempDir(), 'ledger.sqlite');
    const l = await Ledger.open({ file, pricer });
    l.setMeta('schema_version', '999');
    l.save();
    l.close();
    const before = fs.readFileSync(file);
    await assert.rejects(Ledger.open({ file, pricer }), /newer Credit Ledger \(schema 999/);
    assert.deepEqual(fs.readFileSync(file), before);
    assert.ok(!fs.readdirSync(path.dirname(file)).some((f) => f.includes('.corrupt-')));
  });

  test('one writer per file: a second opener reads without writing', async () => {
    const file = path.join(tempDir(), 'ledger.sqlite');
    const a = await Ledger.open({ file, pricer });
    const b = await Ledger.open({ file, pricer });
    assert.equal(a.readOnly, false);
    assert.equal(b.readOnly, true);
    a.close();
    b.close();
    const c = await Ledger.open({ file, pricer });
    assert.equal(c.readOnly, false);
    c.close();
  });

  test('an open that fails while repricing releases the lock and keeps the stored prices', async () => {
    const file = path.join(tempDir(), 'ledger.sqlite');
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', input: 1000 })]) });
    const l1 = await ingestDir(root, file);
    const stored = rows(l1)[0].cost_nanos;
    l1.save();
    l1.close();
    const throwing = { fingerprint: 'other', price: (): never => { throw new Error('bad rate card'); } };
    await assert.rejects(Ledger.open({ file, pricer: throwing }), /bad rate card/);
    assert.ok(!fs.existsSync(`${file}.lock`), 'no lock left behind by the failed open');
    const l2 = await Ledger.open({ file, pricer });
    assert.equal(l2.readOnly, false);
    assert.equal(rows(l2)[0].cost_nanos, stored);
    l2.close();
  });

  test('a lock file whose owner has not written its pid yet is not taken as stale', () => {
    const file = path.join(tempDir(), 'ledger.sqlite');
    fs.writeFileSync(`${file}.lock`, '');
    assert.equal(acquireLock(file), undefined, 'a fresh empty lock is held');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${file}.lock`, old, old);
    const release = acquireLock(file);
    assert.ok(release, 'an empty lock left long ago by a crash is reclaimed');
    release();
  });

  test('a failed atomic write leaves the target and no temp file behind', () => {
    const dir = tempDir();
    const target = path.join(dir, 'busy');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'inside'), 'x'); // renaming a file over a non-empty folder fails
    assert.throws(() => writeFileAtomic(target, 'data'));
    assert.deepEqual(fs.readdirSync(dir), ['busy']);
  });

  test('re-prices stored requests when rate overrides change', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', model: 'claude-zeta-9', input: 1_000_000 })]) });
    const l = await ingestDir(root);
    assert.equal(rows(l)[0].priced, 0);
    l.setPricer(createPricer(loadRateCard(), { 'claude-zeta-9': { input: 2, output: 10 } }));
    assert.equal(rows(l)[0].priced, 1);
    assert.equal(rows(l)[0].cost_nanos, 2_000_000_000);
  });
});

describe('how sure a price is (price_flags)', () => {
  const flags = (l: Ledger): Record<string, number> => {
    const r = l.db.exec('SELECT msg_id, price_flags FROM requests');
    return Object.fromEntries((r[0]?.values ?? []).map((v) => [String(v[0]), Number(v[1])]));
  };

  test('an estimate (newer family member) and a fast request with no fast rate are stored marked; exact prices replace them on reprice', async () => {
    const root = configDir({
      'p/s.jsonl': jsonl([
        assistant({ messageId: 'exact', model: 'claude-fable-5-2', input: 1000 }),
        assistant({ messageId: 'estimate', model: 'claude-fable-5-3', input: 1000 }),
      ]),
    });
    const l = await ingestDir(root);
    assert.deepEqual(flags(l), { exact: 0, estimate: 1 });
    assert.deepEqual(rows(l).map((r) => r.priced), [1, 1], 'an estimate counts as priced');
    l.setPricer(createPricer(loadRateCard(), { 'claude-fable-5-3': { input: 8, output: 40, cacheWrite5m: 10, cacheWrite1h: 16, cacheRead: 0.2 } }));
    assert.deepEqual(flags(l), { exact: 0, estimate: 0 });
    // A fast request on a row with no fast rate: the stored figure is a lower bound.
    l.db.run("UPDATE requests SET speed = 'fast'");
    l.setPricer(createPricer(loadRateCard()));
    assert.deepEqual(flags(l), { exact: 2, estimate: 3 });
    l.close();
  });

  test('a schema 3 ledger gains the column and its rows are repriced into it', async () => {
    const file = path.join(tempDir(), 'ledger.sqlite');
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', model: 'claude-opus-6', input: 1000 })]) });
    const l1 = await ingestDir(root, file);
    // Make it look like a ledger written before schema 4 and before the estimate rules.
    l1.db.run('ALTER TABLE requests DROP COLUMN price_flags');
    l1.db.run("UPDATE requests SET priced = 0, cost_nanos = 0");
    l1.setMeta('schema_version', '3');
    l1.setMeta('pricing_fingerprint', 'old-card');
    l1.save();
    l1.close();
    const l2 = await Ledger.open({ file, pricer });
    assert.equal(l2.meta('schema_version'), '4');
    assert.deepEqual(flags(l2), { m1: 1 });
    assert.equal(rows(l2)[0].cost_nanos, 1000 * 4000, 'estimated at Opus 5.5');
    l2.close();
  });
});

describe('reports', () => {
  test('daily and session reports in the ccusage shape, days in the requested time zone', async () => {
    const root = configDir({
      'p/s1.jsonl': jsonl([assistant({ sessionId: 's1', messageId: 'm1', input: 1000, output: 100, timestamp: '2026-11-20T23:30:00.000Z' })]),
      'p/s1/subagents/agent-x.jsonl': jsonl([assistant({ sessionId: 's1', agentId: 'x', isSidechain: true, messageId: 'm2', input: 10, output: 1, model: 'claude-haiku-4-5-20251001', timestamp: '2026-11-21T00:30:00.000Z' })]),
    });
    const l = await ingestDir(root);
    const utc = dailyReport(l.db, { timezone: 'UTC' });
    assert.deepEqual(utc.daily.map((d) => d.date), ['2026-11-20', '2026-11-21']);
    const berlin = dailyReport(l.db, { timezone: 'Europe/Berlin' });
    assert.deepEqual(berlin.daily.map((d) => d.date), ['2026-11-21']);
    const day = berlin.daily[0];
    for (const k of ['inputTokens', 'outputTokens', 'cacheCreationTokens', 'cacheReadTokens', 'totalTokens', 'totalCost', 'modelsUsed', 'modelBreakdowns']) assert.ok(k in day, k);
    assert.deepEqual(Object.keys(day.modelBreakdowns[0]).slice(0, 6).sort(), ['cacheCreationTokens', 'cacheReadTokens', 'cost', 'inputTokens', 'modelName', 'outputTokens']);
    assert.equal(berlin.totals.totalTokens, 1111);
    const sessions = sessionReport(l.db, { timezone: 'UTC' });
    assert.equal(sessions.sessions.length, 1); // the subagent file folds into its session
    assert.equal(sessions.sessions[0].sessionId, 's1');
    assert.deepEqual(sessions.sessions[0].modelsUsed.sort(), ['claude-haiku-4-5-20251001', 'claude-sonnet-4-5-20250929']);
    const since = dailyReport(l.db, { timezone: 'UTC', since: '2026-11-21' });
    assert.equal(since.daily.length, 1);
  });

  test('long context is priced per request (ccusage tiers per token bucket instead): the whole request at premium', async () => {
    // 150K input + 60K cache read = 210K > 200K: the whole request at $6 / $22.50 (and $0.60 cache reads)
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', input: 150_000, cacheRead: 60_000, output: 1000 })]) });
    const r = rows(await ingestDir(root));
    assert.equal(r[0].cost_nanos, 150_000 * 6000 + 60_000 * 600 + 1000 * 22_500);
  });

  test('web search is charged at $10 per 1,000 (ccusage ignores it)', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', input: 0, output: 0, webSearches: 3 })]) });
    assert.equal(rows(await ingestDir(root))[0].cost_nanos, 30_000_000);
  });
});

describe('shared corpus', () => {
  const corpus = path.resolve(__dirname, '../../../shared/corpus');
  const present = fs.existsSync(path.join(corpus, 'projects'));
  test('token totals per model and costs equal ccusage daily (20.0.24) on ../shared/corpus', { skip: present ? false : `corpus not found at ${corpus}` }, async () => {
    const l = await ingestDir(corpus);
    const report = dailyReport(l.db, { timezone: 'UTC' });
    const per = new Map<string, number[]>();
    for (const d of report.daily) for (const m of d.modelBreakdowns) {
      const x = per.get(m.modelName) ?? [0, 0, 0, 0, 0];
      per.set(m.modelName, [x[0] + m.inputTokens, x[1] + m.outputTokens, x[2] + m.cacheCreationTokens, x[3] + m.cacheReadTokens, x[4] + m.cost]);
    }
    // Figures printed by `ccusage claude daily --json --offline` 20.0.24 on the same folder.
    const ccusage: Record<string, number[]> = {
      'claude-haiku-4-5-20251001': [12791, 597, 26106, 150890, 0.083077],
      'claude-opus-4-5-20251101': [10959, 1766, 46647, 520115, 0.65054625],
      'claude-opus-4-6': [1816, 40716, 409334, 15465407, 12.8530235],
      'claude-sonnet-4-20250514': [1040, 56515, 198421, 4075332, 2.81752335],
      'claude-sonnet-4-5-20250929': [30, 300, 55318, 59436, 0.3247593],
    };
    assert.deepEqual([...per.keys()].sort(), Object.keys(ccusage).sort());
    for (const [model, want] of Object.entries(ccusage)) {
      const got = per.get(model)!;
      assert.deepEqual(got.slice(0, 4), want.slice(0, 4), model);
      assert.ok(Math.abs(got[4] - want[4]) < 1e-6, `${model} cost ${got[4]} vs ${want[4]}`);
    }
    assert.equal(report.totals.totalTokens, 21133536);
    // spotter/subagent.jsonl's subagent file is absent: its 5 requests come from progress echoes.
    const echoed = l.db.exec(`SELECT count(*), sum(cr) FROM requests WHERE progress = 1`)[0].values[0];
    assert.deepEqual(echoed.map(Number), [5, 95343]);
  });
});

void writeProjectFile;
