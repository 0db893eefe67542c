// `credit-ledger accuracy`: recorded vs corrected vs Claude Code's own cost, per session and model,
// and which rule moved each number (FACTS.md "What the transcript undercounts").
import type { Command } from 'commander';
import { ownUsagesOf, secondOpinion, type ModelOpinion } from '../core/pricing/secondOpinion';
import { accuracyReport, type AccuracyModel, type AccuracyReport, type AccuracySession, type Figures, type Move } from '../core/corrections/accuracy';
import { runRecords } from '../core/corrections/records';
import { formatUsd, nanosToUsd } from '../core/pricing/money';
import type { CliHelpers, CommonOptions, RunContext } from './context';
import { colorEnabled, formatInt, makeStyle, renderTable, terminalText, type Style } from './table';


export function buildAccuracy(ctx: RunContext): AccuracyReport {
  return accuracyReport(ctx.meter.ledger.db, runRecords(ctx.meter.journalFacts), { since: ctx.since, until: ctx.until, timezone: ctx.timezone });
}

function figuresJson(f: Figures): object {
  return { inputTokens: f.input, outputTokens: f.output, cacheCreationTokens: f.cacheWrite, cacheReadTokens: f.cacheRead, webSearchRequests: f.webSearches, cost: nanosToUsd(f.costNanos) };
}

function moveJson(m: Move): object {
  return { rule: m.source, ownRow: m.ownRow, requests: m.requests, ...figuresJson(m) };
}

function modelJson(m: AccuracyModel): object {
  return {
    model: m.model,
    requests: m.requests,
    recorded: figuresJson(m.recorded),
    corrected: figuresJson(m.corrected),
    claudeCode: m.claudeCode && {
      inputTokens: m.claudeCode.input,
      outputTokens: m.claudeCode.output,
      cacheCreationTokens: m.claudeCode.cacheWrite,
      cacheReadTokens: m.claudeCode.cacheRead,
      webSearchRequests: m.claudeCode.webSearches,
      costUSD: m.claudeCode.costUsd,
    },
    movedBy: m.moved.map(moveJson),
  };
}

function sessionJson(s: AccuracySession): object {
  return {
    sessionId: s.sessionId,
    projectPath: s.projectKey,
    entrypoint: s.entrypoint,
    firstActivity: new Date(s.firstActivity).toISOString(),
    lastActivity: new Date(s.lastActivity).toISOString(),
    requests: s.requests,
    recorded: figuresJson(s.recorded),
    corrected: figuresJson(s.corrected),
    claudeCodeRecord: s.record && { rule: s.record.source, origin: s.record.origin, totalCostUSD: s.record.totalCostUsd, costBasis: s.record.costBasis || null },
    models: s.models.map(modelJson),
  };
}

export function accuracyJson(r: AccuracyReport): object {
  const t = r.totals;
  return {
    sessions: r.sessions.map(sessionJson),
    totals: {
      sessions: t.sessions,
      sessionsWithClaudeCodeRecord: t.sessionsWithRecord,
      requests: t.requests,
      recorded: figuresJson(t.recorded),
      corrected: figuresJson(t.corrected),
      withClaudeCodeRecord: { recordedCost: nanosToUsd(t.recordedWithRecordNanos), correctedCost: nanosToUsd(t.correctedWithRecordNanos), claudeCodeCostUSD: t.claudeCodeCostUsd },
      movedBy: Object.fromEntries(Object.entries(t.bySource).map(([k, f]) => [k, { requests: f.requests, ...figuresJson(f) }])),
    },
  };
}

/** "task-result +994 out · estimate +120 out · cost-state own row 1,200 in / 40 out". */
function describeMoves(moves: readonly Move[]): string {
  return moves
    .map((m) => {
      const parts: string[] = [];
      if (m.input) parts.push(`${formatInt(m.input)} in`);
      if (m.output) parts.push(`${m.ownRow ? '' : '+'}${formatInt(m.output)} out`);
      if (m.cacheWrite) parts.push(`${formatInt(m.cacheWrite)} cache write`);
      if (m.cacheRead) parts.push(`${formatInt(m.cacheRead)} cache read`);
      if (m.webSearches) parts.push(`${formatInt(m.webSearches)} searches`);
      const where = m.ownRow ? ' own row' : ` ×${m.requests}`;
      return `${m.source}${where} ${parts.join(' / ')} (+${formatUsd(m.costNanos)})`;
    })
    .join(' · ');
}

const claudeCost = (usd: number | null | undefined): string => (usd === null || usd === undefined ? '—' : formatUsd(Math.round(usd * 1e9)));

export function renderAccuracy(r: AccuracyReport, ctx: RunContext, style: Style): string {
  const rows: string[][] = [];
  for (const s of r.sessions) {
    const delta = s.corrected.costNanos - s.recorded.costNanos;
    rows.push([
      style.bold(s.sessionId.slice(0, 8)), style.bold(s.projectKey), style.bold(s.entrypoint || '—'),
      style.bold(formatInt(s.recorded.output)), style.bold(formatInt(s.corrected.output)),
      style.bold(formatUsd(s.recorded.costNanos)), style.bold(formatUsd(s.corrected.costNanos)), style.bold(delta ? `+${formatUsd(delta)}` : ''),
      style.bold(s.record ? claudeCost(s.record.totalCostUsd) : '—'), s.record ? style.dim(s.record.origin) : '',
    ]);
    for (const m of s.models) {
      const d = m.corrected.costNanos - m.recorded.costNanos;
      rows.push([
        '', `  ${m.model}`, '', formatInt(m.recorded.output), formatInt(m.corrected.output), formatUsd(m.recorded.costNanos), formatUsd(m.corrected.costNanos), d ? `+${formatUsd(d)}` : '',
        m.claudeCode ? claudeCost(m.claudeCode.costUsd) : '—', describeMoves(m.moved),
      ]);
    }
  }
  const t = r.totals;
  const delta = t.corrected.costNanos - t.recorded.costNanos;
  rows.push([style.bold('Total'), `${t.sessions} sessions`, '', formatInt(t.recorded.output), formatInt(t.corrected.output), formatUsd(t.recorded.costNanos), formatUsd(t.corrected.costNanos), delta ? `+${formatUsd(delta)}` : '', '', ''].map((c) => style.bold(c)));
  const table = renderTable(['Session', 'Project / model', 'Surface', 'Output recorded', 'Output corrected', 'Cost recorded', 'Cost corrected', 'Correction', 'Claude Code', 'Moved by'], rows, new Set([3, 4, 5, 6, 7, 8]), style);
  const out = [style.bold(`Recorded vs corrected vs Claude Code's own cost (${ctx.timezone})`), '', table, ''];
  const bySource = Object.entries(t.bySource).filter(([, f]) => f.costNanos || f.output || f.input);
  if (bySource.length) out.push(`Moved by rule: ${bySource.map(([k, f]) => `${k} +${formatInt(f.output)} output tokens${f.input + f.cacheWrite + f.cacheRead ? ` and ${formatInt(f.input + f.cacheWrite + f.cacheRead)} input/cache tokens` : ''} (+${formatUsd(f.costNanos)})`).join('; ')}.`);
  if (t.sessionsWithRecord) out.push(`Sessions with Claude Code's own record: ${t.sessionsWithRecord}; recorded ${formatUsd(t.recordedWithRecordNanos)}, corrected ${formatUsd(t.correctedWithRecordNanos)}, Claude Code's own estimate ${claudeCost(t.claudeCodeCostUsd)} (its estimate, not a bill).`);
  else out.push(style.dim("No session has a record of Claude Code's own (cost-state line, claude -p result or ~/.claude.json): corrections come from Task results and content estimates only."));
  out.push(style.dim('Recorded: as the transcripts say. Corrected: never lower; the rules are task-result (a subagent\'s final request), cost-state / claude-p-result (Claude Code\'s own totals), estimate (visible content at 6 characters a token).'));
  return out.join('\n');
}

interface AccuracyOptions extends CommonOptions {
  color?: boolean;
}

/** The options and the run come from the CLI's own helpers (main.ts), as for every report. */
export function accuracyCommand(program: Command, cli: Pick<CliHelpers, 'withCommonOptions' | 'withRun'>): void {
  cli
    .withCommonOptions(program.command('accuracy').description("recorded vs corrected vs Claude Code's own cost, per session and model, and which rule moved each number"))
    .action(async (opts: AccuracyOptions) => {
      await cli.withRun(opts, (ctx) => {
        const report = buildAccuracy(ctx);
        const opinions = secondOpinion(ownUsagesOf(report.sessions), ctx.meter.pricer);
        const style = makeStyle(colorEnabled(opts.color));
        if (opts.json) process.stdout.write(JSON.stringify({ ...accuracyJson(report), secondOpinion: opinions }, null, 2) + '\n');
        else process.stdout.write(terminalText(renderAccuracy(report, ctx, style) + '\n' + renderSecondOpinion(opinions, style), colorEnabled(opts.color)).replace(/\n*$/, '\n'));
      });
    });
}

/** The card against Claude Code's own per-model costs: one line per model they disagree on ("" when none). */
export function renderSecondOpinion(opinions: readonly ModelOpinion[], style: Style): string {
  if (!opinions.length) return '';
  const out = ['', style.bold("Second opinion: Claude Code's own costUSD per model against the rate card")];
  for (const o of opinions) {
    out.push(o.agrees ? style.dim(`  ${o.model}: agrees (${o.sessions} session record${o.sessions === 1 ? '' : 's'})`) : style.yellow(`  ${o.sentence ?? `${o.model}: Claude Code's figure differs from the card's`}`));
  }
  return out.join('\n') + '\n';
}
