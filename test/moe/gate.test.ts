import { describe, expect, it, beforeAll } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { normaliseSnr } from '../../src/moe/gate.js';
import { SeededRandom } from '../../src/random/seeded.js';

const config = { model: 'lenet5', dataset: 'mnist', inputShape: [32, 32, 1], classes: 10, experts: 4, topK: 2, snrRange: [-10, 20] } as const;

describe('gates', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('normalises the training SNR range to [−1, 1], clipping at ±1.5 (perfect = 1.5)', () => {
    const n = normaliseSnr(tf.tensor2d([[-10, 5, 20, Infinity, -100]]), [-10, 20]).dataSync();
    expect(Array.from(n)).toEqual([-1, 0, 1, 1.5, -1.5]);
  });

  it('the channel-aware gate routes like the naive gate when all links are equal, and differently when not', () => {
    const model = new DistributedMoE({ ...config }, 3);
    // Give the channel-aware terms non-zero weights, as after stage 2.
    model.params.reinit('gate/channel/', new SeededRandom(4));
    for (const name of ['gate/channel/mlp2/kernel', 'gate/channel/snr2/kernel']) {
      const v = model.params.get(name);
      v.assign(tf.randomNormal(v.shape, 0, 3, 'float32', 5));
    }
    const features = tf.relu(tf.randomNormal([32, 400], 0, 1, 'float32', 6)) as tf.Tensor2D;
    const order = (gate: 'naive' | 'channel-aware', snr: number[]) => {
      const logits = model.gateLogits(gate, features, tf.tensor2d(Array(32).fill(snr).flat(), [32, 4]));
      return Array.from(tf.topk(logits, 2).indices.dataSync());
    };
    for (const db of [-10, 0, 20]) expect(order('channel-aware', [db, db, db, db])).toEqual(order('naive', [db, db, db, db]));
    expect(order('channel-aware', [-10, 20, -10, 20])).not.toEqual(order('naive', [-10, 20, -10, 20]));
    model.dispose();
  });
});
