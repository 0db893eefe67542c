// Issue #14, item 5: the ledger lock names its holder by pid, process start time and boot, so a
// reused pid never passes for the holder; breaking a stale lock lets exactly one process in.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireLock } from '../../src/core/ledger/store';
import { currentBoot, processStartTicks, thisProcess } from '../../src/core/ledger/lock';
import { tempDir } from './builders';
import { machine, noCorpus, runCli } from './reliabilityHarness';

const readOnlyNote = /Another Credit Ledger process is writing/;

/** A live process that has nothing to do with Credit Ledger (the pid a reboot hands out again). */
function unrelatedProcess(): ChildProcess {
  return spawn('sleep', ['60'], { stdio: 'ignore' });
}

describe('a lock whose pid now names an unrelated process', { skip: noCorpus }, () => {
  test('a bare pid written before that process started (a lock from before a reboot) is stale: the run writes and refreshes the snapshot', () => {
    const m = machine();
    assert.equal(runCli(m, ['daily']).code, 0);
    const other = unrelatedProcess();
    try {
      const lock = `${m.ledger}.lock`;
      fs.writeFileSync(lock, String(other.pid));
      const before = new Date(Date.now() - 3_600_000);
      fs.utimesSync(lock, before, before);
      fs.rmSync(path.join(m.data, 'balance.json'));
      const r = runCli(m, ['daily']);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, readOnlyNote);
      assert.ok(fs.existsSync(path.join(m.data, 'balance.json')), 'the snapshot the hook reads is written again');
      assert.ok(!fs.existsSync(lock), 'the run released the lock it took');
    } finally {
      other.kill();
    }
  });

  test('a named holder from another boot, or with another start time, is stale; the live holder itself is not', () => {
    const m = machine();
    assert.equal(runCli(m, ['daily']).code, 0);
    const other = unrelatedProcess();
    const lock = `${m.ledger}.lock`;
    try {
      const holder = { ...thisProcess(), pid: other.pid! };
      for (const stale of [{ ...holder, boot: 'a-boot-before-the-last-reboot' }, { ...holder, start: '1' }]) {
        fs.writeFileSync(lock, JSON.stringify(stale));
        const r = runCli(m, ['daily']);
        assert.equal(r.code, 0, r.stderr);
        assert.doesNotMatch(r.stderr, readOnlyNote, JSON.stringify(stale));
      }
      fs.writeFileSync(lock, JSON.stringify({ ...holder, start: processStartTicks(other.pid!), boot: currentBoot() }));
      assert.match(runCli(m, ['daily']).stderr, readOnlyNote, 'a lock that truly names a live process is respected');
    } finally {
      other.kill();
      fs.rmSync(lock, { force: true });
    }
  });
});

describe('breaking a stale lock', () => {
  test('150 races of 4 processes over a stale lock: exactly one holder each time', async () => {
    const dir = tempDir('cl-lock-race-');
    const dead = spawnSync('true').pid!; // exited: its pid names no one
    const workers = Array.from({ length: 4 }, () => fork(path.join(__dirname, 'lockRaceWorker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const next = (w: ChildProcess): Promise<Record<string, unknown>> => new Promise((resolve) => w.once('message', (msg) => resolve(msg as Record<string, unknown>)));
    try {
      await Promise.all(workers.map(next)); // ready
      const doubles: number[] = [];
      const none: number[] = [];
      for (let race = 0; race < 150; race++) {
        const file = path.join(dir, `ledger-${race}.sqlite`);
        fs.writeFileSync(`${file}.lock`, String(dead));
        const old = new Date(Date.now() - 3_600_000);
        fs.utimesSync(`${file}.lock`, old, old);
        const at = Date.now() + 30;
        const answers = workers.map(next);
        for (const w of workers) w.send({ race, file, at });
        const got = (await Promise.all(answers)).map((a) => a.got === true);
        const holders = got.filter(Boolean).length;
        if (holders > 1) doubles.push(race);
        if (holders === 0) none.push(race);
        await Promise.all(
          workers.map((w, i) => {
            if (!got[i]) return Promise.resolve();
            const done = next(w);
            w.send({ release: race });
            return done;
          }),
        );
        assert.ok(!fs.existsSync(`${file}.lock`), `race ${race}: the holder released the lock`);
      }
      assert.deepEqual(doubles, [], 'races with two holders');
      assert.deepEqual(none, [], 'races nobody won');
      assert.deepEqual(fs.readdirSync(dir).filter((f) => !f.endsWith('.lock') && !f.endsWith('.sqlite')), [], 'no temporary or break files left');
    } finally {
      for (const w of workers) w.kill();
    }
  });

  test('a lock a process releases is only its own', () => {
    const file = path.join(tempDir(), 'ledger.sqlite');
    const release = acquireLock(file)!;
    assert.ok(release);
    assert.equal(acquireLock(file), undefined, 'held by this live process');
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ ...thisProcess(), nonce: 'someone-else' }));
    release();
    assert.ok(fs.existsSync(`${file}.lock`), 'another holder\'s lock is left alone');
  });
});
