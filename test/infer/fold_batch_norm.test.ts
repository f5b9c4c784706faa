// Batch norm folded into the conv before it (inference): the fold against a float64 conv + BN by
// hand, and a whole ResNet-18 MoE with non-trivial running statistics folded vs unfolded.
import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, tf, wmoe } from '../helpers/tf.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { BN_EPSILON } from '../../src/models/batch_norm.js';
import { foldBatchNorm } from '../../src/infer/fold_batch_norm.js';
import { predict, releasePredictState } from '../../src/infer/predict.js';

/** The small ResNet-18 (width 8, 16x16 images) most tests use, and the full-size one (width 64, 32x32). */
const SMALL = { side: 16, options: { width: 8, bottleneck: 4 } };
const FULL = { side: 32, options: undefined };

/** A ResNet-18 MoE whose every batch norm has random γ, β, running mean and variance. */
function resnetWithStatistics(seed: number, size: typeof SMALL | typeof FULL = SMALL): DistributedMoE {
  const moe = new DistributedMoE({
    model: 'resnet18', dataset: 'cifar10', inputShape: [size.side, size.side, 3], classes: 10, experts: 3, topK: 2, snrRange: [-10, 20],
    modelOptions: size.options,
  }, seed);
  let s = seed * 100;
  for (const spec of moe.params.specs) {
    const v = randomValues(spec.shape[0], ++s);
    const set = (f: (x: number) => number) => moe.params.get(spec.name).assign(tf.tensor1d(Float32Array.from(v, f)));
    // Moderate values (scale γ/√var within 0.6 … 1.8), so the probabilities do not saturate.
    if (spec.name.endsWith('/bn/gamma')) set((x) => 1 + 0.3 * x);
    else if (spec.name.endsWith('/bn/beta')) set((x) => 0.2 * x);
    else if (spec.name.endsWith('/bn/moving_mean')) set((x) => 0.2 * x);
    else if (spec.name.endsWith('/bn/moving_variance')) set((x) => 1 + 0.6 * x); // 0.4 … 1.6
  }
  if (size === FULL) {
    // 64 channels and more grow the activations layer by layer under those statistics: move the
    // running statistics most of the way to the batch statistics of random images instead.
    const calibration = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
    for (let i = 0; i < 6; i++) {
      tf.tidy(() => {
        const f = moe.features(calibration, true);
        moe.experts.logits(tf.stack([f, f, f]) as tf.Tensor3D, true);
      });
    }
  }
  return moe;
}

/** Kernel names of one call of f, counted. */
async function kernelCounts(f: () => unknown): Promise<Map<string, number>> {
  const info = await tf.profile(() => {
    f();
    return [];
  });
  const counts = new Map<string, number>();
  for (const k of info.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
  return counts;
}

describe('foldBatchNorm', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('conv with the folded filter and bias equals conv then eval-mode BN (float64 reference)', () => {
    // 1x1 conv on one pixel: y[o] = Σᵢ x[i]·W[i][o]; BN: γ(y − μ)/√(σ² + ε) + β.
    const [cin, cout] = [5, 4];
    const w = randomValues(cin * cout, 1);
    const x = randomValues(cin, 2);
    const gamma = Float32Array.of(1.5, -0.7, 0.2, 2);
    const beta = Float32Array.of(0.1, -0.4, 0.3, 0);
    const mean = Float32Array.of(0.5, -1, 0.25, 2);
    const variance = Float32Array.of(0.01, 4, 1, 0.3);
    const bn = { gamma: tf.tensor1d(gamma), beta: tf.tensor1d(beta), movingMean: tf.tensor1d(mean), movingVariance: tf.tensor1d(variance) };
    const { filter, bias } = foldBatchNorm(tf.tensor4d(w, [1, 1, cin, cout]), bn);
    const got = tf.fused.conv2d({ x: tf.tensor4d(x, [1, 1, 1, cin]), filter, bias, strides: 1, pad: 'valid' }).dataSync();
    for (let o = 0; o < cout; o++) {
      let y = 0;
      for (let i = 0; i < cin; i++) y += x[i] * w[i * cout + o];
      const want = (gamma[o] * (y - mean[o])) / Math.sqrt(variance[o] + BN_EPSILON) + beta[o];
      expect(got[o]).toBeCloseTo(want, 5);
    }
  });

  it('rejects a batch norm whose channels differ from the kernel\'s outputs', () => {
    const bn = { gamma: tf.ones([3]), beta: tf.zeros([3]), movingMean: tf.zeros([3]), movingVariance: tf.ones([3]) } as Parameters<typeof foldBatchNorm>[1];
    expect(() => foldBatchNorm(tf.zeros([1, 1, 2, 4]) as tf.Tensor4D, bn)).toThrow(/batch norm of \[3\] channels after a kernel of 4 output channels/);
  });
});

describe('predict on ResNet-18 with batch norm folded', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  for (const [label, size, n] of [['width 8', SMALL, 12], ['full size (width 64, 32x32)', FULL, 4]] as const) it(`${label}: agrees with the unfolded model: probabilities within 1e-4, the same experts; and the convs ran folded`, async () => {
    const moe = resnetWithStatistics(3, size);
    const images = tf.randomUniform([n, size.side, size.side, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const folded = predict(moe, images, { batchSize: 5 });
    const plain = predict(moe, images, { batchSize: 5, foldBatchNorm: false });
    let worst = 0;
    folded.predictions.forEach((p, i) => {
      const q = plain.predictions[i];
      p.probabilities.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - q.probabilities[c]))));
      expect(p.experts).toEqual(q.experts);
    });
    expect(worst).toBeLessThanOrEqual(1e-4);
    // Not saturated (no one-hot probabilities that would agree whatever the fold did)...
    const top = plain.predictions.map((p) => Math.max(...p.probabilities));
    expect(Math.max(...top)).toBeLessThan(0.99);
    expect(Math.max(...top)).toBeGreaterThan(0.2);
    // ...and the statistics matter: the same model with fresh (identity) statistics predicts otherwise.
    const fresh = new DistributedMoE(moe.config, 3);
    const identity = predict(fresh, images, { batchSize: 5 });
    const moved = Math.max(...identity.predictions.flatMap((p, i) => Array.from(p.probabilities, (v, c) => Math.abs(v - plain.predictions[i].probabilities[c]))));
    expect(moved).toBeGreaterThan(0.01);
    releasePredictState(fresh);
    fresh.dispose();
    // Folded: every conv of backbone and experts is a FusedConv2D with its bias; unfolded: Conv2D then BN ops.
    const foldedKernels = await kernelCounts(() => predict(moe, images, { batchSize: n }));
    const plainKernels = await kernelCounts(() => predict(moe, images, { batchSize: n, foldBatchNorm: false }));
    expect(foldedKernels.get('Conv2D') ?? 0).toBe(0);
    expect(foldedKernels.get('FusedConv2D')).toBe(plainKernels.get('Conv2D'));
    expect(foldedKernels.get('Rsqrt') ?? 0).toBe(0);
    expect(plainKernels.get('Rsqrt')).toBeGreaterThan(0);
    releasePredictState(moe);
    moe.dispose();
  });

  it('refolds after the weights change (a batch norm assigned between predictions)', () => {
    const moe = resnetWithStatistics(7);
    const images = tf.randomUniform([4, 16, 16, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
    const before = predict(moe, images);
    moe.params.get('backbone/stem/bn/moving_mean').assign(tf.fill([8], 0.9));
    const after = predict(moe, images);
    const plain = predict(moe, images, { foldBatchNorm: false });
    const diff = (a: typeof after, b: typeof after) =>
      Math.max(...a.predictions.flatMap((p, i) => Array.from(p.probabilities, (v, c) => Math.abs(v - b.predictions[i].probabilities[c]))));
    expect(diff(after, before)).toBeGreaterThan(1e-3);
    expect(diff(after, plain)).toBeLessThanOrEqual(1e-4);
    releasePredictState(moe);
    moe.dispose();
  });

  it('leaves no tensors behind per call (the folds are kept once)', () => {
    const moe = resnetWithStatistics(9);
    const images = tf.randomUniform([3, 16, 16, 3], 0, 1, 'float32', 10) as tf.Tensor4D;
    predict(moe, images);
    const n = tf.memory().numTensors;
    predict(moe, images);
    predict(moe, images, { batchSize: 2 });
    expect(tf.memory().numTensors).toBe(n);
    releasePredictState(moe);
    moe.dispose();
  });
});
