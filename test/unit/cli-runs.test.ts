// `record` with stdin that holds no claude -p output, where a run without a terminal is said to be, and the Exit column.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './builders';
import { runCli } from './cliRun';

const result = JSON.stringify({ type: 'result', subtype: 'success', is_error: false, duration_ms: 1200, num_turns: 2, result: 'ok', session_id: '5a5a5a5a-0000-4000-8000-000000000001', total_cost_usd: 0.01, usage: { input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } });

describe('runs', () => {
  test('empty or garbage stdin to record is passed through, not recorded, and said so on stderr', () => {
    for (const input of ['', 'hello\nnot json {\n', '{"type": "nothing claude prints"\n']) {
      const home = tempDir('cl-runs-');
      const r = runCli(['record'], { CREDIT_LEDGER_HOME: home }, input);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, input);
      assert.match(r.stderr, /nothing recorded: stdin held no claude -p output/);
      assert.ok(!fs.existsSync(path.join(home, 'journal.jsonl')), `nothing in the journal for ${JSON.stringify(input)}`);
    }
  });

  test('a run piped in from a script is a "script", not "cron"; the Exit column shows the status and the result\'s subtype', () => {
    const home = tempDir('cl-runs-');
    const r = runCli(['record'], { CREDIT_LEDGER_HOME: home }, result + '\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const fact = JSON.parse(fs.readFileSync(path.join(home, 'journal.jsonl'), 'utf8').trim().split('\n')[0]!) as { where: string };
    assert.equal(fact.where, 'script');
    const runs = runCli(['runs', '--no-color'], { CREDIT_LEDGER_HOME: home, COLUMNS: '200' });
    assert.equal(runs.code, 0, runs.stderr);
    assert.match(runs.stdout, /\bscript\b/);
    assert.match(runs.stdout, /— success\s*$/m, 'record cannot see the exit status: —, and the subtype beside it');
  });
});

const corpus = path.resolve(__dirname, '../../../shared/corpus');

describe('audit', { skip: fs.existsSync(path.join(corpus, 'projects')) ? false : 'no corpus' }, () => {
  test('loops older than the cycle: "nothing in this cycle", not "$0.00 at stake"; --limit; the Where column and the detail name the same project', () => {
    const home = tempDir('cl-audit-');
    const r = runCli(['audit', '--config-dir', corpus, '-z', 'UTC', '--limit', '1', '--no-color', '--now', '2026-12-06T00:00:00Z'], { CREDIT_LEDGER_HOME: home, COLUMNS: '200' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 loops, nothing in this cycle \(the latest ended 2026-02-11 \d\d:\d\d\)/);
    assert.doesNotMatch(r.stdout, /\$0\.00 at stake/);
    assert.match(r.stdout, /^1 more loop\(s\) with less at stake not shown: --limit 0 lists them all/m);
    assert.equal((r.stdout.match(/^\d+\. /gm) ?? []).length, 1, 'one loop detailed');
    const where = /^1 {2}\S+ +\S+ +(\S+) ·/m.exec(r.stdout)![1]!;
    assert.match(r.stdout, new RegExp(`^   ${where} · session `, 'm'));
    const all = runCli(['audit', '--config-dir', corpus, '-z', 'UTC', '--limit', '0', '--no-color', '--now', '2026-12-06T00:00:00Z'], { CREDIT_LEDGER_HOME: home });
    assert.equal((all.stdout.match(/^\d+\. /gm) ?? []).length, 2);
    assert.equal(runCli(['audit', '--limit', 'x'], { CREDIT_LEDGER_HOME: home }).code, 2);
  });
});
