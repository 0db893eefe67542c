// Where the runner put this run's isolated state (temp folders, never the user's own).
import * as assert from 'node:assert/strict';

export interface TestEnv {
  /** CLAUDE_CONFIG_DIR for this run: the suite writes transcript fixtures here. */
  claudeConfigDir: string;
  /** CREDIT_LEDGER_HOME for this run: the per-user ledger folder. */
  ledgerHome: string;
}

export function testEnv(): TestEnv {
  const claudeConfigDir = process.env.CREDIT_LEDGER_TEST_CLAUDE_DIR ?? '';
  const ledgerHome = process.env.CREDIT_LEDGER_HOME ?? '';
  assert.ok(claudeConfigDir, 'CREDIT_LEDGER_TEST_CLAUDE_DIR is not set: run the suite through scripts/vscode/*.mjs');
  assert.ok(ledgerHome, 'CREDIT_LEDGER_HOME is not set: run the suite through scripts/vscode/*.mjs');
  return { claudeConfigDir, ledgerHome };
}
