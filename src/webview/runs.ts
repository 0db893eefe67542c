// The Runs tab: captured `claude -p` runs (journal `run` facts) with session, start, duration, turns, Claude Code's
// own cost, our list price, the difference and why, and how the run ended. Text only.
import type { PanelModel, PanelRun } from '../core/reports/panelModel';
import { button, h } from './dom';
import { count, formatUsd, plural, shortId, type Clock } from './format';

export interface RunsActions {
  openTranscript(sessionId: string): void;
}

const WHERE_TEXT: Record<PanelRun['where'], string> = { terminal: 'Terminal', cron: 'Unattended', script: 'Script (no terminal)', ci: 'CI', 'github-actions': 'GitHub Actions' };

export function duration(ms: number): string {
  if (!(ms >= 0)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** How the run ended, in a word or two; `problem` marks it for the error colour. */
export function outcome(r: PanelRun): { text: string; problem: boolean; title: string } {
  if (r.isError) return { text: r.subtype ? r.subtype.replace(/^error_/, '').replace(/_/g, ' ') : 'error', problem: true, title: `Claude Code reported an error${r.subtype ? ` (${r.subtype})` : ''}${r.exitCode !== null ? `; exit ${r.exitCode}` : ''}` };
  if (r.truncated) return { text: 'no result', problem: true, title: 'The output ended without a result (cut short or killed)' };
  if (r.exitCode === null) return { text: '—', problem: false, title: 'Exit code not seen' };
  return { text: r.exitCode === 0 ? 'ok' : `exit ${r.exitCode}`, problem: r.exitCode !== 0, title: `Exit code ${r.exitCode}` };
}

function signed(nanos: number): string {
  return `${nanos > 0 ? '+' : nanos < 0 ? '−' : ''}${formatUsd(Math.abs(nanos))}`;
}

export function renderRuns(model: PanelModel, clock: Clock, act: RunsActions): HTMLElement {
  if (!model.runs.length) {
    return h('div', { className: 'empty-state' },
      h('h2', null, 'Runs'),
      h('p', null, 'No captured runs yet.'),
      h('p', { className: 'muted' }, 'Runs of claude -p started in VS Code terminals (and those recorded with credit-ledger exec or record) are listed here with their cost, turns and result.'));
  }
  const runs = model.runs;
  const sum = (f: (r: PanelRun) => number | null): number => runs.reduce((s, r) => s + (f(r) ?? 0), 0);
  const summary = h('p', { className: 'muted', attrs: { id: 'runs-summary' } },
    `${plural(runs.length, 'run')}${model.runsTotal > runs.length ? ` (the newest of ${count(model.runsTotal)})` : ''} · Claude Code says ${formatUsd(sum((r) => r.reportedNanos))} · list price ${formatUsd(sum((r) => r.listNanos))}`);
  const head = h('tr', null, ...['Start', 'Session', 'Where', 'Duration', 'Turns', 'Claude Code', 'List price', 'Difference', 'Result'].map((label, i) =>
    h('th', { className: i >= 3 && i <= 7 ? 'num' : undefined, attrs: { scope: 'col' } }, label)));
  const rows = runs.map((r) => runRow(r, clock, act));
  const table = h('table', { className: 'data runs', attrs: { 'aria-describedby': 'runs-summary' } },
    h('caption', { className: 'visually-hidden' }, 'Captured claude -p runs, newest first'),
    h('thead', null, head),
    h('tbody', null, ...rows));
  return h('div', null,
    h('h2', { className: 'visually-hidden' }, 'Runs'),
    summary,
    h('div', { className: 'table-wrap', attrs: { role: 'region', 'aria-label': 'Runs table', tabindex: 0 } }, table),
    h('p', { className: 'muted small' }, "Claude Code: the run's own total_cost_usd (its estimate, not a bill). List price: the run's usage at API list prices. Difference: Claude Code − list price."));
}

function runRow(r: PanelRun, clock: Clock, act: RunsActions): HTMLElement {
  const result = outcome(r);
  const session = r.sessionId
    ? h('td', { className: 'session-cell' },
      r.transcriptPath
        ? button(shortId(r.sessionId), () => act.openTranscript(r.sessionId!), { className: 'link mono', ariaLabel: `Open the transcript of session ${r.sessionId}`, title: r.sessionId, key: `run-open-${r.runId}` })
        : h('span', { className: 'mono', title: r.sessionId }, shortId(r.sessionId)),
      r.label ? h('div', { className: 'muted small session-label', title: r.label }, r.label) : null)
    : h('td', { className: 'muted', title: r.noSessionPersistence ? 'Run with --no-session-persistence: no transcript' : 'Not known' }, '—');
  const list = r.listNanos === null ? '—' : `${formatUsd(r.listNanos)}${r.listPriced ? '' : '+'}`;
  const diff = h('td', { className: 'num', title: r.differenceReason ?? undefined },
    r.differenceNanos === null ? '—' : signed(r.differenceNanos),
    r.differenceReason ? h('div', { className: 'muted small reason' }, r.differenceReason) : null);
  return h('tr', null,
    h('td', { className: 'nowrap' }, clock.dateTime(r.startedAt)),
    session,
    h('td', null, WHERE_TEXT[r.where], r.model ? h('div', { className: 'muted small mono' }, r.model) : null),
    h('td', { className: 'num' }, duration(r.durationMs)),
    h('td', { className: 'num' }, r.turns === null ? '—' : count(r.turns)),
    h('td', { className: 'num' }, r.reportedNanos === null ? '—' : formatUsd(r.reportedNanos)),
    h('td', { className: 'num', title: r.listPriced ? undefined : 'A model had no price on the rate card: a lower bound' }, list, r.ledgerNanos !== null && r.ledgerNanos !== r.listNanos ? h('div', { className: 'muted small', title: "The same session's requests in the ledger" }, `ledger ${formatUsd(r.ledgerNanos)}`) : null),
    diff,
    h('td', { className: result.problem ? 'danger' : undefined, title: result.title }, result.text));
}
