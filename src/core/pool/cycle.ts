// Billing cycles: reset at local midnight of the cycle day in an IANA zone; days 29-31 clamp to
// the last day of short months (no spill into the next month). Luxon does the zone arithmetic,
// so DST days (23 or 25 hours, or a midnight that does not exist) come out right.
import { DateTime, IANAZone } from 'luxon';
import type { BillingCycle } from './types';

/** The reset instant of the cycle that starts in local `year`/`month`. */
function resetOf(year: number, month: number, cycleDay: number, zone: string): DateTime {
  const first = DateTime.fromObject({ year, month, day: 1 }, { zone });
  const day = Math.min(cycleDay, first.daysInMonth ?? 28);
  // fromObject moves a midnight that DST skips forward to the first instant of the day.
  return DateTime.fromObject({ year, month, day }, { zone });
}

export function isCycleDay(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 31;
}

export function isKnownTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

function checkArgs(cycleDay: number, zone: string): void {
  if (!isCycleDay(cycleDay)) throw new RangeError(`cycle day must be a whole number from 1 to 31 (got ${cycleDay})`);
  if (!isKnownTimeZone(zone)) throw new RangeError(`unknown time zone "${zone}"`);
}

function build(start: DateTime, end: DateTime, instant: number, zone: string): BillingCycle {
  const endDay = end.startOf('day');
  const today = DateTime.fromMillis(instant, { zone }).startOf('day');
  return {
    start: start.toMillis(),
    end: end.toMillis(),
    index: start.year * 12 + (start.month - 1),
    label: `${start.toISODate()} – ${endDay.minus({ days: 1 }).toISODate()}`,
    lengthDays: Math.round(endDay.diff(start.startOf('day'), 'days').days),
    daysLeft: Math.max(0, Math.round(endDay.diff(today, 'days').days)),
  };
}

/** The cycle holding `instant` (epoch ms); an instant exactly at a reset belongs to the new cycle. */
export function cycleFor(instant: number, cycleDay: number, zone: string): BillingCycle {
  checkArgs(cycleDay, zone);
  const local = DateTime.fromMillis(instant, { zone });
  let start = resetOf(local.year, local.month, cycleDay, zone);
  if (instant < start.toMillis()) {
    const prev = local.startOf('month').minus({ months: 1 });
    start = resetOf(prev.year, prev.month, cycleDay, zone);
  }
  const next = start.startOf('month').plus({ months: 1 });
  const end = resetOf(next.year, next.month, cycleDay, zone);
  return build(start, end, instant, zone);
}

/** The `n` cycles before the one holding `instant`, newest first. */
export function previousCycles(instant: number, n: number, cycleDay: number, zone: string): BillingCycle[] {
  const out: BillingCycle[] = [];
  let start = cycleFor(instant, cycleDay, zone).start;
  for (let i = 0; i < n; i++) {
    const c = cycleFor(start - 1, cycleDay, zone);
    out.push({ ...c, daysLeft: 0 });
    start = c.start;
  }
  return out;
}

/** Local midnight (in `zone`) of the day holding `instant`. */
export function startOfLocalDay(instant: number, zone: string): number {
  return DateTime.fromMillis(instant, { zone }).startOf('day').toMillis();
}

/** `instant` floored to its local hour (zones like +5:30 do not align with UTC hours). */
export function startOfLocalHour(instant: number, zone: string): number {
  return DateTime.fromMillis(instant, { zone }).startOf('hour').toMillis();
}
