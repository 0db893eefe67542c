// The models tab: where the cycle's spend went by model, and what the same tokens would have cost on
// every model of the rate card (models with identical totals share a row).
import type { PanelModel, WhatIfRow } from '../core/reports/panelModel';
import { h } from './dom';
import { count, formatUsd, percent, plural, tokens } from './format';

export function renderModelSplit(m: PanelModel, colorOf: (model: string) => string): HTMLElement {
  const total = m.models.reduce((s, x) => s + x.allNanos, 0);
  const rows = m.models.map((x) => {
    const swatch = h('span', { className: 'swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.backgroundColor = colorOf(x.model); // CSSOM, not a style attribute: allowed by the CSP
    const share = total > 0 ? x.allNanos / total : null;
    const bar = h('span', { className: 'share-bar', attrs: { 'aria-hidden': 'true' } });
    bar.style.width = `${Math.round((share ?? 0) * 100)}%`;
    bar.style.backgroundColor = colorOf(x.model);
    return h('tr', null,
      h('th', { attrs: { scope: 'row' } }, swatch, h('span', { className: 'mono' }, x.model)),
      h('td', { className: 'num' }, formatUsd(x.allNanos), x.unpricedRequests ? h('div', { className: 'small warn' }, `${count(x.unpricedRequests)} unpriced`) : null),
      h('td', { className: 'num' }, formatUsd(x.coveredNanos)),
      h('td', { className: 'share' }, h('span', { className: 'share-track' }, bar), h('span', { className: 'small' }, percent(share))),
      h('td', { className: 'num' }, count(x.requests)),
      h('td', { className: 'num', title: `input ${count(x.tokens.input)} · output ${count(x.tokens.output)}` }, `${tokens(x.tokens.input)} / ${tokens(x.tokens.output)}`),
      h('td', { className: 'num', title: `cache write ${count(x.tokens.cacheWrite)} · cache read ${count(x.tokens.cacheRead)}` }, `${tokens(x.tokens.cacheWrite)} / ${tokens(x.tokens.cacheRead)}`));
  });
  return h('section', { className: 'card', attrs: { 'aria-labelledby': 'split-title' } },
    h('h2', { id: 'split-title' }, 'Model split this cycle'),
    m.models.length
      ? h('div', { className: 'table-wrap' }, h('table', { className: 'data' },
        h('thead', null, h('tr', null,
          h('th', { attrs: { scope: 'col' } }, 'Model'),
          h('th', { className: 'num', attrs: { scope: 'col' } }, 'All usage'),
          h('th', { className: 'num', attrs: { scope: 'col' } }, 'Counted'),
          h('th', { attrs: { scope: 'col' } }, 'Share'),
          h('th', { className: 'num', attrs: { scope: 'col' } }, 'Turns'),
          h('th', { className: 'num', attrs: { scope: 'col' } }, 'Input / output'),
          h('th', { className: 'num', attrs: { scope: 'col' } }, 'Cache write / read'))),
        h('tbody', null, ...rows)))
      : h('p', { className: 'empty' }, 'No requests this cycle yet.'));
}

interface WhatIfGroup {
  models: string[];
  verified: boolean;
  allNanos: number;
  coveredNanos: number;
}

/** Models priced alike (e.g. Opus 4.5 to 4.8) come out with the same totals: one row each. */
export function groupWhatIf(rows: readonly WhatIfRow[]): WhatIfGroup[] {
  const groups = new Map<string, WhatIfGroup>();
  for (const r of rows) {
    const key = `${r.allNanos}:${r.coveredNanos}:${r.verified}`;
    const g = groups.get(key);
    if (g) g.models.push(r.model);
    else groups.set(key, { models: [r.model], verified: r.verified, allNanos: r.allNanos, coveredNanos: r.coveredNanos });
  }
  return [...groups.values()];
}

function delta(value: number, actual: number): string {
  if (actual <= 0) return '—';
  const d = (value - actual) / actual;
  if (Math.abs(d) < 0.005) return 'same';
  return `${d > 0 ? '+' : '−'}${percent(Math.abs(d))}`;
}

export function renderWhatIf(m: PanelModel): HTMLElement {
  const w = m.whatIf;
  const used = new Set(m.models.map((x) => x.model));
  const rows = groupWhatIf(w.rows).map((g) => h('tr', { className: g.models.some((x) => used.has(x)) ? 'current' : undefined },
    h('th', { attrs: { scope: 'row' } }, h('span', { className: 'mono' }, g.models.join(', ')),
      g.verified ? null : h('span', { className: 'pill pill-warn', title: 'Rates reported but not confirmed on the official pricing page' }, 'unverified'),
      g.models.some((x) => used.has(x)) ? h('span', { className: 'pill' }, 'used') : null),
    h('td', { className: 'num' }, formatUsd(g.allNanos)),
    h('td', { className: 'num muted' }, delta(g.allNanos, w.actual.allNanos)),
    h('td', { className: 'num' }, formatUsd(g.coveredNanos)),
    h('td', { className: 'num muted' }, delta(g.coveredNanos, w.actual.coveredNanos))));
  const empty = w.actual.allNanos === 0 && m.models.length === 0;
  return h('section', { className: 'card', attrs: { 'aria-labelledby': 'whatif-title' } },
    h('h2', { id: 'whatif-title' }, 'What if: this cycle on another model'),
    h('p', { className: 'muted' },
      `This cycle's tokens repriced on every model of the rate card (as of ${w.rateCardAsOf}), at standard rates with today's long-context rules; fast mode and data residency are left out. Actual: ${formatUsd(w.actual.allNanos)} all usage, ${formatUsd(w.actual.coveredNanos)} counted.`,
      w.unpricedRequests ? ` ${plural(w.unpricedRequests, 'request')} on unpriced models ${w.unpricedRequests === 1 ? 'counts' : 'count'} $0 in the actual and ${w.unpricedRequests === 1 ? 'is' : 'are'} priced here.` : ''),
    empty
      ? h('p', { className: 'empty' }, 'No requests this cycle to reprice.')
      : h('div', { className: 'table-wrap' }, h('table', { className: 'data' },
        h('thead', null, h('tr', null,
          h('th', { attrs: { scope: 'col' } }, 'Model'),
          h('th', { className: 'num', attrs: { scope: 'col' } }, 'All usage'),
          h('th', { className: 'num', attrs: { scope: 'col' } }, 'vs actual'),
          h('th', { className: 'num', attrs: { scope: 'col' } }, 'Counted'),
          h('th', { className: 'num', attrs: { scope: 'col' } }, 'vs actual'))),
        h('tbody', null, ...rows))));
}
