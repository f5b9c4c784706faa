// The LayerNorm kernels of backend wmoe (src/kernels/layer_norm.ts, assembly/nn/layer_norm.ts):
// forward (y, each row's mean and rstd) against a float64 reference, the gradient kernel against
// central differences of it, with shared and per-copy gamma/beta and rows that are no multiple
// of a vector; the op composition on tfjs-backend-cpu; the same bits on 1 and 2 threads.
import { beforeAll, describe, expect, it } from 'vitest';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { LAYER_NORM, LAYER_NORM_GRAD } from '../../src/kernels/kernel_names.js';
import { layerNorm } from '../../src/models/layer_norm.js';
import { centralDifferences, maxRelError, randomValues, runOn, tf, wmoeWithThreads } from '../helpers/tf.js';

const EPS = 1e-5;
let backend: WmoeBackend;

beforeAll(async () => {
  backend = await wmoeWithThreads(2, true);
});

/** Float64 LayerNorm of x [groups·rowsPerGroup, n] with gamma/beta [groups, n]: y, mean, rstd. */
function reference(x: ArrayLike<number>, n: number, gamma: ArrayLike<number>, beta: ArrayLike<number>, groups: number) {
  const rows = x.length / n;
  const y = new Float64Array(x.length), mean = new Float64Array(rows), rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const g = Math.floor(r / (rows / groups));
    let s = 0;
    for (let j = 0; j < n; j++) s += x[r * n + j]!;
    mean[r] = s / n;
    let v = 0;
    for (let j = 0; j < n; j++) v += (x[r * n + j]! - mean[r]!) ** 2;
    rstd[r] = 1 / Math.sqrt(v / n + EPS);
    for (let j = 0; j < n; j++) y[r * n + j] = (x[r * n + j]! - mean[r]!) * rstd[r]! * gamma[g * n + j]! + beta[g * n + j]!;
  }
  return { y, mean, rstd };
}

const forward = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) =>
  tf.engine().runKernel(LAYER_NORM, { x, gamma, beta }, { epsilon: EPS }) as tf.Tensor[];

describe('LayerNorm kernels', () => {
  // [groups, rows per group, n]: shared gamma (groups 1), and per-copy gamma [G, 1, 1, n] with n
  // no multiple of 4 (the scalar tails).
  const cases = [
    { groups: 1, shape: [1, 3, 7, 24], gammaShape: [24] },
    { groups: 3, shape: [3, 2, 5, 19], gammaShape: [3, 1, 1, 19] },
  ];

  for (const { groups, shape, gammaShape } of cases) {
    it(`forward: y, mean and rstd equal the float64 reference (x [${shape}], gamma [${gammaShape}])`, () => {
      const n = shape[3]!;
      const size = shape.reduce((a, b) => a * b, 1);
      const x = Array.from(randomValues(size, 1), (v, i) => v * 3 + (i % 5));
      const gamma = randomValues(groups * n, 2), beta = randomValues(groups * n, 3);
      const [y, mean, rstd] = forward(tf.tensor(x, shape), tf.tensor(gamma, gammaShape), tf.tensor(beta, gammaShape));
      const want = reference(x, n, gamma, beta, groups);
      expect(y!.shape).toEqual(shape);
      expect(mean!.shape).toEqual(shape.slice(0, -1));
      expect(maxRelError(mean!.dataSync(), want.mean)).toBeLessThan(1e-6);
      expect(maxRelError(rstd!.dataSync(), want.rstd)).toBeLessThan(1e-5);
      Array.from(y!.dataSync()).forEach((v, i) => expect(Math.abs(v - want.y[i]!)).toBeLessThan(3e-6));
    });

    it(`gradient kernel: dx, dgamma, dbeta equal central differences of the float64 reference (gamma [${gammaShape}])`, () => {
      const n = shape[3]!;
      const size = shape.reduce((a, b) => a * b, 1);
      const x = randomValues(size, 4);
      const gamma = Array.from(randomValues(groups * n, 5), (v) => 1 + v / 2);
      const beta = randomValues(groups * n, 6);
      const w = randomValues(size, 7); // loss = Σ w·y, so dy = w
      const xt = tf.tensor(x, shape), gt = tf.tensor(gamma, gammaShape);
      const [, mean, rstd] = forward(xt, gt, tf.tensor(beta, gammaShape));
      const [dx, dGamma, dBeta] = tf.engine().runKernel(LAYER_NORM_GRAD, { dy: tf.tensor(w, shape), x: xt, mean: mean!, rstd: rstd!, gamma: gt }) as tf.Tensor[];
      expect(dGamma!.shape).toEqual(gammaShape);
      expect(dBeta!.shape).toEqual(gammaShape);
      const loss = (xv: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>) =>
        reference(xv, n, g, b, groups).y.reduce((a, y, i) => a + w[i]! * y, 0);
      expect(maxRelError(dx!.dataSync(), centralDifferences(x, (v) => loss(v, gamma, beta), 1e-6))).toBeLessThan(1e-4);
      expect(maxRelError(dGamma!.dataSync(), centralDifferences(gamma, (v) => loss(x, v, beta), 1e-6))).toBeLessThan(1e-4);
      expect(maxRelError(dBeta!.dataSync(), centralDifferences(beta, (v) => loss(x, gamma, v), 1e-6))).toBeLessThan(1e-4);
    });
  }

  it('layerNorm() on wmoe (the kernels) equals the op composition on cpu, values and gradients, per-copy gamma', async () => {
    const f = () => {
      const x = tf.tensor4d(randomValues(4 * 8 * 65 * 48, 11), [4, 8, 65, 48]);
      const g = tf.tensor4d(randomValues(4 * 48, 12), [4, 1, 1, 48]);
      const b = tf.tensor4d(randomValues(4 * 48, 13), [4, 1, 1, 48]);
      const w = tf.tensor4d(randomValues(4 * 8 * 65 * 48, 14), [4, 8, 65, 48]);
      const grads = tf.grads((xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) => tf.sum(tf.mul(layerNorm(xt, gt, bt), w)))([x, g, b]);
      return [layerNorm(x, g, b), ...grads];
    };
    const cpu = await runOn('cpu', f);
    const ours = await runOn('wmoe', f);
    for (let i = 0; i < 4; i++) {
      expect(ours[i]!.shape).toEqual(cpu[i]!.shape);
      expect(maxRelError(ours[i]!.data, cpu[i]!.data)).toBeLessThan(1e-4);
    }
    await tf.setBackend('wmoe');
  });

  it('splits rows over 2 threads in fixed chunks: the same bits as 1 thread, forward and gradients', () => {
    // 2 groups of 32·65 = 2080 rows of 192: 25 chunks each.
    const x = tf.tensor4d(randomValues(2 * 32 * 65 * 192, 15), [2, 32, 65, 192]);
    const g = tf.tensor4d(randomValues(2 * 192, 16), [2, 1, 1, 192]);
    const b = tf.tensor4d(randomValues(2 * 192, 17), [2, 1, 1, 192]);
    const dy = tf.tensor4d(randomValues(2 * 32 * 65 * 192, 18), [2, 32, 65, 192]);
    const pool = backend.nn.pool!;
    const run = (active: number) => {
      pool.active = active;
      const before = pool.splitJobs;
      const [y, mean, rstd] = forward(x, g, b);
      const grads = tf.engine().runKernel(LAYER_NORM_GRAD, { dy, x, mean: mean!, rstd: rstd!, gamma: g }) as tf.Tensor[];
      return { out: [y!, ...grads].map((t) => t.dataSync().slice()), split: pool.splitJobs - before };
    };
    const two = run(2);
    const one = run(1);
    pool.active = 2;
    expect(two.split).toBe(4);
    expect(one.split).toBe(0);
    two.out.forEach((v, i) => expect(Buffer.from(v.buffer).equals(Buffer.from(one.out[i]!.buffer)), `output ${i}`).toBe(true));
  });

  it('rejects a gamma that does not fit x with a one-line error', () => {
    const x = tf.zeros([2, 3, 4]);
    expect(() => forward(x, tf.ones([3, 1, 4]), tf.zeros([3, 1, 4]))).toThrow(/WmoeLayerNorm: gamma \[3,1,4\] does not fit x \[2,3,4\]/);
    expect(() => forward(x, tf.ones([5]), tf.zeros([5]))).toThrow(/gamma \[5\] does not fit/);
  });
});
