// Issue #14, item 4: a cut last line (a crash, a full disk) never swallows the next fact the
// journal acknowledges, and a line damaged that way gives back the whole fact behind it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendFact, readJournal } from '../../src/core/state/journal';
import { tempDir } from './builders';
import { machine, noCorpus, runCli, type Machine } from './reliabilityHarness';

function reconciled(m: Machine): { figure: number; stderr: string } {
  const r = runCli(m, ['balance', '--json', '--plan', 'max5x', '--now', '2026-01-20T00:00:00Z']);
  assert.equal(r.code, 0, r.stderr);
  return { figure: JSON.parse(r.stdout).reconcile?.figure, stderr: r.stderr };
}

describe('the journal after a cut line', { skip: noCorpus }, () => {
  test('a fact recorded after a cut last line is kept, and the cut line is counted', () => {
    const m = machine();
    assert.match(runCli(m, ['reconcile', '50', '--as-of', '2026-01-01T00:00:00Z']).stdout, /^Recorded/);
    fs.appendFileSync(m.journal, '{"id":"mj1x2-cut","at":"2026-01-02T00:00:00.000Z","kind":"reconc'); // a write cut by a full disk
    const r = runCli(m, ['reconcile', '40', '--as-of', '2026-01-03T00:00:00Z']);
    assert.match(r.stdout, /^Recorded: \$40\.00/);
    const after = reconciled(m);
    assert.equal(after.figure, 40, 'the acknowledged fact counts');
    assert.match(after.stderr, /1 malformed journal line\(s\) skipped/);
    const read = readJournal(m.journal);
    assert.deepEqual(read.facts.map((f) => f.remainingUsd), [50, 40]);
    assert.equal(read.malformed, 1);
  });

  test('a line where a fact was appended onto a cut one gives that fact back', () => {
    const m = machine();
    assert.equal(runCli(m, ['reconcile', '50', '--as-of', '2026-01-01T00:00:00Z']).code, 0);
    const facts = fs.readFileSync(m.journal, 'utf8');
    // What the journal held when appends did not start on a fresh line: a cut write, then a whole fact on the same line.
    const whole = JSON.stringify({ id: 'mj1x3-whole', at: '2026-01-03T00:00:00.000Z', kind: 'reconcile', remainingUsd: 30, asOf: '2026-01-03T00:00:00.000Z' });
    fs.writeFileSync(m.journal, `${facts}{"id":"mj1x2-cut","at":"2026-01-02T00:0${whole}\n`);
    const after = reconciled(m);
    assert.equal(after.figure, 30);
    assert.match(after.stderr, /1 malformed journal line\(s\) skipped in .*\(1 fact\(s\) recovered from them\)/);
  });
});

describe('appending', () => {
  test('creates the journal 0600 in a 0700 folder, and every append lands on a line of its own', () => {
    const dir = path.join(tempDir(), 'data');
    const journal = path.join(dir, 'journal.jsonl');
    appendFact(journal, { kind: 'note', n: 1 });
    fs.appendFileSync(journal, '{"id":"cut');
    appendFact(journal, { kind: 'note', n: 2 });
    appendFact(journal, { kind: 'note', n: 3 });
    const read = readJournal(journal);
    assert.deepEqual(read.facts.map((f) => f.n), [1, 2, 3]);
    assert.equal(read.malformed, 1);
    if (process.platform !== 'win32') {
      assert.equal(fs.statSync(journal).mode & 0o777, 0o600);
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    }
  });
});
