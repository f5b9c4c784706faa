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

/** 6 steps on the quadratic of `train`, with decoupled weight decay done by hand: the gradient at p, then p ← p·fround(1 − lr·wd), then tfjs's Adam step. */
function trainDecayedByHand(lr: number, wd: number, seed: number, decayB: boolean): Float32Array[] {
  const a = tf.variable(tf.tensor(randomValues(1000, seed), [10, 100]), true, `ha${seed}`);
  const b = tf.variable(tf.tensor(randomValues(7, seed + 1).map((x) => x * 1e-4)), true, `hb${seed}`);
  const target = tf.tensor(randomValues(1000, seed + 2).map((x) => x * 30), [10, 100]);
  const optimizer = tf.train.adam(lr);
  const factor = Math.fround(1 - lr * wd);
  for (let s = 0; s < 6; s++) {
    const { grads } = tf.variableGrads(() => tf.add(tf.sum(tf.square(tf.sub(a, target))), tf.sum(tf.mul(tf.pow(b, 3), 1e3))) as tf.Scalar, [a, b]);
    for (const v of decayB ? [a, b] : [a]) v.assign(tf.tidy(() => tf.mul(v, tf.scalar(factor))));
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const out = [a.dataSync().slice() as Float32Array, b.dataSync().slice() as Float32Array];
  tf.dispose([a, b, target]);
  optimizer.dispose();
  return out;
}

describe('FusedAdam: decoupled weight decay and exact state', () => {
  beforeAll(async () => {
    await wmoe();
  });

  for (const backend of ['cpu', 'wmoe'] as const) {
    it(`${backend}: weight decay is p·fround(1 − lr·wd) before the Adam step, only on the chosen variables, to the bit`, async () => {
      await tf.setBackend(backend);
      for (const [lr, wd, seed] of [[2e-3, 0.05, 21], [0.5, 0.3, 31]] as const) {
        const all = new FusedAdam(lr);
        all.weightDecay = wd;
        const ours = train(all, seed);
        const theirs = trainDecayedByHand(lr, wd, seed, true);
        expect(Buffer.from(ours[0].buffer)).toEqual(Buffer.from(theirs[0].buffer));
        expect(Buffer.from(ours[1].buffer)).toEqual(Buffer.from(theirs[1].buffer));
        // Only `a` (named a<seed>): b trains as without decay.
        const some = new FusedAdam(lr);
        some.weightDecay = wd;
        some.decayed = new Set([`a${seed}`]);
        const partial = train(some, seed);
        const byHand = trainDecayedByHand(lr, wd, seed, false);
        expect(Buffer.from(partial[0].buffer)).toEqual(Buffer.from(byHand[0].buffer));
        expect(Buffer.from(partial[1].buffer)).toEqual(Buffer.from(byHand[1].buffer));
        expect(Buffer.from(partial[1].buffer)).not.toEqual(Buffer.from(ours[1].buffer));
      }
    });
  }

  it('exportState/importState: 3 steps, a new optimizer from the state, 3 more = 6 steps on one, to the bit (β powers kept exactly)', async () => {
    await tf.setBackend('wmoe');
    const run = (split: boolean) => {
      const x = tf.variable(tf.tensor(randomValues(300, 41)), true, `xs${split}`);
      const loss = () => tf.sum(tf.mul(tf.square(x), tf.tensor(randomValues(300, 42)))) as tf.Scalar;
      let opt = new FusedAdam(0.01);
      opt.weightDecay = 0.1;
      for (let s = 0; s < 6; s++) {
        if (split && s === 3) {
          const state = opt.exportState();
          opt.dispose();
          opt = new FusedAdam(0.01);
          opt.weightDecay = 0.1;
          opt.importState(state);
        }
        opt.minimize(loss, false, [x]);
      }
      const out = x.dataSync().slice();
      opt.dispose();
      x.dispose();
      return Buffer.from(out.buffer);
    };
    expect(run(true)).toEqual(run(false));
  });
});
