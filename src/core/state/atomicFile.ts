// Atomic file replacement: temp file + fsync + rename + fsync of the folder, optionally keeping the
// previous good copy. State files are the user's alone (0600 in 0700 folders): they hold working
// folders, branches, commands and, when allowed, prompt labels.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pidAlive } from './processes';

/** The file-system calls an atomic write makes (a port, so a test can see their order). */
export interface AtomicFs {
  mkdirSync(dir: string, opts: { recursive: true; mode: number }): unknown;
  openSync(file: string, flags: string, mode?: number): number;
  writeFileSync(fd: number, data: string | Uint8Array): void;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  existsSync(file: string): boolean;
  copyFileSync(from: string, to: string): void;
  linkSync(existing: string, link: string): void;
  renameSync(from: string, to: string): void;
  rmSync(file: string, opts: { force: true }): void;
}

export const nodeFs: AtomicFs = fs;

/** Owner-only modes for state files and their folders. */
export const STATE_FILE_MODE = 0o600;
export const STATE_DIR_MODE = 0o700;

/**
 * Makes a rename durable: the folder's entry is on disk too (without it a power loss can bring back
 * the old file, or none). File systems and platforms that cannot open or sync a folder skip it.
 */
export function fsyncDir(dir: string, io: AtomicFs = nodeFs): void {
  let fd: number;
  try {
    fd = io.openSync(dir, 'r');
  } catch {
    return; // Windows opens no folders; renames there are made durable by the file system
  }
  try {
    io.fsyncSync(fd);
  } catch {
    // EINVAL/EISDIR on file systems that do not sync folders
  } finally {
    io.closeSync(fd);
  }
}

export function writeFileAtomic(target: string, data: string | Uint8Array, keepPrevious = false, io: AtomicFs = nodeFs): void {
  const dir = path.dirname(target);
  io.mkdirSync(dir, { recursive: true, mode: STATE_DIR_MODE });
  const tmp = `${target}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    const fd = io.openSync(tmp, 'w', STATE_FILE_MODE);
    try {
      io.writeFileSync(fd, data); // loops until every byte is written (one writeSync may write fewer)
      io.fsyncSync(fd);
    } finally {
      io.closeSync(fd);
    }
    if (keepPrevious && io.existsSync(target)) keepPreviousCopy(target, io);
    io.renameSync(tmp, target);
  } catch (err) {
    io.rmSync(tmp, { force: true }); // a failed save leaves no temp file behind (a ledger's can be large)
    throw err;
  }
  fsyncDir(dir, io);
}

/**
 * The file about to be replaced becomes `<target>.prev` by a hard link, not a copy: a save then
 * costs what it writes, not that plus a copy of the whole previous file (a ledger is tens of MB).
 * Safe because a target is only ever replaced by rename, never written in place, so the linked
 * inode keeps the previous bytes. File systems without hard links get a copy.
 */
function keepPreviousCopy(target: string, io: AtomicFs): void {
  const prev = `${target}.prev`;
  const link = `${prev}.${process.pid}.tmp`;
  try {
    io.rmSync(link, { force: true });
    io.linkSync(target, link);
    io.renameSync(link, prev); // replaces the older previous copy in one step
  } catch {
    io.rmSync(link, { force: true });
    try {
      io.copyFileSync(target, prev);
    } catch {
      // the previous copy is a convenience; the atomic rename that follows is what matters
    }
  }
}

export function readJsonFile<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** `<name>.<pid>.<time>.tmp` (writeFileAtomic), `<name>.prev.<pid>.tmp` (its link to the previous copy) and `<lock>.<pid>.<hex>.new` (the ledger lock): what a kill mid-write leaves. */
const LEFTOVER = /\.(\d+)(?:\.[0-9a-z]+)?\.(tmp|new)$/;
/** A temp file this old is left over even if its pid names a live process (pids are reused). */
const LEFTOVER_AGE_MS = 10 * 60_000;

/** Removes temp files (named from `prefix`) that writes killed midway left in `dir` (a ledger's can be as large as the ledger). Returns how many. */
export function sweepLeftovers(dir: string, prefix = '', now = Date.now()): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let swept = 0;
  for (const name of names) {
    const m = LEFTOVER.exec(name);
    if (!m || !name.startsWith(prefix)) continue;
    const file = path.join(dir, name);
    try {
      const pid = Number(m[1]);
      if (pid !== process.pid && pidAlive(pid) && now - fs.statSync(file).mtimeMs < LEFTOVER_AGE_MS) continue; // being written
      if (pid === process.pid && now - fs.statSync(file).mtimeMs < LEFTOVER_AGE_MS) continue;
      fs.rmSync(file, { force: true });
      swept++;
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return swept;
}

/** Narrows state folders and files an older Credit Ledger created readable by others (0755/0644). */
export function tightenModes(dirs: string[], files: string[]): void {
  if (process.platform === 'win32') return; // modes do not apply; the profile folder is the user's
  for (const [list, mode] of [[dirs, STATE_DIR_MODE], [files, STATE_FILE_MODE]] as const) {
    for (const p of list) {
      try {
        if ((fs.statSync(p).mode & 0o777) !== mode) fs.chmodSync(p, mode);
      } catch {
        // missing, or owned by someone else: nothing to narrow
      }
    }
  }
}
