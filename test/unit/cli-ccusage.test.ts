// The reports' JSON against `ccusage claude … --json --offline` 20.0.24 on the same folder, recorded as test data
// (test/fixtures/ccusage/README.md says how): dates, order, models and tokens exactly, costs to the float; where a
// documented rule differs (README, "Against ccusage"), the difference is exactly that rule's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './builders';
import { runCli } from './cliRun';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const hasCorpus = fs.existsSync(path.join(corpus, 'projects'));
const recorded = (name: string): Record<string, Row[]> & { totals: Row } => JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/ccusage', `${name}.json`), 'utf8'));

interface Breakdown {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  cost: number;
}
interface Row {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number;
  modelsUsed: string[];
  modelBreakdowns: Breakdown[];
  [key: string]: unknown;
}

const TOKENS = ['inputTokens', 'outputTokens', 'cacheCreationTokens', 'cacheReadTokens'] as const;

/** One home per test file: the corpus is read once and later runs read the same ledger. */
const home = tempDir('cl-ccusage-');
function ours(args: string[]): Record<string, Row[]> & { totals: Row } {
  const r = runCli([...args, '--json', '--config-dir', corpus], { CREDIT_LEDGER_HOME: home, CREDIT_LEDGER_STORED_ANSWERS: 'off' });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function assertSameRow(a: Row, b: Row, what: string): void {
  for (const k of [...TOKENS, 'totalTokens'] as const) assert.equal(a[k], b[k], `${what}: ${k}`);
  assert.deepEqual(a.modelsUsed, b.modelsUsed, `${what}: modelsUsed`);
  assert.ok(Math.abs(a.totalCost - b.totalCost) < 1e-9, `${what}: totalCost ${a.totalCost} vs ${b.totalCost}`);
  assert.deepEqual(a.modelBreakdowns.map((m) => m.modelName), b.modelBreakdowns.map((m) => m.modelName), `${what}: breakdown order`);
  a.modelBreakdowns.forEach((m, i) => {
    const n = b.modelBreakdowns[i]!;
    for (const k of TOKENS) assert.equal(m[k], n[k], `${what}: ${m.modelName} ${k}`);
    assert.ok(Math.abs(m.cost - n.cost) < 1e-9, `${what}: ${m.modelName} cost`);
  });
}

function assertSameReport(mine: Record<string, Row[]> & { totals: Row }, theirs: Record<string, Row[]> & { totals: Row }, list: string, key: string): void {
  assert.deepEqual(mine[list]!.map((r) => r[key]), theirs[list]!.map((r) => r[key]), 'periods and their order');
  theirs[list]!.forEach((t, i) => assertSameRow(mine[list]![i]!, t, String(t[key])));
  for (const k of [...TOKENS, 'totalTokens'] as const) assert.equal(mine.totals[k], theirs.totals[k], `totals ${k}`);
  assert.ok(Math.abs(mine.totals.totalCost - theirs.totals.totalCost) < 1e-9, 'totals cost');
}

describe('reports against ccusage 20.0.24 on the shared corpus', { skip: hasCorpus ? false : `no corpus at ${corpus}` }, () => {
  test('daily, in UTC and in Tokyo: the same rows, models in ccusage\'s order, tokens and costs', () => {
    assertSameReport(ours(['daily', '-z', 'UTC']), recorded('corpus-daily-UTC'), 'daily', 'date');
    assertSameReport(ours(['daily', '--timezone', 'Asia/Tokyo']), recorded('corpus-daily-Asia_Tokyo'), 'daily', 'date');
  });

  test('--project and --order desc select and order as ccusage does', () => {
    assertSameReport(ours(['daily', '-z', 'UTC', '-p', 'spotter', '-o', 'desc']), recorded('corpus-daily-spotter-desc-UTC'), 'daily', 'date');
  });

  test('weekly (also from Monday) and monthly: equal but for the subagent requests only progress lines hold, which ccusage\'s daily counts and its weekly and monthly leave out', () => {
    // the documented difference: what ccusage's own daily has for 2026-02-10 on haiku (progress echoes of a subagent whose file is gone)
    const echoed = recorded('corpus-daily-UTC').daily!.find((d) => d.date === '2026-02-10')!.modelBreakdowns.find((m) => m.modelName === 'claude-haiku-4-5-20251001')!;
    const cases: [string[], string, string, string][] = [
      [['weekly', '-z', 'UTC'], 'corpus-weekly-UTC', 'weekly', 'week'],
      [['weekly', '-z', 'Asia/Tokyo', '--start-of-week', 'monday'], 'corpus-weekly-monday-Asia_Tokyo', 'weekly', 'week'],
      [['monthly', '-z', 'UTC'], 'corpus-monthly-UTC', 'monthly', 'month'],
    ];
    for (const [args, name, list, key] of cases) {
      const theirs = recorded(name);
      const mine = ours(args);
      assert.deepEqual(mine[list]!.map((r) => r[key]), theirs[list]!.map((r) => r[key]), `${name}: periods`);
      let adjusted = 0;
      theirs[list]!.forEach((t, i) => {
        const m = mine[list]![i]!;
        if (m.modelsUsed.length === t.modelsUsed.length) return assertSameRow(m, t, `${name} ${t[key]}`);
        adjusted++;
        for (const k of TOKENS) assert.equal(m[k], t[k] + echoed[k], `${name} ${t[key]}: ${k} is ccusage's plus the echoed requests`);
        assert.ok(Math.abs(m.totalCost - (t.totalCost + echoed.cost)) < 1e-9, `${name} ${t[key]}: cost`);
        assert.deepEqual(m.modelsUsed, [...t.modelsUsed, echoed.modelName]);
      });
      assert.equal(adjusted, 1, `${name}: one period holds the echoed requests`);
    }
  });

  test('session: sorted by cost as ccusage sorts; ccusage\'s per-file rows add up to ours per session, with the same first and last activity', () => {
    const theirs = recorded('corpus-session-UTC').sessions!;
    const mineReport = ours(['session', '-z', 'UTC']);
    const mine = mineReport.sessions!;
    for (let i = 1; i < mine.length; i++) assert.ok(mine[i - 1]!.totalCost >= mine[i]!.totalCost, 'the most expensive first');
    // ccusage names a row by its file; the file's lines name the session it belongs to
    const sessionOf = new Map<string, string>();
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.jsonl')) {
          const line = fs.readFileSync(p, 'utf8').split('\n').find((l) => l.includes('"sessionId"'));
          if (line) sessionOf.set(e.name.slice(0, -'.jsonl'.length), (JSON.parse(line) as { sessionId: string }).sessionId);
        }
      }
    };
    walk(path.join(corpus, 'projects'));
    const folded = new Map<string, { tokens: Record<string, number>; cost: number; first: string; last: string }>();
    for (const t of theirs) {
      const id = sessionOf.get(String(t.sessionId))!;
      const f = folded.get(id) ?? { tokens: { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 }, cost: 0, first: String(t.firstActivity), last: String(t.lastActivity) };
      for (const k of TOKENS) f.tokens[k]! += t[k];
      f.cost += t.totalCost;
      if (String(t.firstActivity) < f.first) f.first = String(t.firstActivity);
      if (String(t.lastActivity) > f.last) f.last = String(t.lastActivity);
      folded.set(id, f);
    }
    // As in weekly and monthly, ccusage's session report leaves out subagent requests it met first as progress echoes
    // in the parent's file (its daily counts them), and a request copied into a resumed or forked file counts for the
    // file ccusage reads first, where ours counts it for the session that made it: sessions may differ one by one,
    // and over all of them the difference is exactly ccusage's daily totals less its session totals.
    const daily = recorded('corpus-daily-UTC').totals;
    const sessionTotals = recorded('corpus-session-UTC').totals;
    const extra: Record<string, number> = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 };
    let extraCost = 0;
    let same = 0;
    for (const m of mine) {
      const f = folded.get(String(m.sessionId)) ?? { tokens: { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 }, cost: 0, first: '', last: '' };
      for (const k of TOKENS) extra[k]! += m[k];
      extraCost += m.totalCost;
      if (TOKENS.every((k) => m[k] === f.tokens[k])) {
        same++;
        assert.ok(Math.abs(m.totalCost - f.cost) < 1e-9, `${m.sessionId}: cost`);
        assert.equal(m.firstActivity, f.first, `${m.sessionId}: firstActivity`);
        assert.equal(m.lastActivity, f.last, `${m.sessionId}: lastActivity`);
      }
    }
    for (const k of TOKENS) {
      assert.equal(extra[k], daily[k], `all sessions: ${k} (ccusage's session totals + ${daily[k] - sessionTotals[k]})`);
      assert.equal(mineReport.totals[k], daily[k]);
    }
    assert.ok(Math.abs(extraCost - daily.totalCost) < 1e-9);
    assert.ok(same >= 15, `${same} sessions equal ccusage's exactly`);
    // sessions held in one file are ccusage's rows exactly
    const single = theirs.filter((t) => [...sessionOf.values()].filter((s) => s === sessionOf.get(String(t.sessionId))).length === 1);
    assert.ok(single.length >= 10);
    const mineById = new Map(mine.map((m) => [String(m.sessionId), m]));
    for (const t of single) {
      const m = mineById.get(sessionOf.get(String(t.sessionId))!)!;
      if (m.inputTokens !== t.inputTokens) continue; // echoed requests, checked above
      assertSameRow(m, t, String(t.sessionId));
      assert.equal(m.projectPath, t.projectPath);
    }
  });
});
