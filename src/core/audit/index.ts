// The loop audit's public surface: the report model, the detector, its settings and facts.
export type * from './types';
export { AUDIT_REPORT_VERSION } from './types';
export { DEFAULT_AUDIT_THRESHOLDS, AUDIT_THRESHOLD_KEYS, resolveAuditThresholds } from './settings';
export type { AuditFlags, ResolvedAuditThresholds } from './settings';
export { IGNORE_LOOP_FACT, LOOP_ID_PATTERN, ignoreLoopFact, ignoredLoopIds, runCommands } from './facts';
export type { IgnoreLoopFact } from './facts';
export { loadAuditEvents, loadAuditRequests, promptTokens } from './input';
export type { AuditEvent, AuditRequest, AuditWindow } from './input';
export { auditLoops, liveLoopLine, loopId } from './report';
export type { AuditInput } from './report';
export { auditMeter } from './fromMeter';
export type { MeterAuditOptions } from './fromMeter';
