// The source tree is layered: the trainer and the CLI sit on top, and nothing below imports them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;
/** Folders below the trainer, and the folders each must never import. */
const LOWER = ['random', 'channel', 'codes', 'sim', 'wasm', 'kernels', 'backend', 'models', 'link', 'data', 'moe'];
const UPPER = ['train', 'cli', 'web'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('layering', () => {
  it.each(LOWER)('src/%s imports neither the trainer nor the CLI', (folder) => {
    const offenders = files(join(SRC, folder)).flatMap((path) => {
      const text = readFileSync(path, 'utf8');
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      return imports.filter((i) => UPPER.some((u) => i.includes(`../${u}/`))).map((i) => `${path.slice(SRC.length)} → ${i}`);
    });
    expect(offenders).toEqual([]);
  });
});
