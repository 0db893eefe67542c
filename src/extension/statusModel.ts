// The status bar as a pure function of what the meter knows: text, colour, tooltip (Markdown with command links)
// and click target. No `vscode` import, so every state is unit-tested (test/unit/extension-status.test.ts).
import { DateTime } from 'luxon';
import { POLICY_STATUS } from '../core/pool/plans';
import type { OffCardModel } from '../core/reports/cardCoverage';
import type { BalanceSnapshot } from '../core/pool/snapshot';
import type { Balance, Overage, Scope } from '../core/pool/types';
import { formatUsd } from '../core/pricing/money';
import { correctionSentence } from '../webview/format';
import { COMMANDS } from './ids';

/** The newest request in the ledger, for the tooltip. */
export interface LastTurn {
  costNanos: number;
  /** Epoch ms. */
  at: number;
  model: string;
  sessionId: string;
  priced: boolean;
}

/** The shared ledger for the tooltip (extension/sharedSync): machines, when each last synced, spend per machine. */
export interface SharedLine {
  where: string;
  machines: { label: string; thisMachine: boolean; lastSync: string | null; spentNanos: number }[];
  lastSync: string | null;
  error: string | null;
  outbox: number;
}

export interface StatusCommon {
  /** Epoch ms, for "3 min ago". */
  now: number;
  /** Share of the allotment left under which the item turns to the warning colour (0-1). */
  warnShare: number;
  /** Ingest and ledger problems to list in the tooltip (corrupt ledger rebuilt, unreadable files, ...). */
  problems: readonly string[];
  /** Another window or process writes this ledger: this one only reads it. */
  readOnly?: boolean;
}

export type StatusInput = StatusCommon &
  (
    | { kind: 'starting'; snapshot?: BalanceSnapshot; progress?: { done: number; total: number } }
    | { kind: 'settingsError'; settingsProblems: readonly string[] }
    | { kind: 'noTranscripts'; paths: readonly string[] }
    | {
        kind: 'balance';
        balance: Balance;
        lastTurn?: LastTurn;
        /** A loop above the audit's thresholds running now (core/audit liveLoopLine); transcript-derived: escaped here. */
        loopLine?: string | null;
        /** Models of the transcripts the rate card lacks (core/reports/cardCoverage); transcript-derived: escaped here. */
        offCard?: readonly OffCardModel[];
        /** Set when a shared ledger is configured: the balance is merged across machines. */
        shared?: SharedLine;
      }
    | { kind: 'failed'; error: string }
  );

export type StatusState =
  | 'starting'
  | 'snapshot'
  | 'normal'
  | 'warning'
  | 'exhausted'
  | 'overage'
  | 'planNotSet'
  | 'noTranscripts'
  | 'settingsError'
  | 'failed';

export interface StatusView {
  state: StatusState;
  /** With `$(icon)` syntax. */
  text: string;
  /** Markdown; command links only to this extension's commands (see `TOOLTIP_COMMANDS`). */
  tooltip: string;
  background: 'warning' | 'error' | undefined;
  command: { id: string; arguments?: unknown[]; title: string };
  accessibilityLabel: string;
}

/** The commands a tooltip may link to: the glue trusts exactly these. */
export const TOOLTIP_COMMANDS: readonly string[] = [
  COMMANDS.openLedger,
  COMMANDS.setPlan,
  COMMANDS.reconcile,
  COMMANDS.chooseFolders,
  COMMANDS.updateRates,
  COMMANDS.showLog,
  COMMANDS.refresh,
  COMMANDS.auditLoops,
  COMMANDS.syncNow,
  'workbench.action.openSettings',
];

const ICON = '$(credit-card)';
const OPEN_SETTINGS = { id: 'workbench.action.openSettings', arguments: ['creditLedger'], title: 'Open Credit Ledger settings' };
const OPEN_LEDGER = { id: COMMANDS.openLedger, title: 'Open the ledger' };

/** What the text and tooltip need, from a live Balance or from the per-user snapshot. */
interface Figures {
  planSet: boolean;
  planLabel: string;
  scope: Scope;
  overage: Overage;
  timezone: string;
  cycleLabel: string;
  cycleEnd: number;
  daysLeft: number;
  allotmentNanos: number | null;
  spentNanos: number;
  spentTodayNanos: number;
  remainingNanos: number | null;
  overageNanos: number | null;
  remainingIsUpperBound: boolean;
  unpricedCount: number;
  /** Spend this cycle priced as an estimate (models not on the rate card), inside spentNanos. */
  estimatedNanos: number;
  exhaustedAt: number | null;
}

function figuresFromBalance(b: Balance): Figures {
  return {
    planSet: b.planSet,
    planLabel: b.planLabel,
    scope: b.scope,
    overage: b.overage,
    timezone: b.timezone,
    cycleLabel: b.cycle.label,
    cycleEnd: b.cycle.end,
    daysLeft: b.cycle.daysLeft,
    allotmentNanos: b.allotmentNanos,
    spentNanos: b.spentNanos,
    spentTodayNanos: b.spentTodayNanos,
    remainingNanos: b.remainingNanos,
    overageNanos: b.overageNanos,
    remainingIsUpperBound: b.remainingIsUpperBound,
    unpricedCount: b.unpricedCount,
    estimatedNanos: b.estimatedNanos,
    exhaustedAt: b.exhaustedAt,
  };
}

function figuresFromSnapshot(s: BalanceSnapshot): Figures {
  return {
    planSet: s.plan !== null,
    planLabel: s.planLabel,
    scope: s.scope,
    overage: s.overage,
    timezone: s.timezone,
    cycleLabel: s.cycle.label,
    cycleEnd: Date.parse(s.cycle.end),
    daysLeft: s.cycle.daysLeft,
    allotmentNanos: s.allotmentNanos,
    spentNanos: s.spentNanos,
    spentTodayNanos: s.spentTodayNanos,
    remainingNanos: s.remainingNanos,
    overageNanos: s.overageNanos,
    remainingIsUpperBound: s.remainingIsUpperBound,
    unpricedCount: s.unpricedCount,
    estimatedNanos: typeof s.estimatedNanos === 'number' ? s.estimatedNanos : 0,
    exhaustedAt: s.exhaustedAt === null ? null : Date.parse(s.exhaustedAt),
  };
}

/** Status bar amounts: always cents ("$0.21 left", not "$0.2061 left"). */
function usd2(nanos: number): string {
  return formatUsd(nanos, { decimals: 2 });
}

/** Tooltip amounts: 4 decimals below $1 so a cheap turn is not "$0.00". */
function usd(nanos: number): string {
  return formatUsd(nanos);
}

/** Escapes transcript-derived text (project keys, model ids, paths) so it cannot inject Markdown or command links. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&:]/g, '\\$&').replace(/\r?\n/g, ' ');
}

export function scopeLabel(scope: Scope): string {
  return scope === 'headless' ? 'headless runs only (`claude -p`, Agent SDK, GitHub Actions)' : 'all Claude Code usage';
}

function localTime(ms: number, zone: string, format: string): string {
  const dt = DateTime.fromMillis(ms, { zone });
  return (dt.isValid ? dt : DateTime.fromMillis(ms, { zone: 'UTC' })).toFormat(format);
}

export function relativeAge(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

type Level = 'normal' | 'warning' | 'exhausted' | 'overage' | 'planNotSet';

/** Where the figures stand; the share is of the allotment left (balance / allotment). */
export function levelOf(f: Pick<Figures, 'planSet' | 'allotmentNanos' | 'remainingNanos' | 'overageNanos' | 'overage'>, warnShare: number): Level {
  if (!f.planSet || f.allotmentNanos === null || f.remainingNanos === null) return 'planNotSet';
  if (f.remainingNanos <= 0) return f.overage === 'bill' && (f.overageNanos ?? 0) > 0 ? 'overage' : 'exhausted';
  const share = f.allotmentNanos > 0 ? f.remainingNanos / f.allotmentNanos : 0;
  return share < warnShare ? 'warning' : 'normal';
}

function amountText(f: Figures, level: Level): string {
  switch (level) {
    case 'planNotSet':
      return `${usd2(f.spentNanos)} spent · Set plan`;
    case 'overage':
      return `${f.remainingIsUpperBound ? 'at least ' : ''}${usd2(f.overageNanos ?? 0)} over`;
    case 'exhausted':
      return 'Credit used up';
    default:
      return `${f.remainingIsUpperBound ? 'at most ' : ''}${usd2(f.remainingNanos ?? 0)} left`;
  }
}

function backgroundOf(level: Level): StatusView['background'] {
  if (level === 'warning') return 'warning';
  if (level === 'exhausted' || level === 'overage') return 'error';
  return undefined;
}

function commandLinks(): string {
  return [
    `[Open Ledger](command:${COMMANDS.openLedger})`,
    `[Set Plan](command:${COMMANDS.setPlan})`,
    `[Reconcile](command:${COMMANDS.reconcile})`,
    `[Show Log](command:${COMMANDS.showLog})`,
  ].join(' · ');
}

function problemLines(input: StatusCommon): string[] {
  const lines: string[] = [];
  if (input.readOnly) lines.push('- Another window or process writes this ledger; this window reads it and follows its saves.');
  for (const p of input.problems.slice(0, 5)) lines.push(`- ${escapeMarkdown(p)}`);
  if (input.problems.length > 5) lines.push(`- …and ${input.problems.length - 5} more (see [the log](command:${COMMANDS.showLog}))`);
  return lines.length ? ['', '**$(warning) Problems**', '', ...lines] : [];
}

interface Extras {
  shared?: SharedLine;
  balance?: Balance;
  lastTurn?: LastTurn;
  snapshotAt?: number;
  loopLine?: string | null;
  offCard?: readonly OffCardModel[];
}

function tooltipFor(f: Figures, level: Level, input: StatusCommon, extras: Extras): string {
  const rows: [string, string][] = [];
  const headline =
    level === 'planNotSet'
      ? `No plan set: ${usd(f.spentNanos)} counted this cycle. [Set Plan](command:${COMMANDS.setPlan}) to see what is left.`
      : level === 'overage'
        ? `Credit used up: ${f.remainingIsUpperBound ? 'at least ' : ''}${usd(f.overageNanos ?? 0)} over, billed at API rates (overage: bill).`
        : level === 'exhausted'
          ? `Credit used up${f.exhaustedAt !== null ? ` since ${localTime(f.exhaustedAt, f.timezone, 'd LLL HH:mm')}` : ''}: requests would stop until ${localTime(f.cycleEnd, f.timezone, 'd LLL')} (overage: stop).`
          : `${f.remainingIsUpperBound ? 'At most ' : ''}**${usd(f.remainingNanos ?? 0)} left** of ${usd(f.allotmentNanos ?? 0)}.`;
  rows.push(['Plan', `${escapeMarkdown(f.planLabel)}; counts ${scopeLabel(f.scope)}`]);
  rows.push(['Cycle', `${escapeMarkdown(f.cycleLabel)} · ${f.daysLeft} day${f.daysLeft === 1 ? '' : 's'} left`]);
  rows.push(['Spent today', usd(f.spentTodayNanos)]);
  rows.push(['Spent this cycle', usd(f.spentNanos) + (f.allotmentNanos !== null ? ` of ${usd(f.allotmentNanos)}` : '') + (f.estimatedNanos > 0 ? `, incl. ${usd(f.estimatedNanos)} estimated` : '')]);
  const b = extras.balance;
  if (b) {
    rows.push(['Burn rate', `${usd(b.burn.trailing7dPerDayNanos)}/day over the last 7 days`]);
    if (b.projectedRunOutAt !== null) rows.push(['Runs out', `around ${localTime(b.projectedRunOutAt, b.timezone, 'ccc d LLL, HH:mm')} at that rate`]);
    else if (level === 'normal' || level === 'warning') rows.push(['Runs out', 'not this cycle at that rate']);
    rows.push(['Projected cycle spend', usd(b.projectedCycleSpendNanos)]);
  }
  const t = extras.lastTurn;
  if (t) rows.push(['Last turn', `${t.priced ? usd(t.costNanos) : 'unpriced'} · ${escapeMarkdown(t.model)} · ${relativeAge(t.at, input.now)}`]);
  const top = b?.covered[0];
  if (top) rows.push(['Costliest session', `${usd(top.spentNanos)} · ${escapeMarkdown(top.projectKey || '(no project)')} · ${escapeMarkdown(top.sessionId.slice(0, 8))}`]);
  const offCard = extras.offCard ?? [];
  if (offCard.length) {
    const names = offCard.slice(0, 3).map((m) => `${escapeMarkdown(m.model)} (${m.estimated ? 'estimated' : 'unpriced'})`).join(', ');
    const more = offCard.length > 3 ? ` and ${offCard.length - 3} more` : '';
    rows.push(['Not on the rate card', `${names}${more}: [update the rates](command:${COMMANDS.updateRates})`]);
  }
  if (f.unpricedCount > 0) rows.push(['Unpriced', `${f.unpricedCount} request${f.unpricedCount === 1 ? '' : 's'} counted as $0 (models not on the rate card): the remaining is an upper bound`]);
  const corrected = b ? correctionSentence(b) : null;
  if (corrected) rows.push(['Corrected', escapeMarkdown(corrected.replace(/\.$/, ''))]);

  const lines = [
    `**Credit Ledger** · ${escapeMarkdown(f.planLabel)}`,
    '',
    headline,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    `*${escapeMarkdown(POLICY_STATUS)}*`,
  ];
  if (extras.loopLine) lines.splice(3, 0, '', `$(sync~spin) ${escapeMarkdown(extras.loopLine)} [Audit Loops](command:${COMMANDS.auditLoops})`);
  if (extras.snapshotAt !== undefined) lines.push('', `*From the balance saved ${relativeAge(extras.snapshotAt, input.now)}; reading the transcripts…*`);
  if (extras.shared) lines.push(...sharedLines(extras.shared, input.now));
  lines.push(...problemLines(input), '', commandLinks());
  return lines.join('\n');
}

/** "Merged across 3 machines", each with its spend and when it last synced; or why this is this machine's figure only. */
export function sharedLines(s: SharedLine, now: number): string[] {
  const ago = (iso: string | null): string => (iso ? relativeAge(Date.parse(iso), now) : 'never');
  const out = [''];
  if (!s.lastSync) out.push(`**Shared ledger**: not synced yet${s.error ? ` (${escapeMarkdown(s.error)})` : ''}: this machine's figures only.`);
  else {
    out.push(`**Shared ledger**: merged across ${s.machines.length} machine${s.machines.length === 1 ? '' : 's'}, last synced ${ago(s.lastSync)}${s.error ? `; now unreachable (${escapeMarkdown(s.error)})` : ''}${s.outbox ? `; ${s.outbox} change(s) waiting to be sent` : ''}.`);
    out.push('', '| Machine | Spent this cycle | Last synced |', '|---|---|---|');
    for (const m of s.machines) out.push(`| ${escapeMarkdown(m.label)}${m.thisMachine ? ' (this machine)' : ''} | ${usd(m.spentNanos)} | ${ago(m.lastSync)} |`);
  }
  out.push('', `[Sync Now](command:${COMMANDS.syncNow})`);
  return out;
}

/** The panel's notice lines for the shared ledger (plain text: the panel escapes it). */
export function sharedNotices(s: SharedLine | undefined, now: number): string[] {
  if (!s) return [];
  const ago = (iso: string | null): string => (iso ? relativeAge(Date.parse(iso), now) : 'never');
  if (!s.lastSync) return [`Shared ledger: not synced yet${s.error ? ` (${s.error})` : ''}; these are this machine's figures only.`];
  const each = s.machines.map((m) => `${m.label}${m.thisMachine ? ' (this machine)' : ''} ${usd(m.spentNanos)} this cycle, synced ${ago(m.lastSync)}`);
  return [`Shared ledger: merged across ${s.machines.length} machine${s.machines.length === 1 ? '' : 's'}, last synced ${ago(s.lastSync)}${s.error ? ` (now unreachable: ${s.error})` : ''}: ${each.join('; ')}.`];
}

function accessibility(f: Figures, level: Level): string {
  if (level === 'planNotSet') return `Credit Ledger: ${usd2(f.spentNanos)} spent this cycle; no plan set`;
  return `Credit Ledger: ${amountText(f, level)} of the ${f.planLabel} ${usd2(f.allotmentNanos ?? 0)} monthly amount`;
}

export function presentStatus(input: StatusInput): StatusView {
  switch (input.kind) {
    case 'starting': {
      if (input.snapshot) {
        const f = figuresFromSnapshot(input.snapshot);
        const level = levelOf(f, input.warnShare);
        return {
          state: 'snapshot',
          text: `${ICON} ${amountText(f, level)}`,
          tooltip: tooltipFor(f, level, input, { snapshotAt: Date.parse(input.snapshot.stampedAt) }),
          background: backgroundOf(level),
          command: level === 'planNotSet' ? { id: COMMANDS.setPlan, title: 'Set your plan' } : OPEN_LEDGER,
          accessibilityLabel: accessibility(f, level),
        };
      }
      const pct = input.progress && input.progress.total > 0 ? ` ${Math.floor((100 * input.progress.done) / input.progress.total)}%` : '';
      return {
        state: 'starting',
        text: `$(sync~spin) Credit Ledger${pct}`,
        tooltip: ['**Credit Ledger**', '', `Reading Claude Code transcripts${pct ? ` (${pct.trim()})` : ''}…`, ...problemLines(input), '', commandLinks()].join('\n'),
        background: undefined,
        command: OPEN_LEDGER,
        accessibilityLabel: `Credit Ledger: reading transcripts${pct}`,
      };
    }
    case 'settingsError':
      return {
        state: 'settingsError',
        text: `${ICON} Credit Ledger: check settings`,
        tooltip: [
          '**Credit Ledger** cannot use its settings:',
          '',
          ...input.settingsProblems.map((p) => `- ${escapeMarkdown(p)}`),
          '',
          `[Open Settings](command:workbench.action.openSettings?${encodeURIComponent(JSON.stringify(['creditLedger']))}) · [Set Plan](command:${COMMANDS.setPlan}) · [Show Log](command:${COMMANDS.showLog})`,
        ].join('\n'),
        background: 'warning',
        command: OPEN_SETTINGS,
        accessibilityLabel: `Credit Ledger: settings problem: ${input.settingsProblems.join('; ')}`,
      };
    case 'noTranscripts':
      return {
        state: 'noTranscripts',
        text: `${ICON} Credit Ledger: no transcripts`,
        tooltip: [
          '**Credit Ledger** found no Claude Code transcripts at:',
          '',
          ...input.paths.map((p) => `- ${escapeMarkdown(p)}`),
          '',
          'Claude Code writes them under `<config dir>/projects/`. If yours live elsewhere (for example `CLAUDE_CONFIG_DIR`), choose the folders.',
          ...problemLines(input),
          '',
          `[Choose Folders](command:${COMMANDS.chooseFolders}) · [Set Plan](command:${COMMANDS.setPlan}) · [Show Log](command:${COMMANDS.showLog})`,
        ].join('\n'),
        background: undefined,
        command: { id: COMMANDS.chooseFolders, title: 'Choose transcript folders' },
        accessibilityLabel: `Credit Ledger: no Claude Code transcripts found at ${input.paths.join(', ')}`,
      };
    case 'failed':
      return {
        state: 'failed',
        text: `${ICON} Credit Ledger: error`,
        tooltip: ['**Credit Ledger** stopped:', '', escapeMarkdown(input.error), ...problemLines(input), '', `[Show Log](command:${COMMANDS.showLog}) · [Refresh](command:${COMMANDS.refresh})`].join('\n'),
        background: 'error',
        command: { id: COMMANDS.showLog, title: 'Show the log' },
        accessibilityLabel: `Credit Ledger: error: ${input.error}`,
      };
    case 'balance': {
      const f = figuresFromBalance(input.balance);
      const level = levelOf(f, input.warnShare);
      return {
        state: level,
        text: `${ICON} ${amountText(f, level)}`,
        tooltip: tooltipFor(f, level, input, { balance: input.balance, lastTurn: input.lastTurn, loopLine: input.loopLine, offCard: input.offCard, shared: input.shared }),
        background: backgroundOf(level),
        command: level === 'planNotSet' ? { id: COMMANDS.setPlan, title: 'Set your plan' } : OPEN_LEDGER,
        accessibilityLabel: accessibility(f, level),
      };
    }
  }
}
