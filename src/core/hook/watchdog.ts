// The hook and the status line must end within their limit whatever happens. A timer on the main thread cannot
// fire while that thread is stuck in a synchronous call (an open that blocks, a read that never ends), so the
// last line of defence runs on a thread of its own and ends the whole process.
import { Worker } from 'node:worker_threads';

// Plain CommonJS evaluated in the worker: no bundle path to resolve, nothing to load but two built-ins.
const SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
setTimeout(() => {
  try { fs.appendFileSync(workerData.logFile, new Date().toISOString() + ' ' + workerData.what + ': still running after ' + workerData.ms + ' ms (stuck in a synchronous call): ended\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, workerData.ms);
`;

export interface Backstop {
  stop(): void;
}

/** Ends this process `ms` from now unless stopped, even while the main thread is blocked; logs to `logFile` first. */
export function startBackstop(ms: number, logFile: string, what: string): Backstop {
  let worker: Worker | undefined;
  try {
    worker = new Worker(SOURCE, { eval: true, workerData: { ms, logFile, what } });
    worker.unref(); // never the reason the process stays alive
    worker.on('error', () => undefined);
  } catch {
    worker = undefined; // no threads here: the main thread's own timer is all there is
  }
  return {
    stop: (): void => {
      void worker?.terminate();
    },
  };
}
