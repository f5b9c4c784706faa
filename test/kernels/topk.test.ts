import { describe, expect, it } from 'vitest';
import { tf, wmoe, randomValues } from '../helpers/tf.js';

/** values and indices of tf.topk on `backend` as plain arrays. */
async function topkOn(backend: 'cpu' | 'wmoe', xs: Float32Array, shape: number[], k: number, sorted: boolean) {
  await tf.setBackend(backend);
  const x = tf.tensor(xs, shape);
  const { values, indices } = tf.topk(x, k, sorted);
  const out = { shape: values.shape, ishape: indices.shape, dtype: indices.dtype, v: Array.from(values.dataSync()), i: Array.from(indices.dataSync()) };
  tf.dispose([x, values, indices]);
  return out;
}

/** (value, index) pairs of each row in (value desc, index asc) order: the set a top-k selects. */
function rowsAsSets(r: { v: number[]; i: number[] }, k: number) {
  const rows: string[][] = [];
  for (let s = 0; s < r.v.length; s += k) {
    const pairs = r.v.slice(s, s + k).map((v, j) => [v, r.i[s + j]] as const);
    pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    rows.push(pairs.map(([v, i]) => `${v}@${i}`));
  }
  return rows;
}

const cases: [number[], number][] = [
  [[64, 4], 2], [[1, 10], 1], [[7], 7], [[3, 5, 9], 4], [[2, 100], 24], [[2, 100], 25], [[3, 257], 100], [[1, 1000], 1000], [[4, 6], 0],
];

describe('TopK kernel of wmoe matches tfjs-backend-cpu', () => {
  it('runs in WASM, not the inherited cpu kernel', async () => {
    await wmoe();
    expect(tf.getKernel('TopK', 'wmoe')!.kernelFunc).not.toBe(tf.getKernel('TopK', 'cpu')!.kernelFunc);
  });

  for (const ties of [false, true]) {
    it(`sorted: identical values and indices${ties ? ', with many ties (lower index first)' : ''}`, async () => {
      await wmoe();
      for (const [c, [shape, k]] of cases.entries()) {
        const n = shape.reduce((a, b) => a * b, 1);
        const xs = randomValues(n, 500 + c).map((v) => (ties ? Math.round(v * 3) : v));
        const ref = await topkOn('cpu', xs, shape, k, true);
        const got = await topkOn('wmoe', xs, shape, k, true);
        expect(got.shape).toEqual(ref.shape);
        expect(got.ishape).toEqual(ref.ishape);
        expect(got.dtype).toBe('int32');
        expect(got.i).toEqual(ref.i);
        expect(got.v).toEqual(ref.v);
      }
    });
  }

  it('sorted = false selects the same (value, index) pairs as cpu', async () => {
    await wmoe();
    for (const [c, [shape, k]] of cases.entries()) {
      if (k === 0) continue;
      const n = shape.reduce((a, b) => a * b, 1);
      const xs = randomValues(n, 700 + c).map((v) => Math.round(v * 4));
      const ref = await topkOn('cpu', xs, shape, k, false);
      const got = await topkOn('wmoe', xs, shape, k, false);
      expect(rowsAsSets(got, k)).toEqual(rowsAsSets(ref, k));
    }
  });

  it('rejects k larger than the last axis with a one-line error', async () => {
    const backend = await wmoe();
    const x = backend.output([2, 3], new Float32Array(6));
    expect(() => tf.getKernel('TopK', 'wmoe')!.kernelFunc({ inputs: { x }, backend, attrs: { k: 4, sorted: true } }))
      .toThrow(/k must be an integer in \[0, 3\], got 4/);
    backend.disposeData(x.dataId);
  });
});
