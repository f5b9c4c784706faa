// The package's channel library for a bench: `dist/channel.mjs` with --dist, else src/channel
// bundled by esbuild into a temporary file (figures for the current source, no full build).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../..', import.meta.url).pathname;

/** Imports wireless-moe/channel: the built entry when `fromDist`, else a fresh esbuild bundle of src/channel. */
export async function loadChannel(fromDist) {
  if (fromDist) return import(pathToFileURL(join(root, 'dist', 'channel.mjs')).href);
  const { build } = await import('esbuild');
  const out = join(mkdtempSync(join(tmpdir(), 'wmoe-bench-')), 'channel.mjs');
  await build({
    entryPoints: [join(root, 'src', 'channel', 'index.ts')],
    bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'warning',
  });
  return import(pathToFileURL(out).href);
}
