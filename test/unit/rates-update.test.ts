// Keeping the card current: `credit-ledger rates` and `rates update --from <file-or-url>` in both formats,
// validated, layered in the user's rate file and repriced; a local server on 127.0.0.1 stands in for the web.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { layerCard, readRateFile, userRateCard, writeRateFile } from '../../src/core/pricing/rateFile';
import { PriceFileError, planImport, readPriceSource } from '../../src/core/pricing/rateImport';
import { assistant, jsonl, tempDir, writeProjectFile } from './builders';

const cli = path.resolve(__dirname, '../../dist/cli.js');
const NOW = new Date('2026-12-06T12:00:00Z');

/** LiteLLM's shape: USD per token, Anthropic entries beside others; one lacks the 1-hour write, one has no date. */
const LITELLM = {
  sample_spec: { input_cost_per_token: 0, litellm_provider: 'one of litellm_provider' },
  'gpt-5': { litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 1.25e-6, output_cost_per_token: 1e-5 },
  'claude-fable-5-3-20261215': {
    litellm_provider: 'anthropic', mode: 'chat', max_input_tokens: 1_000_000, max_output_tokens: 128_000,
    input_cost_per_token: 7e-6, output_cost_per_token: 3.5e-5, cache_creation_input_token_cost: 8.75e-6, cache_creation_input_token_cost_above_1hr: 1.4e-5, cache_read_input_token_cost: 1.75e-7,
  },
  'claude-opus-5-5-20260923': {
    litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: 4e-6, output_cost_per_token: 2e-5, cache_creation_input_token_cost: 5e-6, cache_creation_input_token_cost_above_1hr: 8e-6, cache_read_input_token_cost: 4e-7,
  },
  'claude-sonnet-5-5-20260928': { litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: 2e-6, output_cost_per_token: 1e-5, cache_creation_input_token_cost: 2.5e-6, cache_read_input_token_cost: 1e-7 },
  'claude-haiku-5-6': {
    litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: 1e-7, output_cost_per_token: 5e-7, cache_creation_input_token_cost: 1.25e-7, cache_creation_input_token_cost_above_1hr: 2e-7, cache_read_input_token_cost: 1e-8,
  },
};

function ourFile(model: Record<string, unknown>): string {
  return JSON.stringify({ schema: 2, models: [model] });
}
const FABLE_53 = {
  id: 'claude-fable-5-3', family: 'fable', version: '5.3', released: '2026-12-15', status: 'active', contextWindow: 1_000_000, maxOutput: 128_000, residency: true,
  rows: [{ from: '2026-12-15', verified: true, rates: { input: 6, output: 30, cacheWrite5m: 7.5, cacheWrite1h: 12, cacheRead: 0.15 }, source: 'https://platform.claude.com/docs/en/about-claude/pricing', checked: '2026-12-16' }],
};

describe('importing a price file (core)', () => {
  test('LiteLLM: Claude entries only, in USD per million; incomplete or undated ones reported, verified rows kept', () => {
    const plan = planImport(JSON.stringify(LITELLM), 'prices.json', loadRateCard(), [], { now: NOW });
    assert.equal(plan.format, 'litellm');
    const by = Object.fromEntries(plan.changes.map((c) => [c.model, c.kind]));
    assert.deepEqual(by, { 'claude-fable-5-3': 'add', 'claude-opus-5-5': 'kept-verified' });
    assert.match(plan.changes.find((c) => c.model === 'claude-opus-5-5')!.detail, /\$4 \/ \$20 \/ \$5 \/ \$8 \/ \$0\.4 .*verified row .*\$0\.2 .* is kept/);
    assert.ok(plan.skipped.some((s) => /claude-sonnet-5-5-20260928: no cacheWrite1h; the card's row is kept/.test(s)), plan.skipped.join('\n'));
    assert.ok(plan.skipped.some((s) => /claude-haiku-5-6: no date .*not imported/.test(s)), plan.skipped.join('\n'));
    assert.ok(!plan.skipped.some((s) => s.includes('gpt-5')), 'other providers are not Claude entries');
    const fable = plan.models.find((m) => m.id === 'claude-fable-5-3')!;
    assert.deepEqual(fable.rows[0].rates, { input: 7, output: 35, cacheWrite5m: 8.75, cacheWrite1h: 14, cacheRead: 0.175 });
    assert.equal(fable.rows[0].from, '2026-12-15T00:00:00Z');
    assert.equal(fable.rows[0].verified, false);
  });

  test('--replace-verified lets the file take a verified model, from the date it carries, earlier rows kept', () => {
    const plan = planImport(JSON.stringify(LITELLM), 'prices.json', loadRateCard(), [], { now: NOW, replaceVerified: true });
    const opus = plan.models.find((m) => m.id === 'claude-opus-5-5')!;
    assert.equal(plan.changes.find((c) => c.model === 'claude-opus-5-5')!.kind, 'replace');
    assert.equal(opus.rows[opus.rows.length - 1].rates.cacheRead, 0.4);
    assert.equal(opus.replaceVerified, true);
  });

  test('our own format: a new model is added; layered over the shipped card, overrides still on top', () => {
    const plan = planImport(ourFile(FABLE_53), 'fable.json', loadRateCard(), [], { now: NOW });
    assert.deepEqual(plan.changes.map((c) => [c.model, c.kind]), [['claude-fable-5-3', 'add']]);
    const { card, inForce } = layerCard(loadRateCard(), plan.models);
    assert.equal(inForce.length, 1);
    const p = createPricer(card);
    const r = p.price({ model: 'claude-fable-5-3', timestamp: Date.parse('2026-12-20T00:00:00Z'), input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 1000, webSearches: 0, speed: '', inferenceGeo: '' });
    assert.equal(r.estimated, false, 'exact once imported');
    assert.equal(r.costNanos, 150_000);
    const over = createPricer(card, { 'claude-fable-5-3': { input: 6, output: 30, cacheWrite5m: 7.5, cacheWrite1h: 12, cacheRead: 0.1 } });
    assert.equal(over.lookup('claude-fable-5-3')?.rates.cacheRead, 0.1, 'the user\'s overrides win');
  });

  test('a malformed file, a negative price, a missing category: clear messages, nothing taken', () => {
    assert.throws(() => planImport('{"models": [', 'bad.json', loadRateCard(), [], { now: NOW }), (e: unknown) => e instanceof PriceFileError && /bad\.json is not JSON.*card is unchanged/.test((e as Error).message));
    assert.throws(() => planImport('[1,2]', 'list.json', loadRateCard(), [], { now: NOW }), /not a price file/);
    assert.throws(() => planImport('{"hello": 1}', 'x.json', loadRateCard(), [], { now: NOW }), /neither a Credit Ledger card .* nor LiteLLM/);
    const negative = structuredClone(FABLE_53);
    negative.rows[0].rates.cacheRead = -0.15;
    const plan = planImport(ourFile(negative), 'neg.json', loadRateCard(), [], { now: NOW });
    assert.deepEqual(plan.changes, []);
    assert.ok(plan.skipped.some((s) => /claude-fable-5-3 row 1: cacheRead is negative/.test(s)), plan.skipped.join());
    const missing = structuredClone(FABLE_53) as { rows: Array<{ rates: Record<string, number> }> };
    delete missing.rows[0].rates.cacheWrite1h;
    assert.ok(planImport(ourFile(missing), 'm.json', loadRateCard(), [], { now: NOW }).skipped.some((s) => /missing cacheWrite1h/.test(s)));
    const litellmNegative = { 'claude-fable-5-3-20261215': { ...LITELLM['claude-fable-5-3-20261215'], output_cost_per_token: -1e-6 } };
    assert.ok(planImport(JSON.stringify(litellmNegative), 'l.json', loadRateCard(), [], { now: NOW }).skipped.some((s) => /output is negative \(-1\); not imported/.test(s)));
  });

  test('the rate file: written atomically, read back, a bad file reported and the shipped card used', () => {
    const dir = tempDir('cl-rates-');
    const file = path.join(dir, 'rates.json');
    const plan = planImport(ourFile(FABLE_53), 'fable.json', loadRateCard(), [], { now: NOW });
    writeRateFile(file, plan.models, NOW);
    assert.equal(readRateFile(file).models[0].id, 'claude-fable-5-3');
    assert.equal(userRateCard({ rates: file }).imported.length, 1);
    fs.writeFileSync(file, '{ not json');
    const bad = userRateCard({ rates: file });
    assert.equal(bad.imported.length, 0);
    assert.match(bad.problems[0], /is not JSON.*shipped card is used/);
    assert.deepEqual(bad.card, loadRateCard());
  });

  test('reading a URL: a local server, and a fetch that fails leaves a clear error', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/prices.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(LITELLM));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const text = await readPriceSource(`http://127.0.0.1:${port}/prices.json`);
      assert.ok(text.includes('claude-fable-5-3-20261215'));
      await assert.rejects(readPriceSource(`http://127.0.0.1:${port}/missing.json`), /HTTP 404; the card is unchanged/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    await assert.rejects(readPriceSource(`http://127.0.0.1:${port}/prices.json`), /could not fetch .*the card is unchanged/);
    await assert.rejects(readPriceSource('ftp://example.invalid/x.json'), /only files and http\(s\) URLs/);
    await assert.rejects(readPriceSource(path.join(tempDir('cl-none-'), 'absent.json')), /could not read/);
  });
});

describe('credit-ledger rates, as a new user runs it', () => {
  let config: string;
  let home: string;
  let server: http.Server;
  let port = 0;
  before(async () => {
    config = tempDir('cl-config-');
    home = tempDir('cl-home-');
    // One session of each current model, tokens per request as in the issue: 1,000 input, 2,000 output, 10,000 1h write, 100,000 read.
    const lines: unknown[] = [];
    const req = { input: 1000, output: 2000, write5m: 0, write1h: 10_000, cacheRead: 100_000, timestamp: '2026-11-20T10:00:00.000Z' };
    for (const [i, model] of ['claude-fable-5-2', 'claude-mythos-5-2', 'claude-fable-5-1', 'claude-opus-5-5[1m]', 'claude-sonnet-5-5-20260928', 'claude-fable-5-3'].entries()) {
      lines.push(assistant({ sessionId: `s${i}`, messageId: `m${i}`, model, ...req }));
    }
    lines.push(assistant({ sessionId: 'h1', messageId: 'h1', model: 'claude-haiku-5-5', ...req, cacheRead: 50_000 }));
    lines.push(assistant({ sessionId: 'h2', messageId: 'h2', model: 'claude-haiku-5-5', ...req, cacheRead: 150_000 }));
    writeProjectFile(config, '-work/s.jsonl', jsonl(lines));
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(ourFile(FABLE_53));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  // The server runs in this process: the CLI must run beside it, not block it.
  function runAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [cli, ...args, '--config-dir', config, '--no-color'], { env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home, TZ: 'UTC' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  test('session table at list prices, nothing unpriced; rates lists every model with its row and source', async () => {
    const s = spawnSync(process.execPath, [cli, 'session', '--json', '--config-dir', config], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home, TZ: 'UTC' } });
    assert.equal(s.status, 0, s.stderr);
    const sessions = (JSON.parse(s.stdout) as { sessions: Array<{ sessionId: string; totalCost: number; estimatedCost?: number; unpriced: { requests: number } }>; totals: { estimatedCost: number; unpriced: { requests: number } } });
    const cost = Object.fromEntries(sessions.sessions.map((x) => [x.sessionId, Math.round(x.totalCost * 1e4) / 1e4]));
    assert.deepEqual(cost, { s0: 0.268, s1: 0.268, s2: 0.335, s3: 0.144, s4: 0.072, s5: 0.268, h1: 0.0036, h2: 0.023 });
    assert.equal(sessions.totals.unpriced.requests, 0);
    assert.equal(sessions.totals.estimatedCost, 0.268, 'Fable 5.3 is an estimate at Fable 5.2');
    const r = await runAsync(['rates']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Rate card as of 2026-12-06/);
    for (const m of ['claude-fable-5-2', 'claude-fable-5-1', 'claude-opus-5-5', 'claude-sonnet-5-5', 'claude-haiku-5-5']) assert.match(r.stdout, new RegExp(`^${m}\\s+\\d+\\s+\\S+ \\((card)\\)\\s+\\$.*platform\\.claude\\.com.*checked 2026-12-06`, 'm'), m);
    assert.match(r.stdout, /^claude-mythos-5-2\s+1\s+fable-5\.2 \(card\)/m);
    assert.match(r.stdout, /^claude-fable-5-3\s+1\s+estimate at fable-5\.2/m);
    assert.match(r.stdout, /Not on the card: claude-fable-5-3 \(1 requests, \$0\.2680 estimated\)/);
  });

  test('rates update --from a URL: shows the change, writes the rate file, reprices; a failed fetch changes nothing', async () => {
    const failed = await runAsync(['rates', 'update', '--from', `http://127.0.0.1:${port + 1}/nothing.json`]);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /could not fetch .*the card is unchanged/);
    assert.equal(fs.existsSync(path.join(home, 'rates.json')), false);
    const r = await runAsync(['rates', 'update', '--from', `http://127.0.0.1:${port}/fable.json`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /add\s+claude-fable-5-3: new: \$6 \/ \$30 \/ \$7\.5 \/ \$12 \/ \$0\.15/);
    assert.match(r.stdout, /Wrote .*rates\.json\. Ledger repriced: \$1\.38 → \$1\.31/);
    const after = await runAsync(['rates']);
    assert.match(after.stdout, /^claude-fable-5-3\s+1\s+fable-5\.3 \(imported\)/m);
    assert.match(after.stdout, /Layers: shipped card 2026-12-06, then 1 imported model\(s\)/);
  });
});
