// The header (plan, policy status, set-plan call to action) and the overview tab: balance gauge,
// burn-down, daily spend by model, past cycles.
import type { PanelModel } from '../core/reports/panelModel';
import { burnDownChart, Chart, dailyChart } from './charts';
import { button, h, svg } from './dom';
import { correctionSentence, formatUsd, percent, plural, type Clock } from './format';
import type { UiState } from './state';
import type { ChartTheme } from './theme';

export interface OverviewActions {
  setPlan(): void;
  setDailyScope(scope: UiState['dailyScope']): void;
  setDailyTableOpen(open: boolean): void;
  refresh(): void;
}

const SCOPE_TEXT: Record<PanelModel['plan']['scope'], string> = { headless: 'headless usage (Agent SDK, claude -p)', all: 'all usage' };

export function renderHeader(m: PanelModel, clock: Clock, act: Pick<OverviewActions, 'setPlan' | 'refresh'>): HTMLElement {
  const cycleText = `Cycle ${m.cycle.label} · ${plural(m.cycle.daysLeft, 'day')} left · ${clock.zone}`;
  const plan = m.plan.set
    ? h('div', { className: 'plan-line' },
      h('span', { className: 'plan-name' }, m.plan.label),
      h('span', { className: 'muted' }, ` · counts ${SCOPE_TEXT[m.plan.scope]} · ${m.plan.overage === 'bill' ? 'past zero: billed at API rates' : 'past zero: requests stop'}`),
      button('Change plan…', act.setPlan, { className: 'link', key: 'change-plan' }))
    : h('div', { className: 'callout cta', attrs: { role: 'region', 'aria-label': 'Plan not set' } },
      h('div', null,
        h('strong', null, 'Plan not set.'),
        ' Choose your plan (Pro, Max, Team, Enterprise) or a monthly budget of your own to see what is left of the credit. Spend is counted either way.'),
      button('Set plan…', act.setPlan, { className: 'primary', key: 'set-plan' }));
  return h('header', { className: 'header' },
    h('div', { className: 'title-row' },
      h('h1', null, 'Credit Ledger'),
      h('span', { className: 'muted cycle' }, cycleText),
      button('Refresh', act.refresh, { className: 'secondary', key: 'refresh', title: 'Read the model again' })),
    plan,
    h('p', { className: 'policy', attrs: { role: 'note' } }, h('strong', null, 'Not live billing. '), m.policyStatus),
    m.notices.length ? h('ul', { className: 'notices' }, ...m.notices.map((n) => h('li', null, n))) : null);
}

/** A ring gauge of the remaining share; the arc's colour says whether spend runs ahead of an even pace. */
function gauge(m: PanelModel): SVGElement | null {
  const b = m.balance;
  if (b.allotmentNanos === null || b.allotmentNanos <= 0 || b.balanceNanos === null) return null;
  const share = Math.max(0, Math.min(1, b.balanceNanos / b.allotmentNanos));
  const timeLeft = Math.max(0, Math.min(1, (m.cycle.end - m.burnDown.now) / Math.max(1, m.cycle.end - m.cycle.start)));
  const state = b.balanceNanos <= 0 ? 'out' : share + 1e-9 < timeLeft ? 'ahead' : 'ok';
  const r = 52;
  const c = 2 * Math.PI * r;
  const arc = svg('circle', { cx: 60, cy: 60, r, class: `gauge-value gauge-${state}`, 'stroke-dasharray': `${(share * c).toFixed(2)} ${c.toFixed(2)}`, transform: 'rotate(-90 60 60)' });
  // Where the arc would end on an even pace: the share of the cycle still to come.
  const paceAngle = timeLeft * 2 * Math.PI - Math.PI / 2;
  const tick = svg('line', {
    class: 'gauge-pace',
    x1: 60 + (r - 10) * Math.cos(paceAngle), y1: 60 + (r - 10) * Math.sin(paceAngle),
    x2: 60 + (r + 10) * Math.cos(paceAngle), y2: 60 + (r + 10) * Math.sin(paceAngle),
  });
  const track = svg('circle', { cx: 60, cy: 60, r, class: state === 'out' ? 'gauge-track gauge-track-out' : 'gauge-track' });
  // A zero-length arc with round caps would still draw a dot: leave it out.
  const el = share > 0
    ? svg('svg', { viewBox: '0 0 120 120', class: 'gauge', 'aria-hidden': 'true', focusable: 'false' }, track, arc, tick)
    : svg('svg', { viewBox: '0 0 120 120', class: 'gauge', 'aria-hidden': 'true', focusable: 'false' }, track, tick);
  return el;
}

function stat(label: string, value: string, note?: string): HTMLElement {
  return h('div', { className: 'stat' }, h('dt', null, label), h('dd', null, value, note ? h('span', { className: 'muted small' }, ` ${note}`) : null));
}

export function renderBalance(m: PanelModel, clock: Clock): HTMLElement {
  const b = m.balance;
  const withPlan = b.allotmentNanos !== null && b.balanceNanos !== null;
  let headline: HTMLElement;
  if (withPlan && b.balanceNanos! > 0) {
    headline = h('div', { className: 'headline' },
      h('span', { className: 'big' }, `${b.remainingIsUpperBound ? 'at most ' : ''}${formatUsd(b.remainingNanos!)}`),
      h('span', { className: 'muted' }, ` left of ${formatUsd(b.allotmentNanos!)}`));
  } else if (withPlan) {
    const since = b.exhaustedAt !== null ? ` since ${clock.dateTime(b.exhaustedAt)}` : '';
    headline = h('div', { className: 'headline' },
      h('span', { className: 'big danger' }, 'Credit used up'),
      h('span', { className: 'muted' }, m.plan.overage === 'bill'
        ? `${since}: ${formatUsd(b.overageNanos ?? 0)} over, billed at API rates`
        : `${since}: requests would stop until ${clock.date(m.cycle.end)}`));
  } else {
    headline = h('div', { className: 'headline' }, h('span', { className: 'big' }, formatUsd(b.spentNanos)), h('span', { className: 'muted' }, ' spent this cycle'));
  }
  const runOut = !withPlan
    ? null
    : b.balanceNanos! <= 0
      ? null
      : b.projectedRunOutAt !== null
        ? stat('Runs out', clock.dateTime(b.projectedRunOutAt), 'at the 7-day rate')
        : stat('Runs out', 'Not this cycle', 'at the 7-day rate');
  const stats = h('dl', { className: 'stats' },
    withPlan ? stat('Spent this cycle', formatUsd(b.spentNanos), `(${percent(b.spentNanos / b.allotmentNanos!)})`) : null,
    b.estimatedNanos ? stat('Estimated', formatUsd(b.estimatedNanos), 'of the spend: models not on the rate card') : null,
    stat('Spent today', formatUsd(b.spentTodayNanos)),
    b.evenPaceSpentNanos !== null ? stat('Even pace by now', formatUsd(b.evenPaceSpentNanos)) : null,
    stat('Last 7 days', `${formatUsd(b.trailing7dPerDayNanos)}/day`),
    stat('Projected for the cycle', formatUsd(b.projectedCycleSpendNanos)),
    runOut,
    b.adjustmentsNanos ? stat('Adjustments', formatUsd(b.adjustmentsNanos)) : null,
    b.reconcile
      ? stat('Reconciled', `${formatUsd(b.reconcile.figureNanos)} on ${clock.dateTime(b.reconcile.asOf)}`, b.reconcile.driftNanos !== null ? `(drift ${formatUsd(b.reconcile.driftNanos)})` : undefined)
      : null);
  const g = gauge(m);
  const label = withPlan
    ? `${formatUsd(b.balanceNanos!)} of ${formatUsd(b.allotmentNanos!)} left, ${percent(Math.max(0, b.balanceNanos!) / b.allotmentNanos!)}; ${percent((m.burnDown.now - m.cycle.start) / Math.max(1, m.cycle.end - m.cycle.start))} of the cycle has passed`
    : `${formatUsd(b.spentNanos)} spent this cycle; no plan set`;
  return h('section', { className: 'card balance', attrs: { 'aria-labelledby': 'balance-title' } },
    h('h2', { id: 'balance-title', className: 'visually-hidden' }, 'Balance'),
    g ? h('div', { className: 'gauge-wrap', attrs: { role: 'meter', 'aria-label': 'Credit remaining', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(Math.max(0, Math.min(1, b.balanceNanos! / b.allotmentNanos!)) * 100), 'aria-valuetext': label } },
      g, h('div', { className: 'gauge-center' }, h('span', { className: 'gauge-pct' }, percent(Math.max(0, b.balanceNanos!) / b.allotmentNanos!)), h('span', { className: 'muted small' }, 'left'))) : null,
    h('div', { className: 'balance-text' }, headline, stats, correctionsNote(m)));
}

function correctionsNote(m: PanelModel): HTMLElement | null {
  const text = m.corrections ? correctionSentence(m.corrections) : null;
  return text ? h('p', { className: 'muted small corrections', attrs: { title: 'Transcripts undercount some output (subagents, streams cut short); the corrected figures use Claude Code\'s own records, or an estimate from the content. Setting: creditLedger.basis' } }, text) : null;
}

export interface ChartHost {
  charts: Chart[];
  theme: ChartTheme;
  clock: Clock;
  colorOf(model: string): string;
}

export function renderBurnDown(m: PanelModel, host: ChartHost): HTMLElement {
  const b = m.balance;
  const box = h('div', { className: 'chart', attrs: { role: 'img', 'aria-label': 'Burn-down chart of the cycle' } });
  const withPlan = b.allotmentNanos !== null;
  const lines: string[] = [];
  if (withPlan && b.evenPaceSpentNanos !== null) {
    const diff = b.spentNanos - b.evenPaceSpentNanos;
    lines.push(diff > 0 ? `${formatUsd(diff)} more spent than an even pace would have by now.` : `${formatUsd(-diff)} less spent than an even pace would have by now.`);
  }
  if (b.projectedRunOutAt !== null) lines.push(`At the last 7 days' rate the credit runs out ${host.clock.dateTime(b.projectedRunOutAt)}.`);
  else if (withPlan && (b.balanceNanos ?? 0) > 0) lines.push(`At the last 7 days' rate the credit lasts the cycle (projected ${formatUsd(b.projectedCycleSpendNanos)}).`);
  else if (!withPlan) lines.push(`At the last 7 days' rate the cycle ends near ${formatUsd(b.projectedCycleSpendNanos)}.`);
  const section = h('section', { className: 'card', attrs: { 'aria-labelledby': 'burn-title' } },
    h('h2', { id: 'burn-title' }, withPlan ? 'Burn-down' : 'Spend this cycle'),
    h('p', { className: 'muted chart-summary' }, lines.join(' ')),
    box);
  queueChart(host, box, (chart) => burnDownChart(chart, m.burnDown, host.theme, host.clock));
  box.setAttribute('aria-label', `${withPlan ? 'Burn-down' : 'Cumulative spend'} of the cycle ${m.cycle.label}. ${lines.join(' ')}`);
  return section;
}

export function renderDaily(m: PanelModel, ui: UiState, host: ChartHost, act: OverviewActions): HTMLElement {
  const which = ui.dailyScope === 'covered' ? 'coveredNanos' : 'allNanos';
  const box = h('div', { className: 'chart', attrs: { role: 'img' } });
  const totals = m.daily.days.map((_, i) => m.daily.series.reduce((s, x) => s + x[which][i], 0));
  const total = totals.reduce((s, v) => s + v, 0);
  box.setAttribute('aria-label', `Daily spend by model, ${ui.dailyScope === 'covered' ? 'counted against the credit' : 'all usage'}: ${formatUsd(total)} over ${plural(m.daily.days.length, 'day')}. The table below lists each day.`);
  const toggle = h('div', { className: 'segmented', attrs: { role: 'group', 'aria-label': 'Which spend' } },
    button('All usage', () => act.setDailyScope('all'), { pressed: ui.dailyScope === 'all', key: 'daily-all' }),
    button('Counted against the credit', () => act.setDailyScope('covered'), { pressed: ui.dailyScope === 'covered', key: 'daily-covered' }));
  const rows = m.daily.days.map((d, i) => h('tr', null, h('th', { attrs: { scope: 'row' } }, host.clock.day(d)), h('td', { className: 'num' }, formatUsd(totals[i])),
    h('td', { className: 'small muted' }, m.daily.series.filter((s) => s[which][i] > 0).map((s) => `${s.model} ${formatUsd(s[which][i])}`).join(' · '))));
  const table = h('details', { className: 'as-table', attrs: { open: ui.dailyTableOpen } }, h('summary', null, 'Show as a table'),
    h('table', { className: 'data' }, h('thead', null, h('tr', null, h('th', { attrs: { scope: 'col' } }, 'Day'), h('th', { className: 'num', attrs: { scope: 'col' } }, 'Spend'), h('th', { attrs: { scope: 'col' } }, 'By model'))), h('tbody', null, ...rows.reverse())));
  table.addEventListener('toggle', () => act.setDailyTableOpen(table.open));
  const section = h('section', { className: 'card', attrs: { 'aria-labelledby': 'daily-title' } },
    h('div', { className: 'card-head' }, h('h2', { id: 'daily-title' }, 'Daily spend by model'), toggle),
    total > 0 ? box : h('p', { className: 'empty' }, ui.dailyScope === 'covered' ? 'Nothing counted against the credit this cycle yet.' : 'No spend this cycle yet.'),
    total > 0 ? table : null);
  if (total > 0) queueChart(host, box, (chart) => dailyChart(chart, m.daily, which, host.theme, host.clock, host.colorOf));
  return section;
}

export function renderPastCycles(m: PanelModel): HTMLElement {
  const allot = m.balance.allotmentNanos;
  const rows = m.pastCycles.map((c) => h('tr', null,
    h('th', { attrs: { scope: 'row' } }, c.label),
    h('td', { className: 'num' }, formatUsd(c.spentNanos)),
    allot ? h('td', { className: 'num' }, percent(c.spentNanos / allot)) : null));
  return h('section', { className: 'card', attrs: { 'aria-labelledby': 'past-title' } },
    h('h2', { id: 'past-title' }, 'Past cycles'),
    m.pastCycles.length
      ? h('table', { className: 'data compact' },
        h('thead', null, h('tr', null, h('th', { attrs: { scope: 'col' } }, 'Cycle'), h('th', { className: 'num', attrs: { scope: 'col' } }, 'Counted spend'), allot ? h('th', { className: 'num', attrs: { scope: 'col' } }, 'Share of allotment') : null)),
        h('tbody', null, ...rows))
      : h('p', { className: 'empty' }, 'No earlier cycles in the ledger.'));
}

/** Charts measure their container, so they are built once the section is in the document. */
function queueChart(host: ChartHost, box: HTMLElement, draw: (chart: Chart) => void): void {
  requestAnimationFrame(() => {
    if (!box.isConnected) return;
    const chart = new Chart(box);
    host.charts.push(chart);
    draw(chart);
  });
}
