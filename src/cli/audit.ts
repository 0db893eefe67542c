// `credit-ledger audit`: the loops that burn the credit, priced, with the moves; `--json` prints
// the AuditReport model as is (money in nanodollars, instants in epoch ms). `--ignore <loopId>`
// records "ignore this loop" in the journal.
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { auditMeter, ignoreLoopFact, LOOP_ID_PATTERN, resolveAuditThresholds, type AuditFlags, type AuditLoop, type AuditReport } from '../core/audit';
import { appendFact } from '../core/state/journal';
import { userPaths } from '../core/state/paths';
import { every, formatPercent, formatTokens, formatUsd, projectName } from '../core/audit/words';
import { collect, type CliHelpers, type PoolOptions, type RunContext } from './context';
import { UsageError } from './errors';
import { colorEnabled, formatInt, makeStyle, renderTable, terminalText, terminalWidth, type Style } from './table';

export interface AuditOptions extends PoolOptions {
  contextThreshold?: string;
  minIterations?: string;
  minRepeats?: string;
  lowOutput?: string;
  maxSpacing?: string;
  minCost?: string;
  hourlyRate?: string;
  all?: boolean;
  limit?: string;
  ignore?: string[];
  unignore?: string[];
}

/** What `audit` borrows from main.ts (passed in, so main.ts and this file do not import each other). */


function auditFlags(o: AuditOptions): AuditFlags {
  return {
    contextThreshold: o.contextThreshold,
    minIterations: o.minIterations,
    minRepeats: o.minRepeats,
    lowOutputTokens: o.lowOutput,
    maxSpacing: o.maxSpacing,
    minCostUsd: o.minCost,
    hourlyRateUsd: o.hourlyRate,
  };
}

/** --since/--until local days → [since, until) epoch ms in the run's zone. */
function windowOf(ctx: RunContext): { since: number | null; until: number | null } {
  const day = (iso: string): DateTime => DateTime.fromISO(iso, { zone: ctx.timezone }).startOf('day');
  return { since: ctx.since ? day(ctx.since).toMillis() : null, until: ctx.until ? day(ctx.until).plus({ days: 1 }).toMillis() : null };
}

function recordIgnores(o: AuditOptions): void {
  const journal = userPaths().journal;
  const all = [...(o.ignore ?? []).map((id) => [id, true] as const), ...(o.unignore ?? []).map((id) => [id, false] as const)];
  const bad = all.filter(([id]) => !LOOP_ID_PATTERN.test(id)).map(([id]) => id);
  if (bad.length) throw new UsageError(`not a loop id: ${bad.join(', ')} (loop ids look like reread-0123456789; run credit-ledger audit to list them)`);
  for (const [id, ignore] of all) {
    appendFact(journal, ignoreLoopFact(id, ignore));
    process.stdout.write(ignore ? `Ignoring loop ${id} from now on (credit-ledger audit --all still lists it; --unignore ${id} takes it back).\n` : `Loop ${id} is listed again.\n`);
  }
  process.stdout.write(`Journal: ${journal}\n`);
}

export function registerAudit(program: Command, h: CliHelpers): void {
  h.withPoolOptions(h.withCommonOptions(program.command('audit').description('find the loops that burn the credit (re-read, reflexive, scheduled, recurring), price them and say what to do')))
    .option('--context-threshold <tokens>', 'prompt tokens from which a request is a large context (default 50000)')
    .option('--min-iterations <n>', 're-reads in a row that make a re-read loop (default 10)')
    .option('--min-repeats <n>', 'repeats (or failures) of one call that make a reflexive loop (default 3)')
    .option('--low-output <tokens>', 'output tokens under which a request produces little (default 1000)')
    .option('--max-spacing <n>', 'requests allowed between two repeats of a call (default 1)')
    .option('--min-cost <usd>', 'hide loops that cost less than this (default 0.10)')
    .option('--hourly-rate <usd>', 'your time, for the break-even of keeping a loop (default 100)')
    .option('--all', 'list ignored loops too')
    .option('--limit <n>', 'list the N loops with the most at stake (default 10; 0: all)', '10')
    .option('--ignore <loopId>', 'remember to hide this loop from now on (repeatable)', collect)
    .option('--unignore <loopId>', 'list an ignored loop again (repeatable)', collect)
    .action(async (opts: AuditOptions) => {
      if (opts.limit !== undefined && !/^\d+$/.test(opts.limit)) throw new UsageError(`--limit must be a whole number (0: all), got "${opts.limit}"`);
      if (opts.ignore?.length || opts.unignore?.length) {
        recordIgnores(opts);
        return;
      }
      await h.withRun(
        opts,
        (ctx) => {
          const resolved = resolveAuditThresholds(ctx.settings.audit, auditFlags(opts));
          if (resolved.flagProblems.length) throw new UsageError(resolved.flagProblems.join('\n'));
          for (const p of resolved.settingProblems) process.stderr.write(`note: settings: ${p}\n`);
          const report = auditMeter(ctx.meter, { thresholds: resolved.thresholds, window: windowOf(ctx), includeIgnored: !!opts.all });
          if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
          else process.stdout.write(terminalText(renderAudit(report, ctx, makeStyle(colorEnabled(opts.color)), Number(opts.limit ?? 10)), colorEnabled(opts.color)) + '\n');
        },
        h.poolFlags(opts),
      );
    });
}

function where(l: AuditLoop): string {
  const w = l.where;
  const project = projectName(w.cwd, w.projectKey);
  if (l.kind === 'recurring') return `${project} · ${w.sessionIds.length} sessions`;
  return `${project} · ${w.sessionId.slice(0, 8)}${w.agentId ? `/${w.agentId}` : w.sidechain ? '/subagent' : ''}`;
}

function atStake(l: AuditLoop): string {
  return l.atStakeBasis === 'projected' ? `${formatUsd(l.atStakeNanos)} (projected)` : formatUsd(l.atStakeNanos);
}

/** `limit`: how many loops to list (0: all); the summary line still counts them all. */
export function renderAudit(r: AuditReport, ctx: RunContext, style: Style, limit = 0): string {
  const out: string[] = [];
  const local = (ms: number): string => DateTime.fromMillis(ms, { zone: ctx.timezone }).toFormat('yyyy-LL-dd HH:mm');
  const c = r.credit;
  const creditText = c.planSet && c.allotmentNanos !== null ? `${c.planLabel} · ${formatUsd(c.remainingNanos ?? 0)} of ${formatUsd(c.allotmentNanos)} left` : 'no plan set';
  out.push(style.bold(`Loop audit · ${creditText} · cycle ${c.cycle.label} (${c.cycle.daysLeft} days left)`));
  const s = r.summary;
  const ignored = s.ignored ? ` · ${s.ignored} ignored${r.loops.some((l) => l.ignored) ? '' : ' (--all lists them)'}` : '';
  out.push(
    style.dim(
      `${s.examined.requests.toLocaleString('en-US')} requests in ${s.examined.sessions} sessions (${s.examined.threads} threads) examined · ` +
        `${s.loops} loop${s.loops === 1 ? '' : 's'}, ${s.loops && !s.atStakeNanos ? `nothing in this cycle (the latest ended ${local(Math.max(...r.loops.map((l) => l.where.lastAt)))})` : `${formatUsd(s.atStakeNanos)} at stake this cycle`}${ignored}` +
        (s.belowMinCost ? ` · ${s.belowMinCost} under ${formatUsd(r.thresholds.minCostUsd * 1e9)} not shown` : ''),
    ),
  );
  if (!r.loops.length) {
    out.push('', style.green('No loops found.'));
    for (const n of r.notes) out.push(style.dim(n));
    return out.join('\n');
  }
  const shown = limit > 0 ? r.loops.slice(0, limit) : r.loops;
  const rows = shown.map((l, i) => [
    String(i + 1),
    l.ignored ? style.dim(`${l.id} (ignored)`) : l.id,
    l.kind,
    where(l),
    formatInt(l.metrics.iterations),
    formatTokens(l.metrics.context.avgTokens),
    formatUsd(l.metrics.costPerIterationNanos),
    formatUsd(l.metrics.costNanos),
    atStake(l),
  ]);
  out.push('', renderTable(['#', 'Loop', 'Kind', 'Where', 'Iterations', 'Avg context', 'Per iteration', 'Cost', 'At stake this cycle'], rows, new Set([0, 4, 5, 6, 7, 8]), style, { maxWidth: terminalWidth(), shrink: [3] }));
  if (shown.length < r.loops.length) out.push(style.dim(`${r.loops.length - shown.length} more loop(s) with less at stake not shown: --limit 0 lists them all, --json has every one.`));
  shown.forEach((l, i) => {
    const m = l.metrics;
    const w = l.where;
    out.push('', style.bold(`${i + 1}. ${l.title} ${l.id}${l.ignored ? ' (ignored)' : ''}`));
    out.push(`   ${l.verdict}`);
    for (const sig of l.signals) out.push(`   ${sig}`);
    out.push(style.dim(`   ${projectName(w.cwd, w.projectKey)} · session ${w.sessionId}${w.agentId ? ` · subagent ${w.agentId}` : ''} · ${w.entrypoint || w.surface} · ${local(w.firstAt)} – ${local(w.lastAt)} · ${w.drawsOnCredit ? 'draws on the credit' : 'not on the credit'}`));
    if (w.file) out.push(style.dim(`   first request: ${w.file} @ byte ${w.offset}`));
    const interval = m.medianIntervalSeconds ? ` · ${every(m.medianIntervalSeconds * 1000)}` : '';
    out.push(
      style.dim(
        `   context ${formatTokens(m.context.firstTokens)} → ${formatTokens(m.context.lastTokens)} (avg ${formatTokens(m.context.avgTokens)}) · re-read ${formatPercent(m.rereadShare)} of cost · cache hit ${formatPercent(m.cacheHitRatio)}` +
          (m.unreadCacheWriteTokens ? ` · ${formatTokens(m.unreadCacheWriteTokens)} cache writes never read (${formatUsd(m.unreadCacheWriteCostNanos)})` : '') +
          ` · ${m.outputPerUsd === null ? '—' : formatInt(m.outputPerUsd)} output tokens per $${interval}`,
      ),
    );
    const mv = l.moves;
    if (mv.lessOften) out.push(`   ${style.bold('Less often:')} ${mv.lessOften.summary}`);
    for (const cm of mv.cheaperModels.slice(0, 3)) out.push(`   ${style.bold('Cheaper model:')} ${cm.summary}`);
    if (mv.cheaperModels.length > 3) out.push(style.dim(`   (${mv.cheaperModels.length - 3} more cheaper models in --json)`));
    out.push(`   ${style.bold('Keep and pay:')} ${mv.keepAndPay.summary}`);
    for (const f of mv.fixes) out.push(`   ${style.bold('Fix:')} ${f.summary}`);
    if (!l.ignored) out.push(style.dim(`   Ignore it: credit-ledger audit --ignore ${l.id}`));
  });
  if (r.notes.length) out.push('', ...r.notes.map((n) => style.dim(n)));
  return out.join('\n');
}
