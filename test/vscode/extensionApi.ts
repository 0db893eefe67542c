// The extension's API (what `activate` returns), once it has activated by itself (onStartupFinished).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CreditLedgerApi } from '../../src/extension/extension';
import { eventually } from './harness';
import { EXTENSION_ID } from './page';

export async function ledgerApi(): Promise<CreditLedgerApi> {
  const ext = vscode.extensions.getExtension<CreditLedgerApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  await eventually(() => assert.ok(ext.isActive, 'not active yet'), { timeoutMs: 20_000 });
  return ext.exports;
}
