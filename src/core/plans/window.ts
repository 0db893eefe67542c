// The days a plan comparison looks at: the last 30 complete local days, or the days the user names. Its own small
// module so the extension can key caches on the window without loading the comparison.
import { DateTime } from 'luxon';

/** The trailing window by default: the last 30 complete local days. */
export const TRAILING_DAYS = 30;

/** The last `days` complete local days before `now`'s day: [since, until) epoch ms. */
export function trailingWindow(now: number, zone: string, days: number = TRAILING_DAYS): { since: number; until: number } {
  const until = DateTime.fromMillis(now, { zone }).startOf('day');
  return { since: until.minus({ days }).toMillis(), until: until.toMillis() };
}

/** --since/--until local days (inclusive, `YYYY-MM-DD`) → [since, until); a missing end is filled from the trailing window. */
export function windowOfDays(now: number, zone: string, since?: string, until?: string): { since: number; until: number } {
  const day = (iso: string): DateTime => DateTime.fromISO(iso, { zone }).startOf('day');
  const end = until ? day(until).plus({ days: 1 }).toMillis() : trailingWindow(now, zone).until;
  const start = since ? day(since).toMillis() : DateTime.fromMillis(end, { zone }).minus({ days: TRAILING_DAYS }).toMillis();
  return { since: start, until: end };
}
