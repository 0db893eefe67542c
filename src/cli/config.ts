// `credit-ledger config`: read and write the per-user settings file (for users who never open VS Code).
// Settings go by the names VS Code shows (core/state/settingNames); every value is checked before it is written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { resolvePoolSettings, PoolSettingsError, parseUsdToNanos, PLANS } from '../core/pool';
import { resolveAuditThresholds } from '../core/audit/settings';
import { userPaths } from '../core/state/paths';
import { loadUserSettings, SettingsFileError, updateUserSettings, type UserSettings } from '../core/state/settings';
import { currentName, encodeSettingsFile, enginePath, getPath, setPath } from '../core/state/settingNames';
import { isValidTimeZone } from '../core/reports/timeZone';
import { UsageError } from './errors';
import { settingsUrlProblem, urlProblem } from '../core/sync/connection';

type Parse = (v: string) => unknown;

function bool(v: string): boolean {
  const t = v.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(t)) return true;
  if (['false', 'no', 'off', '0'].includes(t)) return false;
  throw new UsageError(`"${v}" is not true or false`);
}

function num(what: string, ok: (n: number) => boolean): Parse {
  return (v) => {
    const n = Number(v.trim().replace(/^\$/, '').replace(/_/g, ''));
    if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`"${v}" is not ${what}`);
    return n;
  };
}

function oneOf(...allowed: string[]): Parse {
  return (v) => {
    const t = v.trim();
    if (!allowed.includes(t)) throw new UsageError(`"${v}" is not one of ${allowed.join(', ')}`);
    return t;
  };
}

const share = num('a share from 0 to 1 (0.25 is 25%)', (n) => n >= 0 && n <= 1);

function usdAmount(v: string): number {
  const nanos = parseUsdToNanos(v);
  if (nanos === null || nanos <= 0) throw new UsageError(`"${v}" is not a positive amount in USD (e.g. 50 or $50)`);
  return nanos / 1e9;
}

function folders(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean).map((s) => path.resolve(s));
}

const RATE_FIELDS = ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'];

/** A model's rates in USD per million tokens: JSON (`{"input":3,"output":15}`) or `input=3,output=15`. */
function rateRow(v: string): Record<string, unknown> {
  let row: Record<string, unknown>;
  if (v.trim().startsWith('{')) {
    try {
      row = JSON.parse(v) as Record<string, unknown>;
    } catch {
      throw new UsageError(`"${v}" is not JSON`);
    }
  } else {
    row = {};
    for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [k, val] = part.split('=').map((s) => s.trim());
      row[k!] = k === 'note' ? val : Number(val);
    }
  }
  const problems: string[] = [];
  for (const [k, val] of Object.entries(row)) {
    if (k === 'note') continue;
    if (!RATE_FIELDS.includes(k)) problems.push(`unknown field "${k}" (one of ${RATE_FIELDS.join(', ')}, note)`);
    else if (typeof val !== 'number' || !Number.isFinite(val) || val < 0) problems.push(`${k} must be USD per million tokens, 0 or more (got ${JSON.stringify(val)})`);
  }
  if (row.input === undefined || row.output === undefined) problems.push('input and output are required (USD per million tokens), e.g. input=3,output=15');
  if (problems.length) throw new UsageError(problems.join('\n'));
  return row;
}

function rateTable(v: string): Record<string, unknown> {
  let o: unknown;
  try {
    o = JSON.parse(v);
  } catch {
    throw new UsageError(`"${v}" is not JSON (e.g. {"claude-x": {"input": 3, "output": 15}}); or set one model: config set rateOverrides.<model> input=3,output=15`);
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new UsageError('rateOverrides must be an object of model id → rates');
  return Object.fromEntries(Object.entries(o as Record<string, unknown>).map(([m, row]) => [m, rateRow(JSON.stringify(row))]));
}

function auditValue(key: string): Parse {
  return (v) => {
    const r = resolveAuditThresholds(undefined, { [key]: v });
    if (r.flagProblems.length) throw new UsageError(r.flagProblems.join('\n'));
    return Number(v);
  };
}

/** Every setting the file holds, by the name VS Code shows, with how to read it from the command line. */
export const CONFIG_KEYS: Readonly<Record<string, { parse: Parse; help: string }>> = {
  plan: { parse: oneOf(...PLANS.map((p) => p.id)), help: PLANS.map((p) => p.id).join(' | ') },
  amount: { parse: usdAmount, help: 'USD a month for custom and api' },
  scope: { parse: oneOf('headless', 'all'), help: 'headless | all' },
  overage: { parse: oneOf('bill', 'stop'), help: 'bill | stop' },
  cycleDay: { parse: num('a whole day of the month from 1 to 31', (n) => Number.isInteger(n) && n >= 1 && n <= 31), help: '1-31' },
  timeZone: {
    parse: (v) => {
      if (!isValidTimeZone(v.trim())) throw new UsageError(`unknown time zone "${v}" (use an IANA name such as Europe/Berlin or UTC)`);
      return v.trim();
    },
    help: 'IANA zone, e.g. Europe/Berlin',
  },
  countUnclassified: { parse: bool, help: 'true | false' },
  basis: { parse: oneOf('recorded', 'corrected'), help: 'recorded | corrected' },
  warnShare: { parse: share, help: 'share left under which the status bar warns, 0-1' },
  notifyAt: {
    parse: (v) => v.split(',').map((s) => share(s) as number).sort((a, b) => a - b),
    help: 'spent shares that notify, e.g. 0.75,0.9,1',
  },
  transcriptFolders: { parse: folders, help: 'Claude config dirs, comma-separated' },
  rateOverrides: { parse: rateTable, help: 'JSON of model id → rates; or rateOverrides.<model> input=3,output=15' },
  allowPromptLabels: { parse: bool, help: 'true | false' },
  'audit.contextThreshold': { parse: auditValue('contextThreshold'), help: 'tokens' },
  'audit.minIterations': { parse: auditValue('minIterations'), help: 'whole number from 2' },
  'audit.minCostUsd': { parse: auditValue('minCostUsd'), help: 'USD' },
  'audit.hourlyRateUsd': { parse: auditValue('hourlyRateUsd'), help: 'USD per hour' },
  'runs.notify': { parse: (v) => (v.trim() === 'overAmount' ? 'over' : oneOf('always', 'over', 'never')(v)), help: 'always | over | never' },
  'runs.notifyOverUsd': { parse: num('an amount in USD, 0 or more', (n) => n >= 0), help: 'USD' },
  'warnings.contextThreshold': {
    parse: (v) => {
      const n = num('a whole number of tokens (0: off)', (x) => Number.isInteger(x) && x >= 0)(v) as number;
      return n > 0 ? n : null;
    },
    help: 'tokens (0: off)',
  },
  'warnings.longContextTier': { parse: bool, help: 'true | false' },
  'warnings.overThreshold': { parse: bool, help: 'true | false' },
  'warnings.expiredCache': { parse: bool, help: 'true | false' },
  'warnings.credit': { parse: bool, help: 'true | false' },
  'hook.policy': { parse: oneOf('warn', 'block'), help: 'warn | block' },
  'sync.databaseUrl': {
    parse: (v) => {
      const problem = urlProblem(v.trim()) ?? settingsUrlProblem(v.trim());
      if (problem) throw new UsageError(problem);
      return v.trim();
    },
    help: 'shared ledger, postgres://user@host:5432/db (no password: PGPASSFILE or PGPASSWORD)',
  },
  'sync.machineLabel': {
    parse: (v) => {
      if (!v.trim()) throw new UsageError('a machine label cannot be empty (unset it to use the hostname)');
      return v.trim().slice(0, 80);
    },
    help: "this machine's name in the shared ledger (default: the hostname)",
  },
};

const VSCODE_ONLY = new Set(['pollIntervalSeconds']);

/** The setting a name given on the command line means: its current name, or a model under rateOverrides. */
function resolveKey(given: string): { name: string; parse: Parse } {
  const renamed = currentName(given);
  if (renamed) {
    process.stderr.write(`note: "${given}" is now called "${renamed}"\n`);
    return resolveKey(renamed);
  }
  const spec = CONFIG_KEYS[given];
  if (spec) return { name: given, parse: spec.parse };
  const model = /^rateOverrides\.(.+)$/.exec(given)?.[1];
  if (model) return { name: given, parse: rateRow };
  if (VSCODE_ONLY.has(given)) throw new UsageError(`"${given}" is a VS Code setting only (the CLI does not poll)`);
  throw new UsageError(`unknown setting "${given}"; one of: ${Object.keys(CONFIG_KEYS).join(', ')}`);
}

/** The engine's path of a name (a model under rateOverrides keeps its dots: model ids have them). */
function pathOf(name: string): string[] {
  if (name.startsWith('rateOverrides.')) return ['rateOverrides', name.slice('rateOverrides.'.length)];
  return enginePath(name).split('.');
}

function getAt(s: UserSettings, p: string[]): unknown {
  return p.length === 2 && p[0] === 'rateOverrides' ? (s.rateOverrides as Record<string, unknown> | undefined)?.[p[1]!] : getPath(s, p.join('.'));
}

function setAt(s: UserSettings, p: string[], value: unknown): void {
  if (p.length === 2 && p[0] === 'rateOverrides') {
    const table: Record<string, unknown> = { ...((s.rateOverrides as Record<string, unknown> | undefined) ?? {}) };
    if (value === undefined) delete table[p[1]!];
    else table[p[1]!] = value;
    if (Object.keys(table).length) s.rateOverrides = table as UserSettings['rateOverrides'];
    else delete s.rateOverrides;
    return;
  }
  setPath(s, p.join('.'), value);
}

/** Read-modify-write under the settings lock; a malformed file is kept as it is and the user told why. */
function writeSettings(file: string, change: (current: UserSettings) => UserSettings): void {
  try {
    updateUserSettings(file, change, 'refuse');
  } catch (err) {
    if (err instanceof SettingsFileError) throw new UsageError(err.message, 1);
    throw err;
  }
}

function checkPool(next: UserSettings): void {
  try {
    resolvePoolSettings(next);
  } catch (err) {
    if (err instanceof PoolSettingsError) throw new UsageError(err.problems.join('\n'));
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
      const settings = encodeSettingsFile(read.settings);
      process.stdout.write(JSON.stringify({ file: userPaths().settings, settings, ...(read.problems.length ? { problems: read.problems } : {}) }, null, 2) + '\n');
    });
  config
    .command('get')
    .description('print one setting (as JSON; nothing printed and exit 1 when it is not set)')
    .argument('<key>')
    .action((key: string) => {
      const { name } = resolveKey(key);
      const read = loadUserSettings(userPaths().settings);
      for (const p of read.problems) process.stderr.write(`note: ${p}\n`);
      const v = getAt(read.settings, pathOf(name));
      if (v === undefined) throw new UsageError(`${name} is not set (${userPaths().settings})`, 1);
      process.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
    });
  config
    .command('set')
    .description(`set a value: ${Object.entries(CONFIG_KEYS).map(([k, s]) => `${k} (${s.help})`).join(', ')}`)
    .argument('<key>')
    .argument('<value>')
    .action((key: string, value: string) => {
      const { name, parse } = resolveKey(key);
      const file = userPaths().settings;
      const parsed = parse(value);
      let next: UserSettings = {};
      writeSettings(file, (current) => {
        next = { ...current };
        setAt(next, pathOf(name), parsed);
        checkPool(next);
        return next;
      });
      process.stdout.write(`${name} = ${JSON.stringify(parsed)} (${file})\n`);
      if (name === 'amount' && next.plan && PLANS.find((p) => p.id === next.plan)?.amountUsd != null) {
        process.stderr.write(`note: plan ${next.plan} has a fixed amount; amount applies to custom and api only\n`);
      }
      if (name === 'transcriptFolders') for (const d of parsed as string[]) if (!fs.existsSync(d)) process.stderr.write(`note: ${d} does not exist (yet)\n`);
    });
  config
    .command('unset')
    .description('remove a setting (its default applies)')
    .argument('<key>')
    .action((key: string) => {
      const { name } = resolveKey(key);
      const file = userPaths().settings;
      const p = pathOf(name);
      let was: unknown;
      writeSettings(file, (current) => {
        const next = { ...current };
        was = getAt(next, p);
        setAt(next, p, undefined);
        return next;
      });
      process.stdout.write(was === undefined ? `${name} was not set (${file})\n` : `${name} removed (${file})\n`);
    });
}
