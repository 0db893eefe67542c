// The creditLedger.warnings.* settings reach the in-editor long-context warnings (wired in the composition root):
// a threshold set in VS Code is mirrored to the per-user file's `hook` section, and a session over it is warned about
// once (a `context-warning-shown` fact in the journal, a notification on the page).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readJournal } from '../../src/core/state/journal';
import { userPaths } from '../../src/core/state/paths';
import { readUserSettings } from '../../src/core/state/settings';
import { assistant, jsonl, user } from '../unit/builders';
import { testEnv } from './env';
import { ledgerApi } from './extensionApi';
import { eventually, test } from './harness';
import { page } from './page';

const SESSION = 'a1b2c3d4-9a1e-4c0b-8f00-warn00000001';
const CWD = '/tmp/credit-ledger-warnings-fixture';
const dir = (): string => path.join(testEnv().claudeConfigDir, 'projects', '-tmp-credit-ledger-warnings-fixture');

test('warnings: creditLedger.warnings.contextThreshold is mirrored to hook.contextThreshold and warns about a session over it, once', async () => {
  const api = await ledgerApi();
  const config = vscode.workspace.getConfiguration('creditLedger');
  await vscode.commands.executeCommand('notifications.clearAll');
  await config.update('warnings.contextThreshold', 100_000, vscode.ConfigurationTarget.Global);
  try {
    await eventually(() => assert.equal((readUserSettings(userPaths().settings).hook as { contextThreshold?: number } | undefined)?.contextThreshold, 100_000));
    const at = new Date(Date.now() - 60_000).toISOString();
    fs.mkdirSync(dir(), { recursive: true });
    fs.writeFileSync(path.join(dir(), `${SESSION}.jsonl`), jsonl([
      user('warnings fixture: read the whole repo', { sessionId: SESSION, cwd: CWD, timestamp: new Date(Date.now() - 90_000).toISOString(), entrypoint: 'cli' }),
      assistant({ sessionId: SESSION, cwd: CWD, entrypoint: 'cli', messageId: 'msg_warn_fixture_1', model: 'claude-sonnet-4-5-20250929', timestamp: at, input: 20, cacheRead: 110_000, write5m: 10_000, output: 300 }),
    ]));
    await vscode.commands.executeCommand('creditLedger.refresh');
    await api.whenIdle();
    const shown = await eventually(() => {
      const facts = readJournal(userPaths().journal).facts.filter((f) => f.kind === 'context-warning-shown' && f.sessionId === SESSION);
      assert.equal(facts.length, 1, 'one warning claimed for the session');
      return facts[0]!;
    }, { timeoutMs: 10_000 });
    assert.equal(shown.key, 'threshold:100000');
    if (page.available) {
      await eventually(async () => {
        const all = await page.notifications();
        assert.ok(all.some((n) => /session .* has ~120,020 tokens of context, over your 100,000-token threshold/.test(n.message)), JSON.stringify(all.map((n) => n.message)));
      }, { timeoutMs: 10_000 });
    }
    // Another update does not warn again.
    await vscode.commands.executeCommand('creditLedger.refresh');
    await api.whenIdle();
    assert.equal(readJournal(userPaths().journal).facts.filter((f) => f.kind === 'context-warning-shown' && f.sessionId === SESSION).length, 1);
  } finally {
    await config.update('warnings.contextThreshold', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(dir(), { recursive: true, force: true });
    await vscode.commands.executeCommand('creditLedger.rebuildLedger', { confirm: true });
    await api.whenIdle();
    await vscode.commands.executeCommand('notifications.clearAll');
  }
  await eventually(() => assert.equal((readUserSettings(userPaths().settings).hook as { contextThreshold?: number } | undefined)?.contextThreshold, undefined));
}, { timeoutMs: 60_000 });
