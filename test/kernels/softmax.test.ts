import { describe, expect, it } from 'vitest';
import { tf, wmoe, runOn, randomValues, maxRelError } from '../helpers/tf.js';

async function compare(f: () => tf.Tensor | tf.Tensor[]) {
  const ref = await runOn('cpu', f);
  const got = await runOn('wmoe', f);
  for (let i = 0; i < ref.length; i++) {
    expect(got[i].shape).toEqual(ref[i].shape);
    expect(maxRelError(got[i].data, ref[i].data)).toBeLessThan(1e-4);
  }
}

const shapes: number[][] = [[1, 1], [1, 10], [64, 4], [3, 7], [2, 5, 13], [5, 33], [128]];

describe('Softmax kernel of wmoe matches tfjs-backend-cpu', () => {
  it('runs in WASM, not the inherited cpu kernel', async () => {
    await wmoe();
    expect(tf.getKernel('Softmax', 'wmoe')!.kernelFunc).not.toBe(tf.getKernel('Softmax', 'cpu')!.kernelFunc);
  });

  it('forward on rows of odd and SIMD-multiple lengths, large logits included', async () => {
    await wmoe();
    for (const [i, shape] of shapes.entries()) {
      const n = shape.reduce((a, b) => a * b, 1);
      // Scale 30 puts logits far apart, checking the max subtraction (no overflow of exp).
      const xs = randomValues(n, 40 + i).map((v) => v * (i % 2 ? 30 : 3));
      await compare(() => tf.softmax(tf.tensor(xs, shape)));
    }
  });

  it('gradient through tf.grad', async () => {
    await wmoe();
    for (const [i, shape] of shapes.entries()) {
      const n = shape.reduce((a, b) => a * b, 1);
      const xs = randomValues(n, 60 + i).map((v) => 2 * v);
      const ws = randomValues(n, 80 + i);
      await compare(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), tf.tensor(ws, shape))))(tf.tensor(xs, shape)));
    }
  });

  it('rejects a non-last axis with a one-line error', async () => {
    const backend = await wmoe();
    const logits = backend.output([2, 3], new Float32Array(6));
    expect(() => tf.getKernel('Softmax', 'wmoe')!.kernelFunc({ inputs: { logits }, backend, attrs: { dim: 0 } }))
      .toThrow(/last axis, got dim 0 for rank 2/);
    backend.disposeData(logits.dataId);
  });
});
