// The loop audit as the extension runs it: computed over the live meter only when asked (the Audit tab shown, the
// command run), cached until the ledger changes, and recomputed at most every MIN_INTERVAL_MS while changes stream
// in (a running session writes every few seconds; a full audit costs up to ~1 s on a big ledger). Also the status
// bar's "loop running now" line, from a cheap audit of the last two hours.
import * as vscode from 'vscode';
import type { AuditWindow } from '../core/audit/input';
import type { AuditReport, AuditThresholds } from '../core/audit/types';
import type { Meter } from '../core/meter/meter';
import { Disposable, toDisposable } from './lifecycle';
import type { LiveMeter } from './liveMeter';

/** Between two recomputations of a stale audit, unless the user asks (Audit Again, Ignore). */
const MIN_INTERVAL_MS = 30_000;

export interface LoopAuditDeps {
  live: LiveMeter;
  /** The effective thresholds (settings file `audit` over the defaults), read on every use. */
  thresholds(): AuditThresholds;
  log: vscode.LogOutputChannel;
  clock?: () => number;
  /** The requests to audit (the plan comparison's trailing month); every request when absent. */
  window?: (meter: Meter, now: number) => Partial<AuditWindow>;
}

interface Cached {
  key: string;
  report: AuditReport;
  computedAt: number;
}

/** The audit core loads with the meter (after activation), not with the extension. */
async function auditCore(): Promise<typeof import('../core/audit/index')> {
  return import('../core/audit/index.js');
}

export class LoopAudit extends Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  /** Fires when a new report is ready. */
  readonly onDidChange: vscode.Event<void> = this._onDidChange.event;
  private cached: Cached | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<AuditReport | undefined> | undefined;
  private readonly clock: () => number;

  constructor(private readonly deps: LoopAuditDeps) {
    super();
    this.clock = deps.clock ?? Date.now;
    this._register(toDisposable(() => this.timer && clearTimeout(this.timer)));
  }

  /** What a report depends on: the ledger's content, the meter (plan, prices) and the thresholds. */
  private keyOf(meter: Meter | undefined): string {
    const window = meter && this.deps.window ? JSON.stringify(this.deps.window(meter, this.clock())) : '';
    const m = meter ? `${meter.ledger.file ?? 'memory'}|${JSON.stringify(meter.poolSettings)}|${meter.pricer.fingerprint}|${window}` : 'none';
    return `${this.deps.live.revision}|${m}|${JSON.stringify(this.deps.thresholds())}`;
  }

  /** The last report (possibly of an older ledger) and whether a newer one is due. */
  get current(): { report: AuditReport | null; stale: boolean } {
    const c = this.cached;
    return { report: c?.report ?? null, stale: !c || c.key !== this.keyOf(this.deps.live.meter) };
  }

  /** Makes sure a fresh report is on its way (at once the first time, else at most every MIN_INTERVAL_MS). */
  ensure(): void {
    if (!this.current.stale || this.running || this.timer || this.isDisposed) return;
    const since = this.cached ? this.clock() - this.cached.computedAt : Infinity;
    const delay = Math.max(0, MIN_INTERVAL_MS - since);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.compute();
    }, delay);
  }

  /** A report of the ledger as it is now: the cached one when nothing changed, else computed now (`force`: always). */
  async report(force = false): Promise<AuditReport | undefined> {
    await this.deps.live.whenOpen();
    await this.deps.live.settled();
    if (!force && !this.current.stale) return this.cached!.report;
    if (this.running) await this.running;
    if (!force && !this.current.stale) return this.cached!.report;
    return this.compute();
  }

  private compute(): Promise<AuditReport | undefined> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = (async (): Promise<AuditReport | undefined> => {
      const meter = this.deps.live.meter;
      if (!meter || this.isDisposed) return undefined;
      const { auditMeter } = await auditCore();
      if (meter !== this.deps.live.meter) return undefined; // reopened meanwhile: the next ensure() computes anew
      const key = this.keyOf(meter);
      const t = performance.now();
      // Every loop, ignored ones too (flagged): the panel hides them unless asked, and can take an ignore back.
      const window = this.deps.window?.(meter, this.clock());
      const report = auditMeter(meter, { thresholds: this.deps.thresholds(), includeIgnored: true, window });
      const ms = performance.now() - t;
      this.cached = { key, report, computedAt: this.clock() };
      this.deps.log.info(`loop audit${window ? ' (the trailing month)' : ''}: ${report.summary.loops} loop(s), ${report.summary.examined.requests} requests examined in ${ms.toFixed(0)} ms`);
      this._onDidChange.fire();
      return report;
    })().catch((err: unknown) => {
      this.deps.log.error(`loop audit failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return undefined;
    });
    const tracked: Promise<AuditReport | undefined> = run.finally(() => {
      if (this.running === tracked) this.running = undefined;
    });
    this.running = tracked;
    return run;
  }
}

/** The status bar line for a loop running now; recomputed on ledger changes (coalesced), and each minute while shown. */
export class LiveLoopLine extends Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange: vscode.Event<void> = this._onDidChange.event;
  private lineValue: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastRun = -Infinity;
  private readonly clock: () => number;

  /** How far back the live audit looks: long enough for a loop to show as one. */
  static readonly WINDOW_MS = 2 * 60 * 60 * 1000;
  /**
   * Between two live audits. Measured on the 500 MB bench ledger (20,954 requests): 18-46 ms over a two-hour window,
   * so each ledger update could afford one; coalescing keeps a busy session from paying it every few seconds.
   */
  static readonly MIN_INTERVAL_MS = 10_000;
  /** While a line shows, check again this often so it goes away when the loop stops. */
  static readonly RECHECK_MS = 60_000;

  constructor(private readonly deps: LoopAuditDeps) {
    super();
    this.clock = deps.clock ?? Date.now;
    this._register(deps.live.onDidChange(() => this.schedule()));
    this._register(toDisposable(() => this.timer && clearTimeout(this.timer)));
  }

  get line(): string | null {
    return this.lineValue;
  }

  /** Checks soon: at once if the last check is old enough, else when it is. */
  schedule(delay?: number): void {
    if (this.isDisposed) return;
    const wait = delay ?? Math.max(0, this.lastRun + LiveLoopLine.MIN_INTERVAL_MS - this.clock());
    if (this.timer) {
      if (delay === undefined) return; // one is already due
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.check();
    }, wait);
  }

  /** Runs the check now (tests, and the timer). */
  async check(): Promise<string | null> {
    this.lastRun = this.clock();
    const next = await this.compute().catch((err: unknown) => {
      this.deps.log.warn(`live loop check failed: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    });
    if (next !== this.lineValue) {
      this.lineValue = next;
      this._onDidChange.fire();
    }
    if (next !== null) this.schedule(LiveLoopLine.RECHECK_MS);
    return next;
  }

  private async compute(): Promise<string | null> {
    const live = this.deps.live;
    const meter = live.meter;
    if (!meter || live.phase.kind !== 'ready') return null;
    const thresholds = this.deps.thresholds();
    const now = this.clock();
    // No request in the live window: no loop can be running; skip the audit altogether.
    const last = live.lastTurn;
    if (!last || now - last.at > thresholds.liveWindowMinutes * 60_000) return null;
    const { auditMeter, liveLoopLine } = await auditCore();
    if (meter !== live.meter) return this.lineValue;
    const report = auditMeter(meter, { thresholds, window: { since: now - LiveLoopLine.WINDOW_MS } });
    return liveLoopLine(report, now);
  }
}
