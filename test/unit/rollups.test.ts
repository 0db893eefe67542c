// Rollups (core/ledger/rollups): the reports read them instead of every request. Their figures
// must be identical to a walk over every request (the reference row source) on the shared corpus
// and on both bench mixes, after a first bulk ingest and after every later kind of write
// (appended turns, re-read files, corrections, repricing, a dropped folder), and the triggers must
// leave exactly what a rebuild from the tables gives.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database } from 'sql.js';
import { Meter } from '../../src/core/meter/meter';
import { userPaths } from '../../src/core/state/paths';
import { rebuildRollups } from '../../src/core/ledger/rollups';
import { dailyReport, monthlyReport, requestRows, sessionReport } from '../../src/core/reports/usage';
import { assistant, configDir, jsonl, tempDir, user } from './builders';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const ZONES = ['UTC', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham'];

function rollupTable(db: Database): string {
  const r = db.exec('SELECT * FROM rollups ORDER BY bucket, session_id, project_key, model, entrypoint, priced, own');
  return JSON.stringify(r.length ? r[0].values : []);
}

/** The reports from the rollups equal the reference walk, and the rollups equal a rebuild. */
function assertExact(db: Database, label: string): void {
  for (const timezone of ZONES) {
    const f = { timezone };
    assert.deepEqual(dailyReport(db, f), dailyReport(db, f, requestRows), `${label}: daily (${timezone})`);
    assert.deepEqual(monthlyReport(db, f), monthlyReport(db, f, requestRows), `${label}: monthly (${timezone})`);
  }
  const ranged = { timezone: 'Asia/Kathmandu', since: '2026-01-01', until: '2026-12-31' };
  assert.deepEqual(dailyReport(db, ranged), dailyReport(db, ranged, requestRows), `${label}: daily with a range`);
  const s = sessionReport(db, { timezone: 'UTC' });
  const ref = sessionReport(db, { timezone: 'UTC' }, requestRows);
  assert.deepEqual(s.totals, ref.totals, `${label}: session totals`);
  const bySession = (r: typeof s): Map<string, unknown> => new Map(r.sessions.map((x) => [x.sessionId, { ...x, projectPath: undefined, entrypoint: undefined, headless: undefined }]));
  assert.deepEqual(bySession(s), bySession(ref), `${label}: every session's figures and activity`);
  const before = rollupTable(db);
  rebuildRollups(db);
  assert.equal(rollupTable(db), before, `${label}: the triggers left what a rebuild gives`);
}

async function meterOver(root: string, settings: Record<string, unknown> = {}): Promise<Meter> {
  const home = tempDir('cl-rollup-home-');
  return Meter.open({ paths: userPaths({ CREDIT_LEDGER_HOME: home }), settings: { timezone: 'UTC', ...settings }, configDirs: [root], writesSnapshot: false });
}

describe('rollups', () => {
  test('the shared corpus: every report identical to the walk over every request', async () => {
    assert.ok(fs.existsSync(path.join(corpus, 'projects')), `the corpus is missing at ${corpus}`);
    const meter = await meterOver(corpus);
    try {
      meter.refresh();
      assert.ok(Number(meter.ledger.db.exec('SELECT count(*) FROM requests')[0].values[0][0]) > 0);
      assertExact(meter.ledger.db, 'corpus');
    } finally {
      meter.close();
    }
  });

  for (const mix of ['tool', 'assistant']) {
    test(`the bench's ${mix} mix: bulk ingest, appended turns, repricing, then a dropped folder`, async () => {
      const gen = await import('../../bench/generate.mjs');
      const out = tempDir(`cl-rollup-${mix}-`);
      gen.generate({ out, sizeMb: 3, seed: 7, mix, now: '2026-11-26' });
      const other = configDir({ 'p/x.jsonl': jsonl([user('hi', { sessionId: 'other' }), assistant({ messageId: 'mx', sessionId: 'other', input: 5, output: 5, timestamp: '2026-11-20T10:00:00.000Z' })]) });
      const meter = await meterOver(out);
      try {
        meter.refresh();
        assertExact(meter.ledger.db, `${mix}: first ingest`);
        const totalsBefore = dailyReport(meter.ledger.db, { timezone: 'UTC' }).totals;
        const target = gen.appendOneTurn(out).file;
        gen.appendOneTurn(out);
        meter.refresh();
        assertExact(meter.ledger.db, `${mix}: after two appended turns`);
        assert.ok(dailyReport(meter.ledger.db, { timezone: 'UTC' }).totals.totalTokens > totalsBefore.totalTokens);
        // a file cut short (read again from its start) and a copy of it (a resumed history):
        // every request already stored, merged and replaced in place
        const text = fs.readFileSync(target);
        fs.writeFileSync(target, text.subarray(0, text.lastIndexOf(10, Math.floor(text.length * 0.7)) + 1));
        fs.writeFileSync(target.replace(/\.jsonl$/, '-copy.jsonl'), text);
        const reread = meter.refresh().ingest;
        assert.ok(reread.filesReread >= 1 && reread.requestsUpdated > 10, `re-read ${reread.filesReread}, updated ${reread.requestsUpdated}`);
        assertExact(meter.ledger.db, `${mix}: after a file cut short and copied`);
        meter.updateSettings({ timezone: 'UTC', rateOverrides: { 'claude-zephyr-1-20261101': { input: 1, output: 2 }, 'claude-opus-4-6': { input: 7, output: 30 } } });
        assertExact(meter.ledger.db, `${mix}: after repricing`);
        assert.equal(dailyReport(meter.ledger.db, { timezone: 'UTC' }).totals.unpriced.requests, 0);
        meter.close();
        // the same ledger read with one more folder, then without it: its requests leave again (the user said so)
        const file = path.join(tempDir('cl-rollup-db-'), 'l.sqlite');
        const m1 = await Meter.open({ paths: userPaths({ CREDIT_LEDGER_HOME: tempDir() }), settings: { timezone: 'UTC' }, configDirs: [out, other], writesSnapshot: false, ledgerFile: file });
        m1.refresh();
        m1.save();
        assertExact(m1.ledger.db, `${mix}: two folders`);
        m1.close();
        const m2 = await Meter.open({ paths: userPaths({ CREDIT_LEDGER_HOME: tempDir() }), settings: { timezone: 'UTC' }, configDirs: [out], writesSnapshot: false, ledgerFile: file, forgetFolders: 'unread' });
        try {
          assert.ok(m2.droppedRequests > 0);
          m2.refresh();
          assertExact(m2.ledger.db, `${mix}: a folder dropped`);
        } finally {
          m2.close();
        }
      } finally {
        meter.close();
      }
    });
  }

  test('a ledger saved before rollups existed gets them at open, from its tables', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([user('hi'), assistant({ messageId: 'm1', input: 100, output: 50, timestamp: '2026-11-20T10:00:00.000Z' })]) });
    const file = path.join(tempDir('cl-rollup-old-'), 'l.sqlite');
    const m = await Meter.open({ paths: userPaths({ CREDIT_LEDGER_HOME: tempDir() }), settings: { timezone: 'UTC' }, configDirs: [root], writesSnapshot: false, ledgerFile: file });
    m.refresh();
    // as an older Credit Ledger left it: no rollups table, no triggers, no version
    m.ledger.db.run("DROP TRIGGER rollups_request_insert; DROP TRIGGER rollups_request_delete; DROP TRIGGER rollups_request_update; DROP TRIGGER rollups_correction_insert; DROP TRIGGER rollups_correction_delete; DROP TRIGGER rollups_correction_update; DROP TABLE rollups; DELETE FROM meta WHERE key = 'rollups_version'");
    m.ledger.setMeta('x', '1');
    m.save();
    m.close();
    const again = await Meter.open({ paths: userPaths({ CREDIT_LEDGER_HOME: tempDir() }), settings: { timezone: 'UTC' }, configDirs: [root], writesSnapshot: false, ledgerFile: file });
    try {
      assert.equal(dailyReport(again.ledger.db, { timezone: 'UTC' }).totals.totalTokens, 150);
      assertExact(again.ledger.db, 'rebuilt at open');
      assert.ok(again.ledger.isDirty, 'the rebuilt rollups are saved');
    } finally {
      again.close();
    }
  });
});
