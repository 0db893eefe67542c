// A short-lived lock for read-modify-write of a small file shared by several processes (the settings
// file: `credit-ledger config`, VS Code windows, `install-hook`). Held for milliseconds, so a lock
// older than STALE_MS was left by a crash. Not the ledger's writer lock (core/ledger/store).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** A holder keeps the lock for one read and one atomic write: anything this old was left by a crash. */
const STALE_MS = 10_000;
const RETRY_MS = 15;

export class FileLockTimeout extends Error {
  constructor(readonly lockFile: string, waitedMs: number) {
    super(`${lockFile} is held by another process (waited ${Math.round(waitedMs / 1000)} s); try again, or delete it if no credit-ledger process is running`);
    this.name = 'FileLockTimeout';
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms); // a synchronous wait: callers are synchronous (the extension host and CLI alike)
}

/** Runs `fn` holding `${target}.lock`; waits up to `timeoutMs` for another holder. */
export function withFileLock<T>(target: string, fn: () => T, timeoutMs = 5_000, now: () => number = Date.now): T {
  const lock = `${target}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const token = `${process.pid}@${os.hostname()} ${randomBytes(6).toString('hex')}`;
  const start = now();
  for (;;) {
    try {
      fs.writeFileSync(lock, token, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    breakIfStale(lock, now());
    if (now() - start > timeoutMs) throw new FileLockTimeout(lock, now() - start);
    sleepSync(RETRY_MS + Math.floor(Math.random() * RETRY_MS));
  }
  try {
    return fn();
  } finally {
    // Only our own lock: one broken as stale while we held it (we hung > STALE_MS) belongs to another now.
    try {
      if (fs.readFileSync(lock, 'utf8') === token) fs.unlinkSync(lock);
    } catch {
      // already gone
    }
  }
}

/** Moves a crashed holder's lock away; the rename is atomic, so of two processes that judge it stale only one takes it. */
function breakIfStale(lock: string, at: number): void {
  let seen: { token: string; mtimeMs: number };
  try {
    seen = { token: fs.readFileSync(lock, 'utf8'), mtimeMs: fs.statSync(lock).mtimeMs };
  } catch {
    return; // released meanwhile
  }
  if (at - seen.mtimeMs < STALE_MS) return;
  const aside = `${lock}.stale-${randomBytes(6).toString('hex')}`;
  try {
    fs.renameSync(lock, aside);
  } catch {
    return; // another process broke it first
  }
  // Between our look and our rename another process may have broken it and locked anew: give that one back.
  let moved: string;
  try {
    moved = fs.readFileSync(aside, 'utf8');
  } catch {
    return; // gone already: nothing of ours to give back
  }
  if (moved !== seen.token) {
    try {
      fs.linkSync(aside, lock); // fails if someone locked meanwhile: then that one holds it
    } catch {
      // someone else holds the lock now
    }
  }
  fs.rmSync(aside, { force: true });
}
