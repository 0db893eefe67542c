#!/usr/bin/env node
// `npm run bench`: our CLI against ccusage on synthetic Claude config dirs, side by side, in one run.
//
//   node bench/run.mjs [--mix both|tool|assistant] [--size-mb N] [--seed 42] [--repeat 5] [--skip-ccusage]
//                      [--config-dir DIR] [--write]
//
// 1. generate each data set under ${XDG_CACHE_HOME:-~/.cache}/credit-ledger-bench/ (or reuse it when its
//    MIX.json matches size/seed/mix/generator version; a turn appended by an earlier run is cut off again):
//    the `tool` mix (500 MB: most bytes are tool results) and the `assistant` mix (300 MB: most bytes
//    are assistant lines every reader must parse)
// 2. on each, measure wall time, user+sys and peak RSS of
//    (a) cold ingest + daily report: node dist/cli.js daily --json --config-dir DIR --db <fresh tmp db>
//    (b) warm re-run, nothing changed (same command; the stored answer serves it)
//    (b0) the same with the stored answer off (CREDIT_LEDGER_STORED_ANSWERS=off): the warm ledger path
//    (c) the same after appending one turn to one file
//    (d) ccusage claude daily --json --offline on the same dir
//    each --repeat times (default 5; (a) gets a fresh db each time, (c) appends a new turn each time),
//    and report the median (the machine may be shared: the median ignores the odd slow or lucky run)
// 3. print a markdown table with every ratio to ccusage measured in this run, and a token check of both
//    tools' daily JSON against the generator's expected totals (MIX.json); --write also writes it to
//    bench/RESULTS.md (never written otherwise)
// --config-dir DIR benchmarks an existing dir instead (step (c) is skipped: it never writes there).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, appendOneTurn, printMix, defaultCacheDir, dataDirName, GENERATOR_VERSION, MIXES } from './generate.mjs';
import { runCcusage, checkDaily, CCUSAGE_VERSION } from './ccusage.mjs';
import { measure, fmtS, fmtMB } from './measure.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const CLI = process.env.CREDIT_LEDGER_BENCH_CLI ? path.resolve(process.env.CREDIT_LEDGER_BENCH_CLI) : path.join(REPO, 'dist', 'cli.js'); // env override: testing only
const MiB = 1024 * 1024;

const DEFAULT_SIZE_MB = { tool: 500, assistant: 300 };
const USAGE = 'usage: node bench/run.mjs [--mix both|tool|assistant] [--size-mb N] [--seed 42] [--repeat 5] [--skip-ccusage] [--config-dir DIR] [--write]';

function parseArgs(argv) {
  const a = { mix: 'both', sizeMb: null, seed: 42, repeat: 5, skipCcusage: false, configDir: null, write: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]; const v = () => { const x = argv[++i]; if (x === undefined) throw new Error(`${k} needs a value`); return x; };
    if (k === '--size-mb') a.sizeMb = Number(v());
    else if (k === '--mix') a.mix = v();
    else if (k === '--seed') a.seed = Number(v());
    else if (k === '--repeat') a.repeat = Math.max(1, Math.floor(Number(v())));
    else if (k === '--skip-ccusage') a.skipCcusage = true;
    else if (k === '--config-dir') a.configDir = path.resolve(v());
    else if (k === '--write') a.write = true;
    else if (k === '-h' || k === '--help') { console.log(USAGE); process.exit(0); }
    else throw new Error(`unknown argument ${k}`);
  }
  if (a.mix !== 'both' && !MIXES.includes(a.mix)) throw new Error(`--mix must be both, ${MIXES.join(' or ')}`);
  if (a.sizeMb !== null && !(a.sizeMb > 0)) throw new Error('--size-mb must be > 0');
  if (a.sizeMb !== null && a.mix === 'both') throw new Error('--size-mb needs one --mix');
  return a;
}

function machine() {
  let cpu = os.cpus()[0]?.model?.trim() || 'unknown CPU';
  try { const m = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.+)/); if (m) cpu = m[1].trim(); } catch { /* not linux */ }
  return { cpu, cores: os.availableParallelism?.() ?? os.cpus().length, ramGiB: (os.totalmem() / 2 ** 30).toFixed(1), node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}` };
}

function prepareData(a, mixName) {
  if (a.configDir) {
    if (!fs.existsSync(path.join(a.configDir, 'projects'))) throw new Error(`${a.configDir} has no projects/ folder`);
    let mix = null; try { mix = JSON.parse(fs.readFileSync(path.join(a.configDir, 'MIX.json'), 'utf8')); } catch { /* a real dir */ }
    return { dir: a.configDir, mix, reused: true, generated: false };
  }
  const sizeMb = a.sizeMb ?? DEFAULT_SIZE_MB[mixName];
  const dir = path.join(defaultCacheDir(), dataDirName(sizeMb, a.seed, mixName));
  let mix = null;
  try { mix = JSON.parse(fs.readFileSync(path.join(dir, 'MIX.json'), 'utf8')); } catch { /* none yet */ }
  const ok = mix && mix.complete && mix.generatorVersion === GENERATOR_VERSION && mix.params?.sizeMb === sizeMb && mix.params?.seed === a.seed && (mix.params?.mix ?? 'tool') === mixName;
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
  console.log(`generating the ${sizeMb} MiB ${mixName} data set (seed ${a.seed}) into ${dir} ...`);
  const r = generate({ out: dir, sizeMb, seed: a.seed, mix: mixName });
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

// Run `once(i)` n times; report the run with the median wall time (and remember every wall time).
async function medianOf(label, n, once) {
  process.stdout.write(`${label} ... `);
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await once(i));
  const sorted = [...runs].sort((x, y) => x.wallS - y.wallS);
  const med = sorted[Math.floor((sorted.length - 1) / 2)];
  const mid = (k) => { const v = runs.map((r) => r[k]).sort((x, y) => x - y); return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2; };
  const r = { ...med, wallS: mid('wallS'), cpuS: mid('cpuS'), maxRssKb: mid('maxRssKb'), walls: runs.map((x) => x.wallS) };
  console.log(`${r.walls.map((w) => fmtS(w)).join(', ')}; median: ${fmtS(r.wallS)}, peak RSS ${fmtMB(r.maxRssKb)}${med.json === null ? ' (stdout is not valid JSON!)' : ''}`);
  return r;
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

/** The load while the bench ran: the machine may be shared, and the numbers move with it. */
function loadNote() {
  const [l1, l5] = os.loadavg();
  return `load average ${l1.toFixed(2)} (1 min), ${l5.toFixed(2)} (5 min) on ${os.availableParallelism?.() ?? os.cpus().length} cores`;
}

async function benchOne(a, mixName, m, N) {
  const data = prepareData(a, mixName);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-ledger-bench-'));
  const home = path.join(defaultCacheDir(), 'empty-home'); // isolate both tools from the real ~/.claude
  fs.mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, TZ: 'UTC', NO_COLOR: '1' };
  // The per-user folder of the warm and appended runs: the last cold run's, so its stored answer is there.
  const mainHome = path.join(tmp, 'home-main');
  const warmEnv = { ...env, CREDIT_LEDGER_HOME: mainHome };
  const db = path.join(tmp, 'bench.sqlite');
  const rows = [];
  try {
    const warmBytes = prewarm(data.dir);
    console.log(`page cache warmed (${(warmBytes / MiB).toFixed(0)} MiB read); each step runs ${N}× and reports the median; ${loadNote()}`);
    const cold = await medianOf('(a) ours, cold ingest + daily (fresh db each time)', N, async (i) => {
      const last = i === N - 1;
      const d = last ? db : path.join(tmp, `cold-${i}.sqlite`);
      // A per-user folder of its own: a new ledger would otherwise start as a copy of the last saved one.
      const r = await runOurs(data.dir, d, { ...env, CREDIT_LEDGER_HOME: last ? mainHome : fs.mkdtempSync(path.join(tmp, `home-${i}-`)) });
      if (!last) fs.rmSync(d, { force: true });
      return r;
    });
    rows.push(['(a) cold ingest + daily', cold, 'cold']);
    const warm = await medianOf('(b) ours, warm re-run (nothing changed)', N, () => runOurs(data.dir, db, warmEnv));
    rows.push(['(b) warm re-run, nothing changed', warm, 'warm']);
    const warmLedger = await medianOf('(b0) ours, warm re-run, stored answer off', N, () => runOurs(data.dir, db, { ...warmEnv, CREDIT_LEDGER_STORED_ANSWERS: 'off' }));
    rows.push(['(b0) warm re-run, stored answer off', warmLedger, 'warm-ledger']);
    const appended = [];
    let last = warm;
    if (!a.configDir) {
      const inc = await medianOf('(c) ours, after appending one turn to one file', N, async () => {
        appended.push(appendOneTurn(data.dir));
        return (last = await runOurs(data.dir, db, warmEnv));
      });
      rows.push([`(c) after appending one turn (${appended[0].bytesAppended} B)`, inc, 'appended']);
    }
    let dbBytes = null; try { dbBytes = fs.statSync(db).size; } catch { /* CLI may keep it elsewhere */ }
    let cc = null;
    if (!a.skipCcusage) {
      cc = await medianOf('(d) ccusage claude daily --json --offline', N, () => runCcusage(data.dir, ['claude', 'daily', '--json', '--offline'], { quiet: false }));
    }
    return { data, rows, cc, appended, last, dbBytes, load: loadNote() };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// The issue's targets, as ratios of ccusage's wall time in the same run.
const TARGETS = { cold: 1.5, warm: 0.2, appended: 0.3 };

function section(a, mixName, r, N) {
  const { data, rows, cc, appended, last, dbBytes } = r;
  const mix = data.mix;
  const sizeLine = mix
    ? `${(mix.totalBytes / MiB).toFixed(1)} MiB, ${mix.files.total} files, ${mix.sessions} sessions in ${mix.projects} projects, ${mix.totalLines.toLocaleString('en-US')} lines (${(mix.linesByKind.assistant ?? 0).toLocaleString('en-US')} assistant), ${mix.uniqueAssistantRequests.toLocaleString('en-US')} unique assistant requests (generator v${mix.generatorVersion}, seed ${mix.params.seed})`
    : data.dir;
  const md = [];
  md.push(`## ${a.configDir ? 'Existing dir' : `The \`${mixName}\` mix`}`, '');
  md.push(`- Data: ${a.configDir ? 'existing dir ' + data.dir + (mix ? ' — ' + sizeLine : '') : 'synthetic (bench/generate.mjs --mix ' + mixName + ') — ' + sizeLine}`);
  md.push(`- Ours: \`node dist/cli.js daily --json --config-dir DIR --db <fresh tmp>/bench.sqlite\`${dbBytes != null ? `; ledger db after the runs: ${(dbBytes / MiB).toFixed(1)} MiB` : ''}`);
  md.push(`- Load when this mix finished: ${r.load}`);
  md.push('');
  md.push('| step | wall | CPU (user+sys) | peak RSS | wall ours/ccusage | target | RSS ours/ccusage | all walls |');
  md.push('|---|---:|---:|---:|---:|---|---:|---|');
  const walls = (x) => x.walls.map((w) => w.toFixed(2)).join(', ');
  for (const [label, x, kind] of rows) {
    const t = TARGETS[kind];
    const met = t && cc ? (x.wallS / cc.wallS <= t ? `≤ ${t}× — met` : `≤ ${t}× — **not met**`) : '';
    md.push(`| ${label} | ${fmtS(x.wallS)} | ${fmtS(x.cpuS)} | ${fmtMB(x.maxRssKb)} | ${ratio(x.wallS, cc?.wallS)} | ${met} | ${ratio(x.maxRssKb, cc?.maxRssKb)} | ${walls(x)} |`);
  }
  if (cc) md.push(`| (d) ccusage claude daily | ${fmtS(cc.wallS)} | ${fmtS(cc.cpuS)} | ${fmtMB(cc.maxRssKb)} | 1.00× | | 1.00× | ${walls(cc)} |`);
  md.push('');
  md.push(...tokenCheck(a.configDir ? null : mix, appended, last, cc));
  if (mix?.bytesByKind) {
    const top = Object.entries(mix.bytesByKind).slice(0, 6).map(([k, b]) => `${k} ${(100 * b / mix.totalBytes).toFixed(1)}%`).join(', ');
    md.push(`Bytes by line kind (top): ${top}. Full mix in \`${path.join(data.dir, 'MIX.json')}\`.`, '');
  }
  return md;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(CLI)) {
    throw new Error(`${CLI} is missing: build it first (\`node esbuild.js\`; \`npm run bench\` does that), or the CLI is not written yet`);
  }
  const m = machine();
  const N = a.repeat;
  const mixes = a.configDir ? ['tool'] : a.mix === 'both' ? MIXES : [a.mix];
  const md = ['# Benchmark: credit-ledger vs ccusage', ''];
  md.push(`Run ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} with \`node bench/run.mjs${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}\`.`, '');
  md.push(`- Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.os}, node ${m.node}; ${loadNote()} at the start`);
  md.push(`- ccusage ${CCUSAGE_VERSION} (native binary): ${a.skipCcusage ? 'skipped (--skip-ccusage)' : '`CLAUDE_CONFIG_DIR=DIR ccusage claude daily --json --offline`'}, measured in the same run on the same data`);
  md.push(`- Each step ran ${N}× and the median is shown (all wall times in the last column). Wall = wall clock; CPU = user+sys (above wall means more than one core busy); peak RSS = max resident set of the process. Page cache warm (every file read once before the first step).`);
  md.push('');
  for (const mixName of mixes) {
    console.log(`\n=== ${mixName} mix ===`);
    const r = await benchOne(a, mixName, m, N);
    md.push(...section(a, mixName, r, N));
  }
  const text = md.join('\n');
  console.log('\n' + text);
  if (a.write) {
    fs.writeFileSync(path.join(HERE, 'RESULTS.md'), text);
    console.log(`written to ${path.relative(process.cwd(), path.join(HERE, 'RESULTS.md'))}`);
  } else console.log('(not written: `npm run bench -- --write` writes bench/RESULTS.md)');
}

main().catch((e) => { console.error(`\nbench/run.mjs: ${e.message}`); process.exit(1); });
