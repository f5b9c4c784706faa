// The browser-threads check: backend wmoe loaded with init({ threads: 2 }) runs a ResNet-like
// conv (forward, both gradients) and large elementwise products with the work split over the
// main thread and a Web Worker (pool.active = 2), then on one thread (pool.active = 1). The
// test demands bit identity between the two and with Node. Imports nothing from the package:
// the caller passes it in, as in checks.ts.
import type * as tfc from '@tensorflow/tfjs-core';
import { floatsOf, type F32Bits } from './checks.js';

/** What init({ threads }) returns, as far as this check reads it. */
interface ThreadedBackend {
  nn: { threads?: number; threadsUnavailable?: string; simd?: string; pool?: { active: number; readonly workerChunks: number } };
}

export interface ThreadOutputs {
  forward: F32Bits;
  dx: F32Bits;
  dw: F32Bits;
}

export interface ThreadsResult {
  crossOriginIsolated: boolean;
  threads: number;
  threadsUnavailable?: string;
  /** The SIMD build loaded (the plain one: its bits are the same in Node). */
  simd?: string;
  /** Chunks of split kernels that the Web Worker ran during the 2-thread run. */
  workerChunks: number;
  two: ThreadOutputs;
  one: ThreadOutputs;
}

const bitsOf = (t: tfc.Tensor): F32Bits => {
  const a = t.dataSync() as Float32Array;
  return { shape: t.shape.slice(), bits: Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)) };
};

/** Deterministic inputs in [−1, 1) (a 32-bit LCG: no package code needed). */
function inputs(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/**
 * conv2d(x, w, 'same') of x [4, 32, 32, 64] and w [3, 3, 64, 64] (Winograd F(4×4) block by block
 * over 256 tiles: big enough to be split), and ∂/∂x, ∂/∂w of sum(relu(conv) · s) with s of the
 * output's 262 144 elements (a split Multiply).
 */
export function threadOutputs(tf: typeof tfc): ThreadOutputs {
  const [forward, dx, dw] = tf.tidy(() => {
    const x = tf.tensor4d(inputs(4 * 32 * 32 * 64, 1), [4, 32, 32, 64]);
    const w = tf.tensor4d(inputs(3 * 3 * 64 * 64, 2).map((v) => v / 24), [3, 3, 64, 64]);
    const s = tf.tensor4d(inputs(4 * 32 * 32 * 64, 3), [4, 32, 32, 64]);
    const loss = (a: tfc.Tensor, b: tfc.Tensor) => tf.sum(tf.mul(tf.relu(tf.conv2d(a as tfc.Tensor4D, b as tfc.Tensor4D, 1, 'same')), s));
    return [tf.conv2d(x, w, 1, 'same'), ...tf.grads(loss)([x, w])];
  });
  const out = { forward: bitsOf(forward), dx: bitsOf(dx), dw: bitsOf(dw) };
  tf.dispose([forward, dx, dw]);
  return out;
}

/** Loads wmoe's plain SIMD build with 2 threads and runs {@link threadOutputs} on 2 threads, then on 1. */
export async function threadsCheck(init: (o: { threads: number; simd: 'plain' }) => Promise<unknown>, tf: typeof tfc): Promise<ThreadsResult> {
  const backend = (await init({ threads: 2, simd: 'plain' })) as ThreadedBackend;
  const pool = backend.nn.pool;
  const result = (active: number) => {
    if (pool) pool.active = active;
    return threadOutputs(tf);
  };
  const before = pool?.workerChunks ?? 0;
  const two = result(2);
  const workerChunks = (pool?.workerChunks ?? 0) - before;
  const one = result(1);
  if (pool) pool.active = 2;
  return {
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    threads: backend.nn.threads ?? 1,
    threadsUnavailable: backend.nn.threadsUnavailable,
    simd: backend.nn.simd,
    workerChunks,
    two,
    one,
  };
}

export { floatsOf };
