import { beforeAll, describe, expect, it } from 'vitest';
import { centralDifferences, maxRelError, randomValues, runOn, tf, wmoe } from '../helpers/tf.js';
import { LAYER_NORM_EPSILON, layerNorm } from '../../src/models/layer_norm.js';

/** Float64 reference: rows of length n, biased variance, ε inside the root. */
function layerNorm64(x: ArrayLike<number>, n: number, gamma: ArrayLike<number>, beta: ArrayLike<number>, eps = 1e-5): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / n; r++) {
    const row = Array.from({ length: n }, (_, j) => x[r * n + j]);
    const mean = row.reduce((a, b) => a + b, 0) / n;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    row.forEach((v, j) => out.push(((v - mean) / Math.sqrt(variance + eps)) * gamma[j] + beta[j]));
  }
  return out;
}

describe('LayerNorm over the last axis', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('matches the float64 reference with random gamma and beta', () => {
    const n = 24;
    const x = Array.from(randomValues(5 * n, 1), (v, i) => v * 3 + (i % 7));
    const gamma = randomValues(n, 2);
    const beta = randomValues(n, 3);
    const got = layerNorm(tf.tensor2d(x, [5, n]), tf.tensor1d(gamma), tf.tensor1d(beta)).dataSync();
    const want = layerNorm64(x, n, gamma, beta);
    want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThan(2e-6));
  });

  it('uses ε = 1e-5 inside the root (PyTorch default): a row [0, 0.001] maps to ±0.0005/√(2.5e-7 + 1e-5)', () => {
    expect(LAYER_NORM_EPSILON).toBe(1e-5);
    const got = layerNorm(tf.tensor2d([[0, 0.001], [3, 3]]), tf.ones([2]), tf.zeros([2])).dataSync();
    const v = 0.0005 / Math.sqrt(2.5e-7 + 1e-5); // 0.1562 (ε = 1e-6 would give 0.447)
    expect(got[0]).toBeCloseTo(-v, 5);
    expect(got[1]).toBeCloseTo(v, 5);
    expect(Array.from(got.slice(2))).toEqual([0, 0]); // a constant row maps to beta
  });

  it('stacked copies: gamma [K, 1, n] normalises copy k with its own gamma', () => {
    const n = 8;
    const x = randomValues(2 * 3 * n, 4);
    const gamma = randomValues(2 * n, 5);
    const beta = randomValues(2 * n, 6);
    const got = layerNorm(tf.tensor3d(x, [2, 3, n]), tf.tensor3d(gamma, [2, 1, n]), tf.tensor3d(beta, [2, 1, n])).dataSync();
    for (let k = 0; k < 2; k++) {
      const want = layerNorm64(x.subarray(k * 3 * n, (k + 1) * 3 * n), n, gamma.subarray(k * n, (k + 1) * n), beta.subarray(k * n, (k + 1) * n));
      want.forEach((w, i) => expect(Math.abs(got[k * 3 * n + i] - w)).toBeLessThan(2e-6));
    }
  });

  it('gradients in x, gamma and beta match central differences of the float64 reference', () => {
    const n = 6;
    const rows = 3;
    const x = randomValues(rows * n, 7);
    const gamma = Array.from(randomValues(n, 8), (v) => 1 + v / 2);
    const beta = randomValues(n, 9);
    const w = randomValues(rows * n, 10); // loss = Σ w·y
    const loss64 = (xv: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>) =>
      layerNorm64(xv, n, g, b).reduce((a, y, i) => a + w[i] * y, 0);
    const [gx, gg, gb] = tf
      .grads((xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) => tf.sum(tf.mul(layerNorm(xt, gt, bt), tf.tensor2d(w, [rows, n]))))([
        tf.tensor2d(x, [rows, n]),
        tf.tensor1d(gamma),
        tf.tensor1d(beta),
      ])
      .map((t) => t.dataSync());
    const fd = (vals: ArrayLike<number>, which: 0 | 1 | 2) =>
      centralDifferences(vals, (v) => loss64(which === 0 ? v : x, which === 1 ? v : gamma, which === 2 ? v : beta), 1e-6);
    expect(maxRelError(gx, fd(x, 0))).toBeLessThan(1e-4);
    expect(maxRelError(gg, fd(gamma, 1))).toBeLessThan(1e-4);
    expect(maxRelError(gb, fd(beta, 2))).toBeLessThan(1e-4);
  });

  it('stacked copies: the closed-form gradient equals autodiff of the plain forward ops', () => {
    const n = 5;
    const x = tf.tensor4d(randomValues(2 * 3 * 4 * n, 21), [2, 3, 4, n]);
    const gamma = tf.tensor4d(randomValues(2 * n, 22), [2, 1, 1, n]);
    const beta = tf.tensor4d(randomValues(2 * n, 23), [2, 1, 1, n]);
    const w = tf.tensor4d(randomValues(2 * 3 * 4 * n, 24), [2, 3, 4, n]);
    const plain = (xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const centred = tf.sub(xt, tf.mean(xt, 3, true));
      return tf.add(tf.mul(tf.div(centred, tf.sqrt(tf.add(tf.mean(tf.square(centred), 3, true), 1e-5))), g), b);
    };
    const ours = tf.grads((xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(xt, g, b), w)))([x, gamma, beta]);
    const auto = tf.grads((xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(plain(xt, g, b), w)))([x, gamma, beta]);
    ours.forEach((t, i) => {
      expect(t.shape).toEqual(auto[i].shape);
      expect(maxRelError(t.dataSync(), auto[i].dataSync())).toBeLessThan(1e-4);
    });
  });

  it('runs alike on backends wmoe and cpu, values and gradient', async () => {
    const f = () => {
      const x = tf.tensor3d(randomValues(4 * 65 * 48, 11), [4, 65, 48]);
      const g = tf.tensor1d(randomValues(48, 12));
      const b = tf.tensor1d(randomValues(48, 13));
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.square(layerNorm(t, g, b))))(x);
      return [layerNorm(x, g, b), dx];
    };
    const cpu = await runOn('cpu', f);
    const ours = await runOn('wmoe', f);
    for (let i = 0; i < 2; i++) expect(maxRelError(ours[i].data, cpu[i].data)).toBeLessThan(1e-4);
    await tf.setBackend('wmoe');
  });
});
