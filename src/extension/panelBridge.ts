// The one file that imports the ledger panel (src/extension/panel/, built separately): opening it, restoring it
// after a reload, and building its model. If the panel's API changes, only this file changes.
import type * as vscode from 'vscode';
import type { PanelModel } from '../core/reports/panelModel';
import { LedgerPanel } from './panel/ledgerPanel';
import type { PanelSource } from './panelSource';
import type { PanelSection } from '../webview/protocol';
import type { PanelModelInput } from '../core/reports/panelModel';

/** A tab of the panel: the webview protocol's sections, one list for the command args and the page. */
export type PanelTab = PanelSection;

export function openLedgerPanel(extensionUri: vscode.Uri, source: PanelSource, tab?: PanelTab): void {
  LedgerPanel.createOrShow(extensionUri, source, tab);
}

/** The open panel, if any (tests reach it through the extension's API). */
export function currentLedgerPanel(): { receive(message: unknown): Promise<void> } | undefined {
  return LedgerPanel.currentPanel;
}

export function registerLedgerPanelSerializer(context: vscode.ExtensionContext, source: PanelSource): vscode.Disposable {
  return LedgerPanel.registerSerializer(context, source);
}

/** Builds the panel's model; the model module (and luxon with it) loads on first use, not at activation. */
export async function buildLedgerPanelModel(input: PanelModelInput): Promise<PanelModel> {
  const { buildPanelModel } = await import('../core/reports/panelModel.js');
  return buildPanelModel(input);
}
