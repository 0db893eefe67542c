// The status bar item: renders `presentStatus` (statusModel.ts) and nothing else.
import * as vscode from 'vscode';
import { STATUS_BAR_ID, STATUS_BAR_NAME } from './ids';
import { Disposable } from './lifecycle';
import { TOOLTIP_COMMANDS, type StatusView } from './statusModel';

export class BalanceStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private last: StatusView | undefined;

  constructor() {
    super();
    this.item = this._register(vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Right, 100));
    this.item.name = STATUS_BAR_NAME;
  }

  get view(): StatusView | undefined {
    return this.last;
  }

  render(view: StatusView): void {
    const prev = this.last;
    this.last = view;
    if (prev && prev.text === view.text && prev.tooltip === view.tooltip && prev.background === view.background && prev.command.id === view.command.id) return;
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    // Command links run only our own commands; transcript text in the tooltip is escaped by the presenter.
    tooltip.isTrusted = { enabledCommands: [...TOOLTIP_COMMANDS] };
    this.item.tooltip = tooltip;
    this.item.backgroundColor =
      view.background === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : view.background === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.command = { command: view.command.id, title: view.command.title, arguments: view.command.arguments };
    this.item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
    this.item.show();
  }
}
