// Install and Uninstall the Claude Code hook and status line from VS Code (core/hook/install does the planning and the
// writing). Nothing is written unasked: the plan's diff opens in a read-only preview and a modal asks first, unless the
// arguments say `{ confirm: true }` (tests, scripted setups).
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  applyInstall,
  applyUninstall,
  claudeSettingsFile,
  currentRuntime,
  planInstall,
  planUninstall,
  type InstallPlan,
  type InstallResult,
  type UninstallPlan,
  type UninstallResult,
} from '../core/hook/install';
import type { UserPaths } from '../core/state/paths';
import { CommandArgsError, parseHookArgs, type HookTarget } from './commandArgs';
import { Disposable } from './lifecycle';
import { showInfo, showWarning } from './messages';
import { plainText } from './plainText';

export interface HookCommandHost {
  paths: UserPaths;
  /** The extension's folder: dist/hook.js is copied beside the launcher from there. */
  extensionPath: string;
  log: vscode.LogOutputChannel;
  preview: DiffPreview;
}

export const PREVIEW_SCHEME = 'credit-ledger-preview';

/** Read-only virtual documents holding a plan's diff (nothing on disk, nothing to save). */
export class DiffPreview extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly _onDidChange = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this._onDidChange.event;

  constructor() {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  async show(name: string, text: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${name}` });
    this.texts.set(uri.toString(), text);
    this._onDidChange.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const shown = doc.languageId === 'diff' ? doc : await vscode.languages.setTextDocumentLanguage(doc, 'diff');
    await vscode.window.showTextDocument(shown, { preview: true, preserveFocus: false });
  }
}

function hookScript(host: HookCommandHost): string {
  return path.join(host.extensionPath, 'dist', 'hook.js');
}

async function pickTarget(title: string): Promise<HookTarget | undefined> {
  const hasFolder = !!vscode.workspace.workspaceFolders?.length;
  const items: (vscode.QuickPickItem & { target: HookTarget })[] = [
    { target: 'user', label: 'User', description: plainText(claudeSettingsFile({ scope: 'user' })), detail: 'Every Claude Code session on this machine' },
  ];
  if (hasFolder) {
    const dir = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    items.push(
      { target: 'local', label: 'This workspace, not committed', description: plainText(claudeSettingsFile({ scope: 'local', workspaceDir: dir })), detail: 'Sessions in this folder; .claude/settings.local.json stays out of git' },
      { target: 'workspace', label: 'This workspace, shared', description: plainText(claudeSettingsFile({ scope: 'workspace', workspaceDir: dir })), detail: 'Sessions in this folder; usually committed: it runs the bare credit-ledger command, which must be on PATH' },
    );
  }
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Which Claude Code settings file?' });
  return pick?.target;
}

function workspaceDir(target: HookTarget): string | undefined {
  if (target === 'user') return undefined;
  const dir = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!dir) throw new CommandArgsError(`target "${target}" needs an open folder (or use target "user")`);
  return dir;
}

/** What the modal says: the file, what goes in, and the notes of the plan. */
export function installSummary(plan: InstallPlan, runtime = currentRuntime()): string {
  const lines = [`Settings file: ${plan.settingsFile}`];
  if (plan.commands.hook) lines.push(`Hook (UserPromptSubmit, SessionStart): warns before a prompt that would cross a long-context price tier, re-write an expired cache or spend more than the credit left. It never blocks unless you set its policy to block.`);
  if (plan.commands.statusLine) lines.push(`Status line: context size and price tier, this session at list price, credit left${plan.wrappedStatusLine ? ` (your own status line keeps running first)` : ''}.`);
  lines.push(`Launcher: ${plan.launcher.command}, running ${plan.launcher.script} with ${runtime.execPath}${runtime.electron ? ' as Node' : ''} (or node on PATH); it exits quietly when either is gone.`);
  lines.push(plan.before === null ? 'The file does not exist yet: it is created.' : 'Your comments, formatting and other hooks are kept; the file before is backed up.');
  lines.push(...plan.notes);
  return lines.join('\n\n');
}

export function uninstallSummary(plan: UninstallPlan): string {
  const what = {
    restore: 'restored byte for byte from the backup made at install (nothing else changed it since)',
    delete: 'deleted (it did not exist before the install, and nothing else changed it since)',
    edit: "edited: only Credit Ledger's entries are removed",
    none: "left as it is: it holds no Credit Ledger entries",
  }[plan.mode];
  const lines = [`${plan.settingsFile} is ${what}.`, ...plan.notes];
  if (plan.removeFiles.length) lines.push(`Launcher files removed: ${plan.removeFiles.join(', ')}`);
  return lines.join('\n\n');
}

export async function installHook(host: HookCommandHost, arg: unknown): Promise<InstallResult | undefined> {
  const args = parseHookArgs(arg);
  const interactive = !args.confirm;
  const target = args.target ?? (await pickTarget('Credit Ledger: Install the Claude Code hook'));
  if (!target) return undefined;
  let statusLine = args.statusLine;
  if (statusLine === undefined && args.target === undefined) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'Hook and status line', detail: 'The status line shows the context size, this session at list price and the credit left under the prompt', statusLine: true },
        { label: 'Hook only', detail: 'Warnings before costly prompts; your status line stays as it is', statusLine: false },
      ],
      { title: 'Credit Ledger: Install the Claude Code hook', placeHolder: 'Also install the status line?' },
    );
    if (!pick) return undefined;
    statusLine = pick.statusLine;
  }
  const plan = planInstall({ scope: target, workspaceDir: workspaceDir(target), paths: host.paths, hookScript: hookScript(host), hook: true, statusLine: statusLine === true });
  host.log.info(`install hook: plan for ${plan.settingsFile} (${plan.changed ? 'changes' : 'no change'})`);
  if (plan.changed && interactive) {
    await host.preview.show(`${path.basename(plan.settingsFile)} (install).diff`, plan.diff);
    const choice = await showWarning('Install the Credit Ledger hook in Claude Code?', { modal: true, detail: installSummary(plan) }, 'Install');
    if (choice !== 'Install') {
      host.log.info('install hook: not confirmed, nothing written');
      return undefined;
    }
  }
  const result = applyInstall(plan);
  host.log.info(`install hook: ${result.wrote ? `wrote ${result.settingsFile}${result.backup ? ` (backup ${result.backup})` : ''}` : `${result.settingsFile} already holds the entries; launcher refreshed`}`);
  if (interactive) {
    const message = result.wrote
      ? `Credit Ledger: the hook${plan.statusLine ? ' and status line are' : ' is'} installed in ${result.settingsFile}. New Claude Code sessions use ${plan.statusLine ? 'them' : 'it'}.`
      : `Credit Ledger: ${result.settingsFile} already holds the hook; the launcher was refreshed.`;
    void showInfo(message, 'Open Settings File').then((c) => {
      if (c) void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(result.settingsFile));
    });
  }
  return result;
}

export async function uninstallHook(host: HookCommandHost, arg: unknown): Promise<UninstallResult | undefined> {
  const args = parseHookArgs(arg);
  const interactive = !args.confirm;
  const target = args.target ?? (await pickTarget('Credit Ledger: Uninstall the Claude Code hook'));
  if (!target) return undefined;
  const plan = planUninstall({ scope: target, workspaceDir: workspaceDir(target), paths: host.paths });
  if (!plan.changed && !plan.removeFiles.length) {
    if (interactive) void showInfo(`Credit Ledger: ${plan.settingsFile} holds no Credit Ledger hook or status line: nothing to remove.`);
    return { settingsFile: plan.settingsFile, mode: 'none', removedFiles: [] };
  }
  if (interactive) {
    if (plan.changed && plan.diff) await host.preview.show(`${path.basename(plan.settingsFile)} (uninstall).diff`, plan.diff);
    const choice = await showWarning('Uninstall the Credit Ledger hook from Claude Code?', { modal: true, detail: uninstallSummary(plan) }, 'Uninstall');
    if (choice !== 'Uninstall') {
      host.log.info('uninstall hook: not confirmed, nothing written');
      return undefined;
    }
  }
  const result = applyUninstall(plan);
  host.log.info(`uninstall hook: ${result.settingsFile} ${result.mode}${result.removedFiles.length ? `; removed ${result.removedFiles.join(', ')}` : ''}`);
  if (interactive) void showInfo(`Credit Ledger: the hook is out of ${result.settingsFile} (${result.mode === 'restore' ? 'restored as it was' : result.mode === 'delete' ? 'the file it created is gone' : 'only its entries removed'}).`);
  return result;
}
