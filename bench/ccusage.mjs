#!/usr/bin/env node
// ccusage (the reference CLI) for side-by-side benchmarks and output comparisons.
//
//   node bench/ccusage.mjs                       # run on ../shared/corpus, save /tmp/ccusage-corpus-{daily,session,monthly}.json
//   node bench/ccusage.mjs --config-dir DIR [--report daily|session|monthly] [--out FILE] [--check]
//
// Installs ccusage@20.0.24 + its native package into a cache folder OUTSIDE the repo
// (${XDG_CACHE_HOME:-~/.cache}/credit-ledger-bench/ccusage), once; later runs reuse it.
// The command it runs (20.0.24):  CLAUDE_CONFIG_DIR=<dir> ccusage claude <report> --json --offline [--timezone UTC]
// (`claude <report>` restricts it to Claude Code data; a bare `ccusage daily` also scans other agents' dirs.)

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultCacheDir } from './generate.mjs';
import { measure, fmtS, fmtMB } from './measure.mjs';

export const CCUSAGE_VERSION = '20.0.24';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');

function nativePackage() {
  const p = process.platform; const a = process.arch;
  const os = p === 'win32' ? 'win32' : p === 'darwin' ? 'darwin' : p === 'linux' ? 'linux' : null;
  if (!os || !['x64', 'arm64'].includes(a)) throw new Error(`ccusage has no native package for ${p}/${a}`);
  return `@ccusage/ccusage-${os}-${a}`;
}

/** Install (once) and return the path of the native ccusage binary. */
export function ensureCcusage({ cacheDir = path.join(defaultCacheDir(), 'ccusage'), quiet = false } = {}) {
  const pkg = nativePackage();
  const pkgDir = path.join(cacheDir, 'node_modules', ...pkg.split('/'));
  const bin = path.join(pkgDir, 'bin', process.platform === 'win32' ? 'ccusage.exe' : 'ccusage');
  const installedVersion = () => { try { return JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version; } catch { return null; } };
  if (installedVersion() !== CCUSAGE_VERSION || !fs.existsSync(bin)) {
    fs.mkdirSync(cacheDir, { recursive: true });
    if (!quiet) console.error(`installing ccusage@${CCUSAGE_VERSION} into ${cacheDir} ...`);
    execFileSync('npm', ['install', '--prefix', cacheDir, '--no-save', '--no-audit', '--no-fund', `ccusage@${CCUSAGE_VERSION}`, `${pkg}@${CCUSAGE_VERSION}`], { stdio: quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'] });
    if (installedVersion() !== CCUSAGE_VERSION || !fs.existsSync(bin)) throw new Error(`ccusage install failed: ${bin} missing`);
  }
  // npm does not keep the exec bit on the native binary (ccusage's JS shim chmods it at run time)
  const mode = fs.statSync(bin).mode;
  if (process.platform !== 'win32' && (mode & 0o111) === 0) fs.chmodSync(bin, mode | 0o755);
  return bin;
}

/**
 * Run `ccusage <args>` against one config dir, measuring wall time, user+sys and peak RSS.
 * HOME and cwd point at an empty folder, so only CLAUDE_CONFIG_DIR is read (no ~/.claude, no config file).
 * @param {string} configDir  folder that holds projects/
 * @param {string[]} args     e.g. ['claude', 'daily', '--json', '--offline']
 */
export async function runCcusage(configDir, args = ['claude', 'daily', '--json', '--offline'], opts = {}) {
  const bin = ensureCcusage({ quiet: opts.quiet });
  const home = path.join(defaultCacheDir(), 'empty-home');
  fs.mkdirSync(home, { recursive: true });
  const env = { ...process.env, CLAUDE_CONFIG_DIR: path.resolve(configDir), HOME: home, NO_COLOR: '1', TZ: opts.tz ?? process.env.TZ ?? 'UTC' };
  const r = await measure(bin, args, { env, cwd: home, stdoutFile: opts.stdoutFile, timeoutMs: opts.timeoutMs });
  if (r.code !== 0) throw new Error(`ccusage ${args.join(' ')} failed (exit ${r.code}${r.signal ? ', ' + r.signal : ''}): ${r.stderr.slice(0, 2000)}`);
  let json = null;
  if (args.includes('--json')) json = JSON.parse(r.stdout);
  return { ...r, json, bin, commandLine: `CLAUDE_CONFIG_DIR=${path.resolve(configDir)} ${bin} ${args.join(' ')}` };
}

/** Per-model token totals from a `daily --json` report; throws when a model has zero tokens. */
export function checkDaily(json, { expectModels = [] } = {}) {
  const byModel = {};
  for (const d of json.daily ?? []) for (const m of d.modelBreakdowns ?? []) {
    const b = (byModel[m.modelName] ||= { input: 0, output: 0, cacheCreate: 0, cacheRead: 0, cost: 0 });
    b.input += m.inputTokens; b.output += m.outputTokens; b.cacheCreate += m.cacheCreationTokens; b.cacheRead += m.cacheReadTokens; b.cost += m.cost;
  }
  const problems = [];
  for (const [m, b] of Object.entries(byModel)) if (!(b.input + b.output + b.cacheCreate + b.cacheRead > 0)) problems.push(`${m}: zero tokens`);
  for (const m of expectModels) if (!byModel[m]) problems.push(`${m}: missing`);
  return { byModel, days: (json.daily ?? []).length, totals: json.totals, problems };
}

function cpuNote(r) {
  const ratio = r.cpuS / r.wallS;
  return `user+sys ${fmtS(r.cpuS)} / wall ${fmtS(r.wallS)} = ${ratio.toFixed(2)} cores busy on average`;
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (k) => { const i = argv.indexOf(k); return i >= 0 ? argv[i + 1] : undefined; };
  const configDir = opt('--config-dir');
  if (!configDir) {
    // corpus mode: the three reports the lead compares the parser against
    const corpus = process.env.CREDIT_LEDGER_CORPUS || path.resolve(REPO, '..', 'shared', 'corpus');
    if (!fs.existsSync(path.join(corpus, 'projects'))) throw new Error(`corpus not found at ${corpus}`);
    for (const report of ['daily', 'session', 'monthly']) {
      const out = `/tmp/ccusage-corpus-${report}.json`;
      const r = await runCcusage(corpus, ['claude', report, '--json', '--offline', '--timezone', 'UTC'], { stdoutFile: out });
      console.log(`${report}: ${out}  (wall ${fmtS(r.wallS)}, ${cpuNote(r)}, peak RSS ${fmtMB(r.maxRssKb)})`);
      if (report === 'daily') {
        console.log(`  ${r.commandLine}`);
        for (const [m, b] of Object.entries(checkDaily(r.json).byModel)) console.log(`  ${m}: in ${b.input} out ${b.output} cw ${b.cacheCreate} cr ${b.cacheRead} $${b.cost.toFixed(4)}`);
      }
    }
    return;
  }
  const report = opt('--report') || 'daily';
  const args = ['claude', report, '--json', '--offline'];
  if (opt('--timezone')) args.push('--timezone', opt('--timezone'));
  if (argv.includes('--single-thread')) args.push('--single-thread');
  const r = await runCcusage(configDir, args, { stdoutFile: opt('--out') });
  console.log(r.commandLine);
  console.log(`wall ${fmtS(r.wallS)}, user ${fmtS(r.userS)}, sys ${fmtS(r.sysS)}, peak RSS ${fmtMB(r.maxRssKb)} (${r.method}); ${cpuNote(r)}`);
  if (argv.includes('--check') && report === 'daily') {
    const c = checkDaily(r.json);
    for (const [m, b] of Object.entries(c.byModel)) console.log(`  ${m}: in ${b.input} out ${b.output} cw ${b.cacheCreate} cr ${b.cacheRead} $${b.cost.toFixed(2)}`);
    console.log(`  ${c.days} days; ${c.problems.length ? 'PROBLEMS: ' + c.problems.join('; ') : 'every model has non-zero tokens'}`);
    if (c.problems.length) process.exitCode = 1;
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) main().catch((e) => { console.error(`ccusage.mjs: ${e.message}`); process.exit(1); });
