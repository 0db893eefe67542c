// The CLI tests run dist/cli.js as a user runs it: `npm run test:unit` builds it first, so no test checks a stale bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

function newestSource(dir: string): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const n = e.isDirectory() ? newestSource(p) : /\.(ts|json)$/.test(e.name) ? { file: p, mtimeMs: fs.statSync(p).mtimeMs } : newest;
    if (n.mtimeMs > newest.mtimeMs) newest = n;
  }
  return newest;
}

test('dist/cli.js and dist/hook.js are built from the sources as they are now', () => {
  const newest = newestSource(path.join(root, 'src'));
  for (const bundle of ['cli.js', 'hook.js']) {
    const built = fs.statSync(path.join(root, 'dist', bundle)).mtimeMs;
    assert.ok(built >= newest.mtimeMs, `dist/${bundle} is older than ${path.relative(root, newest.file)}: run the unit tests with \`npm run test:unit\` (it builds first)`);
  }
});
