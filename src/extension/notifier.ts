// Threshold notifications, once per threshold per cycle per user. The journal is the memory shared by every
// window and the CLI: a window claims a threshold by appending a `notified` fact, reads the journal back, and shows
// the message only if its claim is the first one there (two windows crossing at once show it once).
import * as vscode from 'vscode';
import type { Balance } from '../core/pool/types';
import { appendFact, readJournal, type Fact } from '../core/state/journal';
import { COMMANDS } from './ids';
import { Disposable } from './lifecycle';
import { decideNotification, firstClaim, notificationText, notifiedFact } from './thresholds';
import { showError, showWarning } from './messages';

export interface NotifierOptions {
  journal: string;
  log: vscode.LogOutputChannel;
  notifyAt: () => readonly number[];
  clock?: () => number;
}

export class ThresholdNotifier extends Disposable {
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly opts: NotifierOptions) {
    super();
  }

  /** Checks the balance against the thresholds; `known` are the facts the meter already replayed. */
  check(balance: Balance, known: readonly Fact[]): Promise<void> {
    // Cheap test first with what the meter knows; the journal is read only when something may be due.
    if (!decideNotification(balance, this.opts.notifyAt(), known)) return this.running;
    this.running = this.running.then(() => this.claimAndShow(balance)).catch((err: unknown) => this.opts.log.error(`threshold notification: ${String(err)}`));
    return this.running;
  }

  private async claimAndShow(balance: Balance): Promise<void> {
    if (this.isDisposed) return;
    const journal = this.opts.journal;
    const decision = decideNotification(balance, this.opts.notifyAt(), readJournal(journal).facts);
    if (!decision) return;
    const now = new Date((this.opts.clock ?? Date.now)());
    let mine: Fact | undefined;
    for (const t of decision.covers) {
      const written = appendFact(journal, notifiedFact(decision.cycleStart, t), now);
      if (t === decision.threshold) mine = written;
    }
    const first = firstClaim(readJournal(journal).facts, decision.cycleStart, decision.threshold);
    if (!mine || first?.id !== mine.id) {
      this.opts.log.info(`threshold ${decision.threshold} of the cycle starting ${new Date(decision.cycleStart).toISOString()} was already shown by another window`);
      return;
    }
    const { severity, message } = notificationText(balance, decision);
    this.opts.log.info(`notification: ${message}`);
    const show = severity === 'error' ? showError : showWarning;
    void show(message, 'Open Ledger', 'Reconcile').then((choice) => {
      if (choice === 'Open Ledger') void vscode.commands.executeCommand(COMMANDS.openLedger);
      else if (choice === 'Reconcile') void vscode.commands.executeCommand(COMMANDS.reconcile);
    });
  }
}
