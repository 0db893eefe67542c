// `credit-ledger plans`, built and run as a user runs it (npm test builds dist/ first): the seed's nightly job
// written as 30 headless transcripts, the table and the JSON, and that the command writes nothing at all.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assistant, jsonl, queueOperation, tempDir, user, writeProjectFile } from './builders';

const cli = path.resolve(__dirname, '../../dist/cli.js');
const USD = 1e9;

function run(args: string[], env: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** One night of the job: a `claude -p` session of 20 requests of 200K input and 10K output on Sonnet 4.5 ($15.00). */
function night(root: string, day: number): void {
  const sessionId = `nightly-${String(day).padStart(2, '0')}`;
  const start = Date.parse(`2026-10-${String(day).padStart(2, '0')}T02:00:00Z`);
  const lines: unknown[] = [queueOperation(sessionId), user('write the nightly report', { sessionId, entrypoint: 'sdk-cli', cwd: '/srv/reports', timestamp: new Date(start - 1000).toISOString() })];
  for (let i = 0; i < 20; i++) {
    lines.push(assistant({ sessionId, messageId: `m-${day}-${i}`, entrypoint: 'sdk-cli', cwd: '/srv/reports', model: 'claude-sonnet-4-5-20250929', timestamp: new Date(start + i * 60_000).toISOString(), input: 200_000, output: 10_000 }));
  }
  writeProjectFile(root, `-srv-reports/${sessionId}.jsonl`, jsonl(lines));
}

/** Every file under a folder with its bytes: what "writes nothing" is checked against. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

describe('credit-ledger plans', () => {
  const config = tempDir('cl-config-');
  for (let d = 2; d <= 31; d++) night(config, d);
  const now = '2026-11-01T12:00:00Z';
  const common = ['--timezone', 'UTC', '--now', now];

  test('--json: the last 30 days at list price against every plan; Max 5x covers 6 nights, the nightly job\'s moves', () => {
    const home = tempDir('cl-home-');
    const r = run(['plans', '--json', '--config-dir', config, '--plan', 'max5x', ...common], { HOME: home, CREDIT_LEDGER_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout);
    assert.equal(c.version, 1);
    assert.equal(c.window.label, '2026-10-02 – 2026-10-31');
    assert.equal(c.basedOnDays, 30);
    assert.equal(c.basis, 'corrected');
    assert.equal(c.headlessSpendNanos, 450 * USD);
    assert.equal(c.currentPlan, 'max5x');
    const max5x = c.plans.find((p: { plan: string }) => p.plan === 'max5x');
    assert.deepEqual(
      { current: max5x.current, coveredDays: max5x.coveredDays, runOutDay: max5x.runOutDay, overage: max5x.overageNanos / USD, hours: max5x.overageHours, runs: max5x.loopRunsCovered },
      { current: true, coveredDays: 6, runOutDay: 7, overage: 350, hours: 3.5, runs: 6 },
    );
    assert.equal(c.plans.find((p: { plan: string }) => p.plan === 'api').scope, 'all');
    assert.equal(c.biggestLoop.kind, 'recurring');
    assert.equal(c.biggestLoop.costPerIterationNanos, 15 * USD);
    assert.match(c.biggestLoop.moves.cheaperModel, /\$10\.00 a run instead of \$15\.00/);
  });

  test('the table: plans that come out alike share a row, the plan set marked, and the three moves of the biggest loop', () => {
    const home = tempDir('cl-home-');
    const r = run(['plans', '--no-color', '--config-dir', config, '--plan', 'max5x', '--hourly-rate', '50', ...common], { HOME: home, CREDIT_LEDGER_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^Which plan fits · 2026-10-02 – 2026-10-31 \(30 days, UTC\) · list prices, corrected/);
    const row = lines.find((l) => l.startsWith('▸ Max 5x'));
    assert.ok(row, r.stdout);
    assert.match(row, /^▸ Max 5x \(yours\) · Team Premium\s+headless\s+\$100\.00\s+\$450\.00\s+6 of 30 days\s+day 7\s+\$350\.00\s+7 hours\s+6$/);
    assert.match(r.stdout, /^  Max 20x · Enterprise Premium seat\s+headless\s+\$200\.00\s+\$450\.00\s+13 of 30 days\s+day 14\s+\$250\.00\s+5 hours\s+13$/m);
    assert.match(r.stdout, /^Max 5x \(yours\) · Team Premium: \$100\.00 covers 6 days of 30 \(22%\) and runs out on day 7; \$350\.00 over, 7 hours of your time at \$50\/h\.$/m);
    assert.match(r.stdout, /Biggest loop this month: Recurring job recurring-[0-9a-f]{10}/);
    assert.match(r.stdout, /Run it less often: .*\$100\.00 credit covers 6 runs/);
    assert.match(r.stdout, /A cheaper model: On claude-sonnet-5-5/);
    assert.match(r.stdout, /Keep it and pay: Keeping it costs \$450\.00 a cycle at this pace, \$350\.00 past the \$100\.00 credit/);
  });

  test('writes nothing: the user\'s own ledger, journal, snapshot, settings and index are byte-identical after it', () => {
    const home = tempDir('cl-home-');
    fs.writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ plan: 'max5x', timezone: 'UTC' }));
    const env = { HOME: home, CREDIT_LEDGER_HOME: home, CLAUDE_CONFIG_DIR: config };
    const first = run(['balance', '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    fs.appendFileSync(path.join(home, 'journal.jsonl'), JSON.stringify({ id: 'f-1', at: '2026-10-20T00:00:00.000Z', kind: 'override', target: 'project', key: '-srv-other', mode: 'never' }) + '\n');
    // A night the ledger has not read yet: `plans` reads it into memory, and still writes nothing.
    const extra = tempDir('cl-extra-');
    night(extra, 1);
    fs.cpSync(path.join(extra, 'projects'), path.join(config, 'projects'), { recursive: true });
    const before = tree(home);
    assert.ok(before.has(path.join('ledgers', 'user.sqlite')), `the user's ledger exists: ${[...before.keys()].join(', ')}`);
    assert.ok(before.has('balance.json'));
    const r = run(['plans', '--json', '--timezone', 'UTC', '--since', '2026-10-01', '--until', '2026-10-30'], env);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout);
    assert.equal(c.headlessSpendNanos, 450 * USD, 'the 1st-30th: 30 nights, the unread one included');
    assert.deepEqual(tree(home), before);
  });
});
