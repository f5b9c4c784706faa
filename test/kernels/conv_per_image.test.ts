// Per-image conv kernels split over threads (src/kernels/conv/per_image.ts): the direct forward
// and filter gradient (LeNet's 1→6 conv; the gradient as partial sums of 8 images) and the
// scatter input gradient (LeNet's 6→16 conv) give the same bits on 1 and 2 threads, the worker
// really takes chunks at batch 64 (also for a batch that does not cut evenly), a batch-1 call
// hands nothing to the pool, and the split results match cpu.
import { beforeAll, describe, expect, it } from 'vitest';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { lastConvStrategy } from '../../src/kernels/conv2d.js';
import { DIRECT_TILE_BYTES, SCATTER_SCRATCH_BYTES } from '../../src/kernels/conv/per_image.js';
import { tf, rand, runOn, maxRelError, wmoeWithThreads } from '../helpers/tf.js';

let backend: WmoeBackend;

beforeAll(async () => {
  backend = await wmoeWithThreads(2);
});

/** conv1 forward (direct) and conv2's input gradient (scatter) of LeNet-5 at batch n. */
function lenetConvs(n: number, pad: 'valid' | 'same' = 'valid'): () => tf.Tensor[] {
  return () => {
    const x1 = rand([n, 32, 32, 1], 41) as tf.Tensor4D;
    const w1 = rand([5, 5, 1, 6], 42) as tf.Tensor4D;
    const x2 = rand([n, 14, 14, 6], 43) as tf.Tensor4D;
    const w2 = rand([5, 5, 6, 16], 44) as tf.Tensor4D;
    const y1 = tf.conv2d(x1, w1, 1, pad);
    const forward = lastConvStrategy('forward');
    const dy1 = rand(y1.shape, 46);
    const dw1 = tf.grad((ww: tf.Tensor4D) => tf.conv2d(x1, ww, 1, pad).mul(dy1).sum())(w1);
    const filterGrad = lastConvStrategy('filterGrad');
    const dy = rand([n, pad === 'valid' ? 10 : 14, pad === 'valid' ? 10 : 14, 16], 45);
    const dx2 = tf.grad((xx: tf.Tensor4D) => tf.conv2d(xx, w2, 1, pad).mul(dy).sum())(x2);
    if (tf.getBackend() === 'wmoe') {
      expect([forward, filterGrad, lastConvStrategy('inputGrad')]).toEqual(['direct', 'direct', 'scatter']);
    }
    return [y1, dw1, dx2];
  };
}

describe('per-image conv kernels on two threads', () => {
  it('give the same bits as one thread, in chunks the worker takes', async () => {
    const pool = backend.nn.pool!;
    expect(pool.threads).toBe(2);
    for (const [n, pad] of [[64, 'valid'], [37, 'same']] as const) {
      pool.active = 1;
      const one = await runOn('wmoe', lenetConvs(n, pad));
      pool.active = 2;
      const before = pool.workerChunks;
      // A sleeping worker may wake after this thread took every chunk: a few tries, each compared.
      let two = one;
      for (let attempt = 0; attempt < 5 && pool.workerChunks === before; attempt++) {
        two = await runOn('wmoe', lenetConvs(n, pad));
        for (let i = 0; i < 3; i++) {
          expect(Buffer.from(two[i]!.data.buffer).equals(Buffer.from(one[i]!.data.buffer)), `batch ${n} output ${i}`).toBe(true);
        }
      }
      expect(pool.workerChunks, `batch ${n}`).toBeGreaterThan(before);
      const ref = await runOn('cpu', lenetConvs(n, pad));
      for (let i = 0; i < 3; i++) expect(maxRelError(two[i]!.data, ref[i]!.data), `batch ${n} output ${i}`).toBeLessThan(1e-4);
    }
  });

  it('allocate the scratch sizes the WASM kernels declare', () => {
    const ex = backend.nn.exports as unknown as Record<string, WebAssembly.Global>;
    expect([ex.DIRECT_TILE_BYTES!.value, ex.SCATTER_SCRATCH_BYTES!.value]).toEqual([DIRECT_TILE_BYTES, SCATTER_SCRATCH_BYTES]);
  });

  it('keep a batch-1 call on the calling thread', async () => {
    const pool = backend.nn.pool!;
    pool.active = 2;
    const before = pool.workerChunks;
    await runOn('wmoe', lenetConvs(1));
    expect(pool.workerChunks).toBe(before);
  });
});
