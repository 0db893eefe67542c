// Compiles the in-VS-Code suite (test/vscode/**) into one CommonJS file, out/test/vscode/index.js (the extensionTestsPath),
// `vscode` external.
// Every test/vscode/**/*.test.ts is pulled in through a generated module, so a new test file needs no registration.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

export const SUITE_MODULE = 'credit-ledger:vscode-test-files';

function findTests(dir) {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (e.name !== 'fixtures' && e.name !== 'node_modules') walk(p); }
      else if (e.name.endsWith('.test.ts')) found.push(p);
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * @param {string} repoRoot
 * @returns {Promise<{ index: string, tests: string[] }>} absolute path of the compiled suite index and the test files in it
 */
export async function compileSuite(repoRoot) {
  const esbuild = createRequire(path.join(repoRoot, 'package.json'))('esbuild');
  const srcDir = path.join(repoRoot, 'test', 'vscode');
  const outDir = path.join(repoRoot, 'out', 'test', 'vscode');
  const tests = findTests(srcDir);
  const testFiles = {
    name: 'vscode-test-files',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${SUITE_MODULE}$`) }, () => ({ path: SUITE_MODULE, namespace: 'test-files' }));
      build.onLoad({ filter: /.*/, namespace: 'test-files' }, () => ({
        contents: tests.map((t) => `import ${JSON.stringify('./' + path.relative(srcDir, t).split(path.sep).join('/'))};`).join('\n') + '\n',
        resolveDir: srcDir,
        loader: 'ts',
      }));
    },
  };
  fs.rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: { index: path.join(srcDir, 'index.ts') },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    // Inline map: the harness maps failure stacks back to test/vscode/*.ts lines (the host's own stack formatter ignores maps).
    sourcemap: 'inline',
    logLevel: 'warning',
    plugins: [testFiles],
  });
  return { index: path.join(outDir, 'index.js'), tests: tests.map((t) => path.relative(repoRoot, t)) };
}
