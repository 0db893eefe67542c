// Issue #14, item 11: the same transcripts always give the same figures, whatever the ledger read before.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './builders';
import { corpus, machine, noCorpus, runCli, type Machine } from './reliabilityHarness';

/** The corpus split in two config folders: B holds the 2.0.x project with flat agent files, A the rest. */
function split(): { a: string; b: string } {
  const root = tempDir('cl-rel-split-');
  const a = path.join(root, 'A');
  const b = path.join(root, 'B');
  for (const name of fs.readdirSync(path.join(corpus, 'projects'))) {
    fs.cpSync(path.join(corpus, 'projects', name), path.join(name === 'scripts-and-tools' ? b : a, 'projects', name), { recursive: true });
  }
  return { a, b };
}

function figures(m: Machine, dirs: string[], extra: string[] = []): { requests: number; recorded: number; corrected: number; correctedOutput: number } {
  const r = runCli(m, ['daily', '--json', '--timezone', 'UTC', ...extra], { CLAUDE_CONFIG_DIR: dirs.join(',') });
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout).totals;
  return { requests: t.requests, recorded: t.totalCost, corrected: t.corrected.totalCost, correctedOutput: t.corrected.outputTokens };
}

describe('results do not depend on what the ledger read before', { skip: noCorpus }, () => {
  test('a folder read after another (removed as asked) gives the figures of a fresh HOME', () => {
    const { a, b } = split();
    const fresh = figures(machine(), [b]);
    assert.equal(fresh.requests, 34);
    const m = machine();
    figures(m, [a]);
    assert.deepEqual(figures(m, [b], ['--forget-unread-folders']), fresh);
    assert.deepEqual(figures(m, [b]), fresh, 'and again on the next run');
  });

  test('two folders read one after the other, in either order, give the figures of both read at once', () => {
    const { a, b } = split();
    const both = figures(machine(), [a, b]);
    for (const [first, second] of [[a, b], [b, a]]) {
      const m = machine();
      figures(m, [first]);
      assert.deepEqual(figures(m, [first, second]), both);
    }
  });
});
