// Bundles src/ with esbuild into dist/: ESM (.mjs) and CJS (.cjs) builds of the main entry
// and of the tfjs-free channel/coding entry, plus the CLI; then emits .d.ts with tsc.
// tfjs packages stay external, so the backend registers into the application's tfjs-core.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const external = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', 'mnist', 'node:*'];
const entries = { index: 'src/index.ts', node: 'src/node.ts', channel: 'src/channel/index.ts', codes: 'src/codes/index.ts', sim: 'src/sim/index.ts' };

const common = { bundle: true, external, target: 'es2022', sourcemap: true, legalComments: 'none', logLevel: 'warning' };
// ESM: one build of all entries with code splitting, so that modules they share (the backend,
// its init state, the model and optimizer classes) exist once in a process that imports
// several entries (e.g. init from 'wireless-moe' and loadMnist from 'wireless-moe/node').
rmSync(join(root, 'dist', 'chunks'), { recursive: true, force: true }); // chunk names change with their contents
await build({
  ...common,
  entryPoints: Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, join(root, entry)])),
  format: 'esm',
  platform: 'neutral',
  splitting: true,
  outdir: join(root, 'dist'),
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
});
// CJS cannot be split: each entry is a whole bundle (CommonJS users take one entry).
for (const [name, entry] of Object.entries(entries)) {
  // CJS has no import.meta: give it the file URL of the bundle itself.
  await build({
    ...common,
    entryPoints: [join(root, entry)],
    format: 'cjs',
    platform: 'neutral',
    outfile: join(root, 'dist', `${name}.cjs`),
    define: { 'import.meta.url': '__wmoe_import_meta_url' },
    banner: { js: "var __wmoe_import_meta_url = typeof document === 'undefined' ? require('node:url').pathToFileURL(__filename).href : '';" },
  });
}
await build({
  ...common,
  entryPoints: [join(root, 'src/cli/wmoe.ts')],
  format: 'esm',
  platform: 'node',
  outfile: join(root, 'dist', 'cli', 'wmoe.mjs'),
  banner: { js: '#!/usr/bin/env node' },
});
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json'), '--emitDeclarationOnly', '--noEmit', 'false'], { stdio: 'inherit' });
