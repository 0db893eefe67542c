import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Ledger } from '../../src/core/ledger/ledger';
import { sessionFacts, spendRows } from '../../src/core/meter/ledgerRows';
import { computeBalance } from '../../src/core/pool/balance';
import { overrideFact, reconcileFact } from '../../src/core/pool/facts';
import { POLICY_STATUS } from '../../src/core/pool/plans';
import type { PoolSettings } from '../../src/core/pool/types';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { buildPanelModel, type PanelModel } from '../../src/core/reports/panelModel';
import type { Fact } from '../../src/core/state/journal';
import { resolveConfigDirs } from '../../src/core/transcripts/discovery';
import { filterSessions, sortSessions } from '../../src/webview/sessions';
import { groupWhatIf } from '../../src/webview/models';
import { correctionSentence } from '../../src/webview/format';
import { DEFAULT_FILTER } from '../../src/webview/protocol';
import { assistant, configDir, jsonl, queueOperation, user, poolSettings, type AssistantSpec } from './builders';

const USD = 1_000_000_000;
const pricer = createPricer(loadRateCard());
const NOW = Date.parse('2026-11-20T12:00:00Z');
const WORKSPACE = '/home/dev/alpha';

const settings = (over: Partial<PoolSettings> = {}): PoolSettings => poolSettings({ overage: 'stop', basis: 'recorded', ...over });

const line = (sessionId: string, cwd: string, spec: Omit<AssistantSpec, 'sessionId' | 'cwd'>): Record<string, unknown> => assistant({ sessionId, cwd, ...spec });
const prompt = (sessionId: string, cwd: string, text: string, timestamp: string): Record<string, unknown> => user(text, { sessionId, cwd, timestamp });

/**
 * Three sessions in the cycle (Nov 2026, UTC) and one in the cycle before:
 *  - h1: `claude -p` in the workspace, Sonnet 4.5, two turns on Nov 18 (one long-context) and web searches;
 *  - i1: interactive in the workspace, Opus 4.6, one turn on Nov 19;
 *  - h2: headless by queue-operation (no entrypoint) in another project, Haiku 4.5 + an unknown model, Nov 20;
 *  - old: headless, Oct 20 (past cycle).
 */
function fixture(): string {
  const alpha = WORKSPACE;
  const beta = '/home/dev/beta';
  return configDir({
    '-home-dev-alpha/h1.jsonl': jsonl([
      prompt('h1', alpha, 'Summarize the nightly build <b>log</b>', '2026-11-18T08:59:00.000Z'),
      line('h1', alpha, { messageId: 'h1a', entrypoint: 'sdk-cli', model: 'claude-sonnet-4-5-20250929', timestamp: '2026-11-18T09:00:00.000Z', input: 100_000, output: 20_000, cacheRead: 890_000, write5m: 50_000 }),
      line('h1', alpha, { messageId: 'h1b', entrypoint: 'sdk-cli', model: 'claude-sonnet-4-5-20250929', timestamp: '2026-11-18T10:30:00.000Z', input: 10, output: 1_000, cacheRead: 190_000, write5m: 20_000, webSearches: 3 }),
    ]),
    '-home-dev-alpha/i1.jsonl': jsonl([
      prompt('i1', alpha, 'Refactor the parser', '2026-11-19T13:59:00.000Z'),
      line('i1', alpha, { messageId: 'i1a', entrypoint: 'cli', model: 'claude-opus-4-6', timestamp: '2026-11-19T14:00:00.000Z', input: 2_000, output: 4_000, cacheRead: 0, write1h: 8_000 }),
    ]),
    '-home-dev-beta/h2.jsonl': jsonl([
      queueOperation('h2'),
      prompt('h2', beta, 'Triage new issues', '2026-11-20T06:59:00.000Z'),
      line('h2', beta, { messageId: 'h2a', model: 'claude-haiku-4-5', timestamp: '2026-11-20T07:00:00.000Z', input: 204_000, output: 60_000 }),
      line('h2', beta, { messageId: 'h2b', model: 'claude-future-9', timestamp: '2026-11-20T07:05:00.000Z', input: 500, output: 500 }),
    ]),
    '-home-dev-beta/old.jsonl': jsonl([
      line('old', beta, { messageId: 'o1', entrypoint: 'sdk-py', model: 'claude-haiku-4-5', timestamp: '2026-10-20T07:00:00.000Z', input: 250_000, output: 0 }),
    ]),
  });
}

interface Built {
  model: PanelModel;
  ledger: Ledger;
  root: string;
}

async function build(opts: { settings?: Partial<PoolSettings>; facts?: Fact[]; allowLabels?: boolean; workspace?: string | null; now?: number } = {}): Promise<Built> {
  const root = fixture();
  const allowLabels = opts.allowLabels ?? true;
  const ledger = await Ledger.open({ pricer, allowLabels });
  ledger.ingest(resolveConfigDirs([root]));
  const now = opts.now ?? NOW;
  const s = settings(opts.settings);
  const balance = computeBalance({ settings: s, rows: [...spendRows(ledger.db, 0).values()], sessions: sessionFacts(ledger.db), facts: opts.facts ?? [] }, now);
  const model = buildPanelModel({ db: ledger.db, balance, pricer, timezone: s.timezone, workspaceCwd: opts.workspace === undefined ? WORKSPACE : opts.workspace, allowLabels, now, facts: opts.facts });
  return { model, ledger, root };
}

let n = 0;
const fact = (body: Record<string, unknown>, at = '2026-11-19T00:00:00Z'): Fact => ({ id: `f${++n}`, at, kind: String(body.kind), ...body });

// Expected costs, by hand from the rate card (nanodollars per token = USD per million × 1000).
// Both h1 turns have prompts over 200K tokens: Sonnet 4.5 bills the whole request at the long-context rates.
const H1A_LONG = 100_000 * 6_000 + 20_000 * 22_500 + 890_000 * 600 + 50_000 * 7_500;
const H1B_LONG = 10 * 6_000 + 1_000 * 22_500 + 190_000 * 600 + 20_000 * 7_500 + 3 * 10_000_000;
const I1A = 2_000 * 5_000 + 4_000 * 25_000 + 8_000 * 10_000; // Opus 4.6, 1h writes
const H2A = 204_000 * 1_000 + 60_000 * 5_000; // Haiku 4.5 (264K: its 200K window + 64K output, the most one request can carry)

describe('buildPanelModel', () => {
  it('carries the plan, the policy status and the balance of the cycle', async () => {
    const { model: m } = await build();
    assert.equal(m.version, 1);
    assert.equal(m.plan.set, true);
    assert.equal(m.plan.label, 'Max 5x');
    assert.equal(m.policyStatus, POLICY_STATUS);
    assert.match(m.policyStatus, /paused/);
    assert.equal(m.cycle.label, '2026-11-01 – 2026-11-30');
    // Covered: h1 (sdk-cli) and h2 (queue-operation); i1 is interactive.
    assert.equal(m.balance.spentNanos, H1A_LONG + H1B_LONG + H2A);
    assert.equal(m.balance.allotmentNanos, 100 * USD);
    assert.equal(m.balance.remainingNanos, 100 * USD - (H1A_LONG + H1B_LONG + H2A));
    assert.equal(m.balance.unpricedCount, 1);
    assert.equal(m.balance.remainingIsUpperBound, true);
    assert.ok(m.notices.some((x) => /no price/.test(x)));
    // 19.5 of 30 days gone.
    assert.equal(m.balance.evenPaceSpentNanos, Math.round(100 * USD * (19.5 / 30)));
    assert.deepEqual(m.pastCycles.map((c) => [c.label, c.spentNanos]), [
      ['2026-10-01 – 2026-10-31', 250_000 * 1_000],
      ['2026-09-01 – 2026-09-30', 0],
      ['2026-08-01 – 2026-08-31', 0],
    ]);
    // Plain JSON: survives a postMessage round trip unchanged.
    assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
  });

  it('lists the cycle\'s sessions with cost, turns, tokens, cache hit ratio, surface and coverage', async () => {
    const { model: m, root } = await build();
    assert.deepEqual(m.sessions.map((s) => s.sessionId), ['h2', 'i1', 'h1']);
    const h1 = m.sessions.find((s) => s.sessionId === 'h1')!;
    assert.equal(h1.costNanos, H1A_LONG + H1B_LONG);
    assert.equal(h1.requests, 2);
    assert.deepEqual(h1.tokens, { input: 100_010, output: 21_000, cacheWrite: 70_000, cacheRead: 1_080_000 });
    assert.equal(h1.cacheHitRatio, 1_080_000 / (100_010 + 70_000 + 1_080_000));
    assert.equal(h1.surface, 'headless');
    assert.equal(h1.covered, true);
    assert.equal(h1.entrypoint, 'sdk-cli');
    assert.equal(h1.inWorkspace, true);
    assert.equal(h1.cwd, WORKSPACE);
    assert.equal(h1.override, null);
    assert.deepEqual(h1.models, ['claude-sonnet-4-5']);
    assert.equal(h1.transcriptPath, path.join(root, 'projects', '-home-dev-alpha', 'h1.jsonl'));
    assert.equal(h1.firstTs, Date.parse('2026-11-18T09:00:00Z'));
    assert.equal(h1.lastTs, Date.parse('2026-11-18T10:30:00Z'));

    const i1 = m.sessions.find((s) => s.sessionId === 'i1')!;
    assert.equal(i1.surface, 'interactive');
    assert.equal(i1.covered, false);
    assert.equal(i1.costNanos, I1A);
    assert.equal(i1.cacheHitRatio, 0);
    assert.match(i1.reason, /interactive/);

    const h2 = m.sessions.find((s) => s.sessionId === 'h2')!;
    assert.equal(h2.surface, 'headless');
    assert.equal(h2.covered, true);
    assert.equal(h2.inWorkspace, false);
    assert.equal(h2.unpricedRequests, 1);
    assert.deepEqual(h2.models, ['claude-haiku-4-5', 'claude-future-9']);
    assert.equal(h2.costNanos, H2A);
    // The old session is in a past cycle: not listed.
    assert.equal(m.sessions.some((s) => s.sessionId === 'old'), false);
  });

  it('gives first-prompt labels only when labels are allowed, as plain text', async () => {
    const withLabels = (await build({ allowLabels: true })).model;
    const label = withLabels.sessions.find((s) => s.sessionId === 'h1')!.label;
    assert.ok(label && label.includes('Summarize the nightly build'), `label: ${label}`);
    const without = (await build({ allowLabels: false })).model;
    assert.ok(without.sessions.every((s) => s.label === null));
    assert.equal(without.allowLabels, false);
  });

  it('shows overrides from the journal and their effect on coverage', async () => {
    const { model: m } = await build({ facts: [fact(overrideFact('session', 'h1', 'never')), fact(overrideFact('session', 'i1', 'count'))] });
    const h1 = m.sessions.find((s) => s.sessionId === 'h1')!;
    const i1 = m.sessions.find((s) => s.sessionId === 'i1')!;
    assert.deepEqual(h1.override, { mode: 'never', target: 'session' });
    assert.equal(h1.covered, false);
    assert.deepEqual(i1.override, { mode: 'count', target: 'session' });
    assert.equal(i1.covered, true);
    assert.equal(m.balance.spentNanos, I1A + H2A);
    const byProject = (await build({ facts: [fact(overrideFact('project', '-home-dev-beta', 'never'))] })).model;
    assert.deepEqual(byProject.sessions.find((s) => s.sessionId === 'h2')!.override, { mode: 'never', target: 'project' });
  });

  it('splits daily spend by model, all usage and counted', async () => {
    const { model: m } = await build();
    assert.equal(m.daily.days.length, 20);
    assert.equal(m.daily.days[0], '2026-11-01');
    assert.equal(m.daily.days[19], '2026-11-20');
    assert.equal(m.daily.dayStarts[0], Date.parse('2026-11-01T00:00:00Z'));
    const series = new Map(m.daily.series.map((s) => [s.model, s]));
    assert.deepEqual([...series.keys()], ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-6', 'claude-future-9']);
    assert.equal(series.get('claude-sonnet-4-5')!.allNanos[17], H1A_LONG + H1B_LONG);
    assert.equal(series.get('claude-opus-4-6')!.allNanos[18], I1A);
    assert.equal(series.get('claude-opus-4-6')!.coveredNanos[18], 0);
    assert.equal(series.get('claude-haiku-4-5')!.coveredNanos[19], H2A);
    const total = m.daily.series.reduce((s, x) => s + x.allNanos.reduce((a, b) => a + b, 0), 0);
    assert.equal(total, H1A_LONG + H1B_LONG + I1A + H2A);

    const split = new Map(m.models.map((x) => [x.model, x]));
    assert.equal(split.get('claude-sonnet-4-5')!.requests, 2);
    assert.equal(split.get('claude-opus-4-6')!.coveredNanos, 0);
    assert.equal(split.get('claude-future-9')!.unpricedRequests, 1);
    assert.equal(split.get('claude-future-9')!.allNanos, 0);
  });

  it('groups days in the cycle\'s time zone', async () => {
    // 2026-11-20T07:00Z is still Nov 19 in Los Angeles (UTC−8).
    const { model: m } = await build({ settings: { timezone: 'America/Los_Angeles' } });
    const haiku = m.daily.series.find((s) => s.model === 'claude-haiku-4-5')!;
    const i = m.daily.days.indexOf('2026-11-19');
    assert.ok(i >= 0);
    assert.equal(haiku.allNanos[i], H2A);
    assert.equal(m.daily.dayStarts[0], Date.parse('2026-11-01T07:00:00Z'));
  });

  it('draws the burn-down from the allotment to the balance, with a projection at the 7-day rate', async () => {
    const { model: m } = await build();
    const b = m.burnDown;
    assert.equal(b.start, Date.parse('2026-11-01T00:00:00Z'));
    assert.equal(b.end, Date.parse('2026-12-01T00:00:00Z'));
    assert.equal(b.now, NOW);
    assert.deepEqual(b.actual[0], { t: b.start, spentNanos: 0, remainingNanos: 100 * USD });
    const last = b.actual[b.actual.length - 1];
    assert.deepEqual(last, { t: NOW, spentNanos: m.balance.spentNanos, remainingNanos: m.balance.balanceNanos });
    // Hourly steps where covered spend happened: Nov 18 09h, 10h and Nov 20 07h (h1's two turns, h2).
    assert.deepEqual(b.actual.slice(1, -1).map((p) => [new Date(p.t).toISOString(), p.spentNanos]), [
      ['2026-11-18T10:00:00.000Z', H1A_LONG],
      ['2026-11-18T11:00:00.000Z', H1A_LONG + H1B_LONG],
      ['2026-11-20T08:00:00.000Z', H1A_LONG + H1B_LONG + H2A],
    ]);
    for (let i = 1; i < b.actual.length; i++) assert.ok(b.actual[i].t >= b.actual[i - 1].t, 'time order');
    assert.equal(b.projection.length, 2);
    assert.deepEqual(b.projection[0], last);
    const rate = m.balance.trailing7dPerDayNanos;
    assert.ok(rate > 0);
    // $100 lasts the cycle at this rate: the projection runs to the end.
    assert.equal(b.projection[1].t, b.end);
    assert.equal(b.projection[1].spentNanos, Math.round(m.balance.spentNanos + (rate * (b.end - NOW)) / 86_400_000));
    assert.equal(b.projection[1].remainingNanos, m.balance.balanceNanos! - (b.projection[1].spentNanos - m.balance.spentNanos));
  });

  it('projects the run-out when the credit will not last', async () => {
    const { model: m } = await build({ settings: { plan: 'custom', amountUsd: 5 } });
    const b = m.burnDown;
    assert.equal(b.allotmentNanos, 5 * USD);
    assert.equal(b.projection.length, 2);
    assert.ok(b.projection[1].t < b.end);
    // The run-out is the local (UTC) hour in which the projection meets zero.
    assert.equal(m.balance.projectedRunOutAt, Math.floor(b.projection[1].t / 3_600_000) * 3_600_000);
    assert.ok(Math.abs(b.projection[1].remainingNanos!) <= 1, `ends at zero: ${b.projection[1].remainingNanos}`);
  });

  it('steps the remaining line at a reconcile figure', async () => {
    const { model: m } = await build({ facts: [fact(reconcileFact(90, Date.parse('2026-11-19T00:00:00Z')))] });
    assert.ok(m.balance.reconcile);
    assert.equal(m.balance.reconcile!.figureNanos, 90 * USD);
    const b = m.burnDown;
    assert.equal(b.actual[b.actual.length - 1].remainingNanos, 90 * USD - H2A);
    // Before the reconcile the line still comes down from the allotment.
    assert.equal(b.actual[2].remainingNanos, 100 * USD - H1A_LONG - H1B_LONG);
  });

  it('without a plan: spend only, no remaining, no even pace', async () => {
    const { model: m } = await build({ settings: { plan: null } });
    assert.equal(m.plan.set, false);
    assert.equal(m.plan.label, 'Plan not set');
    assert.equal(m.balance.allotmentNanos, null);
    assert.equal(m.balance.remainingNanos, null);
    assert.equal(m.balance.evenPaceSpentNanos, null);
    assert.ok(m.burnDown.actual.every((p) => p.remainingNanos === null));
    assert.equal(m.burnDown.actual[m.burnDown.actual.length - 1].spentNanos, H1A_LONG + H1B_LONG + H2A);
    assert.equal(m.burnDown.projection[1].t, m.burnDown.end);
  });

  it('reprices the cycle on every model of the rate card exactly as the pricer would, request by request', async () => {
    const { model: m, ledger } = await build();
    const w = m.whatIf;
    assert.equal(w.rateCardAsOf, pricer.asOf);
    assert.equal(w.actual.allNanos, H1A_LONG + H1B_LONG + I1A + H2A);
    assert.equal(w.actual.coveredNanos, H1A_LONG + H1B_LONG + H2A);
    assert.equal(w.unpricedRequests, 1);
    assert.equal(w.rows.length, pricer.models.length);
    for (let i = 1; i < w.rows.length; i++) assert.ok(w.rows[i - 1].allNanos <= w.rows[i].allNanos, 'cheapest first');
    // Brute force: price each request of the cycle on each model at `now`.
    const r = ledger.db.exec(`SELECT session_id, input, output, cw5m, cw1h, cr, web_search FROM requests WHERE ts >= ? AND ts <= ?`, [m.cycle.start, NOW]);
    const covered = new Set(['h1', 'h2']);
    for (const row of w.rows) {
      let all = 0;
      let cov = 0;
      for (const v of r[0].values) {
        const p = pricer.price({ model: row.model, timestamp: NOW, input: Number(v[1]), output: Number(v[2]), cacheWrite5m: Number(v[3]), cacheWrite1h: Number(v[4]), cacheRead: Number(v[5]), webSearches: Number(v[6]), speed: '', inferenceGeo: '' });
        all += p.costNanos;
        if (covered.has(String(v[0]))) cov += p.costNanos;
      }
      assert.equal(row.allNanos, all, `${row.model} all`);
      assert.equal(row.coveredNanos, cov, `${row.model} covered`);
    }
    const sonnet = w.rows.find((x) => x.model === 'claude-sonnet-4-5')!;
    assert.equal(sonnet.coveredNanos - H2A_ON_SONNET, H1A_LONG + H1B_LONG); // h1 ran on Sonnet 4.5: same cost
    const sonnet46 = w.rows.find((x) => x.model === 'claude-sonnet-4-6')!;
    assert.ok(sonnet46.allNanos < sonnet.allNanos, 'Sonnet 4.6 has no long-context premium any more');
    assert.equal(w.rows.find((x) => x.model === 'claude-opus-5-5')!.verified, true, 'checked against the pricing page 2026-12-06');
    // Opus 4.5 to 4.8 price alike: the panel shows them as one row.
    const grouped = groupWhatIf(w.rows);
    assert.ok(grouped.some((g) => ['claude-opus-4-5', 'claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-8'].every((x) => g.models.includes(x))));
  });

  it('an empty ledger gives an empty but complete model', async () => {
    const ledger = await Ledger.open({ pricer });
    const s = settings();
    const balance = computeBalance({ settings: s, rows: [], sessions: [], facts: [] }, NOW);
    const m = buildPanelModel({ db: ledger.db, balance, pricer, timezone: 'UTC', allowLabels: false, now: NOW, notices: ['Reading transcripts…'] });
    assert.deepEqual(m.sessions, []);
    assert.deepEqual(m.models, []);
    assert.equal(m.daily.days.length, 20);
    assert.deepEqual(m.daily.series, []);
    assert.equal(m.burnDown.actual.length, 2);
    assert.deepEqual(m.burnDown.projection, []);
    assert.ok(m.whatIf.rows.every((r) => r.allNanos === 0));
    assert.deepEqual(m.notices, ['Reading transcripts…']);
    assert.equal(m.workspace.cwd, null);
  });

  it('workspace matching takes sub-folders and ignores a trailing slash; no workspace means none match', async () => {
    const sub = (await build({ workspace: '/home/dev/' })).model;
    assert.ok(sub.sessions.every((s) => s.inWorkspace));
    const similar = (await build({ workspace: '/home/dev/alph' })).model;
    assert.ok(similar.sessions.every((s) => !s.inWorkspace));
    const none = (await build({ workspace: null })).model;
    assert.ok(none.sessions.every((s) => !s.inWorkspace));
  });
});

// h2's Haiku turn repriced on Sonnet 4.5 (204K prompt: long context), plus its unknown-model turn.
const H2A_ON_SONNET = 204_000 * 6_000 + 60_000 * 22_500 + 500 * 3_000 + 500 * 15_000;

describe('sessions table: filter and sort (webview logic)', () => {
  it('filters by workspace, coverage, surface and text', async () => {
    const { model: m } = await build();
    const ids = (f: Partial<typeof DEFAULT_FILTER>): string[] => filterSessions(m.sessions, { ...DEFAULT_FILTER, ...f }).map((s) => s.sessionId).sort();
    assert.deepEqual(ids({}), ['h1', 'h2', 'i1']);
    assert.deepEqual(ids({ project: 'workspace' }), ['h1', 'i1']);
    assert.deepEqual(ids({ coverage: 'covered' }), ['h1', 'h2']);
    assert.deepEqual(ids({ coverage: 'excluded' }), ['i1']);
    assert.deepEqual(ids({ surface: 'interactive' }), ['i1']);
    assert.deepEqual(ids({ surface: 'headless', project: 'workspace' }), ['h1']);
    assert.deepEqual(ids({ text: 'BETA' }), ['h2']);
    assert.deepEqual(ids({ text: 'opus' }), ['i1']);
    assert.deepEqual(ids({ text: 'nightly' }), ['h1']);
  });

  it('sorts by any column, both ways, ties by most recent', async () => {
    const { model: m } = await build();
    const order = (key: Parameters<typeof sortSessions>[1]['key'], dir: 'asc' | 'desc'): string[] => sortSessions(m.sessions, { key, dir }).map((s) => s.sessionId);
    assert.deepEqual(order('cost', 'desc'), ['h1', 'h2', 'i1']);
    assert.deepEqual(order('cost', 'asc'), ['i1', 'h2', 'h1']);
    assert.deepEqual(order('lastTs', 'desc'), ['h2', 'i1', 'h1']);
    assert.deepEqual(order('requests', 'desc'), ['h2', 'h1', 'i1']);
    assert.deepEqual(order('cacheHit', 'desc'), ['h1', 'h2', 'i1']);
    assert.deepEqual(order('covered', 'desc'), ['h2', 'h1', 'i1']);
    assert.deepEqual(order('project', 'asc'), ['i1', 'h1', 'h2']);
  });
});

/** A run fact as the capture writes it (core/headless/runFact), with what a test needs to vary. */
function runFact(over: Record<string, unknown>, at = '2026-11-20T08:00:00Z'): Fact {
  return fact({
    kind: 'run', v: 1, runId: `run-${n + 1}`, via: 'terminal', where: 'terminal', command: 'claude -p <prompt> --output-format json', cwd: WORKSPACE,
    startedAt: '2026-11-18T08:58:00.000Z', endedAt: '2026-11-18T09:01:00.000Z', exitCode: 0, sessionId: null, sessionFrom: null, flags: { outputFormat: 'json' },
    noSessionPersistence: false, claudeCodeVersion: '2.1.250', model: 'claude-sonnet-4-5-20250929', result: null, truncated: false,
    totalCostUsd: null, listCostNanos: null, listCostPriced: true, listCostFrom: null, differenceNanos: null, differenceKind: null, differenceReason: null,
    ...over,
  }, at);
}

describe('panel model: Runs, corrections and the audit', () => {
  it('lists run facts newest first with session, duration, turns, both costs, the difference and the result', async () => {
    const facts = [
      runFact({
        runId: 'r-h1', sessionId: 'h1', sessionFrom: 'result', label: 'Summarize the nightly build',
        result: { subtype: 'success', isError: false, numTurns: 2, durationMs: 95_000, durationApiMs: 80_000, costBasis: null, usage: null, modelUsage: null },
        totalCostUsd: 1.5, listCostNanos: H1A_LONG, differenceNanos: 1_500_000_000 - H1A_LONG, differenceKind: 'estimate', differenceReason: 'Claude Code prices this model lower',
      }),
      runFact({
        runId: 'r-err', startedAt: '2026-11-20T09:00:00.000Z', endedAt: '2026-11-20T09:00:30.000Z', exitCode: 1, noSessionPersistence: true, where: 'cron', via: 'exec',
        result: { subtype: 'error_max_turns', isError: true, numTurns: 10, durationMs: null, durationApiMs: null, costBasis: null, usage: null, modelUsage: null },
      }),
      fact({ kind: 'reconcile', remainingUsd: 50 }),
    ];
    const { model: m } = await build({ facts });
    assert.equal(m.runsTotal, 2);
    assert.deepEqual(m.runs.map((r) => r.runId), ['r-err', 'r-h1']);
    const h1 = m.runs[1]!;
    assert.equal(h1.sessionId, 'h1');
    assert.equal(h1.durationMs, 95_000);
    assert.equal(h1.turns, 2);
    assert.equal(h1.reportedNanos, 1_500_000_000);
    assert.equal(h1.listNanos, H1A_LONG);
    assert.equal(h1.ledgerNanos, H1A_LONG, 'the ledger holds the first h1 turn inside the run');
    assert.equal(h1.differenceReason, 'Claude Code prices this model lower');
    assert.equal(h1.label, 'Summarize the nightly build');
    assert.match(h1.transcriptPath ?? '', /h1\.jsonl$/);
    const err = m.runs[0]!;
    assert.equal(err.isError, true);
    assert.equal(err.subtype, 'error_max_turns');
    assert.equal(err.sessionId, null);
    assert.equal(err.durationMs, 30_000, 'no duration in the result: start to end');
    assert.equal(err.where, 'cron');
    // labels only when allowed
    const { model: noLabels } = await build({ facts, allowLabels: false });
    assert.equal(noLabels.runs[1]!.label, null);
    assert.deepEqual(JSON.parse(JSON.stringify(m.runs)), m.runs);
  });

  it('a run whose output named no session is linked to the transcript it wrote', async () => {
    const facts = [runFact({ runId: 'r-text', cwd: '/home/dev/beta', startedAt: '2026-11-20T06:58:50.000Z', endedAt: '2026-11-20T07:05:30.000Z', flags: {} })];
    const { model: m } = await build({ facts });
    assert.equal(m.runs[0]!.sessionId, 'h2');
    assert.equal(m.runs[0]!.sessionFrom, 'transcript');
  });

  it('no runs: an empty list; no corrections: null; the audit is whatever the host passes', async () => {
    const { model: m } = await build();
    assert.deepEqual(m.runs, []);
    assert.equal(m.runsTotal, 0);
    assert.equal(m.corrections, null);
    assert.equal(m.audit, null);
    assert.equal(m.auditPending, false);
  });

  it('corrections: how much of the cycle is corrected, from Claude Code\'s records or estimated', async () => {
    const root = fixture();
    const ledger = await Ledger.open({ pricer, allowLabels: false });
    ledger.ingest(resolveConfigDirs([root]));
    const add = (key: string, source: string, session: string, ts: string, nanos: number): void => {
      ledger.db.run(
        'INSERT INTO corrections (key, source, session_id, project_key, model, ts, own_row, input, output, cw5m, cw1h, cr, web_search, cost_nanos, priced, detail) VALUES (?,?,?,?,?,?,0,0,0,0,0,0,0,?,1,?)',
        [key, source, session, '-home-dev-alpha', 'claude-sonnet-4-5-20250929', Date.parse(ts), nanos, ''],
      );
    };
    const keyOf = (session: string): string => String(ledger.db.exec('SELECT key FROM requests WHERE session_id = ? ORDER BY ts LIMIT 1', [session])[0]!.values[0]![0]);
    add(keyOf('h1'), 'task-result', 'h1', '2026-11-18T09:00:00.000Z', 3 * USD);
    add(keyOf('h2'), 'estimate', 'h2', '2026-11-20T07:00:00.000Z', 1_100_000_000);
    add(keyOf('i1'), 'estimate', 'i1', '2026-11-19T14:00:00.000Z', 7 * USD); // interactive: not counted
    for (const basis of ['corrected', 'recorded'] as const) {
      const s = settings({ basis });
      const balance = computeBalance({ settings: s, rows: [...spendRows(ledger.db, 0).values()], sessions: sessionFacts(ledger.db), facts: [] }, NOW);
      const m = buildPanelModel({ db: ledger.db, balance, pricer, timezone: 'UTC', allowLabels: false, now: NOW });
      assert.deepEqual(m.corrections, {
        basis,
        recordedSpentNanos: H1A_LONG + H1B_LONG + H2A,
        correctedSpentNanos: H1A_LONG + H1B_LONG + H2A + 4_100_000_000,
        addedNanos: 4_100_000_000,
        fromRecordsNanos: 3 * USD,
        estimatedNanos: 1_100_000_000,
      });
      assert.equal(m.balance.spentNanos, basis === 'corrected' ? H1A_LONG + H1B_LONG + H2A + 4_100_000_000 : H1A_LONG + H1B_LONG + H2A);
      const text = correctionSentence(m.corrections!)!;
      if (basis === 'corrected') assert.match(text, /^\$4\.10 of \$\d+\.\d\d is corrected for undercounted output \(\$3\.00 from Claude Code's own records, \$1\.10 estimated from content size\)\.$/);
      else assert.match(text, /^Counted as recorded \(\$\d+\.\d\d\); corrected for undercounted output it would be \$\d+\.\d\d, \$4\.10 more/);
    }
  });
});
