// The packed-B cache of matMul (src/kernels/packed_b_cache.ts): a B used again is packed once and
// kept; cached calls give the bits of uncached ones; new values of a tensor are repacked; entries
// go with their tensor and within the byte bound (least recently used first out).
import { beforeAll, describe, expect, it } from 'vitest';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { PackedBCache, packedBCacheOf } from '../../src/kernels/packed_b_cache.js';
import { copyModeBackend, randomValues, tf, wmoe } from '../helpers/tf.js';

let resident: WmoeBackend;

beforeAll(async () => {
  resident = await wmoe();
});

/** The float32 bits of t, as a Buffer (for bit-for-bit comparison). */
function bits(t: tf.Tensor): Buffer {
  return Buffer.from((t.dataSync() as Float32Array).slice().buffer);
}

/** Uncached op(a)·op(b) with b's values `bv`: a fresh tensor (new data id, first use: not cached). */
function uncached(a: tf.Tensor, bv: Float32Array, shape: number[], tb: boolean, bias?: tf.Tensor): Buffer {
  return tf.tidy(() => bits(tf.fused.matMul({ a, b: tf.tensor(bv, shape) as tf.Tensor2D, transposeB: tb, bias, activation: 'relu' })));
}

for (const mode of ['resident', 'copy'] as const) {
  describe(`matMul packed-B cache (${mode} backend)`, () => {
    const backendOf = async () => (mode === 'resident' ? resident : copyModeBackend());

    it('caches B on its second use; cached calls equal uncached ones bit for bit (plain, transposed, batched B)', async () => {
      const backend = await backendOf();
      await tf.setBackend(mode === 'resident' ? 'wmoe' : 'wmoe-copy');
      const cache = packedBCacheOf(backend);
      // (A shape, B shape, transposeB): batch-1 rows × a weight, the transposed form, 3 stacked
      // experts with A broadcast over them, and an m = 13 tile tail.
      const cases: [number[], number[], boolean][] = [[[1, 400], [400, 120], false], [[1, 84], [10, 84], true], [[3, 1, 40], [3, 40, 17], false], [[13, 33], [33, 9], false], [[1, 40], [3, 40, 17], false]];
      let seed = 1;
      for (const [as, bs, tb] of cases) {
        const a = tf.tensor(randomValues(as.reduce((x, y) => x * y), seed++), as);
        const bv = randomValues(bs.reduce((x, y) => x * y), seed++);
        const b = tf.tensor(bv, bs);
        const bias = tf.tensor1d(randomValues(tb ? bs[bs.length - 2] : bs[bs.length - 1], seed++));
        const want = uncached(a, bv, bs, tb, bias);
        cache.sweep(); // frees the entries of the previous case's disposed tensors
        const before = cache.size;
        const calls = [0, 1, 2].map(() => tf.tidy(() => bits(tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeB: tb, bias, activation: 'relu' }))));
        expect(cache.size, `[${as}]·[${bs}] tb=${tb}`).toBe(before + 1);
        for (const got of calls) expect(got.equals(want), `[${as}]·[${bs}] tb=${tb}`).toBe(true);
        tf.dispose([a, b, bias]);
      }
      cache.sweep();
      await tf.setBackend('wmoe');
    });

    it('repacks a tensor whose values changed, and frees the entry of a disposed tensor', async () => {
      const backend = await backendOf();
      await tf.setBackend(mode === 'resident' ? 'wmoe' : 'wmoe-copy');
      const cache = packedBCacheOf(backend);
      cache.sweep();
      const size0 = cache.size;
      const bytes0 = cache.bytes;
      const a = tf.tensor(randomValues(2 * 50, 11), [2, 50]) as tf.Tensor2D;
      const b = tf.tensor(randomValues(50 * 30, 12), [50, 30]) as tf.Tensor2D;
      for (let i = 0; i < 3; i++) tf.tidy(() => tf.matMul(a, b).dataSync());
      expect(cache.size).toBe(size0 + 1);
      const ptr = cache.lookup(b.dataId, backend.f32(b), false)!; // the resident backend's heap block
      // New values under the same data id (as when the backend moves a tensor's values): the
      // cached packing of the old values must not be used.
      const fresh = randomValues(50 * 30, 13);
      (backend.data.get(b.dataId) as { values: Float32Array }).values = fresh.slice();
      const got = tf.tidy(() => bits(tf.matMul(a, b)));
      expect(got.equals(tf.tidy(() => bits(tf.matMul(a, tf.tensor2d(fresh, [50, 30])))))).toBe(true);
      b.dispose();
      cache.sweep();
      expect(cache.size).toBe(size0);
      expect(cache.bytes).toBe(bytes0);
      if (mode === 'resident') expect(backend.nn.heap!.sizeOf(ptr)).toBeUndefined();
      a.dispose();
      await tf.setBackend('wmoe');
    });
  });
}

describe('PackedBCache bound', () => {
  it('keeps at most capBytes, evicting the least recently used first; skips a B over a quarter of the bound', async () => {
    await tf.setBackend('wmoe');
    const cache = new PackedBCache(resident, 4096);
    const tensors = [0, 1, 2, 3, 4].map((i) => tf.tensor1d(new Float32Array(4).fill(i)));
    const add = (t: tf.Tensor) => {
      const v = resident.f32(t);
      expect(cache.insert(t.dataId, v, false, 1024)).toBeUndefined(); // first use: only noted
      expect(cache.insert(t.dataId, v, false, 1024)).toBeDefined();
    };
    const has = (t: tf.Tensor) => cache.lookup(t.dataId, resident.f32(t), false) !== undefined;
    tensors.slice(0, 4).forEach(add);
    expect(cache.bytes).toBe(4096);
    expect(has(tensors[0])).toBe(true); // 0 is now the most recently used: 1 goes first
    add(tensors[4]);
    expect(cache.bytes).toBe(4096);
    expect(tensors.map(has)).toEqual([true, false, true, true, true]);
    const big = tf.tensor1d(new Float32Array(4));
    expect(cache.insert(big.dataId, resident.f32(big), false, 2048)).toBeUndefined();
    expect(cache.insert(big.dataId, resident.f32(big), false, 2048)).toBeUndefined(); // > 4096 / 4
    expect(cache.size).toBe(4);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
    tf.dispose([...tensors, big]);
  });
});
