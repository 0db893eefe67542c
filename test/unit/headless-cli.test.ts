// `credit-ledger exec`, `record` and `runs`, end to end through the built CLI (dist/cli.js; `npm test` builds it first):
// the bytes out equal the bytes in, exec exits with the child's status, record never fails the pipeline, and the runs
// are listed by `runs --json`. A fake `claude` on PATH stands in for Claude Code.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assistant, jsonl, tempDir, user } from './builders';

const cli = path.resolve(__dirname, '../../dist/cli.js');
const CAPTURES = path.resolve(__dirname, '../../../shared/corpus/claude-p-output');
const hasCorpus = fs.existsSync(CAPTURES);
const SKIP = hasCorpus ? false : `the captures are not here (${CAPTURES})`;

function captures(): { name: string; bytes: Buffer; hasResult: boolean }[] {
  const out: { name: string; bytes: Buffer; hasResult: boolean }[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ name: path.relative(CAPTURES, p), bytes: fs.readFileSync(p), hasResult: /"type"\s*:\s*"result"/.test(fs.readFileSync(p, 'utf8')) });
    }
  };
  walk(CAPTURES);
  return out;
}

interface Env {
  home: string;
  bin: string;
  env: Record<string, string>;
}

/** An isolated home, and a bin folder with a fake `claude` that prints $FAKE_OUT, writes $FAKE_ERR to stderr, copies $FAKE_TRANSCRIPT to $FAKE_TRANSCRIPT_TO and exits $FAKE_EXIT. */
function sandbox(extra: Record<string, string> = {}): Env {
  const home = tempDir('cl-home-');
  const bin = tempDir('cl-bin-');
  const fake = path.join(bin, 'claude');
  fs.writeFileSync(
    fake,
    `#!${process.execPath}
const fs = require('fs');
const e = process.env;
if (e.FAKE_ARGS_TO) fs.writeFileSync(e.FAKE_ARGS_TO, JSON.stringify(process.argv.slice(2)));
if (e.FAKE_TRANSCRIPT) { fs.mkdirSync(require('path').dirname(e.FAKE_TRANSCRIPT_TO), { recursive: true }); fs.copyFileSync(e.FAKE_TRANSCRIPT, e.FAKE_TRANSCRIPT_TO); }
if (e.FAKE_ERR) process.stderr.write(e.FAKE_ERR);
if (e.FAKE_SIGNAL) { process.kill(process.pid, e.FAKE_SIGNAL); setTimeout(() => {}, 10000); }
else process.stdout.write(e.FAKE_OUT ? fs.readFileSync(e.FAKE_OUT) : '', () => process.exit(Number(e.FAKE_EXIT || 0)));
`,
  );
  fs.chmodSync(fake, 0o755);
  return { home, bin, env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, HOME: home, CREDIT_LEDGER_HOME: home, ...extra } };
}

function run(sb: Env, args: string[], input?: Buffer | string, env: Record<string, string> = {}): { code: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { input, env: { ...sb.env, ...env }, cwd: sb.home, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function runsJson(sb: Env, args: string[] = []): { runs: Record<string, unknown>[]; totals: Record<string, number> } {
  const r = run(sb, ['runs', '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.toString('utf8'));
}

describe('credit-ledger record', { skip: SKIP }, () => {
  test('every capture passes through byte for byte, exit 0; runs --json lists each, with its result or without one', () => {
    const sb = sandbox();
    const files = captures();
    for (const f of files) {
      const r = run(sb, ['record'], f.bytes);
      assert.equal(r.code, 0, `${f.name}: ${r.stderr}`);
      assert.ok(r.stdout.equals(f.bytes), `${f.name}: the bytes out differ from the bytes in`);
      assert.equal(r.stderr, '', `${f.name}: record is quiet`);
    }
    const { runs } = runsJson(sb, ['--no-ledger']);
    assert.equal(runs.length, files.length);
    const withResult = runs.filter((x) => x.subtype !== null);
    assert.equal(withResult.length, files.filter((f) => f.hasResult).length);
    const sonnet = runs.find((x) => x.sessionId === 'a73f02ce-12d4-4ce9-b46f-d6df23a00fc4')!;
    assert.equal(sonnet.reportedCostUsd, 0.23622);
    assert.equal(sonnet.listCostUsd, 0.167184);
    assert.equal(sonnet.turns, 14);
    assert.equal(sonnet.durationMs, 48073);
    assert.equal(sonnet.via, 'record');
    assert.equal(sonnet.where, 'script', 'a pipe from a test, not cron');
    assert.match(String(sonnet.differenceReason), /2\.1\.49-2\.1\.63/);
    for (const x of runs.filter((r) => r.subtype === null)) {
      assert.equal(x.truncated, true, 'JSON events without a result: a run cut short');
      assert.equal(x.reportedCostUsd, null);
    }
  });

  test('stream-json is passed on line by line, before the run ends', async () => {
    const sb = sandbox();
    const lines = fs.readFileSync(path.join(CAPTURES, 'stream-json-session.jsonl'), 'utf8').split('\n');
    const child = spawn(process.execPath, [cli, 'record'], { env: sb.env, cwd: sb.home });
    const got: Buffer[] = [];
    const firstSeen = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        got.push(d);
        if (Buffer.concat(got).toString('utf8').includes('\n')) resolve();
      }),
    );
    child.stdin.write(lines[0] + '\n');
    await Promise.race([firstSeen, new Promise((_, rej) => setTimeout(() => rej(new Error('the first line was held back')), 10_000))]);
    child.stdin.end(lines.slice(1).join('\n'));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.equal(Buffer.concat(got).toString('utf8'), lines.join('\n'));
  });

  test('its own trouble never fails the pipeline: an unwritable journal warns and exits 0; a closed reader too', () => {
    const sb = sandbox();
    const bytes = fs.readFileSync(path.join(CAPTURES, 'result_success.json'));
    const file = path.join(sb.home, 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const r = run(sb, ['record'], bytes, { CREDIT_LEDGER_HOME: path.join(file, 'sub') });
    assert.equal(r.code, 0);
    assert.ok(r.stdout.equals(bytes));
    assert.match(r.stderr, /credit-ledger: could not record the run/);
    // `... | credit-ledger record | head -c 10`: the reader goes away; record still reads to the end and records.
    const big = fs.readFileSync(path.join(CAPTURES, 'stream-json-session.jsonl'));
    const input = path.join(sb.home, 'in.jsonl');
    fs.writeFileSync(input, big);
    const sh = spawnSync('bash', ['-c', `cat "${input}" | "${process.execPath}" "${cli}" record | head -c 10 >/dev/null; echo "\${PIPESTATUS[1]}"`], { env: sb.env, cwd: sb.home });
    assert.equal(sh.stdout.toString().trim(), '0', sh.stderr.toString());
    assert.equal(runsJson(sb, ['--no-ledger']).runs.length, 1);
  });

  test('--command gives the flags (never the prompt)', () => {
    const sb = sandbox();
    const bytes = fs.readFileSync(path.join(CAPTURES, 'golden/basic_query.ndjson'));
    const r = run(sb, ['record', '--command', 'claude -p "my secret prompt" --output-format stream-json --verbose --no-session-persistence'], bytes);
    assert.equal(r.code, 0, r.stderr);
    const journal = fs.readFileSync(path.join(sb.home, 'journal.jsonl'), 'utf8');
    assert.ok(!journal.includes('my secret prompt'));
    const [x] = runsJson(sb, ['--no-ledger']).runs;
    assert.equal(x!.command, 'claude -p --output-format stream-json --verbose --no-session-persistence <prompt>');
    assert.equal(x!.noSessionPersistence, true);
  });
});

describe('credit-ledger exec', () => {
  test('passes stdout and stderr through, exits with claude\'s status, records the run', { skip: SKIP }, () => {
    const sb = sandbox();
    const out = path.join(CAPTURES, 'result_success.json');
    const args = path.join(sb.home, 'args.json');
    const r = run(sb, ['exec', '--', 'claude', '-p', 'do the "secret" thing', '--output-format', 'json', '--max-turns', '2'], undefined, { FAKE_OUT: out, FAKE_ERR: 'warning: slow\n', FAKE_EXIT: '3', FAKE_ARGS_TO: args });
    assert.equal(r.code, 3);
    assert.ok(r.stdout.equals(fs.readFileSync(out)), 'stdout unchanged');
    assert.equal(r.stderr, 'warning: slow\n');
    assert.deepEqual(JSON.parse(fs.readFileSync(args, 'utf8')), ['-p', 'do the "secret" thing', '--output-format', 'json', '--max-turns', '2'], 'claude got its arguments as given');
    const [x] = runsJson(sb, ['--no-ledger']).runs;
    assert.equal(x!.via, 'exec');
    assert.equal(x!.exitCode, 3);
    assert.equal(x!.sessionId, '40e7b02d-c0f9-4876-9010-f514d4eb0603');
    assert.equal(x!.command, 'claude -p --output-format json --max-turns 2 <prompt>');
    assert.equal(x!.reportedCostUsd, 0.24722425);
    assert.equal(x!.listCostUsd, 0.22844625);
    assert.ok(!fs.readFileSync(path.join(sb.home, 'journal.jsonl'), 'utf8').includes('secret'));
  });

  test('a text run is listed with the ledger\'s cost of the transcript it wrote; CI is told apart', () => {
    const sb = sandbox();
    const config = tempDir('cl-config-');
    const now = new Date().toISOString();
    const transcript = path.join(sb.home, 'src.jsonl');
    fs.writeFileSync(
      transcript,
      jsonl([
        user('job', { sessionId: 'text-run', cwd: sb.home, timestamp: now, entrypoint: 'sdk-cli' }),
        assistant({ sessionId: 'text-run', cwd: sb.home, entrypoint: 'sdk-cli', messageId: 'm1', input: 1000, output: 100, timestamp: now }),
      ]),
    );
    const textOut = path.join(sb.home, 'answer.txt');
    fs.writeFileSync(textOut, 'The answer.\n');
    const r = run(sb, ['exec', '--', 'claude', '-p', 'q'], undefined, { FAKE_OUT: textOut, FAKE_TRANSCRIPT: transcript, FAKE_TRANSCRIPT_TO: path.join(config, 'projects', 'p', 'text-run.jsonl'), CI: 'true' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'The answer.\n');
    const { runs } = runsJson(sb, ['--config-dir', config]);
    assert.equal(runs[0]!.where, 'ci');
    assert.equal(runs[0]!.sessionId, 'text-run');
    assert.equal(runs[0]!.sessionFrom, 'transcript');
    assert.equal(runs[0]!.ledgerCostUsd, (1000 * 3 + 100 * 15) / 1e6);
    assert.equal(runs[0]!.reportedCostUsd, null);
    const table = run(sb, ['runs', '--config-dir', config, '--no-color']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout.toString(), /text-run\s+ci/);
  });

  test('a command that is not found exits 127; a child killed by a signal gives 128+n', () => {
    const sb = sandbox();
    const missing = run(sb, ['exec', '--', 'no-such-claude-binary', '-p', 'x']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /command not found/);
    const killed = run(sb, ['exec', '--', 'claude', '-p', 'x'], undefined, { FAKE_SIGNAL: 'SIGTERM' });
    assert.equal(killed.code, 128 + 15);
    const [x] = runsJson(sb, ['--no-ledger']).runs;
    assert.equal(x!.exitCode, 143);
  });

  test('runs with nothing recorded says how to record', () => {
    const sb = sandbox();
    const r = run(sb, ['runs']);
    assert.equal(r.code, 0);
    assert.match(r.stdout.toString(), /No claude -p runs recorded yet/);
  });
});

test('record passes every byte to a slow reader (it waits for the pipe, however long)', () => {
  const input = Buffer.alloc(3_000_000, 'x').toString() + '\n';
  const r = spawnSync('sh', ['-c', `node "${path.resolve(__dirname, '../../dist/cli.js')}" record | (sleep 2.5; wc -c)`], { input, encoding: 'utf8', env: { ...process.env, CREDIT_LEDGER_HOME: tempDir('cl-slow-') } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(Number(r.stdout.trim()), Buffer.byteLength(input));
});
