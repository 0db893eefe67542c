#!/usr/bin/env node
// The Claude Code hook and status line on a 100 MB transcript: wall time per call, as Claude Code runs them.
//
//   node esbuild.js && node bench/hook.mjs [--size-mb 100] [--repeat 15] [--keep]
//
// 1. writes a transcript of --size-mb (bulky tool results between requests; the last request at 230K tokens of
//    context on Sonnet 4.5, so the hook has a long-context warning to give) in a temp folder
// 2. installs the hook with the built CLI into a temp Claude settings file and a temp per-user folder
//    (CREDIT_LEDGER_HOME), so the launcher, the bundle copy and the runtime lookup are all measured
// 3. times, --repeat times each: `node -e ''` (the floor: Node's own start-up), `node dist/hook.js hook` directly,
//    the installed hook command through /bin/sh (UserPromptSubmit, a warning printed), and the status-line
//    command (first call: the session cost starts its incremental read; later calls: steady state)
// Prints min / median / p95 / max in milliseconds. Nothing outside the temp folder is touched.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const HOOK = path.join(REPO, 'dist', 'hook.js');
const CLI = path.join(REPO, 'dist', 'cli.js');
const MiB = 1024 * 1024;

function parseArgs(argv) {
  const a = { sizeMb: 100, repeat: 15, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--size-mb') a.sizeMb = Number(argv[++i]);
    else if (k === '--repeat') a.repeat = Math.max(3, Math.floor(Number(argv[++i])));
    else if (k === '--keep') a.keep = true;
    else if (k === '-h' || k === '--help') {
      console.log('usage: node bench/hook.mjs [--size-mb 100] [--repeat 15] [--keep]');
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

let msg = 0;
function assistantLine(context, timestamp) {
  const written = 1000;
  const input = 10;
  return JSON.stringify({
    parentUuid: null, isSidechain: false, userType: 'external', cwd: '/home/dev/project', sessionId: 'bench-session', version: '2.1.300', gitBranch: 'main', entrypoint: 'cli',
    message: { model: 'claude-sonnet-4-5-20250929', id: `msg_${++msg}`, type: 'message', role: 'assistant', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', stop_sequence: null,
      usage: { input_tokens: input, cache_creation_input_tokens: written, cache_read_input_tokens: context - input - written, output_tokens: 300, service_tier: 'standard' } },
    requestId: `req_${msg}`, type: 'assistant', uuid: `u-${msg}`, timestamp,
  });
}

function toolResultLine(bytes) {
  return JSON.stringify({ parentUuid: null, isSidechain: false, type: 'user', sessionId: 'bench-session', entrypoint: 'cli', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${++msg}`, content: 'y'.repeat(bytes) }] }, uuid: `t-${msg}`, timestamp: new Date().toISOString() });
}

function writeTranscript(file, bytes) {
  const fd = fs.openSync(file, 'w');
  const ts = new Date(Date.now() - 60_000).toISOString();
  let written = 0;
  let ctx = 20_000;
  let requests = 0;
  try {
    const filler = toolResultLine(200_000) + '\n';
    while (written < bytes - 8192) {
      const turn = assistantLine(ctx, ts) + '\n';
      fs.writeSync(fd, turn);
      fs.writeSync(fd, filler);
      written += turn.length + filler.length;
      requests++;
      ctx = Math.min(ctx + 400, 229_000);
    }
    const last = assistantLine(230_000, ts) + '\n';
    fs.writeSync(fd, last);
    requests++;
  } finally {
    fs.closeSync(fd);
  }
  return { size: fs.statSync(file).size, requests };
}

function time(run, repeat) {
  const ms = [];
  let last;
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    last = run(i);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (last.status !== 0) throw new Error(`exit ${last.status}: ${last.stderr}`);
  }
  const s = [...ms].sort((x, y) => x - y);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { min: s[0], median: q(0.5), p95: q(0.95), max: s[s.length - 1], all: ms, last };
}

function main() {
  const a = parseArgs(process.argv.slice(2));
  for (const f of [HOOK, CLI]) if (!fs.existsSync(f)) throw new Error(`${path.relative(REPO, f)} is missing: run \`node esbuild.js\` first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-hook-bench-'));
  const home = path.join(dir, 'home');
  const settingsFile = path.join(dir, 'claude', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  fs.writeFileSync(settingsFile, '{\n  "statusLine": { "type": "command", "command": "echo mine" }\n}\n');
  const env = { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home, NO_COLOR: '1' };
  try {
    const transcript = path.join(dir, 'bench-session.jsonl');
    const t0 = Date.now();
    const { size, requests } = writeTranscript(transcript, a.sizeMb * MiB);
    console.error(`transcript: ${(size / MiB).toFixed(1)} MiB, ${requests} requests, written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const inst = spawnSync(process.execPath, [CLI, 'install-hook', '--settings', settingsFile, '--statusline', '--yes'], { env, encoding: 'utf8' });
    if (inst.status !== 0) throw new Error(`install-hook failed: ${inst.stderr}`);
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
    const hookCmd = settings.hooks.UserPromptSubmit[0].hooks[0].command;
    const statusCmd = settings.statusLine.command;

    const stdin = JSON.stringify({ session_id: 'bench-session', transcript_path: transcript, cwd: '/home/dev/project', permission_mode: 'default', hook_event_name: 'UserPromptSubmit', prompt: 'x'.repeat(4000) });
    const statusStdin = JSON.stringify({ session_id: 'bench-session', transcript_path: transcript, model: { id: 'claude-sonnet-4-5-20250929', display_name: 'Sonnet 4.5' }, cost: { total_cost_usd: 1.23 } });
    const stateFile = path.join(home, 'hook-state.json');
    const fresh = () => fs.rmSync(stateFile, { force: true }); // so every call warns (the path with the most work)

    const results = [];
    results.push(['`node -e ""` (Node start-up, the floor)', time(() => spawnSync(process.execPath, ['-e', ''], { env }), a.repeat)]);
    results.push(['`node dist/hook.js hook` (UserPromptSubmit, warns)', time(() => (fresh(), spawnSync(process.execPath, [HOOK, 'hook'], { input: stdin, env, encoding: 'utf8' })), a.repeat)]);
    const viaLauncher = time(() => (fresh(), spawnSync('/bin/sh', ['-c', hookCmd], { input: stdin, env, encoding: 'utf8' })), a.repeat);
    results.push(['installed hook via the launcher (`sh -c`), as Claude Code runs it', viaLauncher]);
    const first = time(() => (fs.rmSync(path.join(home, 'statusline'), { recursive: true, force: true }), spawnSync('/bin/sh', ['-c', statusCmd], { input: statusStdin, env, encoding: 'utf8' })), Math.min(a.repeat, 5));
    results.push(['status line, first call (session cost starts reading, 24 MB budget)', first]);
    spawnSync('/bin/sh', ['-c', statusCmd], { input: statusStdin, env, encoding: 'utf8' });
    for (let i = 0; i < 8; i++) spawnSync('/bin/sh', ['-c', statusCmd], { input: statusStdin, env, encoding: 'utf8' }); // catch up
    const steady = time(() => spawnSync('/bin/sh', ['-c', statusCmd], { input: statusStdin, env, encoding: 'utf8' }), a.repeat);
    results.push(['status line, steady state (wrapping `echo mine`)', steady]);

    const out = JSON.parse(viaLauncher.last.stdout);
    const f = (x) => x.toFixed(0);
    const lines = [
      `Hook bench: ${(size / MiB).toFixed(1)} MiB transcript, ${a.repeat} runs each, ${os.cpus()[0]?.model?.trim() ?? 'CPU'} (${os.availableParallelism?.() ?? os.cpus().length} cores), node ${process.version}, dist/hook.js ${(fs.statSync(HOOK).size / 1024).toFixed(0)} KiB`,
      '',
      '| what | min ms | median ms | p95 ms | max ms |',
      '|---|---:|---:|---:|---:|',
      ...results.map(([name, r]) => `| ${name} | ${f(r.min)} | ${f(r.median)} | ${f(r.p95)} | ${f(r.max)} |`),
      '',
      `hook output: ${out.systemMessage.split('\n')[0].slice(0, 160)}…`,
      `status line: ${steady.last.stdout.trim()}`,
    ];
    console.log(lines.join('\n'));
    const budgetOk = viaLauncher.median < 200;
    console.log(`\nmedian via the launcher ${budgetOk ? 'within' : 'OVER'} the 200 ms budget (${f(viaLauncher.median)} ms).`);
  } finally {
    if (a.keep) console.error(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
