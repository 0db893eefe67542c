// Money is integer nanodollars (1e-9 USD) inside the engine, formatted once at the edge.
// No node: imports here, so the webview bundle can format amounts too.

export const NANOS_PER_USD = 1_000_000_000;

export function nanosToUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

/** Rounds a dollar amount (e.g. a figure the user typed) to whole nanodollars. */
export function usdToNanos(usd: number): number {
  return Math.round(usd * NANOS_PER_USD);
}

/** Parses "63.20", "$63.20", "-5", "1,250.5" exactly (no float arithmetic); null when it is not an amount. */
export function parseUsdToNanos(text: string): number | null {
  const m = /^\s*(-)?\s*\$?\s*(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d{1,9}))?\s*$/.exec(text);
  if (!m || (m[2] === undefined && m[3] === undefined)) return null;
  const whole = Number((m[2] ?? '0').replace(/,/g, ''));
  const frac = Number((m[3] ?? '').padEnd(9, '0'));
  const nanos = whole * NANOS_PER_USD + frac;
  if (!Number.isSafeInteger(nanos)) return null;
  return m[1] ? -nanos : nanos;
}

export interface FormatUsdOptions {
  /** Fixed number of decimals (0-9). Default: 2, or 4 below $1 so small costs stay visible. */
  decimals?: number;
  /** Thousands separators ("$1,234.50"). Default true. */
  grouping?: boolean;
}

/** "$63.40", "$0.2061", "-$1.50"; rounds half away from zero with exact integer arithmetic. */
export function formatUsd(nanos: number, opts: FormatUsdOptions = {}): string {
  if (!Number.isFinite(nanos)) return '—';
  const abs = Math.abs(Math.round(nanos));
  const decimals = opts.decimals !== undefined ? clampDecimals(opts.decimals) : autoDecimals(abs);
  const unit = 10 ** (9 - decimals);
  const rest = abs % unit;
  let units = (abs - rest) / unit;
  if (rest * 2 >= unit) units += 1;
  const scale = 10 ** decimals;
  const whole = Math.floor(units / scale);
  const frac = units % scale;
  const wholeText = opts.grouping === false ? String(whole) : groupThousands(whole);
  const text = decimals > 0 ? `${wholeText}.${String(frac).padStart(decimals, '0')}` : wholeText;
  return `${nanos < 0 && units > 0 ? '-' : ''}$${text}`;
}

function autoDecimals(absNanos: number): number {
  // 4 decimals only when the amount still reads as under $1 at 4 decimals ($0.99996 shows as $1.00).
  return absNanos > 0 && absNanos < 999_950_000 ? 4 : 2;
}

function clampDecimals(d: number): number {
  return Math.min(9, Math.max(0, Math.trunc(d)));
}

function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
