// The `credit-ledger` command.
import { Command, CommanderError, Option } from 'commander';
import type { PoolFlags } from '../core/pool';
import { collect, openRun, type CommonOptions, type PoolOptions, type RunContext, type RunMode } from './context';
import { UsageError } from './errors';
import { buildReport, checkReportOptions, renderReport, type ReportKind, type ReportOptions } from './reports';
import { balanceJson, renderBalance } from './balance';
import { configCommand } from './config';
import { execCommand, recordCommand, runsCommand } from './runs';
import { registerAudit } from './audit';
import { registerPlans } from './plans';
import { accuracyCommand, buildAccuracy } from './accuracy';
import { ownUsagesOf, secondOpinion } from '../core/pricing/secondOpinion';
import { ratesCommand } from './rates';
import { PLANS } from '../core/pool';
import { reconcileCommand } from './reconcile';
import { userPaths } from '../core/state/paths';
import { colorEnabled, makeStyle, terminalText } from './table';
import { DATABASE_URL_ENV } from '../core/sync/connection';
import { registerSyncCommand, renderMachines, syncJson } from './sync';
import { registerHookCommand, registerInstallHookCommand, registerStatuslineCommand, registerUninstallHookCommand } from './hook';
import { answerKey, InputRecord, ioOf, STORED_ANSWERS_ENV } from './storedAnswer';
import { DateTime } from 'luxon';
import { ProgressLine } from './progress';


/** `days: false` for commands over the billing cycle, which have no day range to narrow. */
function withCommonOptions(cmd: Command, days = true): Command {
  cmd
    .option('--config-dir <dir>', 'a Claude config dir (or its projects/ folder); repeatable. Default: CLAUDE_CONFIG_DIR, else ~/.config/claude and ~/.claude', collect)
    .option('--db <path>', 'ledger database file to use (default: the per-user ledger; a run with --config-dir gets its own)')
    .option('--forget-unread-folders', 'remove from the ledger the requests read earlier from folders this run does not read (without it they stay and count)')
    .option('--database-url <url>', `shared ledger on PostgreSQL (postgres://user@host/db; default: ${DATABASE_URL_ENV}, else the setting sync.databaseUrl)`);
  if (days) cmd.option('-s, --since <date>', 'first local day to include (20260131 or 2026-01-31)').option('-u, --until <date>', 'last local day to include');
  return cmd
    .option('-z, --timezone <iana>', 'IANA time zone for days and the billing cycle (default: settings, else the system zone)')
    .option('-j, --json', 'print JSON (the ccusage shape for daily, weekly, monthly and session)')
    .option('--no-color', 'no colours in tables')
    .addOption(new Option('--demo-fallback', 'use the bundled demo data when no transcripts exist').hideHelp());
}

async function withRun(opts: CommonOptions, fn: (ctx: RunContext) => void | Promise<void>, flags: PoolFlags = {}, mode: RunMode = {}): Promise<void> {
  // Every phase on one line, from the start, only on a terminal (a pipe or a file gets no control codes).
  const progress = process.stderr.isTTY ? new ProgressLine((text) => process.stderr.write(text)) : undefined;
  let ctx: RunContext;
  try {
    ctx = await openRun(opts, flags, progress, mode);
  } finally {
    progress?.done();
  }
  try {
    const color = colorEnabled(opts.color, process.stderr);
    const style = makeStyle(color);
    // Notes name transcript files and models: nothing in them may drive the terminal.
    ctx.printedNotes = ctx.notes.map((n) => style.yellow(terminalText(`note: ${n}`, false)) + '\n').join('');
    process.stderr.write(ctx.printedNotes);
    await fn(ctx);
  } finally {
    ctx.meter.close();
  }
}

/** How the running CLI was invoked: its arguments and its build (the bin entry passes both; a stored answer needs them). */
export interface Invocation {
  args: string[];
  build?: string;
}

function reportCommand(program: Command, kind: ReportKind, description: string, invocation: Invocation): void {
  const cmd = withCommonOptions(program.command(kind).description(description))
    .option('-b, --breakdown', 'a row per model under each row')
    .option('-p, --project <name>', 'only this project (its folder name, as the Project column and projectPath show it)')
    .option('--compact', 'the narrow table (tokens in and out, both costs), whatever the terminal width');
  if (kind !== 'session') cmd.option('-o, --order <order>', 'asc (oldest first, the default) or desc').option('--last <n>', 'only the N most recent periods (1: today, this week or this month)');
  if (kind === 'weekly') cmd.option('-w, --start-of-week <day>', 'the day weeks start on (sunday, the default, … saturday)');
  cmd.action(async (opts: ReportOptions) => {
    checkReportOptions(kind, opts);
    // Noted before the settings are read, so that anything changed during this run misses next time.
    const record = invocation.build && process.env[STORED_ANSWERS_ENV] !== 'off' ? new InputRecord(answerKey(invocation.args, process.env, invocation.build, ioOf()), userPaths()) : undefined;
    await withRun(opts, (ctx) => {
      const report = buildReport(kind, ctx, opts);
      const color = colorEnabled(opts.color);
      const text = opts.json ? JSON.stringify(report, null, 2) + '\n' : terminalText(renderReport(kind, report, ctx, makeStyle(color), opts), color) + '\n';
      process.stdout.write(text);
      const ledgerFile = ctx.meter.ledger.file;
      // Until the next local midnight: the cycle (and so a snapshot this run wrote) turns only then.
      const validUntil = DateTime.fromMillis(Date.now(), { zone: ctx.timezone }).plus({ days: 1 }).startOf('day').toMillis();
      if (ledgerFile) record?.store(ledgerFile, validUntil, text, ctx.printedNotes ?? '');
    }, {}, { record });
  });
}

interface BalanceOptions extends PoolOptions {
  verbose?: boolean;
}

function poolFlags(o: PoolOptions): PoolFlags {
  return { plan: o.plan, amount: o.amount, scope: o.scope, overage: o.overage, cycleDay: o.cycleDay, basis: o.basis, countUnclassified: o.countUnclassified, timezone: o.timezone };
}

function withPoolOptions(cmd: Command): Command {
  return cmd
    .option('--plan <plan>', `plan: ${PLANS.map((p) => p.id).join(', ')}`)
    .option('--amount <usd>', 'monthly amount for custom (a credit) or api (a budget you set)')
    .option('--scope <scope>', 'headless (the credit\'s surfaces) or all (a budget over everything)')
    .option('--overage <policy>', 'bill (extra usage at API rates) or stop (requests rejected)')
    .option('--cycle-day <day>', 'day of the month the billing cycle resets (1-31)')
    .option('--basis <basis>', 'recorded or corrected spend')
    .option('--count-unclassified', 'count sessions of unknown surface (local-agent, ...)')
    .option('--now <iso>', 'compute as of this instant (reproducible output; the snapshot is not written)');
}

export function buildProgram(invocation: Invocation = { args: [] }): Command {
  const program = new Command('credit-ledger')
    .description('Claude Code usage at API list prices, against the monthly Agent SDK credit or a budget you set.')
    .version(process.env.CREDIT_LEDGER_VERSION ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  reportCommand(program, 'daily', 'usage and cost per local day', invocation);
  reportCommand(program, 'weekly', 'usage and cost per week', invocation);
  reportCommand(program, 'monthly', 'usage and cost per month', invocation);
  reportCommand(program, 'session', 'usage and cost per session, the most expensive first (subagent files folded into their session)', invocation);
  withPoolOptions(withCommonOptions(program.command('balance').description('the credit (or budget) left this billing cycle, and why'), false))
    .option('--verbose', 'list the covered, excluded and unclassified sessions and why')
    .action(async (opts: BalanceOptions) => {
      await withRun(opts, (ctx) => {
        const b = ctx.update.balance;
        // The card's second opinion: models Claude Code's own records price differently.
        const disagree = secondOpinion(ownUsagesOf(buildAccuracy(ctx).sessions), ctx.meter.pricer).filter((o) => !o.agrees);
        if (opts.json) process.stdout.write(JSON.stringify({ ...balanceJson(b, !!opts.verbose), ...syncJson(ctx, b), secondOpinion: disagree }, null, 2) + '\n');
        else {
          const style = makeStyle(colorEnabled(opts.color));
          const machines = renderMachines(ctx, b, style);
          const opinion = disagree.filter((o) => o.sentence).map((o) => '\n' + style.yellow(o.sentence!)).join('');
          process.stdout.write(terminalText(renderBalance(b, ctx, !!opts.verbose, style) + opinion + (machines ? `\n\n${machines}` : ''), colorEnabled(opts.color)) + '\n');
        }
      }, poolFlags(opts));
    });
  reconcileCommand(program);
  accuracyCommand(program, { withCommonOptions, withRun });
  ratesCommand(program, { withCommonOptions, withRun });
  configCommand(program);
  execCommand(program);
  recordCommand(program);
  runsCommand(program);
  registerHookCommand(program);
  registerStatuslineCommand(program);
  registerInstallHookCommand(program);
  registerUninstallHookCommand(program);
  registerAudit(program, { withCommonOptions, withPoolOptions, withRun, poolFlags });
  registerPlans(program, { withCommonOptions, withPoolOptions, withRun, poolFlags });
  registerSyncCommand(program, { withCommonOptions, withRun });
  return program;
}

export async function main(argv: string[], build?: string): Promise<number> {
  const program = buildProgram({ args: argv.slice(2), build });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) {
      process.stderr.write(`credit-ledger: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`credit-ledger: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
