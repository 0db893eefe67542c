// Dollar amounts the user types (settings, reconcile figures) into integer nano-dollars.

export const NANOS_PER_USD = 1_000_000_000;

/** Rounds to the nearest nano-dollar (amounts typed as floats, e.g. 63.2). */
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

/** "$1,234.57" / "-$0.75": for explanations; the edges format their own way. */
export function formatUsd(nanos: number): string {
  const cents = Math.round(Math.abs(nanos) / 10_000_000);
  const whole = Math.floor(cents / 100).toLocaleString('en-US');
  return `${nanos < 0 && cents > 0 ? '-' : ''}$${whole}.${String(cents % 100).padStart(2, '0')}`;
}
