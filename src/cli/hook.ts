// `credit-ledger hook`, `statusline`, `install-hook`, `uninstall-hook`: the Claude Code hook and status line
// (the same code as dist/hook.js, which the installed launcher runs), and their install into Claude Code's settings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { hookMain } from '../core/hook/main';
import {
  applyInstall,
  applyUninstall,
  currentRuntime,
  InstallError,
  planInstall,
  planUninstall,
  type InstallPlan,
  type InstallScope,
  type UninstallPlan,
} from '../core/hook/install';
import { userPaths } from '../core/state/paths';
import { SettingsFileError, updateUserSettings } from '../core/state/settings';
import { UsageError } from './errors';

const SCOPES: readonly InstallScope[] = ['user', 'workspace', 'local'];

/** dist/hook.js beside the CLI bundle; from a source checkout, the built one. */
export function bundledHookScript(): string {
  const candidates = [path.join(__dirname, 'hook.js'), path.join(__dirname, '..', '..', 'dist', 'hook.js')];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0]!;
}

interface TargetOptions {
  scope?: string;
  dir?: string;
  settings?: string;
  dryRun?: boolean;
  yes?: boolean;
}

function scopeOf(o: TargetOptions): InstallScope {
  const s = (o.scope ?? 'user') as InstallScope;
  if (!SCOPES.includes(s)) throw new UsageError(`--scope must be one of ${SCOPES.join(', ')} (got "${o.scope}")`);
  // a typo must not become a new project folder with a .claude/ inside
  if (o.dir !== undefined && !fs.statSync(o.dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--dir ${o.dir} is not a folder (nothing was written)`);
  return s;
}

function withTargetOptions(cmd: Command): Command {
  return cmd
    .option('--scope <scope>', 'user (~/.claude/settings.json), workspace (<dir>/.claude/settings.json) or local (<dir>/.claude/settings.local.json)', 'user')
    .option('--dir <folder>', 'the project folder for --scope workspace or local (default: the current folder)')
    .option('--settings <file>', 'a Claude Code settings file to edit instead of the scope\'s')
    .option('--dry-run', 'print what would change (a diff) and write nothing')
    .option('--yes', 'write without asking');
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
  try {
    const answer = await Promise.race([rl.question(question), new Promise<string>((resolve) => rl.once('close', () => resolve('')))]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function describeInstall(plan: InstallPlan): string {
  const lines = [`Claude Code settings: ${plan.settingsFile} (${plan.scope} scope)`];
  if (plan.commands.hook) lines.push(`  hook (UserPromptSubmit, SessionStart): ${plan.commands.hook}`);
  if (plan.commands.statusLine) lines.push(`  status line: ${plan.commands.statusLine}`);
  const rt = currentRuntime();
  lines.push(`  launcher: ${plan.launcher.command} (runs ${plan.launcher.script} with ${rt.execPath}${rt.electron ? ' as Node' : ''}; else node on PATH)`);
  for (const n of plan.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}

export function registerHookCommand(program: Command): void {
  program
    .command('hook')
    .description('the Claude Code hook (UserPromptSubmit, SessionStart): hook JSON on stdin; prints a warning or, by your policy, a block; always exits 0')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async () => {
      // Never a commander error here: exit code 2 would block the user's prompt.
      await hookMain(['hook']);
    });
}

export function registerStatuslineCommand(program: Command): void {
  program
    .command('statusline')
    .description('the Claude Code status line: context size and price tier, this session at list price, credit left')
    .option('--wrap <command>', 'your own status-line command: run with the same stdin, its output shown first')
    .option('--no-color', 'no ANSI colours')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (opts: { wrap?: string; color?: boolean }) => {
      await hookMain(['statusline', ...(opts.wrap ? ['--wrap', opts.wrap] : []), ...(opts.color === false ? ['--no-color'] : [])]);
    });
}

interface InstallOptions extends TargetOptions {
  statusline?: boolean;
  hook?: boolean;
  policy?: string;
  contextThreshold?: string;
}

export function registerInstallHookCommand(program: Command): void {
  withTargetOptions(program.command('install-hook').description('add the hook (and with --statusline the status line) to Claude Code\'s settings; shows the diff and asks first'))
    .option('--statusline', 'also install the status line (your own status line keeps running, wrapped)')
    .option('--no-hook', 'only the status line, not the hook')
    .option('--policy <policy>', 'warn (default: never block) or block (stop unattended runs with no credit left under overage stop); saved in the Credit Ledger settings')
    .option('--context-threshold <tokens>', 'also warn above this context size (0: off); saved in the Credit Ledger settings')
    .action(async (opts: InstallOptions) => {
      const paths = userPaths();
      if (opts.policy !== undefined && opts.policy !== 'warn' && opts.policy !== 'block') throw new UsageError(`--policy must be warn or block (got "${opts.policy}")`);
      const threshold = opts.contextThreshold === undefined ? undefined : Number(opts.contextThreshold);
      if (threshold !== undefined && !(Number.isFinite(threshold) && threshold >= 0)) throw new UsageError(`--context-threshold must be a number of tokens (got "${opts.contextThreshold}")`);
      if (opts.hook === false && !opts.statusline) throw new UsageError('nothing to install: --no-hook without --statusline');
      let plan: InstallPlan;
      try {
        plan = planInstall({ scope: scopeOf(opts), workspaceDir: opts.dir, settingsFile: opts.settings, paths, hookScript: bundledHookScript(), hook: opts.hook !== false, statusLine: opts.statusline === true });
      } catch (err) {
        if (err instanceof InstallError) throw new UsageError(err.message, 1);
        throw err;
      }
      process.stdout.write(describeInstall(plan));
      const ours = settingsChange(opts, threshold);
      if (ours) process.stdout.write(`Credit Ledger settings (${paths.settings}): ${ours.describe}\n`);
      if (plan.changed) process.stdout.write('\n' + plan.diff + '\n');
      else process.stdout.write('The settings already hold these entries: nothing to change there.\n');
      if (opts.dryRun) {
        process.stdout.write('Dry run: nothing was written.\n');
        return;
      }
      if ((plan.changed || ours) && !opts.yes && !(await confirm(`Write ${plan.changed ? plan.settingsFile : paths.settings}? [y/N] `))) {
        throw new UsageError('not confirmed: nothing was written', 1);
      }
      try {
        const r = applyInstall(plan);
        if (ours) ours.apply();
        process.stdout.write(r.wrote ? `Installed.${r.backup ? ` The file before is saved as ${r.backup}.` : ''} Undo with: credit-ledger uninstall-hook${scopeArgs(opts)}\n` : 'Launcher refreshed.\n');
      } catch (err) {
        if (err instanceof InstallError) throw new UsageError(err.message, 1);
        throw err;
      }
    });
}

function scopeArgs(o: TargetOptions): string {
  return `${o.scope && o.scope !== 'user' ? ` --scope ${o.scope}` : ''}${o.dir ? ` --dir ${JSON.stringify(o.dir)}` : ''}${o.settings ? ` --settings ${JSON.stringify(o.settings)}` : ''}`;
}

/** The `hook` keys the install flags set in the per-user settings file, if any. */
function settingsChange(opts: InstallOptions, threshold: number | undefined): { describe: string; apply: () => void } | null {
  if (opts.policy === undefined && threshold === undefined) return null;
  const file = userPaths().settings;
  const parts: string[] = [];
  if (opts.policy !== undefined) parts.push(`hook.policy = ${opts.policy}`);
  if (threshold !== undefined) parts.push(`hook.contextThreshold = ${threshold || 'off'}`);
  return {
    describe: parts.join(', '),
    apply: (): void => {
      try {
        updateUserSettings(file, (s) => {
          const before = s.hook;
          const hook: Record<string, unknown> = before && typeof before === 'object' && !Array.isArray(before) ? { ...(before as Record<string, unknown>) } : {};
          if (opts.policy === 'warn' || opts.policy === 'block') hook.policy = opts.policy;
          if (threshold !== undefined) hook.contextThreshold = threshold > 0 ? Math.round(threshold) : null;
          return { ...s, hook };
        });
      } catch (err) {
        if (err instanceof SettingsFileError) throw new UsageError(err.message, 1);
        throw err;
      }
    },
  };
}

function describeUninstall(plan: UninstallPlan): string {
  const what = {
    restore: 'restored byte for byte from the backup made at install (nothing else changed it since)',
    delete: 'removed (it did not exist before the install, and nothing else changed it since)',
    edit: 'edited: only Credit Ledger\'s entries are removed',
    none: 'left as it is: it holds no Credit Ledger entries',
  }[plan.mode];
  const lines = [`Claude Code settings: ${plan.settingsFile}: ${what}`];
  for (const n of plan.notes) lines.push(`note: ${n}`);
  if (plan.removeFiles.length) lines.push(`launcher files removed: ${plan.removeFiles.join(', ')}`);
  return lines.join('\n') + '\n';
}

export function registerUninstallHookCommand(program: Command): void {
  withTargetOptions(program.command('uninstall-hook').description('take the hook and status line out of Claude Code\'s settings (restoring the file as it was when nothing else changed it)')).action(
    async (opts: TargetOptions) => {
      let plan: UninstallPlan;
      try {
        plan = planUninstall({ scope: scopeOf(opts), workspaceDir: opts.dir, settingsFile: opts.settings, paths: userPaths() });
      } catch (err) {
        if (err instanceof InstallError) throw new UsageError(err.message, 1);
        throw err;
      }
      process.stdout.write(describeUninstall(plan));
      if (plan.changed && plan.diff) process.stdout.write('\n' + plan.diff + '\n');
      if (opts.dryRun) {
        process.stdout.write('Dry run: nothing was written.\n');
        return;
      }
      if (!plan.changed && !plan.removeFiles.length) return;
      if (plan.changed && !opts.yes && !(await confirm(`${plan.mode === 'delete' ? 'Delete' : 'Write'} ${plan.settingsFile}? [y/N] `))) {
        throw new UsageError('not confirmed: nothing was written', 1);
      }
      try {
        applyUninstall(plan);
        process.stdout.write('Uninstalled.\n');
      } catch (err) {
        if (err instanceof InstallError) throw new UsageError(err.message, 1);
        throw err;
      }
    },
  );
}
