// Runs the built CLI (npm test builds dist/ first) as a user would, in a temporary per-user folder.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { tempDir } from './builders';

export const CLI = path.resolve(__dirname, '../../dist/cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  home: string;
}

/** `env` adds to a minimal environment (PATH, HOME and CREDIT_LEDGER_HOME in a fresh temporary folder unless given). */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string): CliResult {
  const home = env.CREDIT_LEDGER_HOME ?? tempDir('cl-home-');
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, home };
}
