// `credit-ledger config`: read and write the per-user settings file (for users who never open VS Code).
import type { Command } from 'commander';
import { resolvePoolSettings, PoolSettingsError } from '../core/pool';
import { userPaths } from '../core/state/paths';
import { loadUserSettings, SettingsFileError, updateUserSettings, type UserSettings } from '../core/state/settings';
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

/** Read-modify-write under the settings lock; a malformed file is kept as it is and the user told why. */
function writeSettings(file: string, change: (current: UserSettings) => UserSettings): void {
  try {
    updateUserSettings(file, change, 'refuse');
  } catch (err) {
    if (err instanceof SettingsFileError) throw new UsageError(err.message, 1);
    throw err;
  }
}

export function configCommand(program: Command): void {
  const config = program.command('config').description(`show or change the per-user settings file (${userPaths().settings})`);
  config
    .command('show', { isDefault: true })
    .description('print the settings')
    .action(() => {
      const read = loadUserSettings(userPaths().settings);
      for (const p of read.problems) process.stderr.write(`note: ${p}\n`);
      process.stdout.write(JSON.stringify({ file: userPaths().settings, settings: read.settings, ...(read.problems.length ? { problems: read.problems } : {}) }, null, 2) + '\n');
    });
  config
    .command('set')
    .description(`set a value: ${Object.keys(KEYS).join(', ')}`)
    .argument('<key>')
    .argument('<value>')
    .action((key: string, text: string) => {
      const parse = KEYS[key];
      if (!parse) throw new UsageError(`unknown setting "${key}"; one of: ${Object.keys(KEYS).join(', ')}`);
      const file = userPaths().settings;
      const value = parse(text);
      let next: UserSettings = {};
      writeSettings(file, (current) => {
        next = { ...current, [key]: value };
        try {
          resolvePoolSettings(next);
        } catch (err) {
          if (err instanceof PoolSettingsError) throw new UsageError(err.problems.join('\n'));
          throw err;
        }
        return next;
      });
      process.stdout.write(`${key} = ${JSON.stringify(next[key])} (${file})\n`);
    });
  config
    .command('unset')
    .argument('<key>')
    .action((key: string) => {
      const file = userPaths().settings;
      writeSettings(file, (current) => {
        const next = { ...current };
        delete next[key];
        return next;
      });
      process.stdout.write(`${key} removed (${file})\n`);
    });
}
