// The host-side routing and mixture of inference against the tensor ops training uses (routing.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, tf, wmoe } from '../helpers/tf.js';
import { mixProbabilities, routeWeights, topKMask } from '../../src/moe/routing.js';
import { hostMixture, hostTopK } from '../../src/infer/host_routing.js';

describe('host routing', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('cpu');
  });

  it('top-k mask and weights equal topKMask and routeWeights; the mixture equals mixProbabilities', () => {
    const [B, K, k, C] = [7, 5, 3, 6];
    const logits = Float32Array.from(randomValues(B * K, 1), (v) => 4 * v);
    const expertLogits = Float32Array.from(randomValues(K * B * C, 2), (v) => 6 * v);
    const host = hostTopK(logits, B, K, k);
    const l = tf.tensor2d(logits, [B, K]);
    const mask = topKMask(l, k);
    const weights = routeWeights(l, mask);
    expect(Array.from(host.mask)).toEqual(Array.from(mask.dataSync()));
    const w = weights.dataSync();
    host.weights.forEach((v, i) => expect(v).toBeCloseTo(w[i], 6));
    const want = mixProbabilities(tf.softmax(tf.tensor3d(expertLogits, [K, B, C])) as tf.Tensor3D, weights).dataSync();
    hostMixture(expertLogits, host, B, K, C).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it('the mixture does not read the logits of unchosen experts', () => {
    const logits = Float32Array.of(3, 1, 2); // B = 1, K = 3, k = 1: expert 0
    const routing = hostTopK(logits, 1, 3, 1);
    expect(Array.from(routing.weights)).toEqual([1, 0, 0]);
    const expertLogits = Float32Array.of(0, Math.log(3), NaN, NaN, NaN, NaN); // C = 2
    const mix = hostMixture(expertLogits, routing, 1, 3, 2);
    expect(mix[0]).toBeCloseTo(0.25, 7);
    expect(mix[1]).toBeCloseTo(0.75, 7);
  });
});
