// Machine identity for the shared ledger: a stable random id kept in the per-user data folder
// (created once, by whichever process needs it first) and a label, the hostname unless the user names it.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const MACHINE_FILE = 'machine.json';

export interface MachineIdentity {
  id: string;
  label: string;
}

const ID_PATTERN = /^[A-Za-z0-9-]{8,64}$/;

function readId(file: string): string | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as { id?: unknown };
    return typeof v.id === 'string' && ID_PATTERN.test(v.id) ? v.id : undefined;
  } catch {
    return undefined;
  }
}

/** Names a machine whose data folder does not survive (a CI runner): every run of one workflow is one machine. */
export const MACHINE_ID_ENV = 'CREDIT_LEDGER_MACHINE_ID';

/** The id of this machine, created on first use; `dataDir` is the per-user data folder. */
export function machineId(dataDir: string, env: Record<string, string | undefined> = process.env): string {
  const given = env[MACHINE_ID_ENV];
  if (given !== undefined && given !== '') {
    if (!ID_PATTERN.test(given)) throw new Error(`${MACHINE_ID_ENV} must be 8 to 64 letters, digits or dashes (got "${given}")`);
    return given;
  }
  const file = path.join(dataDir, MACHINE_FILE);
  for (let attempt = 0; attempt < 20; attempt++) {
    const known = readId(file);
    if (known) return known;
    fs.mkdirSync(dataDir, { recursive: true });
    const id = randomUUID();
    try {
      // 'wx': two processes starting at once agree on the first one's id.
      fs.writeFileSync(file, JSON.stringify({ id, createdAt: new Date().toISOString() }) + '\n', { flag: 'wx' });
      return id;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Another process is writing it: read it again in a moment; an unreadable file older than that is replaced.
      if (attempt > 10 && !readId(file)) fs.rmSync(file, { force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  throw new Error(`could not read or create the machine id in ${file}`);
}

/** The label other machines see: the user's (setting `machineLabel`), else the hostname. */
export function machineLabel(configured: unknown, hostname: string = os.hostname()): string {
  const label = typeof configured === 'string' ? configured.trim() : '';
  return (label || hostname || 'unnamed machine').slice(0, 80);
}

export function machineIdentity(dataDir: string, configuredLabel: unknown): MachineIdentity {
  return { id: machineId(dataDir), label: machineLabel(configuredLabel) };
}
