// A small test harness for the extension host: register with test(), run in order, print `ok N - name` lines.
// No mocha: the host gives us one async run() call and a console; this is all the suite needs.
import * as fs from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';

export interface TestOptions {
  /** Per-test limit; the runner also has an overall limit. */
  timeoutMs?: number;
  /** The test reads the workbench page (status bar, notifications, webviews); skipped where no page driver runs. */
  page?: boolean;
}

interface RegisteredTest {
  name: string;
  fn: () => unknown;
  options: TestOptions;
}

export interface SuiteResult {
  passed: number;
  failed: number;
  skipped: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

// The registry lives on globalThis so two copies of this module (never expected, but cheap to survive) share it.
const registry: RegisteredTest[] = ((globalThis as Record<string, unknown>).__creditLedgerVscodeTests ??= []) as RegisteredTest[];

export function test(name: string, fn: () => unknown, options: TestOptions = {}): void {
  registry.push({ name, fn, options });
}

/** Retries `fn` until it stops throwing (UI updates cross two processes), then returns its value; rethrows the last error. */
export async function eventually<T>(fn: () => T | Promise<T>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await delay(options.intervalMs ?? 200);
    }
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Each report line goes to the console (test-electron shows it) and, under the offline runner, to a file it streams. */
export function report(line: string): void {
  console.log(line);
  const out = process.env.CREDIT_LEDGER_TEST_OUTPUT;
  if (out) fs.appendFileSync(out, line + '\n');
}

function withTimeout(promise: Promise<unknown>, ms: number, name: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${name}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The extension host installs its own Error.prepareStackTrace, which ignores source maps: map the suite's frames here.
const sourceMaps = new Map<string, SourceMap | null>();

function sourceMapOf(file: string): SourceMap | null {
  if (!sourceMaps.has(file)) {
    let map: SourceMap | null = null;
    try {
      const inline = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(fs.readFileSync(file, 'utf8'));
      if (inline) map = new SourceMap(JSON.parse(Buffer.from(inline[1], 'base64').toString('utf8')));
    } catch {
      map = null;
    }
    sourceMaps.set(file, map);
  }
  return sourceMaps.get(file) ?? null;
}

function mapFrame(line: string): string {
  return line.replace(/(\/[^\s():]+\.js):(\d+):(\d+)/g, (whole, file: string, l: string, c: string) => {
    const entry = sourceMapOf(file)?.findEntry(Number(l) - 1, Number(c) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
    if (!entry?.originalSource) return whole;
    const source = path.resolve(path.dirname(file), entry.originalSource.replace(/^file:\/\//, ''));
    // The bundle is <repo>/out/test/vscode/index.js: name sources relative to the repo root.
    const repoRoot = path.resolve(path.dirname(file), '..', '..', '..');
    return `${path.relative(repoRoot, source)}:${(entry.originalLine ?? 0) + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}

function describeError(err: unknown): string[] {
  const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  return text.split('\n').map((l) => `  # ${mapFrame(l)}`);
}

export async function runRegistered(hasPage: boolean): Promise<SuiteResult> {
  const grep = process.env.CREDIT_LEDGER_TEST_GREP;
  const tests = grep ? registry.filter((t) => t.name.includes(grep)) : registry.slice();
  const result: SuiteResult = { passed: 0, failed: 0, skipped: 0 };
  report(`1..${tests.length}`);
  for (const [i, t] of tests.entries()) {
    const n = i + 1;
    if (t.options.page && !hasPage) {
      result.skipped++;
      report(`ok ${n} - ${t.name} # SKIP no page driver (run scripts/vscode/offline.mjs)`);
      continue;
    }
    const started = Date.now();
    try {
      await withTimeout(Promise.resolve().then(t.fn), t.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, t.name);
      result.passed++;
      report(`ok ${n} - ${t.name} (${Date.now() - started} ms)`);
    } catch (err) {
      result.failed++;
      report(`not ok ${n} - ${t.name} (${Date.now() - started} ms)`);
      for (const line of describeError(err)) report(line);
    }
  }
  const skipped = result.skipped ? `, ${result.skipped} skipped` : '';
  report(`${result.passed} passed, ${result.failed} failed${skipped}`);
  return result;
}
