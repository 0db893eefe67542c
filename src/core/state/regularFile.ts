// Opening a path someone else names (a hook's transcript_path) or that someone could replace (the snapshot, the
// settings): a FIFO blocks a plain open until a writer comes, a device never ends. Only regular files are read,
// and the open itself cannot block (O_NONBLOCK: a FIFO opens at once and is then refused).
import * as fs from 'node:fs';

const NONBLOCK = fs.constants.O_NONBLOCK ?? 0; // undefined on Windows, where opening a named pipe path is no hang of ours
/** JSON state files are small; anything larger is not one of ours. */
const MAX_TEXT_BYTES = 16 * 1024 * 1024;

export class NotRegularFile extends Error {
  constructor(readonly file: string) {
    super(`${file} is not a regular file`);
    this.name = 'NotRegularFile';
  }
}

/** A read-only descriptor of a regular file; throws ENOENT and the like as fs does, NotRegularFile for anything else. */
export function openRegularFile(file: string): number {
  // stat first: a FIFO or device is refused before any open; the O_NONBLOCK open covers a swap in between.
  if (!fs.statSync(file).isFile()) throw new NotRegularFile(file);
  const fd = fs.openSync(file, fs.constants.O_RDONLY | NONBLOCK);
  try {
    if (!fs.fstatSync(fd).isFile()) throw new NotRegularFile(file);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return fd;
}

/** A small regular file's text; undefined when it is missing. Throws for a FIFO, a device, a directory or a huge file. */
export function readRegularText(file: string, maxBytes = MAX_TEXT_BYTES): string | undefined {
  let fd: number;
  try {
    fd = openRegularFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size > maxBytes) throw new Error(`${file} is ${size} bytes, more than a settings or state file holds`);
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Bytes [start, end) of an open file; fewer when the file is shorter now (a read loop: one readSync may return less). */
export function readRange(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.allocUnsafe(Math.max(0, end - start));
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, buf.length - done, start + done);
    if (n <= 0) break;
    done += n;
  }
  return done === buf.length ? buf : buf.subarray(0, done);
}
