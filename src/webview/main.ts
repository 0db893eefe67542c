// The ledger panel's webview: tabs (overview, sessions, models, runs, audit), rendered from the
// PanelModel the host posts after our `ready`. Text only (no innerHTML), theme colours only.
import 'uplot/dist/uPlot.min.css';
import '../../media/panel.css';
import './panel-tabs.css';
import type { PanelModel } from '../core/reports/panelModel';
import { renderAudit, sortLoops } from './audit';
import type { Chart } from './charts';
import { h } from './dom';
import { clockFor, plural } from './format';
import { renderModelSplit, renderWhatIf } from './models';
import { renderBalance, renderBurnDown, renderDaily, renderHeader, renderPastCycles, type ChartHost } from './overview';
import { renderPlanFit } from './plans';
import {
  isError,
  isModelMessage,
  isShow,
  overrideCommand,
  PANEL_SECTIONS,
  PanelCommands,
  type PanelSection,
  type SessionFilter,
  type WebviewMessage,
} from './protocol';
import { renderRuns } from './runs';
import { renderSessions } from './sessions';
import { PAGE_SIZE, restoreState, type AuditSortKey, type SortKey, type UiState } from './state';
import { readTheme, watchTheme, withAlpha } from './theme';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: UiState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const TAB_TEXT: Record<PanelSection, string> = { overview: 'Overview', sessions: 'Sessions', models: 'Models', runs: 'Runs', audit: 'Audit' };

class PanelApp {
  private ui: UiState;
  private model: PanelModel | undefined;
  /** The last model without its timestamp: an update that changes nothing is not re-rendered. */
  private modelKey = '';
  private error: string | undefined;
  private charts: Chart[] = [];
  /** The costliest finding opens by itself once, the first time an audit with findings arrives. */
  private auditAutoOpened = false;
  private readonly header = h('div', { className: 'header-host' });
  private readonly tabs = new Map<PanelSection, HTMLButtonElement>();
  private readonly panels = new Map<PanelSection, HTMLElement>();

  constructor(
    private readonly vscode: VsCodeApi,
    private readonly root: HTMLElement,
  ) {
    this.ui = restoreState(vscode.getState());
  }

  start(): void {
    const tablist = h('div', { className: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Credit Ledger sections' } });
    for (const section of PANEL_SECTIONS) {
      const tab = h('button', { id: `tab-${section}`, className: 'tab', attrs: { type: 'button', role: 'tab', 'aria-controls': section } }, TAB_TEXT[section]);
      tab.addEventListener('click', () => this.select(section, false));
      tab.addEventListener('keydown', (e) => this.onTabKey(e, section));
      this.tabs.set(section, tab);
      tablist.append(tab);
      // Panel ids are the section names: the host switches with {type:'show', section:'audit'}.
      const panel = h('section', { id: section, className: 'tabpanel', attrs: { role: 'tabpanel', 'aria-labelledby': `tab-${section}`, tabindex: 0 } });
      this.panels.set(section, panel);
    }
    this.root.replaceChildren(this.header, tablist, ...this.panels.values());
    this.root.removeAttribute('aria-busy');
    this.renderEmpty();
    this.select(this.ui.section, false);

    window.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data));
    watchTheme(() => this.render());
    this.vscode.postMessage({ type: 'ready' });
    // The host computes the loop audit only while its tab is shown: say which one is.
    this.vscode.postMessage({ type: 'section', section: this.ui.section });
  }

  private onMessage(m: unknown): void {
    if (isModelMessage(m)) {
      const key = JSON.stringify({ ...m.model, generatedAt: 0 });
      const filterChanged = m.filter !== undefined && !this.hasOwnFilter();
      if (key === this.modelKey && !this.error && !filterChanged) return;
      this.modelKey = key;
      this.model = m.model;
      this.error = undefined;
      if (m.filter && filterChanged) this.ui.filter = m.filter;
      this.render();
    } else if (isShow(m)) {
      this.select(m.section, true);
    } else if (isError(m)) {
      this.error = m.message;
      this.render();
    }
  }

  private hasOwnFilter(): boolean {
    const f = this.ui.filter;
    return f.project !== 'all' || f.coverage !== 'all' || f.surface !== 'all' || f.text !== '';
  }

  private save(): void {
    this.vscode.setState(this.ui);
  }

  private select(section: PanelSection, focus: boolean): void {
    const changed = this.ui.section !== section;
    this.ui.section = section;
    if (changed) this.vscode.postMessage({ type: 'section', section });
    for (const [s, tab] of this.tabs) {
      const on = s === section;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      this.panels.get(s)!.hidden = !on;
    }
    if (focus) this.tabs.get(section)!.focus();
    this.save();
    // Charts measure their container: draw them when the overview becomes visible.
    if (section === 'overview' && this.model) this.render();
  }

  /** Arrow keys, Home and End move between tabs (the WAI-ARIA tabs pattern, automatic activation). */
  private onTabKey(e: KeyboardEvent, section: PanelSection): void {
    const i = PANEL_SECTIONS.indexOf(section);
    const n = PANEL_SECTIONS.length;
    const next = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    this.select(PANEL_SECTIONS[next], true);
  }

  private renderEmpty(): void {
    for (const panel of this.panels.values()) panel.replaceChildren(h('p', { className: 'loading' }, 'Loading the ledger…'));
  }

  private render(): void {
    const focus = rememberFocus();
    for (const c of this.charts) c.destroy();
    this.charts = [];
    const m = this.model;
    const errorBox = this.error ? h('div', { className: 'callout error', attrs: { role: 'alert' } }, h('strong', null, 'The ledger could not be read. '), this.error) : null;
    if (!m) {
      this.header.replaceChildren(...(errorBox ? [errorBox] : []));
      return;
    }
    const clock = clockFor(m.timezone);
    const theme = readTheme();
    const rank = new Map(m.models.map((x, i) => [x.model, i] as const));
    const host: ChartHost = {
      charts: this.charts,
      theme,
      clock,
      colorOf: (model) => withAlpha(theme.palette[(rank.get(model) ?? m.models.length) % theme.palette.length], 1),
    };
    this.header.replaceChildren(...[errorBox, renderHeader(m, clock, {
      setPlan: () => this.command(PanelCommands.setPlan),
      refresh: () => this.vscode.postMessage({ type: 'refresh' }),
    })].filter((x): x is HTMLElement => x !== null));

    this.tabs.get('sessions')!.textContent = m.sessions.length ? `Sessions (${m.sessions.length})` : 'Sessions';
    this.tabs.get('sessions')!.setAttribute('aria-label', `Sessions, ${plural(m.sessions.length, 'session')}`);

    const overviewVisible = this.ui.section === 'overview';
    this.panels.get('overview')!.replaceChildren(
      h('h2', { className: 'visually-hidden' }, 'Overview'),
      renderBalance(m, clock),
      renderPlanFit(m, { setPlan: () => this.command(PanelCommands.setPlan) }),
      ...(overviewVisible
        ? [
          renderBurnDown(m, host),
          renderDaily(m, this.ui, host, {
            setPlan: () => this.command(PanelCommands.setPlan),
            refresh: () => this.vscode.postMessage({ type: 'refresh' }),
            setDailyScope: (scope) => {
              this.ui.dailyScope = scope;
              this.save();
              this.render();
            },
            setDailyTableOpen: (open) => {
              this.ui.dailyTableOpen = open;
              this.save();
            },
          }),
        ]
        : []),
      renderPastCycles(m),
    );
    this.panels.get('sessions')!.replaceChildren(
      h('h2', { className: 'visually-hidden' }, 'Sessions'),
      renderSessions(m, this.ui, clock, {
        setFilter: (f) => this.setFilter(f),
        setSort: (key) => this.setSort(key),
        showMore: () => {
          this.ui.limit += PAGE_SIZE;
          this.render();
        },
        openTranscript: (sessionId) => this.vscode.postMessage({ type: 'openTranscript', sessionId }),
        override: (sessionId, mode) => this.vscode.postMessage(overrideCommand(sessionId, mode)),
      }),
    );
    this.panels.get('models')!.replaceChildren(h('h2', { className: 'visually-hidden' }, 'Models'), renderModelSplit(m, host.colorOf), renderWhatIf(m));
    this.tabs.get('runs')!.textContent = m.runsTotal ? `Runs (${m.runsTotal})` : 'Runs';
    this.panels.get('runs')!.replaceChildren(renderRuns(m, clock, {
      openTranscript: (sessionId) => this.vscode.postMessage({ type: 'openTranscript', sessionId }),
    }));
    const loops = m.audit ? m.audit.summary.loops : 0;
    if (m.audit && !this.auditAutoOpened) {
      const first = sortLoops(m.audit.loops.filter((l) => !l.ignored), this.ui.auditSort)[0];
      if (first) {
        this.auditAutoOpened = true;
        if (!this.ui.auditOpen.length) this.ui.auditOpen = [first.id];
      }
    }
    this.tabs.get('audit')!.textContent = loops ? `Audit (${loops})` : 'Audit';
    this.panels.get('audit')!.replaceChildren(h('h2', { className: 'visually-hidden' }, 'Audit'), renderAudit(m, this.ui, clock, {
      setSort: (key) => this.setAuditSort(key),
      toggle: (loopId, open) => {
        const set = new Set(this.ui.auditOpen);
        if (open) set.add(loopId);
        else set.delete(loopId);
        this.ui.auditOpen = [...set].slice(-50);
        this.save();
        this.render();
      },
      setShowIgnored: (show) => {
        this.ui.auditShowIgnored = show;
        this.save();
        this.render();
      },
      openLoop: (loopId) => this.vscode.postMessage({ type: 'openLoop', loopId }),
      ignoreLoop: (loopId, ignore) => this.vscode.postMessage({ type: 'ignoreLoop', loopId, ignore }),
      runAudit: () => this.command(PanelCommands.auditLoops, { refresh: true }),
    }));
    focus();
  }

  private setAuditSort(key: AuditSortKey): void {
    const s = this.ui.auditSort;
    // Money and counts read best largest first; kind in its own order.
    this.ui.auditSort = s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'kind' ? 'asc' : 'desc' };
    this.save();
    this.render();
  }

  private command(id: string, ...args: unknown[]): void {
    this.vscode.postMessage({ type: 'command', id, args });
  }

  private setFilter(filter: SessionFilter): void {
    this.ui.filter = filter;
    this.ui.limit = PAGE_SIZE;
    this.save();
    this.vscode.postMessage({ type: 'setFilter', filter });
    this.render();
  }

  private setSort(key: SortKey): void {
    const s = this.ui.sort;
    // Numbers read best largest first; names A to Z.
    const firstDir = key === 'session' || key === 'project' || key === 'surface' ? 'asc' : 'desc';
    this.ui.sort = s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: firstDir };
    this.save();
    this.render();
  }
}

/** Re-rendering replaces elements; focus (and a text field's caret) follows their data-focus-key. */
function rememberFocus(): () => void {
  const active = document.activeElement as HTMLElement | null;
  const key = active?.dataset?.focusKey;
  if (!key) return () => undefined;
  const input = active instanceof HTMLInputElement ? { start: active.selectionStart, end: active.selectionEnd } : null;
  return () => {
    const el = document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
    if (!el) return;
    el.focus();
    if (input && el instanceof HTMLInputElement && input.start !== null) el.setSelectionRange(input.start, input.end);
  };
}

new PanelApp(acquireVsCodeApi(), document.getElementById('app') ?? document.body).start();
