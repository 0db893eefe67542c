// Stored answers (src/cli/storedAnswer.ts): a report whose inputs are all unchanged is printed
// from the last run's answer; every input that can change the answer must make the next run
// compute it again. Each case primes an answer, replaces its stored stdout with a marker (so a
// served answer is told apart from a computed one), changes one input and runs the built CLI.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assistant, configDir, jsonl, tempDir, user } from './builders';
import { answerHolds, answerKey, buildIdentity, type StoredAnswer } from '../../src/cli/storedAnswer';

const cli = path.resolve(__dirname, '../../dist/cli.js');
const MARKER = 'SERVED FROM THE STORED ANSWER\n';

interface Setup {
  dir: string;
  home: string;
  db: string;
  env: Record<string, string>;
  args: string[];
}

function setup(extraArgs: string[] = []): Setup {
  const dir = configDir({
    'p/s1.jsonl': jsonl([user('hi'), assistant({ messageId: 'm1', input: 100, output: 50, timestamp: '2026-11-20T10:00:00.000Z' })]),
    'p/s2.jsonl': jsonl([user('hi', { sessionId: 'sess-2' }), assistant({ messageId: 'm2', sessionId: 'sess-2', input: 10, output: 5, timestamp: '2026-11-21T10:00:00.000Z' })]),
  });
  const home = tempDir('cl-answer-home-');
  fs.writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ timezone: 'UTC', rateOverrides: { 'claude-sonnet-4-5-20250929': { input: 3, output: 15 } } }));
  const db = path.join(tempDir('cl-answer-db-'), 'ledger.sqlite');
  return { dir, home, db, env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home }, args: ['daily', '--json', '--config-dir', dir, '--db', db, ...extraArgs] };
}

function run(s: Setup, env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...s.args], { encoding: 'utf8', env: { ...s.env, ...env }, cwd: s.home });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function answers(s: Setup): string[] {
  const d = path.join(s.home, 'answers');
  return fs.existsSync(d) ? fs.readdirSync(d).filter((n) => n.endsWith('.json')).map((n) => path.join(d, n)) : [];
}

function readAnswer(file: string): StoredAnswer {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as StoredAnswer;
}

/** Runs until an answer is stored and holds, then swaps its stdout for the marker; returns it. */
function prime(s: Setup): { file: string; answer: StoredAnswer; real: string } {
  let real = '';
  for (let i = 0; i < 3; i++) {
    const r = run(s);
    assert.equal(r.code, 0, r.stderr);
    if (r.stdout !== MARKER) real = r.stdout;
    const file = answers(s).map((f) => ({ f, t: fs.statSync(f).mtimeMs })).sort((a, b) => b.t - a.t)[0]?.f;
    if (file) {
      const answer = readAnswer(file);
      if (answer.stdout !== MARKER && answerHolds(answer, Date.now())) {
        assert.equal(answer.stdout, real, 'the stored answer is what the run printed');
        fs.writeFileSync(file, JSON.stringify({ ...answer, stdout: MARKER }));
        return { file, answer, real };
      }
    }
  }
  throw new Error('no answer was stored after 3 runs');
}

/** Primes, changes one input, and checks that the next run computes its answer (and what it says). */
function assertMiss(s: Setup, change: (a: StoredAnswer) => void, check?: (stdout: string, before: string) => void, env: Record<string, string> = {}): void {
  const { answer, real } = prime(s);
  assert.equal(run(s).stdout, MARKER, 'unchanged inputs: the stored answer is served');
  change(answer);
  assert.equal(answerHolds(answer, Date.now()), false, 'the changed input breaks the stored answer');
  const r = run(s, env);
  assert.equal(r.code, 0, r.stderr);
  assert.notEqual(r.stdout, MARKER, 'the run computed its answer');
  JSON.parse(r.stdout);
  check?.(r.stdout, real);
}

const totals = (stdout: string): { totalTokens: number; totalCost: number } => JSON.parse(stdout).totals;
const later = (file: string): void => {
  const t = new Date(fs.statSync(file).mtimeMs + 5_000);
  fs.utimesSync(file, t, t);
};

describe('stored answers', { skip: fs.existsSync(cli) ? false : 'dist/cli.js not built' }, () => {
  test('an unchanged run is served the stored answer, and what it prints equals a computed run', () => {
    const s = setup();
    const { real } = prime(s);
    assert.equal(run(s).stdout, MARKER);
    const computed = run(s, { CREDIT_LEDGER_STORED_ANSWERS: 'off' });
    assert.equal(computed.stdout, real, 'the answer a run without the shortcut computes');
    assert.equal(totals(real).totalTokens, 165);
  });

  test('a transcript grows (size): the new turn is counted', () => {
    const s = setup();
    assertMiss(s, () => fs.appendFileSync(path.join(s.dir, 'projects/p/s1.jsonl'), jsonl([assistant({ messageId: 'm3', input: 1000, output: 0, timestamp: '2026-11-20T11:00:00.000Z' })])), (out) => assert.equal(totals(out).totalTokens, 1165));
  });

  test('a transcript only touched (mtime), replaced by a copy (identity), added, or deleted', () => {
    const s = setup();
    const f = path.join(s.dir, 'projects/p/s1.jsonl');
    assertMiss(s, () => later(f));
    assertMiss(s, () => {
      fs.copyFileSync(f, `${f}.new`);
      fs.renameSync(`${f}.new`, f);
    });
    assertMiss(s, () => fs.writeFileSync(path.join(s.dir, 'projects/p/s3.jsonl'), jsonl([assistant({ messageId: 'm9', sessionId: 'sess-3', input: 7, output: 0, timestamp: '2026-11-22T10:00:00.000Z' })])), (out) => assert.equal(totals(out).totalTokens, 172));
    assertMiss(s, () => fs.rmSync(path.join(s.dir, 'projects/p/s3.jsonl')));
  });

  test('the settings (same size, other content), a new file beside them, and the journal', () => {
    const s = setup();
    const settings = path.join(s.home, 'settings.json');
    assertMiss(s, () => {
      const text = fs.readFileSync(settings, 'utf8').replace('"input":3', '"input":4');
      const st = fs.statSync(settings);
      fs.writeFileSync(settings, text);
      fs.utimesSync(settings, st.atime, st.mtime); // same size, same mtime: only the content tells
    }, (out, before) => assert.ok(totals(out).totalCost > totals(before).totalCost, 'the override re-prices'));
    assertMiss(s, () => fs.writeFileSync(path.join(s.home, 'rates-imported.json'), '{}'));
    assertMiss(s, () => fs.appendFileSync(path.join(s.home, 'journal.jsonl'), JSON.stringify({ id: 'f1', kind: 'note', at: '2026-11-20T00:00:00Z' }) + '\n'));
  });

  test("the config dir's .claude.json (the corrections read it)", () => {
    const s = setup();
    assertMiss(s, (a) => {
      assert.ok(Object.keys(a.files).includes(path.join(s.dir, '.claude.json')));
      fs.writeFileSync(path.join(s.dir, '.claude.json'), JSON.stringify({ projects: {} }));
    });
  });

  test('the ledger file written by another process, and a lock held by one', () => {
    const s = setup();
    assertMiss(s, () => later(s.db));
    const { answer } = prime(s);
    fs.writeFileSync(`${s.db}.lock`, String(process.pid));
    try {
      assert.equal(answerHolds(answer, Date.now()), false);
    } finally {
      fs.rmSync(`${s.db}.lock`);
    }
    assert.equal(answerHolds(answer, Date.now()), true);
  });

  test('the clock: not served from the next local midnight of the report\'s time zone', () => {
    const s = setup(['--timezone', 'Asia/Kathmandu']);
    const { answer } = prime(s);
    assert.equal(answerHolds(answer, Date.now()), true);
    assert.equal(answerHolds(answer, answer.validUntil), false);
    // the next local midnight in +05:45
    const local = new Date(answer.validUntil + (5 * 60 + 45) * 60_000);
    assert.equal(local.getUTCHours() * 60 + local.getUTCMinutes(), 0);
    assert.ok(answer.validUntil > Date.now() && answer.validUntil <= Date.now() + 86_400_000);
  });

  test('CLAUDE_CONFIG_DIR, the flags and the build pick another answer', () => {
    const s = setup();
    prime(s);
    const r = run(s, { CLAUDE_CONFIG_DIR: s.dir });
    assert.notEqual(r.stdout, MARKER, 'another environment: computed');
    const other = { ...s, args: [...s.args, '--since', '20261121'] };
    const o = run(other);
    assert.notEqual(o.stdout, MARKER);
    assert.equal(totals(o.stdout).totalTokens, 15);
    const io = { cwd: '/x', stdoutTty: false, stderrTty: false, columns: undefined };
    const base = answerKey(['daily'], { HOME: '/h' }, 'b1', io);
    assert.notEqual(answerKey(['daily'], { HOME: '/h' }, 'b2', io), base, 'build');
    assert.notEqual(answerKey(['daily', '--json'], { HOME: '/h' }, 'b1', io), base, 'flags');
    assert.notEqual(answerKey(['daily'], { HOME: '/h', CLAUDE_CONFIG_DIR: '/c' }, 'b1', io), base, 'CLAUDE_CONFIG_DIR');
    assert.notEqual(answerKey(['daily'], { HOME: '/h', TZ: 'Asia/Tokyo' }, 'b1', io), base, 'TZ');
    assert.notEqual(answerKey(['daily'], { HOME: '/h' }, 'b1', { ...io, cwd: '/y' }), base, 'working folder (relative paths)');
    assert.notEqual(answerKey(['daily'], { HOME: '/h' }, 'b1', { ...io, stdoutTty: true }), base, 'colour on a terminal');
    assert.equal(answerKey(['daily'], { HOME: '/h', UNRELATED: '1' }, 'b1', io), base, 'variables the CLI never reads do not matter');
    const bundle = path.join(tempDir('cl-build-'), 'cli-main.js');
    fs.writeFileSync(bundle, 'a');
    const b1 = buildIdentity([bundle]);
    fs.writeFileSync(bundle, 'ab');
    assert.notEqual(buildIdentity([bundle]), b1, 'a rebuilt bundle is another build');
  });

  test('a run that read new lines stores nothing (its notes differ from an unchanged run\'s); balance is never stored', () => {
    const s = setup();
    assert.equal(run(s).code, 0);
    assert.equal(answers(s).length, 0, 'the first run ingested: not stored');
    const b = { ...s, args: ['balance', '--json', '--config-dir', s.dir, '--db', s.db] };
    assert.equal(run(b).code, 0);
    assert.equal(run(b).code, 0);
    assert.equal(answers(s).length, 0, 'balance depends on the hour: never stored');
  });
});
