// The built CLI, run as a user runs it (npm test builds dist/ first).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assistant, configDir, jsonl, queueOperation, tempDir, user } from './builders';

const cli = path.resolve(__dirname, '../../dist/cli.js');
const corpus = path.resolve(__dirname, '../../../shared/corpus');
const hasCorpus = fs.existsSync(path.join(corpus, 'projects'));

function run(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string; home: string } {
  const home = env.CREDIT_LEDGER_HOME ?? tempDir('cl-home-');
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, home };
}

describe('credit-ledger CLI', () => {
  test('daily --json prints the ccusage shape; a --config-dir run uses a ledger of its own and writes no snapshot', () => {
    const dir = configDir({ 'p/s.jsonl': jsonl([user('hi'), assistant({ messageId: 'm1', input: 100, output: 50, timestamp: '2026-11-20T10:00:00.000Z' })]) });
    const r = run(['daily', '--json', '--config-dir', dir, '--timezone', 'UTC']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.daily[0].date, '2026-11-20');
    assert.equal(out.daily[0].inputTokens, 100);
    assert.equal(out.daily[0].modelBreakdowns[0].modelName, 'claude-sonnet-4-5-20250929');
    assert.equal(out.totals.totalTokens, 150);
    assert.ok(Math.abs(out.totals.totalCost - (100 * 3 + 50 * 15) / 1e6) < 1e-12);
    assert.ok(!fs.existsSync(path.join(r.home, 'ledgers', 'user.sqlite')), 'the user ledger is untouched');
    assert.ok(!fs.existsSync(path.join(r.home, 'balance.json')), 'no snapshot from a --config-dir run');
    assert.ok(fs.readdirSync(path.join(r.home, 'ledgers')).some((f) => f.startsWith('dirs-')));
  });

  test('a default run over the user\'s own transcripts writes the balance snapshot', () => {
    const dir = configDir({ 'p/s.jsonl': jsonl([queueOperation(), user('nightly'), assistant({ messageId: 'm1', input: 1000, output: 100, entrypoint: 'sdk-cli', timestamp: new Date().toISOString() })]) });
    const home = tempDir('cl-home-');
    fs.writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ plan: 'pro', timezone: 'UTC' }));
    const r = run(['balance', '--json'], { CLAUDE_CONFIG_DIR: dir, CREDIT_LEDGER_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    const b = JSON.parse(r.stdout);
    assert.equal(b.plan, 'pro');
    assert.equal(b.allotment, 20);
    assert.equal(b.coveredSessions.length, 1);
    const snap = JSON.parse(fs.readFileSync(path.join(home, 'balance.json'), 'utf8'));
    assert.equal(snap.plan, 'pro');
    assert.equal(snap.spentNanos, 1000 * 3000 + 100 * 15000);
  });

  test('a report with --timezone over the user\'s own transcripts writes no snapshot (the flag moves the cycle\'s reset)', () => {
    const dir = configDir({ 'p/s.jsonl': jsonl([queueOperation(), user('nightly'), assistant({ messageId: 'm1', entrypoint: 'sdk-cli', timestamp: new Date().toISOString() })]) });
    const home = tempDir('cl-home-');
    fs.writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ plan: 'pro', timezone: 'UTC' }));
    const r = run(['daily', '--json', '--timezone', 'Pacific/Kiritimati'], { CLAUDE_CONFIG_DIR: dir, CREDIT_LEDGER_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!fs.existsSync(path.join(home, 'balance.json')), 'no snapshot from a run with a flagged time zone');
    assert.equal(run(['daily', '--json'], { CLAUDE_CONFIG_DIR: dir, CREDIT_LEDGER_HOME: home }).code, 0);
    assert.ok(fs.existsSync(path.join(home, 'balance.json')), 'the same run on the user\'s settings writes it');
  });

  test('balance does not offer --since/--until (it covers the billing cycle); reconcile names --as-of in its errors', () => {
    const dir = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1' })]) });
    const r = run(['balance', '--config-dir', dir, '--since', '20260101']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--since'/);
    assert.doesNotMatch(run(['balance', '--help']).stdout, /--since|--until/);
    const bad = run(['reconcile', '5', '--as-of', 'yesterday']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--as-of must be an ISO instant/);
  });

  test('reconcile records the typed figure; the balance matches it from then on', () => {
    const dir = configDir({ 'p/s.jsonl': jsonl([queueOperation(), user('job'), assistant({ messageId: 'm1', input: 100_000, output: 0, entrypoint: 'sdk-cli', timestamp: '2026-11-20T10:00:00.000Z' })]) });
    const home = tempDir('cl-home-');
    const rec = run(['reconcile', '$63.20', '--as-of', '2026-11-19T00:00:00Z'], { CREDIT_LEDGER_HOME: home });
    assert.equal(rec.code, 0, rec.stderr);
    assert.match(rec.stdout, /\$63\.20 left/);
    const r = run(['balance', '--json', '--config-dir', dir, '--plan', 'max5x', '--cycle-day', '1', '--timezone', 'UTC', '--now', '2026-11-25T00:00:00Z'], { CREDIT_LEDGER_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    const b = JSON.parse(r.stdout);
    assert.equal(b.remaining, 62.9); // $63.20 typed, then $0.30 spent after it
    assert.equal(b.reconcile.figure, 63.2);
  });

  test('bad arguments and missing folders get clear messages and exit codes', () => {
    const bad = run(['daily', '--since', '2026-13-45', '--config-dir', corpus]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since is not a real date/);
    const plan = run(['balance', '--plan', 'gold', '--config-dir', configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm' })]) })]);
    assert.equal(plan.code, 2);
    assert.match(plan.stderr, /plan/i);
    const missing = run(['daily', '--config-dir', '/nonexistent/claude']);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /no Claude Code transcripts found at \/nonexistent\/claude\/projects/);
    const unknown = run(['dailly']);
    assert.equal(unknown.code, 2);
    const tz = run(['daily', '--timezone', 'Mars/Olympus', '--config-dir', corpus]);
    assert.equal(tz.code, 2);
    assert.match(tz.stderr, /unknown time zone/);
  });

  test('falls back to the demo data also when the transcript folders exist but hold no transcripts', () => {
    const empty = tempDir('cl-empty-');
    fs.mkdirSync(path.join(empty, 'projects'));
    const r = run(['daily', '--demo-fallback', '--json'], { CLAUDE_CONFIG_DIR: empty });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /bundled demo data/);
    // The demo is fixed data: 15 days (2026-11-10 to 2026-11-24), 108 requests.
    const days = (JSON.parse(r.stdout) as { daily: { date: string }[] }).daily;
    assert.deepEqual([days.length, days[0]!.date, days.at(-1)!.date], [15, '2026-11-10', '2026-11-24']);
  });

  test('falls back to the bundled demo data when no transcripts exist, and says so', () => {
    const r = run(['daily', '--demo-fallback', '--json'], { CLAUDE_CONFIG_DIR: '/nonexistent/claude' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /bundled demo data/);
    const out = JSON.parse(r.stdout);
    assert.equal(out.daily.length, 15);
    assert.equal(out.totals.requests, 108);
    assert.equal(out.totals.unpriced.requests, 1);
    assert.ok(!fs.existsSync(path.join(r.home, 'ledgers')), 'the demo never touches the user ledger');
  });

  test('config set validates and writes the per-user settings file', () => {
    const home = tempDir('cl-home-');
    assert.equal(run(['config', 'set', 'plan', 'max20x'], { CREDIT_LEDGER_HOME: home }).code, 0);
    const bad = run(['config', 'set', 'cycleDay', '42'], { CREDIT_LEDGER_HOME: home });
    assert.equal(bad.code, 2);
    const notBool = run(['config', 'set', 'countUnclassified', 'perhaps'], { CREDIT_LEDGER_HOME: home });
    assert.equal(notBool.code, 2);
    assert.match(notBool.stderr, /"perhaps" is not true or false/);
    assert.equal(run(['config', 'set', 'amount', 'ten'], { CREDIT_LEDGER_HOME: home }).code, 2);
    const shown = JSON.parse(run(['config', 'show'], { CREDIT_LEDGER_HOME: home }).stdout);
    assert.deepEqual(shown.settings, { plan: 'max20x' });
    assert.equal(run(['config', 'set', 'countUnclassified', 'yes'], { CREDIT_LEDGER_HOME: home }).code, 0);
    assert.equal(JSON.parse(run(['config', 'show'], { CREDIT_LEDGER_HOME: home }).stdout).settings.countUnclassified, true);
  });

  describe('on the shared corpus', { skip: hasCorpus ? false : `corpus not found at ${corpus}` }, () => {
    const args = ['balance', '--config-dir', corpus, '--plan', 'max5x', '--cycle-day', '1', '--timezone', 'UTC', '--basis', 'recorded'];
    test('January 2026: $0.206125 over the 4 headless claude-reliability sessions (queue-operation heuristic)', () => {
      const r = run([...args, '--now', '2026-01-31T00:00:00Z', '--json', '--verbose']);
      assert.equal(r.code, 0, r.stderr);
      const b = JSON.parse(r.stdout);
      assert.equal(Math.round(b.spent * 1e6) / 1e6, 0.206125);
      assert.equal(b.coveredSessions.length, 4);
      for (const s of b.coveredSessions) {
        assert.equal(s.projectPath, 'claude-reliability');
        assert.match(s.reason, /queue-operation/);
      }
      const text = run([...args, '--now', '2026-01-31T00:00:00Z', '--verbose', '--no-color']);
      assert.match(text.stdout, /cb88ae13-898d-4076-aeb5-bc37191c5d2e/);
      assert.match(text.stdout, /file starts with queue-operation/);
    });
    test('August 2026: $0.030775 over the sdk-cli margin session', () => {
      const b = JSON.parse(run([...args, '--now', '2026-08-31T00:00:00Z', '--json']).stdout);
      assert.equal(Math.round(b.spent * 1e6) / 1e6, 0.030775);
      assert.deepEqual(b.coveredSessions.map((s: { projectPath: string; reason: string }) => [s.projectPath, s.reason]), [['margin', 'entrypoint sdk-cli']]);
    });
  });
});
