// Installing into Claude Code settings files that have comments, other hooks and a status line of their own:
// kept as they are, idempotent, backed up, and byte-identical after an uninstall when nothing else changed them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import {
  applyInstall,
  applyUninstall,
  claudeSettingsFile,
  cmdLauncher,
  hookCommand,
  InstallError,
  installRecordsPath,
  planInstall,
  planUninstall,
  refreshInstalledHook,
  shLauncher,
  statusLineCommand,
  wrappedCommandOf,
  type InstallRequest,
} from '../../src/core/hook/install';
import { parse } from '../../src/core/hook/jsonc';
import { userPaths } from '../../src/core/state/paths';
import { tempDir } from './builders';

const SETTINGS_WITH_EVERYTHING = `// Claude Code settings (mine)
{
  "model": "opus",
  /* hooks I rely on */
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [{ "type": "command", "command": "~/bin/guard.sh" }] // my guard
      }
    ],
    "UserPromptSubmit": [
      { "hooks": [ { "type": "command", "command": "~/bin/context.sh" } ] }
    ]
  },
  "statusLine": { "type": "command", "command": "~/.claude/statusline.sh 'it''s'", "padding": 1 },
  "permissions": { "allow": ["Bash(npm test)"] }, // trailing comma below
}
`;

interface Env {
  dir: string;
  file: string;
  home: string;
  script: string;
  req: (extra?: Partial<InstallRequest>) => InstallRequest;
}

function setup(content: string | null, name = 'settings.json'): Env {
  const dir = tempDir('cl-claude-');
  const file = path.join(dir, name);
  if (content !== null) fs.writeFileSync(file, content);
  const home = tempDir('cl-hook-home-');
  const script = path.join(tempDir(), 'hook.js');
  fs.writeFileSync(script, '// the hook bundle\n');
  const paths = userPaths({ CREDIT_LEDGER_HOME: home });
  return {
    dir,
    file,
    home,
    script,
    req: (extra = {}) => ({ scope: 'user', settingsFile: file, paths, hookScript: script, runtime: { execPath: process.execPath, electron: false }, platform: 'linux', ...extra }),
  };
}

type Settings = { hooks?: Record<string, { matcher?: string; hooks: { command: string; timeout?: number }[] }[]>; statusLine?: { command: string; padding?: number }; permissions?: unknown; model?: string };
const read = (file: string): Settings => parse(fs.readFileSync(file, 'utf8')) as Settings;

describe('install-hook into a settings file with comments, other hooks and a status line', () => {
  test('plans a diff, writes only our entries, keeps comments and formatting, backs up the file', () => {
    const e = setup(SETTINGS_WITH_EVERYTHING);
    const plan = planInstall(e.req({ statusLine: true }));
    assert.equal(plan.changed, true);
    assert.equal(plan.before, SETTINGS_WITH_EVERYTHING);
    assert.match(plan.diff, /^--- a\/.*settings\.json\n\+\+\+ b\//);
    assert.match(plan.diff, /^\+.*credit-ledger-hook/m);
    assert.doesNotMatch(plan.diff, /^-.*guard\.sh/m, 'no line of the user\'s is removed');
    assert.match(plan.notes.join('\n'), /Your status line \(~\/\.claude\/statusline\.sh 'it''s'\) keeps running/);
    assert.equal(fs.readFileSync(e.file, 'utf8'), SETTINGS_WITH_EVERYTHING, 'planning writes nothing');

    const r = applyInstall(plan);
    assert.equal(r.wrote, true);
    const after = fs.readFileSync(e.file, 'utf8');
    for (const kept of ['// Claude Code settings (mine)', '/* hooks I rely on */', '// my guard', '// trailing comma below', '"padding": 1']) assert.ok(after.includes(kept), kept);
    const s = read(e.file);
    assert.equal(s.hooks!.PreToolUse![0]!.hooks[0]!.command, '~/bin/guard.sh');
    assert.equal(s.hooks!.UserPromptSubmit!.length, 2);
    assert.equal(s.hooks!.UserPromptSubmit![0]!.hooks[0]!.command, '~/bin/context.sh');
    assert.equal(s.hooks!.UserPromptSubmit![1]!.hooks[0]!.command, plan.commands.hook);
    assert.equal(s.hooks!.UserPromptSubmit![1]!.hooks[0]!.timeout, 10);
    assert.equal(s.hooks!.SessionStart![0]!.hooks[0]!.command, plan.commands.hook);
    assert.equal(s.statusLine!.command, `${plan.launcher.command} statusline --wrap '~/.claude/statusline.sh '\\''it'\\'''\\''s'\\'''`);
    assert.equal(wrappedCommandOf(s.statusLine!.command), "~/.claude/statusline.sh 'it''s'");
    assert.equal(s.permissions !== undefined && s.model, 'opus');
    assert.equal(fs.readFileSync(r.backup!, 'utf8'), SETTINGS_WITH_EVERYTHING);
    // the launcher and the hook bundle's copy
    const launcher = fs.readFileSync(plan.launcher.command, 'utf8');
    assert.match(launcher, /^#!\/bin\/sh/);
    assert.ok(fs.statSync(plan.launcher.command).mode & 0o100, 'executable');
    assert.equal(fs.readFileSync(plan.launcher.script, 'utf8'), '// the hook bundle\n');
  });

  test('a second install changes nothing (idempotent)', () => {
    const e = setup(SETTINGS_WITH_EVERYTHING);
    applyInstall(planInstall(e.req({ statusLine: true })));
    const once = fs.readFileSync(e.file, 'utf8');
    const again = planInstall(e.req({ statusLine: true }));
    assert.equal(again.changed, false);
    assert.equal(again.diff, '');
    assert.equal(applyInstall(again).wrote, false);
    assert.equal(fs.readFileSync(e.file, 'utf8'), once);
  });

  test('uninstall restores the untouched file byte for byte', () => {
    const e = setup(SETTINGS_WITH_EVERYTHING);
    const original = fs.readFileSync(e.file);
    applyInstall(planInstall(e.req({ statusLine: true })));
    const plan = planUninstall(e.req());
    assert.equal(plan.mode, 'restore');
    assert.match(plan.diff, /^-.*credit-ledger-hook/m);
    const r = applyUninstall(plan);
    assert.ok(fs.readFileSync(e.file).equals(original));
    assert.ok(r.removedFiles.some((f) => f.endsWith('credit-ledger-hook')));
    assert.ok(!fs.existsSync(path.join(e.home, 'bin', 'credit-ledger-hook')));
    assert.deepEqual(JSON.parse(fs.readFileSync(installRecordsPath(userPaths({ CREDIT_LEDGER_HOME: e.home })), 'utf8')).installs, {});
  });

  test('installing the status line later still restores the pristine file', () => {
    const e = setup(SETTINGS_WITH_EVERYTHING);
    const original = fs.readFileSync(e.file);
    applyInstall(planInstall(e.req()));
    applyInstall(planInstall(e.req({ statusLine: true })));
    applyUninstall(planUninstall(e.req()));
    assert.ok(fs.readFileSync(e.file).equals(original));
  });

  test('changed by someone else since: only our entries go, their change and comments stay', () => {
    const e = setup(SETTINGS_WITH_EVERYTHING);
    applyInstall(planInstall(e.req({ statusLine: true })));
    const edited = fs.readFileSync(e.file, 'utf8').replace('"model": "opus",', '"model": "sonnet", // switched');
    fs.writeFileSync(e.file, edited);
    const plan = planUninstall(e.req());
    assert.equal(plan.mode, 'edit');
    assert.match(plan.notes.join('\n'), /changed since the install/);
    applyUninstall(plan);
    const text = fs.readFileSync(e.file, 'utf8');
    assert.equal(text, SETTINGS_WITH_EVERYTHING.replace('"model": "opus",', '"model": "sonnet", // switched'), 'every line of the user\'s as it was');
    assert.doesNotMatch(text, /credit-ledger-hook/);
    for (const kept of ['// switched', '/* hooks I rely on */', '// my guard', '// Claude Code settings (mine)']) assert.ok(text.includes(kept), kept);
    const s = read(e.file);
    assert.equal(s.model, 'sonnet');
    assert.deepEqual(s.hooks!.UserPromptSubmit!.map((g) => g.hooks[0]!.command), ['~/bin/context.sh']);
    assert.equal(s.hooks!.SessionStart, undefined, 'the array our install created is gone');
    assert.equal(s.statusLine!.command, "~/.claude/statusline.sh 'it''s'");
    assert.equal(s.statusLine!.padding, 1);
  });

  test('our hook placed in a group of the user\'s: only our hook leaves it', () => {
    const e = setup(`{\n  "hooks": {\n    "UserPromptSubmit": [\n      { "hooks": [ { "type": "command", "command": "a.sh" }, { "type": "command", "command": "'/x/credit-ledger-hook' hook" } ] }\n    ]\n  }\n}\n`);
    applyUninstall(planUninstall(e.req()));
    assert.deepEqual(read(e.file).hooks!.UserPromptSubmit![0]!.hooks.map((h) => h.command), ['a.sh']);
  });
  test('our group first or in the middle of the user\'s: it leaves with its own line and comma only', () => {
    const ours = '{ "hooks": [ { "type": "command", "command": "/x/credit-ledger-hook hook" } ] }';
    const user = (n: string): string => `{ "hooks": [ { "type": "command", "command": "${n}.sh" } ] }`;
    const text = (groups: string[]): string => `{\n  "hooks": {\n    "UserPromptSubmit": [\n${groups.map((g) => `      ${g}`).join(',\n')}\n    ]\n  }\n}\n`;
    for (const [withOurs, without] of [
      [[ours, user('a')], [user('a')]],
      [[user('a'), ours, user('b')], [user('a'), user('b')]],
    ]) {
      const e = setup(text(withOurs));
      applyUninstall(planUninstall(e.req()));
      assert.equal(fs.readFileSync(e.file, 'utf8'), text(without));
    }
  });
});

describe('install-hook edge cases', () => {
  test('no settings file: created, and deleted again by uninstall', () => {
    const e = setup(null);
    const plan = planInstall(e.req({ statusLine: true }));
    assert.equal(plan.before, null);
    applyInstall(plan);
    const s = read(e.file);
    assert.equal(s.hooks!.UserPromptSubmit![0]!.hooks[0]!.command, plan.commands.hook);
    assert.equal(s.statusLine!.command, `${plan.launcher.command} statusline`);
    assert.ok(fs.readFileSync(e.file, 'utf8').endsWith('\n'));
    const un = planUninstall(e.req());
    assert.equal(un.mode, 'delete');
    applyUninstall(un);
    assert.ok(!fs.existsSync(e.file));
  });

  test('a status line added by us is removed by an edit-mode uninstall', () => {
    const e = setup('{\n  "model": "opus"\n}\n');
    applyInstall(planInstall(e.req({ statusLine: true, hook: false })));
    fs.appendFileSync(e.file, '\n');
    applyUninstall(planUninstall(e.req()));
    assert.equal(fs.readFileSync(e.file, 'utf8'), '{\n  "model": "opus"\n}\n\n');
  });

  test('trailing commas, comments after the last entry and one-line containers: inserted without touching them', () => {
    for (const original of [
      '{\n  "model": "opus", // the last one\n}\n',
      '{\n  "model": "opus"\n  // nothing after this\n}\n',
      '{ "model": "opus", "hooks": { "UserPromptSubmit": [ { "hooks": [ { "type": "command", "command": "a.sh" } ] } ] } }',
    ]) {
      const e = setup(original);
      applyInstall(planInstall(e.req({ statusLine: true })));
      const s = read(e.file);
      assert.equal(s.model, 'opus');
      assert.ok(s.statusLine && s.hooks!.SessionStart, original);
      fs.appendFileSync(e.file, ' '); // changed since: the edit path, not the backup
      applyUninstall(planUninstall(e.req()));
      assert.equal(fs.readFileSync(e.file, 'utf8'), original + ' ', original);
    }
  });

  test('tabs and CRLF line ends are kept in what is inserted', () => {
    const original = '{\r\n\t"model": "opus",\r\n\t"hooks": {\r\n\t\t"PreToolUse": []\r\n\t}\r\n}\r\n';
    const e = setup(original);
    applyInstall(planInstall(e.req()));
    const text = fs.readFileSync(e.file, 'utf8');
    assert.doesNotMatch(text.replace(/\r\n/g, ''), /\n/, 'no bare LF');
    assert.match(text, /\r\n\t\t"UserPromptSubmit": \[/);
    applyUninstall(planUninstall(e.req()));
    assert.equal(fs.readFileSync(e.file, 'utf8'), original);
  });

  test('a symlinked settings file stays a symlink to the edited file', () => {
    const e = setup(null);
    const real = path.join(tempDir('cl-dotfiles-'), 'claude-settings.json');
    fs.writeFileSync(real, '{}\n');
    fs.symlinkSync(real, e.file);
    applyInstall(planInstall(e.req()));
    assert.ok(fs.lstatSync(e.file).isSymbolicLink());
    assert.match(fs.readFileSync(real, 'utf8'), /credit-ledger-hook/);
    applyUninstall(planUninstall(e.req()));
    assert.equal(fs.readFileSync(real, 'utf8'), '{}\n');
    assert.ok(fs.lstatSync(e.file).isSymbolicLink());
  });

  test('invalid JSON: a clear error and no write', () => {
    const e = setup('{ "hooks": { , }');
    assert.throws(() => planInstall(e.req()), (err: unknown) => err instanceof InstallError && /not valid JSON .* line 1/.test(err.message));
    assert.equal(fs.readFileSync(e.file, 'utf8'), '{ "hooks": { , }');
    const weird = setup('{ "hooks": [] }');
    assert.throws(() => planInstall(weird.req()), /"hooks" is not an object/);
  });

  test('a file changed between plan and apply is not overwritten', () => {
    const e = setup('{}\n');
    const plan = planInstall(e.req());
    fs.writeFileSync(e.file, '{ "model": "opus" }\n');
    assert.throws(() => applyInstall(plan), /changed after the plan/);
    assert.equal(fs.readFileSync(e.file, 'utf8'), '{ "model": "opus" }\n');
  });

  test('a launcher that moved (another data folder) is updated in place, not duplicated', () => {
    const e = setup('{}\n');
    applyInstall(planInstall(e.req()));
    const moved = userPaths({ CREDIT_LEDGER_HOME: tempDir('cl-hook-home2-') });
    const plan = planInstall(e.req({ paths: moved }));
    assert.equal(plan.changed, true);
    applyInstall(plan);
    const s = read(e.file);
    assert.equal(s.hooks!.UserPromptSubmit!.length, 1);
    assert.equal(s.hooks!.UserPromptSubmit![0]!.hooks[0]!.command, plan.commands.hook);
  });

  test('a `credit-ledger hook` set up by hand is taken over, not duplicated', () => {
    const e = setup('{\n  "hooks": {\n    "UserPromptSubmit": [\n      { "hooks": [ { "type": "command", "command": "credit-ledger hook" } ] }\n    ]\n  },\n  "statusLine": { "type": "command", "command": "credit-ledger statusline --wrap \'echo hi\'" }\n}\n');
    const plan = planInstall(e.req({ statusLine: true }));
    applyInstall(plan);
    const s = read(e.file);
    assert.equal(s.hooks!.UserPromptSubmit!.length, 1);
    assert.equal(s.hooks!.UserPromptSubmit![0]!.hooks[0]!.command, plan.commands.hook);
    assert.equal(wrappedCommandOf(s.statusLine!.command), 'echo hi');
  });

  test('the scopes\' files', () => {
    assert.equal(claudeSettingsFile({ scope: 'user', env: {}, home: '/home/u' }), '/home/u/.claude/settings.json');
    assert.equal(claudeSettingsFile({ scope: 'user', env: { CLAUDE_CONFIG_DIR: '/cfg/a,/cfg/b' } }), '/cfg/a/settings.json');
    assert.equal(claudeSettingsFile({ scope: 'workspace', workspaceDir: '/w' }), '/w/.claude/settings.json');
    assert.equal(claudeSettingsFile({ scope: 'local', workspaceDir: '/w' }), '/w/.claude/settings.local.json');
  });

  test('workspace scope (a file teams commit): the bare credit-ledger when it is on PATH, never a home path; refused otherwise', () => {
    const e = setup(null);
    const bin = tempDir('cl-bin-');
    fs.writeFileSync(path.join(bin, 'credit-ledger'), '#!/bin/sh\n', { mode: 0o755 });
    const plan = planInstall({ ...e.req({ statusLine: true, env: { PATH: `/nowhere:${bin}` } }), settingsFile: undefined, scope: 'workspace', workspaceDir: e.dir });
    assert.equal(plan.commands.hook, 'credit-ledger hook');
    assert.equal(plan.commands.statusLine, 'credit-ledger statusline');
    assert.ok(!plan.after.includes(e.home) && !plan.after.includes(os.homedir()), plan.after);
    assert.match(plan.notes.join(' '), /--scope local/);
    assert.throws(
      () => planInstall({ ...e.req({ env: { PATH: '/nowhere' } }), settingsFile: undefined, scope: 'workspace', workspaceDir: e.dir }),
      (err: Error) => err instanceof InstallError && /not on PATH/.test(err.message) && /Nothing was written/.test(err.message),
    );
    assert.ok(!fs.existsSync(path.join(e.dir, '.claude')), 'nothing written on a refusal');
    fs.chmodSync(path.join(bin, 'credit-ledger'), 0o644);
    assert.throws(() => planInstall({ ...e.req({ env: { PATH: bin } }), settingsFile: undefined, scope: 'workspace', workspaceDir: e.dir }), InstallError);
    // the other scopes keep the launcher in the per-user folder
    assert.match(planInstall({ ...e.req({ env: { PATH: bin } }), settingsFile: undefined, scope: 'local', workspaceDir: e.dir }).commands.hook!, /credit-ledger-hook' hook$|credit-ledger-hook hook$/);
  });

  test('refreshInstalledHook updates the bundle copy only where the hook is installed', () => {
    const e = setup('{}\n');
    const paths = userPaths({ CREDIT_LEDGER_HOME: e.home });
    assert.equal(refreshInstalledHook(paths, e.script), false);
    applyInstall(planInstall(e.req()));
    fs.writeFileSync(e.script, '// a newer bundle\n');
    assert.equal(refreshInstalledHook(paths, e.script, { execPath: process.execPath, electron: false }, 'linux'), true);
    assert.equal(fs.readFileSync(path.join(e.home, 'bin', 'hook.js'), 'utf8'), '// a newer bundle\n');
  });

  test('refreshInstalledHook keeps a Windows launcher whose recorded runtime (a path with %) still exists', () => {
    const e = setup('{}\n');
    const paths = userPaths({ CREDIT_LEDGER_HOME: e.home });
    const runtimeDir = path.join(tempDir(), '50%off');
    fs.mkdirSync(runtimeDir);
    const runtime = path.join(runtimeDir, 'node.exe');
    fs.writeFileSync(runtime, '');
    applyInstall(planInstall(e.req({ platform: 'win32', runtime: { execPath: runtime, electron: false } })));
    const cmdFile = path.join(e.home, 'bin', 'credit-ledger-hook.cmd');
    const before = fs.readFileSync(cmdFile, 'utf8');
    assert.match(before, /set "CL_RUNTIME=.*50%%off.node\.exe"\r\n/);
    assert.equal(refreshInstalledHook(paths, e.script, { execPath: process.execPath, electron: false }, 'win32'), true);
    assert.equal(fs.readFileSync(cmdFile, 'utf8'), before);
  });
});

describe('launcher and command text', () => {
  test('paths with spaces and quotes are quoted for sh', () => {
    const sh = shLauncher("/Users/me/Library/Application Support/credit-ledger/bin/hook.js", { execPath: "/Applications/Visual Studio Code.app/Contents/MacOS/Electron", electron: true });
    assert.match(sh, /^script='\/Users\/me\/Library\/Application Support\/credit-ledger\/bin\/hook\.js'$/m);
    assert.match(sh, /^runtime='\/Applications\/Visual Studio Code\.app\/Contents\/MacOS\/Electron'$/m);
    assert.match(sh, /^electron=1$/m);
    assert.match(sh, /ELECTRON_RUN_AS_NODE=1 "\$runtime" "\$script" "\$@"/);
    assert.equal(hookCommand('/a b/credit-ledger-hook', 'darwin'), "'/a b/credit-ledger-hook' hook");
    assert.equal(statusLineCommand('/x/credit-ledger-hook', "echo 'hi' && date", 'linux'), `/x/credit-ledger-hook statusline --wrap 'echo '\\''hi'\\'' && date'`);
    assert.equal(wrappedCommandOf(statusLineCommand('/x/credit-ledger-hook', "echo 'hi' && date", 'linux')), "echo 'hi' && date");
  });

  test('Windows: a .cmd launcher, forward-slash paths in double quotes', () => {
    const cmd = cmdLauncher('C:\\Users\\me\\AppData\\Roaming\\credit-ledger\\bin\\hook.js', { execPath: 'C:\\Program Files\\Microsoft VS Code\\Code.exe', electron: true });
    assert.match(cmd, /^@echo off\r\n/);
    assert.match(cmd, /set "CL_RUNTIME=C:\\Program Files\\Microsoft VS Code\\Code\.exe"\r\n/);
    assert.match(cmd, /if "%CL_ELECTRON%"=="1" set "ELECTRON_RUN_AS_NODE=1"/);
    assert.match(cmd, /for %%I in \(node\.exe\) do set "CL_RUNTIME=%%~\$PATH:I"/);
    // a % in a folder name would expand a variable inside set "…": doubled
    const odd = cmdLauncher('C:\\Users\\100%me\\bin\\hook.js', { execPath: 'C:\\Tools\\%PATH%\\node.exe', electron: false });
    assert.match(odd, /set "CL_SCRIPT=C:\\Users\\100%%me\\bin\\hook\.js"\r\n/);
    assert.match(odd, /set "CL_RUNTIME=C:\\Tools\\%%PATH%%\\node\.exe"\r\n/);
    assert.equal(hookCommand('C:\\Users\\me\\bin\\credit-ledger-hook.cmd', 'win32'), '"C:/Users/me/bin/credit-ledger-hook.cmd" hook');
    const wrapped = statusLineCommand('C:\\x\\credit-ledger-hook.cmd', 'powershell -c "Get-Date"', 'win32');
    assert.equal(wrapped, '"C:/x/credit-ledger-hook.cmd" statusline --wrap "powershell -c \\"Get-Date\\""');
    assert.equal(wrappedCommandOf(wrapped), 'powershell -c "Get-Date"');
  });
});
