import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelError, randomValues, runOn, tf, wmoe } from '../helpers/tf.js';
import { gelu } from '../../src/models/gelu.js';

/** erf in float64 by its Maclaurin series (converges to ~1e-14 for |x| ≤ 4): the independent reference. */
function erf64(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
    if (Math.abs(term) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const gelu64 = (x: number) => 0.5 * x * (1 + erf64(x / Math.SQRT2));

describe('GELU (erf form)', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('equals x·Φ(x) at tabulated points (Φ from normal tables) and 0.5·x·(1 + erf(x/√2)) elsewhere', () => {
    // Φ(1) = 0.841344746068543, Φ(2) = 0.977249868051821, Φ(−3) = 0.001349898031630.
    const xs = [0, 1, -1, 2, -3, 8, -8];
    const want = [0, 0.841344746068543, -0.158655253931457, 2 * 0.977249868051821, -3 * 0.00134989803163, 8, 0];
    const got = gelu(tf.tensor1d(xs)).dataSync();
    xs.forEach((_, i) => expect(got[i]).toBeCloseTo(want[i], 6));
    // The tanh approximation differs from the exact form by 4.1e-4 at x = −3: we are not it.
    const tanhApprox = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    expect(Math.abs(got[4] - tanhApprox(-3))).toBeGreaterThan(3e-4);

    const many = Array.from(randomValues(2000, 7), (v) => v * 4);
    const out = gelu(tf.tensor1d(many)).dataSync();
    many.forEach((x, i) => expect(Math.abs(out[i] - gelu64(x))).toBeLessThan(1e-6 * (1 + Math.abs(x))));
  });

  it('gradient matches the closed form Φ(x) + x·φ(x) and central differences of the float64 reference', () => {
    const xs = Array.from(randomValues(64, 11), (v) => v * 4);
    const dy = randomValues(64, 12);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gelu(x), dy)))(tf.tensor1d(xs)).dataSync();
    const h = 1e-5;
    xs.forEach((x, i) => {
      const closed = 0.5 * (1 + erf64(x / Math.SQRT2)) + (x * Math.exp((-x * x) / 2)) / Math.sqrt(2 * Math.PI);
      const fd = (gelu64(x + h) - gelu64(x - h)) / (2 * h);
      expect(Math.abs(closed - fd)).toBeLessThan(1e-8);
      expect(Math.abs(g[i] - dy[i] * fd)).toBeLessThan(2e-6);
    });
  });

  it('runs alike on backends wmoe and cpu, values and gradients', async () => {
    const f = () => {
      const x = tf.tensor2d(randomValues(3 * 257, 3), [3, 257]).mul(3);
      const [value, grad] = [gelu(x), tf.grad((t: tf.Tensor) => tf.sum(tf.square(gelu(t))))(x)];
      return [value, grad];
    };
    const cpu = await runOn('cpu', f);
    const ours = await runOn('wmoe', f);
    // wmoe runs the GELU kernels (erf ~1e-7 absolute), cpu the op composition (A&S erf, 1.5e-7):
    // a few 1e-7 absolute apart, so relative to the peak, not to each (tiny) value near x = −3.
    for (let i = 0; i < 2; i++) {
      const peak = Math.max(...Array.from(cpu[i].data, Math.abs));
      expect(maxRelError(ours[i].data, cpu[i].data)).toBeLessThan(2e-4);
      cpu[i].data.forEach((v, j) => expect(Math.abs(ours[i].data[j] - v)).toBeLessThan(1e-6 * peak));
    }
    await tf.setBackend('wmoe');
  });
});
