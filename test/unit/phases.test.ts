// Phase progress (core/progress): a refresh tells a front end each phase as it starts and ends,
// in order, with its progress in its own unit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Meter } from '../../src/core/meter/meter';
import { userPaths } from '../../src/core/state/paths';
import type { PhaseEvent } from '../../src/core/progress';
import { assistant, configDir, jsonl, tempDir, user } from './builders';

test('a refresh and a save report discovering, reading, storing, correcting and saving, each started and ended in order', async () => {
  const root = configDir({ 'p/s.jsonl': jsonl([user('hi'), assistant({ messageId: 'm1', input: 100, output: 50, timestamp: '2026-11-20T10:00:00.000Z' })]) });
  const events: PhaseEvent[] = [];
  const meter = await Meter.open({ paths: userPaths({ CREDIT_LEDGER_HOME: tempDir() }), settings: { timezone: 'UTC' }, configDirs: [root], writesSnapshot: false, ledgerFile: path.join(tempDir(), 'l.sqlite'), onPhase: (e) => events.push(e) });
  try {
    meter.refresh();
    meter.save();
  } finally {
    meter.close();
  }
  const edges = events.filter((e) => e.state !== 'progress').map((e) => `${e.phase}:${e.state}`);
  assert.deepEqual(edges, ['discovering:start', 'discovering:end', 'reading:start', 'reading:end', 'storing:start', 'storing:end', 'correcting:start', 'correcting:end', 'saving:start', 'saving:end']);
  const size = events.find((e) => e.phase === 'reading' && e.state === 'start')!.total!;
  assert.ok(size > 0);
  assert.deepEqual(events.filter((e) => e.phase === 'reading' && e.state === 'end').map((e) => [e.done, e.total]), [[size, size]]);
  assert.equal(events.find((e) => e.phase === 'discovering' && e.state === 'end')!.done, 1);
  assert.equal(events.find((e) => e.phase === 'storing' && e.state === 'end')!.done, 1, 'one request written');
});
