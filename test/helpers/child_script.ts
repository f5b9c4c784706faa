// A TypeScript script run in a child Node process (a process loads backend wmoe with one thread
// count only): bundled from src/ with esbuild into node_modules/.cache, next to node_modules, so
// that @tensorflow/* resolves to the project's copy.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/** The project's root directory. */
export const ROOT = new URL('../..', import.meta.url).pathname;

/** Path of src/<path> (for the child's imports). */
export function srcPath(...path: string[]): string {
  return join(ROOT, 'src', ...path);
}

/** Bundles TypeScript `source` (imports: absolute paths, see srcPath) as `name`.mjs; returns its path. */
export async function bundleChild(name: string, source: string): Promise<string> {
  const dir = join(ROOT, 'node_modules', '.cache', 'wmoe-child-scripts');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, `${name}-entry.ts`);
  const script = join(dir, `${name}.mjs`);
  writeFileSync(entry, source);
  await build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: script, logLevel: 'error',
    external: ['@tensorflow/*', 'node:*'],
  });
  return script;
}

/** Runs `script` with `args`; `out` is its last stdout line as JSON (null when there is none). */
export function runChildScript(script: string, args: string[], timeoutMs = 30_000) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 << 20 });
  const last = r.stdout ? r.stdout.trim().split('\n').pop() : undefined;
  return { ...r, ms: Date.now() - t0, out: last ? JSON.parse(last) : null };
}
