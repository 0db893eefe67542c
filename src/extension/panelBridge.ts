// The one file that imports the ledger panel (src/extension/panel/, built separately): opening it, restoring it
// after a reload, and building its model. If the panel's API changes, only this file changes.
import type * as vscode from 'vscode';
import type { PanelModel } from '../core/reports/panelModel';
import { LedgerPanels } from './panel/ledgerPanel';
import type { PanelSource } from './panelSource';
import type { PanelSection } from '../webview/protocol';
import type { PanelModelInput } from '../core/reports/panelModel';

/** A tab of the panel: the webview protocol's sections, one list for the command args and the page. */
export type PanelTab = PanelSection;

/** The window's panel owner (one panel per window), held by the composition root. */
export interface LedgerPanelHost extends vscode.Disposable {
  open(tab?: PanelTab): void;
  /** The open panel, if any (tests reach it through the extension's API). */
  current(): { receive(message: unknown): Promise<void> } | undefined;
}

/** Registers the serializer that restores the panel after a reload, and opens it on demand. */
export function createLedgerPanelHost(extensionUri: vscode.Uri, source: PanelSource): LedgerPanelHost {
  const panels = new LedgerPanels(extensionUri, source);
  return {
    open: (tab) => void panels.createOrShow(tab),
    current: () => panels.currentPanel,
    dispose: () => panels.dispose(),
  };
}

/** Builds the panel's model; the model module (and luxon with it) loads on first use, not at activation. */
export async function buildLedgerPanelModel(input: PanelModelInput): Promise<PanelModel> {
  const { buildPanelModel } = await import('../core/reports/panelModel.js');
  return buildPanelModel(input);
}
