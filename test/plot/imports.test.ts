// src/plot/ is shared by the CLI (src/cli/svg.ts) and the browser page (web/chart.ts, bundled by
// esbuild): it must stay free of tfjs, Node and the rest of the package.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DIR = new URL('../../src/plot/', import.meta.url);

describe('src/plot', () => {
  it('imports only its own modules', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const outside = files.flatMap((f) => {
      const text = readFileSync(new URL(f, DIR), 'utf8');
      return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]).filter((s) => !/^\.\/[\w-]+\.js$/.test(s)).map((s) => `${f} → ${s}`);
    });
    expect(outside).toEqual([]);
  });
});
