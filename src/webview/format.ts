// Formatting at the edge: money through formatUsd (the engine's one formatter), tokens, dates in the ledger's zone.
import { formatUsd } from '../core/pricing/money';

export { formatUsd };

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US');

export function tokens(n: number): string {
  return n < 10_000 ? whole.format(n) : compact.format(n);
}

export function count(n: number): string {
  return whole.format(n);
}

export function percent(ratio: number | null, digits = 0): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** Date and time formatters in the ledger's time zone (the one the cycle resets in). */
export interface Clock {
  dateTime(ms: number): string;
  date(ms: number): string;
  day(isoDate: string): string;
  zone: string;
}

export function clockFor(zone: string): Clock {
  const safeZone = isZone(zone) ? zone : 'UTC';
  const dt = new Intl.DateTimeFormat('en-US', { timeZone: safeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const d = new Intl.DateTimeFormat('en-US', { timeZone: safeZone, month: 'short', day: 'numeric', year: 'numeric' });
  const day = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' });
  return {
    zone: safeZone,
    dateTime: (ms) => dt.format(ms),
    date: (ms) => d.format(ms),
    // YYYY-MM-DD is already local to the zone: format it as a UTC date so it does not shift.
    day: (iso) => day.format(Date.parse(`${iso}T00:00:00Z`)),
  };
}

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** What the tooltip and the panel say about corrected spend (core/corrections), from the balance's two totals. */
export interface CorrectionFigures {
  basis: 'recorded' | 'corrected';
  recordedSpentNanos: number;
  correctedSpentNanos: number;
  /** The split of the added cost, when known. */
  fromRecordsNanos?: number;
  estimatedNanos?: number;
}

/** "$4.10 of $20.00 is corrected for undercounted output ($3.00 from Claude Code's own records, $1.10 estimated)"; null when nothing is corrected. */
export function correctionSentence(c: CorrectionFigures): string | null {
  const added = c.correctedSpentNanos - c.recordedSpentNanos;
  if (added === 0) return null;
  const parts: string[] = [];
  if (c.fromRecordsNanos) parts.push(`${formatUsd(c.fromRecordsNanos)} from Claude Code's own records`);
  if (c.estimatedNanos) parts.push(`${formatUsd(c.estimatedNanos)} estimated from content size`);
  const split = parts.length > 1 || (parts.length === 1 && c.estimatedNanos) ? ` (${parts.join(', ')})` : '';
  if (added < 0) return `Corrections lower the spend by ${formatUsd(-added)}${c.basis === 'corrected' ? '' : ' (counted as recorded)'}.`;
  if (c.basis === 'corrected') return `${formatUsd(added)} of ${formatUsd(c.correctedSpentNanos)} is corrected for undercounted output${split}.`;
  return `Counted as recorded (${formatUsd(c.recordedSpentNanos)}); corrected for undercounted output it would be ${formatUsd(c.correctedSpentNanos)}, ${formatUsd(added)} more${split}.`;
}
