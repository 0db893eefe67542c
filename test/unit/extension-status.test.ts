// The status bar presenter: text, colour, click target and tooltip for every state, from a Balance or a snapshot.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeBalance } from '../../src/core/pool/balance';
import { POLICY_STATUS } from '../../src/core/pool/plans';
import { snapshotFromBalance } from '../../src/core/pool/snapshot';
import type { Balance, PoolSettings, SessionFacts, SpendRow } from '../../src/core/pool/types';
import { COMMANDS } from '../../src/extension/ids';
import { escapeMarkdown, levelOf, presentStatus, relativeAge, sharedLines, sharedNotices, TOOLTIP_COMMANDS, type StatusCommon, type StatusInput, type StatusView } from '../../src/extension/statusModel';
import { poolSettings } from './builders';

const USD = 1_000_000_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const settings = (over: Partial<PoolSettings> = {}): PoolSettings => poolSettings({ overage: 'stop', ...over });
const row = (usd: number, at = '2026-11-19T10:00:00Z', over: Partial<SpendRow> = {}): SpendRow => ({
  sessionId: 'h1',
  projectKey: '-home-dev-shop',
  timestamp: Date.parse(at),
  costNanos: Math.round(usd * USD),
  priced: true,
  model: 'claude-sonnet-4-5',
  ...over,
});
const sessions: SessionFacts[] = [{ sessionId: 'h1', projectKey: '-home-dev-shop', entrypoint: 'sdk-cli', queueOperationStart: false, firstPromptHash: '' }];
const balanceOf = (spentUsd: number, over: Partial<PoolSettings> = {}, extraRows: SpendRow[] = []): Balance =>
  computeBalance({ settings: settings(over), rows: [row(spentUsd), ...extraRows], sessions, facts: [] }, NOW);
const common = { now: NOW, warnShare: 0.25, problems: [] as string[] };
type Input = StatusInput extends unknown ? (StatusInput extends infer U ? (U extends StatusInput ? Omit<U, keyof typeof common> & Partial<StatusCommon> : never) : never) : never;
const present = (input: Input): StatusView => presentStatus({ ...common, ...input } as StatusInput);

describe('status bar: the balance states', () => {
  it('credit left: "$(credit-card) $63.40 left", no colour, click opens the ledger', () => {
    const v = present({ kind: 'balance', balance: balanceOf(36.6) });
    assert.equal(v.state, 'normal');
    assert.equal(v.text, '$(credit-card) $63.40 left');
    assert.equal(v.background, undefined);
    assert.equal(v.command.id, COMMANDS.openLedger);
    assert.match(v.accessibilityLabel, /\$63\.40 left of the Max 5x \$100\.00/);
  });

  it('unpriced requests make the remaining an upper bound: "at most"', () => {
    const v = present({ kind: 'balance', balance: balanceOf(36.6, {}, [row(0, '2026-11-19T11:00:00Z', { priced: false, model: 'claude-zephyr-9' })]) });
    assert.equal(v.text, '$(credit-card) at most $63.40 left');
    assert.match(v.tooltip, /\| Unpriced \| 1 request counted as \$0/);
  });

  it('estimated spend is labelled in the tooltip, and the models the card lacks are named', () => {
    const b = balanceOf(34.5, {}, [row(2.1, '2026-11-19T11:00:00Z', { estimated: true, model: 'claude-fable-5-3' })]);
    const offCard = [
      { model: 'claude-fable-5-3', requests: 3, estimated: true, costNanos: 2.1 * USD, tokens: 1000, lastSeen: NOW },
      { model: 'acme_*model', requests: 1, estimated: false, costNanos: 0, tokens: 10, lastSeen: NOW },
    ];
    const v = present({ kind: 'balance', balance: b, offCard });
    assert.equal(v.text, '$(credit-card) $63.40 left');
    assert.match(v.tooltip, /\| Spent this cycle \| \$36\.60 of \$100\.00, incl\. \$2\.10 estimated \|/);
    assert.ok(v.tooltip.includes(`| Not on the rate card | ${escapeMarkdown('claude-fable-5-3')} (estimated), ${escapeMarkdown('acme_*model')} (unpriced)`), v.tooltip);
    // From the snapshot too, before any database opens.
    const snap = present({ kind: 'starting', snapshot: snapshotFromBalance(b, { stampedAt: NOW, configDirs: [] }) });
    assert.match(snap.tooltip, /incl\. \$2\.10 estimated/);
    assert.doesNotMatch(present({ kind: 'balance', balance: balanceOf(36.6) }).tooltip, /estimated|Not on the rate card/);
  });

  it('under the warn share: warning colour; the threshold is configurable', () => {
    const low = balanceOf(80); // $20 of $100 left = 20%
    assert.equal(present({ kind: 'balance', balance: low }).background, 'warning');
    assert.equal(present({ kind: 'balance', balance: low }).state, 'warning');
    assert.equal(present({ kind: 'balance', balance: low, warnShare: 0.1 }).background, undefined);
    assert.equal(present({ kind: 'balance', balance: balanceOf(75) }).background, undefined, 'exactly 25% left is not under 25%');
  });

  it('used up with overage "stop": "Credit used up", error colour', () => {
    const v = present({ kind: 'balance', balance: balanceOf(112.3) });
    assert.equal(v.state, 'exhausted');
    assert.equal(v.text, '$(credit-card) Credit used up');
    assert.equal(v.background, 'error');
    assert.match(v.tooltip, /requests would stop/);
  });

  it('past zero with overage "bill": "$12.30 over", error colour', () => {
    const v = present({ kind: 'balance', balance: balanceOf(112.3, { overage: 'bill' }) });
    assert.equal(v.state, 'overage');
    assert.equal(v.text, '$(credit-card) $12.30 over');
    assert.equal(v.background, 'error');
  });

  it('plan not set: spend so far and "Set plan"; click picks a plan', () => {
    const v = present({ kind: 'balance', balance: balanceOf(4.1, { plan: null }) });
    assert.equal(v.state, 'planNotSet');
    assert.equal(v.text, '$(credit-card) $4.10 spent · Set plan');
    assert.equal(v.background, undefined);
    assert.equal(v.command.id, COMMANDS.setPlan);
    assert.match(v.tooltip, /\[Set Plan\]\(command:creditLedger\.setPlan\)/);
  });

  it('a custom budget shows its own amount', () => {
    const v = present({ kind: 'balance', balance: balanceOf(10, { plan: 'custom', amountUsd: 50 }) });
    assert.equal(v.text, '$(credit-card) $40.00 left');
  });
});

describe('status bar: the tooltip', () => {
  const v = present({
    kind: 'balance',
    balance: balanceOf(36.6, { cycleDay: 15 }),
    lastTurn: { costNanos: 206_100_000, at: NOW - 3 * 60_000, model: 'claude-sonnet-4-5', sessionId: 'h1', priced: true },
  });

  it('says the plan, scope, policy status, cycle, spend, burn, run-out, last turn and costliest session', () => {
    assert.match(v.tooltip, /\*\*\$63\.40 left\*\* of \$100\.00/);
    assert.match(v.tooltip, /\| Plan \| Max 5x; counts headless runs only/);
    assert.ok(v.tooltip.includes(escapeMarkdown(POLICY_STATUS)), 'policy status');
    assert.match(v.tooltip, /\| Cycle \| 2026\\-11\\-15 .* · \d+ days left \|/);
    assert.match(v.tooltip, /\| Spent today \| \$0\.00 \|/);
    assert.match(v.tooltip, /\| Spent this cycle \| \$36\.60 of \$100\.00 \|/);
    assert.match(v.tooltip, /\| Burn rate \| \$5\.23\/day over the last 7 days \|/);
    assert.match(v.tooltip, /\| Runs out \|/);
    assert.match(v.tooltip, /\| Last turn \| \$0\.2061 · claude\\-sonnet\\-4\\-5 · 3 min ago \|/);
    assert.match(v.tooltip, /\| Costliest session \| \$36\.60 · \\-home\\-dev\\-shop · h1 \|/);
  });

  it('links Open Ledger, Set Plan and Reconcile, and only trusted commands', () => {
    assert.match(v.tooltip, /\[Open Ledger\]\(command:creditLedger\.openLedger\)/);
    assert.match(v.tooltip, /\[Set Plan\]\(command:creditLedger\.setPlan\)/);
    assert.match(v.tooltip, /\[Reconcile\]\(command:creditLedger\.reconcile\)/);
    for (const m of v.tooltip.matchAll(/\(command:([\w.]+)/g)) assert.ok(TOOLTIP_COMMANDS.includes(m[1]!), `${m[1]} is trusted`);
  });

  it('transcript text cannot inject a command link', () => {
    const evil = balanceOf(1, {}, [row(50, '2026-11-19T09:00:00Z', { sessionId: 'x', projectKey: '[click](command:workbench.action.terminal.sendSequence)' })]);
    const t = present({ kind: 'balance', balance: evil }).tooltip;
    assert.ok(!t.includes('](command:workbench.action.terminal'), t);
  });

  it('lists problems (a rebuilt ledger, unreadable files) and says when another window writes the ledger', () => {
    const t = present({ kind: 'balance', balance: balanceOf(1), problems: ['The ledger /x could not be read; it was rebuilt', '/p/a.jsonl: unreadable file: EACCES'], readOnly: true }).tooltip;
    assert.match(t, /\*\*\$\(warning\) Problems\*\*/);
    assert.match(t, /could not be read/);
    assert.match(t, /EACCES/);
    assert.match(t, /Another window or process writes this ledger/);
  });
});

describe('status bar: before the meter, and the other states', () => {
  it('shows the per-user snapshot at once, with the same text as the live balance', () => {
    const b = balanceOf(80);
    const snap = snapshotFromBalance(b, { stampedAt: NOW - 120_000, configDirs: ['/home/dev/.claude'] });
    const v = present({ kind: 'starting', snapshot: snap });
    assert.equal(v.state, 'snapshot');
    assert.equal(v.text, present({ kind: 'balance', balance: b }).text);
    assert.equal(v.background, 'warning');
    assert.match(v.tooltip, /From the balance saved 2 min ago/);
  });

  it('without a snapshot: a spinner, then the share read', () => {
    assert.equal(present({ kind: 'starting' }).text, '$(sync~spin) Credit Ledger');
    assert.equal(present({ kind: 'starting', progress: { done: 45, total: 100 } }).text, '$(sync~spin) Credit Ledger 45%');
  });

  it('no transcripts: names the folders, click chooses folders', () => {
    const v = present({ kind: 'noTranscripts', paths: ['/home/dev/.claude/projects', '/home/dev/.config/claude/projects'] });
    assert.equal(v.text, '$(credit-card) Credit Ledger: no transcripts');
    assert.equal(v.command.id, COMMANDS.chooseFolders);
    assert.match(v.tooltip, /\/home\/dev\/\\\.claude\/projects/);
    assert.match(v.tooltip, /\[Choose Folders\]\(command:creditLedger\.chooseFolders\)/);
  });

  it('settings problems: warning colour, the problems, click opens the settings', () => {
    const v = present({ kind: 'settingsError', settingsProblems: ['plan "custom" needs an amount'] });
    assert.equal(v.background, 'warning');
    assert.equal(v.command.id, 'workbench.action.openSettings');
    assert.match(v.tooltip, /needs an amount/);
  });

  it('a failure: error colour, click shows the log', () => {
    const v = present({ kind: 'failed', error: 'ledger schema 9 is newer' });
    assert.equal(v.background, 'error');
    assert.equal(v.command.id, COMMANDS.showLog);
  });
});

describe('status bar helpers', () => {
  it('levelOf follows the signed balance', () => {
    const f = { planSet: true, allotmentNanos: 100 * USD, overage: 'bill' as const };
    assert.equal(levelOf({ ...f, remainingNanos: 30 * USD, overageNanos: 0 }, 0.25), 'normal');
    assert.equal(levelOf({ ...f, remainingNanos: 20 * USD, overageNanos: 0 }, 0.25), 'warning');
    assert.equal(levelOf({ ...f, remainingNanos: 0, overageNanos: 0 }, 0.25), 'exhausted');
    assert.equal(levelOf({ ...f, remainingNanos: 0, overageNanos: 1 }, 0.25), 'overage');
    assert.equal(levelOf({ ...f, planSet: false, remainingNanos: null, overageNanos: null }, 0.25), 'planNotSet');
  });

  it('relativeAge', () => {
    assert.equal(relativeAge(NOW - 10_000, NOW), 'just now');
    assert.equal(relativeAge(NOW - 5 * 60_000, NOW), '5 min ago');
    assert.equal(relativeAge(NOW - 3 * 3_600_000, NOW), '3 h ago');
    assert.equal(relativeAge(NOW - 3 * 86_400_000, NOW), '3 days ago');
  });
});

describe('status bar: loops running now and corrected spend', () => {
  it('a loop running now: a line under the headline with an Audit Loops link; transcript text escaped', () => {
    const line = 'Loop running: re-read loop in [shop](command:evil), 12 iterations, $0.25 so far at $0.0208 each.';
    const v = present({ kind: 'balance', balance: balanceOf(36.6), loopLine: line });
    assert.match(v.tooltip, /\$\(sync~spin\) Loop running\\: re\\-read loop in \\\[shop\\\]\\\(command\\:evil\\\)/);
    assert.match(v.tooltip, /\[Audit Loops\]\(command:creditLedger\.auditLoops\)/);
    assert.ok(TOOLTIP_COMMANDS.includes(COMMANDS.auditLoops), 'the glue trusts the Audit Loops link');
    assert.ok(!v.tooltip.includes('](command:evil)'), 'no link from transcript text');
    const lines = v.tooltip.split('\n');
    const at = lines.findIndex((l) => l.includes('Loop running'));
    assert.equal(lines[at - 1], '', 'its own paragraph');
    assert.doesNotMatch(present({ kind: 'balance', balance: balanceOf(36.6), loopLine: null }).tooltip, /Loop running/);
  });

  it('corrected spend: how much of the cycle is corrected, on either basis; nothing when nothing is', () => {
    const rows = [row(15.9, '2026-11-19T10:00:00Z', { correctedCostNanos: 20 * USD })];
    const corrected = computeBalance({ settings: settings({ basis: 'corrected' }), rows, sessions, facts: [] }, NOW);
    assert.match(present({ kind: 'balance', balance: corrected }).tooltip, /\| Corrected \| \$4\\\.10 of \$20\\\.00 is corrected for undercounted output \|/);
    const recorded = computeBalance({ settings: settings({ basis: 'recorded' }), rows, sessions, facts: [] }, NOW);
    assert.match(present({ kind: 'balance', balance: recorded }).tooltip, /\| Corrected \| Counted as recorded \\\(\$15\\\.90\\\); corrected for undercounted output it would be \$20\\\.00, \$4\\\.10 more \|/);
    assert.doesNotMatch(present({ kind: 'balance', balance: balanceOf(10) }).tooltip, /Corrected/);
  });
});

describe('status bar: the shared ledger', () => {
  const shared = {
    where: 'postgres://ledger@db:5432/ledger',
    lastSync: '2026-11-25T11:56:00Z',
    error: null,
    outbox: 0,
    machines: [
      { label: 'laptop', thisMachine: true, lastSync: '2026-11-25T11:56:00Z', spentNanos: 1_250_000_000 },
      { label: 'ci-runner', thisMachine: false, lastSync: '2026-11-25T09:00:00Z', spentNanos: 3_500_000_000 },
    ],
  };
  const now = Date.parse('2026-11-25T12:00:00Z');

  it('says merged across how many machines, the spend of each and when each last synced', () => {
    const lines = sharedLines(shared, now).join('\n');
    assert.match(lines, /merged across 2 machines, last synced 4 min ago/);
    assert.match(lines, /\| laptop \(this machine\) \| \$1\.25 \| 4 min ago \|/);
    assert.match(lines, /\| ci\\-runner \| \$3\.50 \| 3 h ago \|/, "labels are escaped Markdown");
    assert.match(lines, /command:creditLedger\.syncNow/);
  });

  it('unreachable: says so, with the last sync; never synced: this machine only', () => {
    assert.match(sharedLines({ ...shared, error: 'connection refused' }, now).join('\n'), /last synced 4 min ago; now unreachable \(connection refused\)/);
    assert.match(sharedLines({ ...shared, lastSync: null, machines: [], error: 'password authentication failed' }, now).join('\n'), /not synced yet \(password authentication failed\): this machine's figures only/);
    assert.deepEqual(sharedNotices(undefined, now), []);
    assert.match(sharedNotices(shared, now)[0], /^Shared ledger: merged across 2 machines, .*laptop \(this machine\) \$1\.25 this cycle/);
  });
});
