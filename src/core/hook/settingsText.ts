// A Claude Code settings file as text, edited in place: what is added goes after the last entry of its object or
// list, in the file's own indentation and line ends, without reformatting a line of the user's (jsonc-parser's own
// formatter would reflow the neighbouring entry); what is removed takes its own lines with it and leaves comments.
import { applyEdits, findNodeAtLocation, modify, parse, parseTree, printParseErrorCode, type Edit, type FormattingOptions, type JsonNode, type ParseError } from './jsonc';

export type Json = Record<string, unknown>;
export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
type JsonPath = (string | number)[];

const BOM = '\uFEFF';
const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false };

export class SettingsParseError extends Error {}

function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(text);
  if (m && m[1]!.startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  const size = m ? Math.min(8, Math.max(1, m[1]!.length)) : 2;
  return { insertSpaces: true, tabSize: size, eol };
}

/** `{ "a": [ 1, 2 ] }`: a value on one line, for containers written on one line. */
function oneLine(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ');
}

export class SettingsText {
  text: string;
  private readonly fmt: FormattingOptions;
  private readonly eol: string;
  private readonly unit: string;

  constructor(
    original: string,
    private readonly file: string,
  ) {
    const body = original.startsWith(BOM) ? original.slice(1) : original;
    this.text = body.trim() === '' ? '{}' : body;
    this.fmt = formattingOf(body);
    this.eol = this.fmt.eol ?? '\n';
    this.unit = this.fmt.insertSpaces ? ' '.repeat(this.fmt.tabSize ?? 2) : '\t';
  }

  /** The document's value; throws SettingsParseError (with a line number) when it is not a JSON(C) object. */
  get value(): Json {
    const errors: ParseError[] = [];
    const v = parse(this.text, errors, PARSE_OPTIONS) as unknown;
    if (errors.length) {
      const e = errors[0]!;
      const line = this.text.slice(0, e.offset).split('\n').length;
      throw new SettingsParseError(`${this.file} is not valid JSON (${printParseErrorCode(e.error)} on line ${line}); fix it first, nothing was changed`);
    }
    if (!isObj(v)) throw new SettingsParseError(`${this.file} does not hold a JSON object; nothing was changed`);
    return v;
  }

  private node(p: JsonPath): JsonNode | undefined {
    const root = parseTree(this.text, [], PARSE_OPTIONS);
    return root && (p.length ? findNodeAtLocation(root, p) : root);
  }

  private apply(edits: Edit[]): void {
    this.text = applyEdits(this.text, edits);
  }

  /** Replaces an existing value (a string, typically): only its own characters change. */
  replace(p: JsonPath, value: unknown): void {
    this.apply(modify(this.text, p, value, { formattingOptions: this.fmt }));
  }

  /** Appends `value` to the list at `p`, or the property `key` to the object at `p`. */
  append(p: JsonPath, key: string | null, value: unknown): void {
    const container = this.node(p);
    const items = container?.children ?? [];
    const last = items[items.length - 1];
    if (!container || !last) {
      // an empty container: jsonc-parser's insertion only reflows the container's own brackets
      this.apply(modify(this.text, key === null ? [...p, -1] : [...p, key], value, { formattingOptions: this.fmt, isArrayInsertion: key === null }));
      return;
    }
    const text = this.text;
    const lastEnd = last.offset + last.length;
    const lineStart = text.lastIndexOf('\n', last.offset - 1) + 1;
    const indent = text.slice(lineStart, last.offset);
    const lineEnd = text.indexOf('\n', lastEnd) < 0 ? text.length : text.indexOf('\n', lastEnd);
    const rest = text.slice(lastEnd, lineEnd);
    const label = key === null ? '' : `${JSON.stringify(key)}: `;
    const multi = (ind: string): string => label + JSON.stringify(value, null, this.unit).replace(/\n/g, this.eol + ind);
    const insertAt = rest.endsWith('\r') ? lineEnd - 1 : lineEnd;
    if (/^[ \t]*$/.test(indent) && /^[ \t]*(\/\/.*|\/\*.*\*\/[ \t]*)?\r?$/.test(rest)) {
      // the last entry ends its line (perhaps with a comment): ours goes on the next line, same indentation
      this.apply([{ offset: lastEnd, length: insertAt - lastEnd, content: `,${text.slice(lastEnd, insertAt)}${this.eol}${indent}${multi(indent)}` }]);
    } else if (/^[ \t]*$/.test(indent) && /^[ \t]*,[ \t]*(\/\/.*|\/\*.*\*\/[ \t]*)?\r?$/.test(rest)) {
      // a trailing comma already (JSONC): keep the file's style
      this.apply([{ offset: insertAt, length: 0, content: this.eol + indent + multi(indent) + ',' }]);
    } else {
      // a container written on one line: ours joins it on that line
      this.apply([{ offset: lastEnd, length: 0, content: `, ${label}${oneLine(value)}` }]);
    }
  }

  /** Removes the list item or property at `p` with its own line(s) and one comma; comments of other entries stay. */
  remove(p: JsonPath): void {
    const target = this.node(p);
    const node = target && target.parent?.type === 'property' ? target.parent : target;
    const parent = node?.parent;
    if (!node || !parent || !parent.children) return;
    const siblings = parent.children;
    const i = siblings.indexOf(node);
    const text = this.text;
    if (siblings.length === 1) {
      // the only entry: the container is left empty (`[]`, `{}`)
      this.apply([{ offset: parent.offset + 1, length: parent.length - 2, content: '' }]);
      return;
    }
    const end = node.offset + node.length;
    const lineStart = text.lastIndexOf('\n', node.offset - 1) + 1;
    const ownLine = /^[ \t]*$/.test(text.slice(lineStart, node.offset));
    const last = i === siblings.length - 1;
    const after = this.commaAfter(end, last ? parent.offset + parent.length - 1 : siblings[i + 1]!.offset);
    if (after >= 0) {
      // an entry followed by its own comma (a next entry, or a trailing comma): both go
      let from = node.offset;
      let to = after + 1;
      const lineEnd = text.indexOf('\n', to);
      if (ownLine && lineEnd >= 0 && /^[ \t\r]*$/.test(text.slice(to, lineEnd))) {
        from = lineStart;
        to = lineEnd + 1;
      } else while (text[to] === ' ' || text[to] === '\t') to++;
      this.apply([{ offset: from, length: to - from, content: '' }]);
      return;
    }
    // the last entry without a trailing comma: it goes with the comma before it
    const prev = siblings[i - 1]!;
    const comma = this.commaAfter(prev.offset + prev.length, node.offset);
    let start = node.offset;
    if (ownLine && lineStart > 0) start = text[lineStart - 2] === '\r' ? lineStart - 2 : lineStart - 1;
    else while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
    if (comma >= start) start = comma + 1;
    const edits: Edit[] = [{ offset: start, length: end - start, content: '' }];
    if (comma >= 0) edits.push({ offset: comma, length: 1, content: '' });
    this.apply(edits);
  }

  /** The offset of the comma between two entries (skipping whitespace and comments), or -1. */
  private commaAfter(from: number, to: number): number {
    const t = this.text;
    for (let k = from; k < to; k++) {
      const c = t[k];
      if (c === ',') return k;
      if (c === '/' && t[k + 1] === '/') k = t.indexOf('\n', k) < 0 ? to : t.indexOf('\n', k);
      else if (c === '/' && t[k + 1] === '*') k = t.indexOf('*/', k + 2) < 0 ? to : t.indexOf('*/', k + 2) + 1;
    }
    return -1;
  }

  /** The text to write: the original's byte-order mark and final newline (or its absence) kept. */
  result(original: string): string {
    let out = this.text;
    if (!out.endsWith('\n') && (original === '' || /\r?\n$/.test(original))) out += this.eol;
    return (original.startsWith(BOM) ? BOM : '') + out;
  }
}
