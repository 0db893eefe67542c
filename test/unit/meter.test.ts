import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Meter } from '../../src/core/meter/meter';
import { userPaths } from '../../src/core/state/paths';
import { appendFact } from '../../src/core/state/journal';
import { reconcileFact } from '../../src/core/pool';
import { assistant, configDir, jsonl, queueOperation, tempDir, user } from './builders';

const NOW = Date.parse('2026-11-25T12:00:00Z');

function headlessSession(id: string, n: number): string {
  const lines: unknown[] = [queueOperation(id), user('nightly', { sessionId: id })];
  for (let i = 0; i < n; i++) lines.push(assistant({ sessionId: id, messageId: `${id}-m${i}`, input: 10_000, output: 1000, entrypoint: 'sdk-cli', timestamp: `2026-11-20T10:${String(i).padStart(2, '0')}:00.000Z` }));
  return jsonl(lines);
}

async function open(dir: string, home: string, extra: Partial<Parameters<typeof Meter.open>[0]> = {}): Promise<Meter> {
  return Meter.open({ paths: userPaths({ CREDIT_LEDGER_HOME: home }), settings: { plan: 'pro', timezone: 'UTC', cycleDay: 1 }, configDirs: [dir], ledgerFile: path.join(home, 'ledger.sqlite'), writesSnapshot: true, clock: () => NOW, ...extra });
}

describe('meter', () => {
  test('ingest in slices, a few KB of each file at a time, then settle: the same balance as one refresh', async () => {
    const dir = configDir({ 'p/a.jsonl': headlessSession('a', 30), 'p/b.jsonl': headlessSession('b', 20) });
    const whole = await open(dir, tempDir());
    const expected = whole.refresh().balance;
    whole.close();
    const home = tempDir();
    const sliced = await open(dir, home);
    let rounds = 0;
    for (;;) {
      const files = sliced.discoverFiles();
      const r = sliced.ingestSlice(files, 4096);
      rounds++;
      if (r.bytesRead === 0) break;
      assert.ok(!fs.existsSync(path.join(home, 'balance.json')), 'no snapshot before settle');
    }
    assert.ok(rounds > 3, `read in ${rounds} rounds`);
    const settled = sliced.settle().balance;
    assert.equal(settled.spentNanos, expected.spentNanos);
    assert.equal(settled.covered.length, 2);
    assert.ok(fs.existsSync(path.join(home, 'balance.json')), 'snapshot written on settle');
    sliced.close();
  });

  test('settings change without reopening the ledger; rate overrides re-price', async () => {
    const dir = configDir({ 'p/a.jsonl': headlessSession('a', 2).replace(/claude-sonnet-4-5-20250929/g, 'claude-zeta-1') });
    const m = await open(dir, tempDir());
    const before = m.refresh().balance;
    assert.equal(before.allotmentNanos, 20e9);
    assert.equal(before.unpricedCount, 2);
    const after = m.updateSettings({ plan: 'max20x', timezone: 'UTC', cycleDay: 1, rateOverrides: { 'claude-zeta-1': { input: 1, output: 5 } } });
    assert.equal(after.allotmentNanos, 200e9);
    assert.equal(after.unpricedCount, 0);
    assert.equal(after.spentNanos, 2 * (10_000 * 1000 + 1000 * 5000));
    m.close();
  });

  test('a journal fact written by another process shows on the next settle', async () => {
    const dir = configDir({ 'p/a.jsonl': headlessSession('a', 1) });
    const home = tempDir();
    const m = await open(dir, home);
    m.refresh();
    appendFact(userPaths({ CREDIT_LEDGER_HOME: home }).journal, reconcileFact(12.5, NOW - 1000));
    const b = m.settle().balance;
    assert.equal(b.remainingNanos, 12.5e9);
    m.close();
  });

  test('a rebuild with seed: false starts empty instead of copying the last saved ledger', async () => {
    const dir = configDir({ 'p/a.jsonl': headlessSession('a', 3) });
    const home = tempDir();
    const first = await open(dir, home);
    first.refresh();
    first.save();
    first.close();
    const otherFile = path.join(home, 'other.sqlite');
    const seeded = await open(dir, home, { ledgerFile: otherFile });
    assert.equal(Number(seeded.ledger.db.exec('SELECT count(*) FROM requests')[0].values[0][0]), 3, 'seeded from the saved ledger');
    seeded.close();
    fs.rmSync(otherFile, { force: true });
    const fresh = await open(dir, home, { ledgerFile: otherFile, seed: false });
    assert.equal(Number(fresh.ledger.db.exec('SELECT count(*) FROM requests')[0].values[0][0]), 0);
    fresh.close();
  });
});

describe('folders the user stops reading', () => {
  test('requests read from a config folder no longer configured stay and count until the user says to remove them', async () => {
    const a = configDir({ 'p/a.jsonl': headlessSession('a', 2) });
    const b = configDir({ 'q/b.jsonl': headlessSession('b', 3) });
    const home = tempDir();
    const both = await open(a, home, { configDirs: [a, b] });
    assert.equal(both.refresh().balance.covered.length, 2);
    both.save();
    both.close();
    const onlyB = await open(b, home);
    assert.equal(onlyB.droppedRequests, 0);
    assert.deepEqual(onlyB.unreadFolders.map((u) => [u.configDir, u.requests, u.transcriptsGone]), [[fs.realpathSync(path.join(a, 'projects')), 2, 0]]);
    assert.equal(onlyB.refresh().balance.covered.length, 2, 'nothing left the ledger');
    onlyB.close();
    const asked = await open(b, home, { forgetFolders: [path.join(a, 'projects')] });
    assert.equal(asked.droppedRequests, 2);
    assert.deepEqual(asked.unreadFolders, []);
    const bal = asked.refresh().balance;
    assert.deepEqual(bal.covered.map((c) => c.sessionId), ['b']);
    assert.equal(Number(asked.ledger.db.exec('SELECT count(*) FROM requests')[0].values[0][0]), 3);
    assert.equal(Number(asked.ledger.db.exec("SELECT count(*) FROM sessions WHERE session_id = 'a'")[0].values[0][0]), 0);
    asked.close();
  });

  test('a transcript deleted from a folder still read keeps its requests (the money was spent)', async () => {
    const a = configDir({ 'p/a.jsonl': headlessSession('a', 2) });
    const home = tempDir();
    const m = await open(a, home);
    m.refresh();
    m.save();
    m.close();
    fs.rmSync(path.join(a, 'projects/p/a.jsonl'));
    const again = await open(a, home);
    assert.equal(again.droppedRequests, 0);
    assert.equal(again.refresh().balance.covered.length, 1);
    again.close();
  });
});
