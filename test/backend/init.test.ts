import { describe, expect, it } from 'vitest';
import { tf, wmoe, runOn, randomValues, maxRelError, copyModeBackend } from '../helpers/tf.js';
import { init } from '../../src/backend/init.js';
import { ResidentPool } from '../../src/backend/resident_pool.js';
import { OutputPool } from '../../src/backend/output_pool.js';
import { InputError } from '../../src/errors.js';
import { autoThreads, clampThreads } from '../../src/wasm/thread_support.js';

/** A small convnet's input and filter gradients (fixed seeds). */
const convnetGrads = () => {
  const x = tf.tensor4d(randomValues(2 * 9 * 9 * 3, 1), [2, 9, 9, 3]);
  const w = tf.tensor4d(randomValues(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.maxPool(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')), 2, 2, 'valid')),
  );
  return g([x, w]);
};

describe('backend wmoe', () => {
  it('registers and inherits every cpu kernel', async () => {
    await wmoe();
    const cpu = new Set(tf.getKernelsForBackend('cpu').map((k) => k.kernelName));
    const ours = new Set(tf.getKernelsForBackend('wmoe').map((k) => k.kernelName));
    for (const k of cpu) expect(ours.has(k), k).toBe(true);
  });

  it('computes gradients of a small convnet like cpu does', async () => {
    await wmoe();
    const ref = await runOn('cpu', convnetGrads);
    const got = await runOn('wmoe', convnetGrads);
    for (let i = 0; i < ref.length; i++) {
      expect(got[i].shape).toEqual(ref[i].shape);
      expect(maxRelError(got[i].data, ref[i].data)).toBeLessThan(1e-4);
    }
  });
});

describe('init() on one thread', () => {
  it('loads the shared-memory build without workers and keeps tensors in WASM memory', async () => {
    const backend = await wmoe();
    expect(backend.nn.threads).toBe(1);
    expect(backend.nn.threadsUnavailable).toBeUndefined();
    expect(backend.nn.exports.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(backend.nn.pool?.threads).toBe(1);
    expect(backend.outputs).toBeInstanceOf(ResidentPool);
    // A kernel's output is a view of WASM memory, read in place by the next kernel.
    await tf.setBackend('wmoe');
    const y = tf.conv2d(tf.ones([1, 8, 8, 4]) as tf.Tensor4D, tf.ones([3, 3, 4, 8]) as tf.Tensor4D, 1, 'same');
    expect((backend.outputs as ResidentPool).pointerOf(backend.data.get(y.dataId)!.values)).toBeGreaterThan(0);
    y.dispose();
  });

  it('gives results bit-identical to the copy-mode build (the one without SharedArrayBuffer)', async () => {
    const copy = await copyModeBackend();
    expect(copy.outputs).toBeInstanceOf(OutputPool);
    const resident = await runOn('wmoe', convnetGrads);
    const copied = await runOn('wmoe-copy', convnetGrads);
    for (let i = 0; i < resident.length; i++) {
      expect(Buffer.from(resident[i].data.buffer).equals(Buffer.from(copied[i].data.buffer)), `gradient ${i}`).toBe(true);
    }
  });

  it('is what init({ threads: 1 }) returns; bad options are InputErrors naming the value', async () => {
    const backend = await wmoe();
    expect(await init({ threads: 1, setBackend: false })).toBe(backend);
    await expect(init({ threads: 2 })).rejects.toThrow(/threads 2 asked for, but backend wmoe was already loaded with threads 1/);
    await expect(init({ threads: 'many' as unknown as number })).rejects.toThrow(/threads must be an integer from 1 to 64 or 'auto', got many/);
    await expect(init({ maxPages: 8 })).rejects.toThrow(InputError);
    await expect(init({ maxPages: 65537 })).rejects.toThrow(/maxPages must be an integer from 16 to 65536, got 65537/);
    await expect(init({ spin: 1.5 })).rejects.toThrow(/spin must be an integer >= 0, got 1.5/);
  });
});

describe("threads: 'auto'", () => {
  it('is the machine\'s logical CPUs in Node, hardwareConcurrency on a cross-origin isolated page, else 1; at most 64', async () => {
    const os = await import('node:os');
    expect(await autoThreads()).toBe(Math.min(64, os.availableParallelism()));
    const page = (crossOriginIsolated: boolean, hardwareConcurrency: unknown) => autoThreads({ crossOriginIsolated, navigator: { hardwareConcurrency } });
    expect(await page(true, 8)).toBe(8);
    expect(await page(false, 8)).toBe(1);
    expect(await page(true, 256)).toBe(64);
    expect(await page(true, undefined)).toBe(1);
    expect(await autoThreads({})).toBe(1);
    expect(clampThreads(0)).toBe(1);
    expect(clampThreads(2.5)).toBe(1);
  });
});

describe('WASM memory and feature checks', () => {
  it('repeated kernel calls reuse WASM memory instead of growing it', async () => {
    const backend = await wmoe();
    await tf.setBackend('wmoe');
    const x = tf.randomNormal([8, 32, 32, 16], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 16, 32], 0, 1, 'float32', 2) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, w]).forEach((t) => t.dataSync()));
    step();
    const after = backend.wasmPeakBytes();
    for (let i = 0; i < 5; i++) step();
    expect(backend.wasmPeakBytes()).toBe(after);
  });

  it('loading fails with a clear error when WebAssembly SIMD is missing', async () => {
    const { loadWasm } = await import('../../src/wasm/module.js');
    const original = WebAssembly.validate;
    WebAssembly.validate = () => false;
    try {
      await expect(loadWasm('nn', new Uint8Array(8))).rejects.toThrow(/no WebAssembly SIMD/);
    } finally {
      WebAssembly.validate = original;
    }
  });
});

describe('output pool (the copy-mode build)', () => {
  const conv = (seed: number) => {
    const x = tf.randomNormal([2, 12, 12, 8], 0, 1, 'float32', seed) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 8, 16], 0, 1, 'float32', seed + 1) as tf.Tensor4D;
    const y = tf.conv2d(x, w, 1, 'same');
    x.dispose();
    w.dispose();
    return y;
  };

  it('never recycles an array that user code has seen, nor one a live view still uses', async () => {
    await copyModeBackend();
    await tf.setBackend('wmoe-copy');
    // Seen through dataSync: must keep its values after the tensor is disposed and more work runs.
    const a = conv(1);
    const seen = a.dataSync();
    const copy = Float32Array.from(seen);
    a.dispose();
    for (let i = 0; i < 3; i++) conv(10 + i).dispose();
    expect(Array.from(seen)).toEqual(Array.from(copy));
    // Viewed by a cpu kernel's result (a simple slice is a subarray of the same memory).
    const expected = conv(2);
    const before = expected.dataSync().slice(0, 12 * 12 * 16);
    expected.dispose();
    const b = conv(2);
    const rows = tf.slice(b, [0, 0, 0, 0], [1, 12, 12, 16]); // nothing reads either before b goes
    b.dispose();
    for (let i = 0; i < 3; i++) conv(20 + i).dispose();
    expect(Array.from(rows.dataSync())).toEqual(Array.from(before));
    rows.dispose();
  });

  it('reuses the arrays of disposed, never-seen outputs, with identical results', async () => {
    const backend = await copyModeBackend();
    await tf.setBackend('wmoe-copy');
    const reference = conv(5).dataSync().slice();
    for (let i = 0; i < 3; i++) conv(6).dispose();
    expect((backend.outputs as OutputPool).pooledBytes).toBeGreaterThan(0);
    const again = conv(5);
    expect(Array.from(again.dataSync())).toEqual(Array.from(reference));
    again.dispose();
  });
});
