// The Audit tab: the loop audit (core/audit's AuditReport) as the host computed it. The money in loops this cycle
// at the top, then the findings, sortable and each expandable (verdict, where, metrics, the priced moves), with
// "Open transcript at first request" and "Ignore this loop". Every string from the report goes in as text.
import type { AuditLoop, AuditReport, LoopKind } from '../core/audit/types';
import { every, formatPercent, formatTokens, projectName } from '../core/audit/words';
import type { PanelModel } from '../core/reports/panelModel';
import { button, h } from './dom';
import { count, formatUsd, plural, shortId, type Clock } from './format';
import type { AuditSortKey, UiState } from './state';

export interface AuditActions {
  setSort(key: AuditSortKey): void;
  toggle(loopId: string, open: boolean): void;
  setShowIgnored(show: boolean): void;
  openLoop(loopId: string): void;
  ignoreLoop(loopId: string, ignore: boolean): void;
  runAudit(): void;
}

const KIND_TEXT: Record<LoopKind, string> = { reread: 'Re-read', reflexive: 'Reflexive', scheduled: 'Scheduled', recurring: 'Recurring' };
/** Kind order for sorting: the ones that repeat on their own first. */
const KIND_RANK: Record<LoopKind, number> = { scheduled: 0, recurring: 1, reread: 2, reflexive: 3 };

export function sortLoops(loops: readonly AuditLoop[], sort: UiState['auditSort']): AuditLoop[] {
  const key = (l: AuditLoop): number => {
    switch (sort.key) {
      case 'atStake': return l.atStakeNanos;
      case 'cost': return l.metrics.costNanos;
      case 'iterations': return l.metrics.iterations;
      case 'kind': return KIND_RANK[l.kind];
    }
  };
  const dir = sort.dir === 'asc' ? 1 : -1;
  return loops.slice().sort((a, b) => (key(a) - key(b)) * dir || b.atStakeNanos - a.atStakeNanos || a.id.localeCompare(b.id));
}

/** Where, as people say it: project, and the session (and subagent) for loops inside one. */
export function whereText(l: AuditLoop): string {
  const w = l.where;
  const project = projectName(w.cwd, w.projectKey);
  if (l.kind === 'recurring') return `${project} · ${plural(w.sessionIds.length, 'session')}`;
  return `${project} · ${shortId(w.sessionId)}${w.agentId ? ` / ${w.agentId}` : w.sidechain ? ' / subagent' : ''}`;
}

export function renderAudit(model: PanelModel, ui: UiState, clock: Clock, act: AuditActions): HTMLElement {
  const r = model.audit;
  if (!r) {
    return h('div', { className: 'empty-state', attrs: { 'aria-live': 'polite' } },
      h('h2', null, 'Audit'),
      h('p', { className: 'loading' }, 'Auditing loops…'),
      h('p', { className: 'muted' }, 'Looking for loops that burn credit: re-read loops, reflexive retries, scheduled wake-ups and cron jobs, recurring headless runs.'));
  }
  const shown = r.loops.filter((l) => ui.auditShowIgnored || !l.ignored);
  const parts: (HTMLElement | null)[] = [summaryCard(r, model, act, ui)];
  if (!r.loops.length || (!shown.length && !r.summary.ignored)) {
    parts.push(h('div', { className: 'empty-state' },
      h('p', null, 'No loops found this cycle.'),
      h('p', { className: 'muted' }, `Nothing repeated enough to cost at least ${formatUsd(Math.round(r.thresholds.minCostUsd * 1e9))}.`)));
  } else if (!shown.length) {
    parts.push(h('p', { className: 'empty' }, 'Every loop found is ignored.'));
  } else {
    parts.push(findingsTable(sortLoops(shown, ui.auditSort), ui, clock, act));
  }
  if (r.notes.length) parts.push(h('ul', { className: 'notes muted small' }, ...r.notes.map((n) => h('li', null, n))));
  return h('div', { className: 'audit' }, ...parts);
}

function summaryCard(r: AuditReport, model: PanelModel, act: AuditActions, ui: UiState): HTMLElement {
  const s = r.summary;
  const c = r.credit;
  const share = c.planSet && c.allotmentNanos ? ` · ${formatPercent(s.cycleCostNanos / c.allotmentNanos)} of ${formatUsd(c.allotmentNanos)}` : '';
  const headline = h('div', { className: 'headline' },
    h('span', { className: 'big', attrs: { id: 'audit-total' } }, formatUsd(s.cycleCostNanos)),
    h('span', { className: 'muted' }, ` in loops this cycle${share}`));
  const projected = s.atStakeNanos > s.cycleCostNanos
    ? h('p', { className: 'at-stake' }, h('strong', null, formatUsd(s.atStakeNanos)), ' at stake by the end of the cycle if the loops still running keep their pace.')
    : null;
  const kinds = (Object.keys(s.byKind) as LoopKind[]).filter((k) => s.byKind[k] > 0).map((k) => `${s.byKind[k]} ${KIND_TEXT[k].toLowerCase()}`);
  const found = s.loops ? `${plural(s.loops, 'loop')} (${kinds.join(', ')})` : 'no loops';
  const examined = `${found} in ${plural(s.examined.requests, 'request')} of ${plural(s.examined.sessions, 'session')}${s.belowMinCost ? ` · ${count(s.belowMinCost)} under ${formatUsd(Math.round(r.thresholds.minCostUsd * 1e9))} not listed` : ''}`;
  const ignored = s.ignored
    ? button(ui.auditShowIgnored ? `Hide ${plural(s.ignored, 'ignored loop')}` : `Show ${plural(s.ignored, 'ignored loop')}`, () => act.setShowIgnored(!ui.auditShowIgnored), { className: 'link', key: 'audit-show-ignored', pressed: ui.auditShowIgnored })
    : null;
  const credit = c.planSet && c.remainingNanos !== null ? `${formatUsd(c.remainingNanos)} of the credit left · ` : '';
  return h('section', { className: 'card audit-summary', attrs: { 'aria-labelledby': 'audit-title' } },
    h('div', { className: 'card-head' },
      h('h2', { id: 'audit-title' }, 'Loop audit'),
      h('div', { className: 'actions' },
        model.auditPending ? h('span', { className: 'muted small', attrs: { 'aria-live': 'polite' } }, 'Updating… ') : null,
        button('Audit again', act.runAudit, { className: 'secondary', key: 'audit-again', title: 'Run the audit over the ledger as it is now' }))),
    headline,
    projected,
    h('p', { className: 'muted small' }, `${credit}cycle ${c.cycle.label}, ${plural(c.cycle.daysLeft, 'day')} left · ${examined} `, ignored));
}

const COLUMNS: { key: AuditSortKey | null; label: string; numeric?: boolean; title?: string }[] = [
  { key: null, label: 'Finding' },
  { key: 'kind', label: 'Kind' },
  { key: null, label: 'Where' },
  { key: 'iterations', label: 'Iterations', numeric: true },
  { key: 'cost', label: 'Cost', numeric: true, title: 'What the loop cost, at list prices' },
  { key: 'atStake', label: 'At stake', numeric: true, title: 'This cycle: projected to the cycle end for loops still running, else their cost this cycle' },
];

function findingsTable(loops: AuditLoop[], ui: UiState, clock: Clock, act: AuditActions): HTMLElement {
  const head = h('tr', null, ...COLUMNS.map((c) => {
    if (!c.key) return h('th', { attrs: { scope: 'col' } }, c.label);
    const key = c.key;
    const active = ui.auditSort.key === key;
    const sortState = active ? (ui.auditSort.dir === 'asc' ? 'ascending' : 'descending') : 'none';
    const arrow = active ? (ui.auditSort.dir === 'asc' ? '▲' : '▼') : '';
    return h('th', { className: c.numeric ? 'num' : undefined, attrs: { scope: 'col', 'aria-sort': sortState } },
      button(c.label, () => act.setSort(key), { className: 'sort', title: c.title ? `${c.title}. Sort by ${c.label}` : `Sort by ${c.label}`, key: `audit-sort-${key}` }),
      arrow ? h('span', { className: 'sort-arrow', attrs: { 'aria-hidden': 'true' } }, arrow) : null);
  }));
  const open = new Set(ui.auditOpen);
  const body = h('tbody', null);
  for (const l of loops) {
    const isOpen = open.has(l.id);
    const detailsId = `loop-${l.id}`;
    const toggle = button(`${isOpen ? '▾' : '▸'} ${l.title}`, () => act.toggle(l.id, !isOpen), { className: 'disclosure', key: `audit-toggle-${l.id}`, title: isOpen ? 'Hide the details' : 'Show the details and what to do' });
    toggle.setAttribute('aria-expanded', String(isOpen));
    toggle.setAttribute('aria-controls', detailsId);
    body.append(h('tr', { className: l.ignored ? 'loop-row ignored' : 'loop-row' },
      h('td', { className: 'finding' }, toggle, l.ignored ? h('span', { className: 'pill' }, 'ignored') : null, h('div', { className: 'verdict-line' }, l.verdict)),
      h('td', null, KIND_TEXT[l.kind]),
      h('td', { className: 'where' }, h('div', null, whereText(l)), h('div', { className: 'muted small' }, l.where.drawsOnCredit ? 'draws on the credit' : 'not on the credit')),
      h('td', { className: 'num' }, count(l.metrics.iterations)),
      h('td', { className: 'num' }, formatUsd(l.metrics.costNanos), l.metrics.unpricedRequests ? h('div', { className: 'muted small' }, 'lower bound') : null),
      h('td', { className: 'num' }, h('strong', null, formatUsd(l.atStakeNanos)), h('div', { className: 'muted small' }, l.atStakeBasis === 'projected' ? 'projected' : 'this cycle'))));
    const detailsRow = h('tr', { id: detailsId, className: 'loop-details' }, h('td', { attrs: { colspan: COLUMNS.length } }, isOpen ? details(l, clock, act) : null));
    detailsRow.hidden = !isOpen;
    body.append(detailsRow);
  }
  const table = h('table', { className: 'data audit-findings' },
    h('caption', { className: 'visually-hidden' }, 'Loops found, with what they cost'),
    h('thead', null, head),
    body);
  return h('div', { className: 'table-wrap', attrs: { role: 'region', 'aria-label': 'Loops found', tabindex: 0 } }, table);
}

function fact(label: string, value: string, title?: string): HTMLElement {
  return h('div', { className: 'stat' }, h('dt', null, label), h('dd', { title }, value));
}

function details(l: AuditLoop, clock: Clock, act: AuditActions): HTMLElement {
  const m = l.metrics;
  const w = l.where;
  // The verdict shows in the finding's row; the details add what else was found about the same requests.
  const signals = l.signals.length ? h('div', { className: 'signals' }, ...l.signals.map((s) => h('p', null, s))) : null;

  const whereList = h('dl', { className: 'stats where-list' },
    fact('Project', w.cwd || w.projectKey || '(unknown)', w.projectKey),
    fact(l.kind === 'recurring' ? 'Sessions' : 'Session', l.kind === 'recurring' ? `${w.sessionIds.length}: ${w.sessionIds.slice(0, 3).map(shortId).join(', ')}${w.sessionIds.length > 3 ? '…' : ''}` : w.sessionId, w.sessionIds.join('\n')),
    w.agentId || w.sidechain ? fact('Subagent', w.agentId || 'yes') : null,
    fact('Surface', `${w.surface}${w.entrypoint ? ` (${w.entrypoint})` : ''}`),
    fact('Credit', w.drawsOnCredit ? 'draws on the credit' : 'not on the credit', w.creditReason),
    fact('When', `${clock.dateTime(w.firstAt)} – ${clock.dateTime(w.lastAt)}`));

  const ctx = m.context;
  const metrics = h('dl', { className: 'stats metrics' },
    fact('Requests', count(m.requests)),
    fact('Per iteration', formatUsd(m.costPerIterationNanos)),
    fact('This cycle', formatUsd(m.cycleCostNanos)),
    fact('Context', `${formatTokens(ctx.firstTokens)} → ${formatTokens(ctx.lastTokens)} (avg ${formatTokens(ctx.avgTokens)})`, `largest prompt ${formatTokens(ctx.maxTokens)}; ${ctx.growthPerIterationTokens >= 0 ? '+' : ''}${formatTokens(ctx.growthPerIterationTokens)} per iteration`),
    fact('Re-read share', `${formatPercent(m.rereadShare)} of cost`, `${formatTokens(m.rereadTokens)} tokens sent again: ${formatUsd(m.rereadCostNanos)}`),
    fact('Cache hit', formatPercent(m.cacheHitRatio)),
    m.unreadCacheWriteTokens ? fact('Cache writes never read', `${formatTokens(m.unreadCacheWriteTokens)} (${formatUsd(m.unreadCacheWriteCostNanos)})`) : null,
    m.expiredCacheRewrites ? fact('Expired-cache rewrites', `${count(m.expiredCacheRewrites)} (+${formatUsd(m.expiredCacheRewriteExtraNanos)})`) : null,
    fact('Output', `${formatTokens(m.tokens.output)} tokens${m.outputPerUsd === null ? '' : ` · ${formatTokens(m.outputPerUsd)} per $`}`),
    m.medianIntervalSeconds !== null ? fact('Pace', every(m.medianIntervalSeconds * 1000)) : null,
    l.schedule ? fact('Schedule', l.schedule.active ? `active · next ${l.schedule.nextAt !== null ? clock.dateTime(l.schedule.nextAt) : 'soon'}` : 'stopped', `${l.schedule.iterationsPerWeek.toFixed(1)} per week; a whole cycle at this pace: ${formatUsd(l.schedule.cycleCostAtPaceNanos)}`) : null,
    fact('Models', m.models.join(', ') || '—'));

  const mv = l.moves;
  const moves: HTMLElement[] = [];
  const move = (title: string, text: string, extra?: string): HTMLElement =>
    h('li', null, h('strong', null, `${title}: `), text, extra ? h('span', { className: 'muted' }, ` ${extra}`) : null);
  if (mv.lessOften) moves.push(move('Less often', mv.lessOften.summary));
  const cheaper = mv.cheaperModels.slice(0, 3);
  for (const cm of cheaper) moves.push(move('Cheaper model', cm.summary, cm.verified ? undefined : '(unverified prices)'));
  if (mv.cheaperModels.length > cheaper.length) moves.push(h('li', { className: 'muted' }, `${plural(mv.cheaperModels.length - cheaper.length, 'more cheaper model')} on the rate card.`));
  moves.push(move('Keep it and pay', mv.keepAndPay.summary));
  for (const f of mv.fixes) moves.push(move('Fix', f.summary));

  const actions = h('div', { className: 'loop-actions' },
    button('Open transcript at first request', () => act.openLoop(l.id), {
      className: 'secondary',
      key: `audit-open-${l.id}`,
      disabled: !w.file,
      title: w.file ? `${w.file} (byte ${w.offset})` : 'The ledger no longer knows the transcript file',
    }),
    l.ignored
      ? button('Stop ignoring', () => act.ignoreLoop(l.id, false), { className: 'secondary', key: `audit-unignore-${l.id}`, title: 'List this loop again' })
      : button('Ignore this loop', () => act.ignoreLoop(l.id, true), { className: 'secondary', key: `audit-ignore-${l.id}`, title: 'Hide it from the audit and the status bar (kept in the journal; undo from "Show ignored")' }),
    h('span', { className: 'muted small mono' }, l.id));

  // What to do first (the priced moves and the two actions), then the facts behind them.
  return h('div', { className: 'loop-detail' },
    signals,
    h('section', { attrs: { 'aria-label': 'What to do' } }, h('h3', null, 'What to do'), h('ul', { className: 'moves' }, ...moves)),
    actions,
    h('div', { className: 'detail-grid' },
      h('section', { attrs: { 'aria-label': 'Where' } }, h('h3', null, 'Where'), whereList),
      h('section', { attrs: { 'aria-label': 'Metrics' } }, h('h3', null, 'Metrics'), metrics)));
}
