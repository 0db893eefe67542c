// Recognises Claude Code's print mode (`claude -p`) in a command line as a shell would split it: env assignments in
// front, a path to the binary, npx/pnpm dlx/bunx of @anthropic-ai/claude-code, wrappers (env, sudo, timeout, bash -c),
// pipes, `&&` chains, redirects and heredocs. Words come from shell-quote; what is a command, a redirect or a prompt is
// decided here. The prompt is extracted only so it can be left out: the summary never holds it.
import { parse as shellParse, type ParseEntry } from 'shell-quote';

export type OutputFormat = 'text' | 'json' | 'stream-json';

/** The flags of a print-mode run that decide what it costs and which session it writes. */
export interface PrintFlags {
  outputFormat: OutputFormat;
  /** `--output-format` as given (undefined: not given, text by default). */
  outputFormatGiven?: string;
  inputFormat?: string;
  model?: string;
  fallbackModel?: string;
  /** `-r/--resume <id>`; `true` when given without an id. */
  resume?: string | true;
  continue: boolean;
  sessionId?: string;
  forkSession: boolean;
  maxTurns?: number;
  maxBudgetUsd?: number;
  noSessionPersistence: boolean;
  verbose: boolean;
}

export interface PrintInvocation {
  /** How Claude Code was started: `claude`, `/opt/bin/claude`, `npx -y @anthropic-ai/claude-code`, ... */
  launcher: string;
  flags: PrintFlags;
  /** The prompt given as arguments ("" when none). Kept in memory only: stored only as a label the user allowed. */
  prompt: string;
  /** The prompt (or part of it) comes from stdin: a pipe, `<`, `<<<`, a heredoc, or `--input-format stream-json`. */
  promptFromStdin: boolean;
  /** Names of the environment assignments in front (values are dropped: they may hold keys). */
  envNames: string[];
  /** The command with the prompt, env values and free-text option values removed. */
  summary: string;
  /** A credit-ledger process in the same command records this run itself (`credit-ledger exec --`, `| credit-ledger record`). */
  recordedBy: 'exec' | 'record' | null;
}

/** Claude Code subcommands: `claude <subcommand> ...` is not a print-mode run. */
const SUBCOMMANDS = new Set(['config', 'mcp', 'plugin', 'plugins', 'update', 'upgrade', 'doctor', 'install', 'setup-token', 'migrate-installer']);

type Arity = 'none' | 'one' | 'optional' | 'variadic';

/** Options whose arity matters for telling values from the prompt (commander semantics). Unknown options: no value. */
const OPTION_ARITY: Readonly<Record<string, Arity>> = {
  '--print': 'none',
  '--continue': 'none',
  '--fork-session': 'none',
  '--no-session-persistence': 'none',
  '--verbose': 'none',
  '--help': 'none',
  '--version': 'none',
  '--dangerously-skip-permissions': 'none',
  '--allow-dangerously-skip-permissions': 'none',
  '--include-partial-messages': 'none',
  '--replay-user-messages': 'none',
  '--strict-mcp-config': 'none',
  '--mcp-debug': 'none',
  '--ide': 'none',
  '--disable-slash-commands': 'none',
  '--output-format': 'one',
  '--input-format': 'one',
  '--model': 'one',
  '--fallback-model': 'one',
  '--session-id': 'one',
  '--max-turns': 'one',
  '--max-budget-usd': 'one',
  '--max-thinking-tokens': 'one',
  '--system-prompt': 'one',
  '--system-prompt-file': 'one',
  '--append-system-prompt': 'one',
  '--append-system-prompt-file': 'one',
  '--permission-mode': 'one',
  '--permission-prompt-tool': 'one',
  '--settings': 'one',
  '--setting-sources': 'one',
  '--json-schema': 'one',
  '--agents': 'one',
  '--agent': 'one',
  '--resume': 'optional',
  '--debug': 'optional',
  '--allowedTools': 'variadic',
  '--allowed-tools': 'variadic',
  '--disallowedTools': 'variadic',
  '--disallowed-tools': 'variadic',
  '--tools': 'variadic',
  '--mcp-config': 'variadic',
  '--add-dir': 'variadic',
  '--betas': 'variadic',
  '--plugin-dir': 'variadic',
};

const SHORT_OPTIONS: Readonly<Record<string, string>> = { p: '--print', c: '--continue', r: '--resume', d: '--debug', h: '--help', v: '--version' };

/** Option values safe to keep in the summary (the rest are free text, paths or JSON: shown as `…`). */
const KEPT_VALUES = new Set(['--output-format', '--input-format', '--model', '--fallback-model', '--session-id', '--resume', '--max-turns', '--max-budget-usd', '--permission-mode', '--setting-sources']);

const PROMPT_MARK = '<prompt>';

/** A word as a shell would need it written: bare when it is plain, else in single quotes. */
function shellWord(word: string): string {
  if (/^[\w@%+=:,./~-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
const HIDDEN = '…';

// --- shell text -> commands ---

interface Redirect {
  op: string;
  /** File descriptor written before the operator (`2>`), when there was one. */
  fd?: string;
  target: string;
}

interface SimpleCommand {
  words: string[];
  redirects: Redirect[];
  /** Reads a pipe (`a | this`). */
  pipedIn: boolean;
}

/**
 * Shell text -> one line of `;`-separated commands that shell-quote can split: newlines become `;`, line
 * continuations join, comments and heredoc bodies are dropped (a heredoc becomes `< __heredoc__`: stdin), and
 * backtick substitutions become parentheses.
 */
export function flattenShellText(text: string): string {
  let out = '';
  let quote: '' | "'" | '"' = '';
  const heredocs: { delimiter: string; stripTabs: boolean }[] = [];
  let inBacktick = false;
  let i = 0;
  const atWordStart = (): boolean => out === '' || /[\s;&|()<>]$/.test(out);
  while (i < text.length) {
    const c = text[i]!;
    if (quote === "'") {
      out += c;
      if (c === "'") quote = '';
      i++;
      continue;
    }
    if (quote === '"') {
      if (c === '\\' && text[i + 1] === '\n') {
        i += 2;
        continue;
      }
      if (c === '\\' && i + 1 < text.length) {
        out += c + text[i + 1];
        i += 2;
        continue;
      }
      out += c;
      if (c === '"') quote = '';
      i++;
      continue;
    }
    if (c === '\\') {
      if (text[i + 1] === '\n') {
        i += 2;
        continue;
      }
      if (text[i + 1] === '\r' && text[i + 2] === '\n') {
        i += 3;
        continue;
      }
      out += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      out += c;
      i++;
      continue;
    }
    if (c === '`') {
      out += inBacktick ? ' ) ' : ' ( ';
      inBacktick = !inBacktick;
      i++;
      continue;
    }
    if (c === '#' && atWordStart()) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      // Heredoc: `<<EOF`, `<<-EOF`, `<< 'EOF'`, `<<"EOF"`, `<<\EOF`.
      let j = i + 2;
      const stripTabs = text[j] === '-';
      if (stripTabs) j++;
      while (text[j] === ' ' || text[j] === '\t') j++;
      const m = /^(?:'([^']*)'|"([^"]*)"|\\?([^\s;&|()<>]+))/.exec(text.slice(j));
      if (m) {
        heredocs.push({ delimiter: m[1] ?? m[2] ?? m[3] ?? '', stripTabs });
        out += ' < __heredoc__ ';
        i = j + m[0].length;
        continue;
      }
    }
    if (c === '\r' && text[i + 1] === '\n') {
      i++;
      continue;
    }
    if (c === '\n') {
      out += ' ; ';
      i++;
      // Heredoc bodies follow the line that opened them, one after another.
      for (const h of heredocs.splice(0)) {
        while (i < text.length) {
          const end = text.indexOf('\n', i);
          const line = (end < 0 ? text.slice(i) : text.slice(i, end)).replace(/\r$/, '');
          i = end < 0 ? text.length : end + 1;
          if ((h.stripTabs ? line.replace(/^\t+/, '') : line) === h.delimiter) break;
        }
      }
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

const SEPARATORS = new Set(['||', '&&', ';', ';;', '&', '(', ')', '<(']);
const REDIRECTS = new Set(['>', '>>', '<', '>&', '<&', '<<<']);

function splitCommands(entries: readonly ParseEntry[]): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let current: SimpleCommand = { words: [], redirects: [], pipedIn: false };
  const end = (pipedNext: boolean): void => {
    if (current.words.length || current.redirects.length) commands.push(current);
    current = { words: [], redirects: [], pipedIn: pipedNext };
  };
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (typeof e === 'string') {
      current.words.push(e);
      continue;
    }
    if ('comment' in e) break;
    if (e.op === 'glob') {
      current.words.push((e as { pattern: string }).pattern);
      continue;
    }
    const op = e.op as string;
    if (op === '|' || op === '|&') end(true);
    else if (SEPARATORS.has(op)) end(false);
    else if (REDIRECTS.has(op)) {
      // `2>&1`: shell-quote splits the fd from its operator; a bare number right before a redirect is its fd.
      let fd: string | undefined;
      const last = current.words[current.words.length - 1];
      if (last !== undefined && /^\d$/.test(last)) fd = current.words.pop();
      let target = '';
      const next = entries[i + 1];
      if (typeof next === 'string') {
        target = next;
        i++;
      } else if (next && typeof next === 'object' && 'op' in next && next.op === 'glob') {
        target = (next as { pattern: string }).pattern;
        i++;
      }
      current.redirects.push({ op, fd, target });
    } else end(false);
  }
  end(false);
  return commands;
}

function tokenize(text: string): ParseEntry[] {
  const flat = flattenShellText(text);
  // Variables stay as written ($HOME/bin/claude still ends in claude); nothing is expanded from our environment.
  const env = (key: string): string => `$${key}`;
  try {
    return shellParse(flat, env) as ParseEntry[];
  } catch {
    // "Bad substitution" on an unclosed `${`: read it without variable syntax rather than not at all.
    return shellParse(flat.replace(/\$\{/g, '$ {'), env) as ParseEntry[];
  }
}

// --- commands -> claude ---

const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const PACKAGE = /^@anthropic-ai\/claude-code(?:@[^\s/]+)?$/;
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish']);

function baseName(word: string): string {
  const w = word.replace(/^`+|`+$/g, '');
  const b = w.slice(Math.max(w.lastIndexOf('/'), w.lastIndexOf('\\')) + 1).toLowerCase();
  return b.replace(/\.(exe|cmd|bat|ps1)$/, '');
}

function isClaudeBinary(word: string): boolean {
  return baseName(word) === 'claude';
}

/** Skips a wrapper's own options; `withValue` lists the options that take the next word as their value. */
function skipOptions(words: readonly string[], i: number, withValue: ReadonlySet<string>, stopAtFirstPositional = true): number {
  while (i < words.length) {
    const w = words[i]!;
    if (w === '--') return i + 1;
    if (!w.startsWith('-') || w === '-') return stopAtFirstPositional ? i : i + 1;
    i += withValue.has(w) ? 2 : 1;
  }
  return i;
}

interface Located {
  /** Index of the first argument of claude. */
  argsAt: number;
  launcher: string[];
  envNames: string[];
  recordedBy: 'exec' | 'record' | null;
  /** xargs appends stdin to the arguments. */
  stdinArgs: boolean;
  /** `bash -c '<text>'`: the text to read instead. */
  nested?: string;
}

/** Finds claude in one simple command, through env assignments, wrappers and package runners. */
function locateClaude(words: readonly string[]): Located | undefined {
  const envNames: string[] = [];
  let recordedBy: Located['recordedBy'] = null;
  let stdinArgs = false;
  let i = 0;
  for (let guard = 0; guard < 32 && i < words.length; guard++) {
    const w = words[i]!;
    if (ENV_ASSIGNMENT.test(w)) {
      envNames.push(w.slice(0, w.indexOf('=')));
      i++;
      continue;
    }
    const name = baseName(w);
    if (isClaudeBinary(w)) return { argsAt: i + 1, launcher: [w], envNames, recordedBy, stdinArgs };
    if (name === 'node' || name === 'bun' || name === 'deno') {
      const j = skipOptions(words, i + 1, new Set(['-r', '--require', '--import', '--loader']));
      const script = words[j] ?? '';
      if (/claude-code[/\\](?:cli\.m?js|bin[/\\]claude(?:\.exe)?)$/.test(script.replace(/^`+|`+$/g, ''))) {
        return { argsAt: j + 1, launcher: [w, script], envNames, recordedBy, stdinArgs };
      }
      if (name === 'bun' && words[i + 1] === 'x') {
        i += 2;
        const k = skipOptions(words, i, new Set());
        if (k < words.length && (PACKAGE.test(words[k]!) || isClaudeBinary(words[k]!))) return { argsAt: k + 1, launcher: [w, 'x', words[k]!], envNames, recordedBy, stdinArgs };
      }
      return undefined;
    }
    if (name === 'npx' || name === 'pnpx' || name === 'bunx' || name === 'pnpm' || name === 'yarn' || name === 'npm') {
      let j = i + 1;
      if (name === 'pnpm' || name === 'yarn' || name === 'npm') {
        const sub = words[j];
        if (sub !== 'dlx' && sub !== 'exec' && sub !== 'x') return undefined;
        j++;
      }
      let pkgFlag: string | undefined;
      while (j < words.length) {
        const a = words[j]!;
        if (a === '--') {
          j++;
          break;
        }
        if (a === '-p' || a === '--package') {
          pkgFlag = words[j + 1];
          j += 2;
          continue;
        }
        if (a.startsWith('--package=')) {
          pkgFlag = a.slice('--package='.length);
          j++;
          continue;
        }
        if (a === '-c' || a === '--call') return undefined;
        if (!a.startsWith('-')) break;
        j++;
      }
      const target = words[j];
      if (target === undefined) return undefined;
      if (PACKAGE.test(target) || (isClaudeBinary(target) && (pkgFlag === undefined || PACKAGE.test(pkgFlag)))) {
        return { argsAt: j + 1, launcher: words.slice(i, j + 1).map(String), envNames, recordedBy, stdinArgs };
      }
      if (name === 'npx' && baseName(target) === 'credit-ledger') {
        i = j;
        continue;
      }
      return undefined;
    }
    if (name === 'credit-ledger') {
      const sub = words[i + 1];
      if (sub !== 'exec') return undefined;
      recordedBy = 'exec';
      i += 2;
      if (words[i] === '--') i++;
      continue;
    }
    if (SHELLS.has(name)) {
      // `bash -c '<text>'`, `bash -lc '<text>'`: the text is a command line of its own.
      for (let j = i + 1; j < words.length; j++) {
        const a = words[j]!;
        if (!a.startsWith('-')) return undefined;
        if (/^-[a-z]*c[a-z]*$/.test(a) && words[j + 1] !== undefined) return { argsAt: words.length, launcher: [], envNames, recordedBy, stdinArgs, nested: words[j + 1] };
      }
      return undefined;
    }
    switch (name) {
      case 'env':
        i = skipOptions(words, i + 1, new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string']));
        continue;
      case 'command':
      case 'builtin':
      case 'nohup':
      case 'time':
      case 'caffeinate':
      case 'unbuffer':
      case 'chronic':
        i = skipOptions(words, i + 1, new Set());
        continue;
      case 'exec':
        i = skipOptions(words, i + 1, new Set(['-a']));
        continue;
      case 'nice':
        i = skipOptions(words, i + 1, new Set(['-n', '--adjustment']));
        continue;
      case 'ionice':
        i = skipOptions(words, i + 1, new Set(['-c', '-n', '-p', '--class', '--classdata']));
        continue;
      case 'stdbuf':
        i = skipOptions(words, i + 1, new Set(['-i', '-o', '-e']));
        continue;
      case 'sudo':
      case 'doas':
        i = skipOptions(words, i + 1, new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '--user', '--group']));
        continue;
      case 'timeout': {
        i = skipOptions(words, i + 1, new Set(['-k', '--kill-after', '-s', '--signal']));
        i++; // the duration
        continue;
      }
      case 'xargs':
        stdinArgs = true;
        i = skipOptions(words, i + 1, new Set(['-n', '-I', '-i', '-P', '-L', '-d', '-a', '-s', '-E', '--max-args', '--max-procs', '--delimiter', '--arg-file']));
        continue;
      default:
        return undefined;
    }
  }
  return undefined;
}

function defaultFlags(): PrintFlags {
  return { outputFormat: 'text', continue: false, forkSession: false, noSessionPersistence: false, verbose: false };
}

interface ParsedArgs {
  print: boolean;
  help: boolean;
  subcommand: boolean;
  flags: PrintFlags;
  promptWords: string[];
  /** Summary tokens (already redacted), without the launcher. */
  summary: string[];
}

function setFlag(flags: PrintFlags, option: string, value: string | true | undefined, parsed: ParsedArgs): void {
  switch (option) {
    case '--print':
      parsed.print = true;
      break;
    case '--help':
    case '--version':
      parsed.help = true;
      break;
    case '--continue':
      flags.continue = true;
      break;
    case '--fork-session':
      flags.forkSession = true;
      break;
    case '--no-session-persistence':
      flags.noSessionPersistence = true;
      break;
    case '--verbose':
      flags.verbose = true;
      break;
    case '--output-format':
      if (typeof value === 'string') {
        flags.outputFormatGiven = value;
        const v = value.toLowerCase();
        flags.outputFormat = v === 'json' || v === 'stream-json' ? v : 'text';
      }
      break;
    case '--input-format':
      if (typeof value === 'string') flags.inputFormat = value;
      break;
    case '--model':
      if (typeof value === 'string') flags.model = value;
      break;
    case '--fallback-model':
      if (typeof value === 'string') flags.fallbackModel = value;
      break;
    case '--resume':
      flags.resume = value === undefined ? true : value;
      break;
    case '--session-id':
      if (typeof value === 'string') flags.sessionId = value;
      break;
    case '--max-turns':
      if (typeof value === 'string' && /^\d+$/.test(value.trim())) flags.maxTurns = Number(value);
      break;
    case '--max-budget-usd':
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) flags.maxBudgetUsd = Number(value);
      break;
  }
}

/** Claude's own arguments, read the way its option parser (commander) reads them. */
function parseClaudeArgs(args: readonly string[]): ParsedArgs {
  const flags = defaultFlags();
  const parsed: ParsedArgs = { print: false, help: false, subcommand: false, flags, promptWords: [], summary: [] };
  const shown = (option: string, value: string): string => (KEPT_VALUES.has(option) ? shellWord(value) : HIDDEN);
  let onlyPositionals = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (onlyPositionals || a === '-' || !a.startsWith('-')) {
      // commander dispatches on the first operand, wherever -p stands: `claude -p doctor` runs `doctor`.
      if (parsed.promptWords.length === 0 && SUBCOMMANDS.has(a) && !onlyPositionals) parsed.subcommand = true;
      parsed.promptWords.push(a);
      continue;
    }
    if (a === '--') {
      onlyPositionals = true;
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const option = eq > 0 ? a.slice(0, eq) : a;
      const arity = OPTION_ARITY[option] ?? 'none';
      if (eq > 0) {
        const value = a.slice(eq + 1);
        if (option === '--print') {
          // `--print=<prompt>`: print mode, the value is the prompt.
          parsed.print = true;
          if (value) parsed.promptWords.push(value);
          parsed.summary.push('--print');
          continue;
        }
        setFlag(flags, option, value, parsed);
        parsed.summary.push(`${option}=${shown(option, value)}`);
        continue;
      }
      if (arity === 'none') {
        setFlag(flags, option, true, parsed);
        parsed.summary.push(option);
      } else if (arity === 'one') {
        const value = args[i + 1];
        if (value !== undefined) i++;
        setFlag(flags, option, value, parsed);
        parsed.summary.push(option, ...(value !== undefined ? [shown(option, value)] : []));
      } else if (arity === 'optional') {
        const next = args[i + 1];
        const value = next !== undefined && !next.startsWith('-') ? next : undefined;
        if (value !== undefined) i++;
        setFlag(flags, option, value, parsed);
        parsed.summary.push(option, ...(value !== undefined ? [shown(option, value)] : []));
      } else {
        parsed.summary.push(option);
        let any = false;
        while (i + 1 < args.length && !args[i + 1]!.startsWith('-')) {
          i++;
          any = true;
        }
        if (any) parsed.summary.push(HIDDEN);
      }
      continue;
    }
    // Short options, possibly combined (`-pc`); a value-taking one takes the rest of the word or the next word.
    const letters = a.slice(1);
    const shortSummary: string[] = [];
    for (let k = 0; k < letters.length; k++) {
      const option = SHORT_OPTIONS[letters[k]!];
      if (!option) {
        shortSummary.push(letters[k]!);
        continue;
      }
      const arity = OPTION_ARITY[option] ?? 'none';
      if (arity === 'none') {
        setFlag(flags, option, true, parsed);
        shortSummary.push(letters[k]!);
        continue;
      }
      const rest = letters.slice(k + 1);
      let value: string | undefined;
      if (rest) value = rest;
      else if (args[i + 1] !== undefined && !args[i + 1]!.startsWith('-')) {
        value = args[i + 1];
        i++;
      }
      setFlag(flags, option, value, parsed);
      parsed.summary.push(`-${shortSummary.join('')}${letters[k]}`, ...(value !== undefined ? [shown(option, value)] : []));
      shortSummary.length = 0;
      k = letters.length;
    }
    if (shortSummary.length) parsed.summary.push(`-${shortSummary.join('')}`);
  }
  return parsed;
}

export interface DetectOptions {
  /** How deep `bash -c '...'` may nest (default 3). */
  depth?: number;
}

/**
 * Every print-mode invocation of Claude Code in a shell command line (usually one; `a && b` chains can hold
 * several). Look-alikes such as `claude --help`, `claude -c` without `-p` or `echo "claude -p"` give none.
 */
export function detectPrintRuns(commandLine: string, opts: DetectOptions = {}): PrintInvocation[] {
  const depth = opts.depth ?? 3;
  const commands = splitCommands(tokenize(commandLine));
  const pipedToRecord = new Set<number>();
  // `claude -p ... | credit-ledger record`: the pipe's reader records the run.
  for (let i = 1; i < commands.length; i++) {
    const c = commands[i]!;
    if (!c.pipedIn) continue;
    const w = c.words.filter((x) => !ENV_ASSIGNMENT.test(x));
    const at = w.findIndex((x) => baseName(x) === 'credit-ledger');
    if (at >= 0 && w[at + 1] === 'record') {
      for (let j = i - 1; j >= 0; j--) {
        pipedToRecord.add(j);
        if (!commands[j]!.pipedIn) break;
      }
    }
  }
  const out: PrintInvocation[] = [];
  commands.forEach((cmd, index) => {
    const found = locateClaude(cmd.words);
    if (!found) return;
    if (found.nested !== undefined) {
      if (depth > 0) {
        for (const inner of detectPrintRuns(found.nested, { depth: depth - 1 })) {
          if (inner.recordedBy === null && pipedToRecord.has(index)) inner.recordedBy = 'record';
          if (!inner.promptFromStdin && (cmd.pipedIn || cmd.redirects.some(isStdinRedirect))) inner.promptFromStdin = true;
          out.push(inner);
        }
      }
      return;
    }
    const invocation = buildInvocation(cmd, found, pipedToRecord.has(index));
    if (invocation) out.push(invocation);
  });
  return out;
}

/** The first print-mode invocation in a command line, or undefined. */
export function detectPrintRun(commandLine: string, opts: DetectOptions = {}): PrintInvocation | undefined {
  return detectPrintRuns(commandLine, opts)[0];
}

/** The same for an argv (e.g. `credit-ledger exec -- claude -p ...`): no shell splitting, the words are given. */
export function detectPrintRunInArgv(argv: readonly string[]): PrintInvocation | undefined {
  const found = locateClaude(argv);
  if (!found) return undefined;
  if (found.nested !== undefined) return detectPrintRun(found.nested);
  return buildInvocation({ words: [...argv], redirects: [], pipedIn: false }, found, false);
}

function isStdinRedirect(r: Redirect): boolean {
  return (r.op === '<' || r.op === '<<<' || r.op === '<&') && (r.fd === undefined || r.fd === '0');
}

function buildInvocation(cmd: SimpleCommand, found: Located, pipedToRecord: boolean): PrintInvocation | undefined {
  const parsed = parseClaudeArgs(cmd.words.slice(found.argsAt));
  if (!parsed.print || parsed.help || parsed.subcommand) return undefined;
  const stdinRedirect = cmd.redirects.some(isStdinRedirect);
  const inputStream = (parsed.flags.inputFormat ?? '').toLowerCase() === 'stream-json';
  const promptFromStdin = cmd.pipedIn || stdinRedirect || found.stdinArgs || inputStream;
  const prompt = parsed.promptWords.join(' ');
  const launcher = found.launcher.join(' ');
  const summary = [
    ...found.envNames.map((n) => `${n}=${HIDDEN}`),
    found.launcher.map(shellWord).join(' '),
    ...parsed.summary,
    ...(prompt ? [PROMPT_MARK] : []),
    ...(promptFromStdin && !prompt ? ['<stdin>'] : []),
  ].join(' ');
  return {
    launcher,
    flags: parsed.flags,
    prompt,
    promptFromStdin,
    envNames: found.envNames,
    summary,
    recordedBy: found.recordedBy ?? (pipedToRecord ? 'record' : null),
  };
}

/** The first `max` characters of the prompt, one line, for a label the user allowed; "" when there is none. */
export function promptLabel(invocation: Pick<PrintInvocation, 'prompt'>, max = 80): string {
  const oneLine = invocation.prompt.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
