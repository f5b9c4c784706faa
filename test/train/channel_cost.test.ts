import { beforeAll, describe, expect, it } from 'vitest';
import { centralDifferences, maxRelError, randomValues, tf, wmoe } from '../helpers/tf.js';
import { expectInputError } from '../helpers/errors.js';
import { channelUseCost } from '../../src/train/channel_cost.js';
import { ChannelUseTally } from '../../src/link/channel_uses.js';

/** The cost by hand in float64: mean_b[ topK · Σ_k softmax(z)_bk · u_bk / ref ]. */
function costF64(z: ArrayLike<number>, u: ArrayLike<number>, batch: number, experts: number, topK: number, ref: number): number {
  let total = 0;
  for (let b = 0; b < batch; b++) {
    let max = -Infinity;
    for (let k = 0; k < experts; k++) max = Math.max(max, z[b * experts + k]);
    let norm = 0, weighted = 0;
    for (let k = 0; k < experts; k++) {
      const e = Math.exp(z[b * experts + k] - max);
      norm += e;
      weighted += e * u[b * experts + k];
    }
    total += (topK * weighted) / norm / ref;
  }
  return total / batch;
}

describe('channelUseCost', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('cpu');
  });

  it('equals a hand computation', () => {
    // Row 0: p = (½, ½) → ½·10 + ½·100 = 55; row 1: p = (¾, ¼) → 7.5 + 25 = 32.5. Mean 43.75, / u_ref 10.
    const logits = tf.tensor2d([[0, 0], [Math.log(3), 0]]);
    const uses = Float32Array.from([10, 100, 10, 100]);
    expect(channelUseCost(logits, uses, 1, 10).dataSync()[0]).toBeCloseTo(4.375, 6);
    expect(channelUseCost(logits, tf.tensor2d(uses, [2, 2]), 2, 10).dataSync()[0]).toBeCloseTo(8.75, 6);
    // Equal costs: the term is topK·u/u_ref whatever the logits.
    expect(channelUseCost(tf.tensor2d([[5, -3, 1]]), Float32Array.from([7, 7, 7]), 2, 14).dataSync()[0]).toBeCloseTo(1, 6);
  });

  it('its gradient matches central differences of a float64 reference', () => {
    const batch = 5, experts = 4, topK = 2, ref = 324;
    const z = randomValues(batch * experts, 11).map((v) => 2 * v);
    const u = Float32Array.from(randomValues(batch * experts, 12), (v) => Math.round(300 + 250 * v));
    const grad = tf.grad((x: tf.Tensor) => channelUseCost(x as tf.Tensor2D, u, topK, ref))(tf.tensor2d(z, [batch, experts]));
    const fd = centralDifferences(z, (v) => costF64(v, u, batch, experts, topK, ref), 1e-5);
    expect(maxRelError(grad.dataSync(), fd)).toBeLessThan(1e-3);
    // The gradient is not trivially zero: the check would pass for a detached term otherwise.
    expect(Math.max(...Array.from(fd, Math.abs))).toBeGreaterThan(1e-3);
    // And the value agrees with the reference too.
    expect(channelUseCost(tf.tensor2d(z, [batch, experts]), u, topK, ref).dataSync()[0]).toBeCloseTo(costF64(z, u, batch, experts, topK, ref), 5);
  });

  it('T18: λ > 0 moves a 2-expert gate from the costly expert to the cheap one and lowers mean channel uses', () => {
    // 16 samples, expert 0 cheap (10 uses), expert 1 costly (100); u_ref = 10. The NLL-like term
    // is a cross-entropy to the soft target (0.4, 0.6): on its own it makes p₁ = 0.6, so top-1
    // picks expert 1. With λ = 1 the stationary point has p₁ ≈ 0.6/(1 + 9) < ½: expert 0.
    const batch = 16, experts = 2;
    const base = tf.tensor2d(Float32Array.from(randomValues(batch * experts, 3), (v) => 0.05 * v), [batch, experts]);
    const uses = Float32Array.from({ length: batch * experts }, (_, i) => (i % 2 === 0 ? 10 : 100));
    const target = tf.tensor2d(Array(batch).fill([0.4, 0.6]));
    const run = (lambda: number) => {
      const bias = tf.variable(tf.zeros([experts]));
      const optimizer = tf.train.adam(0.05);
      for (let step = 0; step < 200; step++) {
        optimizer.minimize(() => {
          const logits = tf.add(base, bias) as tf.Tensor2D;
          const nll = tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)));
          return tf.add(nll, tf.mul(channelUseCost(logits, uses, 1, 10), lambda)) as tf.Scalar;
        }, false, [bias]);
      }
      const logits = tf.add(base, bias) as tf.Tensor2D;
      const chosen = Array.from(tf.argMax(logits, 1).dataSync());
      const mask = tf.oneHot(tf.argMax(logits, 1), experts).dataSync();
      const tally = new ChannelUseTally();
      tally.add(uses, Uint8Array.from(mask), batch, experts);
      optimizer.dispose();
      bias.dispose();
      return { chosen, mean: tally.summary().mean };
    };
    const naive = run(0), aware = run(1);
    expect(naive.chosen).toEqual(Array(batch).fill(1));
    expect(aware.chosen).toEqual(Array(batch).fill(0));
    expect(naive.mean).toBe(100);
    expect(aware.mean).toBe(10);
  });

  it('rejects bad input with a one-line InputError naming the value', () => {
    const logits = tf.tensor2d([[0, 1], [2, 3]]);
    const u = Float32Array.from([1, 2, 3, 4]);
    for (const ref of [0, -3, NaN, Infinity]) {
      expectInputError(() => channelUseCost(logits, u, 1, ref), `channel-use cost: reference channel uses must be a finite number > 0, got ${ref}`);
    }
    for (const k of [0, 3, 1.5]) expectInputError(() => channelUseCost(logits, u, k, 1), `channel-use cost: topK must be an integer in 1…2, got ${k}`);
    expectInputError(() => channelUseCost(logits, new Float32Array(3), 1, 1), 'channel-use cost: uses has 3 values, expected [2, 2] = 4');
    expectInputError(() => channelUseCost(logits, tf.tensor2d([[1, 2, 3], [4, 5, 6]]), 1, 1), 'channel-use cost: uses has shape [2, 3], expected [2, 2]');
    expectInputError(() => channelUseCost(logits, Float32Array.from([1, 2, -1, 4]), 1, 1), 'channel-use cost: uses value -1 at [1, 0] is not a finite number ≥ 0');
    expectInputError(() => channelUseCost(logits, Float32Array.from([1, NaN, 3, 4]), 1, 1), 'channel-use cost: uses value NaN at [0, 1] is not a finite number ≥ 0');
    expectInputError(() => channelUseCost(logits, Float32Array.from([1, 2, 3, Infinity]), 1, 1), 'channel-use cost: uses value Infinity at [1, 1] is not a finite number ≥ 0');
    expectInputError(() => channelUseCost(tf.tensor3d([[[1]]]) as unknown as tf.Tensor2D, u, 1, 1), 'channel-use cost: logits must be [batch, experts], got shape [1, 1, 1]');
  });
});
