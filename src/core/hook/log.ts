// `<data dir>/hook.log`: the hook and the status line never fail the user's prompt, so what went wrong (and
// what they warned about or blocked) is written here instead. Kept small: one older copy beside it.
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAX_LOG_BYTES = 256 * 1024;

export function hookLogPath(dataDir: string): string {
  return path.join(dataDir, 'hook.log');
}

export type HookLogger = (message: string) => void;

export function fileLogger(file: string, now: () => number = Date.now): HookLogger {
  return (message: string): void => {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      try {
        if (fs.statSync(file).size > MAX_LOG_BYTES) fs.renameSync(file, `${file}.1`);
      } catch {
        // no log yet
      }
      fs.appendFileSync(file, `${new Date(now()).toISOString()} ${message.replace(/\r?\n/g, ' | ')}\n`, { mode: 0o600 }); // it can name working folders
    } catch {
      // logging must never be the thing that fails
    }
  };
}
