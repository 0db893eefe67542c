// House style 5: command ids and setting keys live in src/extension/ids.ts; package.json `contributes` must agree.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PLANS, POLICY_STATUS } from '../../src/core/pool/plans';
import { CATEGORY, COMMAND_TITLES, COMMANDS, CONFIG_SECTION, EXTENSION_ID, SETTING_DEFAULTS, SETTING_KEYS, SETTINGS, WALKTHROUGH_ID, settingId } from '../../src/extension/ids';
import { MIRROR_MAP } from '../../src/extension/settingsMirror';
import { TOOLTIP_COMMANDS } from '../../src/extension/statusModel';

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;
const properties: Record<string, Record<string, unknown>> = contributes.configuration.properties;

describe('package.json agrees with src/extension/ids.ts', () => {
  it('the extension id is publisher.name', () => {
    assert.equal(EXTENSION_ID, `${pkg.publisher}.${pkg.name}`);
  });

  it('every command is contributed with its title and category, and nothing else is', () => {
    const contributed = new Map<string, { title: string; category: string }>(contributes.commands.map((c: { command: string; title: string; category: string }) => [c.command, c]));
    for (const [key, id] of Object.entries(COMMANDS)) {
      const c = contributed.get(id);
      assert.ok(c, `${id} is not in contributes.commands`);
      assert.equal(c.title, COMMAND_TITLES[key as keyof typeof COMMANDS]);
      assert.equal(c.category, CATEGORY);
    }
    assert.deepEqual([...contributed.keys()].sort(), Object.values(COMMANDS).sort());
  });

  it('Audit Loops is "Credit Ledger: Audit Loops"', () => {
    const c = contributes.commands.find((x: { command: string }) => x.command === COMMANDS.auditLoops);
    assert.equal(`${c.category}: ${c.title}`, 'Credit Ledger: Audit Loops');
  });

  it('the hook commands are in the palette; the run notification choices are the ones the mirror translates', () => {
    const titles = contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
    assert.ok(titles.includes('Credit Ledger: Install Claude Code Hook and Status Line'));
    assert.ok(titles.includes('Credit Ledger: Uninstall Claude Code Hook and Status Line'));
    assert.deepEqual(properties[settingId('runsNotify')]!.enum, ['always', 'overAmount', 'never']);
    assert.equal((properties[settingId('runsNotify')]!.markdownEnumDescriptions as string[]).length, 3);
  });

  it('every setting is contributed, typed, described and defaulted as declared; nothing else is', () => {
    for (const key of SETTING_KEYS) {
      const p = properties[settingId(key)];
      assert.ok(p, `${settingId(key)} is not in contributes.configuration`);
      assert.ok(p.type, `${settingId(key)} has no type`);
      assert.ok(typeof p.markdownDescription === 'string' || typeof p.description === 'string', `${settingId(key)} has no description`);
      assert.deepEqual(p.default, SETTING_DEFAULTS[key], `${settingId(key)} default`);
      assert.ok(p.scope, `${settingId(key)} has no scope`);
    }
    assert.deepEqual(Object.keys(properties).sort(), SETTING_KEYS.map((k) => `${CONFIG_SECTION}.${SETTINGS[k]}`).sort());
  });

  it('the plan setting lists every plan (and "not set"), and states the policy status', () => {
    const plan = properties[settingId('plan')]!;
    assert.deepEqual(plan.enum, ['', ...PLANS.map((p) => p.id)]);
    assert.equal((plan.enumItemLabels as string[]).length, (plan.enum as string[]).length);
    assert.equal((plan.markdownEnumDescriptions as string[]).length, (plan.enum as string[]).length);
    assert.ok(String(plan.markdownDescription).includes(POLICY_STATUS), 'the plan description carries POLICY_STATUS');
    assert.match(String(plan.markdownDescription), /paused/);
  });

  it('enum settings accept what the pool accepts', () => {
    assert.deepEqual(properties[settingId('scope')]!.enum, ['', 'headless', 'all']);
    assert.deepEqual(properties[settingId('overage')]!.enum, ['', 'bill', 'stop']);
    assert.deepEqual(properties[settingId('basis')]!.enum, ['recorded', 'corrected']);
  });

  it('paths are machine-scoped; per-user settings never come from a workspace', () => {
    assert.equal(properties[settingId('transcriptFolders')]!.scope, 'machine');
    for (const key of SETTING_KEYS) {
      if (MIRROR_MAP[key] === null) continue;
      assert.ok(['application', 'machine'].includes(String(properties[settingId(key)]!.scope)), `${settingId(key)} is mirrored to the per-user file, so it cannot be a workspace setting`);
    }
  });

  it('menus, walkthrough steps and tooltip links name only contributed commands', () => {
    const known = new Set<string>(Object.values(COMMANDS));
    for (const [menu, items] of Object.entries(contributes.menus as Record<string, { command: string }[]>)) {
      for (const item of items) assert.ok(known.has(item.command), `${menu} names ${item.command}`);
    }
    const walkthrough = contributes.walkthroughs.find((w: { id: string }) => w.id === WALKTHROUGH_ID);
    assert.ok(walkthrough, `walkthrough ${WALKTHROUGH_ID}`);
    for (const step of walkthrough.steps as { id: string; description: string; media: { markdown?: string }; completionEvents: string[] }[]) {
      for (const m of step.description.matchAll(/command:([\w.]+)/g)) assert.ok(known.has(m[1]!), `step ${step.id} links ${m[1]}`);
      for (const e of step.completionEvents) {
        const id = /^onCommand:(.+)$/.exec(e)?.[1];
        if (id) assert.ok(known.has(id), `step ${step.id} completes on ${id}`);
        const setting = /^onSettingChanged:(.+)$/.exec(e)?.[1];
        if (setting) assert.ok(properties[setting], `step ${step.id} completes on ${setting}`);
      }
      if (step.media.markdown) assert.ok(fs.existsSync(path.join(root, step.media.markdown)), `${step.media.markdown} exists`);
    }
    for (const id of TOOLTIP_COMMANDS) assert.ok(known.has(id) || id.startsWith('workbench.'), `tooltip links ${id}`);
  });

  it('activates on startup only; icon and packaging are in place', () => {
    assert.deepEqual(pkg.activationEvents, ['onStartupFinished']);
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    assert.ok(fs.existsSync(path.join(root, pkg.icon)), `${pkg.icon} exists`);
    const png = fs.readFileSync(path.join(root, pkg.icon));
    assert.equal(png.readUInt32BE(16), 128, 'icon width');
    assert.equal(png.readUInt32BE(20), 128, 'icon height');
    assert.match(pkg.scripts.package, /vsce package --no-dependencies/);
    for (const f of ['LICENSE', 'CHANGELOG.md', '.vscodeignore']) assert.ok(fs.existsSync(path.join(root, f)), `${f} exists`);
  });
});
