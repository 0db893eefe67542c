// `credit-ledger reconcile`: the figure the billing page shows, recorded as a journal fact; `--list` shows the
// figures recorded, `--undo` withdraws one (the journal is append-only: the undo is a fact of its own).
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { allotmentNanos, PoolSettingsError, RECONCILE_FACT, parseUsdToNanos, reconcileFact, resolvePoolSettings } from '../core/pool';
import { RECONCILE_UNDO_FACT, reconcileUndoFact } from '../core/pool/facts';
import { formatUsd } from '../core/pricing/money';
import { appendFact, readJournal, type Fact } from '../core/state/journal';
import { userPaths } from '../core/state/paths';
import { readUserSettings } from '../core/state/settings';
import { systemTimeZone } from '../core/reports/timeZone';
import { parseNowArg } from './context';
import { UsageError } from './errors';
import { renderTable, makeStyle } from './table';

/** A figure dated this far ahead of the clock is a typo, not a clock skew. */
const FUTURE_SLACK_MS = 5 * 60_000;

interface ReconcileOptions {
  asOf?: string;
  yes?: boolean;
  list?: boolean;
  undo?: string | true;
}

function settingsZoneAndAllotment(): { zone: string; allotment: number | null; planLabel: string | null } {
  const s = readUserSettings(userPaths().settings);
  try {
    const pool = resolvePoolSettings(s);
    return { zone: pool.timezone, allotment: allotmentNanos(pool), planLabel: pool.plan };
  } catch (err) {
    if (err instanceof PoolSettingsError) return { zone: systemTimeZone(), allotment: null, planLabel: null };
    throw err;
  }
}

export const localWithZone = (ms: number, zone: string): string => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd HH:mm ZZZZ');

interface Recorded {
  fact: Fact;
  asOf: number;
  figureNanos: number;
  undone: boolean;
}

function recorded(): Recorded[] {
  const facts = readJournal(userPaths().journal).facts;
  const undone = new Set(facts.filter((f) => f.kind === RECONCILE_UNDO_FACT).map((f) => String(f.factId)));
  return facts
    .filter((f) => f.kind === RECONCILE_FACT)
    .map((f) => ({ fact: f, asOf: Date.parse(String(f.asOf)), figureNanos: parseUsdToNanos(String(f.remainingUsd)) ?? 0, undone: undone.has(f.id) }))
    .filter((r) => !Number.isNaN(r.asOf));
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function list(zone: string): void {
  const all = recorded();
  if (!all.length) {
    process.stdout.write(`No reconcile figures recorded (journal ${userPaths().journal}).\n`);
    return;
  }
  const rows = all.map((r) => [r.fact.id, localWithZone(r.asOf, zone), formatUsd(r.figureNanos), localWithZone(Date.parse(r.fact.at), zone), r.undone ? 'undone' : '']);
  process.stdout.write(renderTable(['Id', 'As of', 'Left', 'Recorded', ''], rows, new Set([2]), makeStyle(false)) + '\n');
}

function undo(target: string | true, zone: string): void {
  const live = recorded().filter((r) => !r.undone);
  const pick = target === true ? live.sort((a, b) => Date.parse(a.fact.at) - Date.parse(b.fact.at))[live.length - 1] : live.find((r) => r.fact.id === target);
  if (!pick) {
    const why = target === true ? 'there is no reconcile figure to undo' : recorded().some((r) => r.fact.id === target) ? `figure ${target} is already undone` : `no reconcile figure has the id ${target} (credit-ledger reconcile --list shows them)`;
    throw new UsageError(why, 1);
  }
  appendFact(userPaths().journal, reconcileUndoFact(pick.fact.id));
  process.stdout.write(`Undone: ${formatUsd(pick.figureNanos)} left as of ${localWithZone(pick.asOf, zone)} (fact ${pick.fact.id}). The balance counts from the figure before it, or from the allotment.\n`);
}

export function reconcileCommand(program: Command): void {
  program
    .command('reconcile')
    .description('record the remaining credit your billing page shows ("63.20"); the balance matches it from then on')
    .argument('[amount]', 'remaining credit in USD, e.g. 63.20 or $63.20')
    .option('--as-of <iso>', 'when the figure was true (default: now; not in the future)')
    .option('--yes', 'record a figure above the plan\'s allotment without asking')
    .option('--list', 'list the figures recorded, with their ids')
    .option('--undo [id]', 'withdraw a figure (default: the last one recorded)')
    .action(async (amount: string | undefined, opts: ReconcileOptions) => {
      const { zone, allotment, planLabel } = settingsZoneAndAllotment();
      if (opts.list) return list(zone);
      if (opts.undo !== undefined) return undo(opts.undo, zone);
      if (amount === undefined) throw new UsageError('give the remaining credit your billing page shows, e.g. credit-ledger reconcile 63.20 (or --list, --undo)');
      const nanos = parseUsdToNanos(amount);
      if (nanos === null || nanos < 0) throw new UsageError(`"${amount}" is not an amount in dollars (e.g. 63.20)`);
      const asOf = opts.asOf === undefined ? Date.now() : parseNowArg(opts.asOf, 'as-of')!;
      if (asOf > Date.now() + FUTURE_SLACK_MS) throw new UsageError(`--as-of ${opts.asOf} is in the future: a figure is what the billing page showed at a past instant`);
      if (allotment !== null && nanos > allotment && !opts.yes) {
        const question = `${formatUsd(nanos)} is more than the ${planLabel} plan's ${formatUsd(allotment)} a month. Record it anyway (a grant or a refund)? [y/N] `;
        if (!(await confirm(question))) throw new UsageError(`${formatUsd(nanos)} left is more than the ${planLabel} plan's allotment of ${formatUsd(allotment)}: not recorded. If your billing page shows it, run again with --yes.`, 1);
      }
      const fact = appendFact(userPaths().journal, reconcileFact(nanos / 1e9, asOf));
      process.stdout.write(`Recorded: ${formatUsd(nanos)} left as of ${localWithZone(asOf, zone)} (fact ${fact.id}; undo with credit-ledger reconcile --undo ${fact.id}).\n`);
    });
}
