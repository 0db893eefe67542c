// The extension's entry point (bundled to dist/extension.js). `activate` builds the composition root and
// returns at once; the meter opens after activation (see extension.ts). Activation time goes to the log.
import { bundleLoadStarted } from './loadClock';
import * as vscode from 'vscode';
import { CreditLedgerExtension, type CreditLedgerApi } from './extension';
import { LOG_CHANNEL_NAME } from './ids';

export function activate(context: vscode.ExtensionContext): CreditLedgerApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  const root = new CreditLedgerExtension(context, log);
  // Disposed in this order: the root (saves the ledger, logging as it goes), then the log.
  context.subscriptions.push(root, log);
  root.recordActivation(performance.now() - started, started - bundleLoadStarted);
  log.info(`activated in ${root.activation.activateMs.toFixed(1)} ms; the bundle began evaluating ${root.activation.loadMs.toFixed(1)} ms before activate() (extension ${context.extension.packageJSON.version}, VS Code ${vscode.version}, ledger ${root.api.ledgerFile})`);
  return root.api;
}

export function deactivate(): void {
  // Everything (saving the ledger, releasing its lock) happens when VS Code disposes context.subscriptions.
}
