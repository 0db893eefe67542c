// Runs the audit over a meter's ledger and journal (the CLI and the extension call this).
import type { Meter } from '../meter/meter';
import { sessionFacts } from '../meter/ledgerRows';
import { RUN_FACT } from './facts';
import { loadAuditEvents, loadAuditRequests, type AuditWindow } from './input';
import { auditLoops } from './report';
import type { AuditReport, AuditThresholds } from './types';

export interface MeterAuditOptions {
  thresholds: AuditThresholds;
  /** Requests considered; unbounded by default. The audit never looks past the meter's "now". */
  window?: Partial<AuditWindow>;
  includeIgnored?: boolean;
}

export function auditMeter(meter: Meter, opts: MeterAuditOptions): AuditReport {
  const now = meter.now();
  const until = opts.window?.until ?? null;
  const window: AuditWindow = { since: opts.window?.since ?? null, until: until === null ? now + 1 : Math.min(until, now + 1) };
  const db = meter.ledger.db;
  const captured = new Set(meter.factsOf(RUN_FACT).map((f) => String(f.sessionId ?? '')).filter(Boolean));
  return auditLoops({
    requests: loadAuditRequests(db, window),
    events: loadAuditEvents(db, window),
    sessions: sessionFacts(db, captured),
    facts: meter.journalFacts,
    settings: meter.poolSettings,
    balance: meter.balance,
    pricer: meter.pricer,
    thresholds: opts.thresholds,
    now,
    window: { since: window.since, until: opts.window?.until ?? null },
    includeIgnored: opts.includeIgnored,
  });
}
