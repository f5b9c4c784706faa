import { describe, expect, it } from 'vitest';
import { tf, wmoe, runOn, randomValues, maxRelError } from '../helpers/tf.js';

type Pad = 'same' | 'valid';
interface Case { b: number; h: number; w: number; c: number; f: number; s: number; pad: Pad }

/** Seeded pool geometries: batch 1 and more, odd sizes, stride 1 and 2, filter 2 and 3, channel tails. */
function cases(count: number, seed: number): Case[] {
  const r = randomValues(count * 7, seed).map((v) => (v + 1) / 2);
  const pick = <T>(xs: T[], u: number) => xs[Math.min(xs.length - 1, Math.floor(u * xs.length))];
  const out: Case[] = [
    { b: 1, h: 7, w: 9, c: 6, f: 2, s: 2, pad: 'valid' },
    { b: 2, h: 28, w: 28, c: 6, f: 2, s: 2, pad: 'valid' },
    { b: 3, h: 5, w: 5, c: 1, f: 3, s: 2, pad: 'same' },
  ];
  for (let i = 0; i < count; i++) {
    const u = r.subarray(i * 7, i * 7 + 7);
    out.push({
      b: pick([1, 2, 3], u[0]), h: pick([3, 4, 5, 7, 8, 11], u[1]), w: pick([3, 5, 6, 9, 10], u[2]),
      c: pick([1, 3, 4, 5, 8, 16], u[3]), f: pick([2, 3], u[4]), s: pick([1, 2], u[5]), pad: pick<Pad>(['same', 'valid'], u[6]),
    });
  }
  return out;
}

const name = (k: Case) => `x [${k.b},${k.h},${k.w},${k.c}] filter ${k.f} stride ${k.s} ${k.pad}`;

async function compare(f: () => tf.Tensor | tf.Tensor[], sameZeros = false) {
  const ref = await runOn('cpu', f);
  const got = await runOn('wmoe', f);
  expect(got.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    expect(got[i].shape).toEqual(ref[i].shape);
    // `sameZeros`: the gradient lands on exactly the same cells (sums of several dy may round differently).
    if (sameZeros) expect(Array.from(got[i].data, (v) => v !== 0)).toEqual(Array.from(ref[i].data, (v) => v !== 0));
    expect(maxRelError(got[i].data, ref[i].data)).toBeLessThan(1e-4);
  }
}

describe('pooling kernels of wmoe match tfjs-backend-cpu', () => {
  it('run in WASM, not the inherited cpu kernels', async () => {
    await wmoe();
    for (const k of ['MaxPool', 'AvgPool', 'MaxPoolGrad', 'AvgPoolGrad']) {
      expect(tf.getKernel(k, 'wmoe')!.kernelFunc, k).not.toBe(tf.getKernel(k, 'cpu')!.kernelFunc);
    }
  });

  for (const [kind, pool] of [['maxPool', tf.maxPool], ['avgPool', tf.avgPool]] as const) {
    it(`${kind} forward on random geometries`, async () => {
      await wmoe();
      for (const [i, k] of cases(20, kind === 'maxPool' ? 11 : 12).entries()) {
        const xs = randomValues(k.b * k.h * k.w * k.c, 100 + i);
        const f = () => pool(tf.tensor4d(xs, [k.b, k.h, k.w, k.c]), k.f, k.s, k.pad);
        await compare(f).catch((e) => { throw new Error(`${name(k)}: ${e.message}`); });
      }
    });

    it(`${kind} gradient through tf.grad on random geometries`, async () => {
      await wmoe();
      for (const [i, k] of cases(20, kind === 'maxPool' ? 21 : 22).entries()) {
        const xs = randomValues(k.b * k.h * k.w * k.c, 200 + i);
        const f = () => {
          const x = tf.tensor4d(xs, [k.b, k.h, k.w, k.c]);
          const y = pool(x, k.f, k.s, k.pad);
          const wts = tf.tensor(randomValues(y.size, 300 + i), y.shape);
          return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a as tf.Tensor4D, k.f, k.s, k.pad), wts)))(x);
        };
        await compare(f).catch((e) => { throw new Error(`${name(k)}: ${e.message}`); });
      }
    });
  }

  it('maxPool gradient routes ties to the first maximal cell, like cpu', async () => {
    await wmoe();
    // Values in {-1, 0, 1}: most windows hold ties; overlapping windows (stride 1) share cells.
    const k = { b: 2, h: 7, w: 6, c: 5 };
    const xs = randomValues(k.b * k.h * k.w * k.c, 7).map((v) => Math.round(v));
    const f = () => {
      const x = tf.tensor4d(xs, [k.b, k.h, k.w, k.c]);
      const dy = tf.tensor(randomValues(k.b * 6 * 5 * k.c, 8), [k.b, 6, 5, k.c]);
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 1, 'valid'), dy)))(x);
    };
    await compare(f, true);
  });

  it('2x2 stride-2 max pooling (the fast path) equals cpu bit for bit, ties, -Infinity, NaN and -0 included', async () => {
    await wmoe();
    // Channel counts 4, 5, 6 (LeNet), 8 and 16; odd sizes leave a last row/column in no window.
    for (const [i, k] of [[2, 28, 28, 6], [1, 7, 9, 6], [2, 5, 4, 5], [1, 6, 6, 4], [2, 4, 7, 8], [1, 3, 3, 16]].entries()) {
      const [b, h, w, c] = k;
      const xs = randomValues(b * h * w * c, 40 + i).map((v, j) =>
        j % 11 === 0 ? -Infinity : j % 13 === 0 ? NaN : Math.round(v * 2) / 2);
      const oh = Math.floor(h / 2), ow = Math.floor(w / 2);
      const dys = randomValues(b * oh * ow * c, 60 + i).map((v, j) => (j % 7 === 0 ? -0 : v));
      const f = () => {
        const x = tf.tensor4d(xs, [b, h, w, c]);
        const dy = tf.tensor4d(dys, [b, oh, ow, c]);
        return [tf.maxPool(x, 2, 2, 'valid'), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dy)))(x)];
      };
      const ref = await runOn('cpu', f);
      const got = await runOn('wmoe', f);
      for (let j = 0; j < 2; j++) expect(Array.from(got[j].data), `[${k}] output ${j}`).toEqual(Array.from(ref[j].data));
    }
  });

  it('explicit padding and dimRoundingMode follow cpu', async () => {
    await wmoe();
    const xs = randomValues(2 * 9 * 8 * 4, 9);
    await compare(() => tf.maxPool(tf.tensor4d(xs, [2, 9, 8, 4]), 3, 2, 1, 'ceil'));
    await compare(() => tf.avgPool(tf.tensor4d(xs, [2, 9, 8, 4]), [3, 2], [2, 1], 1, 'floor'));
  });

  it('rejects a non-rank-4 input with a one-line error', async () => {
    const backend = await wmoe();
    const kernel = tf.getKernel('MaxPool', 'wmoe')!;
    const x = backend.output([4, 4], new Float32Array(16));
    expect(() => kernel.kernelFunc({ inputs: { x }, backend, attrs: { filterSize: 2, strides: 2, pad: 'valid' } }))
      .toThrow(/rank-4 NHWC input, got shape \[4,4\]/);
    backend.disposeData(x.dataId);
  });
});
