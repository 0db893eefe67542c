// A large first ingest runs in slices of a few megabytes with the event loop free between them, so the
// extension host never stalls for more than ~50 ms. Pure planning; no `vscode` import (unit-tested).
import type { Database } from 'sql.js';
import type { TranscriptFile } from '../core/transcripts/discovery';

export interface StoredFile {
  identity: string;
  size: number;
  mtime: number;
  offset: number;
}

/** What the ledger already read of each file (its `files` table), to size the work left. */
export function storedFiles(db: Database): Map<string, StoredFile> {
  const out = new Map<string, StoredFile>();
  const r = db.exec('SELECT path, identity, size, mtime, offset FROM files');
  if (r.length) for (const v of r[0].values) out.set(String(v[0]), { identity: String(v[1]), size: Number(v[2]), mtime: Number(v[3]), offset: Number(v[4]) });
  return out;
}

export interface PendingFile {
  file: TranscriptFile;
  /** Bytes the ingest will read: the appended tail, or the whole file when it is new or was replaced. */
  bytes: number;
}

/** Files with something to read, newest first (the current cycle's balance is right soonest). */
export function pendingFiles(files: readonly TranscriptFile[], stored: ReadonlyMap<string, StoredFile>): PendingFile[] {
  const out: PendingFile[] = [];
  for (const f of files) {
    const s = stored.get(f.path);
    if (s && s.identity === f.identity && s.size === f.size && s.mtime === f.mtimeMs && s.offset === f.size) continue;
    const bytes = s && s.identity === f.identity && f.size >= s.offset ? f.size - s.offset : f.size;
    out.push({ file: f, bytes });
  }
  return out.sort((a, b) => b.file.mtimeMs - a.file.mtimeMs || a.file.path.localeCompare(b.file.path));
}

/** Takes files from the front until `maxBytes` (at least one file, so a huge file is a slice of its own). */
export function takeSlice(pending: PendingFile[], from: number, maxBytes: number): { slice: PendingFile[]; next: number; bytes: number } {
  const slice: PendingFile[] = [];
  let bytes = 0;
  let i = from;
  while (i < pending.length && (slice.length === 0 || bytes + pending[i]!.bytes <= maxBytes)) {
    slice.push(pending[i]!);
    bytes += pending[i]!.bytes;
    i++;
  }
  return { slice, next: i, bytes };
}

/** Small at first: the first slice also pays for warm-up (JIT, the first balance, prepared statements). */
export const INITIAL_SLICE_BYTES = 256 * 1024;
export const MIN_SLICE_BYTES = 256 * 1024;
export const MAX_SLICE_BYTES = 16 * 1024 * 1024;

/** Adapts the slice to the machine: aims at `targetMs` per slice (half the 50 ms budget: slices vary) from the last one's throughput. */
export function nextSliceBytes(lastBytes: number, lastMs: number, current: number, targetMs = 25): number {
  if (lastBytes < MIN_SLICE_BYTES || lastMs <= 0) return current;
  const ideal = (lastBytes / lastMs) * targetMs;
  // Move at most 2x per step: one noisy slice (GC, a cold disk) should not swing it far.
  const bounded = Math.min(current * 2, Math.max(current / 2, ideal));
  return Math.round(Math.min(MAX_SLICE_BYTES, Math.max(MIN_SLICE_BYTES, bounded)));
}
