#!/usr/bin/env node
// Runs the in-VS-Code suite (test/vscode) in a real VS Code with no internet: the VS Code server bundled in the npm
// package code-server, driven in Debian's Chromium by playwright-core. See /docs or scripts/vscode/README.md.
//
//   npm run build && node scripts/vscode/offline.mjs [--grep <text>] [--timeout <seconds>] [--keep] [--verbose] [--install-only]
//
// Exit code: the suite's (0 all passed, 1 failures), 1 on runner errors and timeouts, 130 on Ctrl-C.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PINS, ensureToolchain } from './cache.mjs';
import { compileSuite } from './compile-suite.mjs';
import { PageDriver } from './page-driver.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const resultsDir = path.join(repoRoot, 'test-results');
const started = Date.now();
const secs = (from) => `${((Date.now() - from) / 1000).toFixed(1)} s`;
const log = (s) => console.log(`[vscode] ${s}`);

function parseArgs(argv) {
  const opts = {
    timeoutSec: Number(process.env.CREDIT_LEDGER_VSCODE_TIMEOUT ?? 600),
    grep: undefined,
    keep: false,
    verbose: false,
    installOnly: false,
    chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--timeout') opts.timeoutSec = Number(argv[++i]);
    else if (a === '--grep') opts.grep = argv[++i];
    else if (a === '--keep') opts.keep = true;
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--install-only') opts.installOnly = true;
    else if (a === '--chromium') opts.chromium = argv[++i];
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/vscode/offline.mjs [--grep <text>] [--timeout <seconds>] [--keep] [--verbose] [--install-only] [--chromium <path>]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(opts.timeoutSec > 0)) throw new Error('--timeout needs a positive number of seconds');
  return opts;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The environment of the VS Code server and so of the extension host: the caller's, minus anything that leaks in. */
function isolatedEnv(tmp, dirs, opts) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    // A VS Code terminal, npm and NODE_OPTIONS (e.g. --import tsx) must not reach the server's Node 24.
    if (/^(VSCODE_|ELECTRON_|npm_)/i.test(k) || k === 'NODE_OPTIONS' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  Object.assign(env, {
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    XDG_STATE_HOME: path.join(dirs.home, '.local', 'state'),
    TMPDIR: dirs.tmp,
    CREDIT_LEDGER_HOME: dirs.ledgerHome,
    CLAUDE_CONFIG_DIR: dirs.claudeConfig,
    CREDIT_LEDGER_TEST_CLAUDE_DIR: dirs.claudeConfig,
    CREDIT_LEDGER_TEST_PAGE_DIR: dirs.pageRequests,
    CREDIT_LEDGER_TEST_OUTPUT: dirs.suiteOutput,
  });
  if (opts.grep) env.CREDIT_LEDGER_TEST_GREP = opts.grep;
  else delete env.CREDIT_LEDGER_TEST_GREP;
  return env;
}

function prepareDirs() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-ledger-vscode-'));
  const dirs = {
    root,
    home: path.join(root, 'home'),
    tmp: path.join(root, 'tmp'),
    serverData: path.join(root, 'server-data'),
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    workspace: path.join(root, 'workspace'),
    ledgerHome: path.join(root, 'credit-ledger-home'),
    claudeConfig: path.join(root, 'claude-config'),
    pageRequests: path.join(root, 'page-requests'),
    chromiumProfile: path.join(root, 'chromium-profile'),
    suiteOutput: path.join(root, 'suite-output.log'),
    serverLog: path.join(root, 'server.log'),
    pageLog: path.join(root, 'page-console.log'),
  };
  for (const [k, d] of Object.entries(dirs)) if (!/Output|Log$/.test(k)) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(dirs.suiteOutput, '');
  // Optional seeds: what a user would already have when VS Code starts (the suite can add more while it runs).
  const fixtures = path.join(repoRoot, 'test', 'vscode', 'fixtures');
  for (const [name, dest] of [['workspace', dirs.workspace], ['claude-config', dirs.claudeConfig], ['credit-ledger-home', dirs.ledgerHome]]) {
    const src = path.join(fixtures, name);
    if (fs.existsSync(src)) fs.cpSync(src, dest, { recursive: true });
  }
  // A quiet workbench: no welcome page, no AI side panel, no update or gallery chatter.
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'git.enabled': false,
  }, null, 2));
  return dirs;
}

function startServer(tc, dirs, env, port, opts) {
  const args = [
    tc.serverMain,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--enable-smoke-test-driver',
    '--server-data-dir', dirs.serverData,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--disable-telemetry',
    '--disable-workspace-trust',
  ];
  // Own process group: the file watcher and pty host outlive the main process, so teardown kills the whole group.
  const child = spawn(tc.node24, args, { cwd: dirs.workspace, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = fs.createWriteStream(dirs.serverLog);
  let buffered = '';
  const ready = new Promise((resolve, reject) => {
    const onData = (d) => {
      out.write(d);
      if (opts.verbose) process.stdout.write(`[server] ${d}`);
      buffered += d;
      if (/Extension host agent listening on/.test(buffered)) resolve();
      if (buffered.length > 100_000) buffered = buffered.slice(-10_000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`VS Code server exited before listening (${signal ?? code}):\n${buffered.slice(-3000)}`)));
  });
  ready.catch(() => {}); // observed by the caller's race; never an unhandled rejection after an abort
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, ready, exited, closeLog: () => new Promise((r) => out.end(r)) };
}

async function killGroup(child, label) {
  if (!child || child.pid === undefined) return;
  const alive = () => { try { process.kill(-child.pid, 0); return true; } catch { return false; } };
  if (!alive()) return;
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
  for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    log(`${label} did not stop on SIGTERM; SIGKILL`);
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

/** Copies a growing file to stdout; the suite writes its report lines there. */
function tailFile(file) {
  let offset = 0;
  const pump = () => {
    let fd;
    try {
      fd = fs.openSync(file, 'r');
      const size = fs.fstatSync(fd).size;
      if (size > offset) {
        const buf = Buffer.alloc(size - offset);
        fs.readSync(fd, buf, 0, buf.length, offset);
        offset = size;
        process.stdout.write(buf);
      }
    } catch { /* not there yet / removed */ } finally { if (fd !== undefined) fs.closeSync(fd); }
  };
  const timer = setInterval(pump, 100);
  return () => { clearInterval(timer); pump(); };
}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what} timed out`)), ms); })]).finally(() => clearTimeout(t));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));

  // Ctrl-C, a CI cancel or a closed terminal: every step below stops and the finally block tears down.
  const stop = new AbortController();
  const aborted = new Promise((_, reject) => stop.signal.addEventListener('abort', () => reject(stop.signal.reason), { once: true }));
  aborted.catch(() => {});
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (stop.signal.aborted) return;
      log(`${sig}: stopping`);
      stop.abort(new Error(`interrupted by ${sig}`));
    });
  }

  const tInstall = Date.now();
  let tc;
  try {
    tc = await ensureToolchain({ verbose: opts.verbose, signal: stop.signal });
  } catch (err) {
    if (stop.signal.aborted) return 130;
    throw err;
  }
  log(`toolchain ${tc.installed ? 'installed' : 'reused from cache'} (${tc.dir}) in ${secs(tInstall)}`);
  if (opts.installOnly) return 0;

  const extensionMain = path.join(repoRoot, 'dist', 'extension.js');
  if (!fs.existsSync(extensionMain)) throw new Error(`${path.relative(repoRoot, extensionMain)} is missing: run \`npm run build\` first`);
  if (!fs.existsSync(opts.chromium)) throw new Error(`no Chromium at ${opts.chromium}: \`apt-get install chromium\` (Debian) or pass --chromium <path>`);

  const tCompile = Date.now();
  const suite = await compileSuite(repoRoot);
  log(`compiled ${suite.tests.length} test file(s) into ${path.relative(repoRoot, suite.index)} in ${secs(tCompile)}`);

  const dirs = prepareDirs();
  const env = isolatedEnv(dirs.root, dirs, opts);
  const artifacts = path.join(resultsDir, 'vscode');
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });

  let server;
  let context;
  let driver;
  let stopTail = () => {};
  let outcome = { code: 1, reason: 'runner error' };
  const interrupted = () => stop.signal.aborted;

  let page;
  try {
    const port = await freePort();
    const tServer = Date.now();
    server = startServer(tc, dirs, env, port, opts);
    await Promise.race([withTimeout(server.ready, 60_000, 'VS Code server start'), aborted]);
    log(`VS Code server (code-server ${PINS['code-server']}) on 127.0.0.1:${port} in ${secs(tServer)}`);

    const { chromium } = tc.requirePlaywright();
    context = await chromium.launchPersistentContext(dirs.chromiumProfile, {
      executablePath: opts.chromium,
      headless: true,
      // Our own handlers tear everything down; Playwright's would exit the process before the server is killed.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      viewport: { width: 1400, height: 900 },
      // Without these, Chromium keeps trying to reach Google services on a closed network.
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    const pageLog = fs.createWriteStream(dirs.pageLog);
    page.on('console', (m) => {
      const line = `${m.type()} ${m.text().replace(/%c/g, '').replace(/color: #[0-9a-f]{3,6}/gi, '').trim()}\n`;
      pageLog.write(line);
      if (opts.verbose) process.stdout.write(`[page] ${line}`);
    });
    page.on('pageerror', (e) => pageLog.write(`pageerror ${e.stack ?? e}\n`));

    const exit = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', (code, logs) => {
        try {
          for (const l of Array.isArray(logs) ? logs : []) {
            const dest = path.join(artifacts, 'vscode-logs', String(l.relativePath ?? 'log').replace(/\.\.+/g, '_'));
            fs.mkdirSync(path.dirname(dest), { recursive: true });
            fs.writeFileSync(dest, String(l.contents ?? ''));
          }
        } catch { /* logs are a bonus */ }
        resolve(Number(code));
      });
    });
    const crashed = new Promise((_, reject) => page.on('crash', () => reject(new Error('the workbench page crashed'))));
    const serverDied = server.exited.then((c) => { throw new Error(`VS Code server exited during the run (${c})`); });
    crashed.catch(() => {});
    serverDied.catch(() => {});

    driver = new PageDriver(page, { requestDir: dirs.pageRequests, screenshotDir: path.join(resultsDir, 'screenshots'), log });
    const serving = driver.serve().catch((e) => log(`page driver stopped: ${e.message}`));
    stopTail = tailFile(dirs.suiteOutput);

    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [['extensionDevelopmentPath', remote(repoRoot)], ['extensionTestsPath', remote(suite.index)]];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const tRun = Date.now();
    log(`running the suite in the workbench (timeout ${opts.timeoutSec} s)`);
    await page.goto(url, { timeout: 60_000 });

    const remaining = opts.timeoutSec * 1000 - (Date.now() - started);
    const code = await Promise.race([withTimeout(exit, Math.max(remaining, 1000), `the suite (--timeout ${opts.timeoutSec} s)`), crashed, serverDied, aborted]);
    outcome = { code, reason: code === 0 ? 'passed' : 'failed' };
    stopTail();
    log(`suite finished with exit code ${code} in ${secs(tRun)} (${driver.served} page checks served)`);
    driver.stop();
    await serving;
  } catch (err) {
    outcome = { code: interrupted() ? 130 : 1, reason: err instanceof Error ? err.message : String(err) };
    console.error(`[vscode] ERROR: ${outcome.reason}`);
    if (page && !interrupted()) {
      const shot = path.join(resultsDir, 'screenshots', 'runner-failure.png');
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, timeout: 5000 }).then(() => log(`screenshot of the failure: ${path.relative(repoRoot, shot)}`), () => {});
    }
  } finally {
    driver?.stop();
    stopTail();
    if (context) await withTimeout(context.close(), 15_000, 'closing Chromium').catch((e) => log(e.message));
    await killGroup(server?.child, 'VS Code server');
    await server?.closeLog();
    for (const f of [dirs.serverLog, dirs.pageLog, dirs.suiteOutput]) {
      try { fs.copyFileSync(f, path.join(artifacts, path.basename(f))); } catch { /* not written */ }
    }
    if (opts.keep) log(`kept ${dirs.root}`);
    else fs.rmSync(dirs.root, { recursive: true, force: true, maxRetries: 3 });
    log(`logs in ${path.relative(repoRoot, artifacts)}/ (server.log, page-console.log, suite-output.log); total ${secs(started)}`);
  }
  return outcome.code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[vscode] ERROR: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
