// The sessions table: filter (workspace or all projects, counted or not, surface, text), sort by any
// column (header buttons with aria-sort), open a transcript, count or exclude a session.
import type { PanelModel, PanelSession } from '../core/reports/panelModel';
import { button, h } from './dom';
import { count, formatUsd, percent, plural, shortId, tokens, type Clock } from './format';
import type { OverrideModeArg, SessionFilter } from './protocol';
import { PAGE_SIZE, type SortKey, type UiState } from './state';

export interface SessionActions {
  setFilter(filter: SessionFilter): void;
  setSort(key: SortKey): void;
  showMore(): void;
  openTranscript(sessionId: string): void;
  override(sessionId: string, mode: OverrideModeArg): void;
}

const SURFACE_TEXT: Record<PanelSession['surface'], string> = { headless: 'Headless', interactive: 'Interactive', unclassified: 'Unclassified' };

export function totalTokens(s: PanelSession): number {
  return s.tokens.input + s.tokens.output + s.tokens.cacheWrite + s.tokens.cacheRead;
}

/** The name a session goes by: its first prompt's label when allowed, else its short id. */
function sessionName(s: PanelSession): string {
  return s.label ?? shortId(s.sessionId);
}

export function filterSessions(sessions: readonly PanelSession[], f: SessionFilter): PanelSession[] {
  const text = f.text.trim().toLowerCase();
  return sessions.filter((s) => {
    if (f.project === 'workspace' && !s.inWorkspace) return false;
    if (f.coverage === 'covered' && !s.covered) return false;
    if (f.coverage === 'excluded' && s.covered) return false;
    if (f.surface !== 'all' && s.surface !== f.surface) return false;
    if (text && ![s.sessionId, s.cwd, s.projectKey, s.label ?? '', s.entrypoint, ...s.models].some((v) => v.toLowerCase().includes(text))) return false;
    return true;
  });
}

export function sortSessions(sessions: PanelSession[], sort: UiState['sort']): PanelSession[] {
  const key = (s: PanelSession): number | string => {
    switch (sort.key) {
      case 'lastTs': return s.lastTs;
      case 'session': return sessionName(s).toLowerCase();
      case 'project': return s.cwd.toLowerCase();
      case 'surface': return s.surface;
      case 'covered': return s.covered ? 1 : 0;
      case 'cost': return s.costNanos;
      case 'requests': return s.requests;
      case 'tokens': return totalTokens(s);
      case 'cacheHit': return s.cacheHitRatio ?? -1;
    }
  };
  const dir = sort.dir === 'asc' ? 1 : -1;
  return sessions.slice().sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : 0;
    return c * dir || b.lastTs - a.lastTs || a.sessionId.localeCompare(b.sessionId);
  });
}

function select<T extends string>(label: string, id: string, value: T, options: [T, string][], onChange: (v: T) => void, disabled = false): HTMLElement {
  const sel = h('select', { id, attrs: { 'data-focus-key': id } }, ...options.map(([v, text]) => {
    const o = h('option', { attrs: { value: v } }, text);
    if (v === value) o.selected = true;
    return o;
  }));
  sel.disabled = disabled;
  sel.addEventListener('change', () => onChange(sel.value as T));
  return h('label', { className: 'field', attrs: { for: id } }, h('span', { className: 'field-label' }, label), sel);
}

const COLUMNS: { key: SortKey; label: string; numeric?: boolean; title?: string }[] = [
  { key: 'session', label: 'Session' },
  { key: 'lastTs', label: 'Last active' },
  { key: 'surface', label: 'Surface' },
  { key: 'covered', label: 'Credit' },
  { key: 'cost', label: 'Cost', numeric: true },
  { key: 'requests', label: 'Turns', numeric: true, title: 'API requests (assistant turns, subagents included)' },
  { key: 'tokens', label: 'Tokens', numeric: true, title: 'Input + output + cache write + cache read' },
  { key: 'cacheHit', label: 'Cache hit', numeric: true, title: 'Cache read ÷ (input + cache write + cache read)' },
];

export function renderSessions(model: PanelModel, ui: UiState, clock: Clock, act: SessionActions): HTMLElement {
  const f = ui.filter;
  const hasWorkspace = model.workspace.cwd !== null;
  const filters = h('div', { className: 'toolbar', attrs: { role: 'group', 'aria-label': 'Filter sessions' } },
    select('Projects', 'f-project', hasWorkspace ? f.project : 'all', [['workspace', 'This workspace'], ['all', 'All projects']], (v) => act.setFilter({ ...f, project: v }), !hasWorkspace),
    select('Credit', 'f-coverage', f.coverage, [['all', 'Counted or not'], ['covered', 'Counted'], ['excluded', 'Not counted']], (v) => act.setFilter({ ...f, coverage: v })),
    select('Surface', 'f-surface', f.surface, [['all', 'Headless or interactive'], ['headless', 'Headless'], ['interactive', 'Interactive'], ['unclassified', 'Unclassified']], (v) => act.setFilter({ ...f, surface: v })),
    searchBox(f, act),
  );

  const effective = hasWorkspace ? f : { ...f, project: 'all' as const };
  const shown = sortSessions(filterSessions(model.sessions, effective), ui.sort);
  const shownCost = shown.reduce((s, x) => s + x.costNanos, 0);
  const summary = h('p', { className: 'muted', attrs: { 'aria-live': 'polite', id: 'sessions-summary' } },
    `${count(shown.length)} of ${plural(model.sessions.length, 'session')} in this cycle · ${formatUsd(shownCost)}`);

  if (!model.sessions.length) {
    return h('div', null, filters, h('p', { className: 'empty' }, 'No sessions in this cycle yet. Sessions appear here as Claude Code writes their transcripts.'));
  }

  const head = h('tr', null, ...COLUMNS.map((c) => {
    const active = ui.sort.key === c.key;
    const sortState = active ? (ui.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none';
    const arrow = active ? (ui.sort.dir === 'asc' ? '▲' : '▼') : '';
    return h('th', { className: c.numeric ? 'num' : undefined, attrs: { scope: 'col', 'aria-sort': sortState } },
      button(c.label, () => act.setSort(c.key), { className: 'sort', title: c.title ? `${c.title}. Sort by ${c.label}` : `Sort by ${c.label}`, key: `sort-${c.key}` }),
      arrow ? h('span', { className: 'sort-arrow', attrs: { 'aria-hidden': 'true' } }, arrow) : null);
  }), h('th', { attrs: { scope: 'col' } }, h('span', { className: 'visually-hidden' }, 'Actions')));

  const rows = shown.slice(0, ui.limit).map((s) => sessionRow(s, clock, act));
  const table = h('table', { className: 'data sessions', attrs: { 'aria-describedby': 'sessions-summary' } },
    h('caption', { className: 'visually-hidden' }, 'Sessions in this cycle'),
    h('thead', null, head),
    h('tbody', null, ...rows));
  const more = shown.length > ui.limit
    ? button(`Show ${Math.min(PAGE_SIZE, shown.length - ui.limit)} more (${count(shown.length - ui.limit)} hidden)`, () => act.showMore(), { className: 'secondary', key: 'show-more' })
    : null;
  const empty = shown.length === 0 ? h('p', { className: 'empty' }, 'No session matches these filters.') : null;
  // A scrolling box is a region a keyboard can reach (narrow panels scroll the table sideways).
  const wrap = h('div', { className: 'table-wrap', attrs: { role: 'region', 'aria-label': 'Sessions table', tabindex: 0 } }, table);
  return h('div', null, filters, summary, wrap, empty, more);
}

function searchBox(f: SessionFilter, act: SessionActions): HTMLElement {
  const input = h('input', { id: 'f-text', attrs: { type: 'search', placeholder: 'Session, project, model…', 'data-focus-key': 'f-text', maxlength: 200, spellcheck: 'false' } });
  input.value = f.text;
  let timer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => act.setFilter({ ...f, text: input.value }), 200);
  });
  return h('label', { className: 'field grow', attrs: { for: 'f-text' } }, h('span', { className: 'field-label' }, 'Search'), input);
}

function sessionRow(s: PanelSession, clock: Clock, act: SessionActions): HTMLElement {
  const name = sessionName(s);
  const nameCell = h('td', { className: 'session-cell' },
    h('div', { className: s.label ? 'session-label' : 'session-label mono', title: s.label ? `${s.label}\n${s.sessionId}` : s.sessionId }, name),
    // Left-to-right marks keep a path's leading slash in place in the right-to-left (ellipsis-at-start) box.
    h('div', { className: 'muted small path', title: s.cwd || s.projectKey }, `\u200e${s.cwd || s.projectKey}\u200e`));
  const credit = h('td', null,
    h('span', { className: s.covered ? 'pill pill-covered' : 'pill', title: s.reason }, s.covered ? 'Counted' : 'Not counted'),
    s.override ? h('span', { className: 'muted small override-note' }, ` override (${s.override.target})`) : null);
  const surface = h('td', null, SURFACE_TEXT[s.surface], s.entrypoint ? h('div', { className: 'muted small mono' }, s.entrypoint) : null);
  const cost = h('td', { className: 'num' }, formatUsd(s.costNanos), s.unpricedRequests ? h('div', { className: 'muted small', title: 'Requests on models with no price on the rate card count $0' }, `${count(s.unpricedRequests)} unpriced`) : null);
  const actions = h('td', { className: 'actions' },
    button('Transcript', () => act.openTranscript(s.sessionId), {
      className: 'link',
      ariaLabel: `Open the transcript of session ${name}`,
      title: s.transcriptPath ?? 'The transcript file is gone; its spend stays in the ledger',
      disabled: !s.transcriptPath,
      key: `open-${s.sessionId}`,
    }),
    overrideButton(s, name, act),
    s.override?.target === 'session'
      ? button('Reset', () => act.override(s.sessionId, 'auto'), { className: 'link', ariaLabel: `Remove the override of session ${name}`, title: 'Let the surface and settings decide again', key: `auto-${s.sessionId}` })
      : null);
  return h('tr', null,
    nameCell,
    h('td', { className: 'nowrap' }, clock.dateTime(s.lastTs)),
    surface,
    credit,
    cost,
    h('td', { className: 'num' }, count(s.requests)),
    h('td', { className: 'num', title: `input ${count(s.tokens.input)} · output ${count(s.tokens.output)} · cache write ${count(s.tokens.cacheWrite)} · cache read ${count(s.tokens.cacheRead)}` }, tokens(totalTokens(s))),
    h('td', { className: 'num' }, percent(s.cacheHitRatio)),
    actions);
}

/** Toggle whether a session draws on the credit: posts creditLedger.overrideSession through the host. */
function overrideButton(s: PanelSession, name: string, act: SessionActions): HTMLButtonElement {
  const mode: OverrideModeArg = s.covered ? 'never' : 'count';
  return button(s.covered ? 'Exclude' : 'Count', () => act.override(s.sessionId, mode), {
    className: 'link',
    ariaLabel: s.covered ? `Stop counting session ${name} against the credit` : `Count session ${name} against the credit`,
    title: s.covered ? 'Do not count this session against the credit' : 'Count this session against the credit',
    key: `override-${s.sessionId}`,
  });
}
