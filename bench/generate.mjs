#!/usr/bin/env node
// Deterministic generator of a synthetic Claude Code config dir for benchmarks.
//
//   node bench/generate.mjs [--size-mb 500] [--out DIR] [--seed 42] [--now 2026-11-26] [--mix tool|assistant]
//   node bench/generate.mjs --append-one-turn DIR
//
// Writes <out>/projects/<project-key>/<sessionId>.jsonl (+ subagent files) streaming,
// then <out>/MIX.json with the line/byte mix and the expected (deduplicated) token totals.
// Everything random comes from a seeded PRNG: same --seed/--size-mb/--now => same bytes.
// Line shapes follow docs/FACTS.md and the real 2.0.x/2.1.x transcripts in shared/corpus.
//
// Two mixes: `tool` (default) — most bytes are tool results in user lines, which a reader can skip
// cheaply; `assistant` — tool results cut short and assistant lines carrying long thinking and text,
// so most bytes are lines a reader must parse (the shape of a history of long-reasoning sessions).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const GENERATOR_VERSION = 4;
const MiB = 1024 * 1024;
export const MIXES = ['tool', 'assistant'];
const DAY = 86_400_000;

export function defaultCacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'credit-ledger-bench');
}

// ---------------------------------------------------------------- PRNG
function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) { this.r = mulberry32(seed); }
  f() { return this.r(); }
  int(lo, hi) { return lo + Math.floor(this.r() * (hi - lo + 1)); } // inclusive
  chance(p) { return this.r() < p; }
  pick(arr) { return arr[Math.floor(this.r() * arr.length)]; }
  weighted(pairs) { // [[value, weight], ...]
    let total = 0; for (const [, w] of pairs) total += w;
    let x = this.r() * total;
    for (const [v, w] of pairs) { if ((x -= w) < 0) return v; }
    return pairs[pairs.length - 1][0];
  }
  logUniform(lo, hi) { return Math.exp(Math.log(lo) + this.r() * (Math.log(hi) - Math.log(lo))); }
  normal() { let u = 0; while (u === 0) u = this.r(); return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.r()); }
  hex(n) { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.r() * 16)]; return s; }
  b62(n) { const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'; let s = ''; for (let i = 0; i < n; i++) s += A[Math.floor(this.r() * 62)]; return s; }
  b64(n) { const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'; let s = ''; for (let i = 0; i < n; i++) s += A[Math.floor(this.r() * 64)]; return s; }
  uuid() {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

// ---------------------------------------------------------------- serializers
// Compact (what Claude Code writes) and "spaced" (`": "` and `", "`, as Python's json.dumps
// or other writers produce). ccusage skips lines that lack a compact `"usage":{`.
function spacedStringify(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return '[' + v.map(spacedStringify).join(', ') + ']';
  const parts = [];
  for (const k of Object.keys(v)) { if (v[k] !== undefined) parts.push(JSON.stringify(k) + ': ' + spacedStringify(v[k])); }
  return '{' + parts.join(', ') + '}';
}

// ---------------------------------------------------------------- content pools
const WORDS = ('the a of to in for on with from by as at is are was be this that it not or and but if then else when while return value state cache token request session file path config parser ledger budget credit report daily model usage price stream line block context window agent task result error retry timeout buffer index offset length schema query commit branch merge test suite fixture mock spec build deploy release version module import export default async await promise callback handler event listener queue worker thread pool memory disk network socket header body payload json yaml toml markdown render widget panel status bar').split(' ');
const IDENTS = ('parseLine readFile usage tokens cacheRead cacheWrite inputTokens outputTokens sessionId requestId messageId projectKey configDir ledgerDb priceTable rateCard longContext webSearch serverToolUse entrypoint sidechain agentId timestamp dedupKey maxCopy bucket daily monthly formatUsd sumBy groupBy flatten chunk debounce throttle watcher scanner walker reader writer encoder decoder visitor reducer selector store client server router controller service repository adapter factory builder strategy observer').split(' ');
const TYPES = ['string', 'number', 'boolean', 'Usage', 'Row[]', 'Map<string, number>', 'Promise<void>', 'Record<string, Usage>', 'unknown', 'Buffer'];
const UNICODE = ['é', 'ü', 'ß', '→', '←', '✓', '✗', '•', '…', '—', '“quoted”', '日本語', '中文字符', 'Привет', 'Ελληνικά', '🚀', '✨', '🔥', '📋', 'ø', 'ñ', '€', '±', '≥', '½'];
const EXTS = ['ts', 'ts', 'tsx', 'js', 'py', 'ex', 'rs', 'md', 'json', 'go'];

function sentence(rng, min = 6, max = 22) {
  const n = rng.int(min, max); const w = [];
  for (let i = 0; i < n; i++) w.push(rng.chance(0.04) ? rng.pick(UNICODE) : rng.chance(0.08) ? '`' + rng.pick(IDENTS) + '`' : rng.pick(WORDS));
  const s = w.join(' ');
  return s[0].toUpperCase() + s.slice(1) + rng.pick(['.', '.', '.', '?', ':', '!']);
}
function paragraph(rng, n) { const a = []; for (let i = 0; i < n; i++) a.push(sentence(rng)); return a.join(' '); }

function codeLine(rng, lang, depth) {
  const id = () => rng.pick(IDENTS); const ind = '  '.repeat(depth);
  switch (lang) {
    case 'py': return ind + rng.pick([
      () => `def ${id()}(${id()}, ${id()}=None):`,
      () => `${id()} = ${id()}.get("${id()}", {}).get('${id()}')`,
      () => `raise ValueError(f"bad ${id()}: {${id()}!r} ${rng.pick(UNICODE)}")`,
      () => `# ${sentence(rng, 4, 12)}`,
      () => `return {"${id()}": ${rng.int(0, 99999)}, "path": "C:\\\\Users\\\\dev\\\\${id()}"}`,
      () => `print("${id()}\\t${id()}\\n", end="")`,
      () => `for ${id()} in ${id()}:`,
    ])();
    case 'md': return rng.pick([
      () => `## ${sentence(rng, 2, 6)}`,
      () => `- ${sentence(rng, 4, 14)}`,
      () => `${paragraph(rng, 2)}`,
      () => '```' + rng.pick(['ts', 'bash', 'json', '']),
      () => `| ${id()} | ${rng.int(0, 9999)} | ${rng.pick(UNICODE)} "${id()}" |`,
      () => '',
    ])();
    case 'json': return ind + rng.pick([
      () => `"${id()}": "${sentence(rng, 2, 6).replace(/"/g, '\\"')}",`,
      () => `"${id()}": ${rng.int(0, 1e6)},`,
      () => `"${id()}": [${rng.int(0, 9)}, ${rng.int(0, 9)}, "${rng.pick(UNICODE)}"],`,
      () => `"${id()}": {`, () => `},`,
    ])();
    default: return ind + rng.pick([
      () => `export function ${id()}(${id()}: ${rng.pick(TYPES)}, ${id()}?: ${rng.pick(TYPES)}): ${rng.pick(TYPES)} {`,
      () => `const ${id()} = await ${id()}.${id()}("${id()}", { ${id()}: ${rng.int(0, 4096)} });`,
      () => `if (${id()} === null || ${id()}.length > ${rng.int(1, 500)}) throw new Error("${sentence(rng, 3, 8)} ${rng.pick(UNICODE)}");`,
      () => `return \`\${${id()}}: \${${id()}.toFixed(2)}\\n\`;`,
      () => `// ${sentence(rng, 4, 14)}`,
      () => `${id()}.push({ "${id()}": ${rng.int(0, 99)}, path: "C:\\\\Users\\\\dev\\\\${id()}.${rng.pick(EXTS)}" });`,
      () => `const re = /^\\s*"${id()}"\\s*:\\s*(\\d+)/;`,
      () => `}`, () => '',
      () => `\tlet ${id()} = '${id()}\\'s ${rng.pick(UNICODE)}';`,
    ])();
  }
}

function makeSourceFile(rng, bytes) {
  const lang = rng.pick(['ts', 'ts', 'py', 'md', 'json', 'ts', 'rs']);
  const lines = []; let size = 0; let depth = 0;
  while (size < bytes) {
    const l = codeLine(rng, lang, depth);
    depth = Math.max(0, Math.min(4, depth + rng.int(-1, 1)));
    lines.push(l); size += Buffer.byteLength(l) + 1;
  }
  return lines;
}

const ANSI = ['\u001b[32m', '\u001b[31m', '\u001b[33m', '\u001b[1m', '\u001b[2m', '\u001b[36m'];
function makeBashOutput(rng, bytes) {
  const out = []; let size = 0;
  while (size < bytes) {
    const l = rng.pick([
      () => `${rng.pick(ANSI)}✓\u001b[0m ${rng.pick(IDENTS)} > ${sentence(rng, 3, 9)} \u001b[2m(${rng.int(1, 900)} ms)\u001b[0m`,
      () => `${rng.pick(ANSI)}✗\u001b[0m ${rng.pick(IDENTS)}.test.ts:${rng.int(1, 400)}:${rng.int(1, 80)} Expected "${rng.pick(IDENTS)}" but got '${rng.pick(IDENTS)}'`,
      () => `src/${rng.pick(IDENTS)}/${rng.pick(IDENTS)}.${rng.pick(EXTS)}(${rng.int(1, 300)},${rng.int(1, 60)}): error TS${rng.int(2000, 7999)}: ${sentence(rng, 4, 10)}`,
      () => `${rng.hex(7)} ${sentence(rng, 3, 10)}`,
      () => `npm warn deprecated ${rng.pick(IDENTS)}@${rng.int(0, 9)}.${rng.int(0, 20)}.${rng.int(0, 9)}: ${sentence(rng, 4, 9)}`,
      () => `  ${rng.pick(['modified:', 'new file:', 'deleted:'])}   src/${rng.pick(IDENTS)}.${rng.pick(EXTS)}`,
    ])();
    out.push(l); size += Buffer.byteLength(l) + 1;
  }
  return out.join('\n');
}

function makeSearchResult(rng, bytes) {
  const q = sentence(rng, 3, 7).slice(0, -1);
  const links = []; let size = 0;
  while (size < bytes * 0.35) {
    const l = { title: sentence(rng, 3, 9), url: `https://${rng.pick(IDENTS).toLowerCase()}.example.org/${rng.pick(IDENTS)}/${rng.hex(6)}` };
    links.push(l); size += JSON.stringify(l).length;
  }
  let s = `Web search results for query: "${q}"\n\nLinks: ${JSON.stringify(links)}\n\n`;
  while (Buffer.byteLength(s) < bytes) s += `Based on the search results, ${paragraph(rng, 3)}\n\n`;
  return s;
}

function makeGlobResult(rng, bytes) {
  const out = []; let size = 0;
  while (size < bytes) { const l = `/home/dev/work/${rng.pick(IDENTS)}/src/${rng.pick(IDENTS)}/${rng.pick(IDENTS)}.${rng.pick(EXTS)}`; out.push(l); size += l.length + 1; }
  return out.join('\n');
}

function buildPools(seed) {
  const rng = new Rng(seed ^ 0x5eed);
  const files = [];
  for (let i = 0; i < 260; i++) {
    const lines = makeSourceFile(rng, Math.round(rng.logUniform(2048, 60 * 1024)));
    files.push({ path: `/src/${rng.pick(IDENTS)}/${rng.pick(IDENTS)}.${rng.pick(EXTS)}`, lines, raw: lines.join('\n') });
  }
  const bash = []; for (let i = 0; i < 120; i++) bash.push(makeBashOutput(rng, Math.round(rng.logUniform(150, 20 * 1024))));
  const search = []; for (let i = 0; i < 40; i++) search.push(makeSearchResult(rng, Math.round(rng.logUniform(2500, 9000))));
  const glob = []; for (let i = 0; i < 60; i++) glob.push(makeGlobResult(rng, Math.round(rng.logUniform(300, 8000))));
  const texts = []; for (let i = 0; i < 300; i++) texts.push(paragraph(rng, rng.int(1, 8)));
  const thoughts = []; for (let i = 0; i < 200; i++) thoughts.push(paragraph(rng, rng.int(2, 14)));
  const prompts = []; for (let i = 0; i < 200; i++) prompts.push(rng.chance(0.1) ? `<command-name>/${rng.pick(['loop', 'review', 'compact-ish', 'test'])}</command-name>\n<command-args>${sentence(rng, 3, 8)}</command-args>` : paragraph(rng, rng.int(1, 4)));
  const summaries = []; for (let i = 0; i < 30; i++) summaries.push('<analysis>\n' + paragraph(rng, 30) + '\n</analysis>\n<summary>\n' + paragraph(rng, 40) + '\n</summary>');
  return { files, bash, search, glob, texts, thoughts, prompts, summaries };
}

function numbered(lines, start, count) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) out[i] = String(start + i + 1).padStart(6) + '→' + lines[start + i];
  return out.join('\n');
}

// ---------------------------------------------------------------- models, projects, rates
export const MODELS = {
  opus: 'claude-opus-4-6',
  sonnet: 'claude-sonnet-4-5-20250929',
  haiku: 'claude-haiku-4-5-20251001',
  unknown: 'claude-zephyr-1-20261101', // on no rate card (ours or ccusage's): must show as "unpriced"
};
// Claude Code's own estimate for cost-state lines (rough; it is an estimate, not a bill).
const EST_RATES = { // per MTok: in, out, cw, cr
  [MODELS.opus]: [5, 25, 6.25, 0.5], [MODELS.sonnet]: [3, 15, 3.75, 0.3], [MODELS.haiku]: [1, 5, 1.25, 0.1],
};
const PROJECT_NAMES = ['credit-ledger', 'spotter', 'margin', 'api-gateway', 'billing-service', 'mobile-app', 'infra-terraform', 'data-pipeline', 'docs-site', 'ml-experiments', 'auth-service', 'design-system', 'cli-tools', 'search-indexer', 'payments', 'notebooks', 'game-engine', 'blog', 'dotfiles', 'monorepo'];
const HOOK_CMDS = ['${CLAUDE_PLUGIN_ROOT}/scripts/pre-tool-capture.sh', '${CLAUDE_PLUGIN_ROOT}/scripts/post-tool-capture.sh', 'cd ${CLAUDE_PLUGIN_ROOT}/hooks && bun run ./guardian.ts', 'callback', '/home/dev/.claude/hooks/tmux-waiting.sh mark'];
const TOOLS = [['Read', 45], ['Bash', 22], ['Edit', 10], ['Grep', 8], ['Glob', 5], ['Write', 3], ['WebSearch', 2], ['WebFetch', 1], ['TodoWrite', 2]];

function projectKey(cwd) { return cwd.replace(/[^A-Za-z0-9]/g, '-'); }

// ---------------------------------------------------------------- output files
class OutFile {
  constructor(gen, filePath, { spaced, kind }) {
    this.gen = gen; this.path = filePath; this.spaced = spaced; this.kind = kind;
    this.parts = []; this.pending = 0; this.bytes = 0; this.lines = 0; this.fd = null;
  }
  emit(lineKind, obj) {
    return this.emitRaw(lineKind, (this.spaced ? spacedStringify(obj) : JSON.stringify(obj)) + '\n');
  }
  emitRaw(lineKind, text) { // a cut line has no trailing newline
    const b = Buffer.byteLength(text);
    this.parts.push(text); this.pending += b; this.bytes += b; this.lines++;
    if (this.deferred) { (this.deferred[lineKind] ||= [0, 0])[0]++; this.deferred[lineKind][1] += b; }
    else this.gen.count(lineKind, b);
    if (this.pending > 4 * MiB && !this.deferred) this.flush();
    return b;
  }
  // Subagent files are counted when closed, or dropped (a subagent whose file is absent).
  defer() { this.deferred = {}; return this; }
  discard() { this.parts = []; this.deferred = null; }
  flush() {
    if (!this.parts.length) return;
    if (this.fd === null) { fs.mkdirSync(path.dirname(this.path), { recursive: true }); this.fd = fs.openSync(this.path, 'w'); }
    fs.writeSync(this.fd, this.parts.join(''));
    this.parts = []; this.pending = 0;
  }
  close() {
    if (this.deferred) { for (const [k, [n, b]] of Object.entries(this.deferred)) { this.gen.count(k, b, n); } this.deferred = null; }
    this.flush();
    if (this.fd === null) { fs.mkdirSync(path.dirname(this.path), { recursive: true }); fs.writeFileSync(this.path, ''); }
    else fs.closeSync(this.fd);
    this.gen.files[this.kind] = (this.gen.files[this.kind] || 0) + 1;
    this.gen.fileBytes[this.kind] = (this.gen.fileBytes[this.kind] || 0) + this.bytes;
  }
}

// ---------------------------------------------------------------- generator
class Generator {
  constructor({ out, sizeMb, seed, now, mix = 'tool' }) {
    this.out = out; this.sizeMb = sizeMb; this.seed = seed; this.now = now; this.mix = mix;
    this.heavy = mix === 'assistant';
    this.target = Math.round(sizeMb * MiB);
    this.rng = new Rng(seed);
    this.pools = buildPools(seed);
    this.total = 0;
    this.lines = {}; this.bytes = {}; this.files = {}; this.fileBytes = {};
    this.expected = { requests: 0, byModel: {}, byDayUTC: {}, requestsOver200K: 0, stopReasonNull: 0, webSearchRequests: 0,
      requestsOnlyInProgressLines: 0, onlyInProgress: {}, requestsInSpacedFiles: 0, inSpacedFiles: {}, syntheticLines: 0,
      taskResults: 0, taskResultOutputTokens: 0, subagentRequests: 0, acompactRequests: 0 };
    this.sessions = [];
    this.projects = [];
    const prng = new Rng(seed ^ 0x9e37);
    for (let i = 0; i < PROJECT_NAMES.length; i++) {
      const name = PROJECT_NAMES[i];
      const cwd = i === 7 ? `C:\\Users\\dev\\work\\${name}` : i === 11 ? `/Users/dev/code/${name}` : `/home/dev/work/${name}`;
      this.projects.push({ name, cwd, key: projectKey(cwd), weight: prng.logUniform(0.3, 5), branch: prng.pick(['main', 'master', `feat/${prng.pick(IDENTS)}`]) });
    }
  }

  count(kind, b, n = 1) {
    this.lines[kind] = (this.lines[kind] || 0) + n;
    this.bytes[kind] = (this.bytes[kind] || 0) + b;
    this.total += b;
  }

  recordRequest(s, model, usage, tsMs, { onlyProgress = false, spaced = false, stopNull = false } = {}) {
    const e = this.expected;
    e.requests++;
    const add = (o, k) => {
      const m = (o[k] ||= { requests: 0, input: 0, output: 0, cacheCreate: 0, cacheRead: 0, webSearch: 0 });
      m.requests++; m.input += usage.input_tokens; m.output += usage.output_tokens;
      m.cacheCreate += usage.cache_creation_input_tokens; m.cacheRead += usage.cache_read_input_tokens;
      m.webSearch += usage.server_tool_use?.web_search_requests || 0;
    };
    add(e.byModel, model);
    const day = new Date(tsMs).toISOString().slice(0, 10);
    add((e.byDayUTC[day] ||= {}), model);
    if (usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens > 200_000) e.requestsOver200K++;
    if (stopNull) e.stopReasonNull++;
    e.webSearchRequests += usage.server_tool_use?.web_search_requests || 0;
    if (onlyProgress) { e.requestsOnlyInProgressLines++; add(e.onlyInProgress, model); }
    if (spaced) { e.requestsInSpacedFiles++; add(e.inSpacedFiles, model); }
    if (s) {
      const mu = (s.modelUsage[model] ||= { inputTokens: 0, outputTokens: 0, thinkingTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, webSearchRequests: 0, costUSD: 0 });
      mu.inputTokens += usage.input_tokens; mu.outputTokens += usage.output_tokens;
      mu.cacheReadInputTokens += usage.cache_read_input_tokens; mu.cacheCreationInputTokens += usage.cache_creation_input_tokens;
      mu.webSearchRequests += usage.server_tool_use?.web_search_requests || 0;
    }
  }

  run() {
    fs.mkdirSync(path.join(this.out, 'projects'), { recursive: true });
    const rng = this.rng;
    let i = 0;
    while (this.total < this.target) {
      const remaining = this.target - this.total;
      let budget = Math.round(Math.exp(Math.log(900 * 1024) + 1.0 * rng.normal()));
      budget = Math.max(40 * 1024, Math.min(budget, 12 * MiB));
      if (remaining < 1.5 * budget) budget = Math.max(remaining, 20 * 1024);
      this.session(i++, budget);
    }
    return this.summary();
  }

  // ------------------------------------------------------------ one session
  session(index, budget) {
    const rng = this.rng;
    const project = rng.weighted(this.projects.map((p) => [p, p.weight]));
    const version = rng.weighted([['2.1.239', 55], ['2.1.39', 33], ['2.0.76', 12]]);
    const modern = version === '2.1.239';
    const headless = rng.chance(0.3);
    const entrypoint = modern ? (headless ? rng.weighted([['sdk-cli', 85], ['sdk-ts', 15]]) : rng.weighted([['cli', 85], ['claude-vscode', 15]])) : undefined;
    const primary = rng.weighted([[MODELS.opus, 45], [MODELS.sonnet, 37], [MODELS.haiku, 18]]);
    const s = {
      index, id: rng.uuid(), project, version, modern, headless, entrypoint, primary,
      unknownShare: index % 23 === 3 ? 0.25 : 0,
      longContext: primary !== MODELS.haiku && rng.chance(0.1),
      ephem: rng.chance(0.75) ? '1h' : '5m',
      spaced: rng.chance(0.08),
      costState: modern && !headless && rng.chance(0.6),
      slug: `${rng.pick(WORDS)}-${rng.pick(IDENTS).toLowerCase()}-${rng.pick(WORDS)}`,
      t: this.now - rng.f() * 59.5 * DAY - 0.25 * DAY,
      ctx: rng.int(14000, 26000),
      lastUuid: null, modelUsage: {}, linesAdded: 0, linesRemoved: 0, apiMs: 0,
      budget: headless ? Math.max(40 * 1024, Math.round(budget * 0.4)) : budget,
    };
    if (s.longContext) s.ctx = rng.int(90_000, 170_000); // big CLAUDE.md / docs loaded up front
    s.start = s.t;
    s.threshold = s.longContext ? rng.int(380_000, 700_000) : rng.int(150_000, 175_000);
    const dir = path.join(this.out, 'projects', project.key);
    s.dir = dir;
    s.file = new OutFile(this, path.join(dir, `${s.id}.jsonl`), { spaced: s.spaced, kind: 'session' });
    const startTotal = this.total;

    // first lines
    if (headless) {
      s.file.emit('queue-operation', { type: 'queue-operation', operation: 'enqueue', timestamp: this.iso(s), sessionId: s.id, content: rng.pick(this.pools.prompts) });
      s.t += rng.int(5, 80);
      s.file.emit('queue-operation', { type: 'queue-operation', operation: 'dequeue', timestamp: this.iso(s), sessionId: s.id });
    } else if (version === '2.0.76' && rng.chance(0.5)) {
      s.file.emit('summary', { type: 'summary', summary: sentence(rng, 3, 7), leafUuid: rng.uuid() });
    }
    if (!headless && version !== '2.0.76') {
      for (const cmd of HOOK_CMDS.slice(0, rng.int(0, 2))) this.hookProgress(s, 'SessionStart', 'SessionStart:startup', cmd, rng.uuid());
    }
    const flatAgentsDir = dir; // 2.0.x layout
    if (version === '2.0.76') this.warmupAgent(s, flatAgentsDir);

    let turns = 0;
    while (this.total - startTotal < s.budget || turns === 0) {
      this.turn(s);
      turns++;
      if (s.costState && rng.chance(0.08)) this.costState(s);
      if (headless && turns >= rng.int(1, 6)) break;
      s.t += rng.chance(0.15) ? rng.int(10, 600) * 60_000 : rng.int(5, 240) * 1000; // idle gaps (cache may expire)
    }
    if (s.costState) this.costState(s);
    if (headless && modern) s.file.emit('last-prompt', { type: 'last-prompt', lastPrompt: s.lastPrompt, leafUuid: s.lastUuid, sessionId: s.id });
    // a few live sessions end in a cut line (written mid-write, no trailing newline)
    if (index % 97 === 50) {
      const partial = JSON.stringify(this.assistantBase(s, { model: MODELS[s.primary] || s.primary, id: 'msg_01' + rng.b62(22), content: [{ type: 'text', text: 'partial' }], stop_reason: null, usage: this.usage(s, 3, 100, 100, 5) }, 'req_011C' + rng.b62(18)));
      s.file.emitRaw('cut-line', partial.slice(0, Math.floor(partial.length * 0.6)));
      s.cut = true;
    }
    s.file.close();
    this.sessions.push({ id: s.id, project: project.key, version, entrypoint: entrypoint ?? null, headless, spaced: s.spaced, cut: !!s.cut, primary, bytes: s.file.bytes, file: path.relative(this.out, s.file.path) });
  }

  iso(s) { return new Date(Math.round(s.t)).toISOString(); }

  base(s, extra = {}) {
    const o = { parentUuid: s.lastUuid, isSidechain: false, userType: 'external', cwd: s.project.cwd, sessionId: s.id, version: s.version, gitBranch: s.project.branch };
    if (s.version !== '2.0.76') o.slug = s.slug;
    if (s.entrypoint) o.entrypoint = s.entrypoint;
    return Object.assign(o, extra);
  }

  hookProgress(s, event, name, cmd, toolUseID) {
    const uuid = this.rng.uuid();
    s.file.emit('progress.hook_progress', { ...this.base(s), type: 'progress', data: { type: 'hook_progress', hookEvent: event, hookName: name, command: cmd }, parentToolUseID: toolUseID, toolUseID, timestamp: this.iso(s), uuid });
    s.lastUuid = uuid;
    s.t += this.rng.int(0, 40);
  }

  usage(s, input, cacheCreate, cacheRead, output, { final = false, webSearch = 0 } = {}) {
    const cc = s.ephem === '1h' ? { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: cacheCreate } : { ephemeral_5m_input_tokens: cacheCreate, ephemeral_1h_input_tokens: 0 };
    if (!final) {
      return { input_tokens: input, cache_creation_input_tokens: cacheCreate, cache_read_input_tokens: cacheRead, cache_creation: cc, output_tokens: output, service_tier: 'standard', inference_geo: 'not_available' };
    }
    // the last streamed copy of a 2.1.x request has a different key order and more fields
    const u = { input_tokens: input, cache_creation_input_tokens: cacheCreate, cache_read_input_tokens: cacheRead, output_tokens: output,
      server_tool_use: { web_search_requests: webSearch, web_fetch_requests: 0 }, service_tier: 'standard',
      cache_creation: { ephemeral_1h_input_tokens: cc.ephemeral_1h_input_tokens, ephemeral_5m_input_tokens: cc.ephemeral_5m_input_tokens }, inference_geo: s.modern ? 'global' : '', iterations: [] };
    if (s.modern) u.speed = 'standard';
    return u;
  }

  assistantBase(s, message, requestId, extra) {
    const uuid = this.rng.uuid();
    const o = { ...this.base(s, extra), message: { model: message.model, id: message.id, type: 'message', role: 'assistant', content: message.content, stop_reason: message.stop_reason, stop_sequence: null, usage: message.usage }, requestId, type: 'assistant', uuid, timestamp: this.iso(s) };
    return o;
  }

  pickModel(s) {
    const rng = this.rng;
    if (s.unknownShare && rng.chance(s.unknownShare)) return MODELS.unknown;
    if (rng.chance(0.04)) return MODELS.haiku;
    return s.primary;
  }

  // One user turn: prompt, then a chain of requests with tool results.
  turn(s) {
    const rng = this.rng; const P = this.pools;
    const prompt = rng.pick(P.prompts);
    s.lastPrompt = prompt;
    if (!s.headless && s.version !== '2.0.76' && rng.chance(0.7)) {
      s.file.emit('file-history-snapshot', { type: 'file-history-snapshot', messageId: rng.uuid(), snapshot: { messageId: rng.uuid(), trackedFileBackups: rng.chance(0.5) ? {} : { [`src/${rng.pick(IDENTS)}.ts`]: { backupFileName: `${rng.hex(16)}@v${rng.int(1, 9)}`, version: rng.int(1, 9), backupTime: this.iso(s) } }, timestamp: this.iso(s) }, isSnapshotUpdate: false });
    }
    const uuid = rng.uuid();
    const extra = { type: 'user', message: { role: 'user', content: prompt }, uuid, timestamp: this.iso(s) };
    if (s.modern) { extra.promptId = rng.uuid(); extra.promptSource = s.headless ? 'sdk' : 'typed'; extra.permissionMode = rng.pick(['default', 'acceptEdits', 'bypassPermissions']); }
    else extra.thinkingMetadata = { maxThinkingTokens: 31999 };
    s.file.emit('user.prompt', { ...this.base(s), ...extra });
    s.lastUuid = uuid;
    let newTokens = Math.ceil(Buffer.byteLength(prompt) / 3.8) + rng.int(0, 40);
    s.t += rng.int(800, 4000);

    const nReq = rng.weighted([[1, 12], [2, 14], [3, 14], [5, 20], [8, 18], [12, 12], [20, 10]]);
    for (let r = 0; r < nReq; r++) {
      const last = r === nReq - 1;
      const res = this.request(s, newTokens, { last });
      newTokens = res.newTokens;
      if (s.ctx > s.threshold) this.compact(s);
    }
    if (!s.headless && s.version !== '2.0.76' && rng.chance(0.5)) {
      const u1 = rng.uuid();
      s.file.emit('system.stop_hook_summary', { ...this.base(s), type: 'system', subtype: 'stop_hook_summary', hookCount: 1, hookInfos: [{ command: HOOK_CMDS[4] }], hookErrors: [], preventedContinuation: false, stopReason: '', hasOutput: true, level: 'suggestion', timestamp: this.iso(s), uuid: u1, toolUseID: rng.uuid() });
      s.lastUuid = u1;
      const u2 = rng.uuid();
      s.file.emit('system.turn_duration', { ...this.base(s), type: 'system', subtype: 'turn_duration', durationMs: rng.int(2000, 900000), timestamp: this.iso(s), uuid: u2, isMeta: false });
      s.lastUuid = u2;
    }
  }

  // One API request streamed as one line per content block, then its tool results.
  request(s, newTokens, { last }) {
    const rng = this.rng; const P = this.pools;
    const model = this.pickModel(s);
    const msgId = 'msg_01' + rng.b62(22);
    const requestId = 'req_011C' + rng.b62(18);
    const blocks = [];
    if (this.heavy ? rng.chance(0.8) : (model === MODELS.opus || model === MODELS.unknown) ? rng.chance(0.45) : rng.chance(0.15)) {
      const thinking = this.heavy ? [rng.pick(P.thoughts), rng.pick(P.thoughts), rng.pick(P.thoughts)].join('\n\n') : rng.pick(P.thoughts);
      blocks.push({ type: 'thinking', thinking, signature: rng.b64(rng.int(200, 1400)) });
    }
    const nTools = last ? 0 : rng.weighted([[1, 60], [2, 22], [3, 10], [0, 8]]);
    if (rng.chance(nTools ? 0.5 : 1)) blocks.push({ type: 'text', text: rng.chance(0.15) ? '\n\n' : this.heavy ? rng.pick(P.texts) + '\n\n' + rng.pick(P.texts) + '\n\n' + rng.pick(P.texts) : rng.pick(P.texts) });
    const tools = [];
    for (let i = 0; i < nTools; i++) {
      let name = rng.weighted(TOOLS);
      if (rng.chance(0.05)) name = 'Task';
      const file = rng.pick(P.files);
      const id = 'toolu_01' + rng.b62(22);
      const input = name === 'Read' ? { file_path: s.project.cwd + file.path }
        : name === 'Bash' ? { command: `npm test -- ${rng.pick(IDENTS)} 2>&1 | tail -${rng.int(20, 200)}`, description: sentence(rng, 2, 5) }
          : name === 'Edit' ? { file_path: s.project.cwd + file.path, old_string: file.lines[0] ?? '', new_string: codeLine(rng, 'ts', 1) }
            : name === 'Write' ? { file_path: s.project.cwd + file.path, content: file.raw.slice(0, rng.int(500, 6000)) }
              : name === 'Grep' ? { pattern: rng.pick(IDENTS), path: s.project.cwd, output_mode: 'files_with_matches' }
                : name === 'Glob' ? { pattern: `**/*.${rng.pick(EXTS)}` }
                  : name === 'WebSearch' ? { query: sentence(rng, 3, 7) }
                    : name === 'WebFetch' ? { url: `https://docs.example.org/${rng.pick(IDENTS)}`, prompt: sentence(rng, 4, 10) }
                      : name === 'TodoWrite' ? { todos: [{ content: sentence(rng, 3, 8), status: 'in_progress', activeForm: sentence(rng, 2, 5) }] }
                        : { description: sentence(rng, 2, 5), subagent_type: rng.pick(['general-purpose', 'Explore', 'Plan']), prompt: paragraph(rng, rng.int(1, 4)), model: rng.pick(['sonnet', 'haiku', undefined]) };
      tools.push({ name, id, input, file });
      blocks.push({ type: 'tool_use', id, name, input, ...(s.modern || s.version === '2.1.39' ? { caller: { type: 'direct' } } : {}) });
    }
    if (!blocks.length) blocks.push({ type: 'text', text: rng.pick(P.texts) });

    // usage
    const cacheMiss = rng.chance(0.04);
    const input = cacheMiss ? rng.int(200, 4000) : rng.int(1, 12);
    const cacheRead = cacheMiss ? 0 : s.ctx;
    const cacheCreate = cacheMiss ? s.ctx + newTokens : newTokens;
    const thinkingOut = blocks[0].type === 'thinking' ? rng.int(100, 3000) : 0;
    let output = thinkingOut + rng.int(20, 400) + tools.length * rng.int(30, 400);
    if (rng.chance(0.03)) output += rng.int(2000, 12000);
    const stopNull = (s.headless && s.version === '2.1.39') || rng.chance(0.05);
    const stale = rng.int(1, 30);
    if (stopNull) output = rng.int(1, 30);
    const webSearch = rng.chance(0.03) ? rng.int(1, 4) : 0;

    const started = s.t;
    for (let i = 0; i < blocks.length; i++) {
      const isLast = i === blocks.length - 1;
      const usage = isLast && s.version !== '2.0.76'
        ? this.usage(s, input, cacheCreate, cacheRead, stopNull ? output : output, { final: true, webSearch })
        : this.usage(s, input, cacheCreate, cacheRead, isLast ? output : Math.min(stale, output));
      if (isLast && s.version === '2.0.76' && webSearch) usage.server_tool_use = { web_search_requests: webSearch, web_fetch_requests: 0 };
      const stop = isLast && !stopNull ? (tools.length ? 'tool_use' : 'end_turn') : null;
      const line = this.assistantBase(s, { model, id: msgId, content: [blocks[i]], stop_reason: stop, usage }, requestId);
      s.file.emit('assistant', line);
      s.lastUuid = line.uuid;
      s.t += rng.int(200, 2500);
    }
    s.apiMs += s.t - started;
    const finalUsage = { input_tokens: input, output_tokens: output, cache_creation_input_tokens: cacheCreate, cache_read_input_tokens: cacheRead, server_tool_use: { web_search_requests: webSearch } };
    this.recordRequest(s, model, finalUsage, started, { spaced: s.spaced, stopNull });
    s.ctx = cacheRead + cacheCreate + input + output;

    // rare API error line
    if (rng.chance(0.003)) {
      const u = rng.uuid();
      s.file.emit('assistant.synthetic', { ...this.base(s), type: 'assistant', uuid: u, timestamp: this.iso(s), message: { id: rng.uuid(), container: null, model: '<synthetic>', role: 'assistant', stop_reason: 'stop_sequence', stop_sequence: '', type: 'message', usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 }, service_tier: null, cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 } }, content: [{ type: 'text', text: 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' }] }, isApiErrorMessage: true });
      this.expected.syntheticLines++;
      s.lastUuid = u;
    }

    // tool results
    let added = output;
    for (const tool of tools) {
      if (s.version !== '2.0.76') for (let h = rng.int(0, 2); h > 0; h--) this.hookProgress(s, 'PreToolUse', `PreToolUse:${tool.name}`, rng.pick(HOOK_CMDS), tool.id);
      if (tool.name === 'Task') { added += this.subagent(s, tool); continue; }
      const { content, tur } = this.heavy ? this.shortToolResult(tool) : this.toolResult(s, tool);
      if (tool.name === 'Bash' && s.version !== '2.0.76' && rng.chance(0.3)) {
        const out = content.slice(0, 600);
        const pu = rng.uuid();
        s.file.emit('progress.bash_progress', { ...this.base(s), type: 'progress', data: { type: 'bash_progress', output: out, fullOutput: out, elapsedTimeSeconds: rng.int(1, 30), totalLines: rng.int(1, 200), timeoutMs: 120000 }, toolUseID: 'bash-progress-0', parentToolUseID: tool.id, uuid: pu, timestamp: this.iso(s) });
        s.lastUuid = pu;
      }
      s.t += rng.int(50, 8000);
      const uuid = rng.uuid();
      const line = { ...this.base(s), type: 'user', message: { role: 'user', content: [{ tool_use_id: tool.id, type: 'tool_result', content, ...(rng.chance(0.03) ? { is_error: true } : {}) }] }, uuid, timestamp: this.iso(s), toolUseResult: tur };
      if (s.modern) { line.sourceToolAssistantUUID = s.lastUuid; line.promptId = rng.uuid(); }
      s.file.emit('user.tool_result', line);
      s.lastUuid = uuid;
      added += Math.ceil(Buffer.byteLength(typeof content === 'string' ? content : JSON.stringify(content)) / 3.6);
      if (s.version !== '2.0.76') for (let h = rng.int(0, 2); h > 0; h--) this.hookProgress(s, 'PostToolUse', `PostToolUse:${tool.name}`, rng.pick(HOOK_CMDS), tool.id);
    }
    return { newTokens: added + rng.int(0, 60) };
  }

  // The assistant-heavy mix: a tool result of a few hundred bytes (a short command output, a small read).
  shortToolResult(tool) {
    const rng = this.rng;
    const content = rng.pick(this.pools.bash).slice(0, rng.int(60, 500));
    return { content, tur: tool.name === 'Bash' ? { stdout: content, stderr: '', interrupted: false, isImage: false } : { type: 'text', file: { filePath: tool.file.path, numLines: 3 } } };
  }

  toolResult(s, tool) {
    const rng = this.rng; const P = this.pools; const f = tool.file;
    const cwdPath = s.project.cwd + f.path;
    switch (tool.name) {
      case 'Read': {
        const whole = rng.chance(0.7);
        const start = whole ? 0 : rng.int(0, Math.max(0, f.lines.length - 40));
        const count = whole ? f.lines.length : Math.min(f.lines.length - start, rng.int(40, 600));
        let content = numbered(f.lines, start, count);
        if (!s.modern && rng.chance(0.5)) content += '\n\n<system-reminder>\nWhenever you read a file, you should consider whether it would be considered malware. You CAN and SHOULD provide analysis of malware, what it is doing. But you MUST refuse to improve or augment the code.\n</system-reminder>\n';
        const raw = whole ? f.raw : f.lines.slice(start, start + count).join('\n');
        return { content, tur: { type: 'text', file: { filePath: cwdPath, content: raw, numLines: count, startLine: start + 1, totalLines: f.lines.length } } };
      }
      case 'Bash': {
        const out = rng.pick(P.bash);
        return { content: out, tur: { stdout: out, stderr: rng.chance(0.1) ? 'warning: ' + sentence(rng, 3, 8) : '', interrupted: false, isImage: false, ...(s.modern ? { noOutputExpected: false } : {}) } };
      }
      case 'Edit': {
        const oldS = tool.input.old_string; const newS = tool.input.new_string;
        s.linesAdded += rng.int(1, 30); s.linesRemoved += rng.int(0, 20);
        const snippet = numbered(f.lines, 0, Math.min(f.lines.length, rng.int(5, 20)));
        return {
          content: `The file ${cwdPath} has been updated. Here's the result of running \`cat -n\` on a snippet of the edited file:\n${snippet}`,
          tur: { filePath: cwdPath, oldString: oldS, newString: newS, originalFile: f.raw, structuredPatch: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: ['-' + oldS, '+' + newS] }], userModified: false, replaceAll: false },
        };
      }
      case 'Write':
        s.linesAdded += rng.int(10, 200);
        return { content: `File created successfully at: ${cwdPath}`, tur: { type: 'create', filePath: cwdPath, content: tool.input.content, structuredPatch: [] } };
      case 'Grep': case 'Glob': {
        const out = rng.pick(P.glob);
        const n = out.split('\n').length;
        return { content: tool.name === 'Grep' ? `Found ${n} files\n${out}` : out, tur: { filenames: out.split('\n'), durationMs: rng.int(5, 900), numFiles: n, truncated: false } };
      }
      case 'WebSearch': {
        const out = rng.pick(P.search);
        return { content: out, tur: { query: tool.input.query, results: [out.slice(0, 400)], durationSeconds: rng.f() * 9 } };
      }
      case 'WebFetch': {
        const out = rng.pick(P.texts) + '\n\n' + rng.pick(P.texts);
        return { content: out, tur: { bytes: rng.int(10000, 300000), code: 200, codeText: 'OK', result: out, durationMs: rng.int(300, 9000), url: tool.input.url } };
      }
      default:
        return { content: 'Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress.', tur: { oldTodos: [], newTodos: tool.input.todos ?? [] } };
    }
  }

  // Subagent run: own file (2.1.x subagents/ layout or 2.0.x flat), progress echoes in the parent
  // (2.1.x), then the Task tool_result carrying the real final usage.
  subagent(s, tool) {
    const rng = this.rng; const P = this.pools;
    const modern = s.version !== '2.0.76';
    const agentId = s.modern ? 'a' + rng.hex(16) : 'a' + rng.hex(6);
    const missingFile = modern && rng.chance(0.08);
    const workflow = s.modern && rng.chance(0.05);
    const dir = modern ? path.join(s.dir, s.id, 'subagents', ...(workflow ? ['workflows', 'wf_' + rng.hex(8)] : [])) : s.dir;
    const sub = new OutFile(this, path.join(dir, `agent-${agentId}.jsonl`), { spaced: s.spaced, kind: modern ? (workflow ? 'subagent-workflow' : 'subagent') : 'flat-agent' }).defer();
    const model = tool.input.model === 'haiku' ? MODELS.haiku : tool.input.model === 'sonnet' ? MODELS.sonnet : (s.primary === MODELS.opus && rng.chance(0.5) ? MODELS.sonnet : s.primary);
    const subState = { ...s, lastUuid: null, file: sub, ephem: s.ephem };
    const sbase = (extra) => ({ ...this.base(subState), isSidechain: true, agentId, ...extra });
    const toolUseID = 'agent_msg_01' + rng.b62(22);
    const echo = (message) => {
      if (!modern) return;
      const pu = rng.uuid();
      s.file.emit('progress.agent_progress', { ...this.base(s), type: 'progress', data: { message, normalizedMessages: [], type: 'agent_progress', prompt: tool.input.prompt, agentId }, toolUseID, parentToolUseID: tool.id, uuid: pu, timestamp: this.iso(s) });
      s.lastUuid = pu;
    };
    const pUuid = rng.uuid();
    const promptMsg = { role: 'user', content: [{ type: 'text', text: tool.input.prompt }] };
    sub.emit('sub.user.prompt', sbase({ parentUuid: null, type: 'user', message: promptMsg, uuid: pUuid, timestamp: this.iso(s) }));
    subState.lastUuid = pUuid;
    echo({ type: 'user', message: promptMsg, uuid: pUuid, timestamp: this.iso(s) });
    let ctx = rng.int(8000, 16000); let newT = rng.int(3000, 12000);
    const n = rng.int(2, 9);
    let lastUsage = null; let toolCount = 0; const started = s.t;
    for (let r = 0; r < n; r++) {
      const lastReq = r === n - 1;
      const msgId = 'msg_01' + rng.b62(22); const requestId = 'req_011C' + rng.b62(18);
      const blocks = [];
      if (!lastReq) { const t = 'toolu_01' + rng.b62(22); const f = rng.pick(P.files); blocks.push({ type: 'tool_use', id: t, name: rng.pick(['Read', 'Grep', 'Read', 'Bash']), input: { file_path: s.project.cwd + f.path } }); blocks._f = f; }
      else blocks.push({ type: 'text', text: rng.pick(P.texts) + '\n\n' + rng.pick(P.texts) });
      const input = rng.int(1, 8); const cacheRead = ctx; const cacheCreate = newT;
      const stale = rng.int(1, 5); // 2.1.x subagents: stop_reason null and the stream-start output_tokens
      const real = rng.int(40, 900) + (lastReq ? rng.int(300, 3000) : 0);
      const usage = this.usage(subState, input, cacheCreate, cacheRead, stale);
      const t0 = s.t;
      for (const b of blocks) {
        const line = this.assistantBase(subState, { model, id: msgId, content: [b], stop_reason: null, usage }, requestId, { isSidechain: true, agentId });
        sub.emit('sub.assistant', line); subState.lastUuid = line.uuid;
        echo({ type: 'assistant', timestamp: line.timestamp, message: { ...line.message, context_management: null }, requestId, uuid: line.uuid });
        s.t += rng.int(300, 3000);
      }
      this.expected.subagentRequests++;
      this.recordRequest(null, model, { input_tokens: input, output_tokens: stale, cache_creation_input_tokens: cacheCreate, cache_read_input_tokens: cacheRead }, t0, { onlyProgress: missingFile, spaced: s.spaced, stopNull: true });
      this.addModelUsage(s, model, { input_tokens: input, output_tokens: real, cache_creation_input_tokens: cacheCreate, cache_read_input_tokens: cacheRead });
      lastUsage = { input_tokens: input, cache_creation_input_tokens: cacheCreate, cache_read_input_tokens: cacheRead, output_tokens: real };
      ctx = cacheRead + cacheCreate + input + stale;
      if (!lastReq) {
        toolCount++;
        const f = blocks._f;
        const content = numbered(f.lines, 0, Math.min(f.lines.length, this.heavy ? rng.int(3, 12) : rng.int(30, 400)));
        const u = rng.uuid();
        const msg = { role: 'user', content: [{ tool_use_id: blocks[0].id, type: 'tool_result', content }] };
        sub.emit('sub.user.tool_result', sbase({ parentUuid: subState.lastUuid, type: 'user', message: msg, uuid: u, timestamp: this.iso(s), toolUseResult: { type: 'text', file: { filePath: s.project.cwd + f.path, content: f.raw.slice(0, content.length), numLines: 1, startLine: 1, totalLines: f.lines.length } } }));
        subState.lastUuid = u;
        echo({ type: 'user', message: msg, uuid: u, timestamp: this.iso(s) });
        newT = Math.ceil(content.length / 3.6) + rng.int(0, 200);
      }
    }
    if (modern && s.modern && !missingFile && rng.chance(0.5)) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `agent-${agentId}.meta.json`), JSON.stringify({ agentType: tool.input.subagent_type }));
    }
    if (missingFile) { sub.discard(); this.expected.missingSubagentFiles = (this.expected.missingSubagentFiles || 0) + 1; }
    else sub.close();

    // Task result in the parent
    s.t += rng.int(100, 2000);
    const text = rng.pick(P.texts) + '\n\n' + rng.pick(P.texts) + '\n\n' + rng.pick(P.texts);
    const u = rng.uuid();
    const tur = { status: 'completed', prompt: tool.input.prompt, agentId, content: [{ type: 'text', text }], totalDurationMs: Math.round(s.t - started), totalTokens: lastUsage.input_tokens + lastUsage.cache_creation_input_tokens + lastUsage.cache_read_input_tokens + lastUsage.output_tokens, totalToolUseCount: toolCount, usage: { ...lastUsage, server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 }, service_tier: 'standard', cache_creation: { ephemeral_1h_input_tokens: s.ephem === '1h' ? lastUsage.cache_creation_input_tokens : 0, ephemeral_5m_input_tokens: s.ephem === '1h' ? 0 : lastUsage.cache_creation_input_tokens }, inference_geo: '', iterations: [] } };
    s.file.emit('user.task_result', { ...this.base(s), type: 'user', message: { role: 'user', content: [{ tool_use_id: tool.id, type: 'tool_result', content: [{ type: 'text', text }] }] }, uuid: u, timestamp: this.iso(s), toolUseResult: tur });
    s.lastUuid = u;
    this.expected.taskResults++;
    this.expected.taskResultOutputTokens += lastUsage.output_tokens;
    return Math.ceil(text.length / 3.6);
  }

  addModelUsage(s, model, u) {
    const mu = (s.modelUsage[model] ||= { inputTokens: 0, outputTokens: 0, thinkingTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, webSearchRequests: 0, costUSD: 0 });
    mu.inputTokens += u.input_tokens; mu.outputTokens += u.output_tokens;
    mu.cacheReadInputTokens += u.cache_read_input_tokens; mu.cacheCreationInputTokens += u.cache_creation_input_tokens;
  }

  // 2.0.x sessions start a "Warmup" haiku subagent, written flat beside the session.
  warmupAgent(s) {
    const rng = this.rng;
    const agentId = 'a' + rng.hex(6);
    const sub = new OutFile(this, path.join(s.dir, `agent-${agentId}.jsonl`), { spaced: s.spaced, kind: 'flat-agent' });
    const st = { ...s, lastUuid: null };
    const u = rng.uuid();
    sub.emit('sub.user.prompt', { ...this.base(st), parentUuid: null, isSidechain: true, agentId, type: 'user', message: { role: 'user', content: 'Warmup' }, uuid: u, timestamp: this.iso(s) });
    st.lastUuid = u;
    const input = rng.int(1000, 2000);
    const line = this.assistantBase(st, { model: MODELS.haiku, id: 'msg_01' + rng.b62(22), content: [{ type: 'text', text: rng.pick(this.pools.texts) }], stop_reason: null, usage: this.usage(st, input, 0, 0, 1) }, 'req_011C' + rng.b62(18), { isSidechain: true, agentId });
    sub.emit('sub.assistant', line);
    this.expected.subagentRequests++;
    this.recordRequest(null, MODELS.haiku, { input_tokens: input, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }, s.t, { spaced: s.spaced, stopNull: true });
    sub.close();
  }

  // Auto-compaction: an acompact subagent call (real billed usage) + compact_boundary + summary.
  compact(s) {
    const rng = this.rng;
    const pre = s.ctx;
    const summary = rng.pick(this.pools.summaries);
    if (s.version !== '2.0.76') {
      const agentId = 'acompact-' + rng.hex(6);
      const sub = new OutFile(this, path.join(s.dir, s.id, 'subagents', `agent-${agentId}.jsonl`), { spaced: s.spaced, kind: 'subagent-acompact' });
      const st = { ...s, lastUuid: s.lastUuid };
      const u = rng.uuid();
      sub.emit('sub.user.prompt', { ...this.base(st), isSidechain: true, agentId, type: 'user', message: { role: 'user', content: 'Your task is to create a detailed summary of the conversation so far, paying close attention to the user\'s explicit requests and your previous actions. ' + paragraph(rng, 20) }, uuid: u, timestamp: this.iso(s) });
      st.lastUuid = u;
      const model = s.primary;
      const cc = rng.int(1000, 5000); const out = rng.int(1, 8);
      const line = this.assistantBase(st, { model, id: 'msg_01' + rng.b62(22), content: [{ type: 'text', text: summary }], stop_reason: null, usage: this.usage(st, 3, cc, pre, out) }, 'req_011C' + rng.b62(18), { isSidechain: true, agentId });
      sub.emit('sub.assistant', line);
      this.expected.acompactRequests++;
      this.recordRequest(s, model, { input_tokens: 3, output_tokens: out, cache_creation_input_tokens: cc, cache_read_input_tokens: pre }, s.t, { spaced: s.spaced, stopNull: true });
      sub.close();
      s.t += rng.int(20_000, 90_000);
    }
    const bu = rng.uuid();
    s.file.emit('system.compact_boundary', { ...this.base(s), parentUuid: null, logicalParentUuid: s.lastUuid, type: 'system', subtype: 'compact_boundary', content: 'Conversation compacted', isMeta: false, timestamp: this.iso(s), uuid: bu, level: 'info', compactMetadata: { trigger: 'auto', preTokens: pre, ...(s.modern ? { postTokens: Math.ceil(summary.length / 3.6) + 12000 } : {}) } });
    s.lastUuid = bu;
    const su = rng.uuid();
    s.file.emit('user.compact_summary', { ...this.base(s), type: 'user', message: { role: 'user', content: 'This session is being continued from a previous conversation that ran out of context. The conversation is summarized below:\n' + summary }, isVisibleInTranscriptOnly: true, isCompactSummary: true, uuid: su, timestamp: this.iso(s) });
    s.lastUuid = su;
    s.ctx = rng.int(15000, 40000);
  }

  costState(s) {
    const rng = this.rng;
    const modelUsage = {};
    let total = 0; let unknown = false;
    for (const [m, mu] of Object.entries(s.modelUsage)) {
      const r = EST_RATES[m];
      const c = r ? (mu.inputTokens * r[0] + mu.outputTokens * r[1] + mu.cacheCreationInputTokens * r[2] + mu.cacheReadInputTokens * r[3]) / 1e6 + mu.webSearchRequests * 0.01 : 0;
      if (!r) unknown = true;
      modelUsage[m] = { ...mu, costUSD: c };
      total += c;
    }
    // auxiliary Haiku calls (titles, checks) that never appear as assistant lines
    s.aux ||= { inputTokens: 0, outputTokens: 0, thinkingTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, webSearchRequests: 0, costUSD: 0 };
    s.aux.inputTokens += rng.int(200, 3000); s.aux.outputTokens += rng.int(10, 200);
    s.aux.costUSD = (s.aux.inputTokens * 1 + s.aux.outputTokens * 5) / 1e6;
    if (!modelUsage[MODELS.haiku]) modelUsage[MODELS.haiku] = { ...s.aux };
    else { const h = modelUsage[MODELS.haiku]; h.inputTokens += s.aux.inputTokens; h.outputTokens += s.aux.outputTokens; h.costUSD += s.aux.costUSD; }
    total += s.aux.costUSD;
    s.file.emit('cost-state', { type: 'cost-state', sessionId: s.id, totalCostUSD: total, totalAPIDuration: Math.round(s.apiMs), totalDuration: Math.round(s.t - s.start), startTime: Math.round(s.start), totalLinesAdded: s.linesAdded, totalLinesRemoved: s.linesRemoved, modelUsage, hasUnknownModelCost: unknown });
  }

  summary() {
    const byKind = {};
    for (const k of Object.keys(this.lines).sort((a, b) => this.bytes[b] - this.bytes[a])) {
      byKind[k] = { lines: this.lines[k], bytes: this.bytes[k], pct: +(100 * this.bytes[k] / this.total).toFixed(2) };
    }
    // an appendOneTurn target: the largest compact, complete 2.1.x main file
    const cand = this.sessions.filter((x) => !x.spaced && !x.cut && x.version !== '2.0.76').sort((a, b) => b.bytes - a.bytes)[0];
    const fileCount = Object.values(this.files).reduce((a, b) => a + b, 0);
    return {
      generator: 'credit-ledger bench/generate.mjs', generatorVersion: GENERATOR_VERSION,
      params: { sizeMb: this.sizeMb, seed: this.seed, now: new Date(this.now).toISOString(), ...(this.heavy ? { mix: this.mix } : {}) },
      totalBytes: this.total, totalLines: Object.values(this.lines).reduce((a, b) => a + b, 0),
      files: { total: fileCount, byKind: this.files, bytesByFileKind: this.fileBytes },
      sessions: this.sessions.length, projects: new Set(this.sessions.map((x) => x.project)).size,
      sessionsByEntrypoint: countBy(this.sessions, (x) => x.entrypoint ?? `none(${x.version})`),
      sessionsSpaced: this.sessions.filter((x) => x.spaced).length,
      linesByKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, v.lines])),
      bytesByKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, v.bytes])),
      pctBytesByKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, v.pct])),
      uniqueAssistantRequests: this.expected.requests,
      expected: { ...this.expected, byDayUTC: this.expected.byDayUTC },
      appendTarget: cand ? { file: cand.file, bytes: cand.bytes } : null,
      complete: true,
    };
  }
}

function countBy(arr, f) { const o = {}; for (const x of arr) { const k = f(x); o[k] = (o[k] || 0) + 1; } return o; }

/** The cache folder of one data set (the default mix keeps its historical name). */
export function dataDirName(sizeMb, seed, mix = 'tool') {
  return `data-${sizeMb}mb-s${seed}${mix === 'tool' ? '' : '-' + mix}`;
}

export function generate({ out, sizeMb = 500, seed = 42, now, mix = 'tool' } = {}) {
  if (!MIXES.includes(mix)) throw new Error(`unknown mix ${mix} (${MIXES.join(', ')})`);
  const nowMs = now ? Date.parse(now) : Date.parse(new Date().toISOString().slice(0, 10) + 'T12:00:00Z');
  if (!Number.isFinite(nowMs)) throw new Error(`bad --now: ${now}`);
  out ||= path.join(defaultCacheDir(), dataDirName(sizeMb, seed, mix));
  fs.rmSync(path.join(out, 'MIX.json'), { force: true });
  fs.rmSync(path.join(out, 'projects'), { recursive: true, force: true });
  const t0 = Date.now();
  const gen = new Generator({ out, sizeMb, seed, now: nowMs, mix });
  const summary = gen.run();
  summary.generateSeconds = +((Date.now() - t0) / 1000).toFixed(1);
  fs.writeFileSync(path.join(out, 'MIX.json'), JSON.stringify(summary, null, 2) + '\n');
  return { out, mix: summary };
}

// ---------------------------------------------------------------- appendOneTurn
// Appends one new request (a user prompt line and 2 streamed assistant copies) to one existing
// session file. Picks MIX.json's appendTarget, else the largest *.jsonl directly under a project.
export function appendOneTurn(dir) {
  let file = null;
  try { const mix = JSON.parse(fs.readFileSync(path.join(dir, 'MIX.json'), 'utf8')); if (mix.appendTarget) file = path.join(dir, mix.appendTarget.file); } catch { /* no MIX.json */ }
  if (!file || !fs.existsSync(file)) {
    let best = null;
    const root = path.join(dir, 'projects');
    for (const p of fs.readdirSync(root)) for (const f of fs.readdirSync(path.join(root, p))) {
      if (!f.endsWith('.jsonl')) continue; const fp = path.join(root, p, f); const st = fs.statSync(fp);
      if (!best || st.size > best.size) best = { fp, size: st.size };
    }
    if (!best) throw new Error(`no .jsonl under ${root}`);
    file = best.fp;
  }
  const size = fs.statSync(file).size;
  const len = Math.min(size, 2 * MiB);
  const fd = fs.openSync(file, 'r'); const buf = Buffer.alloc(len); fs.readSync(fd, buf, 0, len, size - len); fs.closeSync(fd);
  const lines = buf.toString('utf8').split('\n');
  let ctx = null; let lastTs = 0; let lastAssistant = null;
  for (let i = lines.length - 1; i >= 1 && !(ctx && lastAssistant); i--) {
    let o; try { o = JSON.parse(lines[i]); } catch { continue; }
    if (!ctx && o.sessionId && o.cwd && (o.type === 'user' || o.type === 'assistant')) ctx = o;
    if (!lastAssistant && o.type === 'assistant' && o.message?.usage && o.message.model !== '<synthetic>') lastAssistant = o;
    if (o.timestamp) lastTs = Math.max(lastTs, Date.parse(o.timestamp));
  }
  if (!ctx) throw new Error(`no user/assistant line found at the end of ${file}`);
  const id = (n) => crypto.randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n).padEnd(n, 'x');
  const common = { isSidechain: false, userType: 'external', cwd: ctx.cwd, sessionId: ctx.sessionId, version: ctx.version, gitBranch: ctx.gitBranch };
  if (ctx.slug) common.slug = ctx.slug;
  if (ctx.entrypoint) common.entrypoint = ctx.entrypoint;
  const t = (lastTs || Date.now()) + 60_000;
  const userUuid = crypto.randomUUID();
  const user = { parentUuid: ctx.uuid ?? null, ...common, type: 'user', message: { role: 'user', content: 'Bench: one more turn, please summarise the last change.' }, uuid: userUuid, timestamp: new Date(t).toISOString() };
  const model = lastAssistant?.message?.model ?? MODELS.sonnet;
  const prevU = lastAssistant?.message?.usage;
  const cacheRead = prevU ? (prevU.cache_read_input_tokens || 0) + (prevU.cache_creation_input_tokens || 0) : 20000;
  const msgId = 'msg_01' + id(22); const requestId = 'req_011C' + id(18);
  const mk = (content, out, stop, uuid, parent, ts) => ({ parentUuid: parent, ...common, message: { model, id: msgId, type: 'message', role: 'assistant', content: [content], stop_reason: stop, stop_sequence: null, usage: { input_tokens: 3, cache_creation_input_tokens: 420, cache_read_input_tokens: cacheRead, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 420 }, output_tokens: out, service_tier: 'standard', inference_geo: 'not_available' } }, requestId, type: 'assistant', uuid, timestamp: new Date(ts).toISOString() });
  const a1u = crypto.randomUUID(); const a2u = crypto.randomUUID();
  const a1 = mk({ type: 'thinking', thinking: 'The user wants a summary of the last change.', signature: id(300) }, 9, null, a1u, userUuid, t + 1800);
  const a2 = mk({ type: 'text', text: 'The last change adds the ledger bench; nothing else changed.' }, 187, 'end_turn', a2u, a1u, t + 2600);
  // If the file ends in a cut line, start on a new line so our lines stay parseable.
  const tailByte = size ? buf[len - 1] : 10;
  const text = (tailByte === 10 ? '' : '\n') + [user, a1, a2].map((o) => JSON.stringify(o)).join('\n') + '\n';
  fs.appendFileSync(file, text);
  return { file, bytesAppended: Buffer.byteLength(text), model, messageId: msgId, requestId, usage: a2.message.usage };
}

// ---------------------------------------------------------------- CLI
function parseArgs(argv) {
  const a = { sizeMb: 500, seed: 42, out: null, now: null, append: null, quiet: false, mix: 'tool' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]; const v = () => { const x = argv[++i]; if (x === undefined) throw new Error(`${k} needs a value`); return x; };
    if (k === '--size-mb') a.sizeMb = Number(v());
    else if (k === '--seed') a.seed = Number(v());
    else if (k === '--out') a.out = v();
    else if (k === '--now') a.now = v();
    else if (k === '--mix') a.mix = v();
    else if (k === '--append-one-turn') a.append = v();
    else if (k === '--quiet') a.quiet = true;
    else if (k === '-h' || k === '--help') { console.log('usage: node bench/generate.mjs [--size-mb 500] [--out DIR] [--seed 42] [--now YYYY-MM-DD] [--mix tool|assistant]\n       node bench/generate.mjs --append-one-turn DIR'); process.exit(0); }
    else throw new Error(`unknown argument ${k}`);
  }
  if (!(a.sizeMb > 0)) throw new Error('--size-mb must be > 0');
  return a;
}

export function printMix(mix, out) {
  const mb = (b) => (b / MiB).toFixed(1);
  console.log(`data set: ${out}`);
  console.log(`  ${mb(mix.totalBytes)} MiB, ${mix.files.total} files (${Object.entries(mix.files.byKind).map(([k, v]) => `${k} ${v}`).join(', ')}), ${mix.sessions} sessions in ${mix.projects} projects, ${mix.totalLines} lines`);
  console.log(`  unique assistant requests: ${mix.uniqueAssistantRequests} (over 200K input: ${mix.expected.requestsOver200K}, stop_reason null: ${mix.expected.stopReasonNull}, only in progress lines: ${mix.expected.requestsOnlyInProgressLines}, in spaced files: ${mix.expected.requestsInSpacedFiles})`);
  console.log('  kind                          lines        MiB      %');
  for (const k of Object.keys(mix.bytesByKind)) {
    console.log(`  ${k.padEnd(26)} ${String(mix.linesByKind[k]).padStart(9)} ${mb(mix.bytesByKind[k]).padStart(10)} ${mix.pctBytesByKind[k].toFixed(1).padStart(6)}`);
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    const a = parseArgs(process.argv.slice(2));
    if (a.append) {
      console.log(JSON.stringify(appendOneTurn(a.append), null, 2));
    } else {
      const { out, mix } = generate({ out: a.out, sizeMb: a.sizeMb, seed: a.seed, now: a.now, mix: a.mix });
      if (!a.quiet) printMix(mix, out);
      console.log(`  generated in ${mix.generateSeconds}s; mix written to ${path.join(out, 'MIX.json')}`);
    }
  } catch (e) {
    console.error(`generate.mjs: ${e.message}`);
    process.exit(1);
  }
}
