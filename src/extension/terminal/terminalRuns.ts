// `claude -p` runs in VS Code terminals, through shell integration: the command line when a command starts (a warning
// at once when the credit is used up, low, or the run resumes a session with a long context), the output as it streams
// (the json / stream-json result), the exit code when it ends; then a run fact in the journal, a refresh of the meter
// and a quiet notification. Where shell integration is missing nothing breaks: the log says so once, and the
// transcripts' entrypoint (sdk-cli) still counts the runs.
import type { Database } from 'sql.js';
import * as vscode from 'vscode';
import { RunCapture, sessionFromFlags } from '../../core/headless/capture';
import { detectPrintRun, type PrintInvocation } from '../../core/headless/commandLine';
import { LINK_SLACK_AFTER_MS, LINK_SLACK_BEFORE_MS, latestSessionIn, ledgerRunCost, linkRunToSession, sessionCandidates, sessionContext } from '../../core/headless/ledgerLink';
import { readRunFacts } from '../../core/headless/runFact';
import type { Balance } from '../../core/pool/types';
import { createPricer, type Pricer } from '../../core/pricing/pricer';
import { userRateCard } from '../../core/pricing/rateFile';
import { userPaths } from '../../core/state/paths';
import { appendFact, readJournal } from '../../core/state/journal';
import type { UserSettings } from '../../core/state/settings';
import { endNotice, longContextThreshold, runNotifyPolicy, startWarning, type ResumedContext, type RunMessage } from './runMessages';
import { showError, showInfo, showWarning } from '../messages';

export interface TerminalRunsDeps {
  log: vscode.LogOutputChannel;
  /** The per-user journal (UserPaths.journal). */
  journalPath: string;
  /** The effective per-user settings (allowLabels, warnShare, rateOverrides, runNotifications, hook.contextThreshold). */
  settings(): UserSettings;
  /** The balance as the meter last computed it; undefined before the first refresh. */
  balance(): Balance | undefined;
  /** Context tokens of a session now (its newest main-chain request). Optional: `ledger` answers it too. */
  contextOf?(sessionId: string): number | ResumedContext | undefined;
  /** The open ledger, read only: links text-output runs to their transcripts, finds what `--continue` continues, and gives the ledger's cost of a run. */
  ledger?(): Database | undefined;
  /** Re-reads transcripts and the journal; the end notification waits for it so "left" includes the run. */
  refresh(): void | Promise<void>;
  clock?(): number;
}

/** How long a terminal may go without shell integration before the log says it is missing. */
const SHELL_INTEGRATION_GRACE_MS = 10_000;
/** After the end event, how long to wait for the output stream to drain. */
const READ_DRAIN_MS = 3_000;

interface ActiveRun {
  terminal: vscode.Terminal;
  startedAt: number;
  cwd: string;
  invocation: PrintInvocation | undefined;
  /** Undefined when another process (credit-ledger exec / record) records the run. */
  capture: RunCapture | undefined;
  reading: Promise<void>;
  finished: boolean;
}

function warnShareOf(settings: UserSettings): number {
  const w = settings.warnShare;
  return typeof w === 'number' && Number.isFinite(w) && w >= 0 && w <= 1 ? w : 0.25;
}

function show(m: RunMessage): void {
  const fn = m.severity === 'error' ? showError : m.severity === 'warning' ? showWarning : showInfo;
  void fn(`Credit Ledger: ${m.message}`);
}

/** Registers the terminal listeners; dispose the result to stop. */
export function registerTerminalRuns(deps: TerminalRunsDeps): vscode.Disposable {
  const clock = deps.clock ?? Date.now;
  const subscriptions: vscode.Disposable[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const active = new Map<vscode.TerminalShellExecution, ActiveRun>();
  let disposed = false;
  const w = vscode.window;
  if (typeof w.onDidStartTerminalShellExecution !== 'function' || typeof w.onDidEndTerminalShellExecution !== 'function') {
    deps.log.info('claude -p runs: this VS Code has no terminal shell integration API; runs are counted from their transcripts (entrypoint sdk-cli) only');
    return new vscode.Disposable(() => undefined);
  }

  // The user's card (shipped, then imported rows), as every other reader prices.
  const pricer = (): Pricer => createPricer(userRateCard(userPaths()).card, deps.settings().rateOverrides ?? null);

  const resumedContext = (inv: PrintInvocation, cwd: string, now: number): ResumedContext | undefined => {
    const f = inv.flags;
    const db = safe(() => deps.ledger?.());
    let sessionId = typeof f.resume === 'string' ? f.resume : undefined;
    if (!sessionId && f.continue && db) sessionId = latestSessionIn(db, cwd, now);
    if (!sessionId) return undefined;
    const given = deps.contextOf?.(sessionId);
    if (typeof given === 'number') return { sessionId, tokens: given };
    if (given) return given;
    const c = db ? sessionContext(db, sessionId) : undefined;
    return c ? { sessionId, tokens: c.tokens, model: c.model, at: c.at } : undefined;
  };

  const onStart = (e: vscode.TerminalShellExecutionStartEvent): void => {
    const now = clock();
    const line = e.execution.commandLine;
    const invocation = safe(() => detectPrintRun(line.value));
    // A low-confidence command line may only be complete at the end: read its output in case it is a run.
    if (!invocation && line.confidence === vscode.TerminalShellExecutionCommandLineConfidence.High) return;
    const cwd = e.execution.cwd?.fsPath ?? e.shellIntegration.cwd?.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const settings = deps.settings();
    const capture =
      invocation?.recordedBy
        ? undefined
        : new RunCapture({ via: 'terminal', where: 'terminal', cwd, startedAt: now, invocation, allowLabels: settings.allowLabels === true, pricer: pricer(), clock });
    const run: ActiveRun = { terminal: e.terminal, startedAt: now, cwd, invocation, capture, reading: Promise.resolve(), finished: false };
    if (capture) {
      // read() must be called now: it only yields what is written after the first call.
      const stream = e.execution.read();
      run.reading = (async () => {
        for await (const data of stream) {
          if (run.finished) break;
          capture.push(data);
        }
      })().catch((err: unknown) => deps.log.warn(`claude -p run: reading the terminal output failed: ${String(err)}`));
    }
    active.set(e.execution, run);
    if (!invocation) return;
    deps.log.info(`claude -p run started in terminal "${e.terminal.name}": ${invocation.summary} (cwd ${cwd || 'unknown'}${invocation.recordedBy ? `; recorded by credit-ledger ${invocation.recordedBy}` : ''})`);
    try {
      const warning = startWarning({
        invocation,
        balance: deps.balance(),
        warnShare: warnShareOf(settings),
        resumed: resumedContext(invocation, cwd, now),
        threshold: longContextThreshold(settings),
        pricer: pricer(),
        now,
      });
      if (warning) {
        deps.log.warn(warning.message);
        show(warning);
      }
    } catch (err) {
      deps.log.error(`claude -p run: the start check failed: ${String(err)}`);
    }
  };

  const finish = async (execution: vscode.TerminalShellExecution, exitCode: number | undefined): Promise<void> => {
    const run = active.get(execution);
    if (!run) return;
    active.delete(execution);
    await Promise.race([run.reading, new Promise((r) => setTimeout(r, READ_DRAIN_MS))]);
    run.finished = true;
    // The command line can be more accurate once the command ended (multi-line commands, low confidence).
    const invocation = safe(() => detectPrintRun(execution.commandLine.value)) ?? run.invocation;
    if (!invocation) return;
    const endedAt = clock();
    if (!run.capture || invocation.recordedBy) {
      await refreshQuietly();
      notifyFromJournal(run, endedAt);
      return;
    }
    run.capture.setInvocation(invocation);
    const { facts } = run.capture.finish({ exitCode: exitCode ?? null, endedAt });
    let ledgerCost: number | undefined;
    if (facts.length === 1 && !facts[0]!.sessionId && !facts[0]!.noSessionPersistence) {
      // Text output names no session: find the transcript the run wrote, once the meter has read it.
      await refreshQuietly();
      const db = safe(() => deps.ledger?.());
      const f = facts[0]!;
      if (db) {
        const from = run.startedAt - LINK_SLACK_BEFORE_MS;
        const to = endedAt + LINK_SLACK_AFTER_MS;
        const claimed = new Set(readRunFacts(safe(() => readJournal(deps.journalPath).facts) ?? []).map((r) => r.sessionId).filter((s): s is string => !!s));
        const link = linkRunToSession({ cwd: run.cwd, startedMs: run.startedAt, endedMs: endedAt, flags: f.flags }, sessionCandidates(db, from, to), claimed);
        const sessionId = link?.sessionId ?? sessionFromFlags(invocation);
        if (sessionId) {
          f.sessionId = sessionId;
          f.sessionFrom = link ? 'transcript' : 'flag';
          ledgerCost = ledgerRunCost(db, sessionId, from, to)?.costNanos;
          if (link) deps.log.info(`claude -p run linked to session ${sessionId}: ${link.reason}`);
        }
      }
    }
    for (const f of facts) {
      try {
        appendFact(deps.journalPath, f, new Date(endedAt));
      } catch (err) {
        deps.log.error(`claude -p run: could not write the run to the journal ${deps.journalPath}: ${String(err)}`);
      }
      deps.log.info(
        `claude -p run ended (exit ${exitCode ?? 'unknown'}): session ${f.sessionId ?? 'unknown'}, list price ${f.listCostNanos ?? 'unknown'} nanos, Claude Code says ${f.totalCostUsd ?? 'nothing'}${f.differenceReason ? ` (${f.differenceReason})` : ''}`,
      );
    }
    await refreshQuietly();
    const policy = runNotifyPolicy(deps.settings());
    for (const f of facts) {
      const notice = endNotice({ fact: f, ledgerCostNanos: ledgerCost, balance: deps.balance(), policy });
      if (notice) show(notice);
    }
  };

  /** A run another process recorded (credit-ledger exec / record): notify from its fact once it is in the journal. */
  const notifyFromJournal = (run: ActiveRun, endedAt: number): void => {
    const facts = readRunFacts(safe(() => readJournal(deps.journalPath).facts) ?? []).filter(
      (f) => f.via !== 'terminal' && f.endedMs >= run.startedAt - LINK_SLACK_BEFORE_MS && f.endedMs <= endedAt + LINK_SLACK_AFTER_MS && (!run.cwd || f.cwd === run.cwd),
    );
    const policy = runNotifyPolicy(deps.settings());
    for (const f of facts) {
      const notice = endNotice({ fact: f, balance: deps.balance(), policy });
      if (notice) show(notice);
    }
  };

  const refreshQuietly = async (): Promise<void> => {
    try {
      await deps.refresh();
    } catch (err) {
      deps.log.warn(`claude -p run: refreshing the meter failed: ${String(err)}`);
    }
  };

  // Shell integration: say once when a terminal has none (the runs there are still counted from transcripts).
  let missingSaid = false;
  const watchIntegration = (t: vscode.Terminal): void => {
    if (missingSaid || t.shellIntegration) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (disposed || missingSaid || t.shellIntegration || t.exitStatus) return;
      missingSaid = true;
      deps.log.info(
        `terminal "${t.name}" has no shell integration (a shell VS Code cannot integrate, or terminal.integrated.shellIntegration.enabled is off): claude -p runs there get no start warning or end notification; their transcripts (entrypoint sdk-cli) still count them`,
      );
    }, SHELL_INTEGRATION_GRACE_MS);
    timers.add(timer);
  };

  subscriptions.push(
    w.onDidStartTerminalShellExecution((e) => {
      try {
        onStart(e);
      } catch (err) {
        deps.log.error(`claude -p run: ${String(err)}`);
      }
    }),
    w.onDidEndTerminalShellExecution((e) => {
      void finish(e.execution, e.exitCode).catch((err: unknown) => deps.log.error(`claude -p run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    }),
    w.onDidOpenTerminal((t) => watchIntegration(t)),
    w.onDidCloseTerminal((t) => {
      // A terminal closed mid-run never sends the end event: record what was seen.
      for (const [execution, run] of active) if (run.terminal === t) void finish(execution, undefined).catch(() => undefined);
    }),
  );
  for (const t of w.terminals) watchIntegration(t);

  return new vscode.Disposable(() => {
    disposed = true;
    for (const s of subscriptions.splice(0)) s.dispose();
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const run of active.values()) run.finished = true;
    active.clear();
  });
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

