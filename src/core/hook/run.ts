// The hook and the status line as processes see them: stdin text in, stdout text out, with the per-user files
// (settings, balance snapshot, hook state, status-line cache) read here and never sql.js. Fail-open: any error
// is logged to `<data dir>/hook.log` and gives empty output, so Claude Code goes on as if there were no hook.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { readPoolFacts } from '../pool/facts';
import { isBalanceSnapshot, withNewerFacts, type BalanceSnapshot } from '../pool/snapshot';
import { factsWrittenAfter } from './recentFacts';
import { createPricer, type Pricer } from '../pricing/pricer';
import { userRateCard } from '../pricing/rateFile';
import type { Env, UserPaths } from '../state/paths';
import { loadUserSettings } from '../state/settings';
import { decideHook, hookEnvFrom, hookResponse } from './decide';
import { parseHookInput, parseStatusLineInput } from './input';
import { fileLogger, hookLogPath, type HookLogger } from './log';
import { sessionCost } from './sessionCost';
import { resolveHookSettings, type HookSettings } from './settings';
import { hookStatePath, readHookState, saveWarned, warnedFor } from './state';
import { combineStatusLines, renderStatusLine, statusLineView } from './statusLine';
import { emptyTail, readTranscriptTail } from './tail';
import { readRegularText } from '../state/regularFile';
import { requestLimits, type RequestLimits } from '../transcripts/plausibility';

export interface HookDeps {
  paths: UserPaths;
  env: Env;
  now?: () => number;
  log?: HookLogger;
}

/** How long a wrapped status-line command may take before ours is shown without it. */
export const WRAP_TIMEOUT_MS = 1500;

function loggerOf(deps: HookDeps): HookLogger {
  return deps.log ?? fileLogger(hookLogPath(deps.paths.dataDir), deps.now);
}

export function readSnapshot(file: string): BalanceSnapshot | null {
  try {
    const v = JSON.parse(readRegularText(file) ?? '') as unknown;
    return isBalanceSnapshot(v) ? v : null;
  } catch {
    return null; // missing, or caught mid-write by a reader on a file system without atomic rename
  }
}

/** The snapshot with the balance facts (reconcile, adjustments) written to the journal since it was stamped. */
export function currentSnapshot(paths: UserPaths, log: HookLogger): BalanceSnapshot | null {
  const snap = readSnapshot(paths.snapshot);
  if (!snap) return null;
  const { snapshot, applied } = withNewerFacts(snap, readPoolFacts(factsWrittenAfter(paths.journal, Date.parse(snap.stampedAt))));
  if (applied) log(`balance: ${applied} journal fact(s) newer than the snapshot of ${snap.stampedAt} applied (remaining ${snapshot.remainingNanos} nanodollars)`);
  return snapshot;
}

function loadSettings(paths: UserPaths, log: HookLogger): { settings: HookSettings; pricer: Pricer; limits: RequestLimits } {
  const read = loadUserSettings(paths.settings);
  for (const p of read.problems) log(`hook: ${p}`);
  const user = read.settings;
  const overrides = user.rateOverrides && typeof user.rateOverrides === 'object' ? user.rateOverrides : null;
  // The user's card (shipped, then imported rows): prices and the limits that judge usage plausible.
  const card = userRateCard(paths).card;
  return { settings: resolveHookSettings(user.hook), pricer: createPricer(card, overrides), limits: requestLimits(card.models) };
}

/** The UserPromptSubmit / SessionStart hook: stdin JSON in, the hook output contract's JSON out ('' = nothing to say). */
export function runHook(stdinText: string, deps: HookDeps): string {
  const log = loggerOf(deps);
  try {
    const input = parseHookInput(stdinText);
    if (!input) {
      log(`hook: stdin is not a JSON object (${stdinText.length} bytes): nothing done`);
      return '';
    }
    const now = (deps.now ?? Date.now)();
    const { settings, pricer, limits } = loadSettings(deps.paths, log);
    const tail = input.transcriptPath ? readTranscriptTail(input.transcriptPath, { limits }) : emptyTail();
    if (tail.rejected) log(`hook: ${input.transcriptPath}: passed over a line (${tail.rejected})`);
    const stateFile = hookStatePath(deps.paths.dataDir);
    const state = readHookState(stateFile);
    const outcome = decideHook({
      input,
      tail,
      snapshot: currentSnapshot(deps.paths, log),
      settings,
      pricer,
      now,
      env: hookEnvFrom(deps.env),
      warned: warnedFor(state, input.sessionId),
    });
    try {
      saveWarned(stateFile, state, input.sessionId, outcome.warned, now);
    } catch (err) {
      log(`hook: could not save ${stateFile}: ${String(err)}`);
    }
    if (outcome.action !== 'silent') log(`${input.hookEventName} ${input.sessionId} (${outcome.surface.reason}): ${outcome.action}: ${outcome.message}`);
    return hookResponse(outcome, input.hookEventName);
  } catch (err) {
    log(`hook failed: ${(err as Error)?.stack ?? String(err)}`);
    return '';
  }
}

export interface StatusLineOptions {
  /** The user's own status-line command: run with the same stdin, its output shown before ours. */
  wrap?: string;
  color?: boolean;
}

/** The status-line command: one line (or the wrapped command's lines, then ours). */
export async function runStatusLine(stdinText: string, opts: StatusLineOptions, deps: HookDeps): Promise<string> {
  const log = loggerOf(deps);
  const wrapped = opts.wrap ? runWrapped(opts.wrap, stdinText, deps.env, log) : Promise.resolve('');
  let ours = '';
  try {
    const input = parseStatusLineInput(stdinText);
    if (!input || (!input.sessionId && !input.transcriptPath && !input.modelId)) {
      // said where the user looks (the status line itself), never a balance that reads as if all were well
      log(`statusline: stdin is not Claude Code's status-line JSON (${stdinText.length} bytes)`);
      ours = `credit-ledger statusline: no status-line JSON from Claude Code on stdin (${stdinText.trim() ? 'got something else' : 'got nothing'})`;
    } else {
      const now = (deps.now ?? Date.now)();
      const { settings, pricer, limits } = loadSettings(deps.paths, log);
      const tail = input.transcriptPath ? readTranscriptTail(input.transcriptPath, { limits }) : emptyTail();
      let cost = null;
      if (input.transcriptPath && tail.exists) {
        try {
          cost = sessionCost(input.transcriptPath, input.sessionId, pricer, path.join(deps.paths.dataDir, 'statusline'), undefined, limits);
        } catch (err) {
          log(`statusline: session cost: ${String(err)}`);
        }
      }
      const view = statusLineView({ input, tail, cost, snapshot: currentSnapshot(deps.paths, log), settings, pricer, now });
      ours = renderStatusLine(view, opts.color ?? !deps.env.NO_COLOR);
    }
  } catch (err) {
    log(`statusline failed: ${(err as Error)?.stack ?? String(err)}`);
  }
  return combineStatusLines(await wrapped, ours);
}

/** Runs the user's status-line command through the shell, as Claude Code would; '' on failure or timeout. */
export function runWrapped(command: string, stdinText: string, env: Env, log: HookLogger, timeoutMs = WRAP_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    let done = false;
    const finish = (why?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (why) log(`statusline: wrapped command ${why}: ${command}`);
      resolve(out);
    };
    const posix = process.platform !== 'win32';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, { shell: true, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'ignore'], detached: posix, windowsHide: true });
    } catch (err) {
      log(`statusline: could not run the wrapped command: ${String(err)}`);
      resolve('');
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (posix && child.pid) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
      finish(`timed out after ${timeoutMs} ms`);
    }, timeoutMs);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (out.length < 64 * 1024) out += chunk;
    });
    child.on('error', (err) => finish(`failed (${err.message})`));
    child.on('close', () => finish());
    child.stdin?.on('error', () => undefined); // a command that ignores its stdin closes the pipe early
    child.stdin?.end(stdinText);
  });
}
