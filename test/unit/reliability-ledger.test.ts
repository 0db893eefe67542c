// Issue #14, items 1-2: a damaged ledger file never stops the CLI and never loses spend. Each test
// reproduces the defect as it was reported: a temporary HOME, the corpus in $H/.claude/projects,
// the built CLI.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { machine, noCorpus, overwritePages, totals } from './reliabilityHarness';

const corruptCopies = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.includes('.corrupt-'));

describe('a damaged ledger file', { skip: noCorpus }, () => {
  test('one bad page: the run succeeds, the file is set aside, the last good copy is restored, no lock is left', () => {
    const m = machine();
    const clean = totals(m);
    assert.equal(clean.requests, 424);
    overwritePages(m.ledger, 40, 4);
    const after = totals(m);
    assert.deepEqual({ ...after, stderr: '' }, { ...clean, stderr: '' });
    assert.match(after.stderr, /could not be read \(.*\); it was set aside as .*corrupt-.*; the last good copy was restored/);
    assert.equal(corruptCopies(path.dirname(m.ledger)).length, 1);
    assert.ok(!fs.existsSync(`${m.ledger}.lock`), 'no lock left behind');
    const again = totals(m);
    assert.equal(again.requests, 424);
    assert.doesNotMatch(again.stderr, /could not be read/, 'the restored ledger was saved whole');
  });

  test('a page broken in every copy: rebuilt from the transcripts, same totals', () => {
    const m = machine();
    const clean = totals(m);
    overwritePages(m.ledger, 30, 2, 7);
    overwritePages(`${m.ledger}.prev`, 30, 2, 8);
    const after = totals(m);
    assert.equal(after.requests, clean.requests);
    assert.equal(after.totalCost, clean.totalCost);
    assert.match(after.stderr, /no good copy was left, so it was rebuilt from the transcripts/);
  });

  test('a zero-length ledger is corrupt, not empty: spend of transcripts Claude Code deleted is kept', () => {
    const m = machine();
    const clean = totals(m);
    fs.rmSync(path.join(m.claude, 'projects/spotter/258c7280-ae70-4798-800f-63464d01a85d.jsonl'));
    fs.truncateSync(m.ledger, 0);
    const after = totals(m);
    assert.equal(after.requests, clean.requests, 'requests of the deleted transcript are still counted');
    assert.equal(after.totalCost, clean.totalCost);
    assert.match(after.stderr, /could not be read \(the file is empty \(0 bytes\)\)/);
  });

  test('a ledger cut short is corrupt, and so is a missing file whose last good copy is there', () => {
    const m = machine();
    const clean = totals(m);
    fs.rmSync(path.join(m.claude, 'projects/spotter/258c7280-ae70-4798-800f-63464d01a85d.jsonl'));
    fs.truncateSync(m.ledger, Math.floor(fs.statSync(m.ledger).size / 2) + 100);
    const cut = totals(m);
    assert.equal(cut.requests, clean.requests);
    assert.match(cut.stderr, /the file is cut short/);
    fs.rmSync(m.ledger);
    const missing = totals(m);
    assert.equal(missing.requests, clean.requests);
    assert.match(missing.stderr, /could not be read \(the file is missing\).*last good copy was restored/);
  });
});

describe('a ledger whose tables lack columns', { skip: noCorpus }, () => {
  test('is set aside like a corrupt one instead of failing every run in a later query', async () => {
    const m = machine();
    const clean = totals(m);
    const initSqlJs = (await import('sql.js')).default;
    const SQL = await initSqlJs();
    const db = new SQL.Database(fs.readFileSync(m.ledger));
    db.run('ALTER TABLE files RENAME TO files_old; CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT); DROP TABLE files_old;');
    fs.writeFileSync(m.ledger, db.export());
    db.close();
    const after = totals(m);
    assert.equal(after.requests, clean.requests);
    assert.match(after.stderr, /table files lacks config_dir/);
    assert.ok(!fs.existsSync(`${m.ledger}.lock`));
  });
});
