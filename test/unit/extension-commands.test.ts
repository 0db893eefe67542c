// Command arguments: every command takes its answers as one object; bad values are refused in words.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CommandArgsError,
  parseChooseFoldersArgs,
  parseAuditArgs,
  parseExportArgs,
  parseHookArgs,
  parseOpenLedgerArgs,
  parseOverrideArgs,
  parseRebuildArgs,
  parseReconcileArgs,
  parseSetPlanArgs,
  parseUsdText,
  planNeedsAmount,
  validateRemainingText,
} from '../../src/extension/commandArgs';

const NOW = Date.parse('2026-11-20T12:00:00Z');

describe('command arguments', () => {
  it('setPlan: {plan, amount?, scope?, overage?, cycleDay?}', () => {
    assert.deepEqual(parseSetPlanArgs(undefined), {});
    assert.deepEqual(parseSetPlanArgs({ plan: 'MAX5X' }), { plan: 'max5x' });
    assert.deepEqual(parseSetPlanArgs({ plan: 'custom', amount: '$1,250.50', scope: 'all', overage: 'bill', cycleDay: '15' }), { plan: 'custom', amount: 1250.5, scope: 'all', overage: 'bill', cycleDay: 15 });
    assert.throws(() => parseSetPlanArgs({ plan: 'gold' }), /unknown plan "gold": choose one of pro, max5x/);
    assert.throws(() => parseSetPlanArgs({ amount: 0 }), /more than \$0/);
    assert.throws(() => parseSetPlanArgs({ scope: 'some' }), CommandArgsError);
    assert.throws(() => parseSetPlanArgs({ cycleDay: 32 }), /1 to 31/);
    assert.ok(planNeedsAmount('custom') && planNeedsAmount('api') && !planNeedsAmount('pro'));
  });

  it('reconcile: {remainingUsd, asOf?}, or the bare figure', () => {
    assert.deepEqual(parseReconcileArgs({ remainingUsd: 63.2 }, NOW), { remainingUsd: 63.2 });
    assert.deepEqual(parseReconcileArgs('$63.20 left as of now', NOW), { remainingUsd: 63.2 });
    assert.deepEqual(parseReconcileArgs({ remainingUsd: '0', asOf: '2026-11-20T10:00:00Z' }, NOW), { remainingUsd: 0, asOf: Date.parse('2026-11-20T10:00:00Z') });
    assert.throws(() => parseReconcileArgs({ remainingUsd: 'lots' }, NOW), /amount in USD/);
    assert.throws(() => parseReconcileArgs({ remainingUsd: -1 }, NOW), /\$0 or more/);
    assert.throws(() => parseReconcileArgs({ remainingUsd: 1, asOf: '2026-12-24T00:00:00Z' }, NOW), /future/);
    assert.throws(() => parseReconcileArgs({ remainingUsd: 1, asOf: 'yesterday' }, NOW), /date and time/);
  });

  it('the reconcile input box takes "$63.20 left as of now" as typed', () => {
    for (const t of ['$63.20 left as of now', '63.2', '$63.20', '63.20 USD left', '$1,063.20 remaining']) assert.equal(validateRemainingText(t), undefined, t);
    assert.equal(parseUsdText('$63.20 left as of now'), 63.2);
    assert.equal(parseUsdText('$1,063.20 remaining'), 1063.2);
    assert.match(validateRemainingText('')!, /Type the amount/);
    assert.match(validateRemainingText('sixty')!, /Not an amount/);
    assert.match(validateRemainingText('-$5')!, /\$0 or more/);
  });

  it('overrideSession: {sessionId, mode}', () => {
    assert.deepEqual(parseOverrideArgs({ sessionId: ' abc ', mode: 'Never' }), { sessionId: 'abc', mode: 'never' });
    assert.deepEqual(parseOverrideArgs({}), {});
    assert.throws(() => parseOverrideArgs({ sessionId: 'a', mode: 'sometimes' }), /count", "never" or "auto"/);
    assert.throws(() => parseOverrideArgs({ sessionId: 42 }), /session id/);
  });

  it('exportLedger: {format, path}; the format follows the extension when not given', () => {
    assert.deepEqual(parseExportArgs({ format: 'csv', path: '/tmp/x.txt' }), { format: 'csv', path: '/tmp/x.txt' });
    assert.deepEqual(parseExportArgs({ path: '/tmp/x.JSON' }), { path: '/tmp/x.JSON', format: 'json' });
    assert.deepEqual(parseExportArgs({ path: '/tmp/x' }), { path: '/tmp/x' });
    assert.throws(() => parseExportArgs({ format: 'xlsx' }), /"csv" or "json"/);
  });

  it('chooseFolders: a list, {folders}, or nothing (prompt)', () => {
    assert.deepEqual(parseChooseFoldersArgs(undefined), {});
    assert.deepEqual(parseChooseFoldersArgs(['/a', ' ', '/b ']), { folders: ['/a', '/b'] });
    assert.deepEqual(parseChooseFoldersArgs({ folders: [] }), { folders: [] });
    assert.throws(() => parseChooseFoldersArgs({ folders: '/a' }), /list of folder paths/);
    assert.deepEqual(parseChooseFoldersArgs({ folders: [], forgetUnread: true }), { folders: [], forgetUnread: true });
    assert.deepEqual(parseChooseFoldersArgs({ folders: ['/a'], forgetUnread: false }), { folders: ['/a'] });
    assert.throws(() => parseChooseFoldersArgs({ forgetUnread: 'yes' }), /forgetUnread must be true or false/);
  });

  it('rebuildLedger: {confirm: true} skips the question', () => {
    assert.deepEqual(parseRebuildArgs({ confirm: true }), { confirm: true });
    assert.deepEqual(parseRebuildArgs({ confirm: 'yes' }), {});
  });

  it('installHook / uninstallHook: {target, statusLine?, confirm?}; nothing given asks', () => {
    assert.deepEqual(parseHookArgs(undefined), {});
    assert.deepEqual(parseHookArgs('user'), { target: 'user' });
    assert.deepEqual(parseHookArgs({ target: 'Workspace', statusLine: true, confirm: true }), { target: 'workspace', statusLine: true, confirm: true });
    assert.deepEqual(parseHookArgs({ target: 'local', statusLine: false, confirm: 'yes' }), { target: 'local', statusLine: false });
    assert.throws(() => parseHookArgs({ target: 'global' }), /"user", "workspace" or "local"/);
    assert.throws(() => parseHookArgs({ target: 'user', statusLine: 'yes' }), /statusLine must be true or false/);
  });

  it('auditLoops: {refresh: true} computes the audit again', () => {
    assert.deepEqual(parseAuditArgs(undefined), {});
    assert.deepEqual(parseAuditArgs({ refresh: true }), { refresh: true });
    assert.deepEqual(parseAuditArgs({ refresh: 1 }), {});
  });

  it('openLedger: {tab} (or the tab name) opens the panel on that tab', () => {
    assert.deepEqual(parseOpenLedgerArgs(undefined), {});
    assert.deepEqual(parseOpenLedgerArgs({ tab: 'Runs' }), { tab: 'runs' });
    assert.deepEqual(parseOpenLedgerArgs('audit'), { tab: 'audit' });
    assert.throws(() => parseOpenLedgerArgs({ tab: 'billing' }), /tab must be one of overview, sessions, models, runs, audit/);
  });

  it('names the allowed values of every choice in the refusal', () => {
    assert.throws(() => parseSetPlanArgs({ scope: 'some' }), { message: 'scope must be "headless" or "all" (got "some")' });
    assert.throws(() => parseSetPlanArgs({ overage: 'x' }), { message: 'overage must be "bill" or "stop" (got "x")' });
    assert.throws(() => parseOverrideArgs({ sessionId: 's', mode: 'maybe' }), { message: 'mode must be "count", "never" or "auto" (got "maybe")' });
    assert.throws(() => parseExportArgs({ format: 'xml' }), { message: 'format must be "csv" or "json" (got "xml")' });
    assert.throws(() => parseHookArgs({ target: 'global' }), { message: 'target must be "user", "workspace" or "local" (got "global")' });
    assert.deepEqual(parseOverrideArgs({ sessionId: 's', mode: 'NEVER' }), { sessionId: 's', mode: 'never' });
  });
});
