// The attention-core kernels of backend wmoe (src/kernels/attention.ts, assembly/nn/attention.ts):
// o = softmax(scale·q·kᵀ)·v and p against a float64 reference, the gradient kernel against
// central differences of it, both against the op composition on tfjs-backend-cpu, and the same
// bits on 1 and 2 threads.
import { beforeAll, describe, expect, it } from 'vitest';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { ATTENTION, ATTENTION_GRAD } from '../../src/kernels/kernel_names.js';
import { centralDifferences, maxRelError, randomValues, runOn, tf, wmoeWithThreads } from '../helpers/tf.js';

let backend: WmoeBackend;

beforeAll(async () => {
  backend = await wmoeWithThreads(2, true);
});

/** Float64 o [N][tq][dh] and p [N][tq][tk] from q [N][tq][dh], k and v [N][tk][dh]. */
function reference(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, N: number, tq: number, tk: number, dh: number, scale: number) {
  const o = new Float64Array(N * tq * dh), p = new Float64Array(N * tq * tk);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < tq; i++) {
      const s = Array.from({ length: tk }, (_, j) => {
        let dot = 0;
        for (let d = 0; d < dh; d++) dot += q[(n * tq + i) * dh + d]! * k[(n * tk + j) * dh + d]!;
        return scale * dot;
      });
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const sum = e.reduce((a, b) => a + b, 0);
      e.forEach((x, j) => (p[(n * tq + i) * tk + j] = x / sum));
      for (let d = 0; d < dh; d++) {
        let acc = 0;
        for (let j = 0; j < tk; j++) acc += p[(n * tq + i) * tk + j]! * v[(n * tk + j) * dh + d]!;
        o[(n * tq + i) * dh + d] = acc;
      }
    }
  }
  return { o, p };
}

const forward = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale: number) =>
  tf.engine().runKernel(ATTENTION, { q, k, v }, { scale }) as tf.Tensor[];
const backward = (dy: tf.Tensor, q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, p: tf.Tensor, scale: number) =>
  tf.engine().runKernel(ATTENTION_GRAD, { dy, q, k, v, p }, { scale }) as tf.Tensor[];

/** The op composition the kernels replace (src/models/vit.ts's fallback). */
const composed = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale: number) =>
  tf.matMul(tf.softmax(tf.matMul(tf.mul(q, scale), k, false, true)), v);

describe('attention kernels', () => {
  // [N, tq, tk, dh]: odd sizes (edge tiles and panels, scalar tails) and one query (CLS only).
  const cases = [[5, 13, 13, 6], [4, 1, 9, 5], [2, 7, 17, 20]] as const;

  for (const [N, tq, tk, dh] of cases) {
    it(`forward: o and p equal the float64 reference (N ${N}, Tq ${tq}, Tk ${tk}, dh ${dh})`, () => {
      const scale = 1 / Math.sqrt(dh);
      const q = Array.from(randomValues(N * tq * dh, 1), (x) => 3 * x), k = randomValues(N * tk * dh, 2), v = randomValues(N * tk * dh, 3);
      const [o, p] = forward(tf.tensor3d(q, [N, tq, dh]), tf.tensor3d(k, [N, tk, dh]), tf.tensor3d(v, [N, tk, dh]), scale);
      const want = reference(q, k, v, N, tq, tk, dh, scale);
      expect(o!.shape).toEqual([N, tq, dh]);
      expect(p!.shape).toEqual([N, tq, tk]);
      Array.from(p!.dataSync()).forEach((x, i) => expect(Math.abs(x - want.p[i]!)).toBeLessThan(1e-6));
      Array.from(o!.dataSync()).forEach((x, i) => expect(Math.abs(x - want.o[i]!)).toBeLessThan(2e-6));
    });

    it(`gradient: dq, dk, dv equal central differences of the float64 reference (N ${N}, Tq ${tq}, Tk ${tk}, dh ${dh})`, () => {
      const scale = 0.7;
      const q = randomValues(N * tq * dh, 4), k = randomValues(N * tk * dh, 5), v = randomValues(N * tk * dh, 6);
      const w = randomValues(N * tq * dh, 7); // loss = Σ w·o, so dy = w
      const qt = tf.tensor3d(q, [N, tq, dh]), kt = tf.tensor3d(k, [N, tk, dh]), vt = tf.tensor3d(v, [N, tk, dh]);
      const [, p] = forward(qt, kt, vt, scale);
      const [dq, dk, dv] = backward(tf.tensor3d(w, [N, tq, dh]), qt, kt, vt, p!, scale);
      const loss = (qv: ArrayLike<number>, kv: ArrayLike<number>, vv: ArrayLike<number>) =>
        reference(qv, kv, vv, N, tq, tk, dh, scale).o.reduce((a, x, i) => a + w[i]! * x, 0);
      expect(maxRelError(dq!.dataSync(), centralDifferences(q, (x) => loss(x, k, v), 1e-6))).toBeLessThan(1e-4);
      expect(maxRelError(dk!.dataSync(), centralDifferences(k, (x) => loss(q, x, v), 1e-6))).toBeLessThan(1e-4);
      expect(maxRelError(dv!.dataSync(), centralDifferences(v, (x) => loss(q, k, x), 1e-6))).toBeLessThan(1e-4);
    });
  }

  it('agrees with the op composition (matMul, mul, softmax and their gradients) on tfjs-backend-cpu', async () => {
    const [N, T, dh] = [6, 65, 64];
    const scale = 1 / 8;
    const make = () => [tf.tensor3d(randomValues(N * T * dh, 8), [N, T, dh]), tf.tensor3d(randomValues(N * T * dh, 9), [N, T, dh]),
      tf.tensor3d(randomValues(N * T * dh, 10), [N, T, dh]), tf.tensor3d(randomValues(N * T * dh, 11), [N, T, dh])] as const;
    const cpu = await runOn('cpu', () => {
      const [q, k, v, w] = make();
      return [composed(q, k, v, scale), ...tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(composed(a, b, c, scale), w)))([q, k, v])];
    });
    const ours = await runOn('wmoe', () => {
      const [q, k, v, w] = make();
      const [o, p] = forward(q, k, v, scale);
      return [o!, ...backward(w, q, k, v, p!, scale)];
    });
    for (let i = 0; i < 4; i++) {
      expect(ours[i]!.shape).toEqual(cpu[i]!.shape);
      expect(maxRelError(ours[i]!.data, cpu[i]!.data), `output ${i}`).toBeLessThan(1e-4);
    }
    await tf.setBackend('wmoe');
  });

  it('splits the batches over 2 threads with the same bits as 1 thread, forward and gradient', () => {
    const [N, T, dh] = [96, 65, 64];
    const q = tf.tensor3d(randomValues(N * T * dh, 12), [N, T, dh]), k = tf.tensor3d(randomValues(N * T * dh, 13), [N, T, dh]);
    const v = tf.tensor3d(randomValues(N * T * dh, 14), [N, T, dh]), dy = tf.tensor3d(randomValues(N * T * dh, 15), [N, T, dh]);
    const pool = backend.nn.pool!;
    const run = (active: number) => {
      pool.active = active;
      const before = pool.splitJobs;
      const [o, p] = forward(q, k, v, 0.125);
      const grads = backward(dy, q, k, v, p!, 0.125);
      return { out: [o!, p!, ...grads].map((t) => t.dataSync().slice()), split: pool.splitJobs - before };
    };
    const two = run(2);
    const one = run(1);
    pool.active = 2;
    expect(two.split).toBe(2);
    expect(one.split).toBe(0);
    two.out.forEach((x, i) => expect(Buffer.from(x.buffer).equals(Buffer.from(one.out[i]!.buffer)), `output ${i}`).toBe(true));
  });

  it('rejects operands of mismatched shapes with a one-line error', () => {
    const t = (shape: number[]) => tf.zeros(shape);
    expect(() => forward(t([2, 3, 4]), t([2, 5, 3]), t([2, 5, 4]), 1)).toThrow(/WmoeAttention: q \[2,3,4\], k \[2,5,3\], v \[2,5,4\] must be/);
    expect(() => forward(t([2, 3, 4]), t([1, 5, 4]), t([1, 5, 4]), 1)).toThrow(/must be float32 \[N, Tq, dh\]/);
  });
});
