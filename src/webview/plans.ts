// The Overview tab's "Which plan fits": the last 30 days at list price against every plan (a bar per plan for the
// share of the month its credit covers), the plan set marked, and the three moves for the month's biggest loop.
import type { PlanComparison, PlanFit } from '../core/plans/comparison';
import { groupPlans, type PlanGroup } from '../core/plans/groups';
import type { PanelModel } from '../core/reports/panelModel';
import { button, h } from './dom';
import { formatUsd, plural } from './format';

const money = (n: number): string => formatUsd(n, { decimals: 2 });

function hours(h: number): string {
  if (h < 0.95) return `${Math.max(1, Math.round(h * 60))} min`;
  return `${h < 10 ? Math.round(h * 10) / 10 : Math.round(h)} h`;
}

function covers(p: PlanFit, c: PlanComparison): HTMLElement {
  if (p.kind === 'budget') return h('span', { className: 'muted small' }, 'no credit: every call is paid');
  const bar = h('span', { className: `share-bar plan-bar${p.runOutDay === null ? '' : ' plan-bar-short'}`, attrs: { 'aria-hidden': 'true' } });
  bar.style.width = `${Math.round(p.coveredShare * 100)}%`; // CSSOM, not a style attribute: allowed by the CSP
  const text = p.runOutDay === null ? `all ${c.window.days} days` : `${plural(p.coveredDays, 'day')}, out on day ${p.runOutDay}`;
  return h('span', { className: 'share' }, h('span', { className: 'share-track' }, bar), h('span', { className: 'small' }, text));
}

function row(g: PlanGroup, c: PlanComparison): HTMLElement {
  const p = g.fit;
  const tr = h('tr', { className: g.current ? 'current-plan' : undefined, title: p.summary },
    // Each name kept whole; the row breaks only between names.
    h('th', { attrs: { scope: 'row' } }, ...g.labels.flatMap((l, i) => [i ? ' · ' : null, h('span', { className: l === g.currentLabel ? 'nowrap yours' : 'nowrap' }, l)]), g.current ? h('span', { className: 'badge' }, 'your plan') : null),
    h('td', { className: 'small' }, p.scope),
    h('td', { className: 'num' }, p.kind === 'budget' ? 'none' : money(p.creditNanos)),
    h('td', { className: 'num' }, money(p.monthSpendNanos)),
    h('td', null, covers(p, c)),
    h('td', { className: 'num' }, p.overageNanos > 0 ? money(p.overageNanos) : '—'),
    h('td', { className: 'num' }, p.overageNanos > 0 ? hours(p.overageHours) : '—'));
  if (g.current) tr.setAttribute('aria-current', 'true');
  return tr;
}

export function renderPlanFit(m: PanelModel, act: { setPlan(): void }): HTMLElement {
  const c = m.plans;
  const section = (...children: (HTMLElement | null)[]): HTMLElement =>
    h('section', { className: 'card plan-fit', attrs: { 'aria-labelledby': 'plan-fit-title' } },
      h('div', { className: 'card-head' }, h('h2', { id: 'plan-fit-title' }, 'Which plan fits your last 30 days'), button('Set plan…', act.setPlan, { className: 'secondary', key: 'plan-fit-set' })),
      ...children);
  if (!c) return section(h('p', { className: 'loading' }, 'Comparing the plans…'));
  const basis = c.basis === 'corrected' ? 'corrected for undercounted output' : 'as recorded';
  const intro = h('p', { className: 'muted small' },
    `${c.window.label} at list price (${basis}): ${money(c.headlessSpendNanos)} headless, ${money(c.allSpendNanos)} in all, ${plural(c.basedOnDays, 'day')} of history. ` +
    `Credits count headless use, an API key all use; your time at $${c.hourlyRateUsd}/h.`);
  const table = h('div', { className: 'table-wrap' }, h('table', { className: 'data plan-table' },
    h('thead', null, h('tr', null,
      h('th', { attrs: { scope: 'col' } }, 'Plan'),
      h('th', { attrs: { scope: 'col' } }, 'Counts'),
      h('th', { className: 'num', attrs: { scope: 'col' } }, 'Credit'),
      h('th', { className: 'num', attrs: { scope: 'col' } }, 'Month at list price'),
      h('th', { attrs: { scope: 'col' } }, 'Covers of 30 days'),
      h('th', { className: 'num', attrs: { scope: 'col' } }, 'Over'),
      h('th', { className: 'num', attrs: { scope: 'col' } }, 'Your time'))),
    h('tbody', null, ...groupPlans(c.plans).map((g) => row(g, c)))));
  const notes = c.notes.length ? h('ul', { className: 'plan-notes' }, ...c.notes.map((n) => h('li', { className: 'warn' }, n))) : null;
  const l = c.biggestLoop;
  const loop = l
    ? h('div', { className: 'plan-loop' },
      h('h3', { title: l.verdict }, `The month's biggest loop: ${l.title.toLowerCase()}, ${money(l.costPerIterationNanos)} a ${l.kind === 'recurring' ? 'run' : 'iteration'} (${money(l.costNanos)} in all)`),
      h('ul', { className: 'moves' },
        h('li', null, h('strong', null, 'Run it less often: '), l.moves.lessOften),
        h('li', null, h('strong', null, 'A cheaper model: '), l.moves.cheaperModel),
        h('li', null, h('strong', null, 'Keep it and pay: '), l.moves.keepAndPay)))
    : null;
  return section(intro, notes, table, loop);
}
