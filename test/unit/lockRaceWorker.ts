// A process of the lock race test (reliability-lock.test.ts): takes the lock it is told to at the
// instant it is told, says whether it got it, and holds it until told to let go.
import { acquireLock } from '../../src/core/ledger/store';

const held = new Map<number, () => void>();

process.on('message', (msg: { race?: number; file?: string; at?: number; release?: number; exit?: boolean }) => {
  if (msg.exit) process.exit(0);
  if (msg.release !== undefined) {
    held.get(msg.release)?.();
    held.delete(msg.release);
    process.send!({ released: msg.release });
    return;
  }
  if (msg.race === undefined || !msg.file) return;
  while (Date.now() < msg.at!) {
    // spin: every worker tries at the same instant
  }
  const release = acquireLock(msg.file);
  if (release) held.set(msg.race, release);
  process.send!({ race: msg.race, got: !!release });
});
process.send!({ ready: true });
