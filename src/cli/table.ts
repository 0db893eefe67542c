// Plain aligned tables for the terminal; colour only on a TTY and never with --no-color or NO_COLOR.
import { printable } from '../core/transcripts/printable';
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
/**
 * Text for the terminal whose cells and notes carry transcript-derived strings (project folders, model ids, paths):
 * every escape sequence and control character in it is dropped (the newlines between lines kept); with `color`,
 * the colour codes this CLI writes itself (makeStyle) stay.
 */
export function terminalText(text: string, color: boolean): string {
  const clean = (part: string): string => part.split('\n').map(printable).join('\n');
  if (!color) return clean(text);
  // eslint-disable-next-line no-control-regex
  return text.split(/(\x1b\[(?:1|2|22|31|32|33|39)m)/).map((part, i) => (i % 2 ? part : clean(part))).join('');
}

const visible = (s: string): number => s.replace(ANSI, '').length;

export interface TableLayout {
  /** The terminal's width: text columns in `shrink` are cut (with …) until the table fits. */
  maxWidth?: number;
  shrink?: readonly number[];
  /** Shrinkable columns cut from the left (`…folder-name`): where the end of the text tells rows apart. */
  keepEnd?: readonly number[];
}

const cut = (s: string, width: number, keepEnd: boolean): string => {
  const plain = s.replace(ANSI, '');
  if (plain.length <= width) return s;
  return keepEnd ? '…' + plain.slice(plain.length - Math.max(0, width - 1)) : plain.slice(0, Math.max(0, width - 1)) + '…';
};

/**
 * Renders rows with right-aligned numeric columns (those whose index is in `numeric`). A cell may hold several
 * lines (`\n`): its row grows to the tallest cell.
 */
export function renderTable(headers: string[], rows: string[][], numeric: Set<number>, style: Style, layout: TableLayout = {}): string {
  const linesOf = (c: string | undefined): string[] => (c ?? '').split('\n');
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.flatMap((r) => linesOf(r[i]).map(visible))));
  const total = (): number => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const shrink = layout.shrink ?? [];
  if (layout.maxWidth !== undefined) {
    // the widest shrinkable column gives a character at a time, down to its header (or 6)
    while (total() > layout.maxWidth) {
      const i = shrink.filter((c) => widths[c]! > Math.max(6, visible(headers[c]!))).sort((a, b) => widths[b]! - widths[a]!)[0];
      if (i === undefined) break;
      widths[i]!--;
    }
  }
  const pad = (s: string, i: number): string => {
    const text = shrink.includes(i) ? cut(s, widths[i]!, layout.keepEnd?.includes(i) === true) : s;
    const gap = ' '.repeat(Math.max(0, widths[i]! - visible(text)));
    return numeric.has(i) ? gap + text : text + gap;
  };
  const line = (r: string[]): string => {
    const height = Math.max(1, ...r.map((c) => linesOf(c).length));
    const out: string[] = [];
    for (let k = 0; k < height; k++) out.push(headers.map((_h, i) => pad(linesOf(r[i])[k] ?? '', i)).join('  ').trimEnd());
    return out.join('\n');
  };
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [style.bold(line(headers)), style.dim(rule), ...rows.map(line)].join('\n');
}

/** The width to lay tables out for: COLUMNS, else the terminal's; a pipe or a file has none to fit (lines stay whole for grep). */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number {
  const env = Number(process.env.COLUMNS);
  if (Number.isInteger(env) && env > 0) return env;
  return stream.isTTY && stream.columns ? stream.columns : Number.POSITIVE_INFINITY;
}

/** Word-wraps a paragraph to `width` columns (a word longer than the line keeps its own line). */
export function wrapText(text: string, width: number, indent = ''): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    if (line && visible(line) + 1 + visible(word) > width) {
      out.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join('\n');
}

/** The shortest prefix (from 8 characters) that tells every id apart. */
export function uniquePrefixes(ids: readonly string[]): Map<string, string> {
  let n = 8;
  const distinct = new Set(ids);
  while (n < Math.max(8, ...ids.map((i) => i.length)) && new Set([...distinct].map((i) => i.slice(0, n))).size < distinct.size) n++;
  return new Map(ids.map((i) => [i, i.slice(0, n)]));
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
