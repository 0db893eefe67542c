// "Which plan fits" in a real VS Code: the seed's nightly job (a `claude -p` run at 02:00 every night of the last 30
// days, 20 requests of 200K input and 10K output on Sonnet 4.5: $15.00 a night) in the runner's CLAUDE_CONFIG_DIR; the
// Overview tab compares every plan (Max 5x, the plan set: 6 days of 30, out on day 7) with the job's three moves, and
// the Set Plan quick pick says what each plan covers. Screenshots: plans-dark.png, setplan-plans.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assistant, jsonl, queueOperation, user } from '../unit/builders';
import { testEnv } from './env';
import { ledgerApi } from './extensionApi';
import { eventually, report, test } from './harness';
import { page } from './page';

const TITLE = 'Credit Ledger';
const PROJECT = '-srv-credit-ledger-plans-fixture';
const CWD = '/srv/credit-ledger-plans-fixture';

/** 02:00 local time, `daysAgo` days before today (the extension groups days in the same zone: the system's). */
function nightAt(daysAgo: number): number {
  const d = new Date();
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - daysAgo, 2, 0, 0).getTime();
}

function writeNights(): string {
  const dir = path.join(testEnv().claudeConfigDir, 'projects', PROJECT);
  fs.mkdirSync(dir, { recursive: true });
  for (let k = 1; k <= 30; k++) {
    const sessionId = `a1b2c3d4-9a1e-4c0b-8f00-plans${String(k).padStart(7, '0')}`;
    const start = nightAt(k);
    const lines: unknown[] = [queueOperation(sessionId), user('plans fixture: write the nightly report', { sessionId, cwd: CWD, entrypoint: 'sdk-cli', timestamp: new Date(start - 1000).toISOString() })];
    for (let i = 0; i < 20; i++) {
      lines.push(assistant({ sessionId, cwd: CWD, entrypoint: 'sdk-cli', messageId: `msg_plans_${k}_${i}`, model: 'claude-sonnet-4-5-20250929', timestamp: new Date(start + i * 60_000).toISOString(), input: 200_000, output: 10_000 }));
    }
    fs.writeFileSync(path.join(dir, `${sessionId}.jsonl`), jsonl(lines));
  }
  return dir;
}

let fixtureDir: string | undefined;
let previousPlan: string | undefined;

test('plans: the Overview tab compares every plan on the last 30 days, the plan set marked, with the nightly job\'s moves (plans-dark.png)', async () => {
  previousPlan = vscode.workspace.getConfiguration('creditLedger').inspect<string>('plan')?.globalValue;
  fixtureDir = writeNights();
  const api = await ledgerApi();
  await vscode.commands.executeCommand('creditLedger.refresh');
  await api.whenIdle();
  await vscode.commands.executeCommand('creditLedger.setPlan', { plan: 'max5x' });
  await vscode.commands.executeCommand('creditLedger.openLedger', { tab: 'overview' });
  const text = await eventually(async () => {
    const t = await page.webviewText(TITLE);
    assert.match(t, /Which plan fits your last 30 days/);
    assert.match(t, /\$450\.00 headless/);
    assert.match(t, /Max 5x · Team Premium\s*your plan/, "the plan set is marked, in the row of the plans that come out alike");
    assert.match(t, /6 days, out on day 7/, 'Max 5x: $100 covers 6 nights of $15');
    assert.match(t, /13 days, out on day 14/, 'Max 20x');
    assert.match(t, /\$350\.00/);
    assert.match(t, /Run it less often: .*covers 6 runs/);
    assert.match(t, /A cheaper model: On claude-[a-z0-9-]+.*: \$\d+\.\d\d a run instead of \$15\.00/);
    assert.match(t, /Keep it and pay: Keeping it costs/);
    return t;
  }, { timeoutMs: 45_000 });
  report(`  # plans: ${(/The month's biggest loop[^\n]*/.exec(text) ?? [''])[0].slice(0, 120)}`);
  const shot = await page.screenshot('plans-dark', { area: 'editor' });
  assert.ok(fs.statSync(shot).size > 5000, `${shot} is nearly empty`);
}, { page: true, timeoutMs: 120_000 });

test('plans: the Set Plan quick pick says what each plan covers of your last month (setplan-plans.png)', async () => {
  const running = vscode.commands.executeCommand('creditLedger.setPlan');
  const quickInput = async (): Promise<string> => (await page.query('.quick-input-widget')).filter((e) => e.visible).map((e) => e.text).join('\n');
  const text = await eventually(async () => {
    const t = await quickInput();
    assert.match(t, /Max 5x/);
    assert.match(t, /\$100 a month · covers 6 days of your last month \(\$350\.00 over\) · current/);
    assert.match(t, /covers 13 days of your last month/);
    assert.match(t, /your last 30 days at list price: \$450\.00 headless/);
    return t;
  }, { timeoutMs: 20_000 });
  report(`  # set plan: ${text.split('\n').find((l) => l.includes('Max 5x')) ?? ''}`);
  await page.screenshot('setplan-plans');
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  assert.equal(await running, undefined);
}, { page: true, timeoutMs: 60_000 });

test('plans: cleanup (fixture, plan, editors; the ledger rebuilt without the fixture\'s requests)', async () => {
  const api = await ledgerApi();
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  if (fixtureDir) fs.rmSync(fixtureDir, { recursive: true, force: true });
  await vscode.workspace.getConfiguration('creditLedger').update('plan', previousPlan, vscode.ConfigurationTarget.Global);
  // Requests outlive their transcripts: only a rebuild takes them out of this window's ledger.
  await vscode.commands.executeCommand('creditLedger.rebuildLedger', { confirm: true });
  await api.whenIdle();
}, { timeoutMs: 60_000 });
