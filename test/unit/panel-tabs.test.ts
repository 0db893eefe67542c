// The Audit and Runs tabs' own logic (sorting, wording) over real audit reports; the DOM is checked in VS Code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PanelRun } from '../../src/core/reports/panelModel';
import { sortLoops, whereText } from '../../src/webview/audit';
import { correctionSentence } from '../../src/webview/format';
import { duration, outcome } from '../../src/webview/runs';
import { T, failingCommandLoop, rereadLoop, runAudit, scheduleWakeupLoop } from './auditBuilders';

describe('Audit tab', () => {
  const fix = failingCommandLoop();
  const wake = scheduleWakeupLoop(T('2026-11-20T08:00:00Z'));
  const report = runAudit({ requests: [...rereadLoop(), ...fix.requests, ...wake.requests], events: [...fix.events, ...wake.events], now: T('2026-11-20T14:00:00Z') });

  it('sorts the findings by money at stake, cost, iterations or kind, both ways', () => {
    assert.deepEqual(report.loops.map((l) => l.kind).sort(), ['reflexive', 'reread', 'scheduled']);
    const by = (key: 'atStake' | 'cost' | 'iterations' | 'kind', dir: 'asc' | 'desc'): string[] => sortLoops(report.loops, { key, dir }).map((l) => l.kind);
    const money = (key: 'atStake' | 'cost', dir: 'asc' | 'desc'): number[] => sortLoops(report.loops, { key, dir }).map((l) => (key === 'cost' ? l.metrics.costNanos : l.atStakeNanos));
    const desc = money('atStake', 'desc');
    assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
    assert.deepEqual(money('cost', 'asc'), money('cost', 'desc').reverse());
    const its = sortLoops(report.loops, { key: 'iterations', dir: 'desc' }).map((l) => l.metrics.iterations);
    assert.deepEqual(its, [...its].sort((a, b) => b - a));
    assert.deepEqual(by('kind', 'asc'), ['scheduled', 'reread', 'reflexive']);
    assert.deepEqual(by('kind', 'desc'), ['reflexive', 'reread', 'scheduled']);
  });

  it('says where a loop is: project and session (subagent when inside one)', () => {
    const reread = report.loops.find((l) => l.kind === 'reread')!;
    assert.equal(whereText(reread), 'deploy · poll');
    assert.equal(whereText({ ...reread, where: { ...reread.where, sessionId: '0123456789abcdef', agentId: 'a7' } }), 'deploy · 01234567 / a7');
    assert.equal(whereText({ ...reread, kind: 'recurring', where: { ...reread.where, sessionIds: ['a', 'b', 'c'] } }), 'deploy · 3 sessions');
  });
});

describe('Runs tab', () => {
  const run = (over: Partial<PanelRun>): PanelRun => ({
    runId: 'r', sessionId: null, sessionFrom: null, startedAt: 0, endedAt: 0, durationMs: 0, turns: null, via: 'terminal', where: 'terminal', command: null, label: null, cwd: '',
    model: null, exitCode: 0, isError: false, subtype: 'success', truncated: false, noSessionPersistence: false, reportedNanos: null, listNanos: null, listPriced: true,
    ledgerNanos: null, differenceNanos: null, differenceReason: null, transcriptPath: null, ...over,
  });

  it('durations read as seconds, minutes, hours', () => {
    assert.equal(duration(4_400), '4s');
    assert.equal(duration(95_000), '1m 35s');
    assert.equal(duration(2 * 3_600_000 + 5 * 60_000), '2h 05m');
    assert.equal(duration(NaN), '—');
  });

  it('how a run ended: ok, exit code, Claude Code\'s error subtype, no result', () => {
    assert.deepEqual([outcome(run({})).text, outcome(run({})).problem], ['ok', false]);
    assert.deepEqual([outcome(run({ exitCode: 2 })).text, outcome(run({ exitCode: 2 })).problem], ['exit 2', true]);
    assert.equal(outcome(run({ isError: true, subtype: 'error_max_turns', exitCode: 1 })).text, 'max turns');
    assert.equal(outcome(run({ truncated: true, exitCode: null })).text, 'no result');
    assert.equal(outcome(run({ exitCode: null })).text, '—');
  });
});

describe('corrections sentence', () => {
  it('names the corrected share of the spend, or nothing', () => {
    assert.equal(correctionSentence({ basis: 'corrected', recordedSpentNanos: 15.9e9, correctedSpentNanos: 20e9 }), '$4.10 of $20.00 is corrected for undercounted output.');
    assert.equal(correctionSentence({ basis: 'corrected', recordedSpentNanos: 15.9e9, correctedSpentNanos: 20e9, fromRecordsNanos: 0, estimatedNanos: 4.1e9 }), '$4.10 of $20.00 is corrected for undercounted output ($4.10 estimated from content size).');
    assert.equal(correctionSentence({ basis: 'corrected', recordedSpentNanos: 5e9, correctedSpentNanos: 5e9 }), null);
  });
});
