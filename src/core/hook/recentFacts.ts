// Journal facts written after an instant, read from the journal's end only: the hook answers in milliseconds
// and the facts it needs (a reconcile typed after the snapshot was stamped) are the newest ones.
import * as fs from 'node:fs';
import type { Fact } from '../state/journal';
import { openRegularFile, readRange } from '../state/regularFile';

/** Far more than the facts written between two snapshots (a fact is a few hundred bytes). */
const TAIL_BYTES = 256 * 1024;

/** Facts stamped (`at`) after `afterMs`; none when the journal is missing or not a regular file. */
export function factsWrittenAfter(journal: string, afterMs: number, tailBytes = TAIL_BYTES): Fact[] {
  let fd: number;
  try {
    fd = openRegularFile(journal);
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - tailBytes);
    const lines = readRange(fd, start, size).toString('utf8').split('\n');
    if (start > 0) lines.shift(); // begins mid-line
    const out: Fact[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const v = JSON.parse(line) as Partial<Fact> | null;
        if (!v || typeof v !== 'object' || typeof v.kind !== 'string' || typeof v.at !== 'string') continue;
        if (Date.parse(v.at) > afterMs) out.push(v as Fact);
      } catch {
        // a cut or foreign line: the ledger's replay reports those
      }
    }
    return out;
  } catch {
    return [];
  } finally {
    fs.closeSync(fd);
  }
}
