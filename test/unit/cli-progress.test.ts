import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ProgressLine } from '../../src/cli/progress';
import type { PhaseEvent } from '../../src/core/progress';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { tempDir } from './builders';

const cli = path.resolve(__dirname, '../../dist/cli.js');
const demo = path.resolve(__dirname, '../../demo');

function recorder(): { line: ProgressLine; frames: string[]; advance(ms: number): void } {
  let now = 0;
  const frames: string[] = [];
  const line = new ProgressLine((t) => frames.push(t), () => now);
  return { line, frames, advance: (ms) => (now += ms) };
}

/** What a terminal shows after the frames: the text of the last redraw, or nothing once cleared. */
function screen(frames: string[]): string {
  const last = frames.at(-1) ?? '';
  return last.replace(/^\r/, '').replace(/\x1b\[K$/, '');
}

test('progress shows from the start and names every phase in order, then clears the line', () => {
  const { line, frames, advance } = recorder();
  line.opening();
  assert.equal(screen(frames), 'Opening the ledger…');
  const events: PhaseEvent[] = [
    { phase: 'discovering', state: 'start' },
    { phase: 'discovering', state: 'end', done: 1528, total: 1528 },
    { phase: 'reading', state: 'start', done: 0, total: 300e6 },
    { phase: 'reading', state: 'progress', done: 150e6, total: 300e6 },
    { phase: 'reading', state: 'progress', done: 299.6e6, total: 300e6 },
    { phase: 'reading', state: 'end', done: 299.6e6, total: 300e6 },
    { phase: 'storing', state: 'start', done: 0, total: 41000 },
    { phase: 'storing', state: 'end', done: 41000, total: 41000 },
    { phase: 'correcting', state: 'start', done: 0, total: 120 },
    { phase: 'correcting', state: 'end', done: 120, total: 120 },
    { phase: 'saving', state: 'start' },
    { phase: 'saving', state: 'end' },
  ];
  const seen: string[] = [];
  for (const e of events) {
    advance(150);
    line.onPhase(e);
    seen.push(screen(frames));
  }
  assert.deepEqual(seen, [
    'Finding transcripts…',
    'Found 1,528 transcript file(s)',
    'Reading transcripts: 0% (0 of 300 MB)',
    'Reading transcripts: 50% (150 of 300 MB)',
    'Reading transcripts: 99% (300 of 300 MB)',
    'Reading transcripts: 100% (300 of 300 MB)',
    'Storing 41,000 request(s)…',
    'Stored 41,000 request(s)',
    'Correcting 120 session(s) for undercounted output…',
    'Corrected 120 session(s)',
    'Saving the ledger…',
    'Saved the ledger',
  ]);
  line.done();
  assert.equal(frames.at(-1), '\r\x1b[K');
});

test('progress within a phase is throttled, but a phase start or end always shows', () => {
  const { line, frames, advance } = recorder();
  line.onPhase({ phase: 'reading', state: 'start', done: 0, total: 100e6 });
  const before = frames.length;
  for (let i = 1; i < 50; i++) {
    advance(1);
    line.onPhase({ phase: 'reading', state: 'progress', done: i * 1e6, total: 100e6 });
  }
  assert.equal(frames.length, before, 'progress events 1 ms apart do not redraw');
  line.onPhase({ phase: 'reading', state: 'end', done: 100e6, total: 100e6 });
  assert.equal(screen(frames), 'Reading transcripts: 100% (100 of 100 MB)');
});

test('a run that shows nothing writes nothing when done', () => {
  const { line, frames } = recorder();
  line.done();
  assert.deepEqual(frames, []);
});

test('the real CLI on a terminal shows every phase of a first read, reaches 100%, and clears the line before the report', () => {
  // util-linux's script(1) gives the CLI a pseudo-terminal (stderr is a TTY there, as for a user).
  const home = tempDir('cl-home-');
  const r = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} daily --config-dir ${JSON.stringify(demo)} --timezone UTC`, '/dev/null'], {
    encoding: 'utf8',
    env: { ...process.env, CREDIT_LEDGER_HOME: home, COLUMNS: '120', NODE_OPTIONS: '' },
  });
  assert.equal(r.status, 0, r.stderr);
  const frames = r.stdout.split('\r').map((f) => f.replace(/\x1b\[K/g, '')).filter((f) => f && f !== '\n');
  const phases = ['Opening the ledger', 'Finding transcripts', 'Found ', 'Reading transcripts: 0%', 'Reading transcripts: 100%', 'Storing ', 'Stored ', 'Correcting ', 'Corrected ', 'Saving the ledger', 'Saved the ledger'];
  let at = -1;
  for (const p of phases) {
    const i = frames.findIndex((f, k) => k > at && f.startsWith(p));
    assert.ok(i > at, `"${p}" shows, after the phase before it (frames: ${JSON.stringify(frames.slice(0, 20))})`);
    at = i;
  }
  assert.match(r.stdout, /Saved the ledger\x1b\[K\r\x1b\[K(\x1b\[1m)?Claude Code usage/, 'the line is cleared before the report starts');

  // The same run into a pipe: no progress, no control codes on stderr.
  const piped = spawnSync(process.execPath, [cli, 'daily', '--config-dir', demo, '--timezone', 'UTC'], { encoding: 'utf8', env: { ...process.env, CREDIT_LEDGER_HOME: tempDir('cl-home-') } });
  assert.equal(piped.status, 0, piped.stderr);
  assert.doesNotMatch(piped.stderr, /Reading transcripts|\r/);
});
