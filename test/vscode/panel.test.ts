// The ledger panel in a real VS Code: the command opens it, the webview says `ready`, the host answers with the
// model, and the page shows the fixture's numbers; screenshots in a dark and a light theme.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { appendFact } from '../../src/core/state/journal';
import { userPaths } from '../../src/core/state/paths';
import { assistant, jsonl, user } from '../unit/builders';
import { testEnv } from './env';
import { eventually, test } from './harness';
import { page } from './page';

const TITLE = 'Credit Ledger';
const SESSION = 'a1b2c3d4-9a1e-4c0b-8f00-panel0000001';
const CWD = '/tmp/credit-ledger-panel-fixture';
// Sonnet 4.5, 150K prompt (no long-context premium): 10K input $0.03 + 60K output $0.90 + 100K cache read $0.03 + 40K 5m writes $0.15.
const COST_TEXT = '$1.11';

function writeFixture(): string {
  const at = new Date(Date.now() - 2 * 60_000).toISOString();
  const before = new Date(Date.now() - 3 * 60_000).toISOString();
  const file = path.join(testEnv().claudeConfigDir, 'projects', '-tmp-credit-ledger-panel-fixture', `${SESSION}.jsonl`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, jsonl([
    user('panel fixture: summarize the build', { sessionId: SESSION, cwd: CWD, timestamp: before, entrypoint: 'sdk-cli' }),
    assistant({ sessionId: SESSION, cwd: CWD, entrypoint: 'sdk-cli', messageId: 'msg_panel_fixture_1', model: 'claude-sonnet-4-5-20250929', timestamp: at, input: 10_000, output: 60_000, cacheRead: 100_000, write5m: 40_000 }),
  ]));
  return file;
}

async function panelHtml(): Promise<string> {
  const views = await page.webviews({ html: true });
  const hit = views.find((v) => v.title.includes(TITLE));
  assert.ok(hit, `no visible webview titled ${TITLE}; visible: ${JSON.stringify(views.map((v) => v.title))}`);
  return hit.html ?? '';
}

test('panel: opens from creditLedger.openLedger, answers ready with the model, shows the fixture and switches to audit', async () => {
  const config = vscode.workspace.getConfiguration('creditLedger');
  const previousPlan = config.inspect<string>('plan')?.globalValue;
  writeFixture();
  try {
    await vscode.commands.executeCommand('creditLedger.refresh');
    await vscode.commands.executeCommand('creditLedger.openLedger');

    // The policy line is there from the first model on, plan or no plan.
    const first = await eventually(() => page.webviewText(TITLE), { timeoutMs: 20_000 });
    await eventually(async () => {
      const text = await page.webviewText(TITLE);
      assert.match(text, /Not live billing/, first);
      assert.match(text, /paused/);
      if (!previousPlan) assert.match(text, /Plan not set/);
    }, { timeoutMs: 20_000 });

    // With a plan, the gauge reads against its allotment; the fixture's session and cost are in the sessions table.
    await vscode.commands.executeCommand('creditLedger.setPlan', { plan: 'max5x' });
    await eventually(async () => {
      const text = await page.webviewText(TITLE);
      assert.match(text, /Max 5x/);
      assert.match(text, /left of \$100\.00/);
      const html = await panelHtml();
      assert.ok(html.includes(SESSION.slice(0, 8)), 'the fixture session is not in the sessions table');
      assert.ok(html.includes(COST_TEXT), `the fixture's cost ${COST_TEXT} is not on the page`);
    }, { timeoutMs: 30_000 });

    const themes = vscode.extensions.all.flatMap((e) => (e.packageJSON?.contributes?.themes ?? []) as Array<{ id?: string; label?: string; uiTheme?: string }>);
    const pick = (ui: string, preferred: RegExp): string => {
      const ofKind = themes.filter((t) => t.uiTheme === ui);
      const t = ofKind.find((x) => preferred.test(x.id ?? x.label ?? '')) ?? ofKind[0];
      assert.ok(t, `no ${ui} theme`);
      return (t.id ?? t.label)!;
    };
    const previousTheme = await page.useTheme(pick('vs-dark', /Default Dark Modern|Dark Modern/));
    try {
      await eventually(async () => assert.match(await page.webviewText(TITLE), /Burn-down/));
      const dark = await page.screenshot('panel-dark', { area: 'editor' });
      await page.useTheme(pick('vs', /Default Light Modern|Light Modern/));
      await eventually(async () => assert.match(await page.webviewText(TITLE), /Burn-down/));
      const light = await page.screenshot('panel-light', { area: 'editor' });
      for (const p of [dark, light]) assert.ok(fs.statSync(p).size > 5000, `${p} is nearly empty`);
    } finally {
      if (previousTheme) await page.useTheme(previousTheme);
    }

    // The host switches the panel to a section with {type:'show'}: the audit command does that, and the tab shows the
    // audit it computed (this fixture is one request: no loop).
    await vscode.commands.executeCommand('creditLedger.auditLoops');
    await eventually(async () => {
      const text = await page.webviewText(TITLE);
      assert.match(text, /Loop audit/);
      assert.match(text, /in loops this cycle/);
    }, { timeoutMs: 20_000 });
  } finally {
    await config.update('plan', previousPlan, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }
}, { page: true, timeoutMs: 120_000 });

test('panel: the Runs tab lists a recorded claude -p run with both costs, the difference and its reason', async () => {
  const journal = userPaths().journal;
  const started = Date.now() - 10 * 60_000;
  appendFact(journal, {
    kind: 'run', v: 1, runId: 'panel-test-run-0001', via: 'exec', where: 'cron', command: 'claude -p <prompt> --output-format json --max-turns 8', cwd: CWD,
    startedAt: new Date(started).toISOString(), endedAt: new Date(started + 95_000).toISOString(), exitCode: 0,
    sessionId: 'a1b2c3d4-9a1e-4c0b-8f00-runs00000001', sessionFrom: 'result', flags: { outputFormat: 'json', maxTurns: 8 }, noSessionPersistence: false,
    claudeCodeVersion: '2.1.250', model: 'claude-sonnet-4-5-20250929',
    result: { subtype: 'success', isError: false, numTurns: 7, durationMs: 93_400, durationApiMs: 80_000, costBasis: null, usage: null, modelUsage: null },
    truncated: false, totalCostUsd: 0.4321, listCostNanos: 398_700_000, listCostPriced: true, listCostFrom: 'modelUsage',
    differenceNanos: 33_400_000, differenceKind: 'cache-write-1h', differenceReason: 'panel test: Claude Code priced the cache writes at the 1-hour rate',
  });
  try {
    await vscode.commands.executeCommand('creditLedger.refresh');
    await vscode.commands.executeCommand('creditLedger.openLedger', { tab: 'runs' });
    await eventually(async () => {
      const text = await page.webviewText(TITLE);
      assert.match(text, /a1b2c3d4/, 'the session');
      assert.match(text, /1m 33s/, 'the duration');
      assert.match(text, /\$0\.4321/, "Claude Code's cost");
      assert.match(text, /\$0\.3987/, 'the list price');
      assert.match(text, /\+\$0\.0334/, 'the difference');
      assert.match(text, /panel test: Claude Code priced the cache writes at the 1-hour rate/);
      assert.match(text, /Unattended/);
    }, { timeoutMs: 20_000 });
    await page.screenshot('panel-runs', { area: 'editor' });
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }
}, { page: true, timeoutMs: 60_000 });
