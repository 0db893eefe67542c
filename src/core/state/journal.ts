// The per-user journal: append-only JSON lines, one fact per line, written with single appends
// so several windows, the CLI and cron can write at once. Every ledger replays it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { machineId } from '../sync/machine';

export interface FactBase {
  /** Unique id of the fact (random); lets readers skip facts they have already applied. */
  id: string;
  /** ISO instant the fact was written. */
  at: string;
  kind: string;
  /** Id of the machine that wrote the fact (core/sync/machine); absent on facts written before the shared ledger. */
  machine?: string;
}

/** Facts are open-ended: each feature adds its own kinds; readers ignore kinds they do not know. */
export type Fact = FactBase & Record<string, unknown>;

export interface JournalRead {
  facts: Fact[];
  /** Lines that were not valid facts (counted, never fatal). */
  malformed: number;
  /** Byte offset after the last complete line (for incremental reads). */
  endOffset: number;
}

export function newFactId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Appends one fact with a single write (atomic for small appends on local file systems), stamped with this machine. */
export function appendFact(journalPath: string, fact: Omit<Fact, 'id' | 'at'> & Partial<FactBase>, now: Date = new Date()): Fact {
  // The journal sits in the per-user data folder, beside the machine's id.
  const full = { id: fact.id ?? newFactId(), at: fact.at ?? now.toISOString(), ...fact, machine: fact.machine ?? machineId(path.dirname(journalPath)) } as Fact;
  fs.mkdirSync(path.dirname(journalPath), { recursive: true });
  fs.appendFileSync(journalPath, JSON.stringify(full) + '\n');
  return full;
}

/** Reads facts from `fromOffset`; an unterminated last line is left for the next read. */
export function readJournal(journalPath: string, fromOffset = 0): JournalRead {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(journalPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { facts: [], malformed: 0, endOffset: 0 };
    throw err;
  }
  if (fromOffset > buf.length) fromOffset = 0; // replaced or truncated: read it all again
  const end = buf.lastIndexOf(0x0a) + 1;
  const facts: Fact[] = [];
  let malformed = 0;
  if (end > fromOffset) {
    for (const line of buf.subarray(fromOffset, end).toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const v = JSON.parse(line) as unknown;
        if (v && typeof v === 'object' && typeof (v as Fact).kind === 'string' && typeof (v as Fact).id === 'string') facts.push(v as Fact);
        else malformed++;
      } catch {
        malformed++;
      }
    }
  }
  return { facts, malformed, endOffset: Math.max(end, fromOffset) };
}
