// VS Code settings -> the per-user settings file: the mapping and the merge rules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePoolSettings } from '../../src/core/pool/settings';
import type { UserSettings } from '../../src/core/state/settings';
import { SETTING_KEYS } from '../../src/extension/ids';
import { displaySettings, isUnset, MIRROR_MAP, mirrorSettings, needsReopen, pollIntervalMs } from '../../src/extension/settingsMirror';

describe('settings mirroring', () => {
  it('maps every VS Code setting to its UserSettings key (pollIntervalSeconds stays in VS Code)', () => {
    assert.deepEqual(MIRROR_MAP, {
      plan: 'plan', amount: 'amount', scope: 'scope', overage: 'overage', cycleDay: 'cycleDay', timeZone: 'timezone',
      countUnclassified: 'countUnclassified', basis: 'basis', warnShare: 'warnShare', notifyAt: 'notifyAt',
      transcriptFolders: 'configDirs', pollIntervalSeconds: null, rateOverrides: 'rateOverrides', allowPromptLabels: 'allowLabels',
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
  });
});
