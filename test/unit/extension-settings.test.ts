// VS Code settings -> the per-user settings file: the mapping and the merge rules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePoolSettings } from '../../src/core/pool/settings';
import type { UserSettings } from '../../src/core/state/settings';
import { SETTING_KEYS } from '../../src/extension/ids';
import { AUDIT_THRESHOLD_KEYS, resolveAuditThresholds } from '../../src/core/audit/settings';
import { DEFAULT_HOOK_SETTINGS, resolveHookSettings } from '../../src/core/hook/settings';
import { displaySettings, isUnset, MIRROR_MAP, mirrorSettings, needsReopen, pollIntervalMs } from '../../src/extension/settingsMirror';
import { RUN_SETTING_KEYS, runNotifyPolicy } from '../../src/extension/terminal/runMessages';

describe('settings mirroring', () => {
  it('maps every VS Code setting to its UserSettings key (pollIntervalSeconds stays in VS Code)', () => {
    assert.deepEqual(MIRROR_MAP, {
      plan: 'plan', amount: 'amount', scope: 'scope', overage: 'overage', cycleDay: 'cycleDay', timeZone: 'timezone',
      countUnclassified: 'countUnclassified', basis: 'basis', warnShare: 'warnShare', notifyAt: 'notifyAt',
      transcriptFolders: 'configDirs', pollIntervalSeconds: null, rateOverrides: 'rateOverrides', allowPromptLabels: 'allowLabels',
      auditContextThreshold: 'audit.contextThreshold', auditMinIterations: 'audit.minIterations', auditMinCostUsd: 'audit.minCostUsd', auditHourlyRateUsd: 'audit.hourlyRateUsd',
      runsNotify: 'runNotifications', runsNotifyOverUsd: 'runNotifyOverUsd',
      warningsContextThreshold: 'hook.contextThreshold', warningsLongContextTier: 'hook.warnOnTier', warningsOverThreshold: 'hook.warnOnThreshold',
      warningsExpiredCache: 'hook.warnOnExpiredCache', warningsCredit: 'hook.warnOnCredit',
      syncDatabaseUrl: 'databaseUrl', syncMachineLabel: 'machineLabel',
    });
    assert.deepEqual(Object.keys(MIRROR_MAP).sort(), [...SETTING_KEYS].sort());
  });

  it('at activation: what is set in VS Code is written, the rest of the file is kept', () => {
    const file: UserSettings = { plan: 'pro', cycleDay: 9, timezone: 'Europe/Paris', futureKey: 'kept' };
    const r = mirrorSettings(file, { plan: 'max20x', timeZone: 'America/New_York', transcriptFolders: ['/a', ' /b ', ''], allowPromptLabels: true, pollIntervalSeconds: 5 }, 'activation');
    assert.deepEqual(r.settings, { plan: 'max20x', cycleDay: 9, timezone: 'America/New_York', futureKey: 'kept', configDirs: ['/a', '/b'], allowLabels: true });
    assert.equal(r.changed, true);
  });

  it('nothing set in VS Code: the file as it is, no write', () => {
    const file: UserSettings = { plan: 'api', amount: 40 };
    const r = mirrorSettings(file, {}, 'activation');
    assert.deepEqual(r.settings, file);
    assert.equal(r.changed, false);
  });

  it('a change event writes the changed keys; a reset (or an empty value) removes the key', () => {
    const file: UserSettings = { plan: 'custom', amount: 50, scope: 'all', configDirs: ['/x'] };
    const r = mirrorSettings(file, { plan: 'pro', scope: '' }, ['plan', 'amount', 'scope', 'transcriptFolders']);
    assert.deepEqual(r.settings, { plan: 'pro' });
  });

  it('the result is what the pool reads', () => {
    const r = mirrorSettings({}, { plan: 'custom', amount: 75, scope: 'all', overage: 'bill', cycleDay: 15, timeZone: 'UTC', basis: 'recorded', countUnclassified: true }, 'activation');
    const pool = resolvePoolSettings(r.settings);
    assert.deepEqual(pool, { plan: 'custom', amountUsd: 75, scope: 'all', overage: 'bill', cycleDay: 15, timezone: 'UTC', countUnclassified: true, basis: 'recorded' });
  });

  it('rate overrides are stored as plain copies', () => {
    const overrides = Object.freeze({ 'claude-x': Object.freeze({ input: 1, output: 2 }) });
    const r = mirrorSettings({}, { rateOverrides: overrides }, ['rateOverrides']);
    assert.deepEqual(r.settings.rateOverrides, { 'claude-x': { input: 1, output: 2 } });
    assert.notEqual(r.settings.rateOverrides, overrides);
  });

  it('audit, run and warning settings go into the objects the CLI, the terminal runs and the hook read', () => {
    const file: UserSettings = { plan: 'pro', audit: { minRepeats: 4 }, hook: { policy: 'block' } };
    const r = mirrorSettings(file, { auditContextThreshold: 80_000, auditHourlyRateUsd: 150, runsNotify: 'overAmount', runsNotifyOverUsd: 2.5, warningsContextThreshold: 300_000, warningsLongContextTier: false }, 'activation');
    assert.deepEqual(r.settings, {
      plan: 'pro',
      audit: { minRepeats: 4, contextThreshold: 80_000, hourlyRateUsd: 150 },
      hook: { policy: 'block', contextThreshold: 300_000, warnOnTier: false },
      runNotifications: 'over',
      runNotifyOverUsd: 2.5,
    });
    // the file's own objects are never changed in place
    assert.deepEqual(file, { plan: 'pro', audit: { minRepeats: 4 }, hook: { policy: 'block' } });
    assert.equal(resolveAuditThresholds(r.settings.audit).thresholds.contextThreshold, 80_000);
    assert.equal(resolveHookSettings(r.settings.hook).warnOnTier, false);
    assert.deepEqual(runNotifyPolicy(r.settings), { mode: 'over', overNanos: 2_500_000_000 });
  });

  it('every nested target is a key its reader knows', () => {
    for (const target of Object.values(MIRROR_MAP)) {
      if (!target?.includes('.')) continue;
      const [section, key] = target.split('.') as [string, string];
      if (section === 'audit') assert.ok((AUDIT_THRESHOLD_KEYS as string[]).includes(key), target);
      else if (section === 'hook') assert.ok(key in DEFAULT_HOOK_SETTINGS, target);
      else assert.fail(`unknown section of ${target}`);
    }
    assert.deepEqual(RUN_SETTING_KEYS, { notify: MIRROR_MAP.runsNotify, overUsd: MIRROR_MAP.runsNotifyOverUsd });
  });

  it('resetting a nested setting removes its key, and the object once empty; keys VS Code does not own stay', () => {
    const file: UserSettings = { audit: { contextThreshold: 80_000 }, hook: { policy: 'warn', warnOnTier: false } };
    const r = mirrorSettings(file, {}, ['auditContextThreshold', 'warningsLongContextTier', 'warningsCredit']);
    assert.deepEqual(r.settings, { hook: { policy: 'warn' } });
    assert.equal(r.changed, true);
    assert.deepEqual(mirrorSettings({}, {}, ['auditHourlyRateUsd']).settings, {});
  });

  it('unset values', () => {
    for (const v of [undefined, null, '', '  ', [], {}]) assert.ok(isUnset(v), JSON.stringify(v));
    for (const v of [0, false, 'x', [1], { a: 1 }]) assert.ok(!isUnset(v), JSON.stringify(v));
  });
});

describe('display settings and reopen rules', () => {
  it('warnShare and notifyAt from the effective file, with defaults and junk ignored', () => {
    assert.deepEqual(displaySettings({}), { warnShare: 0.25, notifyAt: [0.75, 0.9, 1] });
    assert.deepEqual(displaySettings({ warnShare: 0.1, notifyAt: [1, 0.5] }), { warnShare: 0.1, notifyAt: [0.5, 1] });
    assert.deepEqual(displaySettings({ warnShare: 7, notifyAt: [] }), { warnShare: 0.25, notifyAt: [] });
  });

  it('poll interval: seconds to ms, 0 is off, at least 5 s', () => {
    assert.equal(pollIntervalMs(30), 30_000);
    assert.equal(pollIntervalMs(0), 0);
    assert.equal(pollIntervalMs(1), 5_000);
    assert.equal(pollIntervalMs(undefined), 30_000);
  });

  it('only pool, pricing and discovery settings reopen the meter', () => {
    assert.equal(needsReopen(['warnShare', 'notifyAt', 'pollIntervalSeconds']), false);
    assert.equal(needsReopen(['plan']), true);
    assert.equal(needsReopen(['transcriptFolders']), true);
    assert.equal(needsReopen(['rateOverrides']), true);
    assert.equal(needsReopen(['auditContextThreshold', 'auditHourlyRateUsd', 'runsNotify', 'warningsLongContextTier', 'warningsContextThreshold']), false);
  });
});
