// The parse spread over worker threads (a large first ingest) gives the same batch as one thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { discover, resolveConfigDirs } from '../../src/core/transcripts/discovery';
import { newFileParseState } from '../../src/core/transcripts/lineParser';
import { parseFiles } from '../../src/core/transcripts/parseFiles';
import { parseInWorkers, splitJobs } from '../../src/core/transcripts/workerPool';
import { assistant, configDir, jsonl, user } from './builders';

const script = path.resolve(__dirname, '../../dist/ingest-worker.js');

test('two worker threads parse to the same requests, events and sessions as one thread; a session stays in one worker', { skip: fs.existsSync(script) ? false : 'dist/ingest-worker.js not built (npm test builds it first)' }, async () => {
  const files: Record<string, string> = {};
  for (let s = 0; s < 8; s++) {
    const sid = `sess-${s}`;
    const lines: unknown[] = [user(`task ${s}`, { sessionId: sid })];
    for (let i = 0; i < 20; i++) {
      // streamed copies: a stale output first, then the final one
      lines.push(assistant({ sessionId: sid, messageId: `m${s}-${i}`, output: 1, stopReason: null, content: [{ type: 'thinking', thinking: 'x'.repeat(i), signature: 's' }] }));
      lines.push(assistant({ sessionId: sid, messageId: `m${s}-${i}`, input: 100 + i, output: 50 + i, cacheRead: 1000 * i }));
    }
    files[`p${s % 3}/${sid}.jsonl`] = jsonl(lines);
    files[`p${s % 3}/${sid}/subagents/agent-a${s}.jsonl`] = jsonl([assistant({ sessionId: sid, agentId: `a${s}`, isSidechain: true, messageId: `sub${s}`, output: 7 })]);
  }
  const found = discover(resolveConfigDirs([configDir(files)]));
  const jobs = found.files.map((f) => ({ path: f.path, from: 0, state: newFileParseState(), projectKey: f.projectKey, agentId: f.agentId, bytes: f.size }));
  const groupOf = new Map<string, number>();
  splitJobs(jobs, 2).forEach((group, g) => {
    for (const j of group) {
      const session = j.path.includes('/subagents/') ? j.path.slice(0, j.path.indexOf('/subagents/')) : j.path.replace(/\.jsonl$/, '');
      assert.equal(groupOf.get(session) ?? g, g, `${session} split across workers`);
      groupOf.set(session, g);
    }
  });
  assert.equal(new Set(groupOf.values()).size, 2);
  const one = parseFiles(jobs, false);
  const two = await parseInWorkers(script, jobs, false, 2);
  const norm = (b: typeof one): unknown => [...b.turns.values()].map((t) => [t.key, t.sessionId, t.input, t.output, t.cacheRead, t.thinkingChars, t.agentId]).sort();
  assert.deepEqual(norm(two), norm(one));
  assert.equal(two.turns.size, 8 * 21);
  assert.equal(two.sessions.size, one.sessions.size);
  assert.deepEqual(two.files.map((f) => f.endOffset).sort(), one.files.map((f) => f.endOffset).sort());
  // this thread parsing one share while one worker parses the other: the same batch again
  let bytes = 0;
  const shared = await parseInWorkers(script, jobs, false, 2, (b) => (bytes += b), true);
  assert.deepEqual(norm(shared), norm(one));
  assert.equal(shared.sessions.size, one.sessions.size);
  assert.deepEqual(shared.files.map((f) => f.endOffset).sort(), one.files.map((f) => f.endOffset).sort());
  assert.equal(bytes, jobs.reduce((s, j) => s + j.bytes, 0), 'progress covers both shares');
});
