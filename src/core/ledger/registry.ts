// Which ledger file a process uses (DESIGN.md "Where state lives"), and the index of saved
// ledgers so a new ledger can start from the most recent one over the same config dirs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { UserPaths } from '../state/paths';
import { readJsonFile, writeFileAtomic } from '../state/atomicFile';

interface IndexEntry {
  configDirs: string[];
  savedAt: string;
}

type LedgerIndex = Record<string, IndexEntry>;

function sameDirs(a: string[], b: string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** A CLI run over explicit config dirs gets a database of its own, named by those dirs. */
export function ledgerPathForConfigDirs(paths: UserPaths, configDirs: string[]): string {
  const id = createHash('sha1').update([...configDirs].sort().join('\n')).digest('hex').slice(0, 12);
  return path.join(paths.ledgersDir, `dirs-${id}.sqlite`);
}

/** The most recently saved other ledger over the same config dirs, to seed a new ledger. */
export function seedFor(paths: UserPaths, file: string, configDirs: string[]): string | undefined {
  if (fs.existsSync(file)) return undefined;
  const index = readJsonFile<LedgerIndex>(paths.ledgerIndex) ?? {};
  let best: { file: string; at: string } | undefined;
  for (const [other, entry] of Object.entries(index)) {
    if (other === file || !sameDirs(entry.configDirs, configDirs) || !fs.existsSync(other)) continue;
    if (!best || entry.savedAt > best.at) best = { file: other, at: entry.savedAt };
  }
  return best?.file;
}

export function recordSaved(paths: UserPaths, file: string, configDirs: string[], now: Date = new Date()): void {
  const index = readJsonFile<LedgerIndex>(paths.ledgerIndex) ?? {};
  index[file] = { configDirs, savedAt: now.toISOString() };
  try {
    writeFileAtomic(paths.ledgerIndex, JSON.stringify(index, null, 1));
  } catch {
    // the index only speeds up a future first ingest
  }
}
