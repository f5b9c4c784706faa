// Bundles src/ with esbuild into dist/: ESM (.mjs) and CJS (.cjs) builds of the main entry
// and of the tfjs-free channel/coding entry, plus the CLI; then emits .d.ts with tsc, copies the
// .d.ts files that sit beside generated .js sources, and checks that every module a shipped
// declaration imports has a declaration.
// tfjs packages stay external, so the backend registers into the application's tfjs-core.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

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

const typesDir = join(root, 'dist', 'types');

/** Every file under `dir` whose name ends with `suffix`, as absolute paths. */
function filesUnder(dir, suffix) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

// tsc emits declarations for .ts sources only. The .js modules generated from tfjs-core
// (src/backend/generated/) have their .d.ts beside them, and the emitted init.d.ts keeps its
// side-effect imports of them: without the .d.ts TypeScript >= 6 rejects it (TS2882).
for (const file of filesUnder(join(root, 'src'), '.d.ts')) {
  const target = join(typesDir, relative(join(root, 'src'), file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
}

/** The declaration file TypeScript resolves a relative specifier in `from` to, if it exists. */
function declarationOf(from, specifier) {
  const base = join(dirname(from), specifier);
  const candidates = /\.m?js$|\.cjs$/.test(base)
    ? [base.replace(/\.js$/, '.d.ts').replace(/\.mjs$/, '.d.mts').replace(/\.cjs$/, '.d.cts')]
    : [`${base}.d.ts`, join(base, 'index.d.ts')];
  return candidates.find((c) => existsSync(c));
}

const missing = [];
for (const file of filesUnder(typesDir, '.d.ts')) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    if (!declarationOf(file, m[1])) missing.push(`${relative(root, file)}: ${m[1]}`);
  }
}
if (missing.length) throw new Error(`declarations import modules that have no .d.ts:\n  ${missing.join('\n  ')}`);
