// Sum split by columns over two threads (src/kernels/reduce.ts, assembly/nn/reduce.ts
// reduceSumColumns): the same bits as one thread and as cpu, the worker taking column blocks.
import { describe, expect, it } from 'vitest';
import { tf, randomValues, runOn, wmoeWithThreads } from '../helpers/tf.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe('Sum split by columns over two threads', () => {
  it('gives the bits of one thread (and of cpu), the worker taking column blocks', async () => {
    const backend = await wmoeWithThreads(2);
    const pool = backend.nn.pool!;
    // ViT-like bias gradients (inner 384 and 192: whole 16-column blocks) and a tail block (inner
    // 200), large enough that a sleeping worker wakes before this thread has taken every block.
    for (const [i, shape] of [[2080, 384], [32, 650, 192], [4000, 200]].entries()) {
      const values = randomValues(size(shape), 80 + i);
      const axes = shape.length === 3 ? [0, 1] : 0;
      // Three sums in a row: the later ones find the worker still spinning after the first.
      const f = () => {
        const x = tf.tensor(values, shape);
        tf.sum(x, axes);
        tf.sum(x, axes);
        return tf.sum(x, axes);
      };
      pool.active = 1;
      const [one] = await runOn('wmoe', f);
      pool.active = 2;
      const before = pool.workerChunks;
      let two = one!;
      // A sleeping worker may wake after this thread took every block (on a loaded machine, many
      // times in a row): up to 20 tries, each compared.
      for (let attempt = 0; attempt < 20 && pool.workerChunks === before; attempt++) {
        [two] = await runOn('wmoe', f);
        expect(Buffer.from(two.data.buffer).equals(Buffer.from(one!.data.buffer)), `${shape}`).toBe(true);
      }
      expect(pool.workerChunks, `${shape}`).toBeGreaterThan(before);
      const [ref] = await runOn('cpu', f);
      expect(Array.from(two.data), `${shape}`).toEqual(Array.from(ref!.data));
    }
  });
});
