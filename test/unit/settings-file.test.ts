// The per-user settings file under hostile conditions: malformed, wrong-typed, written by several processes at once.
// Runs the built CLI (npm run test:unit builds it first) on real files in a temporary CREDIT_LEDGER_HOME.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assistant, configDir, jsonl, queueOperation, tempDir, user } from './builders';
import { loadUserSettings, updateUserSettings, SettingsFileError } from '../../src/core/state/settings';
import { fileDisagreements, mirrorSettings } from '../../src/extension/settingsMirror';

const cli = path.resolve(__dirname, '../../dist/cli.js');

function run(args: string[], env: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: env.CREDIT_LEDGER_HOME, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function runAsync(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', HOME: env.CREDIT_LEDGER_HOME, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

function transcripts(): string {
  return configDir({ 'p/s.jsonl': jsonl([queueOperation(), user('nightly'), assistant({ messageId: 'm1', input: 1000, output: 100, entrypoint: 'sdk-cli', timestamp: new Date().toISOString() })]) });
}

describe('settings file', () => {
  test('a malformed file is kept byte for byte by `config set`, which says why and writes nothing', () => {
    const home = tempDir('cl-set-');
    const file = path.join(home, 'settings.json');
    const text = '{"plan": "max5x", "timezone": "Europe/Berlin", "rateOverrides": {"x": {"input": 1, "output": 2}},\n';
    fs.writeFileSync(file, text);
    const r = run(['config', 'set', 'cycleDay', '5'], { CREDIT_LEDGER_HOME: home });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /settings file .*settings\.json: it is not valid JSON .*Nothing was written/);
    assert.equal(fs.readFileSync(file, 'utf8'), text);
    const u = run(['config', 'unset', 'plan'], { CREDIT_LEDGER_HOME: home });
    assert.equal(u.code, 1);
    assert.equal(fs.readFileSync(file, 'utf8'), text);
  });

  test('a report over a malformed file says its settings are not used, and writes no snapshot with the wrong plan', () => {
    const home = tempDir('cl-set-');
    fs.writeFileSync(path.join(home, 'settings.json'), '{"plan": "max5x",');
    const r = run(['daily', '--json'], { CREDIT_LEDGER_HOME: home, CLAUDE_CONFIG_DIR: transcripts() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /note: settings file .*: it is not valid JSON .*none of its settings \(plan, time zone, rate overrides\.\.\.\) are used/);
    assert.ok(!fs.existsSync(path.join(home, 'balance.json')), 'no snapshot from settings the user did not choose');
    const show = run(['config', 'show'], { CREDIT_LEDGER_HOME: home });
    assert.equal(show.code, 0);
    assert.match(JSON.parse(show.stdout).problems[0], /not valid JSON/);
  });

  test('wrong-typed values get a clear message, never a TypeError; configDirs of the wrong type refuses the run', () => {
    const home = tempDir('cl-set-');
    const file = path.join(home, 'settings.json');
    fs.writeFileSync(file, JSON.stringify({ configDirs: [5] }));
    const r = run(['daily'], { CREDIT_LEDGER_HOME: home, CLAUDE_CONFIG_DIR: transcripts() });
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /TypeError|    at /);
    assert.match(r.stderr, /transcriptFolders must be a list of folder paths \(text\) \(got \[5\]\)/);
    fs.writeFileSync(file, JSON.stringify({ rateOverrides: 'cheap', notifyAt: 'often', hook: 3, allowLabels: 'yes', timezone: 'UTC' }));
    const b = run(['daily', '--json'], { CREDIT_LEDGER_HOME: home, CLAUDE_CONFIG_DIR: transcripts() });
    assert.equal(b.code, 0, b.stderr);
    assert.doesNotMatch(b.stderr, /TypeError/);
    for (const key of ['rateOverrides', 'notifyAt', 'hook', 'allowPromptLabels']) assert.match(b.stderr, new RegExp(`${key} must be .*; ignored`));
    // `config set` of another key keeps the wrong-typed values: they are the user's to fix, not ours to drop
    // (under each setting's current name: settingNames).
    assert.equal(run(['config', 'set', 'cycleDay', '3'], { CREDIT_LEDGER_HOME: home }).code, 0);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { rateOverrides: 'cheap', notifyAt: 'often', hook: 3, allowPromptLabels: 'yes', timeZone: 'UTC', cycleDay: 3 });
  });

  test('concurrent `config set` processes never lose each other\'s keys', async () => {
    const values: [string, string][] = [
      ['plan', 'max5x'],
      ['cycleDay', '7'],
      ['timeZone', 'UTC'],
      ['scope', 'all'],
      ['overage', 'stop'],
      ['basis', 'corrected'],
      ['countUnclassified', 'true'],
      ['warnShare', '0.3'],
      ['allowPromptLabels', 'false'],
      ['transcriptFolders', '/tmp/a,/tmp/b'],
    ];
    for (let round = 0; round < 3; round++) {
      const home = tempDir('cl-set-');
      fs.writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ rateOverrides: { 'my-model': { input: 1, output: 2 } } }));
      const results = await Promise.all(values.map(([k, v]) => runAsync(['config', 'set', k, v], { CREDIT_LEDGER_HOME: home })));
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const file = JSON.parse(fs.readFileSync(path.join(home, 'settings.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(file).sort(), ['rateOverrides', ...values.map(([k]) => k)].sort(), `round ${round}: ${JSON.stringify(file)}`);
      assert.deepEqual(fs.readdirSync(home).sort(), ['settings.json'], 'no lock or temp file left');
    }
  });

  test('updateUserSettings sets a malformed file aside (the extension must mirror) and says where', () => {
    const home = tempDir('cl-set-');
    const file = path.join(home, 'settings.json');
    fs.writeFileSync(file, '[1, 2]');
    assert.throws(() => updateUserSettings(file, (s) => ({ ...s, plan: 'pro' })), SettingsFileError);
    const r = updateUserSettings(file, (s) => ({ ...s, plan: 'pro' }), 'setAside', () => Date.parse('2026-12-06T05:00:00Z'));
    assert.equal(r.setAside, `${file}.malformed-2026-12-06T05-00-00-000Z`);
    assert.equal(fs.readFileSync(r.setAside!, 'utf8'), '[1, 2]');
    assert.deepEqual(loadUserSettings(file), { settings: { plan: 'pro' }, invalidKeys: [], problems: [] });
    assert.equal(updateUserSettings(file, (s) => ({ ...s })).changed, false, 'no write when nothing changes');
  });

  test('a stale lock left by a crash is broken; a fresh one is waited for', () => {
    const home = tempDir('cl-set-');
    const file = path.join(home, 'settings.json');
    fs.writeFileSync(`${file}.lock`, '999999@crashed');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${file}.lock`, old, old);
    updateUserSettings(file, () => ({ plan: 'pro' }));
    assert.deepEqual(fs.readdirSync(home).sort(), ['settings.json']);
    fs.writeFileSync(`${file}.lock`, '1@busy');
    const r = run(['config', 'set', 'plan', 'max5x'], { CREDIT_LEDGER_HOME: home });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /settings\.json\.lock is held by another process/);
    assert.equal(loadUserSettings(file).settings.plan, 'pro');
  });

  test('the VS Code settings and a file changed outside VS Code: every disagreement is found, none invented', () => {
    const explicit = { plan: 'pro', warningsContextThreshold: 100_000, runsNotify: 'overAmount', transcriptFolders: ['/a'] };
    const file = mirrorSettings({}, explicit, 'activation').settings;
    assert.deepEqual(fileDisagreements(file, explicit), []);
    const changed = { ...file, plan: 'max5x', hook: { contextThreshold: 50_000 }, runNotifications: 'never' };
    delete (changed as Record<string, unknown>).configDirs;
    assert.deepEqual(
      fileDisagreements(changed, explicit).map((d) => [d.key, d.fileValue, d.vscodeValue, d.asSetting]),
      [
        ['plan', 'max5x', 'pro', 'max5x'],
        ['transcriptFolders', undefined, ['/a'], undefined],
        ['runsNotify', 'never', 'over', 'never'],
        ['warningsContextThreshold', 50_000, 100_000, 50_000],
      ],
    );
  });
});
