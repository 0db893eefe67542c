// Audit Loops in a real VS Code: a transcript with a 12-iteration re-read loop (a context over 50K tokens, little
// output) in the runner's CLAUDE_CONFIG_DIR; "Credit Ledger: Audit Loops" opens the panel on its Audit tab and the
// page shows the finding's verdict; the transcript opens at the loop's first request; "Ignore this loop" writes the
// journal fact and hides it; the status bar's tooltip says the loop is running. Screenshot: audit-dark.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuditLoop, AuditReport } from '../../src/core/audit/types';
import { userPaths } from '../../src/core/state/paths';
import { readJournal } from '../../src/core/state/journal';
import { assistant, jsonl, user } from '../unit/builders';
import { testEnv } from './env';
import { ledgerApi } from './extensionApi';
import { eventually, report, test } from './harness';
import { page } from './page';

const TITLE = 'Credit Ledger';
const SESSION = 'a1b2c3d4-9a1e-4c0b-8f00-audit0000001';
const CWD = '/tmp/credit-ledger-audit-fixture';
const ITERATIONS = 12;

interface Fixture {
  file: string;
  /** Zero-based line of the loop's first request. */
  firstLine: number;
}

/**
 * An interactive session polling a deploy (interactive: its spend is not counted under the later tests' headless plans): after one prompt, 12 requests a minute apart (the last one a minute ago),
 * each re-reading a ~180K context (Opus 4.6: 160K from the cache, 20K written) for 150 tokens of text: $2.46 in all.
 */
function writeFixture(): Fixture {
  const start = Date.now() - (ITERATIONS + 1) * 60_000;
  const lines: Record<string, unknown>[] = [user('audit fixture: watch the deploy and tell me when it is green', { sessionId: SESSION, cwd: CWD, timestamp: new Date(start - 5_000).toISOString(), entrypoint: 'cli' })];
  const firstLine = lines.length;
  for (let i = 0; i < ITERATIONS; i++) {
    lines.push(assistant({
      sessionId: SESSION, cwd: CWD, entrypoint: 'cli', messageId: `msg_audit_fixture_${i}`, model: 'claude-opus-4-6',
      timestamp: new Date(start + i * 60_000).toISOString(), input: 10, cacheRead: 160_000 + 100 * i, write5m: 20_000, output: 150,
      content: [{ type: 'text', text: `Still deploying (check ${i + 1}).` }],
    }));
  }
  const file = path.join(testEnv().claudeConfigDir, 'projects', '-tmp-credit-ledger-audit-fixture', `${SESSION}.jsonl`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, jsonl(lines));
  return { file, firstLine };
}

function ourLoop(r: AuditReport | undefined): AuditLoop {
  assert.ok(r, 'creditLedger.auditLoops returned no report');
  const loop = r.loops.find((l) => l.where.sessionId === SESSION);
  assert.ok(loop, `no loop in the fixture session; loops: ${JSON.stringify(r.loops.map((l) => [l.kind, l.where.sessionId]))}`);
  return loop;
}

function themeId(ui: 'vs-dark' | 'vs', preferred: RegExp): string {
  const themes = vscode.extensions.all.flatMap((e) => (e.packageJSON?.contributes?.themes ?? []) as Array<{ id?: string; label?: string; uiTheme?: string }>);
  const ofKind = themes.filter((t) => t.uiTheme === ui);
  const t = ofKind.find((x) => preferred.test(x.id ?? x.label ?? '')) ?? ofKind[0];
  assert.ok(t, `no ${ui} theme`);
  return (t.id ?? t.label)!;
}

let fixture: Fixture | undefined;

test('audit: creditLedger.auditLoops opens the Audit tab and the page shows the re-read loop\'s verdict (audit-dark.png)', async () => {
  fixture = writeFixture();
  const api = await ledgerApi();
  await vscode.commands.executeCommand('creditLedger.refresh');
  await api.whenIdle();

  const r = await vscode.commands.executeCommand<AuditReport>('creditLedger.auditLoops');
  const loop = ourLoop(r);
  assert.equal(loop.kind, 'reread');
  assert.equal(loop.metrics.iterations, ITERATIONS);
  assert.equal(loop.where.file, fixture.file);
  assert.match(loop.verdict, /^Re-reads .* of context 12 times/);
  report(`# audit: ${loop.id}: ${loop.verdict}`);

  const previousTheme = await page.useTheme(themeId('vs-dark', /Default Dark Modern|Dark Modern/));
  try {
    const text = await eventually(async () => {
      const t = await page.webviewText(TITLE);
      assert.match(t, /Loop audit/);
      assert.ok(t.includes(loop.verdict), `the verdict is not on the page:\n${t}`);
      assert.match(t, /in loops this cycle/);
      // The costliest finding opens by itself: where, metrics and the priced moves.
      assert.match(t, /What to do/i);
      assert.match(t, /Keep it and pay:/);
      assert.match(t, /Open transcript at first request/);
      assert.match(t, /Ignore this loop/);
      return t;
    }, { timeoutMs: 30_000 });
    assert.ok(text.includes(loop.id), 'the loop id is shown with its actions');
    const shot = await page.screenshot('audit-dark', { area: 'editor' });
    assert.ok(fs.statSync(shot).size > 5000, `${shot} is nearly empty`);
  } finally {
    if (previousTheme) await page.useTheme(previousTheme);
  }
}, { page: true, timeoutMs: 120_000 });

test('audit: "Open transcript at first request" opens the file at the line of the loop\'s first request', async () => {
  assert.ok(fixture, 'the previous test writes the fixture');
  const api = await ledgerApi();
  const loop = ourLoop(await vscode.commands.executeCommand<AuditReport>('creditLedger.auditLoops'));
  await eventually(async () => assert.ok(await api.panelMessage({ type: 'openLoop', loopId: loop.id }), 'no ledger panel open'), { timeoutMs: 10_000 });
  const editor = await eventually(() => {
    const e = vscode.window.activeTextEditor;
    assert.ok(e && e.document.uri.fsPath === fixture!.file, `active editor: ${e?.document.uri.fsPath}`);
    return e;
  });
  assert.equal(editor.selection.active.line, fixture.firstLine);
  assert.match(editor.document.lineAt(fixture.firstLine).text, /msg_audit_fixture_0/);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}, { timeoutMs: 60_000 });

test('audit: "Ignore this loop" appends ignore-loop to the journal and hides it; taking it back lists it again', async () => {
  assert.ok(fixture, 'the first audit test writes the fixture');
  const api = await ledgerApi();
  const loop = ourLoop(await vscode.commands.executeCommand<AuditReport>('creditLedger.auditLoops'));
  try {
    assert.ok(await api.panelMessage({ type: 'ignoreLoop', loopId: loop.id, ignore: true }), 'no ledger panel open');
    const facts = readJournal(userPaths().journal).facts.filter((f) => f.kind === 'ignore-loop' && f.loopId === loop.id);
    assert.equal(facts.length, 1);
    assert.equal(facts[0]!.ignore, true);
    const after = await vscode.commands.executeCommand<AuditReport>('creditLedger.auditLoops');
    assert.equal(ourLoop(after).ignored, true);
    if (page.available) {
      await eventually(async () => {
        const t = await page.webviewText(TITLE);
        assert.match(t, /Show 1 ignored loop/);
        assert.ok(!t.includes(loop.verdict), 'the ignored loop is still listed');
      }, { timeoutMs: 20_000 });
    }
    // An ignored loop is never "running now" in the status bar.
    assert.equal(await api.checkLiveLoop(), null);
  } finally {
    await api.panelMessage({ type: 'ignoreLoop', loopId: loop.id, ignore: false });
  }
  assert.equal(ourLoop(await vscode.commands.executeCommand<AuditReport>('creditLedger.auditLoops')).ignored, false);
}, { timeoutMs: 60_000 });

test('audit: the status bar tooltip says a loop is running now', async () => {
  assert.ok(fixture, 'the first audit test writes the fixture');
  const api = await ledgerApi();
  const line = await api.checkLiveLoop();
  assert.ok(line, 'no live loop line for a loop whose last request was a minute ago');
  assert.match(line, /^Loop running: re-read loop in credit-ledger-audit-fixture, 12 iterations/);
  await eventually(() => assert.match(api.status()?.tooltip ?? '', /Loop running\\: re\\-read loop in credit\\-ledger\\-audit\\-fixture/));
  assert.match(api.status()!.tooltip, /\[Audit Loops\]\(command:creditLedger\.auditLoops\)/);
}, { timeoutMs: 30_000 });

test('audit: cleanup (fixture, editors; the ledger rebuilt without the fixture\'s requests)', async () => {
  const api = await ledgerApi();
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  if (fixture) fs.rmSync(path.dirname(fixture.file), { recursive: true, force: true });
  // Requests outlive their transcripts: only a rebuild takes them out of this window's ledger.
  await vscode.commands.executeCommand('creditLedger.rebuildLedger', { confirm: true });
  await api.whenIdle();
  assert.equal(await api.checkLiveLoop(), null);
}, { timeoutMs: 60_000 });
