import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { ParamStore } from '../../src/models/params.js';
import { SeededRandom } from '../../src/random/seeded.js';
import { DistributedMoE } from '../../src/moe/model.js';

/** Sample standard deviation of a variable's values. */
function std(v: tf.Variable): number {
  const x = v.dataSync();
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
}

describe('ParamStore initialisation', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('He init: std √(2/fan-in), fan-in = all but the last dimension (a conv kernel: kh·kw·in)', () => {
    const p = new ParamStore(new SeededRandom(1));
    expect(std(p.add('conv', [5, 5, 6, 16]))).toBeCloseTo(Math.sqrt(2 / 150), 2);
    p.dispose();
  });

  it('stacked expert kernels [K, in, out]: K is a batch dimension, not part of the fan-in', () => {
    const model = new DistributedMoE({ model: 'lenet5', dataset: 'mnist', inputShape: [32, 32, 1], classes: 10, experts: 8, topK: 2, snrRange: [-10, 20] }, 1);
    const w = model.params.get('experts/dense1/kernel');
    expect(w.shape).toEqual([8, 400, 120]);
    // He with fan-in 400 (not 8·400): std 0.0707 (3 200 · 120 draws: within 1 %).
    expect(std(w) / Math.sqrt(2 / 400)).toBeGreaterThan(0.98);
    expect(std(w) / Math.sqrt(2 / 400)).toBeLessThan(1.02);
    model.dispose();
  });

  it('state (trainable: false) is saved with the weights but left out of the trainable groups', () => {
    const p = new ParamStore(new SeededRandom(1));
    p.add('layer/gamma', [3], 'ones');
    p.add('layer/running_var', [3], 'ones', { trainable: false });
    expect(p.group('layer/')).toHaveLength(1);
    expect(p.size('layer/')).toBe(6);
    expect(p.size('layer/', true)).toBe(3);
    expect(Array.from(p.toFlat())).toEqual([1, 1, 1, 1, 1, 1]);
    p.dispose();
  });

  it('holds no tensors once disposed, after adding, reinitialising and loading values (and keeps the values it was given)', () => {
    const before = tf.memory().numTensors;
    const p = new ParamStore(new SeededRandom(1));
    p.add('a/kernel', [4, 3]);
    p.add('a/bias', [3], 'zeros');
    expect(tf.memory().numTensors).toBe(before + 2);
    p.reinit('a/', new SeededRandom(2));
    const flat = Float32Array.from({ length: 15 }, (_, i) => i);
    p.fromFlat(flat);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(Array.from(p.toFlat())).toEqual(Array.from(flat));
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
