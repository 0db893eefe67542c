// `credit-ledger exec -- claude -p ...`, `claude -p ... | credit-ledger record` and `credit-ledger runs`.
// exec and record sit in the run's path (cron, CI, scripts): they stay light (no sql.js: they only append a journal
// fact), pass the output through as it comes, and never fail the run because of their own trouble. `runs` may open the
// ledger to show the list price of each run's session from the ledger's own rows.
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { RunCapture } from '../core/headless/capture';
import { detectPrintRun, detectPrintRunInArgv, type PrintInvocation } from '../core/headless/commandLine';
import { resolveRuns, type ResolvedRun } from '../core/headless/ledgerLink';
import { readRunFacts, type RunFact, type RunRecord } from '../core/headless/runFact';
import { detectWhere } from '../core/headless/where';
import { createPricer, formatUsd, nanosToUsd, usdToNanos } from '../core/pricing/pricer';
import { appendFact, readJournal } from '../core/state/journal';
import { userPaths } from '../core/state/paths';
import { userRateCard } from '../core/pricing/rateFile';
import { readUserSettings } from '../core/state/settings';
import { collect, openRun, parseDateArg, type CommonOptions, type RunContext } from './context';
import { UsageError } from './errors';
import { pushAfterRun } from './sync';
import { colorEnabled, formatInt, makeStyle, renderTable, terminalText, type Style } from './table';


function warn(message: string): void {
  try {
    process.stderr.write(`credit-ledger: ${message}\n`);
  } catch {
    // stderr closed: nothing left to tell
  }
}

/** Exits once what was written to stdout and stderr is out (process.exit would cut a pending write short). */
async function exitWith(code: number): Promise<never> {
  const drained = (s: NodeJS.WriteStream): Promise<void> =>
    new Promise((resolve) => {
      if (s.destroyed || !s.writable) return resolve();
      try {
        s.write('', () => resolve());
      } catch {
        resolve();
      }
    });
  // As long as the reader needs: a pipe stage must not drop the tail for a slow consumer (a gone reader errors at once).
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

/** The parent processes' names, nearest first (Linux /proc; elsewhere none: the run is then a `script`, not a guessed `cron`). */
function ancestorNames(): string[] {
  const names: string[] = [];
  let pid = process.ppid;
  for (let i = 0; i < 8 && pid > 1; i++) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split at the last ')'
      const close = stat.lastIndexOf(')');
      names.push(stat.slice(stat.indexOf('(') + 1, close));
      pid = Number(stat.slice(close + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  if (pid === 1) names.push(fs.existsSync('/run/systemd/system') ? 'systemd' : 'init');
  return names;
}

function hasTerminal(): boolean {
  return !!(process.stdin.isTTY || process.stdout.isTTY || process.stderr.isTTY);
}

function newCapture(via: 'exec' | 'record', invocation: PrintInvocation | undefined, command: string | null, startedAt: number): { capture: RunCapture; journal: string } {
  const paths = userPaths();
  const settings = readUserSettings(paths.settings);
  const pricer = createPricer(userRateCard(paths).card, settings.rateOverrides ?? null);
  const capture = new RunCapture({
    via,
    where: detectWhere(process.env, hasTerminal(), hasTerminal() ? [] : ancestorNames()),
    cwd: process.cwd(),
    startedAt,
    invocation,
    command,
    allowLabels: settings.allowLabels === true,
    pricer,
  });
  return { capture, journal: paths.journal };
}

function appendAll(journal: string, facts: readonly RunFact[]): void {
  for (const f of facts) appendFact(journal, f);
}

function signalNumber(signal: NodeJS.Signals): number {
  return os.constants.signals[signal] ?? 15;
}

// --- exec ---

async function execAction(argv: string[]): Promise<void> {
  if (!argv.length) throw new UsageError('exec needs a command: credit-ledger exec -- claude -p "..."');
  const startedAt = Date.now();
  let invocation: PrintInvocation | undefined;
  let capture: RunCapture | undefined;
  let journal = '';
  try {
    invocation = detectPrintRunInArgv(argv);
    ({ capture, journal } = newCapture('exec', invocation, `${argv[0]} …`, startedAt));
  } catch (err) {
    warn(`cannot record this run: ${(err as Error).message}`);
  }
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['inherit', 'pipe', 'pipe'] });
  // Ctrl-C reaches the child from the terminal itself; a TERM or HUP sent to us is passed on so the child can stop.
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  const onInt = (): void => undefined;
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  process.on('SIGINT', onInt);
  const pipe = (from: NodeJS.ReadableStream, to: NodeJS.WriteStream, parse: boolean): void => {
    let open = true;
    to.on('error', () => {
      open = false; // reader gone (EPIPE): keep reading so the child is never blocked, and keep parsing
      from.resume();
    });
    from.on('data', (chunk: Buffer) => {
      if (open && !to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
      if (parse && capture) {
        try {
          capture.push(chunk);
        } catch (err) {
          warn(`reading the output failed (the run is passed through unchanged): ${(err as Error).message}`);
          capture = undefined;
        }
      }
    });
  };
  pipe(child.stdout!, process.stdout, true);
  pipe(child.stderr!, process.stderr, false);
  const status = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  process.off('SIGTERM', forward);
  process.off('SIGHUP', forward);
  process.off('SIGINT', onInt);
  if (status.error) {
    const notFound = (status.error as NodeJS.ErrnoException).code === 'ENOENT';
    warn(notFound ? `${argv[0]}: command not found` : `cannot run ${argv[0]}: ${status.error.message}`);
    return exitWith(notFound ? 127 : 126);
  }
  const exitCode = status.code ?? 128 + signalNumber(status.signal ?? 'SIGTERM');
  if (capture) {
    try {
      const { facts, output } = capture.finish({ exitCode });
      if (invocation || output.results.length) {
        appendAll(journal, facts);
        await pushAfterRun(warn);
      } else warn(`${argv[0]} is not a claude -p command and printed no result: nothing recorded`);
    } catch (err) {
      warn(`could not record the run: ${(err as Error).message}`);
    }
  }
  return exitWith(exitCode);
}

// --- record ---

interface RecordOptions {
  command?: string;
}

async function recordAction(opts: RecordOptions): Promise<void> {
  const startedAt = Date.now();
  let capture: RunCapture | undefined;
  let journal = '';
  let recorded = false;
  const record = (): void => {
    if (recorded || !capture) return;
    recorded = true;
    try {
      const { facts, output } = capture.finish({ exitCode: null });
      if (output.format !== 'json' && output.format !== 'stream-json') {
        // no claude -p output at all (empty, text, or broken JSON): a run made up from it would be noise in every report
        warn(`nothing recorded: stdin held no claude -p output (${output.bytes} bytes${output.textLines ? `, ${output.textLines} text line(s)` : ''}${output.malformed ? `, ${output.malformed} unreadable JSON line(s)` : ''}); pipe claude -p --output-format json or stream-json`);
        return;
      }
      appendAll(journal, facts);
    } catch (err) {
      warn(`could not record the run: ${(err as Error).message}`);
    }
  };
  try {
    const invocation = opts.command !== undefined ? detectPrintRun(opts.command) : undefined;
    if (opts.command !== undefined && !invocation) warn(`--command is not a claude -p command line; recording from the output alone`);
    ({ capture, journal } = newCapture('record', invocation, null, startedAt));
  } catch (err) {
    warn(`cannot record this run (passing it through): ${(err as Error).message}`);
  }
  const stdin = process.stdin;
  const stdout = process.stdout;
  let downstream = true;
  stdout.on('error', () => {
    downstream = false; // the reader went away: keep reading, so the writer is not killed and the result is still seen
    stdin.resume();
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    record();
    void exitWith(128 + signalNumber(signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await new Promise<void>((resolve) => {
    stdin.on('data', (chunk: Buffer) => {
      if (downstream) {
        try {
          if (!stdout.write(chunk)) {
            stdin.pause();
            stdout.once('drain', () => stdin.resume());
          }
        } catch {
          downstream = false;
        }
      }
      if (capture) {
        try {
          capture.push(chunk);
        } catch (err) {
          warn(`reading the output failed (passing it through): ${(err as Error).message}`);
          capture = undefined;
        }
      }
    });
    stdin.on('end', () => resolve());
    stdin.on('error', (err) => {
      warn(`reading stdin failed: ${err.message}`);
      resolve();
    });
  });
  record();
  if (recorded && capture) await pushAfterRun(warn);
  return exitWith(0);
}

// --- runs ---

interface RunsOptions extends CommonOptions {
  limit?: string;
  ledger?: boolean;
}

export type RunRow = ResolvedRun;

/** Each run with its session (linked through the ledger when the output named none) and the ledger's cost of it. */
export function runRows(runs: readonly RunRecord[], ctx: Pick<RunContext, 'meter'> | undefined): RunRow[] {
  const db = ctx?.meter.ledger.db;
  return db ? resolveRuns(db, runs) : runs.map((run) => ({ run, sessionId: run.sessionId, sessionFrom: run.sessionFrom, ledger: undefined }));
}

const usd = (nanos: number | null | undefined): number | null => (nanos === null || nanos === undefined ? null : nanosToUsd(nanos));

export function runJson(row: RunRow): object {
  const r = row.run;
  const res = r.result;
  return {
    runId: r.runId,
    sessionId: row.sessionId,
    sessionFrom: row.sessionFrom,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: res?.durationMs ?? r.endedMs - r.startedMs,
    turns: res?.numTurns ?? null,
    via: r.via,
    where: r.where,
    command: r.command,
    ...(r.label !== undefined ? { label: r.label } : {}),
    cwd: r.cwd,
    model: r.model,
    claudeCodeVersion: r.claudeCodeVersion,
    exitCode: r.exitCode,
    isError: res ? res.isError : null,
    subtype: res ? res.subtype : null,
    truncated: r.truncated,
    noSessionPersistence: r.noSessionPersistence,
    reportedCostUsd: r.totalCostUsd,
    listCostUsd: usd(r.listCostNanos),
    listCostPriced: r.listCostPriced,
    listCostFrom: r.listCostFrom,
    ledgerCostUsd: usd(row.ledger?.costNanos),
    ledgerRequests: row.ledger?.requests ?? null,
    differenceUsd: usd(r.differenceNanos),
    differenceReason: r.differenceReason,
  };
}

function duration(ms: number): string {
  if (!(ms >= 0)) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function money(nanos: number | null | undefined, priced = true): string {
  if (nanos === null || nanos === undefined) return '—';
  return `${formatUsd(nanos)}${priced ? '' : '+'}`;
}

export function renderRuns(rows: readonly RunRow[], timezone: string, style: Style, ledgerFile: string | null): string {
  const local = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const when = (ms: number): string => local.format(ms).replace(',', '');
  const table = rows.map((row) => {
    const r = row.run;
    const res = r.result;
    // the process's exit status (— when a pipe to `record` could not see it), the result's subtype beside it
    const status = r.exitCode === null ? '—' : String(r.exitCode);
    const subtype = res ? res.subtype || (res.isError ? 'error' : '') : r.truncated ? 'no result' : '';
    const exitText = subtype ? `${status} ${subtype}` : status;
    const exit = res?.isError || (r.exitCode !== null && r.exitCode !== 0) ? style.red(exitText) : r.truncated ? style.yellow(exitText) : exitText;
    const diff = r.differenceNanos === null ? '—' : `${r.differenceNanos > 0 ? '+' : ''}${formatUsd(r.differenceNanos)}`;
    return [
      when(r.startedMs),
      row.sessionId ? row.sessionId.slice(0, 8) : '—',
      r.where,
      res?.numTurns === null || res?.numTurns === undefined ? '' : formatInt(res.numTurns),
      duration(res?.durationMs ?? r.endedMs - r.startedMs),
      r.totalCostUsd === null ? '—' : formatUsd(usdToNanos(r.totalCostUsd)),
      money(r.listCostNanos, r.listCostPriced),
      row.ledger ? money(row.ledger.costNanos, row.ledger.unpricedRequests === 0) : '—',
      diff,
      exit,
    ];
  });
  const out = [
    style.bold(`claude -p runs (${timezone})`),
    '',
    renderTable(['Start', 'Session', 'Where', 'Turns', 'Duration', 'Claude Code', 'List price', 'Ledger', 'Difference', 'Exit'], table, new Set([3, 4, 5, 6, 7, 8]), style),
  ];
  const reasons = [...new Set(rows.map((r) => r.run.differenceReason).filter((x): x is string => !!x))];
  if (reasons.length) out.push('', ...reasons.map((x) => style.dim(`Difference: ${x}`)));
  out.push(
    '',
    style.dim(`Claude Code: its own total_cost_usd (an estimate). List price: the run's usage at API list prices. Ledger: the same session's requests in ${ledgerFile ?? 'no ledger (not opened)'}. + marks a lower bound (unpriced model).`),
  );
  return out.join('\n');
}

async function runsAction(opts: RunsOptions): Promise<void> {
  const paths = userPaths();
  const since = parseDateArg('since', opts.since);
  const until = parseDateArg('until', opts.until);
  let runs = readRunFacts(readJournal(paths.journal).facts).sort((a, b) => a.startedMs - b.startedMs);
  const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  if (since) runs = runs.filter((r) => day(r.startedMs) >= since);
  if (until) runs = runs.filter((r) => day(r.startedMs) <= until);
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--limit must be a whole number above 0 (got "${opts.limit}")`);
  if (limit !== undefined) runs = runs.slice(-limit);
  let ctx: RunContext | undefined;
  if (opts.ledger !== false && runs.length) {
    try {
      ctx = await openRun({ configDir: opts.configDir, db: opts.db, timezone: opts.timezone });
      for (const n of ctx.notes) warn(`note: ${n}`);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      warn(`note: ${err.message} Runs are listed without the ledger's figures.`);
    }
  }
  try {
    const rows = runRows(runs, ctx);
    if (opts.json) {
      const sum = (f: (r: RunRow) => number | null): number => rows.reduce((s, r) => s + (f(r) ?? 0), 0);
      const totals = {
        runs: rows.length,
        reportedCostUsd: sum((r) => r.run.totalCostUsd),
        listCostUsd: nanosToUsd(sum((r) => r.run.listCostNanos)),
        ledgerCostUsd: nanosToUsd(sum((r) => r.ledger?.costNanos ?? null)),
      };
      process.stdout.write(JSON.stringify({ journal: paths.journal, ledger: ctx?.meter.ledger.file ?? null, runs: rows.map(runJson), totals }, null, 2) + '\n');
      return;
    }
    const timezone = ctx?.timezone ?? opts.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!rows.length) {
      process.stdout.write(`No claude -p runs recorded yet (journal ${paths.journal}). Record them with \`credit-ledger exec -- claude -p ...\` or \`claude -p ... | credit-ledger record\`.\n`);
      return;
    }
    process.stdout.write(terminalText(renderRuns(rows, timezone, makeStyle(colorEnabled(opts.color)), ctx?.meter.ledger.file ?? null), colorEnabled(opts.color)) + '\n');
  } finally {
    ctx?.meter.close();
  }
}

// --- registration (one line each in main.ts) ---

export function execCommand(program: Command): void {
  program
    .command('exec')
    .description('run a command (claude -p ...) with its output passed through; record the run in the journal; exit with its status')
    .argument('<command...>', 'the command and its arguments, after --')
    .allowUnknownOption(true)
    .addHelpText('after', '\nExample:\n  credit-ledger exec -- claude -p "summarize the diff" --output-format json\n')
    .action((argv: string[]) => execAction(argv));
}

export function recordCommand(program: Command): void {
  program
    .command('record')
    .description('pass stdin to stdout unchanged and record the claude -p run it carries (json or stream-json); never fails the pipeline')
    .option('--command <text>', 'the claude command line of the run, for its flags (the prompt is never stored)')
    .addHelpText('after', '\nExample:\n  claude -p "triage new issues" --output-format json | credit-ledger record | jq .result\n')
    .action((opts: RecordOptions) => recordAction(opts));
}

export function runsCommand(program: Command): void {
  program
    .command('runs')
    .description('recorded claude -p runs: Claude Code\'s own cost next to the list price of the same usage')
    .option('--json', 'print JSON')
    .option('--since <date>', 'first day to include (20260131 or 2026-01-31, UTC)')
    .option('--until <date>', 'last day to include')
    .option('--limit <n>', 'only the newest n runs')
    .option('--config-dir <dir>', 'a Claude config dir for the ledger figures; repeatable', collect)
    .option('--db <path>', 'ledger database file to read')
    .option('--timezone <iana>', 'time zone for the table')
    .option('--no-ledger', 'do not open the ledger (journal figures only)')
    .option('--no-color', 'no colours')
    .action((opts: RunsOptions) => runsAction(opts));
}
