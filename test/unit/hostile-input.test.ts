// Hostile transcripts and paths, through the built CLI and hook (npm run test:unit builds dist/ first): usage no
// real request can carry, a FIFO or device as transcript_path, a reconcile the snapshot does not know yet.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assistant, configDir, jsonl, queueOperation, tempDir, user } from './builders';
import { contextTurn, hookInput, snapshot, statusLineInput, userHome, writeTranscript } from './hookBuilders';
import { readPoolFacts, reconcileFact, adjustmentFact } from '../../src/core/pool';
import { withNewerFacts } from '../../src/core/pool/snapshot';
import { requestLimits, usageProblem, DEFAULT_REQUEST_LIMIT } from '../../src/core/transcripts/plausibility';
import { loadRateCard } from '../../src/core/pricing/rateCard';
import { makeStyle, terminalText } from '../../src/cli/table';

const dist = path.resolve(__dirname, '../../dist');
const env = (home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home, ...extra });

function cli(args: string[], home: string, extra: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(dist, 'cli.js'), ...args], { encoding: 'utf8', timeout: 60_000, env: env(home, extra) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The hook as Claude Code runs it; a generous timeout only so that a hang fails the test instead of the suite. */
function hook(kind: 'hook' | 'statusline', stdin: string, home: string, extra: Record<string, string> = {}): { code: number | null; signal: NodeJS.Signals | null; stdout: string } {
  const r = spawnSync(process.execPath, [path.join(dist, 'hook.js'), kind], { input: stdin, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGTERM', env: env(home, extra) });
  return { code: r.status, signal: r.signal, stdout: r.stdout };
}

const haveFifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--version']).status === 0;

function fifo(): string {
  const p = path.join(tempDir('cl-fifo-'), 'sess-1.jsonl');
  assert.equal(spawnSync('mkfifo', [p]).status, 0);
  return p;
}

describe('implausible usage is rejected, counted and reported, never priced', () => {
  test('1e308, a billion tokens, more than the model\'s window + output, 3M on an unknown model, text for a number', () => {
    const at = '2026-11-20T10:00:00.000Z';
    const raw = (messageId: string, model: string, usage: Record<string, unknown>): Record<string, unknown> => {
      const line = assistant({ messageId, model, timestamp: at });
      (line.message as Record<string, unknown>).usage = usage;
      return line;
    };
    const dir = configDir({
      'p/s.jsonl': jsonl([
        user('hi'),
        assistant({ messageId: 'ok', input: 100, output: 50, timestamp: at }),
        raw('huge', 'claude-sonnet-4-5-20250929', { input_tokens: 1e308, output_tokens: 1 }),
        raw('billion', 'claude-sonnet-4-5-20250929', { input_tokens: 1_000_000_000, output_tokens: 1 }),
        raw('over-window', 'claude-3-haiku-20240307', { input_tokens: 10, cache_read_input_tokens: 200_000, output_tokens: 4_100 }),
        raw('unknown-3m', 'claude-nova-9', { input_tokens: 3_000_000, output_tokens: 1 }),
        raw('text', 'claude-sonnet-4-5-20250929', { input_tokens: '500', output_tokens: 10 }),
        raw('negative', 'claude-sonnet-4-5-20250929', { input_tokens: -5, output_tokens: 10 }),
        raw('searches', 'claude-sonnet-4-5-20250929', { input_tokens: 10, output_tokens: 10, server_tool_use: { web_search_requests: 1e9 } }),
        // plausible: an unknown model's 1.5M (under the 2M default) is kept, as unpriced
        raw('unknown-ok', 'claude-nova-9', { input_tokens: 1_500_000, output_tokens: 1 }),
      ]),
    });
    const r = cli(['daily', '--json', '--config-dir', dir, '--timezone', 'UTC'], tempDir('cl-home-'));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { totals: { requests: number; totalCost: number; inputTokens: number; unpriced: { requests: number; tokens: number } } };
    assert.equal(out.totals.requests, 2);
    assert.equal(out.totals.inputTokens, 100 + 1_500_000);
    assert.equal(out.totals.unpriced.requests, 1);
    assert.ok(Math.abs(out.totals.totalCost - (100 * 3 + 50 * 15) / 1e6) < 1e-12, String(out.totals.totalCost));
    assert.match(r.stderr, /note: 7 request line\(s\) rejected: usage no real request can carry, or not a token count; not priced \(first: \S*p\/s\.jsonl:\d+, rejected usage: 1\.00e\+308 tokens in one request, more than claude-sonnet-4-5-20250929 can carry \(1,064,000\)\)/);
    assert.doesNotMatch(r.stderr, /malformed transcript line/);
  });

  test('the limit is the card\'s window + max output; 2M where the card has none', () => {
    const limits = requestLimits(loadRateCard().models);
    assert.equal(usageProblem({ input_tokens: 1_064_000 }, 'claude-sonnet-4-5', limits), null);
    assert.match(usageProblem({ input_tokens: 1_064_001 }, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', limits) ?? '', /1,064,001 tokens in one request, more than .* \(1,064,000\)/);
    assert.equal(usageProblem({ input_tokens: 204_096 }, 'claude-3-haiku-20240307', limits), null);
    assert.match(usageProblem({ input_tokens: 204_097 }, 'claude-3-haiku-20240307', limits) ?? '', /\(204,096\)/);
    assert.equal(usageProblem({ input_tokens: DEFAULT_REQUEST_LIMIT }, 'claude-unknown', limits), null);
    assert.notEqual(usageProblem({ input_tokens: DEFAULT_REQUEST_LIMIT + 1 }, 'claude-unknown', limits), null);
    assert.equal(usageProblem({ input_tokens: 5, cache_creation: null, server_tool_use: null }, 'claude-unknown', limits), null, 'null is absent, not wrong');
    assert.match(usageProblem({ input_tokens: 5, cache_creation: { ephemeral_1h_input_tokens: 'x' } }, 'claude-unknown', limits) ?? '', /cache_creation\.ephemeral_1h_input_tokens is not a token count \("x"\)/);
  });
});

describe('the hook never blocks wrongfully', () => {
  test('a transcript line with input_tokens 1e308 does not make the hook block (the last real request counts)', () => {
    const { home, paths } = userHome({ settings: { hook: { policy: 'block' } }, snapshot: snapshot({ remainingUsd: 5, overage: 'stop', stampedAt: new Date().toISOString(), cycleStart: new Date(Date.now() - 86_400_000).toISOString(), cycleEnd: new Date(Date.now() + 5 * 86_400_000).toISOString() }) });
    const bogus = contextTurn(50_000, { timestamp: new Date().toISOString(), entrypoint: 'sdk-cli' });
    ((bogus.message as Record<string, unknown>).usage as Record<string, unknown>).input_tokens = 1e308;
    const transcript = writeTranscript([queueOperation(), user('nightly'), contextTurn(20_000, { timestamp: new Date().toISOString(), entrypoint: 'sdk-cli' }), bogus]);
    const r = hook('hook', hookInput({ transcriptPath: transcript, prompt: 'go on' }), home, { CLAUDE_CODE_ENTRYPOINT: 'sdk-cli' });
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stdout, /"decision":"block"/);
    assert.match(fs.readFileSync(path.join(paths.dataDir, 'hook.log'), 'utf8'), /passed over a line \(rejected usage: 1\.00e\+308 tokens/);
  });

  test('after `credit-ledger reconcile` the hook sees the new balance at once (no report run in between)', () => {
    const cycle = { cycleStart: new Date(Date.now() - 86_400_000).toISOString(), cycleEnd: new Date(Date.now() + 5 * 86_400_000).toISOString() };
    const { home } = userHome({ settings: { hook: { policy: 'block' } }, snapshot: snapshot({ remainingUsd: 0, overage: 'stop', stampedAt: new Date(Date.now() - 60_000).toISOString(), ...cycle }) });
    const stdin = hookInput({ prompt: 'nightly' });
    const blocked = hook('hook', stdin, home, { CLAUDE_CODE_ENTRYPOINT: 'sdk-cli' });
    assert.match(blocked.stdout, /"decision":"block"/, 'the snapshot says the credit is used up');
    const rec = cli(['reconcile', '42.50'], home);
    assert.equal(rec.code, 0, rec.stderr);
    const after = hook('hook', stdin, home, { CLAUDE_CODE_ENTRYPOINT: 'sdk-cli' });
    assert.equal(after.code, 0);
    assert.equal(after.stdout, '', 'credit left: nothing to say');
    const line = hook('statusline', statusLineInput({}), home, { NO_COLOR: '1' });
    assert.match(line.stdout, /\$42\.50 left/);
  });

  test('balance facts newer than the snapshot: the newest reconcile in the cycle sets the figure, later adjustments add', () => {
    const s = snapshot({ remainingUsd: 10, stampedAt: '2026-11-20T09:00:00.000Z' });
    const facts = (list: Record<string, unknown>[]): ReturnType<typeof readPoolFacts> => readPoolFacts(list.map((f, i) => ({ id: String(i), at: '2026-11-20T09:30:00.000Z', ...f }) as never));
    assert.equal(withNewerFacts(s, facts([])).applied, 0);
    const r = withNewerFacts(s, facts([reconcileFact(30, Date.parse('2026-11-20T09:20:00Z')), reconcileFact(25, Date.parse('2026-11-20T09:25:00Z')), adjustmentFact(5, Date.parse('2026-11-20T09:26:00Z')), adjustmentFact(100, Date.parse('2026-11-20T09:10:00Z'))]));
    assert.equal(r.snapshot.remainingNanos, 30e9);
    assert.equal(r.snapshot.remainingIsUpperBound, false);
    assert.equal(r.applied, 2);
    const early = withNewerFacts(s, facts([reconcileFact(0, Date.parse('2026-11-20T08:00:00Z'))]));
    assert.equal(early.snapshot.remainingNanos, 0);
    assert.equal(early.snapshot.remainingIsUpperBound, true, 'dated before the snapshot: the spend in between is not known');
    assert.equal(early.snapshot.exhaustedAt, '2026-11-20T08:00:00.000Z');
    assert.equal(withNewerFacts(s, facts([reconcileFact(50, Date.parse('2026-10-20T08:00:00Z'))])).applied, 0, 'another cycle');
  });
});

describe('the hook and the status line end within their limit whatever transcript_path is', { skip: haveFifo ? false : 'no mkfifo' }, () => {
  test('a FIFO with no writer, a directory, a device: exit 0, no hang', () => {
    const { home } = userHome({ snapshot: snapshot({ stampedAt: new Date().toISOString(), cycleEnd: new Date(Date.now() + 86_400_000).toISOString() }) });
    for (const p of [fifo(), tempDir('cl-dir-'), '/dev/zero']) {
      for (const kind of ['hook', 'statusline'] as const) {
        const stdin = kind === 'hook' ? hookInput({ transcriptPath: p, prompt: 'x' }) : statusLineInput({ transcriptPath: p });
        const r = hook(kind, stdin, home);
        assert.equal(r.signal, null, `${kind} on ${p} hung (killed by the test's timeout)`);
        assert.equal(r.code, 0, `${kind} on ${p}`);
      }
    }
  });

  test('a FIFO as the settings file, the snapshot and the journal: still no hang', () => {
    const { home, paths } = userHome();
    for (const f of [paths.settings, paths.snapshot, paths.journal]) assert.equal(spawnSync('mkfifo', [f]).status, 0);
    const r = hook('hook', hookInput({ transcriptPath: fifo(), prompt: 'x' }), home);
    assert.equal(r.signal, null);
    assert.equal(r.code, 0);
    const s = hook('statusline', statusLineInput({ transcriptPath: fifo() }), home);
    assert.equal(s.signal, null);
    assert.equal(s.code, 0);
  });

  test('the backstop ends a process whose main thread is stuck in a synchronous call', () => {
    const log = path.join(tempDir('cl-backstop-'), 'hook.log');
    const script = `const { startBackstop } = require(${JSON.stringify(path.resolve(__dirname, '../../src/core/hook/watchdog.ts'))}); startBackstop(300, ${JSON.stringify(log)}, 'hook'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGTERM' });
    assert.equal(r.signal, 'SIGKILL', `ended by ${r.signal} (SIGTERM: the test's own timeout; the backstop never fired) ${r.stderr}`);
    assert.match(fs.readFileSync(log, 'utf8'), /hook: still running after 300 ms \(stuck in a synchronous call\): ended/);
  });
});

describe('transcript text never drives the terminal', () => {
  test('escape sequences in a project folder and a model id reach no CLI table or note, with --no-color', () => {
    const evilProject = 'evil\u001b]0;pwned\u0007\u001b[2J';
    const evilModel = 'claude-sonnet-4-5\u001b[31mRED\u001b[0m\u001b]8;;http://x\u0007link';
    const line = assistant({ messageId: 'm1', model: evilModel, input: 10, output: 5, timestamp: '2026-11-20T10:00:00.000Z', cwd: '/x\u001b[1A' });
    const dir = configDir({ [`${evilProject}/s.jsonl`]: jsonl([user('hi'), line]) + '{"type":"assistant","message":{"id":"x\u001b[2J"\n' });
    const home = tempDir('cl-home-');
    for (const report of ['daily', 'session', 'monthly']) {
      const r = cli([report, '--config-dir', dir, '--timezone', 'UTC', '--no-color'], home);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, `${report}: ${JSON.stringify(r.stdout + r.stderr)}`);
    }
    const session = cli(['session', '--config-dir', dir, '--timezone', 'UTC', '--no-color'], home);
    assert.match(session.stdout, /sess-1\s+evil\s/, 'the printable text is still shown; the sequences are gone');
  });

  test('terminalText keeps the colours the CLI adds and drops every other sequence', () => {
    const style = makeStyle(true);
    const text = `${style.red('over')} proj\u001b[2J\u001b]0;t\u0007 ${style.bold('x')}\nnext\rline`;
    assert.equal(terminalText(text, true), `${style.red('over')} proj ${style.bold('x')}\nnextline`);
    assert.equal(terminalText(text, false), `\u001b[31mover\u001b[39m proj \u001b[1mx\u001b[22m\nnextline`.replace(/\u001b\[\d+m/g, ''));
  });
});
