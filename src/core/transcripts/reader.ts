// Reads a transcript from a byte offset, line by line, holding back an unterminated last line.
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';

const CHUNK = 4 * 1024 * 1024;
const TAIL = 64;

export interface ReadResult {
  /** Offset after the last complete line read (where the next read starts). */
  endOffset: number;
  lines: number;
  /** Checksum of the bytes just before endOffset: tells a rewritten file from an appended one. */
  tailChecksum: string;
  /** Bytes held back because the last line has no newline yet. */
  pending: number;
  /** Whether reading reached the end of the file (false when stopped by a byte limit). */
  atEnd: boolean;
}

/**
 * Calls onLine(buf, offset) for every complete line in [from, EOF), or only up to about
 * `maxBytes` (whole lines; at least one line, so a long line still moves the offset on).
 */
export function readLines(file: string, from: number, onLine: (line: Buffer, offset: number) => void, maxBytes = Infinity): ReadResult {
  const fd = fs.openSync(file, 'r');
  try {
    const fileSize = fs.fstatSync(fd).size;
    let size = Math.min(fileSize, from + maxBytes);
    let pos = from;
    let carry: Buffer | null = null;
    let carryStart = from;
    let lines = 0;
    let chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, size - from)));
    while (pos < size) {
      const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, size - pos), pos);
      if (n <= 0) break;
      let data = chunk.subarray(0, n);
      let dataStart = pos;
      if (carry) {
        data = Buffer.concat([carry, data]);
        dataStart = carryStart;
        carry = null;
      }
      pos += n;
      let start = 0;
      let nl = data.indexOf(0x0a, start);
      while (nl >= 0) {
        let end = nl;
        if (end > start && data[end - 1] === 0x0d) end--;
        onLine(data.subarray(start, end), dataStart + start);
        lines++;
        start = nl + 1;
        nl = data.indexOf(0x0a, start);
      }
      if (start < data.length) {
        carry = Buffer.from(data.subarray(start)); // copy: `chunk` is reused
        carryStart = dataStart + start;
      }
      if (carry && carry.length > chunk.length / 2 && chunk.length < 256 * 1024 * 1024) chunk = Buffer.allocUnsafe(chunk.length * 2);
      if (pos >= size && size < fileSize && lines === 0) size = fileSize; // one line longer than the limit: read it whole
    }
    const endOffset = carry ? carryStart : pos;
    return { endOffset, lines, tailChecksum: tailChecksumAt(fd, endOffset), pending: carry ? carry.length : 0, atEnd: pos >= fileSize };
  } finally {
    fs.closeSync(fd);
  }
}

function tailChecksumAt(fd: number, end: number): string {
  const start = Math.max(0, end - TAIL);
  const buf = Buffer.alloc(end - start);
  if (buf.length) fs.readSync(fd, buf, 0, buf.length, start);
  return createHash('sha1').update(buf).digest('hex').slice(0, 16);
}

/** The checksum of the bytes before `end` in the file now (to compare with the stored one). */
export function tailChecksum(file: string, end: number): string | undefined {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      return tailChecksumAt(fd, end);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
