// The composition root: builds every part once, wires them, and owns their disposal (DESIGN.md house style 1).
// The constructor is the activation path: no database, no transcript scan; the balance snapshot is shown at once
// and the meter opens right after activation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isBalanceSnapshot, type BalanceSnapshot } from '../core/pool/snapshot';
import type { Balance } from '../core/pool/types';
import { userPaths, type UserPaths } from '../core/state/paths';
import { registerCommands } from './commands';
import { Disposable, toDisposable } from './lifecycle';
import { LiveMeter } from './liveMeter';
import { ThresholdNotifier } from './notifier';
import { buildLedgerPanelModel, openLedgerPanel, registerLedgerPanelSerializer, type PanelTab } from './panelBridge';
import type { PanelSource } from './panelSource';
import { SettingsSync } from './settingsSync';
import { BalanceStatusBar } from './statusBar';
import { presentStatus, type StatusInput, type StatusView } from './statusModel';
import type { PanelModel } from '../core/reports/panelModel';

/** What `activate` returns: for the in-VS-Code tests and for other extensions that want the balance. */
export interface CreditLedgerApi {
  /** Resolves when the meter has opened and every queued update has run. */
  whenIdle(): Promise<void>;
  balance(): Balance | undefined;
  status(): StatusView | undefined;
  readonly ledgerFile: string;
  /** How long `activate` took, and how long before it the bundle began evaluating (module init + VS Code's own steps), ms. */
  readonly activation: { activateMs: number; loadMs: number };
}

export class CreditLedgerExtension extends Disposable implements PanelSource {
  readonly paths: UserPaths;
  private readonly settings: SettingsSync;
  private readonly live: LiveMeter;
  private readonly statusBar: BalanceStatusBar;
  private readonly notifier: ThresholdNotifier;
  private readonly snapshot: BalanceSnapshot | undefined;
  private started: Promise<void> | undefined;
  private hasTranscripts: boolean | undefined;
  readonly onDidChange: vscode.Event<void>;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.paths = userPaths();
    const ledgerFile = context.storageUri ? path.join(context.storageUri.fsPath, 'ledger.sqlite') : this.paths.userLedger;
    this.settings = this._register(new SettingsSync(this.paths, log));
    this.live = this._register(
      new LiveMeter({ paths: this.paths, ledgerFile, log, settings: () => this.settings.effective, pollIntervalMs: () => this.settings.pollIntervalMs }),
    );
    this.onDidChange = this.live.onDidChange;
    this.notifier = this._register(new ThresholdNotifier({ journal: this.paths.journal, log, notifyAt: () => this.settings.display.notifyAt }));
    this.statusBar = this._register(new BalanceStatusBar());
    this.snapshot = readSnapshot(this.paths.snapshot);
    this.render();

    this._register(this.live.onDidChange(() => this.onMeterChange()));
    this._register(
      this.settings.onDidChange((change) => {
        if (change.keys.includes('pollIntervalSeconds')) this.live.restartPolling();
        if (change.reopen) void this.live.reopen(change.fromFile ? 'the per-user settings file changed' : `settings changed: ${change.keys.join(', ')}`);
        else this.onMeterChange();
      }),
    );
    for (const d of registerCommands({ live: this.live, settings: this.settings, log, openPanel: (tab) => this.openPanel(tab), clock: Date.now })) this._register(d);
    this._register(registerLedgerPanelSerializer(context, this));

    // Off the activation path: the first macrotask after activate returns.
    const timer = setTimeout(() => void this.start(), 0);
    this._register(toDisposable(() => clearTimeout(timer)));
  }

  /** Set by main.ts once activate has returned its value. */
  activation = { activateMs: NaN, loadMs: NaN };

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
    };
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      const t = performance.now();
      this.settings.start();
      this.live.restartPolling();
      await this.live.start();
      this.log.info(`first refresh done ${Math.round(performance.now() - t)} ms after activation`);
    })();
    return this.started;
  }

  private onMeterChange(): void {
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
        return { ...common, kind: 'balance', balance, lastTurn: this.live.lastTurn };
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
    openLedgerPanel(this.context.extensionUri, this, tab);
  }

  // --- PanelSource ---

  async getModel(): Promise<PanelModel> {
    await this.live.whenOpen();
    await this.live.settled();
    const meter = await this.live.whenOpen(); // a reopen may have replaced it while settling
    const balance = this.live.balance ?? meter.computeBalance();
    const notices: string[] = [];
    if (this.live.phase.kind === 'starting') notices.push('Reading Claude Code transcripts…');
    if (this.live.readOnly) notices.push('Another window or process writes this ledger; this window follows its saves.');
    notices.push(...this.live.problems);
    return buildLedgerPanelModel({
      db: meter.ledger.db,
      balance,
      pricer: meter.pricer,
      timezone: balance.timezone,
      workspaceCwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null,
      allowLabels: this.settings.effective.allowLabels === true,
      now: Date.now(),
      notices,
    });
  }

  runCommand(id: string, args: unknown[]): Thenable<unknown> {
    return vscode.commands.executeCommand(id, ...args);
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
