// Issue #14, item 3: folders are compared by real path, and requests never leave the ledger because
// a folder left the read list unless the user says so.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assistant, configDir, jsonl } from './builders';
import { machine, noCorpus, runCli, totals } from './reliabilityHarness';

const deleted = 'projects/spotter/258c7280-ae70-4798-800f-63464d01a85d.jsonl';

describe('the same folder under another spelling', { skip: noCorpus }, () => {
  test('CLAUDE_CONFIG_DIR through a symlink to ~/.claude keeps the spend of a deleted transcript, then and after going back', () => {
    const m = machine();
    const clean = totals(m);
    assert.equal(clean.requests, 424);
    fs.rmSync(path.join(m.claude, deleted));
    const link = path.join(m.home, 'claude-link');
    fs.symlinkSync(m.claude, link);
    const viaLink = totals(m, { CLAUDE_CONFIG_DIR: link });
    assert.deepEqual([viaLink.requests, viaLink.totalCost], [clean.requests, clean.totalCost]);
    assert.doesNotMatch(viaLink.stderr, /removed|does not read/);
    const back = totals(m);
    assert.deepEqual([back.requests, back.totalCost], [clean.requests, clean.totalCost]);
  });
});

describe('a folder taken off the read list', { skip: noCorpus }, () => {
  test('its requests stay and count until the user asks, with a note saying how to remove them; --forget-unread-folders removes them', () => {
    const m = machine();
    const clean = totals(m);
    fs.rmSync(path.join(m.claude, deleted));
    const other = configDir({ 'p/s.jsonl': jsonl([assistant({ sessionId: 'other', messageId: 'o1', input: 1000, output: 100, timestamp: '2026-11-20T10:00:00.000Z' })]) });
    const switched = totals(m, { CLAUDE_CONFIG_DIR: other });
    assert.equal(switched.requests, clean.requests + 1, 'nothing left the ledger');
    assert.match(switched.stderr, /holds 424 request\(s\) \(\$16\.73\) read from .*\.claude\/projects, which this run does not read; 1 of its transcripts are gone.*--forget-unread-folders/);
    const back = totals(m);
    assert.equal(back.requests, clean.requests + 1, 'going back, ~/.claude counts whole again');
    const r = runCli(m, ['daily', '--json', '--forget-unread-folders'], { CLAUDE_CONFIG_DIR: other });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).totals.requests, 1);
    assert.match(r.stderr, /424 request\(s\) read earlier from folders this run does not read were removed from .*user\.sqlite, as asked/);
  });
});
