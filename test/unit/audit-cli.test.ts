// `credit-ledger audit`, built and run as a user runs it (npm test builds dist/ first), over
// transcripts written line by line: the parser's loop markers and tool errors reach the audit.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assistant, configDir, jsonl, queueOperation, tempDir, user } from './builders';

const cli = path.resolve(__dirname, '../../dist/cli.js');
const corpus = path.resolve(__dirname, '../../../shared/corpus');
const hasCorpus = fs.existsSync(path.join(corpus, 'projects'));

function run(args: string[], home: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const at = (ms: number): string => new Date(ms).toISOString();
const START = Date.parse('2026-11-25T08:00:00Z');
const MIN = 60_000;

/** A headless session (`claude -p`) running a self-paced /loop: 12 wake-ups, 10 minutes apart. */
function wakeupTranscript(): { text: string; firstCheckLine: number } {
  const lines: unknown[] = [queueOperation('loop-1'), user('/loop check the deploy every 10 minutes', { sessionId: 'loop-1', timestamp: at(START - 1000), entrypoint: 'sdk-cli' })];
  const firstCheckLine = lines.length;
  for (let i = 0; i < 12; i++) {
    const t0 = START + i * 10 * MIN;
    const p = 80_000 + 1_000 * i;
    lines.push(
      assistant({
        sessionId: 'loop-1', messageId: `m-check-${i}`, entrypoint: 'sdk-cli', model: 'claude-opus-4-6', timestamp: at(t0), input: 200, cacheWrite: p - 200, output: 60,
        content: [{ type: 'tool_use', id: `toolu_check_${i}`, name: 'Bash', input: { command: 'gh run list --limit 1' } }],
      }),
      assistant({
        sessionId: 'loop-1', messageId: `m-wake-${i}`, entrypoint: 'sdk-cli', model: 'claude-opus-4-6', timestamp: at(t0 + 20_000), cacheWrite: 500, cacheRead: p, output: 90,
        content: [{ type: 'tool_use', id: `toolu_wake_${i}`, name: 'ScheduleWakeup', input: { delaySeconds: 600 } }],
      }),
    );
  }
  return { text: jsonl(lines), firstCheckLine };
}

describe('credit-ledger audit', () => {
  const { text, firstCheckLine } = wakeupTranscript();
  const dir = configDir({ '-srv-deploy/loop-1.jsonl': text });
  const file = path.join(dir, 'projects', '-srv-deploy', 'loop-1.jsonl');
  const offset = text.split('\n').slice(0, firstCheckLine).reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);
  const now = at(START + 11 * 10 * MIN + 40 * MIN);
  const common = ['--config-dir', dir, '--plan', 'max5x', '--cycle-day', '1', '--timezone', 'UTC', '--now', now];

  test('--json prints the AuditReport: a scheduled loop found from the ScheduleWakeup calls, with its file and byte offset', () => {
    const home = tempDir('cl-home-');
    const r = run(['audit', '--json', ...common], home);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.version, 1);
    assert.equal(report.loops.length, 1);
    const loop = report.loops[0];
    assert.equal(loop.kind, 'scheduled');
    assert.equal(loop.metrics.iterations, 12);
    assert.deepEqual(loop.markers, { ScheduleWakeup: 12 });
    assert.equal(loop.where.file, file);
    assert.equal(loop.where.offset, offset);
    assert.equal(loop.where.drawsOnCredit, true);
    assert.equal(loop.schedule.active, false, 'the last wake-up was 40 minutes ago, past two periods');
    assert.ok(loop.moves.lessOften.iterationsCovered > 0);
    assert.equal(report.credit.allotmentNanos, 100e9);
  });

  test('the table says what it found and how to ignore it; --ignore hides it, --all lists it, --unignore brings it back', () => {
    const home = tempDir('cl-home-');
    const table = run(['audit', '--no-color', ...common], home);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /A ScheduleWakeup loop \(self-paced \/loop\): 12 iterations every 10 minutes/);
    assert.match(table.stdout, /Less often: The \$\d+\.\d\d left covers/);
    const id = /--ignore (scheduled-[0-9a-f]{10})/.exec(table.stdout)![1]!;

    const ignore = run(['audit', '--ignore', id], home);
    assert.equal(ignore.code, 0, ignore.stderr);
    assert.match(ignore.stdout, new RegExp(`Ignoring loop ${id}`));
    const journal = fs.readFileSync(path.join(home, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(journal.map((f) => [f.kind, f.loopId, f.ignore]), [['ignore-loop', id, true]]);

    const hidden = JSON.parse(run(['audit', '--json', ...common], home).stdout);
    assert.equal(hidden.loops.length, 0);
    assert.equal(hidden.summary.ignored, 1);
    const all = JSON.parse(run(['audit', '--json', '--all', ...common], home).stdout);
    assert.equal(all.loops[0].ignored, true);
    assert.match(run(['audit', '--no-color', ...common], home).stdout, /1 ignored \(--all lists them\)/);

    assert.equal(run(['audit', '--unignore', id], home).code, 0);
    assert.equal(JSON.parse(run(['audit', '--json', ...common], home).stdout).loops.length, 1);
  });

  test('thresholds come from flags and the settings file key `audit`; bad ones get clear messages', () => {
    const home = tempDir('cl-home-');
    const strict = JSON.parse(run(['audit', '--json', '--min-cost', '1000', ...common], home).stdout);
    assert.equal(strict.loops.length, 0);
    assert.equal(strict.summary.belowMinCost, 1);
    assert.equal(strict.thresholds.minCostUsd, 1000);
    fs.writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ audit: { hourlyRateUsd: 250, contextThreshold: 'big' } }));
    const fromFile = run(['audit', '--json', ...common], home);
    assert.equal(JSON.parse(fromFile.stdout).thresholds.hourlyRateUsd, 250);
    assert.match(fromFile.stderr, /audit\.contextThreshold must be a whole number of tokens \(got "big"\); the default 50000 is used/);
    const bad = run(['audit', '--min-iterations', '1', ...common], home);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /minIterations must be a whole number from 2/);
    const badId = run(['audit', '--ignore', 'not-a-loop'], home);
    assert.equal(badId.code, 2);
    assert.match(badId.stderr, /not a loop id: not-a-loop/);
  });

  test('--since/--until limit the requests audited', () => {
    const home = tempDir('cl-home-');
    const before = JSON.parse(run(['audit', '--json', '--until', '2026-11-24', ...common], home).stdout);
    assert.equal(before.loops.length, 0);
    assert.equal(before.summary.examined.requests, 0);
  });

  test('the shared corpus: two small reflexive loops, nothing else', { skip: hasCorpus ? false : `no corpus at ${corpus}` }, () => {
    const home = tempDir('cl-home-');
    const r = run(['audit', '--json', '--config-dir', corpus, '--timezone', 'UTC'], home);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(
      report.loops.map((l: { kind: string; where: { sessionId: string }; repeated: { tool: string; failures: number } }) => [l.kind, l.where.sessionId.slice(0, 8), l.repeated.tool, l.repeated.failures]),
      [
        ['reflexive', '258c7280', 'Bash', 3],
        ['reflexive', 'fe5e1c67', 'Edit', 2],
      ],
    );
  });
});
