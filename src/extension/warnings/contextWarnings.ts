// In-editor context warnings: after each ledger update, a warning when a watched session's context crosses a
// long-context price tier or the user's threshold, once per session per threshold for the user (every window and
// later windows agree through journal facts). The decision is core/hook/contextWarnings.ts; this is the glue.
// A window claims a warning by appending a `context-warning-shown` fact, reads the journal back, and shows it only
// if its claim is the first (two windows seeing the same update show it once).
import * as vscode from 'vscode';
import {
  decideContextWarnings,
  firstShownClaim,
  shownFact,
  snoozedFact,
  type ContextWarning,
  type ContextWarningSettings,
  type SessionContext,
} from '../../core/hook/contextWarnings';
import type { Pricer } from '../../core/pricing/pricer';
import { appendFact, readJournal, type Fact } from '../../core/state/journal';
import { COMMANDS } from '../ids';
import { Disposable } from '../lifecycle';
import { showWarning } from '../messages';

export interface ContextWarningsDeps {
  /** Fires after each ledger update (e.g. LiveMeter.onDidChange). */
  onDidUpdate: vscode.Event<void>;
  /**
   * Sessions' latest context sizes from the ledger, e.g. `latestContexts(meter.ledger.db, now - 30 min)` from
   * core/hook/ledgerContexts.ts; [] while no ledger is open.
   */
  latestContexts(): readonly SessionContext[];
  /** The per-user journal (UserPaths.journal). */
  journal: string;
  /** Facts the meter already replayed (Meter.journalFacts): a cheap first check before the journal is read. */
  knownFacts?(): readonly Fact[];
  /** Read on every check, e.g. `contextWarningSettingsFrom(resolveHookSettings(userSettings.hook))`; both off: no warnings. */
  settings(): ContextWarningSettings;
  /** The meter's pricer (rate card + the user's overrides). */
  pricer(): Pricer;
  log: vscode.LogOutputChannel;
  /** "Open Session": reveal the session (e.g. the ledger panel on it). Default: the Open Ledger command. */
  openSession?(sessionId: string): unknown;
  /** "Turn Off": switch that kind of warning off in settings; the action is offered only when given. */
  turnOff?(kind: 'tier' | 'threshold'): unknown;
  /** How long "Snooze" silences a session's warnings (default 1 hour). */
  snoozeMs?: number;
  clock?: () => number;
  /** Shows the notification (default: messages.showWarning; tests pass a fake). */
  show?(message: string, ...actions: string[]): Thenable<string | undefined>;
}

/** At most this many notifications per update; the rest are recorded as shown and logged. */
const MAX_SHOWN_PER_CHECK = 2;
const ACTIONS = { open: 'Open Session', audit: 'Audit Loops', snooze: 'Snooze 1 Hour', off: 'Turn Off' } as const;

export class ContextWarnings extends Disposable {
  private running: Promise<void> = Promise.resolve();
  private readonly clock: () => number;

  constructor(private readonly deps: ContextWarningsDeps) {
    super();
    this.clock = deps.clock ?? Date.now;
    this._register(deps.onDidUpdate(() => void this.check()));
  }

  /** Checks the latest contexts; resolves when any notification it raised has been claimed (not answered). */
  check(): Promise<void> {
    this.running = this.running.then(() => this.checkNow()).catch((err: unknown) => this.deps.log.error(`context warnings: ${String(err)}`));
    return this.running;
  }

  private async checkNow(): Promise<void> {
    if (this.isDisposed) return;
    const settings = this.deps.settings();
    if (!settings.warnOnTier && !(settings.warnOnThreshold && settings.contextThreshold !== null)) return;
    const sessions = this.deps.latestContexts();
    if (!sessions.length) return;
    const now = this.clock();
    const pricer = this.deps.pricer();
    // Cheap test with what the meter knows; the journal is read only when something may be due.
    if (this.deps.knownFacts && !decideContextWarnings(sessions, this.deps.knownFacts(), settings, pricer, now).length) return;
    const due = decideContextWarnings(sessions, readJournal(this.deps.journal).facts, settings, pricer, now);
    if (!due.length) return;
    const mine = new Map<ContextWarning, Fact>();
    for (const w of due) mine.set(w, appendFact(this.deps.journal, shownFact(w), new Date(now)));
    const facts = readJournal(this.deps.journal).facts;
    let shown = 0;
    for (const w of due) {
      if (firstShownClaim(facts, w.sessionId, w.key)?.id !== mine.get(w)?.id) {
        this.deps.log.info(`context warning ${w.key} for session ${w.sessionId} was already shown by another window`);
        continue;
      }
      this.deps.log.info(`context warning: ${w.message}`);
      if (shown++ >= MAX_SHOWN_PER_CHECK) continue;
      this.present(w);
    }
  }

  private present(w: ContextWarning): void {
    const actions: string[] = [ACTIONS.open, ACTIONS.audit, ACTIONS.snooze];
    if (this.deps.turnOff) actions.push(ACTIONS.off);
    const show = this.deps.show ?? ((m: string, ...a: string[]): Thenable<string | undefined> => showWarning(m, ...a));
    void Promise.resolve(show(w.message, ...actions)).then((choice) => {
      if (this.isDisposed || !choice) return;
      if (choice === ACTIONS.open) {
        if (this.deps.openSession) void this.deps.openSession(w.sessionId);
        else void vscode.commands.executeCommand(COMMANDS.openLedger);
      } else if (choice === ACTIONS.audit) {
        void vscode.commands.executeCommand(COMMANDS.auditLoops);
      } else if (choice === ACTIONS.snooze) {
        const until = this.clock() + (this.deps.snoozeMs ?? 60 * 60 * 1000);
        appendFact(this.deps.journal, snoozedFact(w.sessionId, until));
        this.deps.log.info(`context warnings for session ${w.sessionId} snoozed until ${new Date(until).toISOString()}`);
      } else if (choice === ACTIONS.off && this.deps.turnOff) {
        void this.deps.turnOff(w.kind);
      }
    });
  }
}

/** Registers the warnings; dispose the result (through the composition root) to stop them. */
export function registerContextWarnings(deps: ContextWarningsDeps): ContextWarnings {
  return new ContextWarnings(deps);
}
