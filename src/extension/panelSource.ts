// What the ledger panel needs from the extension: its model, a change signal, a way to run commands, and the
// journal writes it may ask for.
import type * as vscode from 'vscode';
import type { PanelModel } from '../core/reports/panelModel';
import type { PanelSection } from '../webview/protocol';

export interface PanelModelRequest {
  /** The tab the webview shows: the loop audit is computed only for `audit`. */
  section: PanelSection;
}

export interface PanelSource {
  getModel(request: PanelModelRequest): Promise<PanelModel> | PanelModel;
  onDidChange: vscode.Event<void>;
  runCommand(id: string, args: unknown[]): Thenable<unknown>;
  /** "Ignore this loop" (or take it back): a journal fact, then a fresh audit. */
  ignoreLoop(loopId: string, ignore: boolean): Promise<void>;
}
