// Issue #14, item 10 (files): temp files a kill left are swept, state is the user's alone
// (0600 files in 0700 folders), and a rename is made durable by syncing its folder.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeFs, writeFileAtomic, type AtomicFs } from '../../src/core/state/atomicFile';
import { tempDir } from './builders';
import { machine, noCorpus, runCli } from './reliabilityHarness';

const posix = process.platform !== 'win32';
const mode = (p: string): string => (fs.statSync(p).mode & 0o777).toString(8);

describe('temp files left by a kill during a save', { skip: noCorpus }, () => {
  test('are swept by the next run that writes the ledger; a live writer\'s fresh one is left alone', () => {
    const m = machine();
    assert.equal(runCli(m, ['daily']).code, 0);
    const ledgers = path.dirname(m.ledger);
    const dead = path.join(ledgers, 'user.sqlite.999999.mj1x2ab.tmp'); // pid 999999: no such process
    const deadSnapshot = path.join(m.data, 'balance.json.999999.mj1x2ac.tmp');
    const live = path.join(ledgers, `user.sqlite.${process.pid}.mj1x2ad.tmp`);
    for (const f of [dead, deadSnapshot, live]) fs.writeFileSync(f, Buffer.alloc(64 * 1024));
    assert.equal(runCli(m, ['daily']).code, 0);
    assert.ok(!fs.existsSync(dead), 'a ledger temp file of a dead process is swept');
    assert.ok(!fs.existsSync(deadSnapshot), 'a snapshot temp file of a dead process is swept');
    assert.ok(fs.existsSync(live), 'a temp file a live process is writing stays');
  });
});

describe('modes of state files and folders', { skip: !posix || noCorpus }, () => {
  test('a fresh install creates 0600 files in 0700 folders', () => {
    const m = machine();
    assert.equal(runCli(m, ['daily']).code, 0);
    assert.equal(runCli(m, ['reconcile', '10']).code, 0);
    const ledgers = path.dirname(m.ledger);
    assert.deepEqual(
      [m.data, ledgers, m.ledger, `${m.ledger}.prev`, path.join(ledgers, 'index.json'), path.join(m.data, 'balance.json'), m.journal].map(mode),
      ['700', '700', '600', '600', '600', '600', '600'],
    );
  });

  test('state an older version left readable by others is narrowed by the next run', () => {
    const m = machine();
    assert.equal(runCli(m, ['daily']).code, 0);
    assert.equal(runCli(m, ['reconcile', '10']).code, 0);
    fs.chmodSync(m.data, 0o755);
    fs.chmodSync(path.dirname(m.ledger), 0o755);
    fs.chmodSync(m.journal, 0o644);
    fs.chmodSync(m.ledger, 0o644);
    assert.equal(runCli(m, ['daily']).code, 0);
    assert.deepEqual([m.data, path.dirname(m.ledger), m.journal, m.ledger].map(mode), ['700', '700', '600', '600']);
  });
});

describe('an atomic write through the file-system port', () => {
  test('writes and syncs the temp file, renames it over the target, then syncs the folder', () => {
    const dir = path.join(tempDir(), 'state');
    const target = path.join(dir, 'balance.json');
    const calls: string[] = [];
    const fds = new Map<number, string>();
    const name = (p: string): string => (p === dir ? '<dir>' : path.basename(p).replace(/\.\d+\.[0-9a-z]+\.tmp$/, '.<tmp>'));
    const io: AtomicFs = {
      ...nodeFs,
      mkdirSync: (d, o) => nodeFs.mkdirSync(d, o),
      openSync: (f, flags, m) => {
        const fd = nodeFs.openSync(f, flags, m);
        fds.set(fd, name(f));
        calls.push(`open ${name(f)}${m === undefined ? '' : ` ${m.toString(8)}`}`);
        return fd;
      },
      writeFileSync: (fd, data) => {
        calls.push(`write ${fds.get(fd)}`);
        nodeFs.writeFileSync(fd, data);
      },
      fsyncSync: (fd) => {
        calls.push(`fsync ${fds.get(fd)}`);
        nodeFs.fsyncSync(fd);
      },
      closeSync: (fd) => nodeFs.closeSync(fd),
      renameSync: (a, b) => {
        calls.push(`rename ${name(a)} ${name(b)}`);
        nodeFs.renameSync(a, b);
      },
    };
    writeFileAtomic(target, '{"ok":true}', false, io);
    assert.deepEqual(calls, ['open balance.json.<tmp> 600', 'write balance.json.<tmp>', 'fsync balance.json.<tmp>', 'rename balance.json.<tmp> balance.json', 'open <dir>', 'fsync <dir>']);
    assert.equal(fs.readFileSync(target, 'utf8'), '{"ok":true}');
  });
});
