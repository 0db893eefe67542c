// The hook process: `hook` (UserPromptSubmit / SessionStart) or `statusline [--wrap <cmd>] [--no-color]`.
// Bundled alone as dist/hook.js (no sql.js, no luxon) and run by the installed launcher; the CLI's `hook` and
// `statusline` subcommands call the same function. Whatever happens, it exits 0.
import type { Readable, Writable } from 'node:stream';
import { userPaths, type Env } from '../state/paths';
import { fileLogger, hookLogPath } from './log';
import { runHook, runStatusLine } from './run';
import { startBackstop } from './watchdog';

export interface HookProcessOptions {
  kind: 'hook' | 'statusline';
  wrap?: string;
  color?: boolean;
}

export interface HookProcessIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  env: Env;
}

/** Claude Code closes stdin at once; this only guards against a caller that never does. */
const STDIN_TIMEOUT_MS = 2000;
const MAX_STDIN_BYTES = 32 * 1024 * 1024;
/** Past this the process gives up silently (Claude Code's own timeout would let the prompt through anyway). */
const WATCHDOG_MS = 5000;
/** The backstop thread's limit: after the main thread's watchdog, which fires first whenever the thread is free. */
const BACKSTOP_MS = WATCHDOG_MS + 1500;

export function parseHookArgs(args: readonly string[]): HookProcessOptions {
  const kind = args[0] === 'statusline' || args[0] === 'status-line' ? 'statusline' : 'hook';
  const opts: HookProcessOptions = { kind };
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--wrap' && i + 1 < args.length) opts.wrap = args[++i];
    else if (a.startsWith('--wrap=')) opts.wrap = a.slice('--wrap='.length);
    else if (a === '--no-color') opts.color = false;
    else if (a === '--color') opts.color = true;
  }
  return opts;
}

export function readStdin(stdin: HookProcessIo['stdin'], timeoutMs = STDIN_TIMEOUT_MS): Promise<string> {
  if (stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (ended: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stdin.removeAllListeners('data');
      if (!ended) stdin.destroy(); // a caller that never closes stdin must not keep this process alive
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    stdin.on('data', (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      if (size + b.length <= MAX_STDIN_BYTES) chunks.push(b);
      size += b.length;
    });
    stdin.on('end', () => finish(true));
    stdin.on('error', () => finish(false));
  });
}

export async function runHookProcess(opts: HookProcessOptions, io: HookProcessIo): Promise<void> {
  const paths = userPaths(io.env);
  const log = fileLogger(hookLogPath(paths.dataDir));
  const backstop = startBackstop(BACKSTOP_MS, hookLogPath(paths.dataDir), opts.kind);
  const watchdog = setTimeout(() => {
    log(`${opts.kind}: gave up after ${WATCHDOG_MS} ms`);
    process.exit(0);
  }, WATCHDOG_MS);
  watchdog.unref();
  try {
    const text = await readStdin(io.stdin);
    const deps = { paths, env: io.env, log };
    const out = opts.kind === 'statusline' ? await runStatusLine(text, { wrap: opts.wrap, color: opts.color }, deps) : runHook(text, deps);
    if (out) io.stdout.write(out + '\n');
  } catch (err) {
    log(`${opts.kind} failed: ${(err as Error)?.stack ?? String(err)}`);
  } finally {
    clearTimeout(watchdog);
    backstop.stop();
    process.exitCode = 0;
  }
}

/** `args`: what follows the script name (`hook`, or `statusline --wrap "cmd"`). */
export function hookMain(args: readonly string[]): Promise<void> {
  process.stdout.on('error', () => undefined); // Claude Code stopped listening (timeout): nothing to do
  return runHookProcess(parseHookArgs(args), { stdin: process.stdin, stdout: process.stdout, env: process.env });
}
