// `credit-ledger daily|weekly|monthly|session`: tables that fit the terminal, or ccusage-shaped JSON with --json.
import { DateTime } from 'luxon';
import { dailyReport, monthlyReport, sessionReport, weeklyReport, WEEKDAYS, type ReportRow, type Totals, type Weekday } from '../core/reports/usage';
import { displayModelName } from '../core/pricing/modelId';
import { formatUsd, usdToNanos } from '../core/pricing/money';
import { markEstimates } from '../core/reports/estimates';
import type { CommonOptions, RunContext } from './context';
import { UsageError } from './errors';
import { formatInt, renderTable, terminalWidth, uniquePrefixes, wrapText, type Style } from './table';

export type ReportKind = 'daily' | 'weekly' | 'monthly' | 'session';

/** ccusage's report flags (`ccusage claude daily --help`, 20.0.24). */
export interface ReportOptions extends CommonOptions {
  order?: string;
  breakdown?: boolean;
  project?: string;
  last?: string;
  compact?: boolean;
  startOfWeek?: string;
}

const PERIOD_KEY = { daily: 'date', weekly: 'week', monthly: 'month' } as const;
const LIST_KEY = { daily: 'daily', weekly: 'weekly', monthly: 'monthly', session: 'sessions' } as const;

export function checkReportOptions(kind: ReportKind, o: ReportOptions): void {
  if (o.order !== undefined && o.order !== 'asc' && o.order !== 'desc') throw new UsageError(`--order must be asc or desc (got "${o.order}")`);
  if (o.startOfWeek !== undefined && !(WEEKDAYS as readonly string[]).includes(o.startOfWeek.toLowerCase())) throw new UsageError(`--start-of-week must be one of ${WEEKDAYS.join(', ')} (got "${o.startOfWeek}")`);
  if (o.last !== undefined) {
    if (kind === 'session') throw new UsageError('--last is only for the daily, weekly and monthly reports (as in ccusage)');
    if (!/^\d+$/.test(o.last) || Number(o.last) < 1) throw new UsageError(`--last must be a whole number of periods from 1 (got "${o.last}")`);
  }
}

/** The first local day of the N most recent periods, the current one counting as 1 (ccusage's `--last`). */
function lastSince(kind: Exclude<ReportKind, 'session'>, n: number, ctx: RunContext, startOfWeek: Weekday): string {
  const today = DateTime.fromMillis(ctx.now, { zone: ctx.timezone }).startOf('day');
  if (kind === 'daily') return today.minus({ days: n - 1 }).toISODate()!;
  if (kind === 'monthly') return today.startOf('month').minus({ months: n - 1 }).toISODate()!;
  const back = (today.weekday % 7 - WEEKDAYS.indexOf(startOfWeek) + 7) % 7; // luxon: Monday 1 … Sunday 7
  return today.minus({ days: back + 7 * (n - 1) }).toISODate()!;
}

export function buildReport(kind: ReportKind, ctx: RunContext, o: ReportOptions = {}): object {
  const startOfWeek = (o.startOfWeek?.toLowerCase() ?? 'sunday') as Weekday;
  let since = ctx.since;
  if (o.last !== undefined && kind !== 'session') {
    const from = lastSince(kind, Number(o.last), ctx, startOfWeek);
    if (!since || from > since) since = from;
  }
  const filter = { since, until: ctx.until, timezone: ctx.timezone, project: o.project };
  const db = ctx.meter.ledger.db;
  const report =
    kind === 'daily' ? dailyReport(db, filter) : kind === 'weekly' ? weeklyReport(db, filter, startOfWeek) : kind === 'monthly' ? monthlyReport(db, filter) : sessionReport(db, filter);
  const rows = (report as unknown as Record<string, ReportRow[]>)[LIST_KEY[kind]]!;
  markEstimates(rows, report.totals, ctx.meter.pricer);
  if (o.order === 'desc' && kind !== 'session') rows.reverse();
  return report;
}

/** "$3.20" exact, "~$3.20" when part of it is an estimate, "$3.20+" when part of it has no price (at least that much). */
function money(usd: number, row: { unpriced: { requests: number }; estimatedCost?: number }): string {
  const text = `${row.estimatedCost ? '~' : ''}${formatUsd(usdToNanos(usd))}`;
  return row.unpriced.requests ? `${text}+` : text;
}

type Counted = Pick<ReportRow, 'inputTokens' | 'outputTokens' | 'cacheCreationTokens' | 'cacheReadTokens' | 'totalTokens'>;

/** Figures per layout: the full one, or the compact one (tokens in and out, both costs). */
function figures(r: Counted, cost: string, corrected: string, compact: boolean): string[] {
  return compact
    ? [formatInt(r.inputTokens), formatInt(r.outputTokens), cost, corrected]
    : [formatInt(r.inputTokens), formatInt(r.outputTokens), formatInt(r.cacheCreationTokens), formatInt(r.cacheReadTokens), formatInt(r.totalTokens), cost, corrected];
}

const FULL_HEADERS = ['Input', 'Output', 'Cache write', 'Cache read', 'Total tokens', 'Cost', 'Corrected'];
const COMPACT_HEADERS = ['Input', 'Output', 'Cost', 'Corrected'];

const models = (list: readonly string[]): string => list.map(displayModelName).join('\n');

interface Layout {
  headers: string[];
  rows: string[][];
  numeric: Set<number>;
  /** The project column, cut from the left when the table is too wide. */
  shrink: number[];
}

function layoutOf(kind: ReportKind, report: object, style: Style, o: ReportOptions, compact: boolean): Layout {
  const figs = (r: ReportRow | Totals): string[] => figures(r, money(r.totalCost, r), money(r.corrected.totalCost, r), compact);
  const breakdown = (r: ReportRow, lead: number): string[][] =>
    o.breakdown
      ? r.modelBreakdowns.map((m) => {
          const row = { ...m, totalTokens: m.inputTokens + m.outputTokens + m.cacheCreationTokens + m.cacheReadTokens };
          const corrected = r.corrected.modelBreakdowns.find((c) => c.modelName === m.modelName);
          const cost = formatUsd(usdToNanos(m.cost)) + (m.unpricedRequests ? '+' : '');
          const correctedCost = corrected ? formatUsd(usdToNanos(corrected.cost)) + (m.unpricedRequests ? '+' : '') : cost;
          return [...Array<string>(lead - 1).fill(''), style.dim(`└ ${displayModelName(m.modelName)}`), ...figures(row, cost, correctedCost, compact).map((c) => style.dim(c))];
        })
      : [];
  const heads = compact ? COMPACT_HEADERS : FULL_HEADERS;
  const numericFrom = (first: number): Set<number> => new Set(heads.map((_h, i) => first + i));
  if (kind === 'session') {
    const r = report as ReturnType<typeof sessionReport>;
    const ids = uniquePrefixes(r.sessions.map((s) => s.sessionId));
    const text = (s: (typeof r.sessions)[number]): string[] =>
      compact
        ? [ids.get(s.sessionId)!, s.projectPath, s.lastActivity.slice(0, 10), models(s.modelsUsed)]
        : [ids.get(s.sessionId)!, s.projectPath, s.headless ? 'headless' : s.entrypoint || 'interactive', s.lastActivity.slice(0, 10), models(s.modelsUsed)];
    const lead = compact ? 4 : 5;
    const rows = r.sessions.flatMap((s) => [[...text(s), ...figs(s)], ...breakdown(s, lead)]);
    rows.push([style.bold('Total'), ...Array<string>(lead - 1).fill(''), ...figs(r.totals).map((c) => style.bold(c))]);
    const headers = compact ? ['Session', 'Project', 'Last', 'Models'] : ['Session', 'Project', 'Surface', 'Last', 'Models'];
    return { headers: [...headers, ...heads], rows, numeric: numericFrom(lead), shrink: [1] };
  }
  const r = report as Record<string, (ReportRow & Record<string, string>)[]> & { totals: Totals };
  const list = r[LIST_KEY[kind]]!;
  const rows = list.flatMap((d) => [[d[PERIOD_KEY[kind]]!, models(d.modelsUsed), ...figs(d)], ...breakdown(d, 2)]);
  rows.push([style.bold('Total'), '', ...figs(r.totals).map((c) => style.bold(c))]);
  const first = { daily: 'Date', weekly: 'Week', monthly: 'Month' }[kind];
  return { headers: [first, 'Models', ...heads], rows, numeric: numericFrom(2), shrink: [] };
}

export function renderReport(kind: ReportKind, report: object, ctx: RunContext, style: Style, o: ReportOptions = {}): string {
  const width = terminalWidth();
  const full = layoutOf(kind, report, style, o, false);
  const fullText = renderTable(full.headers, full.rows, full.numeric, style, { maxWidth: width, shrink: full.shrink, keepEnd: full.shrink });
  const fits = fullText.split('\n').every((l) => l.replace(/\x1b\[[0-9;]*m/g, '').length <= width);
  const compact = o.compact === true || !fits;
  const table = compact
    ? (() => {
        const c = layoutOf(kind, report, style, o, true);
        return renderTable(c.headers, c.rows, c.numeric, style, { maxWidth: width, shrink: c.shrink, keepEnd: c.shrink });
      })()
    : fullText;
  const totals = (report as { totals: Totals }).totals;
  const para = (text: string): string => wrapText(text, width);
  const out: string[] = [style.bold(para(`Claude Code usage at API list prices (${kind}, ${ctx.timezone}${o.project ? `, project ${o.project}` : ''})`)), '', table];
  if (compact) out.push('', style.dim(para(`Compact view${o.compact ? '' : ` (the full table needs more than ${width} columns)`}: cache and total token columns are left out; --json has every figure.`)));
  if (totals.unpriced.requests) {
    out.push('', style.yellow(para(`Unpriced: ${formatInt(totals.unpriced.requests)} request(s), ${formatInt(totals.unpriced.tokens)} tokens on models with no list price (${totals.unpriced.models.join(', ')}). Costs marked + are at least that much. Add its rates in USD per million tokens: credit-ledger config set rateOverrides.${totals.unpriced.models.length === 1 ? totals.unpriced.models[0] : '<model>'} input=3,output=15`)));
  }
  const estimated = (totals as Totals & { estimatedCost?: number }).estimatedCost;
  if (estimated) {
    const models = estimatedModels((report as unknown as Record<string, ReportRow[]>)[LIST_KEY[kind]]!);
    out.push('', style.yellow(para(`Estimated: ${formatUsd(usdToNanos(estimated))} of the total is on models not on the rate card (${models.join(', ')}), priced at their family's newest row; costs marked ~ include it. \`credit-ledger rates\` lists them; exact prices under "rateOverrides" or from \`credit-ledger rates update --from <file-or-url>\` replace the estimate.`)));
  }
  const c = totals.corrected;
  if (c.totalCost !== totals.totalCost) {
    out.push('', style.dim(para(`Cost: as the transcripts record it. Corrected: with what they undercount (${formatInt(c.outputTokens - totals.outputTokens)} output tokens from Task results, Claude Code's own records and content estimates${c.inputTokens + c.cacheCreationTokens + c.cacheReadTokens > totals.inputTokens + totals.cacheCreationTokens + totals.cacheReadTokens ? ', plus calls only those records know' : ''}); \`credit-ledger accuracy\` explains each.`)));
  }
  out.push('', style.dim(para(`Headless (claude -p / Agent SDK) share: ${formatUsd(usdToNanos(totals.headlessCost))} of ${formatUsd(usdToNanos(totals.totalCost))} (corrected ${formatUsd(usdToNanos(c.headlessCost))} of ${formatUsd(usdToNanos(c.totalCost))}). Ledger: ${ctx.meter.ledger.file ?? 'in memory'}`)));
  return out.join('\n');
}

function estimatedModels(rows: readonly ReportRow[]): string[] {
  const out = new Set<string>();
  for (const row of rows) for (const b of row.modelBreakdowns as Array<{ modelName: string; estimated?: boolean; estimatedFrom?: string }>) if (b.estimated) out.add(`${b.modelName} at ${b.estimatedFrom}`);
  return [...out].sort();
}
