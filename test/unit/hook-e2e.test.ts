// End to end, as Claude Code runs them: the hook and the status line installed into a settings file, then the
// settings' commands run through a shell with the hook JSON on stdin and a timeout; stdout and exit codes checked.
// The hook bundle (and a CLI bundle) are built from the sources into a temp folder first.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { applyInstall, planInstall, type Runtime } from '../../src/core/hook/install';
import { parse } from '../../src/core/hook/jsonc';
import { userPaths } from '../../src/core/state/paths';
import { tempDir } from './builders';
import { compactBoundary, contextTurn, hookInput, promptOf, snapshot, statusLineInput, writeTranscript } from './hookBuilders';

const root = path.resolve(__dirname, '../..');
const out = tempDir('cl-hook-dist-');
const hookJs = path.join(out, 'hook.js');
const cliJs = path.join(out, 'cli.js');

before(() => {
  const common = { bundle: true, platform: 'node' as const, target: 'node20', format: 'cjs' as const, logLevel: 'silent' as const, absWorkingDir: root };
  buildSync({ ...common, entryPoints: ['src/core/hook/entry.ts'], outfile: hookJs });
  buildSync({ ...common, entryPoints: ['src/cli/main.ts'], outfile: cliJs, external: ['vscode'] });
});

interface Installed {
  home: string;
  settingsFile: string;
  hook: string;
  statusLine: string;
  launcher: string;
}

function install(opts: { runtime?: Runtime; settings?: Record<string, unknown>; snap?: ReturnType<typeof snapshot> } = {}): Installed {
  const home = tempDir('cl-e2e-home-');
  const paths = userPaths({ CREDIT_LEDGER_HOME: home });
  if (opts.settings) fs.writeFileSync(paths.settings, JSON.stringify(opts.settings));
  if (opts.snap) fs.writeFileSync(paths.snapshot, JSON.stringify(opts.snap));
  const settingsFile = path.join(tempDir('cl-e2e-claude-'), 'settings.json');
  fs.writeFileSync(settingsFile, '{\n  // mine\n  "statusLine": { "type": "command", "command": "echo mine" }\n}\n');
  const plan = planInstall({ scope: 'user', settingsFile, paths, hookScript: hookJs, statusLine: true, runtime: opts.runtime ?? { execPath: process.execPath, electron: false } });
  applyInstall(plan);
  const s = parse(fs.readFileSync(settingsFile, 'utf8')) as { hooks: Record<string, { hooks: { command: string }[] }[]>; statusLine: { command: string } };
  assert.equal(s.hooks.UserPromptSubmit![0]!.hooks[0]!.command, s.hooks.SessionStart![0]!.hooks[0]!.command);
  return { home, settingsFile, hook: s.hooks.UserPromptSubmit![0]!.hooks[0]!.command, statusLine: s.statusLine.command, launcher: plan.launcher.command };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a settings command the way Claude Code does: through a shell, JSON on stdin, with a timeout. */
function runCommand(command: string, stdin: string, home: string, env: Record<string, string> = {}): Ran {
  const started = Date.now();
  const r = spawnSync('/bin/sh', ['-c', command], { input: stdin, encoding: 'utf8', timeout: 10_000, env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

const recent = (): string => new Date(Date.now() - 30_000).toISOString();
const future = (): string => new Date(Date.now() + 5 * 86_400_000).toISOString();

describe('the installed hook, run as Claude Code runs it', { skip: process.platform === 'win32' ? 'sh launcher' : false }, () => {
  test('UserPromptSubmit over the tier: a systemMessage, exit 0; the same crossing stays quiet after', () => {
    const i = install({ snap: snapshot({ stampedAt: new Date().toISOString(), cycleEnd: future() }) });
    const transcript = writeTranscript([contextTurn(199_500, { timestamp: recent() })]);
    const r = runCommand(i.hook, hookInput({ transcriptPath: transcript, prompt: promptOf(1000) }), i.home);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { systemMessage: string };
    assert.match(out.systemMessage, /~200,500 tokens, over the 200K long-context tier of claude-sonnet-4-5/);
    assert.match(out.systemMessage, /Credit left: \$63\.20/);
    const again = runCommand(i.hook, hookInput({ transcriptPath: transcript, prompt: 'more' }), i.home);
    assert.equal(again.code, 0);
    assert.equal(again.stdout, '');
  });

  test('an unattended run with no credit left under overage stop and policy block: blocked', () => {
    const i = install({ settings: { hook: { policy: 'block' } }, snap: snapshot({ remainingUsd: 0, overage: 'stop', cycleEnd: future() }) });
    const r = runCommand(i.hook, hookInput({ prompt: 'nightly' }), i.home, { CLAUDE_CODE_ENTRYPOINT: 'sdk-cli' });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { decision: string; reason: string };
    assert.equal(out.decision, 'block');
    assert.match(out.reason, /credit is used up/);
    // the same with overage bill: a warning only
    const bill = install({ settings: { hook: { policy: 'block' } }, snap: snapshot({ remainingUsd: 0, overage: 'bill', cycleEnd: future() }) });
    const w = runCommand(bill.hook, hookInput({ prompt: 'nightly' }), bill.home, { CLAUDE_CODE_ENTRYPOINT: 'sdk-cli' });
    assert.match((JSON.parse(w.stdout) as { systemMessage: string }).systemMessage, /billed at API rates/);
  });

  test('SessionStart on a resume with an expired cache: a systemMessage with both figures', () => {
    const i = install();
    const transcript = writeTranscript([contextTurn(150_000, { timestamp: new Date(Date.now() - 3 * 3_600_000).toISOString() }), compactBoundary({ postTokens: 140_000, timestamp: new Date(Date.now() - 3 * 3_600_000).toISOString() })]);
    const r = runCommand(i.hook, hookInput({ event: 'SessionStart', source: 'resume', transcriptPath: transcript, contextTokens: 140_000, expired: true, estimatedUsd: 0.53 }), i.home);
    assert.equal(r.code, 0, r.stderr);
    assert.match((JSON.parse(r.stdout) as { systemMessage: string }).systemMessage, /re-writes its ~140,000 tokens of context \(≈\$0\.5250 at 5m cache-write list price; Claude Code estimates \$0\.53\)/);
  });

  test('malformed stdin, no stdin, odd arguments: no output, exit 0, logged', () => {
    const i = install();
    for (const stdin of ['{"hook_event_name": ', '', '\u0000\u0001']) {
      const r = runCommand(i.hook, stdin, i.home);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, '');
    }
    const odd = runCommand(`${i.hook} --unknown extra`, hookInput({ prompt: 'x' }), i.home);
    assert.equal(odd.code, 0);
    assert.match(fs.readFileSync(path.join(i.home, 'hook.log'), 'utf8'), /stdin is not a JSON object/);
  });

  test('the status line wraps the user\'s own and adds ours', () => {
    const i = install({ snap: snapshot({ remainingUsd: 12.5, cycleEnd: future() }) });
    const transcript = writeTranscript([contextTurn(212_000, { timestamp: recent() })]);
    const r = runCommand(i.statusLine, statusLineInput({ transcriptPath: transcript }), i.home, { NO_COLOR: '1' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^mine │ Sonnet 4\.5 · ctx 212K \(100%\) > 200K: long-context ×2 · session \$0\.\d{4} list · \$12\.50 left\n$/);
  });

  test('inside VS Code the runtime is Electron, run as Node', () => {
    const i = install({ runtime: { execPath: process.execPath, electron: true } });
    assert.match(fs.readFileSync(i.launcher, 'utf8'), /^electron=1$/m);
    const transcript = writeTranscript([contextTurn(230_000, { timestamp: recent() })]);
    const r = runCommand(i.hook, hookInput({ transcriptPath: transcript, prompt: 'x' }), i.home);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /long-context tier/);
  });

  test('a runtime that moved is re-found on PATH; with none, or without the hook script, silence and exit 0', () => {
    const i = install();
    const transcript = writeTranscript([contextTurn(230_000, { timestamp: recent() })]);
    const launcher = fs.readFileSync(i.launcher, 'utf8');
    fs.writeFileSync(i.launcher, launcher.replace(/^runtime=.*$/m, 'runtime=/nonexistent/node'));
    const moved = runCommand(i.hook, hookInput({ transcriptPath: transcript, prompt: 'x' }), i.home);
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /long-context tier/);

    const bare = tempDir('cl-bare-path-'); // a PATH with no node on it
    fs.symlinkSync(spawnSync('/bin/sh', ['-c', 'command -v cat'], { encoding: 'utf8' }).stdout.trim(), path.join(bare, 'cat'));
    const none = runCommand(i.hook, hookInput({ transcriptPath: transcript, prompt: 'y' }), i.home, { PATH: bare });
    assert.deepEqual([none.code, none.stdout, none.stderr], [0, '', '']);

    fs.writeFileSync(i.launcher, launcher);
    fs.rmSync(path.join(i.home, 'bin', 'hook.js'));
    const gone = runCommand(i.hook, hookInput({ transcriptPath: transcript, prompt: 'z' }), i.home);
    assert.deepEqual([gone.code, gone.stdout, gone.stderr], [0, '', '']);
    const statusGone = runCommand(i.statusLine, statusLineInput({ transcriptPath: transcript }), i.home);
    assert.equal(statusGone.code, 0);
  });

  test('a hook script that crashes still exits 0', () => {
    const i = install();
    fs.writeFileSync(path.join(i.home, 'bin', 'hook.js'), 'throw new Error("broken bundle")');
    const r = runCommand(i.hook, hookInput({ prompt: 'x' }), i.home);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
  });
});

describe('the CLI: install-hook, uninstall-hook, hook', { skip: process.platform === 'win32' ? 'sh launcher' : false }, () => {
  function cli(args: string[], home: string, stdin = ''): Ran {
    const started = Date.now();
    const r = spawnSync(process.execPath, [cliJs, ...args], { input: stdin, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
  }

  test('--dry-run shows the diff and writes nothing; no answer writes nothing; --yes writes; uninstall restores the bytes', () => {
    const home = tempDir('cl-e2e-home-');
    const file = path.join(tempDir('cl-e2e-claude-'), 'settings.json');
    const original = '{\n  // keep me\n  "model": "opus"\n}\n';
    fs.writeFileSync(file, original);
    const dry = cli(['install-hook', '--settings', file, '--statusline', '--dry-run'], home);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^\+.*credit-ledger-hook.* hook"/m);
    assert.match(dry.stdout, /Dry run: nothing was written/);
    assert.equal(fs.readFileSync(file, 'utf8'), original);
    const unasked = cli(['install-hook', '--settings', file], home, '');
    assert.equal(unasked.code, 1);
    assert.match(unasked.stderr, /nothing was written/);
    assert.equal(fs.readFileSync(file, 'utf8'), original);
    const yes = cli(['install-hook', '--settings', file, '--statusline', '--yes'], home);
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /Installed\./);
    assert.match(fs.readFileSync(file, 'utf8'), /\/\/ keep me/);
    const again = cli(['install-hook', '--settings', file, '--statusline', '--yes'], home);
    assert.match(again.stdout, /already hold these entries/);
    const answered = cli(['uninstall-hook', '--settings', file], home, 'y\n');
    assert.equal(answered.code, 0, answered.stderr);
    assert.match(answered.stdout, /restored byte for byte/);
    assert.equal(fs.readFileSync(file, 'utf8'), original);
  });

  test('`credit-ledger hook` never fails the prompt, whatever it is given', () => {
    const home = tempDir('cl-e2e-home-');
    for (const [args, stdin] of [[['hook'], 'nonsense'], [['hook', '--what', 'ever'], hookInput({ prompt: 'x' })], [['statusline', '--bogus'], '{}']] as const) {
      const r = cli([...args], home, stdin);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
  });
});
