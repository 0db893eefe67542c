// `credit-ledger daily|monthly|session`: tables, or ccusage-shaped JSON with --json.
import { dailyReport, monthlyReport, sessionReport, type ReportRow, type Totals } from '../core/reports/usage';
import { formatUsd, usdToNanos } from '../core/pricing/money';
import { markEstimates } from '../core/reports/estimates';
import type { RunContext } from './context';
import { formatInt, renderTable, type Style } from './table';

export type ReportKind = 'daily' | 'monthly' | 'session';

export function buildReport(kind: ReportKind, ctx: RunContext): object {
  const filter = { since: ctx.since, until: ctx.until, timezone: ctx.timezone };
  const db = ctx.meter.ledger.db;
  const pricer = ctx.meter.pricer;
  if (kind === 'daily') {
    const r = dailyReport(db, filter);
    markEstimates(r.daily, r.totals, pricer);
    return r;
  }
  if (kind === 'monthly') {
    const r = monthlyReport(db, filter);
    markEstimates(r.monthly, r.totals, pricer);
    return r;
  }
  const r = sessionReport(db, filter);
  markEstimates(r.sessions, r.totals, pricer);
  return r;
}

/** "$3.20" exact, "~$3.20" when part of it is an estimate, "$3.20+" when part of it has no price (at least that much). */
function money(usd: number, row: { unpriced: { requests: number }; estimatedCost?: number }): string {
  const text = `${row.estimatedCost ? '~' : ''}${formatUsd(usdToNanos(usd))}`;
  return row.unpriced.requests ? `${text}+` : text;
}

function cells(r: ReportRow | Totals): string[] {
  return [formatInt(r.inputTokens), formatInt(r.outputTokens), formatInt(r.cacheCreationTokens), formatInt(r.cacheReadTokens), formatInt(r.totalTokens), money(r.totalCost, r), money(r.corrected.totalCost, r)];
}

export function renderReport(kind: ReportKind, report: object, ctx: RunContext, style: Style): string {
  const out: string[] = [];
  const numericCols = (first: number): Set<number> => new Set([first, first + 1, first + 2, first + 3, first + 4, first + 5, first + 6]);
  let table: string;
  let totals: Totals;
  if (kind === 'session') {
    const r = report as ReturnType<typeof sessionReport>;
    totals = r.totals;
    const rows = r.sessions.map((s) => [s.sessionId.slice(0, 8), s.projectPath, s.headless ? 'headless' : s.entrypoint || 'interactive', s.lastActivity.slice(0, 10), s.modelsUsed.join(', '), ...cells(s)]);
    rows.push([style.bold('Total'), '', '', '', '', ...cells(totals).map((c) => style.bold(c))]);
    table = renderTable(['Session', 'Project', 'Surface', 'Last', 'Models', 'Input', 'Output', 'Cache write', 'Cache read', 'Total tokens', 'Cost', 'Corrected'], rows, numericCols(5), style);
  } else {
    const r = report as ReturnType<typeof dailyReport> & ReturnType<typeof monthlyReport>;
    const list = kind === 'daily' ? r.daily : r.monthly;
    totals = r.totals;
    const rows = list.map((d) => [kind === 'daily' ? (d as { date: string }).date : (d as { month: string }).month, d.modelsUsed.join(', '), ...cells(d)]);
    rows.push([style.bold('Total'), '', ...cells(totals).map((c) => style.bold(c))]);
    table = renderTable([kind === 'daily' ? 'Date' : 'Month', 'Models', 'Input', 'Output', 'Cache write', 'Cache read', 'Total tokens', 'Cost', 'Corrected'], rows, numericCols(2), style);
  }
  out.push(style.bold(`Claude Code usage at API list prices (${kind}, ${ctx.timezone})`), '', table);
  if (totals.unpriced.requests) {
    out.push('', style.yellow(`Unpriced: ${formatInt(totals.unpriced.requests)} request(s), ${formatInt(totals.unpriced.tokens)} tokens on models with no list price (${totals.unpriced.models.join(', ')}). Costs marked + are at least that much. Add rates under "rateOverrides" in the settings file.`));
  }
  const estimated = (totals as Totals & { estimatedCost?: number }).estimatedCost;
  if (estimated) {
    const models = estimatedModels(report);
    out.push('', style.yellow(`Estimated: ${formatUsd(usdToNanos(estimated))} of the total is on models not on the rate card (${models.join(', ')}), priced at their family's newest row; costs marked ~ include it. \`credit-ledger rates\` lists them; exact prices under "rateOverrides" or from \`credit-ledger rates update --from <file-or-url>\` replace the estimate.`));
  }
  const c = totals.corrected;
  if (c.totalCost !== totals.totalCost) {
    out.push('', style.dim(`Cost: as the transcripts record it. Corrected: with what they undercount (${formatInt(c.outputTokens - totals.outputTokens)} output tokens from Task results, Claude Code's own records and content estimates${c.inputTokens + c.cacheCreationTokens + c.cacheReadTokens > totals.inputTokens + totals.cacheCreationTokens + totals.cacheReadTokens ? ', plus calls only those records know' : ''}); \`credit-ledger accuracy\` explains each.`));
  }
  out.push('', style.dim(`Headless (claude -p / Agent SDK) share: ${formatUsd(usdToNanos(totals.headlessCost))} of ${formatUsd(usdToNanos(totals.totalCost))} (corrected ${formatUsd(usdToNanos(c.headlessCost))} of ${formatUsd(usdToNanos(c.totalCost))}). Ledger: ${ctx.meter.ledger.file ?? 'in memory'}`));
  return out.join('\n');
}

function estimatedModels(report: object): string[] {
  const r = report as { daily?: ReportRow[]; monthly?: ReportRow[]; sessions?: ReportRow[] };
  const rows = r.daily ?? r.monthly ?? r.sessions ?? [];
  const out = new Set<string>();
  for (const row of rows) for (const b of row.modelBreakdowns as Array<{ modelName: string; estimated?: boolean; estimatedFrom?: string }>) if (b.estimated) out.add(`${b.modelName} at ${b.estimatedFrom}`);
  return [...out].sort();
}
