// Reading `claude -p` output: the captured outputs in ../shared/corpus/claude-p-output (read from there, never copied),
// and what terminals and pipes do to output: escape sequences, CRLF, chunks split anywhere, truncation, other text
// interleaved between and inside lines, pretty-printed JSON, several runs in one output.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRunOutput, rejoin, RunOutputParser } from '../../src/core/headless/output';
import { stripTerminalEscapes, EscapeStripper } from '../../src/core/headless/terminalText';

const CAPTURES = path.resolve(__dirname, '../../../shared/corpus/claude-p-output');
const hasCorpus = fs.existsSync(CAPTURES);
const SKIP = hasCorpus ? false : `the captures are not here (${CAPTURES}): they are test data of the project's shared corpus, not shipped`;

/** Every capture file, and whether it holds a `result` event. */
function captureFiles(): { name: string; bytes: Buffer; hasResult: boolean }[] {
  if (!hasCorpus) return [];
  const out: { name: string; bytes: Buffer; hasResult: boolean }[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const bytes = fs.readFileSync(p);
        out.push({ name: path.relative(CAPTURES, p), bytes, hasResult: /"type"\s*:\s*"result"/.test(bytes.toString('utf8')) });
      }
    }
  };
  walk(CAPTURES);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function read(name: string): Buffer {
  return fs.readFileSync(path.join(CAPTURES, name));
}

/** Feeds the bytes in pieces of the given sizes (cycled). */
function feedInPieces(bytes: Buffer, sizes: number[]): ReturnType<RunOutputParser['end']> {
  const p = new RunOutputParser({ clock: () => 1_000 });
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    p.push(bytes.subarray(at, at + n));
    at += n;
  }
  return p.end();
}

describe('claude -p captures', { skip: SKIP }, () => {
  test('every capture is read: those with a result give it, the others give none', () => {
    const files = captureFiles();
    assert.ok(files.length >= 6, `captures: ${files.map((f) => f.name).join(', ')}`);
    for (const f of files) {
      const out = parseRunOutput(f.bytes);
      assert.equal(out.results.length > 0, f.hasResult, f.name);
      assert.equal(out.malformed, 0, `${f.name}: malformed lines`);
      if (!f.hasResult) assert.equal(out.truncated, true, `${f.name}: JSON events without a result read as a run cut short`);
      assert.ok(out.lastSessionId, `${f.name}: a session id`);
    }
  });

  test('--output-format json (pretty-printed result): every field', () => {
    const out = parseRunOutput(read('result_success.json'));
    assert.equal(out.format, 'json');
    const r = out.results[0]!;
    assert.equal(r.sessionId, '40e7b02d-c0f9-4876-9010-f514d4eb0603');
    assert.equal(r.uuid, 'ca659dd8-fe04-4dc4-969f-a3d55f43c1d3');
    assert.equal(r.subtype, 'success');
    assert.equal(r.isError, false);
    assert.equal(r.numTurns, 2);
    assert.equal(r.durationMs, 8722);
    assert.equal(r.durationApiMs, 21034);
    assert.equal(r.totalCostUsd, 0.24722425);
    assert.equal(r.costBasis, null);
    assert.deepEqual(r.usage, { input: 18, output: 424, cacheWrite: 25067, cacheWrite5m: 25067, cacheWrite1h: 0, cacheRead: 17254, webSearches: 0, webFetches: 0, speed: '', inferenceGeo: '' });
    assert.deepEqual(r.modelUsage, [{ model: 'claude-opus-4-5-20251101', input: 38, output: 765, cacheRead: 28775, cacheWrite: 31159, webSearches: 0, costUsd: 0.22844625, contextWindow: 200000 }]);
  });

  test('--output-format stream-json (CLI 2.1.63): init, messages deduplicated, result', () => {
    const out = parseRunOutput(read('stream-json-session.jsonl'));
    assert.equal(out.format, 'stream-json');
    assert.equal(out.inits[0]!.claudeCodeVersion, '2.1.63');
    assert.equal(out.inits[0]!.model, 'claude-sonnet-4-6');
    const r = out.results[0]!;
    assert.equal(r.sessionId, 'a73f02ce-12d4-4ce9-b46f-d6df23a00fc4');
    assert.equal(r.numTurns, 14);
    assert.equal(r.totalCostUsd, 0.23622);
    assert.equal(r.usage!.cacheWrite1h, 11312);
    assert.equal(r.usage!.speed, 'standard');
    // 18 assistant lines are 9 messages (one line per content block).
    assert.equal(out.messages.get(r.sessionId)!.length, 9);
    assert.equal(out.truncated, false);
  });

  test('the golden stream (CLI 2.1.7): a result without modelUsage', () => {
    const out = parseRunOutput(read('golden/basic_query.ndjson'));
    const r = out.results[0]!;
    assert.equal(r.modelUsage, null);
    assert.equal(r.usage!.output, 25);
    assert.equal(out.inits[0]!.model, 'claude-opus-4-5-20251101');
  });

  test('chunks split anywhere (every byte of a small capture, odd sizes for the large one) read the same', () => {
    const small = read('golden/basic_query.ndjson');
    const whole = parseRunOutput(small, { clock: () => 1_000 });
    for (const size of [1, 2, 3, 7, 64]) assert.deepEqual(feedInPieces(small, [size]).results, whole.results, `pieces of ${size}`);
    const big = read('stream-json-session.jsonl');
    const bigWhole = parseRunOutput(big, { clock: () => 1_000 });
    const pieces = feedInPieces(big, [1, 4093, 17, 65536, 3]);
    assert.deepEqual(pieces.results, bigWhole.results);
    assert.equal(pieces.messages.get(bigWhole.lastSessionId)!.length, 9);
  });

  test('as a VS Code terminal shows it: OSC 633 marks, colours, CRLF, sequences split between chunks', () => {
    const text = read('stream-json-session.jsonl').toString('utf8').replace(/\n/g, '\r\n');
    const term = `\x1b]633;C\x07\x1b[?25l${text}\x1b[0m\x1b]633;D;0\x07\x1b]633;A\x07$ `;
    const whole = parseRunOutput(read('stream-json-session.jsonl'));
    for (const size of [5, 4096]) {
      const p = new RunOutputParser();
      for (let i = 0; i < term.length; i += size) p.push(term.slice(i, i + size));
      const out = p.end();
      assert.equal(out.results.length, 1);
      assert.equal(out.results[0]!.totalCostUsd, whole.results[0]!.totalCostUsd);
      assert.equal(out.malformed, 0);
    }
  });

  test('truncated anywhere: never throws, reads what came before the cut', () => {
    const bytes = read('stream-json-session.jsonl');
    const lines = bytes.toString('utf8').split('\n');
    const resultAt = lines.findIndex((l) => l.includes('"type":"result"'));
    const resultOffset = Buffer.byteLength(lines.slice(0, resultAt).join('\n') + '\n');
    const resultEnd = resultOffset + Buffer.byteLength(lines[resultAt]!);
    for (const cut of [1, 100, 1000, 50_000, 150_000, resultOffset - 1, resultOffset + 20, resultEnd - 1, resultEnd]) {
      const out = parseRunOutput(bytes.subarray(0, cut));
      if (cut < resultEnd) {
        assert.equal(out.results.length, 0, `cut at ${cut}`);
        if (cut > 2000) {
          assert.equal(out.truncated, true, `cut at ${cut}`);
          assert.equal(out.lastSessionId, 'a73f02ce-12d4-4ce9-b46f-d6df23a00fc4');
        }
      } else assert.equal(out.results.length, 1, `cut at ${cut}: the result line is complete but for its newline`);
    }
    const half = parseRunOutput(read('result_success.json').subarray(0, 300));
    assert.equal(half.results.length, 0);
    assert.equal(half.malformed, 1);
  });

  test('interleaved with other output: stderr lines between events, and written into the middle of an event line', () => {
    const lines = read('stream-json-session.jsonl').toString('utf8').split('\n').filter(Boolean);
    const mixed: string[] = [];
    lines.forEach((l, i) => {
      if (i % 7 === 3) mixed.push('[warn] MCP server "x" took 3s to start');
      if (i % 11 === 5 && l.length > 400) {
        // Another writer's line lands inside this one: in a string value, and between two fields.
        const inString = l.indexOf('"uuid":"') + 10;
        mixed.push(l.slice(0, inString) + 'ERROR lost connection', l.slice(inString));
      } else if (l.includes('"type":"result"')) {
        const between = l.indexOf(',"usage"');
        mixed.push(l.slice(0, between) + 'npm WARN deprecated', l.slice(between));
      } else mixed.push(l);
    });
    const out = parseRunOutput(mixed.join('\n') + '\n');
    assert.equal(out.results.length, 1, 'the result is recovered');
    assert.equal(out.results[0]!.totalCostUsd, 0.23622);
    assert.equal(out.results[0]!.usage!.cacheRead, 228070);
    assert.equal(out.messages.get(out.lastSessionId)!.length, 9);
    assert.ok(out.textLines > 10);
  });

  test('a pretty-printed result between other text; a result glued to text on one line', () => {
    const pretty = read('result_success.json').toString('utf8');
    const out = parseRunOutput(`Starting job\n${pretty}\nDone in 9s\n`);
    assert.equal(out.results.length, 1);
    assert.equal(out.textLines, 2);
    const compact = JSON.stringify(JSON.parse(pretty));
    const glued = parseRunOutput(`progress: 100%${compact}\n`);
    assert.equal(glued.results[0]!.sessionId, '40e7b02d-c0f9-4876-9010-f514d4eb0603');
  });
});

describe('claude -p output without the corpus', () => {
  const result = (session: string, cost: number): string =>
    JSON.stringify({ type: 'result', subtype: 'success', is_error: false, duration_ms: 1000, num_turns: 1, session_id: session, total_cost_usd: cost, usage: { input_tokens: 1, output_tokens: 2 }, costBasis: 'managed', uuid: `u-${session}` });

  test('several runs in one output (a loop in one command line)', () => {
    const out = parseRunOutput(`${result('s1', 0.1)}\n${result('s2', 0.2)}\r\n${result('s3', 0.3)}`);
    assert.deepEqual(out.results.map((r) => r.sessionId), ['s1', 's2', 's3']);
    assert.equal(out.results[2]!.costBasis, 'managed');
    assert.equal(out.lastSessionId, 's3');
  });

  test('two events glued on one line, and an error result', () => {
    const init = JSON.stringify({ type: 'system', subtype: 'init', session_id: 'g', model: 'claude-haiku-4-5', claude_code_version: '2.1.300' });
    const err = JSON.stringify({ type: 'result', subtype: 'error_max_turns', is_error: true, session_id: 'g', num_turns: 3 });
    const out = parseRunOutput(`${init}${err}\n`);
    assert.equal(out.inits.length, 1);
    assert.equal(out.results[0]!.subtype, 'error_max_turns');
    assert.equal(out.results[0]!.isError, true);
    assert.equal(out.results[0]!.totalCostUsd, null);
  });

  test('plain text output is text, no events', () => {
    const out = parseRunOutput('The answer is {42}.\nSecond line with "type" in it\n');
    assert.equal(out.format, 'text');
    assert.equal(out.results.length, 0);
    assert.equal(out.truncated, false);
  });

  test('rejoin: foreign text in a string is absorbed; between fields it is cut out by the error position', () => {
    assert.deepEqual(rejoin('{"type":"x","a":"he', 'llo"}'), { type: 'x', a: 'hello' });
    assert.deepEqual(rejoin('{"type":"x","a":1,garbage', '"b":2}'), { type: 'x', a: 1, b: 2 });
    assert.equal(rejoin('{"type":"x"', 'not json at all'), undefined);
  });

  test('escape stripping: CSI, OSC (BEL and ST), charset selection, split sequences', () => {
    assert.equal(stripTerminalEscapes('\x1b[1;32mok\x1b[0m \x1b]0;title\x1b\\done\x1b(B\r\n'), 'ok done\n');
    const s = new EscapeStripper();
    assert.equal(s.push('a\x1b]633;E;claude -p sec'), 'a');
    assert.equal(s.push('ret;nonce\x07b\x1b['), 'b');
    assert.equal(s.push('2Kc'), 'c');
  });

  test('multi-byte characters split between chunks', () => {
    const text = Buffer.from(JSON.stringify({ type: 'result', subtype: 'success', session_id: 'é', total_cost_usd: 1 }) + '\n');
    const p = new RunOutputParser();
    for (let i = 0; i < text.length; i++) p.push(text.subarray(i, i + 1));
    assert.equal(p.end().results[0]!.sessionId, 'é');
  });
});
