// The composition root: builds every part once, wires them, and owns their disposal (DESIGN.md house style 1).
// The constructor is the activation path: no database, no transcript scan; the balance snapshot is shown at once
// and the meter opens right after activation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ignoreLoopFact } from '../core/audit/facts';
import { resolveAuditThresholds } from '../core/audit/settings';
import type { AuditThresholds } from '../core/audit/types';
import { contextWarningSettingsFrom, DEFAULT_MAX_IDLE_MS } from '../core/hook/contextWarnings';
import { refreshInstalledHook } from '../core/hook/install';
import { latestContexts } from '../core/hook/ledgerContexts';
import { resolveHookSettings } from '../core/hook/settings';
import { isBalanceSnapshot, type BalanceSnapshot } from '../core/pool/snapshot';
import type { Balance } from '../core/pool/types';
import { createPricer, type Pricer } from '../core/pricing/pricer';
import type { PanelModel } from '../core/reports/panelModel';
import { userPaths, type UserPaths } from '../core/state/paths';
import { userRateCard } from '../core/pricing/rateFile';
import { registerCommands } from './commands';
import { DiffPreview } from './hookCommands';
import { Disposable, toDisposable } from './lifecycle';
import { LiveMeter } from './liveMeter';
import { LiveLoopLine, LoopAudit } from './loopAudit';
import { PlanFit } from './planFit';
import { ThresholdNotifier } from './notifier';
import { buildLedgerPanelModel, createLedgerPanelHost, type LedgerPanelHost, type PanelTab } from './panelBridge';
import type { PanelModelRequest, PanelSource } from './panelSource';
import { SettingsSync } from './settingsSync';
import { sharedConfigured, SharedLedgerSync } from './sharedSync';
import { sharedNotices } from './statusModel';
import { BalanceStatusBar } from './statusBar';
import { presentStatus, type StatusInput, type StatusView } from './statusModel';
import { registerTerminalRuns } from './terminal/terminalRuns';
import { registerContextWarnings } from './warnings/contextWarnings';

/** What `activate` returns: for the in-VS-Code tests and for other extensions that want the balance. */
/** What activation did: its time for the log and the benchmark; whether it opened the ledger or listed transcripts (it must not). */
export interface ActivationRecord {
  activateMs: number;
  loadMs: number;
  ledgerOpened: boolean;
  transcriptsListed: boolean;
}

export interface CreditLedgerApi {
  /** Resolves when the meter has opened and every queued update has run. */
  whenIdle(): Promise<void>;
  balance(): Balance | undefined;
  status(): StatusView | undefined;
  readonly ledgerFile: string;
  /** How long `activate` took, and how long before it the bundle began evaluating (module init + VS Code's own steps), ms. */
  readonly activation: ActivationRecord;
  /** The status bar's "loop running now" line, checked now (tests). */
  checkLiveLoop(): Promise<string | null>;
  /** Handles a message as if the open ledger panel's webview had sent it (tests; false when no panel is open). */
  panelMessage(message: unknown): Promise<boolean>;
}

export class CreditLedgerExtension extends Disposable implements PanelSource {
  readonly paths: UserPaths;
  private readonly settings: SettingsSync;
  private readonly live: LiveMeter;
  private readonly shared: SharedLedgerSync;
  private readonly statusBar: BalanceStatusBar;
  private readonly notifier: ThresholdNotifier;
  private readonly audit: LoopAudit;
  private readonly planFit: PlanFit;
  private readonly liveLoop: LiveLoopLine;
  private readonly snapshot: BalanceSnapshot | undefined;
  private started: Promise<void> | undefined;
  private hasTranscripts: boolean | undefined;
  private panels: LedgerPanelHost | undefined;
  private auditSettingProblems = '';
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  /** The panel's change signal: the meter's changes and a new audit report. */
  readonly onDidChange: vscode.Event<void> = this._onDidChange.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.paths = userPaths();
    const ledgerFile = context.storageUri ? path.join(context.storageUri.fsPath, 'ledger.sqlite') : this.paths.userLedger;
    this.settings = this._register(new SettingsSync(this.paths, log));
    this.live = this._register(
      new LiveMeter({ paths: this.paths, ledgerFile, log, settings: () => this.settings.effective, pollIntervalMs: () => this.settings.pollIntervalMs, shared: () => sharedConfigured(this.settings.effective) }),
    );
    this.shared = this._register(new SharedLedgerSync({ live: this.live, paths: this.paths, settings: () => this.settings.effective, secrets: context.secrets, log }));
    this.notifier = this._register(new ThresholdNotifier({ journal: this.paths.journal, log, notifyAt: () => this.settings.display.notifyAt }));
    const thresholds = (): AuditThresholds => this.auditThresholds();
    this.audit = this._register(new LoopAudit({ live: this.live, thresholds, log }));
    this.planFit = this._register(new PlanFit({ live: this.live, thresholds, log }));
    this.liveLoop = this._register(new LiveLoopLine({ live: this.live, thresholds, log }));
    this.statusBar = this._register(new BalanceStatusBar());
    this.snapshot = readSnapshot(this.paths.snapshot);
    this.render();

    this._register(this.live.onDidChange(() => this.onMeterChange()));
    this._register(this.audit.onDidChange(() => this._onDidChange.fire()));
    this._register(this.planFit.onDidChange(() => this._onDidChange.fire()));
    this._register(this.liveLoop.onDidChange(() => this.render()));
    this._register(this.shared.onDidChange(() => this.onMeterChange()));
    this._register(
      this.settings.onDidChange((change) => {
        if (change.keys.includes('pollIntervalSeconds')) this.live.restartPolling();
        if (change.reopen) void this.live.reopen(change.fromFile ? 'the per-user settings file changed' : `settings changed: ${change.keys.join(', ')}`);
        else this.onMeterChange();
      }),
    );
    const preview = this._register(new DiffPreview());
    const hooks = { paths: this.paths, extensionPath: context.extensionUri.fsPath, log, preview };
    for (const d of registerCommands({ live: this.live, settings: this.settings, log, openPanel: (tab) => this.openPanel(tab), clock: Date.now, audit: this.audit, hooks, planFit: () => this.planFit.comparison(false), shared: this.shared })) this._register(d);
    this.panels = this._register(createLedgerPanelHost(context.extensionUri, this));
    this.registerOtherFeatures();

    // Off the activation path: the first macrotask after activate returns.
    const timer = setTimeout(() => void this.start(), 0);
    this._register(toDisposable(() => clearTimeout(timer)));
  }

  /** Set by main.ts once activate has returned its value. */
  activation: ActivationRecord = { activateMs: NaN, loadMs: NaN, ledgerOpened: false, transcriptsListed: false };

  /** Called by main.ts as activate returns: what the activation path took and did. */
  recordActivation(activateMs: number, loadMs: number): void {
    this.activation = { activateMs, loadMs, ...this.live.activity };
  }

  get api(): CreditLedgerApi {
    const root = this;
    return {
      get activation() {
        return root.activation;
      },
      whenIdle: async () => {
        await (this.started ?? this.start());
        await this.live.settled();
      },
      balance: () => this.live.balance,
      status: () => this.statusBar.view,
      ledgerFile: this.live.ledgerFile,
      checkLiveLoop: () => this.liveLoop.check(),
      panelMessage: async (message) => {
        const panel = this.panels?.current();
        if (!panel) return false;
        await panel.receive(message);
        return true;
      },
    };
  }

  /** `claude -p` runs in terminals and the long-context warnings (their modules are the other engineers'; wired here). */
  private registerOtherFeatures(): void {
    const live = this.live;
    const pricer = (): Pricer => live.meter?.pricer ?? createPricer(userRateCard(this.paths).card, this.settings.effective.rateOverrides ?? null);
    this._register(
      registerTerminalRuns({
        log: this.log,
        journalPath: this.paths.journal,
        settings: () => this.settings.effective,
        balance: () => live.balance,
        ledger: () => live.meter?.ledger.db,
        refresh: () => live.refresh('claude -p run ended'),
      }),
    );
    this._register(
      registerContextWarnings({
        onDidUpdate: live.onDidChange,
        // Only once the first ingest is done: sessions read then are history, not news.
        latestContexts: () => (live.meter && live.phase.kind === 'ready' ? latestContexts(live.meter.ledger.db, Date.now() - DEFAULT_MAX_IDLE_MS) : []),
        journal: this.paths.journal,
        knownFacts: () => live.meter?.journalFacts ?? [],
        settings: () => contextWarningSettingsFrom(resolveHookSettings(this.settings.effective.hook)),
        pricer,
        log: this.log,
        openSession: () => this.openPanel('sessions'),
        turnOff: (kind) => this.settings.update(kind === 'tier' ? { warningsLongContextTier: false } : { warningsOverThreshold: false }),
      }),
    );
  }

  /** The audit's thresholds from the per-user settings (`audit`, mirrored from creditLedger.audit.*); problems logged once. */
  private auditThresholds(): AuditThresholds {
    const resolved = resolveAuditThresholds(this.settings.effective.audit);
    const problems = resolved.settingProblems.join('; ');
    if (problems && problems !== this.auditSettingProblems) this.log.warn(`audit settings: ${problems}`);
    this.auditSettingProblems = problems;
    return resolved.thresholds;
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      const t = performance.now();
      this.settings.start();
      this.live.restartPolling();
      await this.live.start();
      this.log.info(`first refresh done ${Math.round(performance.now() - t)} ms after activation`);
      this.refreshHookLauncher();
    })();
    return this.started;
  }

  /** An installed hook runs a copy of dist/hook.js: keep it in step with this version of the extension. */
  private refreshHookLauncher(): void {
    try {
      if (refreshInstalledHook(this.paths, path.join(this.context.extensionUri.fsPath, 'dist', 'hook.js'))) this.log.info('the installed Claude Code hook launcher is up to date');
    } catch (err) {
      this.log.warn(`refreshing the installed hook launcher failed: ${(err as Error).message}`);
    }
  }

  private onMeterChange(): void {
    this._onDidChange.fire();
    this.render();
    const b = this.live.balance;
    const m = this.live.meter;
    if (b && m && this.live.phase.kind === 'ready') void this.notifier.check(b, m.journalFacts);
  }

  private statusInput(): StatusInput {
    const common = { now: Date.now(), warnShare: this.settings.display.warnShare, problems: this.live.problems, readOnly: this.live.readOnly };
    const phase = this.live.phase;
    switch (phase.kind) {
      case 'settingsError':
        return { ...common, kind: 'settingsError', settingsProblems: phase.problems };
      case 'failed':
        return { ...common, kind: 'failed', error: phase.error };
      case 'starting':
        if (!this.live.configDirs.some((d) => d.exists)) return { ...common, kind: 'noTranscripts', paths: this.live.configDirs.map((d) => d.projects) };
        return { ...common, kind: 'starting', snapshot: this.snapshot, progress: phase.progress };
      case 'ready': {
        const balance = this.live.balance;
        if (this.live.noTranscripts || !balance) return { ...common, kind: 'noTranscripts', paths: this.live.configDirs.map((d) => d.projects) };
        return { ...common, kind: 'balance', balance, lastTurn: this.live.lastTurn, loopLine: this.liveLoop.line, offCard: this.live.offCard, shared: this.shared.line(balance) };
      }
    }
  }

  private render(): void {
    const view = presentStatus(this.statusInput());
    this.statusBar.render(view);
    // The walkthrough's "transcript folders" step completes by itself once the ledger has transcripts.
    const has = this.live.phase.kind === 'ready' && !this.live.noTranscripts;
    if (has !== this.hasTranscripts) {
      this.hasTranscripts = has;
      void vscode.commands.executeCommand('setContext', 'creditLedger.hasTranscripts', has);
    }
  }

  private openPanel(tab?: PanelTab): void {
    this.panels?.open(tab);
  }

  // --- PanelSource ---

  async getModel(request: PanelModelRequest = { section: 'overview' }): Promise<PanelModel> {
    await this.live.whenOpen();
    await this.live.settled();
    const meter = await this.live.whenOpen(); // a reopen may have replaced it while settling
    const balance = this.live.balance ?? meter.computeBalance();
    // The audit costs up to ~1 s on a big ledger: only for the Audit tab, cached until the ledger changes.
    if (request.section === 'audit') this.audit.ensure();
    const audit = this.audit.current;
    const notices: string[] = [];
    if (this.live.phase.kind === 'starting') notices.push('Reading Claude Code transcripts…');
    if (this.live.readOnly) notices.push('Another window or process writes this ledger; this window follows its saves.');
    notices.push(...this.live.problems);
    notices.push(...sharedNotices(this.shared.line(balance), Date.now()));
    return buildLedgerPanelModel({
      db: meter.ledger.db,
      balance,
      pricer: meter.pricer,
      timezone: balance.timezone,
      workspaceCwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null,
      allowLabels: this.settings.effective.allowLabels === true,
      now: Date.now(),
      notices,
      audit: audit.report,
      auditPending: audit.stale && request.section === 'audit',
      facts: meter.journalFacts,
      // The comparison is a part of the Overview, not a reason to fail the whole panel.
      plans: await this.planFit.comparison(request.section === 'overview').catch((err: unknown) => {
        this.log.warn(`plan comparison failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return undefined;
      }),
    });
  }

  runCommand(id: string, args: unknown[]): Thenable<unknown> {
    return vscode.commands.executeCommand(id, ...args);
  }

  async ignoreLoop(loopId: string, ignore: boolean): Promise<void> {
    // live.recordFact appends to the per-user journal (userPaths().journal) and replays it into this meter.
    await this.live.recordFact(ignoreLoopFact(loopId, ignore));
    await this.audit.report(true);
  }
}

function readSnapshot(file: string): BalanceSnapshot | undefined {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    // A snapshot of a cycle that has ended says nothing about this one.
    return isBalanceSnapshot(v) && Date.parse(v.cycle.end) > Date.now() ? v : undefined;
  } catch {
    return undefined;
  }
}
