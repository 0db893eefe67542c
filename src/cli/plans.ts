// `credit-ledger plans`: which plan fits the work — the trailing month at list price against every plan's credit,
// and the moves for the month's biggest loop. It only looks: no ledger save, no snapshot, no journal fact.
// `--json` prints the PlanComparison model as is (money in nanodollars, instants in epoch ms), like `audit --json`.
import type { Command } from 'commander';
import { auditMeter, resolveAuditThresholds } from '../core/audit';
import { formatHours } from '../core/audit/words';
import { comparePlans, groupPlans, MONTH_DAYS, windowOfDays, type PlanComparison, type PlanGroup } from '../core/plans/comparison';
import { formatUsd } from '../core/pricing/money';
import type { CliHelpers, PoolOptions, RunContext } from './context';
import { UsageError } from './errors';
import { colorEnabled, makeStyle, renderTable, terminalText, type Style } from './table';

interface PlansOptions extends PoolOptions {
  hourlyRate?: string;
}

/** The comparison over the run's meter: the same pool input as the balance, the audit over the same window. */
export function planComparison(ctx: RunContext, hourlyRate: string | undefined): PlanComparison {
  const resolved = resolveAuditThresholds(ctx.settings.audit, { hourlyRateUsd: hourlyRate });
  if (resolved.flagProblems.length) throw new UsageError(resolved.flagProblems.join('\n'));
  for (const p of resolved.settingProblems) process.stderr.write(`note: settings: ${p}\n`);
  const meter = ctx.meter;
  const window = windowOfDays(ctx.now, meter.poolSettings.timezone, ctx.since, ctx.until);
  const audit = auditMeter(meter, { thresholds: resolved.thresholds, window });
  return comparePlans({
    pool: meter.poolInput(window.since),
    window,
    firstRequestAt: meter.firstRequestAt(),
    hourlyRateUsd: resolved.thresholds.hourlyRateUsd,
    audit,
    pricer: meter.pricer,
  });
}

const money = (n: number): string => formatUsd(n, { decimals: 2 });

/** "Max 5x (yours) · Team Premium": plans that come out alike, the user's own named. */
function names(g: PlanGroup): string {
  return g.labels.map((l) => (l === g.currentLabel ? `${l} (yours)` : l)).join(' · ');
}

function row(g: PlanGroup, withLoop: boolean): string[] {
  const p = g.fit;
  const credit = p.kind === 'budget' ? 'none' : money(p.creditNanos);
  const covers = p.kind === 'budget' ? '—' : p.runOutDay === null ? `all ${MONTH_DAYS} days` : `${p.coveredDays} of ${MONTH_DAYS} days`;
  const runsOut = p.kind === 'budget' || p.runOutDay === null ? '—' : `day ${p.runOutDay}`;
  return [
    `${g.current ? '▸ ' : '  '}${names(g)}`,
    p.scope,
    credit,
    money(p.monthSpendNanos),
    covers,
    runsOut,
    money(p.overageNanos),
    p.overageNanos > 0 ? formatHours(p.overageHours) : '—',
    ...(withLoop ? [p.loopRunsCovered === null ? '—' : String(p.loopRunsCovered)] : []),
  ];
}

export function renderPlans(c: PlanComparison, style: Style): string {
  const out: string[] = [];
  const basis = c.basis === 'corrected' ? 'corrected for undercounted output' : 'as recorded';
  out.push(style.bold(`Which plan fits · ${c.window.label} (${c.window.days} days, ${c.timezone}) · list prices, ${basis}`));
  out.push(
    style.dim(
      `Spent: ${money(c.headlessSpendNanos)} headless, ${money(c.allSpendNanos)} in all, over ${c.basedOnDays} day${c.basedOnDays === 1 ? '' : 's'} of history · ` +
        `a month is ${MONTH_DAYS} days at that rate · your time at $${c.hourlyRateUsd}/h · ${c.currentPlan ? '▸ your plan' : 'no plan set'}`,
    ),
  );
  // The runs of the month's biggest loop each credit covers, when there is one.
  const loopHeader = c.biggestLoop ? [c.biggestLoop.kind === 'recurring' ? 'Job runs covered' : 'Loop iterations covered'] : [];
  // Plans that come out alike (Pro, Team Standard, Enterprise usage-based) share a row; --json lists each.
  const groups = groupPlans(c.plans);
  out.push('', renderTable(['Plan', 'Scope', 'Credit', 'Month at list price', 'Covers', 'Runs out', 'Over', 'Your time', ...loopHeader], groups.map((g) => row(g, !!c.biggestLoop)), new Set([2, 3, 6, 7, 8]), style));
  out.push('');
  for (const g of groups) {
    out.push(`${g.current ? style.bold(names(g)) : names(g)}: ${g.fit.summary}`);
  }
  const l = c.biggestLoop;
  if (l) {
    out.push('', style.bold(`Biggest loop this month: ${l.title} ${l.id}`), `   ${l.verdict}`);
    out.push(`   ${style.bold('Run it less often:')} ${l.moves.lessOften}`);
    out.push(`   ${style.bold('A cheaper model:')} ${l.moves.cheaperModel}`);
    out.push(`   ${style.bold('Keep it and pay:')} ${l.moves.keepAndPay}`);
  }
  if (c.notes.length) out.push('', ...c.notes.map((n) => style.yellow(n)));
  return out.join('\n');
}

export function registerPlans(program: Command, h: CliHelpers): void {
  h.withPoolOptions(h.withCommonOptions(program.command('plans').description('which plan fits your work: the last 30 days at list price against every plan\'s credit (writes nothing)')))
    .option('--hourly-rate <usd>', 'your time, for what the overage is worth (default: the audit\'s, 100)')
    .action(async (opts: PlansOptions) => {
      await h.withRun(
        opts,
        (ctx) => {
          const c = planComparison(ctx, opts.hourlyRate);
          if (opts.json) process.stdout.write(JSON.stringify(c, null, 2) + '\n');
          else process.stdout.write(terminalText(renderPlans(c, makeStyle(colorEnabled(opts.color))), colorEnabled(opts.color)) + '\n');
        },
        h.poolFlags(opts),
        { readOnly: true },
      );
    });
}
