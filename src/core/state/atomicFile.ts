// Atomic file replacement: temp file + fsync + rename, optionally keeping the previous good copy.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeFileAtomic(target: string, data: string | Uint8Array, keepPrevious = false): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, data); // loops until every byte is written (one writeSync may write fewer)
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (keepPrevious && fs.existsSync(target)) keepPreviousCopy(target);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true }); // a failed save leaves no temp file behind (a ledger's can be large)
    throw err;
  }
}

/**
 * The file about to be replaced becomes `<target>.prev` by a hard link, not a copy: a save then
 * costs what it writes, not that plus a copy of the whole previous file (a ledger is tens of MB).
 * Safe because a target is only ever replaced by rename, never written in place, so the linked
 * inode keeps the previous bytes. File systems without hard links get a copy.
 */
function keepPreviousCopy(target: string): void {
  const prev = `${target}.prev`;
  const link = `${prev}.${process.pid}.tmp`;
  try {
    fs.rmSync(link, { force: true });
    fs.linkSync(target, link);
    fs.renameSync(link, prev); // replaces the older previous copy in one step
  } catch {
    fs.rmSync(link, { force: true });
    try {
      fs.copyFileSync(target, prev);
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
