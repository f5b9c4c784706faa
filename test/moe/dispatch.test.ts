import { describe, expect, it, beforeAll } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { analogLink } from '../../src/link/analog.js';
import { awgnLinkBatch } from '../../src/link/channel_model.js';
import { routedExpertLogits } from '../../src/moe/dispatch.js';

type Model = 'lenet5' | 'resnet18' | 'vit';
const small: Record<Model, Record<string, number> | undefined> = {
  lenet5: undefined,
  resnet18: { width: 8, bottleneck: 4 },
  vit: { width: 24, heads: 2, depth: 2 },
};

/** One batch routed densely and sparsely by the naive gate at uneven SNRs. */
function bothWays(model: Model, batch: number) {
  const channels = model === 'lenet5' ? 1 : 3;
  const moe = new DistributedMoE({
    model, dataset: 'mnist', inputShape: [32, 32, channels], classes: 10, experts: 4, topK: 2, snrRange: [-10, 20],
    modelOptions: small[model],
  }, 5);
  const images = tf.randomUniform([batch, 32, 32, channels], 0, 1, 'float32', 6) as tf.Tensor4D;
  const snrDb = tf.randomUniform([batch, 4], -10, 20, 'float32', 7).dataSync();
  const features = moe.features(images);
  const opts = { gate: 'naive' as const, link: analogLink, batch: awgnLinkBatch(snrDb, batch, 4, 9) };
  const dense = moe.route(features, opts);
  const sparse = moe.route(features, { ...opts, sparse: true });
  return { moe, dense, sparse };
}

describe('sparse expert dispatch (inference)', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  for (const model of ['lenet5', 'resnet18', 'vit'] as const) {
    it(`${model}: the mixture equals the dense experts'; routed pairs' expert outputs too`, () => {
      const { moe, dense, sparse } = bothWays(model, 24);
      const mask = dense.mask.arraySync();
      expect(sparse.mask.arraySync()).toEqual(mask);
      const dp = dense.probs.dataSync(), sp = sparse.probs.dataSync();
      for (let i = 0; i < dp.length; i++) expect(Math.abs(sp[i] - dp[i])).toBeLessThan(1e-6);
      const de = dense.expertProbs.arraySync(), se = sparse.expertProbs.arraySync();
      let routed = 0;
      for (let k = 0; k < 4; k++) {
        for (let b = 0; b < 24; b++) {
          if (mask[b][k] === 0) continue; // not computed (uniform) unless the batch ran densely
          routed++;
          for (let c = 0; c < 10; c++) expect(Math.abs(se[k][b][c] - de[k][b][c])).toBeLessThan(1e-6);
        }
      }
      expect(routed).toBe(48);
      moe.dispose();
    });
  }

  it('runs each expert on its routed rows only, as one stacked batch as long as the longest list', () => {
    const calls: number[][] = [];
    const experts = {
      count: 3,
      classes: 2,
      logits(received: tf.Tensor3D) {
        calls.push(received.shape);
        // Logits = the first two features of each received row, so the rows can be traced.
        return tf.slice(received, [0, 0, 0], [3, received.shape[1], 2]) as tf.Tensor3D;
      },
    };
    // Expert k's copy of sample b carries (10k + b, −b).
    const received = tf.tensor3d(Array.from({ length: 3 * 8 }, (_, i) => [10 * Math.floor(i / 8) + (i % 8), -(i % 8), 0]).flat(), [3, 8, 3]);
    const mask = tf.tensor2d([
      [1, 0, 0], [1, 1, 0], [0, 1, 0], [1, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0],
    ]);
    const out = routedExpertLogits(experts, received, mask).arraySync();
    expect(calls).toEqual([[3, 3, 3]]); // longest list: expert 0 has 3 rows (and expert 1)
    const m = mask.arraySync();
    for (let k = 0; k < 3; k++) {
      for (let b = 0; b < 8; b++) expect(out[k][b]).toEqual(m[b][k] ? [10 * k + b, -b] : [0, 0]);
    }
    // A nearly full mask runs densely.
    calls.length = 0;
    routedExpertLogits(experts, received, tf.ones([8, 3]));
    expect(calls).toEqual([[3, 8, 3]]);
  });
});
