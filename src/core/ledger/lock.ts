// One writer per ledger file: a lock file naming its holder by pid, process start time and boot, so
// a pid reused by an unrelated process (after a reboot, or a wrap) never passes for the holder, and a
// stale lock is broken by one process at a time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pidAlive } from '../state/processes';

/** Who holds a lock: enough to tell the process that wrote it from a later one with the same pid. */
export interface LockHolder {
  pid: number;
  /** Linux: the process's start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  start?: string;
  /** Linux: the kernel's boot id; elsewhere the boot instant to the minute. */
  boot?: string;
  host: string;
  /** Random: tells this lock from any other with the same holder fields. */
  nonce: string;
  /** ISO instant the lock was taken. */
  at: string;
}

/** A lock without a readable holder younger than this is being written (an older Credit Ledger wrote the pid after creating the file). */
const LOCK_WRITE_GRACE_MS = 10_000;
/** Breaking a stale lock takes microseconds; a break marker older than this was left by a crash. */
const BREAK_GRACE_MS = 5_000;
/** User ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux ABI). */
const USER_HZ = 100;

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Linux: field 22 of /proc/<pid>/stat (after the parenthesised command, which may hold spaces). */
export function processStartTicks(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

let bootCache: string | undefined;

/** This boot: the kernel's boot id on Linux; elsewhere the boot instant rounded to the minute. */
export function currentBoot(): string {
  if (bootCache) return bootCache;
  const id = readText('/proc/sys/kernel/random/boot_id')?.trim();
  bootCache = id || `t${Math.round((Date.now() - os.uptime() * 1000) / 60_000)}`;
  return bootCache;
}

function sameBoot(a: string, b: string): boolean {
  if (a === b) return true;
  // Boot instants taken from the uptime can straddle a minute.
  return a.startsWith('t') && b.startsWith('t') && Math.abs(Number(a.slice(1)) - Number(b.slice(1))) <= 1;
}

/** Linux: when a process started, as epoch ms (boot time + its start ticks); undefined elsewhere. */
function processStartedAtMs(pid: number): number | undefined {
  const ticks = processStartTicks(pid);
  const btime = /^btime (\d+)$/m.exec(readText('/proc/stat') ?? '')?.[1];
  if (ticks === undefined || btime === undefined) return undefined;
  return Number(btime) * 1000 + (Number(ticks) * 1000) / USER_HZ;
}

export function thisProcess(): LockHolder {
  return { pid: process.pid, start: processStartTicks(process.pid), boot: currentBoot(), host: os.hostname(), nonce: randomBytes(8).toString('hex'), at: new Date().toISOString() };
}

interface SeenLock {
  raw: string;
  holder?: LockHolder;
  /** A bare pid, as Credit Ledger wrote before holders were named in full. */
  legacyPid?: number;
  mtimeMs: number;
  ino: number;
}

function readLock(file: string): SeenLock | undefined {
  let raw: string;
  let st: fs.Stats;
  try {
    raw = fs.readFileSync(file, 'utf8');
    st = fs.statSync(file);
  } catch {
    return undefined;
  }
  const seen: SeenLock = { raw, mtimeMs: st.mtimeMs, ino: st.ino };
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) seen.legacyPid = Number(trimmed);
  else {
    try {
      const v = JSON.parse(trimmed) as LockHolder;
      if (v && typeof v.pid === 'number' && typeof v.nonce === 'string') seen.holder = v;
    } catch {
      // unreadable: judged by its age below
    }
  }
  return seen;
}

/** Whether the process named by a lock still holds it. */
export function lockIsHeld(seen: SeenLock, now = Date.now()): boolean {
  const h = seen.holder;
  if (h) {
    if (h.host !== os.hostname()) return true; // another machine on a shared folder: its processes cannot be checked from here
    if (h.boot && !sameBoot(h.boot, currentBoot())) return false; // written before a reboot
    if (!pidAlive(h.pid)) return false;
    const start = processStartTicks(h.pid);
    return !(h.start && start && start !== h.start); // the pid now names another process
  }
  if (seen.legacyPid) {
    if (!pidAlive(seen.legacyPid)) return false;
    // A process that started after the lock was written cannot have written it (pid reuse).
    const started = processStartedAtMs(seen.legacyPid);
    return started === undefined || started <= seen.mtimeMs + 1_000;
  }
  return now - seen.mtimeMs < LOCK_WRITE_GRACE_MS;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes a stale lock only if it is still the one judged stale, under a break marker taken with
 * O_EXCL: two processes that both saw the stale lock cannot both remove a lock (one of them the
 * fresh lock the other just took).
 */
function breakStale(lock: string, seen: SeenLock): void {
  const marker = `${lock}.break`;
  let fd: number;
  try {
    fd = fs.openSync(marker, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const other = readLock(marker);
    if (other && !lockIsHeld(other) && Date.now() - other.mtimeMs > BREAK_GRACE_MS) fs.rmSync(marker, { force: true }); // left by a crash mid-break
    else sleepMs(2); // another process is breaking it: look again
    return;
  }
  try {
    fs.writeSync(fd, JSON.stringify(thisProcess()));
    fs.closeSync(fd);
    const now = readLock(lock);
    if (now && now.ino === seen.ino && now.raw === seen.raw) fs.rmSync(lock, { force: true });
  } finally {
    fs.rmSync(marker, { force: true });
  }
}

/** Creates the lock with its content in one step (a hard link of a written file); falls back to O_EXCL where links are not supported. */
function tryCreate(lock: string, content: string): boolean {
  const tmp = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  try {
    fs.linkSync(tmp, lock);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    try {
      const fd = fs.openSync(lock, 'wx', 0o600);
      fs.writeSync(fd, content);
      fs.closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Ledger file lock: one writer per database file. Returns a release function, or undefined when a live process holds it. */
export function acquireLock(file: string): (() => void) | undefined {
  const lock = `${file}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true, mode: 0o700 });
  const me = thisProcess();
  const content = JSON.stringify(me);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (tryCreate(lock, content)) {
      return () => {
        const now = readLock(lock);
        if (now?.holder?.nonce === me.nonce) fs.rmSync(lock, { force: true });
      };
    }
    const seen = readLock(lock);
    if (!seen) continue; // released meanwhile: try again
    if (lockIsHeld(seen)) return undefined;
    breakStale(lock, seen);
  }
  return undefined;
}
