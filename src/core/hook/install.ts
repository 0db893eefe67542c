// Installing the hook and the status line into a Claude Code settings file, and taking them out again.
// Plan first (the text after, and a diff), then apply only what was planned: comments, formatting and other
// hooks are kept (jsonc-parser edits), a second install changes nothing, the file before is backed up, and an
// uninstall restores it byte for byte when nothing else changed it since (a hash recorded at install);
// otherwise it removes only our entries. Settings point at a launcher in the per-user folder that finds a Node
// runtime and exits 0 silently when the hook or the runtime is gone: nothing here can break Claude Code.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Env, UserPaths } from '../state/paths';
import { unifiedDiff } from './diff';
import { isObj, SettingsParseError, SettingsText, type Json } from './settingsText';

export type InstallScope = 'user' | 'workspace' | 'local';

/** The Node runtime the launcher starts; inside VS Code that is Electron, run as Node. */
export interface Runtime {
  execPath: string;
  electron: boolean;
}

export function currentRuntime(): Runtime {
  return { execPath: process.execPath, electron: typeof process.versions.electron === 'string' };
}

export class InstallError extends Error {}

export const LAUNCHER_NAME = 'credit-ledger-hook';
/** The hook events the hook is installed for. */
export const HOOK_EVENTS = ['UserPromptSubmit', 'SessionStart'] as const;
/** Seconds Claude Code waits for the hook (it answers in well under a second; a timeout lets the prompt through). */
export const HOOK_TIMEOUT_SECONDS = 10;

export interface SettingsTarget {
  scope: InstallScope;
  /** The project folder for `workspace` and `local` (default: the current directory). */
  workspaceDir?: string;
  /** An explicit Claude Code settings file (overrides the scope's). */
  settingsFile?: string;
  env?: Env;
  home?: string;
}

/** `~/.claude/settings.json` (or the first CLAUDE_CONFIG_DIR), `<dir>/.claude/settings.json` or `settings.local.json`. */
export function claudeSettingsFile(t: SettingsTarget): string {
  if (t.settingsFile) return path.resolve(t.settingsFile);
  if (t.scope === 'user') {
    const env = t.env ?? process.env;
    const first = (env.CLAUDE_CONFIG_DIR ?? '').split(',').map((s) => s.trim()).find(Boolean);
    return path.join(first ? path.resolve(first) : path.join(t.home ?? os.homedir(), '.claude'), 'settings.json');
  }
  const dir = path.resolve(t.workspaceDir ?? process.cwd());
  return path.join(dir, '.claude', t.scope === 'local' ? 'settings.local.json' : 'settings.json');
}

// ---------------------------------------------------------------------------------------------------------------
// The launcher

export interface LauncherFile {
  path: string;
  content: string;
  mode: number;
}

export interface Launcher {
  dir: string;
  /** What the settings' commands run. */
  command: string;
  /** The hook bundle's copy beside it (survives extension updates and a CLI moving). */
  script: string;
  files: LauncherFile[];
}

export function launcherDir(paths: UserPaths): string {
  return path.join(paths.dataDir, 'bin');
}

const shQuote = (s: string): string => (/^[A-Za-z0-9_/.:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function shLauncher(script: string, runtime: Runtime): string {
  return [
    '#!/bin/sh',
    '# Credit Ledger: runs its Claude Code hook and status line (written by `credit-ledger install-hook`).',
    '# Never breaks Claude Code: with the hook script or a Node runtime gone it prints nothing and exits 0.',
    `script=${shQuote(script)}`,
    `runtime=${shQuote(runtime.execPath)}`,
    `electron=${runtime.electron ? 1 : 0}`,
    'if [ ! -f "$script" ]; then [ -t 0 ] || cat >/dev/null 2>&1; exit 0; fi',
    '# the runtime recorded at install moved (an update, another Node): use the one on PATH',
    'if [ ! -x "$runtime" ]; then runtime=$(command -v node 2>/dev/null) || runtime=""; electron=0; fi',
    'if [ -z "$runtime" ]; then [ -t 0 ] || cat >/dev/null 2>&1; exit 0; fi',
    'if [ "$electron" = 1 ]; then ELECTRON_RUN_AS_NODE=1 "$runtime" "$script" "$@"; else "$runtime" "$script" "$@"; fi',
    'exit 0',
    '',
  ].join('\n');
}

/** A value inside `set "NAME=…"` in a batch file: `%` would expand a variable there (`%USERNAME%` in a folder name). */
const cmdValue = (s: string): string => s.replace(/%/g, '%%');

export function cmdLauncher(script: string, runtime: Runtime): string {
  return [
    '@echo off',
    'rem Credit Ledger: runs its Claude Code hook and status line (written by `credit-ledger install-hook`).',
    'rem Never breaks Claude Code: with the hook script or a Node runtime gone it prints nothing and exits 0.',
    'setlocal',
    `set "CL_SCRIPT=${cmdValue(script)}"`,
    `set "CL_RUNTIME=${cmdValue(runtime.execPath)}"`,
    `set "CL_ELECTRON=${runtime.electron ? 1 : 0}"`,
    'if not exist "%CL_SCRIPT%" exit /b 0',
    'if exist "%CL_RUNTIME%" goto run',
    'set "CL_RUNTIME="',
    'set "CL_ELECTRON=0"',
    'for %%I in (node.exe) do set "CL_RUNTIME=%%~$PATH:I"',
    'if not defined CL_RUNTIME exit /b 0',
    ':run',
    'if "%CL_ELECTRON%"=="1" set "ELECTRON_RUN_AS_NODE=1"',
    '"%CL_RUNTIME%" "%CL_SCRIPT%" %*',
    'exit /b 0',
    '',
  ].join('\r\n');
}

export function launcherFor(paths: UserPaths, runtime: Runtime, platform: NodeJS.Platform = process.platform): Launcher {
  const dir = launcherDir(paths);
  const script = path.join(dir, 'hook.js');
  const sh = path.join(dir, LAUNCHER_NAME);
  const files: LauncherFile[] = [{ path: sh, content: shLauncher(script, runtime), mode: 0o755 }];
  if (platform === 'win32') files.push({ path: `${sh}.cmd`, content: cmdLauncher(script, runtime), mode: 0o644 });
  return { dir, command: platform === 'win32' ? `${sh}.cmd` : sh, script, files };
}

/** The settings' command for the hook: `'<launcher>' hook`. */
export function hookCommand(launcher: string, platform: NodeJS.Platform = process.platform): string {
  return hookCommandOf(quoteCommand(launcher, platform));
}

/** The same for a program already quoted (or a bare name on PATH). */
function hookCommandOf(program: string): string {
  return `${program} hook`;
}

/** The settings' command for the status line, wrapping the user's own when there was one. */
export function statusLineCommand(launcher: string, wrap: string | null, platform: NodeJS.Platform = process.platform): string {
  return statusLineCommandOf(quoteCommand(launcher, platform), wrap, platform);
}

function statusLineCommandOf(program: string, wrap: string | null, platform: NodeJS.Platform): string {
  const base = `${program} statusline`;
  if (!wrap) return base;
  return platform === 'win32' ? `${base} --wrap "${wrap.replace(/(\\*)"/g, '$1$1\\"')}"` : `${base} --wrap ${shQuote(wrap)}`;
}

function quoteCommand(p: string, platform: NodeJS.Platform): string {
  // Claude Code runs commands through a shell; Windows paths go with forward slashes, double-quoted.
  return platform === 'win32' ? `"${p.replace(/\\/g, '/')}"` : shQuote(p);
}

/** A command this feature wrote (any data dir, any platform), or `credit-ledger hook|statusline` set up by hand. */
export function isOurCommand(command: unknown): command is string {
  return typeof command === 'string' && (command.includes(LAUNCHER_NAME) || /(^|[\s/'"])credit-ledger['"]?\s+(hook|statusline)(\s|$)/.test(command));
}

/** The user's status-line command inside ours (`--wrap '…'` or `--wrap "…"`), or null. */
export function wrappedCommandOf(command: string): string | null {
  const sq = /--wrap '((?:[^']|'\\'')*)'\s*$/.exec(command);
  if (sq) return sq[1]!.replace(/'\\''/g, "'");
  const dq = /--wrap "((?:[^"\\]|\\.)*)"\s*$/.exec(command);
  if (dq) return dq[1]!.replace(/\\(["\\])/g, '$1');
  const bare = /--wrap (\S+)\s*$/.exec(command);
  return bare ? bare[1]! : null;
}

// ---------------------------------------------------------------------------------------------------------------
// What install and uninstall remember

export interface InstallRecord {
  settingsFile: string;
  scope: InstallScope;
  installedAt: string;
  /** sha256 of the file before the first install; null when there was no file. */
  beforeSha256: string | null;
  /** sha256 of the file as the install left it: uninstall restores the backup only while it still matches. */
  afterSha256: string;
  /** A byte-for-byte copy of the file before the first install. */
  backup: string | null;
  hook: boolean;
  statusLine: boolean;
  /** The user's status-line command our status line wraps. */
  wrappedStatusLine: string | null;
  /** There was no status line: uninstall removes ours instead of restoring one. */
  addedStatusLine: boolean;
  /** Containers the install created (`hooks`, `hooks.UserPromptSubmit`, ...): removed again when left empty. */
  created: string[];
}

interface InstallRecords {
  version: 1;
  installs: Record<string, InstallRecord>;
}

export function installRecordsPath(paths: UserPaths): string {
  return path.join(paths.dataDir, 'hook-install.json');
}

function readRecords(paths: UserPaths): InstallRecords {
  try {
    const v = JSON.parse(fs.readFileSync(installRecordsPath(paths), 'utf8')) as InstallRecords;
    if (v && v.version === 1 && v.installs && typeof v.installs === 'object') return v;
  } catch {
    // none yet
  }
  return { version: 1, installs: {} };
}

function writeRecords(paths: UserPaths, records: InstallRecords): void {
  writeAtomic(installRecordsPath(paths), JSON.stringify(records, null, 2) + '\n');
}

/** Every settings file the hook is recorded as installed in (for a "where is it installed" view). */
export function listInstalls(paths: UserPaths): InstallRecord[] {
  return Object.values(readRecords(paths).installs);
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Temp file with its mode, then rename: a hook starting meanwhile sees the old file or the new one. */
function writeAtomic(target: string, data: string | Buffer, mode?: number): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now().toString(36)}.tmp`;
  fs.writeFileSync(tmp, data, mode !== undefined ? { mode } : undefined);
  if (mode !== undefined) fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, target);
}

/** The real file behind a symlinked settings file (dotfile managers), so the link survives the write. */
function realTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** The permission bits of an existing file (kept when it is rewritten), or undefined. */
function fileMode(file: string): number | undefined {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
}

function readBytes(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InstallError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Editing the settings text

interface OurHook {
  event: string;
  group: number;
  hook: number;
  command: string;
  /** The group holds nothing but our hooks. */
  groupIsOurs: boolean;
}

function ourHooks(settings: Json, event: string): OurHook[] {
  const hooks = isObj(settings.hooks) ? settings.hooks : {};
  const groups = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
  const found: OurHook[] = [];
  groups.forEach((g, gi) => {
    if (!isObj(g) || !Array.isArray(g.hooks)) return;
    const list = g.hooks as unknown[];
    const ours = list.map((h, hi) => ({ h, hi })).filter(({ h }) => isObj(h) && isOurCommand(h.command));
    for (const { h, hi } of ours) found.push({ event, group: gi, hook: hi, command: (h as Json).command as string, groupIsOurs: ours.length === list.length });
  });
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Install

export interface InstallRequest extends SettingsTarget {
  paths: UserPaths;
  /** The hook bundle (dist/hook.js) to copy beside the launcher. */
  hookScript: string;
  /** Install the UserPromptSubmit / SessionStart hook (default true). */
  hook?: boolean;
  /** Install the status line too, wrapping the user's own (default false). */
  statusLine?: boolean;
  runtime?: Runtime;
  platform?: NodeJS.Platform;
}

/** The command Claude Code runs from a workspace settings file: a bare name, the same on every teammate's machine. */
export const BARE_COMMAND = 'credit-ledger';

/** Whether `name` is an executable on PATH (with PATHEXT's extensions on Windows). */
export function onPath(name: string, env: Env = process.env, platform: NodeJS.Platform = process.platform): boolean {
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext.toLowerCase());
      try {
        if (fs.statSync(candidate).isFile() && (platform === 'win32' || (fs.statSync(candidate).mode & 0o111) !== 0)) return true;
      } catch {
        // not there: the next folder
      }
    }
  }
  return false;
}

/**
 * What the settings' commands run: the launcher in the per-user folder, except in a workspace settings file,
 * which teams commit: there only the bare `credit-ledger` on PATH (an absolute path names one user's home;
 * `npx` would reach the network on every prompt).
 */
function commandProgram(req: InstallRequest, launcher: Launcher, platform: NodeJS.Platform): string {
  if (req.scope !== 'workspace' || req.settingsFile) return quoteCommand(launcher.command, platform);
  if (!onPath(BARE_COMMAND, req.env ?? process.env, platform)) {
    throw new InstallError(
      `--scope workspace writes ${claudeSettingsFile(req)}, a file teams commit, so its command must be the bare "${BARE_COMMAND} hook"; ` +
        `${BARE_COMMAND} is not on PATH here (install it with npm install -g, or npm link from a clone), and a path into this machine's home folder would break for everyone else. ` +
        'Nothing was written. --scope local (.claude/settings.local.json, not committed) or --scope user work without it.',
    );
  }
  return BARE_COMMAND;
}

export interface InstallPlan {
  kind: 'install';
  scope: InstallScope;
  settingsFile: string;
  /** The file as read (null: it does not exist yet). */
  before: string | null;
  after: string;
  /** false: the settings already hold exactly these entries (the launcher is still refreshed). */
  changed: boolean;
  diff: string;
  launcher: Launcher;
  hookScript: string;
  hook: boolean;
  statusLine: boolean;
  commands: { hook: string | null; statusLine: string | null };
  wrappedStatusLine: string | null;
  addedStatusLine: boolean;
  created: string[];
  /** Things the user should know before saying yes. */
  notes: string[];
  paths: UserPaths;
}

/** Runs a planner, turning a settings file that does not parse into the InstallError the commands show. */
function planning<R, P>(plan: (req: R) => P, req: R): P {
  try {
    return plan(req);
  } catch (err) {
    if (err instanceof SettingsParseError) throw new InstallError(err.message);
    throw err;
  }
}

export function planInstall(req: InstallRequest): InstallPlan {
  return planning(planInstallText, req);
}

function planInstallText(req: InstallRequest): InstallPlan {
  const platform = req.platform ?? process.platform;
  const settingsFile = claudeSettingsFile(req);
  const bytes = readBytes(settingsFile);
  const before = bytes === null ? null : bytes.toString('utf8');
  const launcher = launcherFor(req.paths, req.runtime ?? currentRuntime(), platform);
  const wantHook = req.hook !== false;
  const wantStatus = req.statusLine === true;
  const doc = new SettingsText(before ?? '', settingsFile);
  const notes: string[] = [];
  const created: string[] = [];
  const program = commandProgram(req, launcher, platform);
  const hookCmd = hookCommandOf(program);

  if (wantHook) {
    for (const event of HOOK_EVENTS) {
      const v = doc.value;
      if (v.hooks !== undefined && !isObj(v.hooks)) throw new InstallError(`${settingsFile}: "hooks" is not an object; nothing was changed`);
      if (isObj(v.hooks) && v.hooks[event] !== undefined && !Array.isArray(v.hooks[event])) throw new InstallError(`${settingsFile}: "hooks.${event}" is not a list; nothing was changed`);
      const found = ourHooks(v, event);
      if (found.length) {
        const first = found[0]!;
        if (first.command !== hookCmd) doc.replace(['hooks', event, first.group, 'hooks', first.hook, 'command'], hookCmd);
        continue;
      }
      const entry = { hooks: [{ type: 'command', command: hookCmd, timeout: HOOK_TIMEOUT_SECONDS }] };
      if (!isObj(v.hooks)) {
        created.push('hooks', `hooks.${event}`);
        doc.append([], 'hooks', { [event]: [entry] });
      } else if (!Array.isArray(v.hooks[event])) {
        created.push(`hooks.${event}`);
        doc.append(['hooks'], event, [entry]);
      } else doc.append(['hooks', event], null, entry);
    }
  }

  let wrapped: string | null = null;
  let added = false;
  let statusCmd: string | null = null;
  if (wantStatus) {
    const cur = doc.value.statusLine;
    if (cur === undefined) {
      statusCmd = statusLineCommandOf(program, null, platform);
      doc.append([], 'statusLine', { type: 'command', command: statusCmd, padding: 0 });
      added = true;
    } else if (isObj(cur) && isOurCommand(cur.command)) {
      wrapped = wrappedCommandOf(cur.command);
      statusCmd = statusLineCommandOf(program, wrapped, platform);
      if (statusCmd !== cur.command) doc.replace(['statusLine', 'command'], statusCmd);
    } else if (isObj(cur) && typeof cur.command === 'string' && cur.command.trim() !== '') {
      wrapped = cur.command;
      statusCmd = statusLineCommandOf(program, wrapped, platform);
      doc.replace(['statusLine', 'command'], statusCmd);
      notes.push(`Your status line (${wrapped}) keeps running: its output is shown first, then Credit Ledger's.`);
    } else {
      notes.push('The settings hold a statusLine that is not a command; it was left alone (no status line installed).');
    }
  }

  const after = doc.result(before ?? '');
  const changed = after !== (before ?? '');
  if (req.scope === 'workspace' && changed && !req.settingsFile) {
    notes.push(`A workspace settings file is usually committed: it runs the bare "${BARE_COMMAND}", so every teammate needs it on PATH (where it is missing the hook fails without blocking a prompt: only exit code 2 blocks). --scope local writes .claude/settings.local.json instead.`);
  }
  return {
    kind: 'install',
    scope: req.scope,
    settingsFile,
    before,
    after,
    changed,
    diff: unifiedDiff(before ?? '', after, displayName(settingsFile)),
    launcher,
    hookScript: req.hookScript,
    hook: wantHook,
    statusLine: wantStatus && statusCmd !== null,
    commands: { hook: wantHook ? hookCmd : null, statusLine: statusCmd },
    wrappedStatusLine: wrapped,
    addedStatusLine: added,
    created,
    notes,
    paths: req.paths,
  };
}

function displayName(file: string): string {
  const home = os.homedir();
  return file.startsWith(home + path.sep) ? `~${file.slice(home.length)}` : file;
}

/** Writes the launcher and the hook bundle's copy (also on their own: the extension refreshes them on update). */
export function writeLauncher(launcher: Launcher, hookScript: string): void {
  if (!fs.existsSync(hookScript)) throw new InstallError(`the hook script ${hookScript} does not exist (run the build first)`);
  fs.mkdirSync(launcher.dir, { recursive: true });
  writeAtomic(launcher.script, fs.readFileSync(hookScript), 0o644);
  for (const f of launcher.files) writeAtomic(f.path, f.content, f.mode);
}

/**
 * Refreshes an installed launcher's hook bundle and runtime (e.g. when the extension starts after an update).
 * Touches only the per-user bin folder, never a settings file; false when the hook is not installed.
 */
export function refreshInstalledHook(paths: UserPaths, hookScript: string, runtime: Runtime = currentRuntime(), platform: NodeJS.Platform = process.platform): boolean {
  const launcher = launcherFor(paths, runtime, platform);
  if (!fs.existsSync(launcher.files[0]!.path) || !fs.existsSync(hookScript)) return false;
  const same = (file: string, data: string | Buffer): boolean => {
    try {
      return fs.readFileSync(file).equals(Buffer.isBuffer(data) ? data : Buffer.from(data));
    } catch {
      return false;
    }
  };
  const bundle = fs.readFileSync(hookScript);
  if (!same(launcher.script, bundle)) writeAtomic(launcher.script, bundle, 0o644);
  // Keep a working runtime: a launcher whose recorded runtime still exists is left as it is.
  for (const f of launcher.files) {
    const current = fs.existsSync(f.path) ? fs.readFileSync(f.path, 'utf8') : '';
    const sh = /^runtime=(.*)$/m.exec(current)?.[1];
    const cmd = /^set "CL_RUNTIME=(.*)"\r?$/m.exec(current)?.[1];
    const unquoted = sh !== undefined ? sh.replace(/^'(.*)'$/, '$1').replace(/'\\''/g, "'") : cmd?.replace(/%%/g, '%');
    if (unquoted && unquoted !== runtime.execPath && fs.existsSync(unquoted)) continue;
    if (current !== f.content) writeAtomic(f.path, f.content, f.mode);
  }
  return true;
}

export interface InstallResult {
  settingsFile: string;
  /** false: nothing in the settings needed to change. */
  wrote: boolean;
  backup: string | null;
  launcher: string;
}

function backupPath(paths: UserPaths, settingsFile: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return path.join(paths.dataDir, 'backups', `claude-settings-${sha256(settingsFile).slice(0, 8)}-${stamp}.json`);
}

/** The settings file's bytes now; throws when they are not what the plan was made from. */
function unchangedSincePlan(plan: { settingsFile: string; before: string | null }, what: 'install' | 'uninstall'): Buffer | null {
  const bytes = readBytes(plan.settingsFile);
  const current = bytes === null ? null : bytes.toString('utf8');
  if (current !== plan.before) throw new InstallError(`${plan.settingsFile} changed after the plan was made; run the ${what} again`);
  return bytes;
}

/** Applies a plan; refuses when the settings file changed after it was planned. */
export function applyInstall(plan: InstallPlan, now: Date = new Date()): InstallResult {
  const bytes = unchangedSincePlan(plan, 'install');
  writeLauncher(plan.launcher, plan.hookScript);
  const records = readRecords(plan.paths);
  const key = plan.settingsFile;
  const previous = records.installs[key];
  if (!plan.changed) return { settingsFile: plan.settingsFile, wrote: false, backup: previous?.backup ?? null, launcher: plan.launcher.command };

  // A file still as our last install left it keeps that install's pristine backup; otherwise back up what is there now.
  const continues = previous !== undefined && bytes !== null && sha256(bytes) === previous.afterSha256;
  let backup: string | null = continues ? previous.backup : null;
  if (!continues && bytes !== null) {
    backup = backupPath(plan.paths, plan.settingsFile, now);
    writeAtomic(backup, bytes, 0o600);
  }
  const target = realTarget(plan.settingsFile);
  const mode = fileMode(target);
  writeAtomic(target, plan.after, mode);
  const record: InstallRecord = {
    settingsFile: plan.settingsFile,
    scope: plan.scope,
    installedAt: continues ? previous.installedAt : now.toISOString(),
    beforeSha256: continues ? previous.beforeSha256 : bytes === null ? null : sha256(bytes),
    afterSha256: sha256(plan.after),
    backup,
    hook: plan.hook || (continues && previous.hook),
    statusLine: plan.statusLine || (continues && previous.statusLine),
    wrappedStatusLine: plan.wrappedStatusLine ?? (continues ? previous.wrappedStatusLine : null),
    addedStatusLine: plan.addedStatusLine || (continues && previous.addedStatusLine),
    created: [...new Set([...(continues ? previous.created : []), ...plan.created])],
  };
  records.installs[key] = record;
  writeRecords(plan.paths, records);
  return { settingsFile: plan.settingsFile, wrote: true, backup, launcher: plan.launcher.command };
}

// ---------------------------------------------------------------------------------------------------------------
// Uninstall

export interface UninstallRequest extends SettingsTarget {
  paths: UserPaths;
  platform?: NodeJS.Platform;
}

export interface UninstallPlan {
  kind: 'uninstall';
  settingsFile: string;
  before: string | null;
  /** `restore`: the backup, byte for byte; `delete`: there was no file before; `edit`: only our entries removed; `none`. */
  mode: 'restore' | 'delete' | 'edit' | 'none';
  /** The text after (null when the file is deleted). */
  after: string | null;
  /** Exact bytes written in `restore` mode. */
  restoreBytes: Buffer | null;
  changed: boolean;
  diff: string;
  /** Launcher files removed with it (when no other settings file still uses them). */
  removeFiles: string[];
  notes: string[];
  paths: UserPaths;
}

export function planUninstall(req: UninstallRequest): UninstallPlan {
  return planning(planUninstallText, req);
}

function planUninstallText(req: UninstallRequest): UninstallPlan {
  const settingsFile = claudeSettingsFile(req);
  const bytes = readBytes(settingsFile);
  const before = bytes === null ? null : bytes.toString('utf8');
  const records = readRecords(req.paths);
  const record = records.installs[settingsFile];
  const notes: string[] = [];
  const others = Object.keys(records.installs).filter((k) => k !== settingsFile && fs.existsSync(k));
  const launcher = launcherFor(req.paths, currentRuntime(), req.platform ?? process.platform);
  const removeFiles = others.length ? [] : [...launcher.files.map((f) => f.path), launcher.script].filter((f) => fs.existsSync(f));
  const base = { kind: 'uninstall' as const, settingsFile, before, paths: req.paths, removeFiles, notes };
  const name = displayName(settingsFile);

  if (bytes === null) return { ...base, mode: 'none', after: null, restoreBytes: null, changed: false, diff: '' };

  if (record && sha256(bytes) === record.afterSha256) {
    if (record.beforeSha256 === null) {
      return { ...base, mode: 'delete', after: null, restoreBytes: null, changed: true, diff: unifiedDiff(before!, '', name) };
    }
    const backup = record.backup ? readBytes(record.backup) : null;
    if (backup && sha256(backup) === record.beforeSha256) {
      const text = backup.toString('utf8');
      return { ...base, mode: 'restore', after: text, restoreBytes: backup, changed: true, diff: unifiedDiff(before!, text, name) };
    }
    notes.push('The backup made at install is missing or changed: removing only Credit Ledger\'s entries.');
  } else if (record) {
    notes.push(`${name} changed since the install: removing only Credit Ledger's entries (the rest stays as it is now).`);
  }

  const doc = new SettingsText(before!, settingsFile);
  // Containers left empty are removed only when our install created them.
  const createdByUs = (c: string): boolean => record?.created.includes(c) ?? false;
  for (const event of HOOK_EVENTS) {
    // one removal at a time, last first, re-reading the document after each edit
    for (;;) {
      const v = doc.value;
      const found = ourHooks(v, event);
      const last = found[found.length - 1];
      if (!last) break;
      const hooks = v.hooks as Json;
      const groups = hooks[event] as unknown[];
      if (last.groupIsOurs && groups.length === 1 && createdByUs(`hooks.${event}`)) {
        // the list we created holds only ours: it goes whole (and `hooks` with it when that is all it holds)
        doc.remove(Object.keys(hooks).length === 1 && createdByUs('hooks') ? ['hooks'] : ['hooks', event]);
      } else if (last.groupIsOurs) doc.remove(['hooks', event, last.group]);
      else doc.remove(['hooks', event, last.group, 'hooks', last.hook]);
    }
    const v = doc.value;
    const hooks = isObj(v.hooks) ? v.hooks : null;
    if (hooks && Array.isArray(hooks[event]) && (hooks[event] as unknown[]).length === 0 && createdByUs(`hooks.${event}`)) doc.remove(['hooks', event]);
  }
  const v = doc.value;
  if (isObj(v.hooks) && Object.keys(v.hooks).length === 0 && createdByUs('hooks')) doc.remove(['hooks']);
  const status = doc.value.statusLine;
  if (isObj(status) && isOurCommand(status.command)) {
    const wrapped = wrappedCommandOf(status.command) ?? record?.wrappedStatusLine ?? null;
    if (wrapped) doc.replace(['statusLine', 'command'], wrapped);
    else doc.remove(['statusLine']);
  }
  const after = doc.result(before!);
  const changed = after !== before;
  return { ...base, mode: changed ? 'edit' : 'none', after, restoreBytes: null, changed, diff: unifiedDiff(before!, after, name) };
}

export interface UninstallResult {
  settingsFile: string;
  mode: UninstallPlan['mode'];
  removedFiles: string[];
}

export function applyUninstall(plan: UninstallPlan): UninstallResult {
  unchangedSincePlan(plan, 'uninstall');
  const target = realTarget(plan.settingsFile);
  const mode = fileMode(target);
  if (plan.mode === 'delete') fs.rmSync(target, { force: true });
  else if (plan.mode === 'restore' && plan.restoreBytes) writeAtomic(target, plan.restoreBytes, mode);
  else if (plan.mode === 'edit' && plan.after !== null) writeAtomic(target, plan.after, mode);
  const records = readRecords(plan.paths);
  if (records.installs[plan.settingsFile]) {
    delete records.installs[plan.settingsFile];
    writeRecords(plan.paths, records);
  }
  const removed: string[] = [];
  for (const f of plan.removeFiles) {
    try {
      fs.rmSync(f, { force: true });
      removed.push(f);
    } catch {
      // a file in use on Windows: the launcher exits 0 without its script anyway
    }
  }
  return { settingsFile: plan.settingsFile, mode: plan.mode, removedFiles: removed };
}
