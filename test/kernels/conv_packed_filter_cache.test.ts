// Kept filter forms (src/kernels/conv/packed_filter_cache.ts): the GEMM path's packed filter and
// Winograd's transformed filters (forward and input gradient) of a filter tensor used again are
// kept in a heap block of the module's memory (read in place by the GEMMs: the block appears once,
// on the second use, and no later call allocates another), or in JS on the copy-mode backend; every
// call gives the same bits as the first (freshly prepared) one, on both backends.
import { describe, expect, it } from 'vitest';
import type { WmoeBackend } from '../../src/backend/backend.js';
import type { ResidentPool } from '../../src/backend/resident_pool.js';
import { lastConvStrategy } from '../../src/kernels/conv2d.js';
import { FORM_CACHE_MIN_FLOATS } from '../../src/kernels/conv/packed_filter_cache.js';
import { copyModeBackend, rand, runOn, tf, wmoe } from '../helpers/tf.js';

/** max |a − b| / max |b|: float32 sums of a few hundred terms stay far below 1e-5; a wrong filter gives ~1. */
function relToPeak(a: Float32Array, b: Float32Array): number {
  let peak = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    peak = Math.max(peak, Math.abs(b[i]!));
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  }
  return worst / peak;
}

/** A conv pass on x and filter w: the GEMM forward (stride 2), or Winograd forward / input gradient (stride 1). */
const passes: { name: string; strategy: [string, string]; xShape: number[]; wShape: number[]; run: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor }[] = [
  {
    name: 'GEMM forward (3x3 stride 2, 96 → 96)', strategy: ['forward', 'gemm-indirect'], xShape: [2, 9, 9, 96], wShape: [3, 3, 96, 96],
    run: (x, w) => tf.conv2d(x, w, 2, 'same'),
  },
  {
    name: 'Winograd F(4×4) forward (3x3, 64 → 48)', strategy: ['forward', 'winograd4'], xShape: [1, 8, 8, 64], wShape: [3, 3, 64, 48],
    run: (x, w) => tf.conv2d(x, w, 1, 'same'),
  },
  {
    name: 'Winograd F(4×4) input gradient (3x3, 48 → 64)', strategy: ['inputGrad', 'winograd4'], xShape: [1, 8, 8, 64], wShape: [3, 3, 48, 64],
    run: (dy, w) => tf.conv2dTranspose(dy, w, [1, 8, 8, 48], 1, 'same'),
  },
];

/** Heap bytes in use besides tensors, after each of `calls` calls of pass `p` with one filter tensor, and each call's output. */
async function repeated(backendName: string, p: (typeof passes)[number], calls: number, seed: number) {
  await tf.setBackend(backendName);
  const backend = tf.backend() as unknown as WmoeBackend;
  const heap = backend.nn.heap;
  // Heap bytes besides the tensors' blocks (filter and input move into blocks on their second read).
  const notTensors = () => (heap === undefined ? 0 : heap.inUseBytes - (backend.outputs as ResidentPool).residentBytes);
  const x = rand(p.xShape, seed) as tf.Tensor4D;
  const w = rand(p.wShape, seed + 1) as tf.Tensor4D;
  const outs: Float32Array[] = [];
  const inUse: number[] = [];
  for (let i = 0; i < calls; i++) {
    const y = tf.tidy(() => p.run(x, w));
    outs.push(y.dataSync().slice() as Float32Array);
    y.dispose();
    inUse.push(notTensors());
  }
  expect(lastConvStrategy(p.strategy[0] as 'forward' | 'inputGrad')).toBe(p.strategy[1]);
  tf.dispose([x, w]);
  return { outs, inUse };
}

describe('kept filter forms', () => {
  for (const [i, p] of passes.entries()) {
    it(`${p.name}: kept in WASM memory from the second use, read in place, same bits every call`, async () => {
      await wmoe();
      const copy = await copyModeBackend();
      expect(copy.nn.heap).toBeUndefined();
      expect(p.wShape.reduce((a, b) => a * b, 1)).toBeGreaterThanOrEqual(FORM_CACHE_MIN_FLOATS);
      const seed = 900 + 10 * i;
      const resident = await repeated('wmoe', p, 4, seed);
      // The second use keeps the form in a new heap block (≥ the filter's floats); later uses add none.
      const grown = resident.inUse[1]! - resident.inUse[0]!;
      expect(grown).toBeGreaterThanOrEqual(4 * p.wShape.reduce((a, b) => a * b, 1));
      expect(resident.inUse.slice(2)).toEqual([resident.inUse[1], resident.inUse[1]]);
      const copied = await repeated('wmoe-copy', p, 4, seed);
      const first = Buffer.from(resident.outs[0]!.buffer);
      for (const o of [...resident.outs, ...copied.outs]) expect(Buffer.from(o.buffer).equals(first)).toBe(true);
      const [ref] = await runOn('cpu', () => p.run(rand(p.xShape, seed) as tf.Tensor4D, rand(p.wShape, seed + 1) as tf.Tensor4D));
      expect(relToPeak(resident.outs[3]!, ref!.data)).toBeLessThan(1e-5);
    });
  }

  it('disposing the filter frees its kept forms at once, without waiting for a GC', async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    const backend = tf.backend() as unknown as WmoeBackend;
    const heap = backend.nn.heap!;
    const notTensors = () => heap.inUseBytes - (backend.outputs as ResidentPool).residentBytes;
    const [, forward, inputGrad] = passes;
    const x = rand(forward!.xShape, 970) as tf.Tensor4D;
    const w = rand(forward!.wShape, 971) as tf.Tensor4D;
    const dy = rand(forward!.xShape.slice(0, 3).concat(forward!.wShape[3]!), 972) as tf.Tensor4D;
    const before = notTensors();
    for (let i = 0; i < 2; i++) {
      tf.tidy(() => forward!.run(x, w)).dispose();
      tf.tidy(() => tf.conv2dTranspose(dy, w, x.shape, 1, 'same')).dispose();
    }
    expect(lastConvStrategy('inputGrad')).toBe(inputGrad!.strategy[1]);
    // Both orientations of the transformed filter are kept: 2 · 36/9 of the filter's floats.
    const floats = w.size;
    expect(notTensors() - before).toBeGreaterThanOrEqual(2 * 4 * 4 * floats);
    w.dispose();
    expect(notTensors()).toBe(before);
    tf.dispose([x, dy]);
  });

  it('a new filter tensor with the same shape is prepared afresh (no stale form)', async () => {
    await wmoe();
    const p = passes[1]!;
    const a = await repeated('wmoe', p, 3, 950);
    const b = await repeated('wmoe', p, 3, 960);
    const [refB] = await runOn('cpu', () => p.run(rand(p.xShape, 960) as tf.Tensor4D, rand(p.wShape, 961) as tf.Tensor4D));
    expect(relToPeak(b.outs[2]!, refB!.data)).toBeLessThan(1e-5);
    expect(relToPeak(a.outs[2]!, refB!.data)).toBeGreaterThan(0.1);
  });
});
