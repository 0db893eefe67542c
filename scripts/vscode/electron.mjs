#!/usr/bin/env node
// Runs the same in-VS-Code suite (test/vscode) in desktop VS Code with @vscode/test-electron, the ecosystem's
// standard runner. It downloads VS Code from Microsoft's update servers, so it needs internet (or an existing build:
// VSCODE_EXECUTABLE_PATH=/path/to/code). With no internet use scripts/vscode/offline.mjs.
// Page checks (status bar DOM, notifications, webview text, screenshots) need the offline runner's page driver;
// here tests marked { page: true } are reported as skipped.
//
//   npm run build && node scripts/vscode/electron.mjs [--vscode <version|stable|insiders>] [--grep <text>]
// On Linux without a display: xvfb-run -a node scripts/vscode/electron.mjs
import { lookup } from 'node:dns/promises';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSuite } from './compile-suite.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The VS Code inside code-server 4.139.1, so both runners test the same version by default.
const DEFAULT_VSCODE = '1.139.1';
const TEST_ELECTRON = '@vscode/test-electron@3.1.0';
const log = (s) => console.log(`[vscode-electron] ${s}`);

function fail(message) {
  console.error(`[vscode-electron] ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { version: process.env.CREDIT_LEDGER_VSCODE_VERSION || DEFAULT_VSCODE, grep: undefined, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--vscode') opts.version = argv[++i];
    else if (a === '--grep') opts.grep = argv[++i];
    else if (a === '--keep') opts.keep = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/vscode/electron.mjs [--vscode <version|stable|insiders>] [--grep <text>] [--keep]');
      process.exit(0);
    } else fail(`unknown argument ${a}`);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));

  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) log(`warning: ${TEST_ELECTRON} declares Node >= 22; this is Node ${process.versions.node}`);

  let testElectron;
  try {
    testElectron = createRequire(path.join(repoRoot, 'package.json'))('@vscode/test-electron');
  } catch {
    fail(`${TEST_ELECTRON} is not installed: \`npm install --save-dev --save-exact ${TEST_ELECTRON}\`\n` +
      '  (no internet? use the offline runner: node scripts/vscode/offline.mjs)');
  }

  const vscodeExecutablePath = process.env.VSCODE_EXECUTABLE_PATH || undefined;
  if (vscodeExecutablePath && !fs.existsSync(vscodeExecutablePath)) fail(`VSCODE_EXECUTABLE_PATH=${vscodeExecutablePath} does not exist`);
  if (!vscodeExecutablePath) {
    // Fail in a second with a clear message instead of after the download's timeouts.
    try {
      await lookup('update.code.visualstudio.com');
    } catch {
      fail('cannot reach update.code.visualstudio.com: @vscode/test-electron downloads VS Code at test time and needs internet.\n' +
        '  On this machine use the offline runner:  node scripts/vscode/offline.mjs\n' +
        '  or point at an installed VS Code:         VSCODE_EXECUTABLE_PATH=/path/to/code node scripts/vscode/electron.mjs');
    }
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    fail('no display: run under a virtual one, e.g. `xvfb-run -a node scripts/vscode/electron.mjs` (Debian package xvfb)');
  }
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) fail('dist/extension.js is missing: run `npm run build` first');

  const suite = await compileSuite(repoRoot);
  log(`compiled ${suite.tests.length} test file(s) into ${path.relative(repoRoot, suite.index)}`);

  // Same isolation as the offline runner: temp profile, extensions, workspace, ledger home and Claude config dir.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-ledger-electron-'));
  const dir = (name) => { const d = path.join(root, name); fs.mkdirSync(d, { recursive: true }); return d; };
  const workspace = dir('workspace');
  const userData = dir('user-data');
  const extensions = dir('extensions');
  const ledgerHome = dir('credit-ledger-home');
  const claudeConfig = dir('claude-config');
  const fixtures = path.join(repoRoot, 'test', 'vscode', 'fixtures');
  for (const [name, dest] of [['workspace', workspace], ['claude-config', claudeConfig], ['credit-ledger-home', ledgerHome]]) {
    if (fs.existsSync(path.join(fixtures, name))) fs.cpSync(path.join(fixtures, name), dest, { recursive: true });
  }
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'chat.disableAIFeatures': true,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
  }, null, 2));

  let code = 1;
  try {
    code = await testElectron.runTests({
      version: opts.version,
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suite.index,
      launchArgs: [workspace, `--user-data-dir=${userData}`, `--extensions-dir=${extensions}`, '--disable-extensions', '--disable-gpu'],
      extensionTestsEnv: {
        CREDIT_LEDGER_HOME: ledgerHome,
        CLAUDE_CONFIG_DIR: claudeConfig,
        CREDIT_LEDGER_TEST_CLAUDE_DIR: claudeConfig,
        CREDIT_LEDGER_TEST_GREP: opts.grep,
        // No page driver here: page tests skip themselves.
        CREDIT_LEDGER_TEST_PAGE_DIR: undefined,
        CREDIT_LEDGER_TEST_OUTPUT: undefined,
      },
    });
  } catch (err) {
    // TestRunFailedError carries the VS Code exit code; anything else (download, launch) is a runner error.
    code = typeof err?.code === 'number' ? err.code || 1 : 1;
    console.error(`[vscode-electron] ${err instanceof Error ? err.message : err}`);
  } finally {
    if (opts.keep) log(`kept ${root}`);
    else fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  }
  return code;
}

main().then((code) => process.exit(code), (err) => fail(err instanceof Error ? err.stack ?? err.message : String(err)));
