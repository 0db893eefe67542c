import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Ledger } from '../../src/core/ledger/ledger';
import { SCHEMA_VERSION } from '../../src/core/ledger/store';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { appendFact, readJournal } from '../../src/core/state/journal';
import { machineId, machineIdentity, machineLabel, MACHINE_FILE } from '../../src/core/sync/machine';
import { resolveConfigDirs } from '../../src/core/transcripts/discovery';
import { assistant, configDir, jsonl, tempDir } from './builders';

const pricer = createPricer(loadRateCard());

describe('machine identity', () => {
  test('one stable id per data folder, created on first use', () => {
    const dir = tempDir('cl-machine-');
    const a = machineId(dir);
    assert.match(a, /^[0-9a-f-]{36}$/);
    assert.equal(machineId(dir), a);
    assert.ok(fs.existsSync(path.join(dir, MACHINE_FILE)));
    assert.notEqual(machineId(tempDir('cl-machine-')), a, 'another data folder (another machine) gets another id');
  });

  test('processes starting at once agree on one id', () => {
    const dir = tempDir('cl-machine-');
    const script = `const { machineId } = require(${JSON.stringify(path.resolve('src/core/sync/machine.ts'))}); process.stdout.write(machineId(${JSON.stringify(dir)}));`;
    const runs = Array.from({ length: 4 }, () => spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' }));
    for (const r of runs) assert.equal(r.status, 0, r.stderr);
    assert.equal(new Set(runs.map((r) => r.stdout)).size, 1);
  });

  test('an unreadable machine file is replaced, never fatal', () => {
    const dir = tempDir('cl-machine-');
    fs.writeFileSync(path.join(dir, MACHINE_FILE), '{"id": 3');
    assert.match(machineId(dir), /^[0-9a-f-]{36}$/);
  });

  test('label: the configured one, else the hostname', () => {
    assert.equal(machineLabel('  ci runner  ', 'host'), 'ci runner');
    assert.equal(machineLabel('', 'host'), 'host');
    assert.equal(machineLabel(undefined), os.hostname() || 'unnamed machine');
    assert.equal(machineIdentity(tempDir('cl-machine-'), 'x').label, 'x');
  });

  test('journal facts carry the machine that wrote them', () => {
    const dir = tempDir('cl-machine-');
    const journal = path.join(dir, 'journal.jsonl');
    appendFact(journal, { kind: 'note' });
    appendFact(journal, { kind: 'note', machine: 'other-machine-1' });
    const facts = readJournal(journal).facts;
    assert.equal(facts[0].machine, machineId(dir));
    assert.equal(facts[1].machine, 'other-machine-1', 'a fact pulled from another machine keeps its machine');
  });
});

describe('machine column in the ledger', () => {
  test('a schema-2 ledger gains machine_id (empty: read here) and the outbox, rows kept', async () => {
    const root = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1', input: 10, output: 20 })]) });
    const file = path.join(tempDir('cl-db-'), 'old.sqlite');
    const l1 = await Ledger.open({ file, pricer });
    l1.ingest(resolveConfigDirs([root]));
    // Back to schema 2: the columns and the table this version added are gone.
    for (const t of ['requests', 'events', 'own_records']) l1.db.run(`ALTER TABLE ${t} DROP COLUMN machine_id`);
    l1.db.run('DROP TABLE sync_outbox');
    l1.setMeta('schema_version', '2');
    l1.save();
    l1.close();
    const l2 = await Ledger.open({ file, pricer });
    assert.equal(l2.meta('schema_version'), String(SCHEMA_VERSION));
    assert.deepEqual(l2.db.exec('SELECT key, machine_id FROM requests')[0].values, [['m1:req_m1', '']]);
    assert.equal(l2.db.exec('SELECT count(*) FROM sync_outbox')[0].values[0][0], 0);
    l2.close();
  });
});
