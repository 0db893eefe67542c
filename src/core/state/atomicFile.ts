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
    if (keepPrevious && fs.existsSync(target)) {
      try {
        fs.copyFileSync(target, `${target}.prev`);
      } catch {
        // the previous copy is a convenience; the atomic rename below is what matters
      }
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true }); // a failed save leaves no temp file behind (a ledger's can be large)
    throw err;
  }
}

export function readJsonFile<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
