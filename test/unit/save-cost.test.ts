// What a save costs (the appended-turn path): the previous good copy is the replaced file itself,
// kept by a hard link rather than copied; and the ledger's connection settings survive sql.js's
// export (the rollups' triggers need recursive_triggers on after every save, on the same connection).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../src/core/state/atomicFile';
import { Meter } from '../../src/core/meter/meter';
import { userPaths } from '../../src/core/state/paths';
import { rebuildRollups } from '../../src/core/ledger/rollups';
import { assistant, configDir, jsonl, tempDir, user } from './builders';

describe('save cost', () => {
  test('the previous copy is the replaced file, linked not copied; nothing else is left behind', () => {
    const dir = tempDir('cl-save-');
    const file = path.join(dir, 'l.sqlite');
    writeFileAtomic(file, 'first', true);
    assert.ok(!fs.existsSync(`${file}.prev`), 'nothing to keep yet');
    const firstIno = fs.statSync(file).ino;
    writeFileAtomic(file, 'second', true);
    assert.equal(fs.readFileSync(`${file}.prev`, 'utf8'), 'first');
    assert.equal(fs.statSync(`${file}.prev`).ino, firstIno, 'the same inode: no bytes copied');
    writeFileAtomic(file, 'third', true);
    assert.equal(fs.readFileSync(`${file}.prev`, 'utf8'), 'second');
    assert.equal(fs.readFileSync(file, 'utf8'), 'third');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['l.sqlite', 'l.sqlite.prev']);
  });

  test("sql.js's export keeps the connection: recursive_triggers stays on and REPLACEs after a save keep the rollups exact", async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([user('hi'), assistant({ messageId: 'm1', input: 100, output: 50, timestamp: '2026-11-20T10:00:00.000Z' })]) });
    const file = path.join(tempDir('cl-save-db-'), 'l.sqlite');
    const meter = await Meter.open({ paths: userPaths({ CREDIT_LEDGER_HOME: tempDir() }), settings: { timezone: 'UTC' }, configDirs: [root], writesSnapshot: false, ledgerFile: file });
    try {
      meter.refresh();
      meter.save();
      assert.equal(Number(meter.ledger.db.exec('PRAGMA recursive_triggers')[0].values[0][0]), 1);
      // the same request in a second file: merged and REPLACEd in place
      fs.writeFileSync(path.join(root, 'projects/p/copy.jsonl'), fs.readFileSync(path.join(root, 'projects/p/s.jsonl')));
      assert.ok(meter.refresh().ingest.requestsUpdated >= 1);
      const rows = (): string => JSON.stringify(meter.ledger.db.exec('SELECT * FROM rollups ORDER BY 1, 2, 3, 4, 5, 6, 7')[0].values);
      const kept = rows();
      rebuildRollups(meter.ledger.db);
      assert.equal(kept, rows());
      assert.equal(Number(meter.ledger.db.exec('SELECT sum(n) FROM rollups')[0].values[0][0]), 1);
    } finally {
      meter.close();
    }
  });
});
