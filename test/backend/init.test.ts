import { describe, expect, it } from 'vitest';
import { tf, wmoe, runOn, randomValues, maxRelError } from '../helpers/tf.js';

describe('backend wmoe', () => {
  it('registers and inherits every cpu kernel', async () => {
    await wmoe();
    const cpu = new Set(tf.getKernelsForBackend('cpu').map((k) => k.kernelName));
    const ours = new Set(tf.getKernelsForBackend('wmoe').map((k) => k.kernelName));
    for (const k of cpu) expect(ours.has(k), k).toBe(true);
  });

  it('computes gradients of a small convnet like cpu does', async () => {
    await wmoe();
    const xs = randomValues(2 * 9 * 9 * 3, 1);
    const ws = randomValues(3 * 3 * 3 * 4, 2);
    const f = () => {
      const x = tf.tensor4d(xs, [2, 9, 9, 3]);
      const w = tf.tensor4d(ws, [3, 3, 3, 4]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.maxPool(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')), 2, 2, 'valid')),
      );
      return g([x, w]);
    };
    const ref = await runOn('cpu', f);
    const got = await runOn('wmoe', f);
    for (let i = 0; i < ref.length; i++) {
      expect(got[i].shape).toEqual(ref[i].shape);
      expect(maxRelError(got[i].data, ref[i].data)).toBeLessThan(1e-4);
    }
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

describe('output pool', () => {
  const conv = (seed: number) => {
    const x = tf.randomNormal([2, 12, 12, 8], 0, 1, 'float32', seed) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 8, 16], 0, 1, 'float32', seed + 1) as tf.Tensor4D;
    const y = tf.conv2d(x, w, 1, 'same');
    x.dispose();
    w.dispose();
    return y;
  };

  it('never recycles an array that user code has seen, nor one a live view still uses', async () => {
    const backend = await wmoe();
    await tf.setBackend('wmoe');
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
    const backend = await wmoe();
    await tf.setBackend('wmoe');
    const reference = conv(5).dataSync().slice();
    for (let i = 0; i < 3; i++) conv(6).dispose();
    expect(backend.outputs.pooledBytes).toBeGreaterThan(0);
    const again = conv(5);
    expect(Array.from(again.dataSync())).toEqual(Array.from(reference));
    again.dispose();
  });
});
