// Corrections end to end: authored transcripts -> ledger -> corrections table -> spend rows,
// reports, balance and the accuracy report; incremental updates; the schema migration; the corpus.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ledger } from '../../src/core/ledger/ledger';
import { Meter } from '../../src/core/meter/meter';
import { spendRows } from '../../src/core/meter/ledgerRows';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { dailyReport, sessionReport } from '../../src/core/reports/usage';
import { appendFact } from '../../src/core/state/journal';
import { userPaths } from '../../src/core/state/paths';
import { resolveConfigDirs } from '../../src/core/transcripts/discovery';
import { Corrector } from '../../src/core/corrections/corrector';
import { accuracyReport } from '../../src/core/corrections/accuracy';
import { runRecords } from '../../src/core/corrections/records';
import { SCHEMA_VERSION } from '../../src/core/ledger/store';
import type { Fact } from '../../src/core/state/journal';
import { assistant, configDir, jsonl, queueOperation, tempDir, user, writeProjectFile } from './builders';
import { claudeJson, costState, runFact, subagentRequest, taskCall, taskResult, text } from './correctionBuilders';

const pricer = createPricer(loadRateCard());
const SONNET = 'claude-sonnet-4-5-20250929';
const HAIKU = 'claude-haiku-4-5-20251001';
const SONNET_OUT = 15_000;
const corpus = path.resolve(__dirname, '../../../shared/corpus');
const hasCorpus = fs.existsSync(path.join(corpus, 'projects'));

interface Row {
  key: string;
  source: string;
  session_id: string;
  model: string;
  own_row: number;
  input: number;
  output: number;
  cr: number;
  cost_nanos: number;
  detail: string;
}

function corrections(ledger: Ledger): Row[] {
  const r = ledger.db.exec('SELECT key, source, session_id, model, own_row, input, output, cr, cost_nanos, detail FROM corrections ORDER BY key, source');
  if (!r.length) return [];
  return r[0].values.map((v) => Object.fromEntries(r[0].columns.map((c, i) => [c, v[i]])) as unknown as Row);
}

function recordedOutput(ledger: Ledger, key: string): number {
  return Number(ledger.db.exec('SELECT output FROM requests WHERE key = ?', [key])[0].values[0][0]);
}

async function ingest(root: string): Promise<Ledger> {
  const ledger = await Ledger.open({ pricer });
  ledger.ingest(resolveConfigDirs([root]));
  return ledger;
}

function correct(ledger: Ledger, root: string, facts: readonly Fact[] = [], changed: string[] = []): ReturnType<Corrector['update']> {
  return new Corrector({ configRoots: [root], home: tempDir('cl-home-') }).update(ledger, pricer, changed, facts);
}

/** A parent session calling one subagent whose final request's lines say 3 output tokens and its Task result 997. */
function subagentSession(): Record<string, string> {
  const parent = [
    user('find the config loader'),
    taskCall({ messageId: 'p1', toolUseId: 'toolu_1', input: 20, output: 60, cacheRead: 4000, timestamp: '2026-11-20T10:00:00.000Z' }),
    taskResult({ agentId: 'a1', toolUseId: 'toolu_1', usage: { input: 2, output: 997, cacheWrite: 500, cacheRead: 8000 } }),
    assistant({ messageId: 'p2', input: 30, output: 120, cacheRead: 9000, timestamp: '2026-11-20T10:06:00.000Z' }),
  ];
  const sub = [
    subagentRequest({ agentId: 'a1', messageId: 's1', input: 3, output: 2, cacheRead: 5000, cacheWrite: 3000, content: [{ type: 'tool_use', id: 'toolu_9', name: 'Read', input: { f: 'a' } }], timestamp: '2026-11-20T10:01:00.000Z' }),
    subagentRequest({ agentId: 'a1', messageId: 's2', input: 2, output: 3, cacheRead: 8000, cacheWrite: 500, content: [{ type: 'text', text: 'Found it.' }], timestamp: '2026-11-20T10:04:00.000Z' }),
  ];
  return { 'p/sess-1.jsonl': jsonl(parent), 'p/sess-1/subagents/agent-a1.jsonl': jsonl(sub) };
}

describe('corrections in the ledger', () => {
  test('a subagent whose lines say 3 output tokens and whose Task result says 997', async () => {
    const root = configDir(subagentSession());
    const ledger = await ingest(root);
    const upd = correct(ledger, root);
    assert.equal(upd.all, true, 'a first run corrects every session');
    const rows = corrections(ledger);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].key, 's2:req_s2');
    assert.equal(rows[0].source, 'task-result');
    assert.equal(rows[0].output, 994);
    assert.equal(recordedOutput(ledger, 's2:req_s2'), 3, 'the request keeps what the transcript recorded');
    const spend = spendRows(ledger.db, 0).get('s2:req_s2')!;
    assert.equal(spend.correctedCostNanos! - spend.costNanos, 994 * SONNET_OUT);
    assert.equal(spendRows(ledger.db, 0).get('s1:req_s1')!.correctedCostNanos, undefined, 'uncorrected rows carry no corrected cost');
    // reports: ccusage fields recorded, `corrected` beside them
    const day = dailyReport(ledger.db, { timezone: 'UTC' });
    assert.equal(day.totals.outputTokens, 60 + 120 + 2 + 3);
    assert.equal(day.totals.corrected.outputTokens, 60 + 120 + 2 + 997);
    assert.ok(Math.abs(day.totals.corrected.totalCost - day.totals.totalCost - (994 * SONNET_OUT) / 1e9) < 1e-12);
    assert.equal(day.daily[0].corrected.outputTokens, day.totals.corrected.outputTokens);
    assert.equal(day.daily[0].modelBreakdowns[0].outputTokens, 185);
    assert.equal(day.daily[0].corrected.modelBreakdowns[0].outputTokens, 1179);
    ledger.close();
  });

  test('several cost-state snapshots above the transcript, the last largest, with an auxiliary Haiku only in cost-state', async () => {
    const root = configDir({
      'p/sess-2.jsonl': jsonl([
        user('refactor', { sessionId: 'sess-2', entrypoint: 'cli' }),
        assistant({ sessionId: 'sess-2', messageId: 'm1', input: 10, output: 100, cacheRead: 1000, entrypoint: 'cli', timestamp: '2026-11-20T10:00:00.000Z' }),
        costState('sess-2', { [SONNET]: { input: 10, output: 50, cacheRead: 1000, costUSD: 0.01 }, [HAIKU]: { input: 100, output: 10, costUSD: 0.0002 } }),
        assistant({ sessionId: 'sess-2', messageId: 'm2', input: 10, output: 5, cacheRead: 1000, stopReason: null, content: [{ type: 'text', text: text(600) }], entrypoint: 'cli', timestamp: '2026-11-20T10:01:00.000Z' }),
        costState('sess-2', { [SONNET]: { input: 20, output: 300, cacheRead: 2000, costUSD: 0.02 }, [HAIKU]: { input: 200, output: 20, costUSD: 0.0003 } }),
        assistant({ sessionId: 'sess-2', messageId: 'm3', input: 10, output: 5, cacheRead: 1000, stopReason: null, content: [{ type: 'text', text: text(1800) }], entrypoint: 'cli', timestamp: '2026-11-20T10:02:00.000Z' }),
        costState('sess-2', { [SONNET]: { input: 30, output: 510, cacheRead: 3000, costUSD: 0.0174 }, [HAIKU]: { input: 400, output: 40, costUSD: 0.0006 } }),
      ]),
    });
    const ledger = await ingest(root);
    correct(ledger, root);
    const rows = corrections(ledger);
    const by = (key: string): Row | undefined => rows.find((r) => r.key === key);
    assert.equal(by('m1:req_m1'), undefined, 'a request with stop_reason is final');
    assert.equal(by('m2:req_m2')!.output, 100);
    assert.equal(by('m3:req_m3')!.output, 300);
    assert.equal(by('m2:req_m2')!.source, 'cost-state');
    const own = by(`own:sess-2:${HAIKU}`)!;
    assert.equal(own.own_row, 1);
    assert.equal(own.input, 400);
    assert.equal(own.output, 40);
    assert.equal(own.cost_nanos, 400 * 1000 + 40 * 5000);
    assert.ok(!rows.some((r) => r.source === 'estimate'));
    // corrected sonnet output equals the last (largest) snapshot
    const rep = sessionReport(ledger.db, { timezone: 'UTC' });
    const s = rep.sessions[0];
    assert.equal(s.corrected.modelBreakdowns.find((m) => m.modelName === SONNET)!.outputTokens, 510);
    assert.equal(s.corrected.modelBreakdowns.find((m) => m.modelName === HAIKU)!.inputTokens, 400);
    assert.deepEqual(s.modelsUsed, [SONNET], 'ccusage fields: only what the transcript recorded');
    assert.equal(s.requests, 3);
    // the row of its own is a spend row: nothing recorded, all corrected
    const ownSpend = spendRows(ledger.db, 0).get(`own:sess-2:${HAIKU}`)!;
    assert.deepEqual([ownSpend.sessionId, ownSpend.costNanos, ownSpend.correctedCostNanos, ownSpend.timestamp], ['sess-2', 0, 600_000, Date.parse('2026-11-20T10:02:00.000Z')]);
    // the accuracy report names the rule and Claude Code's own cost
    const acc = accuracyReport(ledger.db, new Map());
    const sess = acc.sessions[0];
    assert.equal(sess.record!.origin, 'cost-state line');
    assert.ok(Math.abs(sess.record!.totalCostUsd! - 0.018) < 1e-12);
    const haiku = sess.models.find((m) => m.model === HAIKU)!;
    assert.equal(haiku.recorded.costNanos, 0);
    assert.equal(haiku.corrected.costNanos, 600_000);
    assert.equal(haiku.claudeCode!.costUsd, 0.0006);
    assert.deepEqual(haiku.moved.map((m) => [m.source, m.ownRow]), [['cost-state', true]]);
    assert.equal(acc.totals.bySource['cost-state'].output, 400 + 40);
    ledger.close();
  });

  test('a lagging cost-state below the transcript: nothing lowered, nothing estimated past it', async () => {
    const root = configDir({
      'p/sess-3.jsonl': jsonl([
        costState('sess-3', { [SONNET]: { input: 5, output: 60, cacheRead: 500 } }),
        assistant({ sessionId: 'sess-3', messageId: 'm1', input: 10, output: 100, cacheRead: 1000 }),
        assistant({ sessionId: 'sess-3', messageId: 'm2', input: 10, output: 5, cacheRead: 1000, stopReason: null, content: [{ type: 'text', text: text(1200) }] }),
      ]),
    });
    const ledger = await ingest(root);
    correct(ledger, root);
    assert.deepEqual(corrections(ledger), []);
    const day = dailyReport(ledger.db, { timezone: 'UTC' });
    assert.equal(day.totals.corrected.outputTokens, day.totals.outputTokens);
    assert.equal(day.totals.corrected.totalCost, day.totals.totalCost);
    ledger.close();
  });

  test('a request estimated from its content and one left alone', async () => {
    const root = configDir({
      'p/sess-4.jsonl': jsonl([
        assistant({ sessionId: 'sess-4', messageId: 'm1', input: 10, output: 3, stopReason: null, content: [{ type: 'text', text: text(1000) }, { type: 'tool_use', id: 'toolu_1', name: 'Write', input: { content: text(188) } }] }),
        assistant({ sessionId: 'sess-4', messageId: 'm2', input: 10, output: 400, stopReason: null, content: [{ type: 'text', text: text(600) }] }),
        assistant({ sessionId: 'sess-4', messageId: 'm3', input: 10, output: 1, content: [{ type: 'text', text: text(6000) }] }),
      ]),
    });
    const ledger = await ingest(root);
    correct(ledger, root);
    const rows = corrections(ledger);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].key, 'm1:req_m1');
    assert.equal(rows[0].source, 'estimate');
    assert.equal(rows[0].output, 200 - 3, '1,200 characters at 6 a token');
    ledger.close();
  });

  test('a schema-1 ledger is migrated and corrected on its next update', async () => {
    const root = configDir(subagentSession());
    const file = path.join(tempDir('cl-db-'), 'old.sqlite');
    const l1 = await Ledger.open({ file, pricer });
    l1.ingest(resolveConfigDirs([root]));
    l1.db.run("DROP TABLE corrections; DROP TABLE own_records; UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    l1.setMeta('schema_version', '1');
    l1.save();
    l1.close();
    const l2 = await Ledger.open({ file, pricer });
    assert.equal(l2.meta('schema_version'), String(SCHEMA_VERSION));
    assert.equal(corrections(l2).length, 0);
    const upd = correct(l2, root);
    assert.ok(upd.all);
    assert.equal(corrections(l2).length, 1);
    l2.close();
  });
});

describe('corrections in the meter', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');

  async function meterOver(root: string, home: string, flags = {}): Promise<Meter> {
    return Meter.open({ paths: userPaths({ CREDIT_LEDGER_HOME: home }), settings: { plan: 'pro', timezone: 'UTC', cycleDay: 1 }, configDirs: [root], writesSnapshot: false, clock: () => now, flags });
  }

  test('a fork of an interactive session into an sdk-cli file: counted once, attributed to the original, not covered by the credit', async () => {
    const orig = 'orig-1';
    const fork = 'fork-1';
    const copied = (sessionId: string, entrypoint: string): Record<string, unknown>[] => [
      user('plan the migration', { sessionId, entrypoint }),
      assistant({ sessionId, entrypoint, messageId: 'm1', input: 100, output: 50, cacheRead: 5000, timestamp: '2026-11-20T10:00:00.000Z', uuid: 'u-1' }),
      assistant({ sessionId, entrypoint, messageId: 'm2', input: 100, output: 2, cacheRead: 5000, stopReason: null, content: [{ type: 'text', text: text(1200) }], timestamp: '2026-11-20T10:01:00.000Z', uuid: 'u-2' }),
    ];
    const root = configDir({
      'p/orig-1.jsonl': jsonl(copied(orig, 'cli')),
      'p/fork-1.jsonl': jsonl([
        queueOperation(fork),
        ...copied(fork, 'sdk-cli'),
        user('now write it', { sessionId: fork, entrypoint: 'sdk-cli' }),
        assistant({ sessionId: fork, entrypoint: 'sdk-cli', messageId: 'm3', input: 200, output: 10, cacheRead: 6000, stopReason: null, content: [{ type: 'text', text: text(60) }], timestamp: '2026-11-21T09:00:00.000Z' }),
      ]),
    });
    const home = tempDir('cl-home-');
    // the fork's own `claude -p` result: it made only m3 (the copies were not its requests)
    appendFact(userPaths({ CREDIT_LEDGER_HOME: home }).journal, runFact(fork, { [SONNET]: { input: 200, output: 410, cacheRead: 6000, costUSD: 0.0078 } }));
    const meter = await meterOver(root, home);
    try {
      const u = meter.refresh();
      const owners = meter.ledger.db.exec('SELECT key, session_id FROM requests ORDER BY key')[0].values;
      assert.deepEqual(owners, [['m1:req_m1', orig], ['m2:req_m2', orig], ['m3:req_m3', fork]], 'each request once, the copies with the session that made them');
      const rows = corrections(meter.ledger);
      assert.deepEqual(rows.map((r) => [r.key, r.session_id, r.source, r.output]), [['m2:req_m2', orig, 'estimate', 198], ['m3:req_m3', fork, 'claude-p-result', 400]]);
      const b = u.balance;
      assert.deepEqual(b.covered.map((s) => s.sessionId), [fork]);
      assert.deepEqual(b.excluded.map((s) => s.sessionId), [orig]);
      const m3 = pricer.price({ model: SONNET, timestamp: 0, input: 200, output: 10, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 6000, webSearches: 0, speed: '', inferenceGeo: '' }).costNanos;
      assert.equal(b.recordedSpentNanos, m3);
      assert.equal(b.correctedSpentNanos, m3 + 400 * SONNET_OUT);
      assert.equal(b.spentNanos, b.correctedSpentNanos, 'corrected is the default basis');
      const both = meter.sessionSpend(b.cycle.start, b.cycle.end);
      assert.deepEqual(both.get(fork), { recordedNanos: m3, correctedNanos: m3 + 400 * SONNET_OUT });
    } finally {
      meter.close();
    }
    const recorded = await meterOver(root, home, { basis: 'recorded' });
    try {
      const b = recorded.refresh().balance;
      assert.equal(b.spentNanos, b.recordedSpentNanos);
      assert.ok(b.correctedSpentNanos > b.recordedSpentNanos);
    } finally {
      recorded.close();
    }
  });

  test('incremental: only the sessions an update changed, including cost-state lines and subagent files', async () => {
    const root = configDir({ ...subagentSession(), 'q/other.jsonl': jsonl([assistant({ sessionId: 'other', messageId: 'o1', output: 1, stopReason: null, content: [{ type: 'text', text: text(600) }] })]) });
    const home = tempDir('cl-home-');
    const meter = await meterOver(root, home);
    try {
      const first = meter.refresh();
      assert.equal(first.corrections!.all, true);
      const idle = meter.refresh();
      assert.equal(idle.corrections!.sessions, 0, 'nothing new: nothing recomputed');
      assert.equal(idle.corrections!.changedKeys.length, 0);
      // a cost-state line appended at exit
      fs.appendFileSync(path.join(root, 'projects', 'p', 'sess-1.jsonl'), jsonl([costState('sess-1', { [SONNET]: { input: 57, output: 1500, cacheRead: 26000, cacheWrite: 3500 }, [HAIKU]: { input: 300, output: 30 } })]));
      const cs = meter.refresh();
      assert.deepEqual(cs.ingest.changedSessions, ['sess-1'], 'the ingest names the session of a cost-state line');
      assert.equal(cs.corrections!.all, false);
      assert.equal(cs.corrections!.sessions, 1);
      assert.ok(corrections(meter.ledger).some((r) => r.key === `own:sess-1:${HAIKU}`));
      assert.ok(cs.balance.correctedSpentNanos >= 0);
      // a subagent file written to on its own
      fs.appendFileSync(path.join(root, 'projects', 'p', 'sess-1', 'subagents', 'agent-a1.jsonl'), jsonl([subagentRequest({ agentId: 'a1', messageId: 's3', output: 1, content: [{ type: 'text', text: text(900) }], timestamp: '2026-11-20T10:04:30.000Z' })]));
      const sub = meter.refresh();
      assert.equal(sub.corrections!.sessions, 1);
      assert.ok(sub.corrections!.changedKeys.includes('s3:req_s3'));
      // a new `claude -p` result in the journal
      appendFact(userPaths({ CREDIT_LEDGER_HOME: home }).journal, runFact('other', { [SONNET]: { input: 0, output: 900, cacheRead: 0 } }));
      const run = meter.refresh();
      assert.equal(run.corrections!.sessions, 1);
      assert.deepEqual(corrections(meter.ledger).filter((r) => r.session_id === 'other').map((r) => [r.source, r.output]), [['claude-p-result', 899]]);
    } finally {
      meter.close();
    }
  });

  test('~/.claude.json: the last session\'s totals, read-only, kept after the file moves on to the next session', async () => {
    const root = configDir({ 'p/s-json.jsonl': jsonl([assistant({ sessionId: 's-json', messageId: 'j1', input: 10, output: 4, cacheRead: 100, stopReason: null, content: [{ type: 'text', text: text(30) }] })]) });
    const home = tempDir('cl-home-');
    const cfg = path.join(root, '.claude.json');
    fs.writeFileSync(cfg, JSON.stringify(claudeJson('/home/dev/project', 's-json', { [SONNET]: { input: 10, output: 204, cacheRead: 100, costUSD: 0.0031 }, [HAIKU]: { input: 50, output: 5, costUSD: 0.000075 } })));
    const before = fs.readFileSync(cfg, 'utf8');
    const meter = await meterOver(root, home);
    try {
      meter.refresh();
      const rows = corrections(meter.ledger);
      assert.deepEqual(rows.map((r) => [r.key, r.source, r.output]), [['j1:req_j1', 'cost-state', 200], [`own:s-json:${HAIKU}`, 'cost-state', 5]]);
      assert.match(rows[1].detail, /\.claude\.json/, "a row of its own says which record it came from");
      assert.equal(fs.readFileSync(cfg, 'utf8'), before, 'read-only');
      // the next session in that project replaces the last* fields; ours keeps what it saw
      fs.writeFileSync(cfg, JSON.stringify(claudeJson('/home/dev/project', 'someone-else', { [SONNET]: { input: 1, output: 1 } })));
      fs.utimesSync(cfg, new Date(), new Date(Date.now() + 5000));
      meter.refresh();
      assert.deepEqual(corrections(meter.ledger).map((r) => r.output), [200, 5]);
    } finally {
      meter.close();
    }
  });
});

describe('the corpus', { skip: hasCorpus ? false : `no corpus at ${corpus}` }, () => {
  test('Task results recover 997 and 3,130 output tokens in spotter; nothing is lowered', async () => {
    const ledger = await ingest(corpus);
    correct(ledger, corpus);
    const rows = corrections(ledger);
    assert.ok(rows.every((r) => r.output >= 0 && r.input >= 0 && r.cost_nanos >= 0));
    const task = ledger.db.exec("SELECT r.output + c.output FROM corrections c JOIN requests r ON r.key = c.key WHERE c.source = 'task-result' AND r.project_key = 'spotter' ORDER BY 1")[0].values.map((v) => Number(v[0]));
    assert.deepEqual(task, [997, 3130]);
    const acc = accuracyReport(ledger.db, runRecords([]));
    assert.ok(acc.totals.corrected.costNanos > acc.totals.recorded.costNanos);
    for (const s of acc.sessions) assert.ok(s.corrected.costNanos >= s.recorded.costNanos);
    assert.equal(acc.totals.recorded.costNanos, Math.round(dailyReport(ledger.db, { timezone: 'UTC' }).totals.totalCost * 1e9));
    ledger.close();
  });
});

describe('credit-ledger accuracy', () => {
  const cli = path.resolve(__dirname, '../../dist/cli.js');
  test('--json: per session and model, recorded vs corrected vs Claude Code, and the rule', { skip: fs.existsSync(cli) ? false : 'dist/cli.js not built' }, () => {
    const root = configDir(subagentSession());
    writeProjectFile(root, 'p/sess-1.jsonl', fs.readFileSync(path.join(root, 'projects', 'p', 'sess-1.jsonl'), 'utf8') + jsonl([costState('sess-1', { [SONNET]: { input: 55, output: 1182, cacheRead: 26000, cacheWrite: 3500, costUSD: 0.05 } })]));
    const home = tempDir('cl-home-');
    const r = spawnSync(process.execPath, [cli, 'accuracy', '--json', '--config-dir', root, '--timezone', 'UTC'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home } });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const s = out.sessions[0];
    assert.equal(s.sessionId, 'sess-1');
    assert.equal(s.claudeCodeRecord.totalCostUSD, 0.05);
    const m = s.models[0];
    assert.equal(m.recorded.outputTokens, 185);
    assert.equal(m.corrected.outputTokens, 1182);
    assert.equal(m.claudeCode.outputTokens, 1182);
    assert.deepEqual(m.movedBy.map((x: { rule: string; outputTokens: number }) => [x.rule, x.outputTokens]), [['task-result', 994], ['cost-state', 3]]);
    const table = spawnSync(process.execPath, [cli, 'accuracy', '--config-dir', root, '--no-color'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home } });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /task-result ×1 \+994 out/);
    const daily = spawnSync(process.execPath, [cli, 'daily', '--config-dir', root, '--no-color'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, CREDIT_LEDGER_HOME: home } });
    assert.match(daily.stdout.split('\n')[2], /Cost\s+Corrected/);
  });
});
