// `credit-ledger config`: read and write the per-user settings file (for users who never open VS Code).
import type { Command } from 'commander';
import { resolvePoolSettings, PoolSettingsError } from '../core/pool';
import { userPaths } from '../core/state/paths';
import { readUserSettings, writeUserSettings, type UserSettings } from '../core/state/settings';
import { UsageError } from './errors';

function bool(v: string): boolean {
  const t = v.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(t)) return true;
  if (['false', 'no', 'off', '0'].includes(t)) return false;
  throw new UsageError(`"${v}" is not true or false`);
}

function num(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`"${v}" is not a number`);
  return n;
}

/** Keys the CLI may set, and how to read their value from the command line. */
const KEYS: Record<string, (v: string) => unknown> = {
  plan: (v) => v,
  amount: num,
  scope: (v) => v,
  overage: (v) => v,
  cycleDay: num,
  timezone: (v) => v,
  countUnclassified: bool,
  basis: (v) => v,
  warnShare: num,
  allowLabels: bool,
  configDirs: (v) => v.split(',').map((s) => s.trim()).filter(Boolean),
};

export function configCommand(program: Command): void {
  const config = program.command('config').description(`show or change the per-user settings file (${userPaths().settings})`);
  config
    .command('show', { isDefault: true })
    .description('print the settings')
    .action(() => {
      process.stdout.write(JSON.stringify({ file: userPaths().settings, settings: readUserSettings(userPaths().settings) }, null, 2) + '\n');
    });
  config
    .command('set')
    .description(`set a value: ${Object.keys(KEYS).join(', ')}`)
    .argument('<key>')
    .argument('<value>')
    .action((key: string, value: string) => {
      const parse = KEYS[key];
      if (!parse) throw new UsageError(`unknown setting "${key}"; one of: ${Object.keys(KEYS).join(', ')}`);
      const file = userPaths().settings;
      const next: UserSettings = { ...readUserSettings(file), [key]: parse(value) };
      try {
        resolvePoolSettings(next);
      } catch (err) {
        if (err instanceof PoolSettingsError) throw new UsageError(err.problems.join('\n'));
        throw err;
      }
      writeUserSettings(file, next);
      process.stdout.write(`${key} = ${JSON.stringify(next[key])} (${file})\n`);
    });
  config
    .command('unset')
    .argument('<key>')
    .action((key: string) => {
      const file = userPaths().settings;
      const next = { ...readUserSettings(file) };
      delete next[key];
      writeUserSettings(file, next);
      process.stdout.write(`${key} removed (${file})\n`);
    });
}
