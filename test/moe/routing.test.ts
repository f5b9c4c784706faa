import { describe, expect, it, beforeAll } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { topKMask, routeWeights, mixProbabilities, loadBalancingLoss, importanceLoss, nllLoss } from '../../src/moe/routing.js';

describe('routing', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('selects exactly the k largest logits and renormalises their softmax', () => {
    const logits = tf.tensor2d([[0.1, 2, -1, 1.5], [3, 0, 0.5, -2]]);
    const mask = topKMask(logits, 2);
    expect(Array.from(mask.dataSync())).toEqual([0, 1, 0, 1, 1, 0, 1, 0]);
    const w = routeWeights(logits, mask).arraySync();
    const e = (a: number, b: number) => Math.exp(a) / (Math.exp(a) + Math.exp(b));
    expect(w[0][1]).toBeCloseTo(e(2, 1.5), 6);
    expect(w[0][3]).toBeCloseTo(e(1.5, 2), 6);
    expect(w[0][0]).toBe(0);
    expect(w[1][0] + w[1][2]).toBeCloseTo(1, 6);
  });

  it('passes no gradient through the mask but does through the chosen weights', () => {
    const logits = tf.tensor2d([[0.1, 2, -1, 1.5]]);
    const gMask = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(topKMask(x as tf.Tensor2D, 2), tf.tensor2d([[1, 2, 3, 4]]))))(logits);
    expect(Array.from(gMask.dataSync())).toEqual([0, 0, 0, 0]);
    const gW = tf.grad((x: tf.Tensor) => {
      const l = x as tf.Tensor2D;
      return tf.sum(tf.mul(routeWeights(l, topKMask(l, 2)), tf.tensor2d([[0, 1, 0, 0]])));
    })(logits).dataSync();
    // d w1 / d l1 = w1·w3 > 0, d w1 / d l3 = −w1·w3, unchosen experts get nothing.
    expect(gW[1]).toBeGreaterThan(0);
    expect(gW[3]).toBeCloseTo(-gW[1], 6);
    expect(gW[0]).toBe(0);
    expect(gW[2]).toBe(0);
  });

  it('mixes expert probabilities with the routing weights', () => {
    const probs = tf.tensor3d([[[1, 0]], [[0, 1]], [[0.5, 0.5]]]); // K=3, batch 1, 2 classes
    const w = tf.tensor2d([[0.25, 0.75, 0]]);
    expect(Array.from(mixProbabilities(probs, w).dataSync())).toEqual([0.25, 0.75]);
  });

  it('load balancing is 1 when uniform and K when collapsed; importance CV² is 0 when balanced', () => {
    const K = 4;
    const uniform = tf.zeros([8, K]) as tf.Tensor2D;
    const half = tf.tensor2d(Array.from({ length: 8 }, (_, i) => [0, 1, 2, 3].map((k) => (k === i % 4 || k === (i + 1) % 4 ? 1 : 0))).flat(), [8, K]);
    expect(loadBalancingLoss(uniform, half).dataSync()[0]).toBeCloseTo(1, 5);
    const collapsed = tf.tensor2d(Array(8).fill([50, 40, 0, 0]).flat(), [8, K]);
    const mask = tf.tensor2d(Array(8).fill([1, 1, 0, 0]).flat(), [8, K]);
    expect(loadBalancingLoss(collapsed, mask).dataSync()[0]).toBeCloseTo(K / 2, 3);
    expect(importanceLoss(tf.fill([8, K], 0.25) as tf.Tensor2D).dataSync()[0]).toBeCloseTo(0, 6);
  });

  it('NLL of the true labels', () => {
    const p = tf.tensor2d([[0.5, 0.5], [0.9, 0.1]]);
    const y = tf.tensor1d([0, 1], 'int32');
    expect(nllLoss(p, y).dataSync()[0]).toBeCloseTo(-(Math.log(0.5) + Math.log(0.1)) / 2, 5);
  });
});
