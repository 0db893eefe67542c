// The shared ledger through the built CLI (dist/cli.js) against a real PostgreSQL: `sync`, merged `balance --json`,
// isolated --config-dir/--db runs, `record`/`exec` pushing the run (never stalling), and the GitHub Actions example's steps.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { connect } from '../../src/core/sync/connection';
import { startPgServer, type PgServer } from './pgServer';
import { tempDir } from './builders';
import { headlessRun, interactiveSession } from './syncBuilders';

const cli = path.resolve(__dirname, '../../dist/cli.js');
const repo = path.resolve(__dirname, '../..');
let server: PgServer;
let n = 0;

before(async () => {
  assert.ok(fs.existsSync(cli), `${cli} is missing: npm test builds it first`);
  server = await startPgServer();
});
after(() => server?.destroy());

function freshDb(): string {
  const name = `cli_${++n}`;
  server.createDatabase(name);
  return server.url(name);
}

interface Box {
  home: string;
  claude: string;
  bin: string;
  env: Record<string, string>;
}

/** A machine for the CLI: its own HOME and Claude config dir, a plan in its settings file, a fake `claude` on PATH. */
function box(name: string, files: Record<string, string>, extraEnv: Record<string, string> = {}): Box {
  const home = tempDir(`cl-clihome-${name}-`);
  const claude = path.join(home, '.claude');
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(claude, 'projects', rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  fs.mkdirSync(path.join(claude, 'projects'), { recursive: true });
  const data = path.join(home, 'data');
  fs.mkdirSync(data, { recursive: true });
  fs.writeFileSync(path.join(data, 'settings.json'), JSON.stringify({ plan: 'api', amount: 50, scope: 'all', cycleDay: 1, timezone: 'UTC', machineLabel: name }));
  const bin = path.join(home, 'bin');
  fs.mkdirSync(bin);
  // A fake Claude Code: writes its transcript where the real one would, prints a json result.
  fs.writeFileSync(
    path.join(bin, 'claude'),
    `#!${process.execPath}
const fs = require('fs'), path = require('path');
const dir = path.join(process.env.CLAUDE_CONFIG_DIR, 'projects', 'ci');
fs.mkdirSync(dir, { recursive: true });
fs.copyFileSync(process.env.FAKE_TRANSCRIPT, path.join(dir, 'run-1.jsonl'));
process.stdout.write(JSON.stringify({ type: 'result', subtype: 'success', is_error: false, duration_ms: 900, num_turns: 1, result: 'ok', session_id: 'run-1', total_cost_usd: 0.05, usage: { input_tokens: 12, output_tokens: 2048, cache_creation_input_tokens: 30000, cache_read_input_tokens: 0 }, uuid: '11111111-2222-4333-8444-555555555555' }) + '\\n');
`,
  );
  fs.chmodSync(path.join(bin, 'claude'), 0o755);
  fs.writeFileSync(path.join(bin, 'credit-ledger'), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
  fs.chmodSync(path.join(bin, 'credit-ledger'), 0o755);
  const transcript = path.join(home, 'run-1.jsonl');
  fs.writeFileSync(transcript, headlessRun('run-1', 24));
  return {
    home,
    claude,
    bin,
    env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, HOME: home, CREDIT_LEDGER_HOME: data, CLAUDE_CONFIG_DIR: claude, FAKE_TRANSCRIPT: transcript, TZ: 'UTC', ...extraEnv },
  };
}

function run(b: Box, args: string[], env: Record<string, string> = {}, input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...b.env, ...env }, cwd: b.home, input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function balance(b: Box, env: Record<string, string> = {}, args: string[] = []): Record<string, unknown> {
  const r = run(b, ['balance', '--json', '--now', '2026-11-25T12:00:00Z', ...args], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

async function count(url: string, table: string): Promise<number> {
  const c = await connect({ url, source: 'test' });
  try {
    return Number((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  } finally {
    await c.end();
  }
}

const A = { 'proj-a/s1.jsonl': interactiveSession('s1', 20), 'shared/h1.jsonl': headlessRun('h1', 21) };
const B = { 'proj-b/s2.jsonl': interactiveSession('s2', 21, 'claude-haiku-4-5-20251001', 5), 'shared/h1.jsonl': headlessRun('h1', 21), 'ci/h2.jsonl': headlessRun('h2', 22) };

describe('credit-ledger sync and merged figures', () => {
  test('sync on two machines; balance --json "remaining" is merged and equals all transcripts read on one machine', async () => {
    const url = freshDb();
    const a = box('laptop', A);
    const b = box('server', B);
    const env = { CREDIT_LEDGER_DATABASE_URL: url };
    for (const m of [a, b, a]) {
      const r = run(m, ['sync'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Pushed \d+ request/);
    }
    const one = box('reference', { ...A, ...B });
    const want = balance(one);
    assert.equal(want.merged, false);
    const got = balance(a, env);
    assert.equal(got.merged, true);
    assert.equal(got.remaining, want.remaining);
    assert.equal(got.spent, want.spent);
    const sync = got.sync as { machines: { label: string; spent: number; thisMachine: boolean }[] };
    assert.deepEqual(sync.machines.map((m) => [m.label, m.thisMachine]), [['laptop', true], ['server', false]]);
    // The settings file's databaseUrl (no password) with the password from PGPASSWORD says the same.
    const noPw = new URL(url);
    noPw.password = '';
    assert.equal(run(b, ['config', 'set', 'sync.databaseUrl', noPw.toString()]).code, 0);
    assert.equal(run(b, ['config', 'set', 'sync.databaseUrl', url]).code, 2, 'a password in settings.json is refused');
    const viaSettings = balance(b, { PGPASSWORD: server.password });
    assert.equal(viaSettings.merged, true);
    assert.equal(viaSettings.remaining, want.remaining);
    const snap = JSON.parse(fs.readFileSync(path.join(b.env.CREDIT_LEDGER_HOME, 'balance.json'), 'utf8'));
    assert.equal(snap.merged, true);
  });

  test('--config-dir and --db runs stay isolated: nothing pushed, nothing merged', async () => {
    const url = freshDb();
    const a = box('a', A);
    assert.equal(run(box('b', B), ['sync'], { CREDIT_LEDGER_DATABASE_URL: url }).code, 0);
    const before = await count(url, 'cl_requests');
    const iso = balance(a, { CREDIT_LEDGER_DATABASE_URL: url }, ['--config-dir', a.claude]);
    assert.equal(iso.merged, false);
    const r = run(a, ['daily', '--json', '--db', path.join(a.home, 'x.sqlite'), '--database-url', url]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--database-url is ignored/);
    assert.equal(await count(url, 'cl_requests'), before);
    const refused = run(a, ['sync', '--config-dir', a.claude], { CREDIT_LEDGER_DATABASE_URL: url });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /stays isolated/);
  });

  test('a wrong password: sync exits 4 with a clear message; balance still answers from the local ledger', () => {
    const a = box('a', A);
    const bad = server.url('postgres', { password: 'wrong' });
    const r = run(a, ['sync'], { CREDIT_LEDGER_DATABASE_URL: bad });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /password authentication failed/);
    assert.ok(!r.stderr.includes('wrong@'), 'the password is never printed');
    const b = balance(a, { CREDIT_LEDGER_DATABASE_URL: bad });
    assert.equal(b.merged, false);
    assert.equal(typeof b.remaining, 'number');
  });

  test('no shared ledger configured: sync says how to set one', () => {
    const r = run(box('a', A), ['sync']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /CREDIT_LEDGER_DATABASE_URL/);
  });
});

describe('exec and record push the run', () => {
  test('exec pushes the run (its requests and its journal fact)', async () => {
    const url = freshDb();
    const a = box('runner', {});
    const r = spawnSync(process.execPath, [cli, 'exec', '--', 'claude', '-p', 'do it', '--output-format', 'json'], { env: { ...a.env, CREDIT_LEDGER_DATABASE_URL: url }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(await count(url, 'cl_requests'), 2);
    assert.equal(await count(url, `cl_facts WHERE kind = 'run'`), 1);
  });

  test('record never stalls: a server that does not answer leaves the run in the outbox; the next sync sends it', async () => {
    // A port that accepts connections and never answers (the worst case: no refusal to act on).
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const a = box('cron', { 'ci/run-1.jsonl': headlessRun('run-1', 24) });
    const output = JSON.stringify({ type: 'result', subtype: 'success', is_error: false, duration_ms: 900, num_turns: 1, result: 'ok', session_id: 'run-1', total_cost_usd: 0.05, uuid: '21111111-2222-4333-8444-555555555555' }) + '\n';
    const started = Date.now();
    const child = spawn(process.execPath, [cli, 'record'], { env: { ...a.env, CREDIT_LEDGER_DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/ledger` } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.stdin.end(output);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const took = Date.now() - started;
    silent.close();
    assert.equal(code, 0, err);
    assert.equal(out, output, 'the output passes through unchanged');
    assert.match(err, /did not answer within 3 s: this run waits in the outbox/);
    assert.ok(took < 60_000, `record returned (${took} ms)`);
    const url = freshDb();
    const s = run(a, ['sync'], { CREDIT_LEDGER_DATABASE_URL: url });
    assert.equal(s.code, 0, s.stderr);
    assert.equal(await count(url, 'cl_requests'), 2);
    assert.equal(await count(url, `cl_facts WHERE kind = 'run'`), 1);
  });
});

describe('the GitHub Actions example (docs/github-actions-claude.yml)', () => {
  test('its run steps, run locally against the test server, put the runner\'s usage in the shared ledger', async () => {
    const url = freshDb();
    const yaml = fs.readFileSync(path.join(repo, 'docs', 'github-actions-claude.yml'), 'utf8');
    // The `run: |` blocks, in order (the workflow's own steps, not a copy of them).
    const steps: { name: string; script: string }[] = [];
    const lines = yaml.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = /^(\s*)run: \|\s*$/.exec(lines[i]);
      if (!m) continue;
      const name = /name: (.*)$/.exec(lines.slice(Math.max(0, i - 4), i).reverse().find((l) => /name: /.test(l)) ?? '')?.[1] ?? `step ${steps.length + 1}`;
      const body: string[] = [];
      for (i++; i < lines.length && (lines[i].startsWith(m[1] + '  ') || !lines[i].trim()); i++) body.push(lines[i].slice(m[1].length + 2));
      i--;
      steps.push({ name, script: body.join('\n') });
    }
    assert.deepEqual(steps.map((s) => s.name), ['Install Claude Code and Credit Ledger', 'Name this machine', 'Run Claude Code (headless), recorded', 'Push to the shared ledger and show the merged balance']);
    const laptop = box('laptop', A);
    assert.equal(run(laptop, ['sync'], { CREDIT_LEDGER_DATABASE_URL: url }).code, 0);
    const runner = box('runner', {});
    const workdir = tempDir('cl-checkout-');
    const env = { ...runner.env, CREDIT_LEDGER_DATABASE_URL: url, CREDIT_LEDGER_MACHINE_ID: 'gha-12345-claude-nightly', CREDIT_LEDGER_MACHINE_LABEL: 'github-actions/acme/app', ANTHROPIC_API_KEY: 'unused' };
    for (const step of steps.slice(1)) {
      // The install step needs the registry; here the built CLI and the fake claude are already on PATH.
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', step.script], { env, cwd: workdir, encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, `${step.name}: ${r.stderr}`);
    }
    const printed = spawnSync('bash', ['-c', 'cat balance.json'], { cwd: workdir, encoding: 'utf8' }).stdout;
    const b = JSON.parse(printed) as { merged: boolean; remaining: number; sync: { machines: { id: string; label: string }[] } };
    assert.equal(b.merged, true);
    assert.deepEqual(b.sync.machines.map((m) => m.label).sort(), ['github-actions/acme/app', 'laptop']);
    assert.ok(b.sync.machines.some((m) => m.id === 'gha-12345-claude-nightly'));
    // The laptop sees the runner's spend after its next sync.
    assert.equal(run(laptop, ['sync'], { CREDIT_LEDGER_DATABASE_URL: url }).code, 0);
    const onLaptop = run(laptop, ['balance', '--json'], { CREDIT_LEDGER_DATABASE_URL: url });
    assert.equal(JSON.parse(onLaptop.stdout).remaining, b.remaining);
  });
});
