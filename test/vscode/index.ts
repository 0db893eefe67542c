// Entry point VS Code loads as extensionTestsPath (compiled to out/test/vscode/): runs every test/vscode/**/*.test.ts.
// The test files are pulled in by scripts/vscode/compile-suite.mjs through this generated module.
import 'credit-ledger:vscode-test-files';
import { runRegistered } from './harness';
import { page } from './page';

export async function run(): Promise<void> {
  const result = await runRegistered(page.available);
  if (result.failed > 0) throw new Error(`${result.failed} test(s) failed`);
}
