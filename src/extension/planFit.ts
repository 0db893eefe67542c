// "Which plan fits my work?" in VS Code: the trailing month against every plan for the Overview tab and the Set Plan
// quick pick. The comparison itself is cheap (the pool's rows of 30 days); the month's loop audit is not, so it runs
// as its own cached LoopAudit over the trailing window and the comparison takes its last report.
import * as vscode from 'vscode';
import type { AuditThresholds } from '../core/audit/types';
import type { PlanComparison } from '../core/plans/comparison';
import { trailingWindow } from '../core/plans/window';
import { Disposable } from './lifecycle';
import type { LiveMeter } from './liveMeter';
import { LoopAudit } from './loopAudit';

export interface PlanFitDeps {
  live: LiveMeter;
  thresholds(): AuditThresholds;
  log: vscode.LogOutputChannel;
  clock?: () => number;
}

export class PlanFit extends Disposable {
  private readonly audit: LoopAudit;
  private readonly clock: () => number;
  /** Fires when the month's audit has a new report (the biggest loop may have changed). */
  readonly onDidChange: vscode.Event<void>;

  constructor(private readonly deps: PlanFitDeps) {
    super();
    this.clock = deps.clock ?? Date.now;
    this.audit = this._register(new LoopAudit({ ...deps, window: (meter, now) => trailingWindow(now, meter.poolSettings.timezone) }));
    this.onDidChange = this.audit.onDidChange;
  }

  /**
   * The comparison of the ledger as it is now, with the month's biggest loop from the last audit report; undefined
   * until the ledger is open. Nothing waits on the audit; `refreshLoop` starts a fresh one if the ledger changed
   * (the Overview tab shown), and onDidChange says when it is ready.
   */
  async comparison(refreshLoop: boolean): Promise<PlanComparison | undefined> {
    const meter = this.deps.live.meter;
    if (!meter) return undefined;
    const { comparePlans } = await import('../core/plans/comparison.js');
    if (meter !== this.deps.live.meter) return undefined;
    const window = trailingWindow(this.clock(), meter.poolSettings.timezone);
    if (refreshLoop) this.audit.ensure();
    return comparePlans({
      pool: meter.poolInput(window.since),
      window,
      firstRequestAt: meter.firstRequestAt(),
      hourlyRateUsd: this.deps.thresholds().hourlyRateUsd,
      audit: this.audit.current.report,
      pricer: meter.pricer,
    });
  }
}
