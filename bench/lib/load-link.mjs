// The link-adaptation pieces of the package for a bench, bundled from src/ by esbuild (the MCS
// link, McsPolicy and parseMcsPolicy are not all exported from dist/'s entries): figures for the
// current source, no full build. tfjs stays external, so the bundle is written under
// node_modules/.cache (it resolves @tensorflow/* from the project) and deleted once imported.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../..', import.meta.url).pathname;

/** What the bundle exports, each from its source file (paths relative to the project root). */
const ENTRY = `
export { init, tf } from './src/backend/init.ts';
export { mcsLink } from './src/link/digital.ts';
export { awgnLinkBatch, ChannelModel } from './src/link/channel_model.ts';
export { channelModelSpecOf } from './src/link/channel_settings.ts';
export { parseMcsPolicy } from './src/cli/channel_flags.ts';
export { phyTableFor } from './src/link/adapt/policy.ts';
export { wilsonInterval } from './src/sim/confidence.ts';
`;

/**
 * Imports { init, tf, mcsLink, awgnLinkBatch, ChannelModel, channelModelSpecOf, parseMcsPolicy,
 * phyTableFor, wilsonInterval } from a fresh esbuild bundle of src/.
 */
export async function loadLink() {
  const { build } = await import('esbuild');
  const dir = join(root, 'node_modules', '.cache', 'wmoe-bench');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `link-${process.pid}-${Date.now()}.mjs`);
  await build({
    stdin: { contents: ENTRY, resolveDir: root, loader: 'ts', sourcefile: 'bench-link-entry.ts' },
    bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'warning',
    external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'],
  });
  try {
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}
