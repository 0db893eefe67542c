// What the ledger panel needs from the extension: its model, a change signal, and a way to run commands.
import type * as vscode from 'vscode';
import type { PanelModel } from '../core/reports/panelModel';

export interface PanelSource {
  getModel(): Promise<PanelModel> | PanelModel;
  onDidChange: vscode.Event<void>;
  runCommand(id: string, args: unknown[]): Thenable<unknown>;
}
