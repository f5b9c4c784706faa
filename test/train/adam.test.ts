import { describe, expect, it, beforeAll } from 'vitest';
import { tf, wmoe, randomValues } from '../helpers/tf.js';
import { FusedAdam, adam } from '../../src/train/adam.js';

/** Runs 6 steps of `optimizer` on a quadratic in two variables (gradients of all signs and sizes); returns the final values. */
function train(optimizer: tf.Optimizer, seed: number): Float32Array[] {
  const a = tf.variable(tf.tensor(randomValues(1000, seed), [10, 100]), true, `a${seed}`);
  const b = tf.variable(tf.tensor(randomValues(7, seed + 1).map((x) => x * 1e-4)), true, `b${seed}`);
  const target = tf.tensor(randomValues(1000, seed + 2).map((x) => x * 30), [10, 100]);
  for (let s = 0; s < 6; s++) {
    optimizer.minimize(() => tf.add(tf.sum(tf.square(tf.sub(a, target))), tf.sum(tf.mul(tf.pow(b, 3), 1e3))) as tf.Scalar, false, [a, b]);
  }
  const out = [a.dataSync().slice() as Float32Array, b.dataSync().slice() as Float32Array];
  tf.dispose([a, b, target]);
  optimizer.dispose();
  return out;
}

describe('FusedAdam', () => {
  beforeAll(async () => {
    await wmoe();
  });

  for (const backend of ['cpu', 'wmoe'] as const) {
    it(`${backend}: bit-identical to tf.train.adam over 6 steps (lr 2e-3 and 0.5)`, async () => {
      await tf.setBackend(backend);
      for (const [lr, seed] of [[2e-3, 1], [0.5, 11]] as const) {
        const ours = train(new FusedAdam(lr), seed);
        const theirs = train(tf.train.adam(lr), seed);
        expect(Buffer.from(ours[0].buffer)).toEqual(Buffer.from(theirs[0].buffer));
        expect(Buffer.from(ours[1].buffer)).toEqual(Buffer.from(theirs[1].buffer));
        // and it moved them
        expect(ours[0]).not.toEqual(randomValues(1000, seed));
      }
    });
  }

  it('setWeights takes copies: stepping on does not change the tensors it was given', async () => {
    await tf.setBackend('wmoe');
    const x = tf.variable(tf.tensor([1, -2, 3]), true, 'adam-restore');
    const first = new FusedAdam(0.1);
    first.minimize(() => tf.sum(tf.square(x)) as tf.Scalar, false, [x]);
    const saved = await first.getWeights();
    const before = saved.map((w) => Array.from(w.tensor.dataSync()));
    const second = new FusedAdam(0.1);
    await second.setWeights(saved);
    second.minimize(() => tf.sum(tf.square(x)) as tf.Scalar, false, [x]);
    expect(saved.map((w) => Array.from(w.tensor.dataSync()))).toEqual(before);
    tf.dispose([x, ...saved.map((w) => w.tensor)]);
  });

  it('adam() picks the fused optimizer on JS-resident backends', async () => {
    await tf.setBackend('wmoe');
    const o = adam(1e-3);
    expect(o).toBeInstanceOf(FusedAdam);
    o.dispose();
  });
});
