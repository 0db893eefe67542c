// The meter as the extension runs it: opened after activation, a first ingest in slices (with a cancellable
// progress notification when it takes a while), live file events, polling, journal and settings-file watching,
// debounced saves. Every ledger operation goes through one queue, so a reopen never races an ingest.
import { offCardModels, type OffCardModel } from '../core/reports/cardCoverage';
import { REJECTED_USAGE } from '../core/transcripts/plausibility';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Meter, MeterUpdate } from '../core/meter/meter';
import type { UnreadFolder } from '../core/ledger/ledger';
import { formatUsd } from '../core/pricing/money';
import type { Balance } from '../core/pool/types';
import { appendFact, type Fact } from '../core/state/journal';
import type { UserPaths } from '../core/state/paths';
import type { UserSettings } from '../core/state/settings';
import { describeFile, discover, resolveConfigDirs, type ConfigDir, type TranscriptFile } from '../core/transcripts/discovery';
import { INITIAL_SLICE_BYTES, nextSliceBytes, pendingFiles, storedFiles, takeSlice } from './ingestSlices';
import { Debouncer, Disposable, toDisposable } from './lifecycle';
import type { LastTurn } from './statusModel';
import { showWarning } from './messages';

/** Where the meter stands, for the status bar and the commands. */
export type MeterPhase =
  | { kind: 'starting'; progress?: { done: number; total: number } }
  | { kind: 'settingsError'; problems: string[] }
  | { kind: 'ready' }
  | { kind: 'failed'; error: string };

export interface LiveMeterOptions {
  paths: UserPaths;
  /** `<workspace storage>/ledger.sqlite`, or the per-user ledger for a window with no folder. */
  ledgerFile: string;
  log: vscode.LogOutputChannel;
  /** The effective per-user settings (after mirroring VS Code's); read again on every (re)open. */
  settings: () => UserSettings;
  pollIntervalMs: () => number;
  clock?: () => number;
  /** Whether the shared ledger is configured (read on every (re)open): the meter then keeps an outbox. */
  shared?: () => boolean;
}

/** Claude Code writes several lines per turn: wait for them to settle. */
const EVENT_DEBOUNCE_MS = 150;
const SAVE_DEBOUNCE_MS = 2000;
/** A first ingest longer than this shows a cancellable progress notification. */
const PROGRESS_AFTER_MS = 1000;
/** Below this much to read, one ingest call (no slicing, no progress). */
const SLICE_THRESHOLD_BYTES = 1024 * 1024;

export class LiveMeter extends Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  /** Fires after every balance change, phase change or problem. */
  readonly onDidChange: vscode.Event<void> = this._onDidChange.event;

  private meterRef: Meter | undefined;
  private phaseValue: MeterPhase = { kind: 'starting' };
  private balanceValue: Balance | undefined;
  private lastTurnValue: LastTurn | undefined;
  private offCardValue: readonly OffCardModel[] = [];
  private discoveredFiles = -1;
  private openStarted = false;
  private journalMalformedLogged = 0;
  /** Folders the user confirmed to remove from the ledger at its next open. */
  private forgetOnOpen: string[] | 'unread' | undefined;
  private ingestProblems: string[] = [];
  private openProblems: string[] = [];
  private configDirsValue: ConfigDir[];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly changedPaths = new Set<string>();
  private readonly eventDebounce = this._register(new Debouncer(EVENT_DEBOUNCE_MS, () => void this.ingestChanged()));
  private readonly journalDebounce = this._register(new Debouncer(EVENT_DEBOUNCE_MS, () => void this.enqueue('journal', () => this.update(() => this.meterRef?.refreshFiles([])))));
  private readonly saveDebounce = this._register(new Debouncer(SAVE_DEBOUNCE_MS, () => void this.enqueue('save', async () => this.saveNow())));
  private readonly reopenDebounce = this._register(new Debouncer(1000, () => void this.reopen('the ledger file changed (another window saved it)')));
  private watchers: vscode.Disposable[] = [];
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  /** The user cancelled the first ingest: no automatic full refresh until they ask (Refresh) or reopen. */
  private paused = false;
  /** Bumped by reopen and rebuild: an ingest of an older generation gives way. */
  private generation = 0;
  private readyWaiters: { resolve: (m: Meter) => void; reject: (e: Error) => void }[] = [];
  private readonly clock: () => number;
  /** Bumped whenever what the ledger holds may have changed (new meter, requests, corrections, journal facts). */
  private revisionValue = 0;

  constructor(private readonly opts: LiveMeterOptions) {
    super();
    this.clock = opts.clock ?? Date.now;
    this.configDirsValue = resolveConfigDirs(opts.settings().configDirs);
    this._register(toDisposable(() => this.shutdown()));
  }

  get phase(): MeterPhase {
    return this.phaseValue;
  }

  get meter(): Meter | undefined {
    return this.meterRef;
  }

  get balance(): Balance | undefined {
    return this.balanceValue;
  }

  get lastTurn(): LastTurn | undefined {
    return this.lastTurnValue;
  }

  /** Models of the transcripts the rate card lacks (estimated or unpriced). */
  get offCard(): readonly OffCardModel[] {
    return this.offCardValue;
  }

  get configDirs(): readonly ConfigDir[] {
    return this.configDirsValue;
  }

  get ledgerFile(): string {
    return this.opts.ledgerFile;
  }

  /** Changes whenever the ledger's content may have changed: caches of derived reports (the loop audit) key on it. */
  get revision(): number {
    return this.revisionValue;
  }

  get readOnly(): boolean {
    return this.meterRef?.ledger.readOnly ?? false;
  }

  /** True when no config dir has a projects/ folder, or the folders hold no transcript and the ledger no request. */
  get noTranscripts(): boolean {
    if (!this.configDirsValue.some((d) => d.exists)) return true;
    return this.discoveredFiles === 0 && this.lastTurnValue === undefined;
  }

  get problems(): string[] {
    return [...this.openProblems, ...this.ingestProblems];
  }

  /** Resolves with the open meter (waits for the first open); rejects when the settings are unusable. */
  whenOpen(): Promise<Meter> {
    if (this.meterRef) return Promise.resolve(this.meterRef);
    if (this.phaseValue.kind === 'settingsError') return Promise.reject(new Error(`Credit Ledger cannot use its settings: ${this.phaseValue.problems.join('; ')}`));
    if (this.phaseValue.kind === 'failed') return Promise.reject(new Error(this.phaseValue.error));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Waits until every queued operation has run (commands call it before reading the balance). */
  async settled(): Promise<void> {
    for (;;) {
      const q = this.queue;
      await q.catch(() => undefined);
      if (q === this.queue && !this.eventDebounce.pending && !this.journalDebounce.pending) return;
      if (this.eventDebounce.pending) this.eventDebounce.flush();
      if (this.journalDebounce.pending) this.journalDebounce.flush();
    }
  }

  /** Opens the meter and ingests what is new; called once, off the activation path. */
  async start(): Promise<void> {
    await this.enqueue('open', () => this.openAndIngest());
  }

  /** Settings or folders changed, or the ledger must be read again. */
  async reopen(reason: string): Promise<void> {
    this.opts.log.info(`reopening the meter: ${reason}`);
    this.generation++; // a sliced ingest in progress stops at its next slice
    await this.enqueue('reopen', async () => {
      this.closeMeter();
      this.paused = false;
      await this.openAndIngest();
    });
  }

  /** Full refresh (discovery + ingest + journal), in slices when there is much to read. */
  async refresh(reason: string, force = false): Promise<void> {
    if (force) this.paused = false;
    await this.enqueue(`refresh (${reason})`, async () => {
      if (!this.meterRef) {
        if (force) await this.openAndIngest();
        return;
      }
      if (this.paused) return;
      if (this.existenceChanged()) {
        this.opts.log.info('a transcript folder appeared or disappeared: reopening');
        this.closeMeter();
        await this.openAndIngest();
        return;
      }
      await this.ingestAll(false);
    });
  }

  /** Deletes this window's ledger and reads every transcript again; journal facts are replayed, so none is lost. */
  async rebuild(): Promise<void> {
    this.generation++;
    await this.enqueue('rebuild', async () => {
      this.closeMeter();
      const file = this.opts.ledgerFile;
      for (const f of [file, `${file}.prev`]) {
        try {
          fs.rmSync(f, { force: true });
        } catch (err) {
          this.opts.log.warn(`could not delete ${f}: ${(err as Error).message}`);
        }
      }
      this.opts.log.info(`deleted ${file}; reading the transcripts again`);
      this.paused = false;
      await this.openAndIngest();
    });
  }

  /**
   * Folders off the read list keep their requests in the ledger (and counting) until the user says
   * otherwise: spend whose transcripts are gone could never be read back.
   */
  private askToForget(folders: readonly UnreadFolder[]): void {
    const list = folders.map((u) => `${u.configDir} (${u.requests} request${u.requests === 1 ? '' : 's'}, ${formatUsd(u.costNanos)}${u.transcriptsGone ? `; ${u.transcriptsGone} transcript${u.transcriptsGone === 1 ? '' : 's'} already gone` : ''})`);
    this.opts.log.info(`the ledger holds requests from folders no longer read: ${list.join('; ')}; they stay until removed`);
    void vscode.window
      .showWarningMessage(`Credit Ledger: this ledger holds spend read from folders it no longer reads: ${list.join('; ')}. It still counts. Remove it from the ledger?`, 'Keep', 'Remove')
      .then((choice) => {
        if (choice === 'Remove') void this.forgetFolders(folders.map((u) => u.configDir));
      });
  }

  /** Removes from the ledger what was read from these folders, or every folder no longer read (the user said so), by reopening it. */
  async forgetFolders(configDirs: string[] | 'unread'): Promise<void> {
    await this.enqueue('remove folders no longer read', async () => {
      this.forgetOnOpen = configDirs;
      this.closeMeter();
      await this.openAndIngest();
    });
  }

  /** Appends a fact to the per-user journal, then replays it here (other windows see it through their watchers). */
  async recordFact(fact: Omit<Fact, 'id' | 'at'>): Promise<Fact> {
    const written = appendFact(this.opts.paths.journal, fact, new Date(this.clock()));
    this.opts.log.info(`journal: ${JSON.stringify(written)}`);
    await this.enqueue('journal fact', () => this.update(() => this.meterRef?.refreshFiles([])));
    return written;
  }

  /** Publishes what a sync with the shared ledger pulled into `meter` (ignored when the meter was replaced meanwhile). */
  async publishRemote(meter: Meter, update: MeterUpdate): Promise<void> {
    await this.enqueue('shared ledger', () => {
      if (this.meterRef === meter) this.publish(meter, update.balance, true);
    });
  }

  /** Saves now if the ledger changed (deactivate, rebuild, export). */
  saveNow(): void {
    const m = this.meterRef;
    if (!m) return;
    try {
      m.save();
    } catch (err) {
      this.opts.log.error(`saving the ledger failed: ${(err as Error).message}`);
    }
  }

  restartPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    const ms = this.opts.pollIntervalMs();
    if (ms > 0) this.pollTimer = setInterval(() => void this.refresh('poll'), ms);
  }

  // --- internals ---

  /** Runs `task` after everything queued before it; never rejects (a failure is logged and shown in the status). */
  private enqueue<T>(what: string, task: () => Promise<T> | T): Promise<T | undefined> {
    const run = this.queue.then(() => (this.isDisposed ? undefined : task()));
    const settled = run.catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      this.opts.log.error(`${what} failed: ${err instanceof Error ? (err.stack ?? message) : message}`);
      this.ingestProblems = [`${what} failed: ${message}`];
      this._onDidChange.fire();
      return undefined;
    });
    this.queue = settled;
    return settled;
  }

  private setPhase(phase: MeterPhase): void {
    this.phaseValue = phase;
    this._onDidChange.fire();
  }

  /** Whether the ledger was opened or the transcripts listed yet (the activation path must do neither). */
  get activity(): { ledgerOpened: boolean; transcriptsListed: boolean } {
    return { ledgerOpened: this.openStarted, transcriptsListed: this.discoveredFiles >= 0 };
  }

  private async openAndIngest(): Promise<void> {
    this.openStarted = true;
    const started = this.clock();
    const settings = this.opts.settings();
    this.configDirsValue = resolveConfigDirs(settings.configDirs);
    this.watch(); // before opening, so a folder created meanwhile or fixed settings are noticed
    let meter: Meter;
    try {
      // Loaded here, not at activation: sql.js and the engine stay out of the activation path.
      const { Meter } = await import('../core/meter/meter.js');
      const { PoolSettingsError } = await import('../core/pool/settings.js');
      try {
        const forgetFolders = this.forgetOnOpen;
        this.forgetOnOpen = undefined;
        meter = await Meter.open({ paths: this.opts.paths, settings, ledgerFile: this.opts.ledgerFile, writesSnapshot: true, clock: this.clock, forgetFolders, shared: this.opts.shared?.() ?? false });
      } catch (err) {
        if (err instanceof PoolSettingsError) {
          this.opts.log.warn(`settings problem: ${err.problems.join('; ')}`);
          this.rejectWaiters(new Error(`Credit Ledger cannot use its settings: ${err.problems.join('; ')}`));
          this.setPhase({ kind: 'settingsError', problems: err.problems });
          return;
        }
        throw err;
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.opts.log.error(`opening the ledger ${this.opts.ledgerFile} failed: ${err instanceof Error ? (err.stack ?? message) : message}`);
      this.rejectWaiters(new Error(message));
      this.setPhase({ kind: 'failed', error: message });
      return;
    }
    if (this.isDisposed) {
      meter.close();
      return;
    }
    this.meterRef = meter;
    this.revisionValue++;
    this.configDirsValue = meter.configDirs;
    this.openProblems = [];
    if (meter.ledger.recovered) {
      this.openProblems.push(meter.ledger.recovered);
      this.opts.log.warn(meter.ledger.recovered);
      void showWarning(`Credit Ledger: ${meter.ledger.recovered}`);
    }
    for (const p of meter.pricer.problems) {
      this.openProblems.push(`rate override ignored: ${p}`);
      this.opts.log.warn(`rate override ignored: ${p}`);
    }
    if (meter.droppedRequests) this.opts.log.info(`${meter.droppedRequests} request(s) from transcript folders no longer read were removed from the ledger, as asked`);
    if (meter.unreadFolders.length && !meter.ledger.readOnly) this.askToForget(meter.unreadFolders);
    if (meter.ledger.readOnly) this.opts.log.info(`${this.opts.ledgerFile} is locked by another process: reading it, following its saves`);
    this.opts.log.info(
      `meter open in ${this.clock() - started} ms: ledger ${this.opts.ledgerFile}${meter.ledger.readOnly ? ' (read-only)' : ''}; config dirs ${meter.configDirs.map((d) => `${d.projects}${d.exists ? '' : ' (missing)'}`).join(', ')}`,
    );
    if (meter.ledger.readOnly) this.watch(); // adds the watcher on the locked ledger file
    for (const w of this.readyWaiters.splice(0)) w.resolve(meter);
    await this.ingestAll(true);
  }

  private rejectWaiters(err: Error): void {
    for (const w of this.readyWaiters.splice(0)) w.reject(err);
  }

  private closeMeter(): void {
    const m = this.meterRef;
    if (!m) return;
    this.saveDebounce.dispose();
    this.saveNow();
    try {
      m.close();
    } catch (err) {
      this.opts.log.warn(`closing the ledger: ${(err as Error).message}`);
    }
    this.meterRef = undefined;
    this.journalMalformedLogged = 0;
  }

  private existenceChanged(): boolean {
    const now = resolveConfigDirs(this.opts.settings().configDirs);
    const was = this.configDirsValue;
    return now.length !== was.length || now.some((d, i) => d.projects !== was[i]!.projects || d.exists !== was[i]!.exists);
  }

  /** Runs a meter update and publishes its result. */
  private update(fn: () => MeterUpdate | undefined): void {
    const m = this.meterRef;
    if (!m) return;
    const result = fn();
    if (!result) return;
    this.publish(m, result.balance, changedBy(result));
  }

  private publish(m: Meter, balance: Balance, changed = true): void {
    if (changed) this.revisionValue++;
    this.balanceValue = balance;
    this.lastTurnValue = lastTurnOf(m);
    if (changed) this.offCardValue = offCardModels(m.ledger.db);
    if (m.ledger.isDirty) this.saveDebounce.trigger();
    if (this.phaseValue.kind !== 'ready') this.phaseValue = { kind: 'ready' };
    this._onDidChange.fire();
  }

  /**
   * Discovery + ingest of everything new, sliced when large; then the journal and the balance. What
   * meter.refresh() does, with one walk of the folders instead of two (a poll on a big history stays cheap).
   */
  private async ingestAll(first: boolean): Promise<void> {
    const m = this.meterRef;
    if (!m) return;
    const t0 = this.clock();
    const found = discover(m.configDirs);
    this.discoveredFiles = found.files.length;
    let pending = m.ledger.readOnly ? [] : pendingFiles(found.files, storedFiles(m.ledger.db));
    const total = pending.reduce((s, p) => s + p.bytes, 0);
    const sliceProblems: string[] = [];
    if (total > SLICE_THRESHOLD_BYTES) {
      const finished = await this.ingestSliced(m, pending, total, first, sliceProblems);
      if (!finished || this.meterRef !== m) return;
      pending = [];
    }
    // Requests of deleted transcripts stay (the money was spent); their files are only marked missing.
    if (!m.ledger.readOnly) m.ledger.markMissing(new Set(found.files.map((f) => f.path)));
    const result = m.refreshFiles(pending.map((p) => p.file));
    const problems = [...found.problems, ...result.ingest.problems].map((p) => `${p.path}: ${p.problem}`).concat(sliceProblems);
    const known = new Set(this.ingestProblems);
    for (const p of problems) if (!known.has(p)) this.opts.log.warn(`transcripts: ${p}`);
    this.ingestProblems = problems;
    if (result.ingest.malformedLines) this.opts.log.info(`skipped ${result.ingest.malformedLines} malformed transcript line(s); e.g. ${JSON.stringify(result.ingest.malformedSamples.slice(0, 3))}`);
    if (result.ingest.rejectedRequests) this.opts.log.warn(`rejected ${result.ingest.rejectedRequests} request line(s) whose usage no real request can carry (not priced); e.g. ${JSON.stringify(result.ingest.malformedSamples.find((m) => m.reason.startsWith(REJECTED_USAGE)))}`);
    if (m.malformedJournalLines > this.journalMalformedLogged) {
      this.journalMalformedLogged = m.malformedJournalLines;
      this.opts.log.warn(`journal: ${m.malformedJournalLines} malformed line(s) skipped${m.recoveredJournalFacts ? `, ${m.recoveredJournalFacts} fact(s) recovered from them` : ''}`);
    }
    if (first || total > 0) {
      this.opts.log.info(`refresh: ${found.files.length} files, ${(total / 1e6).toFixed(1)} MB to read, ${this.clock() - t0} ms`);
    }
    this.publish(m, result.balance, total > 0 || changedBy(result));
  }

  /** Returns false when cancelled or when the meter was replaced meanwhile. */
  private async ingestSliced(m: Meter, pending: ReturnType<typeof pendingFiles>, total: number, first: boolean, problems: string[]): Promise<boolean> {
    const started = this.clock();
    const generation = this.generation;
    let done = 0;
    let next = 0;
    let sliceBytes = INITIAL_SLICE_BYTES;
    let cancelled = false;
    let progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
    let finishProgress: (() => void) | undefined;
    let longestMs = 0;
    let slices = 0;
    const slow: string[] = [];
    const mb = (n: number): string => (n / 1e6).toFixed(n < 1e8 ? 1 : 0);
    this.opts.log.info(`reading ${mb(total)} MB of transcripts in ${pending.length} files, in slices`);
    try {
      while (next < pending.length) {
        if (this.isDisposed || this.meterRef !== m) return false;
        if (this.generation !== generation) {
          this.opts.log.info(`ingest interrupted after ${mb(done)} of ${mb(total)} MB: the meter reopens`);
          return false;
        }
        if (cancelled) {
          this.paused = true;
          this.opts.log.info(`ingest cancelled after ${mb(done)} of ${mb(total)} MB; run "Credit Ledger: Refresh" to continue`);
          this.ingestProblems = [`Reading the transcripts was cancelled after ${mb(done)} of ${mb(total)} MB: the balance is incomplete. Run "Credit Ledger: Refresh" to continue.`];
          this.publish(m, m.computeBalance());
          return false;
        }
        const { slice, next: after } = takeSlice(pending, next, sliceBytes);
        const t = performance.now();
        // Through the meter (not the ledger) so its cached spend rows learn what each slice changed; the balance,
        // corrections and snapshot wait for the end. A file larger than a slice is read a slice at a time.
        const r = m.ingestSlice(slice.map((p) => p.file), sliceBytes);
        for (const p of r.problems) problems.push(`${p.path}: ${p.problem}`);
        const bytes = r.bytesRead;
        const ms = performance.now() - t;
        longestMs = Math.max(longestMs, ms);
        slices++;
        if (ms > 50) slow.push(`#${slices} ${(bytes / 1e6).toFixed(2)} MB in ${slice.length} file(s): ${ms.toFixed(0)} ms`);
        sliceBytes = nextSliceBytes(bytes, ms, sliceBytes);
        const head = pending[next]!;
        if (slice.length === 1 && bytes > 0 && bytes < head.bytes) head.bytes -= bytes; // the rest of this file next time
        else next = after;
        const before = done;
        done = Math.min(total, done + bytes);
        if (first && this.phaseValue.kind === 'starting') {
          this.phaseValue = { kind: 'starting', progress: { done, total } };
          this._onDidChange.fire();
        }
        if (!progress && this.clock() - started > PROGRESS_AFTER_MS && next < pending.length) {
          void vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: 'Credit Ledger: reading Claude Code transcripts', cancellable: true },
            (p, token) => {
              progress = p;
              token.onCancellationRequested(() => (cancelled = true));
              p.report({ increment: (100 * done) / total, message: `${mb(done)} of ${mb(total)} MB` });
              return new Promise<void>((resolve) => (finishProgress = resolve));
            },
          );
        } else progress?.report({ increment: (100 * (done - before)) / total, message: `${mb(done)} of ${mb(total)} MB` });
        // Yield: file events, UI messages and other extensions run between slices.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      this.opts.log.info(`read ${mb(total)} MB in ${slices} slices, ${this.clock() - started} ms; longest slice ${longestMs.toFixed(0)} ms${slow.length ? `; over 50 ms: ${slow.slice(0, 5).join(', ')}` : ''}`);
      return true;
    } finally {
      finishProgress?.();
    }
  }

  private async ingestChanged(): Promise<void> {
    const paths = [...this.changedPaths];
    this.changedPaths.clear();
    if (!paths.length) return;
    await this.enqueue('file events', () =>
      this.update(() => {
        const m = this.meterRef;
        if (!m) return undefined;
        const files = paths.map((p) => describeFile(p, m.configDirs)).filter((f): f is TranscriptFile => f !== undefined);
        if (!files.length) return undefined;
        const t = performance.now();
        const r = m.refreshFiles(files);
        if (r.ingest.requestsAdded || r.ingest.requestsUpdated) this.opts.log.debug(`file events: ${files.length} file(s), +${r.ingest.requestsAdded} requests in ${(performance.now() - t).toFixed(0)} ms`);
        if (this.discoveredFiles === 0) this.discoveredFiles = files.length;
        return r;
      }),
    );
  }

  private onTranscriptEvent(uri: vscode.Uri): void {
    this.changedPaths.add(uri.fsPath);
    this.eventDebounce.trigger();
  }

  /** (Re)creates the watchers for the current config dirs, the journal, the settings file and a locked ledger. */
  private watch(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
    const add = (base: string, pattern: string, on: (uri: vscode.Uri) => void, events: { create?: boolean; change?: boolean } = { create: true, change: true }): void => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), pattern), !events.create, !events.change, true);
      if (events.create) w.onDidCreate(on);
      if (events.change) w.onDidChange(on);
      this.watchers.push(w);
    };
    for (const d of this.configDirsValue) {
      if (d.exists) add(d.projects, '**/*.jsonl', (uri) => this.onTranscriptEvent(uri));
      else if (isDirectory(path.dirname(d.projects))) {
        // The projects/ folder appears with Claude Code's first session: pick it up then.
        add(path.dirname(d.projects), path.basename(d.projects), () => void this.refresh('projects folder created'), { create: true });
      }
    }
    add(path.dirname(this.opts.paths.journal), path.basename(this.opts.paths.journal), () => this.journalDebounce.trigger());
    if (this.meterRef?.ledger.readOnly) add(path.dirname(this.opts.ledgerFile), path.basename(this.opts.ledgerFile), () => this.reopenDebounce.trigger());
  }

  private shutdown(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    for (const w of this.watchers.splice(0)) w.dispose();
    this.rejectWaiters(new Error('Credit Ledger was deactivated'));
    // Synchronous on purpose: deactivate gives no time for a queue; sql.js calls are synchronous anyway.
    this.closeMeter();
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Whether an update wrote anything (a poll that found nothing new changes nothing). */
function changedBy(r: MeterUpdate): boolean {
  return r.ingest.changedKeys.length > 0 || r.ingest.changedSessions.length > 0 || r.newFacts > 0 || (r.corrections?.changedKeys.length ?? 0) > 0;
}

function lastTurnOf(m: Meter): LastTurn | undefined {
  const r = m.ledger.db.exec('SELECT cost_nanos, ts, model, session_id, priced FROM requests ORDER BY ts DESC LIMIT 1');
  if (!r.length || !r[0]!.values.length) return undefined;
  const v = r[0]!.values[0]!;
  return { costNanos: Number(v[0]), at: Number(v[1]), model: String(v[2]), sessionId: String(v[3]), priced: Number(v[4]) === 1 };
}
