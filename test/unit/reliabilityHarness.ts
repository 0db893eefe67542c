// A user's machine in a temporary HOME, for the reliability tests: the corpus copied into
// $H/.claude/projects, the built CLI run as a user runs it, state under $H/.local/share/credit-ledger.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './builders';

export const cli = path.resolve(__dirname, '../../dist/cli.js');
export const corpus = path.resolve(__dirname, '../../../shared/corpus');
export const hasCorpus = fs.existsSync(path.join(corpus, 'projects'));
export const noCorpus = hasCorpus ? false : `the shared corpus is absent (${corpus})`;

export interface Machine {
  home: string;
  /** `$H/.claude` */
  claude: string;
  /** `$H/.local/share/credit-ledger` */
  data: string;
  ledger: string;
  journal: string;
}

/** A fresh HOME with the corpus as the user's ~/.claude. */
export function machine(): Machine {
  const home = tempDir('cl-rel-home-');
  const claude = path.join(home, '.claude');
  fs.mkdirSync(claude);
  fs.cpSync(path.join(corpus, 'projects'), path.join(claude, 'projects'), { recursive: true });
  const data = path.join(home, '.local', 'share', 'credit-ledger');
  return { home, claude, data, ledger: path.join(data, 'ledgers', 'user.sqlite'), journal: path.join(data, 'journal.jsonl') };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with only HOME (and PATH) set, as a user's shell would. */
export function runCli(m: Machine, args: string[], env: Record<string, string> = {}, input?: string): CliResult {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input, env: { PATH: process.env.PATH ?? '', HOME: m.home, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface Totals {
  requests: number;
  totalCost: number;
  corrected: number;
}

/** `daily --json` totals; fails with the CLI's stderr when the run fails. */
export function totals(m: Machine, env: Record<string, string> = {}): Totals & { stderr: string } {
  const r = runCli(m, ['daily', '--json', '--timezone', 'UTC'], env);
  if (r.code !== 0) throw new Error(`daily exited ${r.code}: ${r.stderr}`);
  const t = JSON.parse(r.stdout).totals;
  return { requests: t.requests, totalCost: t.totalCost, corrected: t.corrected.totalCost, stderr: r.stderr };
}

/** A seeded generator (mulberry32): fault points and garbage bytes are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `dd if=/dev/urandom of=file bs=4096 seek=<page> count=<pages> conv=notrunc`, with seeded bytes. */
export function overwritePages(file: string, page: number, pages: number, seed = 1): void {
  const rnd = seeded(seed);
  const junk = Buffer.alloc(4096 * pages);
  for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rnd() * 256);
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, junk, 0, junk.length, 4096 * page);
  } finally {
    fs.closeSync(fd);
  }
}
