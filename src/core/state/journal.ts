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
  /** Facts taken back from such lines (a cut line with a whole fact behind it). */
  recovered: number;
  /** Byte offset after the last complete line (for incremental reads). */
  endOffset: number;
}

export function newFactId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Appends one fact with a single write (atomic for small appends on local file systems), always on a
 * fresh line: a line cut by a crash or a full disk never swallows the next fact. Returns once the fact
 * is on disk (fsync): an acknowledged fact survives a crash. Stamped with this machine.
 */
export function appendFact(journalPath: string, fact: Omit<Fact, 'id' | 'at'> & Partial<FactBase>, now: Date = new Date()): Fact {
  fs.mkdirSync(path.dirname(journalPath), { recursive: true, mode: 0o700 });
  // The journal sits in the per-user data folder, beside the machine's id.
  const full = { id: fact.id ?? newFactId(), at: fact.at ?? now.toISOString(), ...fact, machine: fact.machine ?? machineId(path.dirname(journalPath)) } as Fact;
  const line = JSON.stringify(full) + '\n';
  const fd = fs.openSync(journalPath, 'a+', 0o600);
  try {
    const size = fs.fstatSync(fd).size;
    let lead = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lead = '\n';
    }
    fs.writeFileSync(fd, lead + line); // O_APPEND: lands at the end whatever others appended meanwhile
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return full;
}

const FACT_START = '{"id":"';

function asFact(text: string): Fact | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && typeof (v as Fact).kind === 'string' && typeof (v as Fact).id === 'string' ? (v as Fact) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A line that is not a fact: the tail of a cut write with a whole fact behind it (as journals written
 * before appends started on a fresh line can hold) gives that fact back.
 */
function salvage(line: string): Fact | undefined {
  for (let at = line.indexOf(FACT_START, 1); at > 0; at = line.indexOf(FACT_START, at + 1)) {
    const fact = asFact(line.slice(at));
    if (fact) return fact;
  }
  return undefined;
}

/** Reads facts from `fromOffset`; an unterminated last line is left for the next read. */
export function readJournal(journalPath: string, fromOffset = 0): JournalRead {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(journalPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { facts: [], malformed: 0, recovered: 0, endOffset: 0 };
    throw err;
  }
  if (fromOffset > buf.length) fromOffset = 0; // replaced or truncated: read it all again
  const end = buf.lastIndexOf(0x0a) + 1;
  const facts: Fact[] = [];
  let malformed = 0;
  let recovered = 0;
  if (end > fromOffset) {
    for (const line of buf.subarray(fromOffset, end).toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      const fact = asFact(line);
      if (fact) {
        facts.push(fact);
        continue;
      }
      malformed++;
      const saved = salvage(line);
      if (saved) {
        facts.push(saved);
        recovered++;
      }
    }
  }
  return { facts, malformed, recovered, endOffset: Math.max(end, fromOffset) };
}
