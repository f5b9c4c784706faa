import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { centralDifferences, maxRelError, randomValues, tf, wmoe } from '../helpers/tf.js';
import { BatchNorm, BN_EPSILON, BN_MOMENTUM } from '../../src/models/batch_norm.js';
import { ParamStore } from '../../src/models/params.js';
import { SeededRandom } from '../../src/random/seeded.js';

const SHAPE = [3, 4, 5, 6] as const; // batch, H, W, C
const [N, H, W, C] = SHAPE;
const M = N * H * W; // values per channel
const SIZE = M * C;

/** Input values with a different offset and spread per channel (so normalising has work to do). */
function inputValues(seed: number): Float64Array {
  const r = randomValues(SIZE, seed);
  return Float64Array.from(r, (v, i) => 2 + (i % C) - 0.5 * (i % C) ** 1.5 + (1 + (i % C)) * 3 * v);
}

/** Per-channel mean and biased variance of NHWC values in float64. */
function stats(x: ArrayLike<number>): { mean: number[]; variance: number[] } {
  const mean = new Array(C).fill(0), variance = new Array(C).fill(0);
  for (let i = 0; i < SIZE; i++) mean[i % C] += x[i] / M;
  for (let i = 0; i < SIZE; i++) variance[i % C] += (x[i] - mean[i % C]) ** 2 / M;
  return { mean, variance };
}

/** Training-mode batch norm in float64: γ(x − μ)/√(σ² + ε) + β. */
function referenceTraining(x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>): Float64Array {
  const { mean, variance } = stats(x);
  return Float64Array.from({ length: SIZE }, (_, i) => {
    const c = i % C;
    return (gamma[c] * (x[i] - mean[c])) / Math.sqrt(variance[c] + BN_EPSILON) + beta[c];
  });
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

describe.each(['cpu', 'wmoe'] as const)('BatchNorm on backend %s', (backend) => {
  let params: ParamStore;
  beforeAll(async () => {
    await wmoe();
  });
  const make = async () => {
    await tf.setBackend(backend);
    params = new ParamStore(new SeededRandom(1));
    return new BatchNorm(params, 'bn', C);
  };
  afterEach(() => params.dispose());

  it('declares trainable gamma/beta (ones/zeros) and non-trainable running statistics (zeros/ones)', async () => {
    const bn = await make();
    expect(params.specs.map((s) => [s.name, s.init, s.trainable])).toEqual([
      ['bn/gamma', 'ones', true],
      ['bn/beta', 'zeros', true],
      ['bn/moving_mean', 'zeros', false],
      ['bn/moving_variance', 'ones', false],
    ]);
    expect(params.group('bn')).toEqual([bn.gamma, bn.beta]);
  });

  it('training mode: each channel comes out with mean 0 and variance σ²/(σ² + ε) (γ = 1, β = 0)', async () => {
    const bn = await make();
    const x = inputValues(1);
    const y = tf.tidy(() => bn.apply(tf.tensor4d(Float32Array.from(x), [...SHAPE]), true).dataSync());
    const inStats = stats(x), outStats = stats(y);
    for (let c = 0; c < C; c++) {
      expect(Math.abs(outStats.mean[c])).toBeLessThan(1e-5);
      const expected = inStats.variance[c] / (inStats.variance[c] + BN_EPSILON);
      expect(Math.abs(outStats.variance[c] - expected)).toBeLessThan(2e-5);
      expect(inStats.variance[c]).toBeGreaterThan(2); // the input really was not normalised
    }
    expect(maxRelError(y, referenceTraining(x, new Array(C).fill(1), new Array(C).fill(0)))).toBeLessThan(1e-5);
  });

  it('training-mode gradients (x, γ, β) match float64 central differences of the closed form', async () => {
    const bn = await make();
    const x = inputValues(2);
    const gamma = Array.from(randomValues(C, 3), (v) => 1 + v);
    const beta = Array.from(randomValues(C, 4));
    const weights = Float64Array.from(randomValues(SIZE, 5)); // loss = Σ y·w
    bn.gamma.assign(tf.tensor1d(gamma));
    bn.beta.assign(tf.tensor1d(beta));
    const w = tf.tensor4d(Float32Array.from(weights), [...SHAPE]);
    // Gradients against x and against the γ and β variables themselves (which apply() reads).
    const grads = tf.grads((xt: tf.Tensor) => tf.sum(tf.mul(bn.apply(xt as tf.Tensor4D, true), w)));
    const [gx, gg, gb] = grads([tf.tensor4d(Float32Array.from(x), [...SHAPE]), bn.gamma, bn.beta]).map((t) => t.dataSync());

    const loss = (xv: ArrayLike<number>, gv: ArrayLike<number>, bv: ArrayLike<number>) => dot(referenceTraining(xv, gv, bv), weights);
    const central = (values: ArrayLike<number>, at: (v: Float64Array) => number) => centralDifferences(values, at, 1e-5);
    const fdX = central(x, (v) => loss(v, gamma, beta));
    const fdG = central(gamma, (v) => loss(x, v, beta));
    const fdB = central(beta, (v) => loss(x, gamma, v));
    expect(maxRelError(gx, fdX)).toBeLessThan(1e-3);
    expect(maxRelError(gg, fdG)).toBeLessThan(1e-4);
    expect(maxRelError(gb, fdB)).toBeLessThan(1e-4);
    // dx has no component along a per-channel constant shift or along x − μ scaled per channel.
    expect(Math.max(...stats(gx).mean.map(Math.abs))).toBeLessThan(1e-5);
  });

  // ResNet's fused tail: relu(bn(x) + r). Float64 closed form and central differences in x, γ,
  // β and r; the wmoe backend runs the fused kernels, cpu the op composition.
  it.each([
    ['residual', { residual: true, relu: false }],
    ['ReLU', { residual: false, relu: true }],
    ['residual + ReLU', { residual: true, relu: true }],
  ] as const)('training mode with %s: output and gradients match float64 central differences', async (_label, tail) => {
    const bn = await make();
    const x = inputValues(15);
    const r = Float64Array.from(randomValues(SIZE, 16), (v) => 2 * v);
    const gamma = Array.from(randomValues(C, 17), (v) => 1 + v);
    const beta = Array.from(randomValues(C, 18));
    const weights = Float64Array.from(randomValues(SIZE, 19));
    bn.gamma.assign(tf.tensor1d(gamma));
    bn.beta.assign(tf.tensor1d(beta));
    const reference = (xv: ArrayLike<number>, gv: ArrayLike<number>, bv: ArrayLike<number>, rv: ArrayLike<number>) =>
      referenceTraining(xv, gv, bv).map((v, i) => {
        const s = tail.residual ? v + rv[i] : v;
        return tail.relu ? Math.max(0, s) : s;
      });
    const loss = (xv: ArrayLike<number>, gv: ArrayLike<number>, bv: ArrayLike<number>, rv: ArrayLike<number>) =>
      dot(reference(xv, gv, bv, rv), weights);
    const w = tf.tensor4d(Float32Array.from(weights), [...SHAPE]);
    const rt = tf.tensor4d(Float32Array.from(r), [...SHAPE]);
    const xt = tf.tensor4d(Float32Array.from(x), [...SHAPE]);
    const applied = (xa: tf.Tensor, ra: tf.Tensor) =>
      bn.apply(xa as tf.Tensor4D, true, { residual: tail.residual ? (ra as tf.Tensor4D) : undefined, relu: tail.relu });

    const y = tf.tidy(() => applied(xt, rt).dataSync());
    const expected = reference(x, gamma, beta, r);
    expect(maxRelError(y, expected)).toBeLessThan(3e-5);
    if (tail.relu) expect(expected.filter((v) => v === 0).length).toBeGreaterThan(SIZE / 10); // the ReLU clips

    const lossOf = (xa: tf.Tensor, ra: tf.Tensor) => tf.sum(tf.mul(applied(xa, ra), w));
    const gx = tf.grad((xa: tf.Tensor) => lossOf(xa, rt))(xt).dataSync();
    const gr = tail.residual ? tf.grad((ra: tf.Tensor) => lossOf(xt, ra))(rt).dataSync() : null;
    const { grads: vg } = tf.variableGrads(() => tf.sum(tf.mul(applied(xt, rt), w)) as tf.Scalar, [bn.gamma, bn.beta]);
    const gg = vg[bn.gamma.name]!.dataSync(), gb = vg[bn.beta.name]!.dataSync();
    const central = (values: ArrayLike<number>, at: (v: Float64Array) => number) => centralDifferences(values, at, 1e-6);
    expect(maxRelError(gx, central(x, (v) => loss(v, gamma, beta, r)))).toBeLessThan(1e-3);
    expect(maxRelError(gg, central(gamma, (v) => loss(x, v, beta, r)))).toBeLessThan(1e-4);
    expect(maxRelError(gb, central(beta, (v) => loss(x, gamma, v, r)))).toBeLessThan(1e-4);
    if (gr) expect(maxRelError(gr, central(r, (v) => loss(x, gamma, beta, v)))).toBeLessThan(1e-4);
  });

  it('rejects a residual of another shape, naming both', async () => {
    const bn = await make();
    const x = tf.zeros([...SHAPE]) as tf.Tensor4D;
    expect(() => bn.apply(x, true, { residual: tf.zeros([N, H, W, C + 1]) as tf.Tensor4D })).toThrow(/bn: residual shape \[3,4,5,7\] differs from \[3,4,5,6\]/);
  });

  it('variableGrads through training mode reach γ and β, not the running statistics, which still update', async () => {
    const bn = await make();
    const x = tf.tensor4d(Float32Array.from(inputValues(6)), [...SHAPE]);
    const target = tf.tensor4d(randomValues(SIZE, 7), [...SHAPE]);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(bn.apply(x, true), target))) as tf.Scalar, [bn.gamma, bn.beta]);
    expect(Object.keys(grads).sort()).toEqual([bn.beta.name, bn.gamma.name].sort());
    expect(Number(value.dataSync()[0])).toBeGreaterThan(0);
    expect(Array.from(bn.movingMean.dataSync()).some((v) => v !== 0)).toBe(true);
    // Training mode's output does not depend on the running statistics on the tape.
    expect(() => tf.grad(() => tf.sum(bn.apply(x, true)))(bn.movingMean)).toThrow(/Cannot compute gradient of y=f\(x\) with respect to x/);
  });

  it('running statistics after 1 and 2 training steps match the closed form', async () => {
    const bn = await make();
    const x1 = inputValues(8), x2 = inputValues(9);
    const s1 = stats(x1), s2 = stats(x2);
    const unbiased = M / (M - 1);
    const m1 = s1.mean.map((m) => BN_MOMENTUM * 0 + (1 - BN_MOMENTUM) * m);
    const v1 = s1.variance.map((v) => BN_MOMENTUM * 1 + (1 - BN_MOMENTUM) * v * unbiased);
    const m2 = s2.mean.map((m, c) => BN_MOMENTUM * m1[c] + (1 - BN_MOMENTUM) * m);
    const v2 = s2.variance.map((v, c) => BN_MOMENTUM * v1[c] + (1 - BN_MOMENTUM) * v * unbiased);
    expect(BN_MOMENTUM).toBe(0.9);
    tf.tidy(() => bn.apply(tf.tensor4d(Float32Array.from(x1), [...SHAPE]), true));
    expect(maxRelError(bn.movingMean.dataSync(), m1)).toBeLessThan(1e-5);
    expect(maxRelError(bn.movingVariance.dataSync(), v1)).toBeLessThan(1e-5);
    tf.tidy(() => bn.apply(tf.tensor4d(Float32Array.from(x2), [...SHAPE]), true));
    expect(maxRelError(bn.movingMean.dataSync(), m2)).toBeLessThan(1e-5);
    expect(maxRelError(bn.movingVariance.dataSync(), v2)).toBeLessThan(1e-5);
  });

  it('eval mode normalises by the running statistics and leaves them alone', async () => {
    const bn = await make();
    const mean = Array.from(randomValues(C, 10), (v) => 3 * v);
    const variance = Array.from(randomValues(C, 11), (v) => 2 + v);
    const gamma = Array.from(randomValues(C, 12), (v) => 1 + v);
    const beta = Array.from(randomValues(C, 13));
    bn.movingMean.assign(tf.tensor1d(mean));
    bn.movingVariance.assign(tf.tensor1d(variance));
    bn.gamma.assign(tf.tensor1d(gamma));
    bn.beta.assign(tf.tensor1d(beta));
    const x = inputValues(14);
    const xt = tf.tensor4d(Float32Array.from(x), [...SHAPE]);
    const y = tf.tidy(() => bn.apply(xt).dataSync());
    const expected = Float64Array.from(x, (v, i) => (gamma[i % C] * (v - mean[i % C])) / Math.sqrt(variance[i % C] + BN_EPSILON) + beta[i % C]);
    expect(maxRelError(y, expected)).toBeLessThan(1e-5);
    expect(bn.movingMean.dataSync()).toEqual(Float32Array.from(mean));
    expect(bn.movingVariance.dataSync()).toEqual(Float32Array.from(variance));
    // Training mode on the same input gives something else (batch statistics).
    expect(maxRelError(tf.tidy(() => bn.apply(xt, true).dataSync()), expected)).toBeGreaterThan(0.1);
  });
});
