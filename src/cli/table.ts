// Plain aligned tables for the terminal; colour only on a TTY and never with --no-color or NO_COLOR.
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  green(s: string): string;
}

export function makeStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string): string => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), yellow: wrap(33, 39), red: wrap(31, 39), green: wrap(32, 39) };
}

export function colorEnabled(flag: boolean | undefined, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (flag === false || process.env.NO_COLOR) return false;
  return !!stream.isTTY;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (s: string): number => s.replace(ANSI, '').length;

/** Renders rows with right-aligned numeric columns (those whose header is in `numeric`). */
export function renderTable(headers: string[], rows: string[][], numeric: Set<number>, style: Style): string {
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const pad = (s: string, i: number): string => {
    const gap = ' '.repeat(Math.max(0, widths[i] - visible(s)));
    return numeric.has(i) ? gap + s : s + gap;
  };
  const line = (r: string[]): string => r.map((c, i) => pad(c, i)).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [style.bold(line(headers)), style.dim(rule), ...rows.map(line)].join('\n');
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
