// Tables at the width of the terminal: the real CLI's output at COLUMNS=80 and COLUMNS=200 against expected text
// (test/fixtures/cli-tables/expected), on a small fixture (two session ids sharing their first 8 characters, a long
// project folder, a model with no list price) and on the shared corpus. The fixture's JSON against ccusage 20.0.24.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './builders';
import { runCli } from './cliRun';

const fixture = path.resolve(__dirname, '../fixtures/cli-tables');
const expectedDir = path.join(fixture, 'expected');
const corpus = path.resolve(__dirname, '../../../shared/corpus');
const hasCorpus = fs.existsSync(path.join(corpus, 'projects'));

function table(args: string[], columns: number, home: string): string {
  const r = runCli([...args, '-z', 'UTC', '--no-color'], { CREDIT_LEDGER_HOME: home, COLUMNS: String(columns), CREDIT_LEDGER_STORED_ANSWERS: 'off' });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.replace(/Ledger: .*/, 'Ledger: <ledger>');
}

function check(name: string, args: string[]): void {
  const home = tempDir('cl-tables-');
  for (const columns of [80, 200]) {
    const out = table(args, columns, home);
    for (const line of out.split('\n')) assert.ok(line.length <= columns, `${name} at ${columns}: a line of ${line.length} columns: ${line}`);
    assert.equal(out, fs.readFileSync(path.join(expectedDir, `${name}-${columns}.txt`), 'utf8'), `${name} at COLUMNS=${columns}`);
  }
}

describe('tables fit the terminal', () => {
  test('session: ids long enough to tell 22222222-a… from 22222222-b…, the project cut from the left, compact under 100 columns', () => {
    check('session', ['session', '--config-dir', fixture]);
  });

  test('daily --breakdown: short model names, a row per model', () => {
    check('daily-breakdown', ['daily', '--breakdown', '--config-dir', fixture]);
  });

  test('weekly', () => {
    check('weekly', ['weekly', '--config-dir', fixture]);
  });

  test('--compact gives the narrow table on a wide terminal', () => {
    const out = table(['daily', '--compact', '--config-dir', fixture], 200, tempDir('cl-tables-'));
    assert.match(out, /^Date {8}Models {6}Input {2}Output {6}Cost {2}Corrected$/m);
    assert.match(out, /^Compact view: cache and total token columns are left out/m);
  });

  test('the shared corpus: daily and session', { skip: hasCorpus ? false : `no corpus at ${corpus}` }, () => {
    check('corpus-daily', ['daily', '--config-dir', corpus]);
    check('corpus-session', ['session', '--config-dir', corpus]);
  });

  test('the fixture\'s JSON equals ccusage\'s (tokens, models in order, costs; the unpriced model: ccusage says $0, ours the same with the request marked unpriced)', () => {
    const home = tempDir('cl-tables-');
    for (const [kind, list] of [['daily', 'daily'], ['session', 'sessions']] as const) {
      const theirs = JSON.parse(fs.readFileSync(path.resolve(__dirname, `../fixtures/ccusage/tables-${kind}-UTC.json`), 'utf8')) as Record<string, Record<string, unknown>[]>;
      const r = runCli([kind, '-j', '-z', 'UTC', '--config-dir', fixture], { CREDIT_LEDGER_HOME: home });
      assert.equal(r.code, 0, r.stderr);
      const mine = JSON.parse(r.stdout) as Record<string, Record<string, unknown>[]>;
      assert.equal(mine[list]!.length, theirs[list]!.length);
      theirs[list]!.forEach((t, i) => {
        const m = mine[list]![i]!;
        for (const k of ['date', 'sessionId', 'projectPath', 'firstActivity', 'lastActivity', 'inputTokens', 'outputTokens', 'cacheCreationTokens', 'cacheReadTokens', 'totalTokens', 'modelsUsed']) {
          if (k in t) assert.deepEqual(m[k], t[k], `${kind} row ${i}: ${k}`);
        }
        assert.ok(Math.abs((m.totalCost as number) - (t.totalCost as number)) < 1e-9, `${kind} row ${i}: cost`);
      });
      assert.equal((mine.totals as unknown as { unpriced: { requests: number } }).unpriced.requests, 1);
    }
  });
});

describe('balance reads as an account', { skip: hasCorpus ? false : `no corpus at ${corpus}` }, () => {
  test('allotment − spent + adjustments + what the reconcile changed = remaining; a signed, explained drift; times with their zone; "requests stop", no overage line; at 80 and 200 columns', () => {
    const home = tempDir('cl-balance-');
    assert.equal(runCli(['reconcile', '99', '--as-of', '2026-01-20T00:00:00Z'], { CREDIT_LEDGER_HOME: home }).code, 0);
    const args = ['balance', '--config-dir', corpus, '--plan', 'max5x', '--cycle-day', '1', '--now', '2026-01-31T00:00:00Z', '--basis', 'recorded', '--verbose'];
    for (const columns of [80, 200]) {
      const out = table(args, columns, home);
      for (const line of out.split('\n')) assert.ok(line.length <= columns, `a line of ${line.length} columns: ${line}`);
      assert.equal(out, fs.readFileSync(path.join(expectedDir, `balance-reconciled-${columns}.txt`), 'utf8'), `balance at COLUMNS=${columns}`);
    }
    const json = JSON.parse(runCli([...args, '--json', '-z', 'UTC'], { CREDIT_LEDGER_HOME: home }).stdout) as { allotment: number; spent: number; adjustments: number; remaining: number; reconcile: { change: number; drift: number } };
    assert.ok(Math.abs(json.allotment - json.spent + json.adjustments + json.reconcile.change - json.remaining) < 1e-9, 'the account adds up');
    assert.equal(json.reconcile.change, -json.reconcile.drift);
  });

  test('no plan: says how to set one; no allotment, remaining or overage rows', () => {
    const out = table(['balance', '--config-dir', corpus, '--now', '2026-02-12T00:00:00Z'], 80, tempDir('cl-balance-'));
    assert.match(out, /No plan is set, so there is no balance, only spend\. Set one with credit-ledger\nconfig set plan max5x/);
    assert.doesNotMatch(out, /^(Allotment|Remaining|Overage|Requests stop)/m);
  });
});
