import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../src/extension/ids';
import { contentSecurityPolicy, newNonce, panelHtml } from '../../src/extension/panel/html';
import {
  DEFAULT_FILTER,
  isAllowedCommand,
  isCommand,
  isError,
  isHostMessage,
  isIgnoreLoop,
  isModelMessage,
  isOpenLoop,
  isSection,
  isOpenTranscript,
  isReady,
  isSessionFilter,
  isSetFilter,
  isShow,
  isWebviewMessage,
  LOOP_ID,
  overrideCommand,
  PANEL_SECTIONS,
  PanelCommands,
} from '../../src/webview/protocol';
import { LOOP_ID_PATTERN } from '../../src/core/audit/facts';
import { defaultState, restoreState } from '../../src/webview/state';

describe('panel protocol guards', () => {
  it('accepts every webview -> host message', () => {
    assert.ok(isReady({ type: 'ready' }));
    assert.ok(isCommand({ type: 'command', id: 'creditLedger.setPlan', args: [] }));
    assert.ok(isOpenTranscript({ type: 'openTranscript', sessionId: 'abc' }));
    assert.ok(isSetFilter({ type: 'setFilter', filter: { project: 'workspace', coverage: 'covered', surface: 'headless', text: 'x' } }));
    for (const m of [{ type: 'ready' }, { type: 'refresh' }, overrideCommand('s1', 'never'), { type: 'setFilter', filter: DEFAULT_FILTER }]) assert.ok(isWebviewMessage(m), JSON.stringify(m));
  });

  it('rejects malformed webview messages', () => {
    for (const m of [
      null,
      undefined,
      'ready',
      [],
      { type: 'readyy' },
      { type: 'command', id: 'creditLedger.setPlan' },
      { type: 'command', id: '', args: [] },
      { type: 'command', id: 7, args: [] },
      { type: 'openTranscript' },
      { type: 'openTranscript', sessionId: '' },
      { type: 'setFilter', filter: { ...DEFAULT_FILTER, project: 'elsewhere' } },
      { type: 'setFilter', filter: { ...DEFAULT_FILTER, text: 'x'.repeat(201) } },
      { type: 'setFilter', filter: { project: 'all', coverage: 'all', surface: 'all' } },
    ]) {
      assert.equal(isWebviewMessage(m), false, JSON.stringify(m));
    }
  });

  it('checks host -> webview messages', () => {
    assert.ok(isShow({ type: 'show', section: 'audit' }));
    assert.equal(isShow({ type: 'show', section: 'elsewhere' }), false);
    assert.ok(isError({ type: 'error', message: 'boom' }));
    assert.ok(isModelMessage({ type: 'model', model: { version: 1 } }));
    assert.ok(isModelMessage({ type: 'model', model: { version: 1 }, filter: DEFAULT_FILTER }));
    assert.equal(isModelMessage({ type: 'model', model: { version: 2 } }), false);
    assert.equal(isModelMessage({ type: 'model', model: null }), false);
    assert.equal(isModelMessage({ type: 'model', model: { version: 1 }, filter: { project: 'x' } }), false);
    assert.equal(isHostMessage({ type: 'ready' }), false);
  });

  it('keeps an audit section the host can switch to, and runs only our own commands', () => {
    assert.ok(PANEL_SECTIONS.includes('audit'));
    assert.ok(PANEL_SECTIONS.includes('runs'));
    assert.ok(isAllowedCommand('creditLedger.setPlan'));
    assert.equal(isAllowedCommand('workbench.action.terminal.sendSequence'), false);
    assert.equal(isAllowedCommand('creditLedger.x;rm'), false);
    assert.equal(isAllowedCommand('creditLedgerX.setPlan'), false);
    for (const id of Object.values(PanelCommands)) assert.ok(isAllowedCommand(id), id);
    // commands whose arguments skip a prompt or name a path are never run for the webview
    for (const id of [COMMANDS.exportLedger, COMMANDS.installHook, COMMANDS.uninstallHook, COMMANDS.rebuildLedger, COMMANDS.chooseFolders, COMMANDS.reconcile]) {
      assert.equal(isAllowedCommand(id), false, id);
    }
  });

  it('names the extension\'s command ids', () => {
    assert.equal(PanelCommands.setPlan, COMMANDS.setPlan);
    assert.equal(PanelCommands.overrideSession, COMMANDS.overrideSession);
    assert.deepEqual(overrideCommand('s1', 'count'), { type: 'command', id: 'creditLedger.overrideSession', args: [{ sessionId: 's1', mode: 'count' }] });
  });

  it('audit messages: the shown section, open a loop, ignore a loop (loop ids as core/audit makes them)', () => {
    assert.equal(LOOP_ID.source, LOOP_ID_PATTERN.source, 'the webview\'s copy of the loop id pattern');
    assert.ok(isSection({ type: 'section', section: 'audit' }));
    assert.ok(isOpenLoop({ type: 'openLoop', loopId: 'reread-0123456789' }));
    assert.ok(isIgnoreLoop({ type: 'ignoreLoop', loopId: 'scheduled-abcdef0123', ignore: false }));
    for (const m of [
      { type: 'section', section: 'elsewhere' },
      { type: 'openLoop', loopId: '../../etc/passwd' },
      { type: 'openLoop', loopId: 'reread-0123' },
      { type: 'ignoreLoop', loopId: 'reread-0123456789' },
      { type: 'ignoreLoop', loopId: 'reread-0123456789', ignore: 'yes' },
    ]) assert.equal(isWebviewMessage(m), false, JSON.stringify(m));
    assert.ok(isWebviewMessage({ type: 'ignoreLoop', loopId: 'recurring-0123456789', ignore: true }));
    assert.equal(PanelCommands.auditLoops, COMMANDS.auditLoops);
  });

  it('isSessionFilter accepts the default filter', () => {
    assert.ok(isSessionFilter(DEFAULT_FILTER));
  });
});

describe('panel state', () => {
  it('restores what it can and defaults the rest', () => {
    assert.deepEqual(restoreState(undefined), defaultState());
    assert.deepEqual(restoreState('junk'), defaultState());
    const s = restoreState({ section: 'audit', filter: { project: 'workspace', coverage: 'excluded', surface: 'all', text: 'q' }, sort: { key: 'cost', dir: 'asc' }, dailyScope: 'covered', limit: 9999 });
    assert.equal(s.section, 'audit');
    assert.equal(s.filter.project, 'workspace');
    assert.deepEqual(s.sort, { key: 'cost', dir: 'asc' });
    assert.equal(s.dailyScope, 'covered');
    assert.equal(s.limit, defaultState().limit);
    const bad = restoreState({ section: 'nope', sort: { key: 'nope', dir: 'asc' }, filter: { project: 1 } });
    assert.deepEqual(bad, defaultState());
  });

  it('restores the audit\'s sort, open findings and ignored toggle', () => {
    const s = restoreState({ auditSort: { key: 'iterations', dir: 'asc' }, auditOpen: ['reread-0123456789', '<img>', 7], auditShowIgnored: true });
    assert.deepEqual(s.auditSort, { key: 'iterations', dir: 'asc' });
    assert.deepEqual(s.auditOpen, ['reread-0123456789']);
    assert.equal(s.auditShowIgnored, true);
    assert.deepEqual(restoreState({ auditSort: { key: 'color', dir: 'asc' } }).auditSort, defaultState().auditSort);
  });
});

describe('panel HTML', () => {
  const nonce = newNonce();
  const html = panelHtml({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/dist/webview.css', nonce });

  it('has a strict CSP: nothing by default, scripts by nonce, styles and images from the webview origin', () => {
    const csp = contentSecurityPolicy('https://src', nonce);
    assert.match(csp, /^default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'`));
    assert.match(csp, /style-src https:\/\/src(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.ok(html.includes(`content="${csp.replaceAll('https://src', 'https://file+.vscode-resource.vscode-cdn.net')}"`));
  });

  it('loads the bundle with the nonce and has no inline script, style or handler', () => {
    assert.match(html, new RegExp(`<script nonce="${nonce}" src="https://x/dist/webview.js"></script>`));
    assert.match(html, /<link rel="stylesheet" href="https:\/\/x\/dist\/webview.css">/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.doesNotMatch(html, /<style|style=|\son[a-z]+=/i);
  });

  it('makes a fresh, CSP-safe nonce every time', () => {
    const a = newNonce();
    const b = newNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{20,}$/);
  });
});

describe('webview sources', () => {
  it('never write HTML from strings (transcript text goes through textContent only)', () => {
    const dir = path.join(__dirname, '..', '..', 'src', 'webview');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      assert.doesNotMatch(text, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/, file);
      assert.doesNotMatch(text, /setAttribute\(\s*['"](style|on[a-z]+)['"]/, file);
    }
  });
});
