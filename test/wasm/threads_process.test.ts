// init({ threads: 2 }) in a fresh Node process: the process exits by itself once its work is
// done (the workers are unref()'d; no dispose() needed), and without SharedArrayBuffer the
// backend falls back to one thread, says why, and still computes. The script is bundled from
// src/ with esbuild next to node_modules (so tfjs resolves to the project's copy).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, test } from 'vitest';
import { threadSupport } from '../../src/wasm/thread_support.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = join(root, 'node_modules', '.cache', 'wmoe-threads-test');
const script = join(dir, 'child.mjs');

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'child-entry.ts');
  writeFileSync(entry, `
import { init, tf } from ${JSON.stringify(join(root, 'src', 'backend', 'init.ts'))};
if (process.argv[2] === 'no-sab') delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;
const backend = await init({ threads: 2 });
const a = tf.tensor2d(Array.from({ length: 256 * 300 }, (_, i) => (i % 7) - 3), [256, 300]);
const b = tf.tensor2d(Array.from({ length: 300 * 200 }, (_, i) => (i % 5) - 2), [300, 200]);
const y = tf.matMul(a, b).dataSync();
let sum = 0;
for (const v of y) sum += v;
console.log(JSON.stringify({ threads: backend.nn.threads, why: backend.nn.threadsUnavailable ?? null, sum }));
`);
  await build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: script, logLevel: 'error',
    external: ['@tensorflow/*', 'node:*'],
  });
}, 60_000);

/** Exact Σ of the product above, from the integer operands. */
function expectedSum(): number {
  let sum = 0;
  for (let i = 0; i < 256; i++) {
    for (let r = 0; r < 300; r++) {
      const a = ((i * 300 + r) % 7) - 3;
      let rowB = 0;
      for (let j = 0; j < 200; j++) rowB += ((r * 200 + j) % 5) - 2;
      sum += a * rowB;
    }
  }
  return sum;
}

function runChild(...args: string[]) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { ...r, ms: Date.now() - t0, out: r.stdout ? JSON.parse(r.stdout.trim().split('\n').pop()!) : null };
}

describe('threads in a process of their own', () => {
  test('a process that used 2 threads exits by itself, with the right result', () => {
    const r = runChild();
    expect(r.error, 'the process did not exit within 30 s').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toEqual({ threads: 2, why: null, sum: expectedSum() });
  }, 40_000);

  test('without SharedArrayBuffer it falls back to one thread and says why', () => {
    const r = runChild('no-sab');
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toEqual({ threads: 1, why: 'no SharedArrayBuffer', sum: expectedSum() });
  }, 40_000);
});

describe('threadSupport', () => {
  test('names what is missing', () => {
    expect(threadSupport({})).toEqual({ ok: false, reason: 'no SharedArrayBuffer' });
    expect(threadSupport({ SharedArrayBuffer, crossOriginIsolated: false, Worker: class {} }).reason).toMatch(/no Atomics/);
    expect(threadSupport({ SharedArrayBuffer, Atomics, WebAssembly, Worker: class {}, crossOriginIsolated: false }))
      .toEqual({ ok: false, reason: 'the page is not cross-origin isolated (serve it with COOP/COEP headers)' });
    expect(threadSupport({ SharedArrayBuffer, Atomics, WebAssembly, crossOriginIsolated: true }).reason).toBe('no Web Workers');
    expect(threadSupport({ SharedArrayBuffer, Atomics, WebAssembly, Worker: class {}, crossOriginIsolated: true }))
      .toEqual({ ok: true, host: 'web' });
    expect(threadSupport()).toEqual({ ok: true, host: 'node' });
  });
});
