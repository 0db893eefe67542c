// Bundles the extension host entry, the CLI, the ingest worker and the webview; `vscode` stays external.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const node = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/main.ts' }, outdir: 'dist' },
  // The bin: a small entry that serves stored answers, and the CLI proper, loaded only when needed.
  { ...node, entryPoints: { cli: 'src/cli/entry.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: { 'cli-main': 'src/cli/main.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { 'ingest-worker': 'src/core/transcripts/worker.ts' }, outdir: 'dist' },
  // The Claude Code hook and status line: its own small bundle (no sql.js, no luxon) so it starts fast.
  { ...node, entryPoints: { hook: 'src/core/hook/entry.ts' }, outdir: 'dist' },
  { ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: { webview: 'src/webview/main.ts' }, outdir: 'dist' },
].filter((b) => Object.values(b.entryPoints).every((p) => fs.existsSync(p)));

function copyWasm() {
  const wasm = require.resolve('sql.js/dist/sql-wasm.wasm');
  fs.mkdirSync('dist', { recursive: true });
  fs.copyFileSync(wasm, path.join('dist', 'sql-wasm.wasm'));
}

async function main() {
  copyWasm();
  if (watch) {
    for (const b of builds) (await esbuild.context(b)).watch();
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
  fs.chmodSync('dist/cli.js', 0o755);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
