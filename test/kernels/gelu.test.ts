// The GELU kernels of backend wmoe (src/kernels/gelu.ts, assembly/nn/gelu.ts): erf accuracy
// against a float64 series over the whole line, the gradient against central differences and
// the closed form, agreement with the op composition on tfjs-backend-cpu, and the same bits on
// 1 and 2 threads.
import { beforeAll, describe, expect, it } from 'vitest';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { GELU, GELU_GRAD } from '../../src/kernels/kernel_names.js';
import { GELU_CHUNK } from '../../src/kernels/gelu.js';
import { gelu } from '../../src/models/gelu.js';
import { randomValues, runOn, tf, wmoeWithThreads } from '../helpers/tf.js';

/**
 * Φ(x) in float64: erf by its all-positive series erf(z) = 2/√π·e^(−z²)·Σ (2z²)ⁿ·z/(1·3·…·(2n+1))
 * (no cancellation; 1e-15 relative for |z| ≤ 6), 1 beyond. Independent of both float32 erfs.
 */
function cdf64(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  let erf = 1;
  if (z < 6) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 500 && term > 1e-18 * sum; n++) {
      term *= (2 * z * z) / (2 * n + 1);
      sum += term;
    }
    erf = (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
  }
  return x < 0 ? 0.5 * (1 - erf) : 0.5 * (1 + erf);
}
const gelu64 = (x: number) => x * cdf64(x);
const pdf64 = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);

let backend: WmoeBackend;

beforeAll(async () => {
  backend = await wmoeWithThreads(2, true);
});

const forward = (x: tf.Tensor) => tf.engine().runKernel(GELU, { x }) as tf.Tensor;
const backward = (x: tf.Tensor, dy: tf.Tensor) => tf.engine().runKernel(GELU_GRAD, { x, dy }) as tf.Tensor;

/** Every 1/256 from −16 to 16, then a few extremes (floats, so exactly representable). */
const GRID = [
  ...Array.from({ length: 32 * 256 + 1 }, (_, i) => -16 + i / 256),
  -1e4, -60, -13.5, -5.7, 5.7, 13.5, 60, 1e4, 1e-30, -1e-30, 0,
];

describe('GELU kernel (exact erf form)', () => {
  it('Φ = y/x is within 5e-7 of the float64 Φ everywhere (erf within 1e-6), and y within float32 rounding', () => {
    const y = forward(tf.tensor1d(GRID)).dataSync();
    let worstCdf = 0;
    GRID.forEach((x, i) => {
      const want = gelu64(x);
      // y itself: a few float32 roundings of |y|, plus |x| times Φ's error where 1 + erf cancels
      // (erf near −1 is a few float32 steps of 6e-8 off: |Φ error| ≤ 2.5e-7).
      expect(Math.abs(y[i] - want), `x = ${x}`).toBeLessThanOrEqual(4e-7 * Math.abs(want) + 2.5e-7 * Math.min(Math.abs(x), 16) + 1e-37);
      if (Math.abs(x) >= 0.25 && Math.abs(x) <= 16) worstCdf = Math.max(worstCdf, Math.abs(y[i] / x - cdf64(x)));
    });
    expect(worstCdf).toBeLessThan(5e-7);
    expect(y[GRID.length - 1]).toBe(0);
  });

  it('gradient: dy·(Φ(x) + x·φ(x)), equal to central differences of the float64 GELU', () => {
    const xs = Array.from(randomValues(4099, 21), (v) => Math.fround(v * 8));
    const dy = randomValues(4099, 22);
    const dx = backward(tf.tensor1d(xs), tf.tensor1d(dy)).dataSync();
    const h = 1e-4;
    xs.forEach((x, i) => {
      const fd = (gelu64(x + h) - gelu64(x - h)) / (2 * h);
      const closed = cdf64(x) + x * pdf64(x);
      expect(Math.abs(closed - fd)).toBeLessThan(1e-8);
      expect(Math.abs(dx[i]! - dy[i]! * closed), `x = ${x}`).toBeLessThan(5e-7 * (1 + Math.abs(dy[i]! * closed)));
    });
    // Where φ vanishes (x = ±20) the gradient is dy·Φ: dy and 0.
    const far = backward(tf.tensor1d([20, -20, -200]), tf.tensor1d([3, 3, 3])).dataSync();
    expect(Array.from(far)).toEqual([3, 0, 0]);
  });

  it('agrees with the op composition (erf, exp) on tfjs-backend-cpu, values and gradients', async () => {
    const f = () => {
      const x = tf.mul(tf.tensor2d(randomValues(3 * 257, 3), [3, 257]), 5);
      return [gelu(x), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t), tf.tensor2d(randomValues(3 * 257, 4), [3, 257]))))(x)];
    };
    const cpu = await runOn('cpu', f);
    const ours = await runOn('wmoe', f);
    // cpu's erf (Abramowitz–Stegun 7.1.26) errs by up to 1.5e-7 absolute, ours ~1e-7: the
    // outputs (|y| ≤ 5, |dx| ≤ 1.1) differ by a few 1e-7 absolute.
    for (let i = 0; i < 2; i++) {
      let worst = 0;
      ours[i]!.data.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - cpu[i]!.data[j]!))));
      expect(worst).toBeLessThan(2e-6);
    }
    await tf.setBackend('wmoe');
  });

  it('runs in chunks over 2 threads with the same bits as 1 thread; tails shorter than a vector', () => {
    const n = 3 * GELU_CHUNK + 7;
    const x = tf.mul(tf.tensor1d(randomValues(n, 5)), 6);
    const dy = tf.tensor1d(randomValues(n, 6));
    const pool = backend.nn.pool!;
    const run = (active: number) => {
      pool.active = active;
      const before = pool.splitJobs;
      const out = [forward(x).dataSync().slice(), backward(x, dy).dataSync().slice()];
      return { out, split: pool.splitJobs - before };
    };
    const two = run(2);
    const one = run(1);
    pool.active = 2;
    expect(two.split).toBe(2);
    expect(one.split).toBe(0);
    for (let i = 0; i < 2; i++) expect(Buffer.from(two.out[i]!.buffer).equals(Buffer.from(one.out[i]!.buffer))).toBe(true);
    // The 7-element tail equals the same values computed in a vector.
    const tail = Array.from(x.dataSync().slice(n - 7));
    const alone = forward(tf.tensor1d([...tail, 0])).dataSync();
    expect(Array.from(two.out[0]!.slice(n - 7))).toEqual(Array.from(alone.slice(0, 7)));
  });

  it('rejects a non-float32 input and a dy of another size with a one-line error', () => {
    expect(() => forward(tf.tensor1d([1, 2], 'int32'))).toThrow(/WmoeGelu needs float32 input 'x', got int32/);
    expect(() => backward(tf.tensor1d([1, 2]), tf.tensor1d([1, 2, 3]))).toThrow(/dy \[3\] and x \[2\] differ in size/);
  });
});
