// `credit-ledger config`, the flags the CLI refuses, and `reconcile` as an account entry: the real CLI.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assistant, configDir, jsonl, queueOperation, tempDir, user } from './builders';
import { runCli } from './cliRun';
import { readUserSettings } from '../../src/core/state/settings';
import { decodeSettingsFile, encodeSettingsFile, RENAMED_SETTINGS } from '../../src/core/state/settingNames';
import { SETTINGS } from '../../src/extension/ids';
import { MIRROR_MAP } from '../../src/extension/settingsMirror';
import { CONFIG_KEYS } from '../../src/cli/config';

const settingsFile = (home: string): string => path.join(home, 'settings.json');
const fileJson = (home: string): Record<string, unknown> => JSON.parse(fs.readFileSync(settingsFile(home), 'utf8')) as Record<string, unknown>;

describe('one name per setting', () => {
  test('config set takes the VS Code names and the file holds them; every mirrored VS Code setting can be set from the CLI', () => {
    const home = tempDir('cl-home-');
    const env = { CREDIT_LEDGER_HOME: home };
    for (const [k, v] of [['timeZone', 'Europe/Berlin'], ['transcriptFolders', '/a,/b'], ['allowPromptLabels', 'yes'], ['warnings.contextThreshold', '150000'], ['runs.notify', 'never'], ['hook.policy', 'block'], ['notifyAt', '0.9,0.5']]) {
      const r = runCli(['config', 'set', k!, v!], env);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.deepEqual(fileJson(home), {
      timeZone: 'Europe/Berlin', transcriptFolders: ['/a', '/b'], allowPromptLabels: true,
      warnings: { contextThreshold: 150000 }, runs: { notify: 'never' }, hook: { policy: 'block' }, notifyAt: [0.5, 0.9],
    });
    // what the engine reads
    const s = readUserSettings(settingsFile(home));
    assert.equal(s.timezone, 'Europe/Berlin');
    assert.deepEqual(s.configDirs, ['/a', '/b']);
    assert.equal(s.hook?.contextThreshold, 150000);
    assert.equal(s.hook?.policy, 'block');
    assert.equal(runCli(['config', 'get', 'timeZone'], env).stdout, 'Europe/Berlin\n');
    assert.equal(runCli(['config', 'get', 'warnings.contextThreshold'], env).stdout, '150000\n');
    const show = JSON.parse(runCli(['config'], env).stdout) as { settings: Record<string, unknown> };
    assert.equal(show.settings.timeZone, 'Europe/Berlin');
    assert.equal(show.settings.timezone, undefined);
    // every VS Code setting the file mirrors has a config key of the same name
    for (const [key, target] of Object.entries(MIRROR_MAP)) if (target) assert.ok(SETTINGS[key as keyof typeof SETTINGS] in CONFIG_KEYS, key);
  });

  test('a file with the old names (written by an older version) is still read; the next write uses the new names', () => {
    const home = tempDir('cl-home-');
    fs.writeFileSync(settingsFile(home), JSON.stringify({ timezone: 'Asia/Tokyo', configDirs: ['/old'], allowLabels: true, runNotifications: 'over', hook: { warnOnTier: false, policy: 'block' } }));
    const env = { CREDIT_LEDGER_HOME: home };
    assert.equal(runCli(['config', 'get', 'timeZone'], env).stdout, 'Asia/Tokyo\n');
    const old = runCli(['config', 'get', 'timezone'], env);
    assert.equal(old.stdout, 'Asia/Tokyo\n');
    assert.match(old.stderr, /"timezone" is now called "timeZone"/);
    assert.equal(runCli(['config', 'set', 'plan', 'pro'], env).code, 0);
    assert.deepEqual(fileJson(home), { timeZone: 'Asia/Tokyo', transcriptFolders: ['/old'], allowPromptLabels: true, runs: { notify: 'over' }, hook: { policy: 'block' }, warnings: { longContextTier: false }, plan: 'pro' });
  });

  test('decode and encode are inverse, and the new name wins over an old one left beside it', () => {
    const file = { timeZone: 'UTC', timezone: 'Asia/Tokyo', warnings: { credit: false }, hook: { warnOnCredit: true, policy: 'warn' }, audit: { minIterations: 4 } };
    const s = decodeSettingsFile(file);
    assert.equal(s.timezone, 'UTC');
    assert.equal(s.hook?.warnOnCredit, false);
    assert.deepEqual(encodeSettingsFile(s), { timeZone: 'UTC', warnings: { credit: false }, hook: { policy: 'warn' }, audit: { minIterations: 4 } });
    assert.equal(new Set(RENAMED_SETTINGS.map((r) => r.name)).size, RENAMED_SETTINGS.length);
  });

  test('rate overrides can be set from the CLI (the unpriced footer points there)', () => {
    const home = tempDir('cl-home-');
    const env = { CREDIT_LEDGER_HOME: home };
    assert.equal(runCli(['config', 'set', 'rateOverrides.claude-next-1.0', 'input=3,output=15'], env).code, 0);
    assert.deepEqual(fileJson(home).rateOverrides, { 'claude-next-1.0': { input: 3, output: 15 } });
    const bad = runCli(['config', 'set', 'rateOverrides.claude-x', 'input=-1'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /input must be USD per million tokens/);
    assert.match(bad.stderr, /output are required/);
    assert.equal(runCli(['config', 'unset', 'rateOverrides.claude-next-1.0'], env).code, 0);
    assert.equal(fileJson(home).rateOverrides, undefined);
  });
});

describe('validation', () => {
  test('config set refuses values out of range and unknown keys; config unset of an unknown key is an error', () => {
    const home = tempDir('cl-home-');
    const env = { CREDIT_LEDGER_HOME: home };
    const cases: [string[], RegExp][] = [
      [['config', 'set', 'amount', '-3'], /"-3" is not a positive amount in USD/],
      [['config', 'set', 'warnShare', '2'], /"2" is not a share from 0 to 1/],
      [['config', 'set', 'cycleDay', '32'], /whole day of the month/],
      [['config', 'set', 'timeZone', 'Mars/Base'], /unknown time zone/],
      [['config', 'set', 'plan', 'gold'], /not one of pro, max5x/],
      [['config', 'set', 'audit.minIterations', '1'], /minIterations must be a whole number from 2/],
      [['config', 'set', 'nope', '1'], /unknown setting "nope"/],
      [['config', 'unset', 'nope'], /unknown setting "nope"/],
      [['config', 'get', 'nope'], /unknown setting "nope"/],
      [['config', 'set', 'pollIntervalSeconds', '5'], /VS Code setting only/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args, env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.ok(!fs.existsSync(settingsFile(home)), 'nothing written');
    const unset = runCli(['config', 'get', 'plan'], env);
    assert.equal(unset.code, 1);
    assert.match(unset.stderr, /plan is not set/);
  });

  test('balance --plan pro --amount 50 is refused (the amount would be ignored); --amount without a plan too', () => {
    const dir = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1' })]) });
    const r = runCli(['balance', '--config-dir', dir, '--plan', 'pro', '--amount', '50']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--amount applies to the custom and api plans; pro is \$20 a month/);
    const none = runCli(['balance', '--config-dir', dir, '--amount', '50']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--amount needs a plan/);
    assert.equal(runCli(['balance', '--config-dir', dir, '--plan', 'custom', '--amount', '50', '--json']).code, 0);
  });

  test('--db in a folder that does not exist is an error, and nothing is created', () => {
    const dir = configDir({ 'p/s.jsonl': jsonl([assistant({ messageId: 'm1' })]) });
    const missing = path.join(tempDir(), 'no-such-folder', 'ledger.sqlite');
    const r = runCli(['daily', '--config-dir', dir, '--db', missing]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the folder .*no-such-folder does not exist/);
    assert.ok(!fs.existsSync(path.dirname(missing)));
  });

  test('install-hook --dir with a typo creates no folder', () => {
    const parent = tempDir();
    const r = runCli(['install-hook', '--scope', 'local', '--dir', path.join(parent, 'projcet'), '--yes']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--dir .*projcet is not a folder/);
    assert.deepEqual(fs.readdirSync(parent), []);
  });
});

describe('reconcile', () => {
  const session = (): string => configDir({ 'p/s.jsonl': jsonl([queueOperation(), user('job'), assistant({ messageId: 'm1', input: 100_000, output: 0, entrypoint: 'sdk-cli', timestamp: '2026-11-20T10:00:00.000Z' })]) });

  test('a future --as-of is refused; a figure above the allotment needs --yes', () => {
    const home = tempDir('cl-home-');
    fs.writeFileSync(settingsFile(home), JSON.stringify({ plan: 'pro', timeZone: 'UTC' }));
    const env = { CREDIT_LEDGER_HOME: home };
    const future = runCli(['reconcile', '10', '--as-of', '2999-01-01T00:00:00Z'], env);
    assert.equal(future.code, 2);
    assert.match(future.stderr, /in the future/);
    const above = runCli(['reconcile', '25'], env);
    assert.equal(above.code, 1);
    assert.match(above.stderr, /\$25\.00 left is more than the pro plan's allotment of \$20\.00: not recorded.*--yes/);
    assert.ok(!fs.existsSync(path.join(home, 'journal.jsonl')));
    const yes = runCli(['reconcile', '25', '--yes', '--as-of', '2026-11-19T00:00:00Z'], env);
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /^Recorded: \$25\.00 left as of 2026-11-19 00:00 UTC \(fact \S+; undo with credit-ledger reconcile --undo \S+\)\.\n$/);
  });

  test('--list shows the figures; --undo withdraws the last one and the balance counts from the allotment again', () => {
    const home = tempDir('cl-home-');
    const env = { CREDIT_LEDGER_HOME: home };
    const dir = session();
    const balance = (): { remaining: number; reconcile: unknown } =>
      JSON.parse(runCli(['balance', '--json', '--config-dir', dir, '--plan', 'max5x', '--timezone', 'UTC', '--now', '2026-11-25T00:00:00Z'], env).stdout);
    assert.equal(runCli(['reconcile', '60', '--as-of', '2026-11-19T00:00:00Z'], env).code, 0);
    assert.equal(balance().remaining, 59.7);
    const list = runCli(['reconcile', '--list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /Id\s+As of\s+Left\s+Recorded/);
    assert.match(list.stdout, /2026-11-19 00:00 \S+\s+\$60\.00/);
    const undo = runCli(['reconcile', '--undo'], env);
    assert.equal(undo.code, 0, undo.stderr);
    assert.match(undo.stdout, /^Undone: \$60\.00 left as of 2026-11-19/);
    const b = balance();
    assert.equal(b.reconcile, null);
    assert.equal(b.remaining, 99.7);
    assert.match(runCli(['reconcile', '--list'], env).stdout, /undone/);
    const again = runCli(['reconcile', '--undo'], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no reconcile figure to undo/);
    assert.match(runCli(['reconcile', '--undo', 'nope'], env).stderr, /no reconcile figure has the id nope/);
  });
});
