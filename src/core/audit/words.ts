// How the audit writes numbers in its sentences: "180K tokens", "every 5 days", "42%", "$15.00".
import { formatUsd } from '../pricing/money';

export { formatUsd };

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** 950 → "950", 3,050 → "3.1K", 180,400 → "180K", 1,250,000 → "1.3M". */
export function formatTokens(n: number): string {
  const v = Math.round(n);
  if (v < 1000) return String(v);
  if (v < 10_000) return `${(v / 1000).toFixed(1).replace(/\.0$/, '')}K`;
  if (v < 1_000_000) return `${Math.round(v / 1000)}K`;
  return `${(v / 1e6).toFixed(1).replace(/\.0$/, '')}M`;
}

export function formatPercent(share: number): string {
  const p = share * 100;
  return `${p > 0 && p < 1 ? p.toFixed(1) : Math.round(p)}%`;
}

function unit(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A duration in the largest unit that reads well: "90 seconds", "12 minutes", "5 hours", "1.5 days", "2 weeks". */
export function formatDuration(ms: number): string {
  if (ms < MINUTE_MS) return unit(Math.max(1, Math.round(ms / 1000)), 'second');
  if (ms < HOUR_MS) return unit(Math.round(ms / MINUTE_MS), 'minute');
  if (ms < DAY_MS) {
    const h = Math.round((ms / HOUR_MS) * 10) / 10;
    return h === Math.round(h) ? unit(h, 'hour') : `${h} hours`;
  }
  const d = Math.round((ms / DAY_MS) * 10) / 10;
  if (d >= 7 && d % 7 === 0) return unit(d / 7, 'week');
  return d === Math.round(d) ? unit(d, 'day') : `${d} days`;
}

/** "every day", "every 5 days", "every 6 hours". */
export function every(ms: number): string {
  const text = formatDuration(ms);
  return /^1 [a-z]+$/.test(text) ? `every ${text.slice(2)}` : `every ${text}`;
}

/** Rounds a spacing up to a whole unit (minutes, hours or days), so that the schedule it names still fits. */
export function roundUpInterval(ms: number): number {
  if (ms >= DAY_MS) return Math.ceil(ms / DAY_MS - 1e-9) * DAY_MS;
  if (ms >= HOUR_MS) return Math.ceil(ms / HOUR_MS - 1e-9) * HOUR_MS;
  return Math.max(MINUTE_MS, Math.ceil(ms / MINUTE_MS - 1e-9) * MINUTE_MS);
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

/** Minutes under an hour ("20 minutes"), hours with one decimal below 10 ("3.5 hours"), whole above. */
export function formatHours(h: number): string {
  if (h < 0.95) return unit(Math.max(1, Math.round(h * 60)), 'minute');
  const v = h < 10 ? Math.round(h * 10) / 10 : Math.round(h);
  return `${v} hour${v === 1 ? '' : 's'}`;
}

/** The project as people know it: the last folder of the cwd, else the project key. */
export function projectName(cwd: string, projectKey: string): string {
  const parts = cwd.split(/[\\/]/).filter(Boolean);
  return parts.length ? parts[parts.length - 1]! : projectKey;
}
