// denseRowsForward (src/kernels/dense_rows.ts): rows through one batch of stacked dense kernels
// on the host side give the bits of tf.fused.matMul on the same rows, cached or not.
import { beforeAll, describe, expect, it } from 'vitest';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { denseRowsForward } from '../../src/kernels/dense_rows.js';
import { packedBCacheOf } from '../../src/kernels/packed_b_cache.js';
import { copyModeBackend, randomValues, tf, wmoe } from '../helpers/tf.js';

let backend: WmoeBackend;

beforeAll(async () => {
  backend = await wmoe();
  await tf.setBackend('wmoe');
});

/** The float32 bits of `v` as a Buffer. */
const bits = (v: Float32Array) => Buffer.from(v.slice().buffer);

describe('denseRowsForward', () => {
  it('gives the bits of tf.fused.matMul (+ bias, ReLU but the last) for each batch of stacked kernels, cached or not', () => {
    const K = 3;
    const sizes = [37, 24, 19, 5];
    let seed = 1;
    const layers = sizes.slice(1).map((out, i) => ({
      w: tf.tensor3d(randomValues(K * sizes[i] * out, seed++), [K, sizes[i], out]),
      b: tf.tensor3d(randomValues(K * out, seed++), [K, 1, out]),
      relu: i < sizes.length - 2,
    }));
    const cache = packedBCacheOf(backend);
    for (const m of [1, 2, 7]) {
      const x = randomValues(m * sizes[0], seed++);
      for (let k = 0; k < K; k++) {
        const want = tf.tidy(() => {
          // The tensor path: the stacked experts run as one batched matmul on K copies of the rows.
          let h = tf.stack(new Array(K).fill(tf.tensor2d(x, [m, sizes[0]]))) as tf.Tensor3D;
          for (const { w, b, relu } of layers) h = tf.fused.matMul({ a: h, b: w, bias: b, activation: relu ? 'relu' : 'linear' });
          return (h.dataSync() as Float32Array).slice(k * m * 5, (k + 1) * m * 5);
        });
        for (let call = 0; call < 3; call++) {
          expect(bits(denseRowsForward(backend, x, m, layers, k)).equals(bits(want)), `m ${m} expert ${k} call ${call}`).toBe(true);
        }
      }
    }
    for (const { w } of layers) expect(cache.lookup(w.dataId, backend.f32(w), false)).toBeDefined();
    tf.dispose(layers.flatMap(({ w, b }) => [w, b]));
  });

  it('the copy-mode backend (no heap: cached packings copied in) gives the resident backend\'s bits', async () => {
    const copy = await copyModeBackend();
    const run = async (name: string, b: WmoeBackend) => {
      await tf.setBackend(name);
      const layers = [[20, 9], [9, 4]].map(([i, o], l) => ({
        w: tf.tensor3d(randomValues(2 * i * o, 31 + l), [2, i, o]), b: tf.tensor3d(randomValues(2 * o, 41 + l), [2, 1, o]), relu: l === 0,
      }));
      const x = randomValues(3 * 20, 51);
      const outs = [0, 1, 2].map(() => bits(denseRowsForward(b, x, 3, layers, 1)));
      tf.dispose(layers.flatMap(({ w, b: bias }) => [w, bias]));
      return outs;
    };
    const resident = await run('wmoe', backend);
    const copied = await run('wmoe-copy', copy);
    copied.forEach((c, i) => expect(c.equals(resident[i]), `call ${i}`).toBe(true));
    await tf.setBackend('wmoe');
  });

  it('a 2-D kernel with a vector bias (a gate) gives the bits of tf.fused.matMul', () => {
    const w = tf.tensor2d(randomValues(400 * 4, 21), [400, 4]);
    const b = tf.tensor1d(randomValues(4, 22));
    const x = randomValues(3 * 400, 23);
    const want = tf.tidy(() => (tf.fused.matMul({ a: tf.tensor2d(x, [3, 400]), b: w, bias: b }).dataSync() as Float32Array).slice());
    expect(bits(denseRowsForward(backend, x, 3, [{ w, b, relu: false }], 0)).equals(bits(want))).toBe(true);
    tf.dispose([w, b]);
  });

  it('rows that do not fit the kernel, or a batch past its end: a RangeError naming the shapes', () => {
    const w = tf.zeros([2, 6, 3]);
    const b = tf.zeros([2, 1, 3]);
    expect(() => denseRowsForward(backend, new Float32Array(10), 2, [{ w, b, relu: false }], 0)).toThrow('rows of 5 values do not fit batch 0 of kernel [2,6,3] and bias [2,1,3]');
    expect(() => denseRowsForward(backend, new Float32Array(6), 1, [{ w, b, relu: false }], 2)).toThrow('rows of 6 values do not fit batch 2 of kernel [2,6,3] and bias [2,1,3]');
    tf.dispose([w, b]);
  });
});
