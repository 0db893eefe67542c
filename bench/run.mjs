#!/usr/bin/env node
// `npm run bench`: our CLI against ccusage on one synthetic Claude config dir, side by side.
//
//   node bench/run.mjs [--size-mb 500] [--seed 42] [--repeat 3] [--skip-ccusage] [--config-dir DIR]
//
// 1. generate the data set under ${XDG_CACHE_HOME:-~/.cache}/credit-ledger-bench/ (or reuse it when its
//    MIX.json matches size/seed/generator version; a turn appended by an earlier run is cut off again)
// 2. measure wall time, user+sys and peak RSS of
//    (a) cold ingest + daily report: node dist/cli.js daily --json --config-dir DIR --db <fresh tmp db>
//    (b) warm re-run, nothing changed (same command)
//    (c) the same after appending one turn to one file
//    (d) ccusage claude daily --json --offline on the same dir
//    each --repeat times (default 3; (a) gets a fresh db each time, (c) appends a new turn each time)
//    and keep the fastest run (the machine may be shared: the minimum is the least noisy estimate)
// 3. print a markdown table and write it to bench/RESULTS.md, with a token check of both tools'
//    daily JSON against the generator's expected totals (MIX.json)
// --config-dir DIR benchmarks an existing dir instead (step (c) is skipped: it never writes there).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, appendOneTurn, printMix, defaultCacheDir, GENERATOR_VERSION } from './generate.mjs';
import { runCcusage, checkDaily, CCUSAGE_VERSION } from './ccusage.mjs';
import { measure, fmtS, fmtMB } from './measure.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const CLI = process.env.CREDIT_LEDGER_BENCH_CLI ? path.resolve(process.env.CREDIT_LEDGER_BENCH_CLI) : path.join(REPO, 'dist', 'cli.js'); // env override: testing only
const MiB = 1024 * 1024;

function parseArgs(argv) {
  const a = { sizeMb: 500, seed: 42, repeat: 3, skipCcusage: false, configDir: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]; const v = () => { const x = argv[++i]; if (x === undefined) throw new Error(`${k} needs a value`); return x; };
    if (k === '--size-mb') a.sizeMb = Number(v());
    else if (k === '--seed') a.seed = Number(v());
    else if (k === '--repeat') a.repeat = Math.max(1, Math.floor(Number(v())));
    else if (k === '--skip-ccusage') a.skipCcusage = true;
    else if (k === '--config-dir') a.configDir = path.resolve(v());
    else if (k === '-h' || k === '--help') { console.log('usage: node bench/run.mjs [--size-mb 500] [--seed 42] [--repeat 3] [--skip-ccusage] [--config-dir DIR]'); process.exit(0); }
    else throw new Error(`unknown argument ${k}`);
  }
  if (!(a.sizeMb > 0)) throw new Error('--size-mb must be > 0');
  return a;
}

function machine() {
  let cpu = os.cpus()[0]?.model?.trim() || 'unknown CPU';
  try { const m = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.+)/); if (m) cpu = m[1].trim(); } catch { /* not linux */ }
  return { cpu, cores: os.availableParallelism?.() ?? os.cpus().length, ramGiB: (os.totalmem() / 2 ** 30).toFixed(1), node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}` };
}

function prepareData(a) {
  if (a.configDir) {
    if (!fs.existsSync(path.join(a.configDir, 'projects'))) throw new Error(`${a.configDir} has no projects/ folder`);
    let mix = null; try { mix = JSON.parse(fs.readFileSync(path.join(a.configDir, 'MIX.json'), 'utf8')); } catch { /* a real dir */ }
    return { dir: a.configDir, mix, reused: true, generated: false };
  }
  const dir = path.join(defaultCacheDir(), `data-${a.sizeMb}mb-s${a.seed}`);
  let mix = null;
  try { mix = JSON.parse(fs.readFileSync(path.join(dir, 'MIX.json'), 'utf8')); } catch { /* none yet */ }
  const ok = mix && mix.complete && mix.generatorVersion === GENERATOR_VERSION && mix.params?.sizeMb === a.sizeMb && mix.params?.seed === a.seed;
  if (ok) {
    // undo the turn a previous bench run appended, so every run measures the same bytes
    if (mix.appendTarget) {
      const f = path.join(dir, mix.appendTarget.file);
      const st = fs.statSync(f);
      if (st.size > mix.appendTarget.bytes) fs.truncateSync(f, mix.appendTarget.bytes);
      else if (st.size < mix.appendTarget.bytes) throw new Error(`${f} is shorter than MIX.json says: delete ${dir} and rerun`);
    }
    console.log(`reusing data set ${dir} (${(mix.totalBytes / MiB).toFixed(1)} MiB, seed ${mix.params.seed}, generated for ${mix.params.now.slice(0, 10)})`);
    return { dir, mix, reused: true, generated: true };
  }
  console.log(`generating ${a.sizeMb} MiB data set (seed ${a.seed}) into ${dir} ...`);
  const r = generate({ out: dir, sizeMb: a.sizeMb, seed: a.seed });
  printMix(r.mix, dir);
  console.log(`  generated in ${r.mix.generateSeconds}s`);
  return { dir, mix: r.mix, reused: false, generated: true };
}

async function runOurs(dir, db, env) {
  const args = [CLI, 'daily', '--json', '--config-dir', dir, '--db', db];
  const r = await measure(process.execPath, args, { env, cwd: REPO });
  if (r.code !== 0) {
    console.log('FAILED');
    throw new Error(`node dist/cli.js ${args.slice(1).join(' ')} exited ${r.code}${r.signal ? ' (' + r.signal + ')' : ''}\n${r.stderr.slice(-3000)}`);
  }
  let json = null; try { json = JSON.parse(r.stdout); } catch { /* reported below */ }
  return { ...r, json };
}

// Run `once(i)` n times; keep the fastest run, remember all wall times.
async function bestOf(label, n, once) {
  process.stdout.write(`${label} ... `);
  let best = null; const walls = [];
  for (let i = 0; i < n; i++) {
    const r = await once(i);
    walls.push(r.wallS);
    if (!best || r.wallS < best.wallS) best = r;
  }
  console.log(`${walls.map((w) => fmtS(w)).join(', ')}; best: ${fmtS(best.wallS)}, peak RSS ${fmtMB(best.maxRssKb)}${best.json === null ? ' (stdout is not valid JSON!)' : ''}`);
  return { ...best, walls };
}

// Read every file once so that no step pays for a cold page cache.
function prewarm(dir) {
  const buf = Buffer.alloc(4 * MiB); let bytes = 0;
  (function walk(d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) { const fd = fs.openSync(p, 'r'); let n; while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) bytes += n; fs.closeSync(fd); }
    }
  })(path.join(dir, 'projects'));
  return bytes;
}

const TOKEN_KEYS = ['input', 'output', 'cacheCreate', 'cacheRead'];
function tokenCheck(mix, appended, ours, cc) {
  if (!mix?.expected?.byModel) return [];
  const exp = {}; const expCc = {};
  for (const [m, e] of Object.entries(mix.expected.byModel)) {
    exp[m] = Object.fromEntries(TOKEN_KEYS.map((k) => [k, e[k]]));
    const sp = mix.expected.inSpacedFiles?.[m] ?? {};
    expCc[m] = Object.fromEntries(TOKEN_KEYS.map((k) => [k, e[k] - (sp[k] ?? 0)]));
  }
  for (const ap of appended) for (const t of [exp, expCc]) {
    const x = (t[ap.model] ||= { input: 0, output: 0, cacheCreate: 0, cacheRead: 0 });
    x.input += ap.usage.input_tokens; x.output += ap.usage.output_tokens; x.cacheCreate += ap.usage.cache_creation_input_tokens; x.cacheRead += ap.usage.cache_read_input_tokens;
  }
  const o = ours?.json ? safe(() => checkDaily(ours.json).byModel) : null;
  const c = cc?.json ? checkDaily(cc.json).byModel : null;
  const fmt = (x) => x ? TOKEN_KEYS.map((k) => (x[k] ?? 0).toLocaleString('en-US')).join(' / ') : 'n/a';
  const same = (x, y) => x && y && TOKEN_KEYS.every((k) => (x[k] ?? 0) === (y[k] ?? 0));
  const lines = ['Token check (input / output / cache write / cache read, per model, after step (c)): expected = the generator\'s deduplicated totals; ccusage skips lines written with spaces after `:` (`expected for ccusage` leaves those out) and neither column adds Task-result output.', '',
    '| model | expected | ours | ccusage | expected for ccusage |', '|---|---|---|---|---|'];
  for (const m of Object.keys(exp)) {
    lines.push(`| ${m} | ${fmt(exp[m])} | ${fmt(o?.[m])}${o ? (same(o[m], exp[m]) ? ' ✓' : ' ≠') : ''} | ${fmt(c?.[m])}${c ? (same(c[m], expCc[m]) ? ' ✓' : ' ≠') : ''} | ${fmt(expCc[m])} |`);
  }
  lines.push('');
  return lines;
}
function safe(f) { try { return f(); } catch { return null; } }

function ratio(a, b) { return a && b ? (a / b).toFixed(2) + '×' : 'n/a'; }

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(CLI)) {
    throw new Error(`${CLI} is missing: build it first (\`node esbuild.js\`; \`npm run bench\` does that), or the CLI is not written yet`);
  }
  const m = machine();
  const data = prepareData(a);
  const home = path.join(defaultCacheDir(), 'empty-home'); // isolate both tools from the real ~/.claude
  fs.mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, TZ: 'UTC', NO_COLOR: '1' };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-ledger-bench-'));
  const db = path.join(tmp, 'bench.sqlite');
  const rows = [];
  const N = a.repeat;
  try {
    const warmBytes = prewarm(data.dir);
    console.log(`page cache warmed (${(warmBytes / MiB).toFixed(0)} MiB read); each step runs ${N}× and keeps the fastest`);
    const cold = await bestOf('(a) ours, cold ingest + daily (fresh db each time)', N, async (i) => {
      const d = i === N - 1 ? db : path.join(tmp, `cold-${i}.sqlite`);
      // A per-user folder of its own: a new ledger would otherwise start as a copy of the last saved one.
      const r = await runOurs(data.dir, d, { ...env, CREDIT_LEDGER_HOME: fs.mkdtempSync(path.join(tmp, `home-${i}-`)) });
      if (d !== db) fs.rmSync(d, { force: true });
      return r;
    });
    rows.push(['(a) ours: cold ingest + daily', cold]);
    const warm = await bestOf('(b) ours, warm re-run (nothing changed)', N, () => runOurs(data.dir, db, env));
    rows.push(['(b) ours: warm re-run, nothing changed', warm]);
    const appended = [];
    let last = warm;
    if (!a.configDir) {
      const inc = await bestOf('(c) ours, after appending one turn to one file', N, async () => {
        appended.push(appendOneTurn(data.dir));
        return (last = await runOurs(data.dir, db, env));
      });
      rows.push([`(c) ours: after appending one turn (${appended[0].bytesAppended} B)`, inc]);
    }
    let dbBytes = null; try { dbBytes = fs.statSync(db).size; } catch { /* CLI may keep it elsewhere */ }
    let cc = null;
    if (!a.skipCcusage) {
      cc = await bestOf('(d) ccusage claude daily --json --offline', N, () => runCcusage(data.dir, ['claude', 'daily', '--json', '--offline'], { quiet: false }));
    }

    // ---------------------------------------------------------------- report
    const mix = data.mix;
    const sizeLine = mix
      ? `${(mix.totalBytes / MiB).toFixed(1)} MiB, ${mix.files.total} files, ${mix.sessions} sessions in ${mix.projects} projects, ${mix.totalLines.toLocaleString('en-US')} lines, ${mix.uniqueAssistantRequests.toLocaleString('en-US')} unique assistant requests (generator v${mix.generatorVersion}, seed ${mix.params.seed})`
      : data.dir;
    const md = [];
    md.push('# Benchmark: credit-ledger vs ccusage', '');
    md.push(`Run ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} with \`node bench/run.mjs${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}\`.`, '');
    md.push(`- Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.os}, node ${m.node}`);
    md.push(`- Data: ${a.configDir ? 'existing dir ' + data.dir + (mix ? ' — ' + sizeLine : '') : 'synthetic (bench/generate.mjs) — ' + sizeLine}`);
    md.push(`- Ours: \`node dist/cli.js daily --json --config-dir DIR --db <fresh tmp>/bench.sqlite\`${dbBytes != null ? `; ledger db after the runs: ${(dbBytes / MiB).toFixed(1)} MiB` : ''}`);
    md.push(`- ccusage ${CCUSAGE_VERSION} (native binary): ${a.skipCcusage ? 'skipped (--skip-ccusage)' : '`CLAUDE_CONFIG_DIR=DIR ccusage claude daily --json --offline`'}`);
    md.push(`- Each step ran ${N}× (fastest kept; all wall times in the last column). Wall = wall clock; CPU = user+sys (above wall means more than one core busy); peak RSS from ${rows[0][1].method} (max resident set of the process). Page cache warm (every file read once before the first step).`);
    md.push('');
    md.push('| step | wall | CPU (user+sys) | peak RSS | wall ours/ccusage | RSS ours/ccusage | all walls |');
    md.push('|---|---:|---:|---:|---:|---:|---|');
    const walls = (r) => r.walls.map((w) => w.toFixed(2)).join(', ');
    for (const [label, r] of rows) md.push(`| ${label} | ${fmtS(r.wallS)} | ${fmtS(r.cpuS)} | ${fmtMB(r.maxRssKb)} | ${ratio(r.wallS, cc?.wallS)} | ${ratio(r.maxRssKb, cc?.maxRssKb)} | ${walls(r)} |`);
    if (cc) md.push(`| (d) ccusage claude daily | ${fmtS(cc.wallS)} | ${fmtS(cc.cpuS)} | ${fmtMB(cc.maxRssKb)} | 1.00× | 1.00× | ${walls(cc)} |`);
    md.push('');
    md.push(...tokenCheck(a.configDir ? null : mix, appended, last, cc));
    if (mix?.bytesByKind) {
      const top = Object.entries(mix.bytesByKind).slice(0, 6).map(([k, b]) => `${k} ${(100 * b / mix.totalBytes).toFixed(1)}%`).join(', ');
      md.push(`Bytes by line kind (top): ${top}. Full mix in \`${path.join(data.dir, 'MIX.json')}\`.`, '');
    }
    const text = md.join('\n');
    console.log('\n' + text);
    fs.writeFileSync(path.join(HERE, 'RESULTS.md'), text);
    console.log(`written to ${path.relative(process.cwd(), path.join(HERE, 'RESULTS.md'))}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(`\nbench/run.mjs: ${e.message}`); process.exit(1); });
