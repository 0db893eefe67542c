// The shared ledger in VS Code: syncs the window's meter with PostgreSQL after the first ingest, then on a
// timer and a few seconds after local changes, always off the activation path and off the meter's queue
// while the network is waited on (core/sync/meterSync does the work, as for the CLI). The password comes
// from SecretStorage (or PGPASSWORD / a PGPASSFILE), never from settings.json.
import * as vscode from 'vscode';
import type { Meter } from '../core/meter/meter';
import type { Balance } from '../core/pool/types';
import type { UserPaths } from '../core/state/paths';
import type { UserSettings } from '../core/state/settings';
import type { SharedLedgerSetup, SyncStatus } from '../core/sync/meterSync';
import { outboxSize } from '../core/sync/outbox';
import { SHARED_LEDGER_PASSWORD_SECRET } from './ids';
import { Debouncer, Disposable, toDisposable } from './lifecycle';
import type { LiveMeter } from './liveMeter';
import type { SharedLine } from './statusModel';

export interface SharedSyncOptions {
  live: LiveMeter;
  paths: UserPaths;
  settings: () => UserSettings;
  secrets: vscode.SecretStorage;
  log: vscode.LogOutputChannel;
  /** Between syncs when nothing changed here (others' pushes arrive with it). */
  intervalMs?: number;
  /** After a local change, how long to gather more before pushing. */
  pushDelayMs?: number;
}

/** Whether a shared ledger is configured (setting or CREDIT_LEDGER_DATABASE_URL); cheap, no network. */
export function sharedConfigured(settings: UserSettings, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!(env.CREDIT_LEDGER_DATABASE_URL?.trim() || (typeof settings.databaseUrl === 'string' && settings.databaseUrl.trim()));
}

export class SharedLedgerSync extends Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange: vscode.Event<void> = this._onDidChange.event;
  private running: Promise<void> | undefined;
  private again = false;
  private status: SyncStatus | undefined;
  /** Other machines' spend this cycle, from the last sync: this machine's is the balance minus theirs (no per-render scan). */
  private othersNanos = 0;
  private lastError: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly pushSoon: Debouncer;
  /** The password from SecretStorage, read once and on change (a sync never waits on the workbench for it). */
  private password: Promise<string | undefined>;

  constructor(private readonly opts: SharedSyncOptions) {
    super();
    this.password = this.readPassword();
    this._register(
      opts.secrets.onDidChange((e) => {
        if (e.key === SHARED_LEDGER_PASSWORD_SECRET) this.password = this.readPassword();
      }),
    );
    this.pushSoon = this._register(new Debouncer(opts.pushDelayMs ?? 5000, () => void this.syncNow('local change')));
    this._register(toDisposable(() => this.timer && clearInterval(this.timer)));
    let lastRevision = -1;
    this._register(
      opts.live.onDidChange(() => {
        if (!this.configured || opts.live.phase.kind !== 'ready') return;
        if (!this.timer) {
          this.timer = setInterval(() => void this.syncNow('timer'), opts.intervalMs ?? 60_000);
          void this.syncNow('first ingest done');
        } else if (opts.live.revision !== lastRevision && this.hasOutbox()) this.pushSoon.trigger();
        lastRevision = opts.live.revision;
      }),
    );
  }

  private async readPassword(): Promise<string | undefined> {
    try {
      return (await this.opts.secrets.get(SHARED_LEDGER_PASSWORD_SECRET)) || undefined;
    } catch (err) {
      this.opts.log.warn(`reading the shared ledger password from SecretStorage: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Stores (empty: removes) the password and uses it from now on. */
  async setPassword(password: string): Promise<void> {
    if (password === '') await this.opts.secrets.delete(SHARED_LEDGER_PASSWORD_SECRET);
    else await this.opts.secrets.store(SHARED_LEDGER_PASSWORD_SECRET, password);
    this.password = Promise.resolve(password || undefined);
  }

  /** Something read here waits for the server (what a pull brought in never does: no sync loop). */
  private hasOutbox(): boolean {
    const m = this.opts.live.meter;
    try {
      return !!m && !m.ledger.readOnly && outboxSize(m.ledger.db) > 0;
    } catch {
      return false;
    }
  }

  get configured(): boolean {
    return sharedConfigured(this.opts.settings());
  }

  /** What the status bar's tooltip shows; undefined when no shared ledger is configured. */
  line(balance: Balance | undefined): SharedLine | undefined {
    const s = this.status;
    if (!this.configured) return undefined;
    if (!s) return { where: '', machines: [], lastSync: null, error: this.lastError ?? null, outbox: 0 };
    return {
      where: s.where,
      lastSync: s.lastSync,
      error: this.lastError ?? null,
      outbox: s.outbox,
      machines: s.machines.map((m) => ({ label: m.label, thisMachine: m.thisMachine, lastSync: m.lastPull ?? m.lastPush, spentNanos: m.thisMachine && balance ? Math.max(0, balance.spentNanos - this.othersNanos) : m.spentNanos })),
    };
  }

  /** The panel's lines: machines, when each last synced, spend per machine. */
  get current(): SyncStatus | undefined {
    return this.status;
  }

  /** One sync now (a second request during a sync runs once more after it). */
  syncNow(reason: string): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run(reason).finally(() => {
      this.running = undefined;
      if (this.again && !this.isDisposed) {
        this.again = false;
        void this.syncNow('changes during the last sync');
      }
    });
    return this.running;
  }

  private async run(reason: string): Promise<void> {
    const live = this.opts.live;
    const meter = live.meter;
    if (!meter || live.phase.kind !== 'ready' || !this.configured) return;
    if (meter.ledger.readOnly) return; // the window that writes this ledger syncs it
    const { sharedLedgerSetup, syncMeter, syncStatus } = await import('../core/sync/meterSync.js');
    let setup: SharedLedgerSetup | undefined;
    const started = Date.now();
    if (reason === 'command') this.opts.log.info('shared ledger: syncing now (command)');
    try {
      setup = sharedLedgerSetup(this.opts.paths, this.opts.settings(), process.env, undefined, { password: await this.password });
      if (!setup) return;
      const synced = await syncMeter(meter, setup);
      const r = synced.result;
      this.opts.log.info(`shared ledger (${reason}): pushed ${r.pushed.requests} request(s), ${r.pushed.facts} fact(s); pulled ${r.pulled.requests} request(s), ${r.pulled.facts} fact(s) in ${Date.now() - started} ms`);
      this.lastError = undefined;
      await live.publishRemote(meter, synced.update);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError) this.opts.log.warn(`shared ledger (${reason}): ${message}`);
      this.lastError = message;
    }
    if (setup && live.meter === meter) this.refreshStatus(meter, setup, syncStatus);
    this._onDidChange.fire();
  }

  private refreshStatus(meter: Meter, setup: SharedLedgerSetup, syncStatus: typeof import('../core/sync/meterSync').syncStatus): void {
    const balance = this.opts.live.balance;
    if (!balance) return;
    try {
      this.status = syncStatus(meter, setup, balance);
      this.othersNanos = this.status.machines.filter((m) => !m.thisMachine).reduce((s, m) => s + m.spentNanos, 0);
    } catch (err) {
      this.opts.log.warn(`shared ledger status: ${(err as Error).message}`);
    }
  }
}
