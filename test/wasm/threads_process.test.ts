// init({ threads: 2 }) in a fresh Node process: the process exits by itself once its work is
// done (the workers are unref()'d; no dispose() needed), and without SharedArrayBuffer the
// backend falls back to one thread, says why, and still computes; init() alone loads the
// shared-memory build (resident tensors) where it can, else the copy-mode build.
import { beforeAll, describe, expect, test } from 'vitest';
import { threadSupport } from '../../src/wasm/thread_support.js';
import { bundleChild, runChildScript, srcPath } from '../helpers/child_script.js';

let script: string;

beforeAll(async () => {
  script = await bundleChild('threads-process', `
import { init, tf } from ${JSON.stringify(srcPath('backend', 'init.ts'))};
if (process.argv[2] === 'no-sab') delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;
const maxPages = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const backend = await init(process.argv[3] === 'default' ? { maxPages } : { threads: 2, maxPages });
const a = tf.tensor2d(Array.from({ length: 256 * 300 }, (_, i) => (i % 7) - 3), [256, 300]);
const b = tf.tensor2d(Array.from({ length: 300 * 200 }, (_, i) => (i % 5) - 2), [300, 200]);
const y = tf.matMul(a, b).dataSync();
let sum = 0;
for (const v of y) sum += v;
console.log(JSON.stringify({ threads: backend.nn.threads, why: backend.nn.threadsUnavailable ?? null, resident: backend.nn.heap !== undefined, sum, ...(maxPages ? { maxBytes: backend.nn.heap?.maxBytes } : {}) }));
`);
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

const runChild = (...args: string[]) => runChildScript(script, args);

describe('threads in a process of their own', () => {
  test('a process that used 2 threads exits by itself, with the right result', () => {
    const r = runChild();
    expect(r.error, 'the process did not exit within 30 s').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toEqual({ threads: 2, why: null, resident: true, sum: expectedSum() });
  }, 40_000);

  test('without SharedArrayBuffer it falls back to one thread and says why', () => {
    const r = runChild('no-sab');
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toEqual({ threads: 1, why: 'no SharedArrayBuffer', resident: false, sum: expectedSum() });
  }, 40_000);

  test('init() keeps tensors in shared WASM memory on one thread, or copies where SharedArrayBuffer is missing', () => {
    const shared = runChild('sab', 'default');
    expect(shared.status, shared.stderr).toBe(0);
    expect(shared.out).toEqual({ threads: 1, why: null, resident: true, sum: expectedSum() });
    const copy = runChild('no-sab', 'default');
    expect(copy.status, copy.stderr).toBe(0);
    expect(copy.out).toEqual({ threads: 1, why: null, resident: false, sum: expectedSum() });
  }, 60_000);

  test('maxPages sets the shared memory\'s maximum', () => {
    const r = runChild('sab', 'two', '256');
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toEqual({ threads: 2, why: null, resident: true, sum: expectedSum(), maxBytes: 256 * 65536 });
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
