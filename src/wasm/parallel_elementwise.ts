// Elementwise exports of the threaded nn module (Adam, broadcasting binary arithmetic, unary
// ops) split over a ThreadPool, with the one-thread signatures. Each chunk is a contiguous run
// of elements computed by the one-thread code, and every element's value depends on that
// element alone (IEEE float32 +, −, ×, ÷ round the same in a SIMD lane and in the scalar
// tail), so the results are bit-identical to one thread.
import type { ThreadPool } from './thread_pool.js';
import { CHUNKS_PER_THREAD } from './parallel_gemm.js';

/**
 * Below this many elements a call runs on one thread. The cut-off weighs handing a job to a
 * worker (a few µs when it is spinning, ~50 µs and more when it sleeps) against the op itself,
 * which streams ~12 bytes per element (~0.1 ms at 2^17 elements, more than a worker's wake-up).
 * 2^20 kept every op of a LeNet-5 step (feature maps of ~300 000 elements at batch 64) on one
 * thread; 2^17 splits those maps (ReLU, its gradient, the bias adds) and the stacked expert
 * weights in Adam, and the jobs between the step's GEMMs keep the worker polling, so the
 * GEMMs find it awake instead of waiting for it to wake.
 */
export const PARALLEL_MIN_ELEMENTS = 1 << 17;

/** The exports that parallelElementwiseExports replaces (assembly/nn/elementwise.ts, adam.ts). */
export interface ElementwiseExports {
  adamUpdate(p: number, g: number, m: number, v: number, out: number, n: number, b1: number, b2: number, c1: number, c2: number,
    omb1: number, omb2: number, eps: number, nlr: number): void;
  binary(op: number, full: number, per: number, y: number, n: number, p: number): void;
  unary(op: number, x: number, y: number, n: number, alpha: number): void;
}

/** Elements per chunk: about n / (CHUNKS_PER_THREAD · threads), a multiple of `unit`. */
export function chunkLength(n: number, threads: number, unit: number): number {
  const target = Math.ceil(n / (CHUNKS_PER_THREAD * threads));
  return Math.max(unit, Math.ceil(target / unit) * unit);
}

/**
 * The chunk unit of binary(…, n, p), in elements: 4 (a SIMD vector) for same-shape operands
 * (p = n, both advance with the chunk) and for a scalar (p = 1); else p, so that every chunk
 * starts where the per-operand pattern restarts (blocks of p floats start unaligned anyway
 * when p is no multiple of 4).
 */
export function binaryUnit(n: number, p: number): number {
  return p === n || p === 1 ? 4 : p;
}

/** `ex` with adamUpdate, binary and unary split over the pool's active threads when large. */
export function parallelElementwiseExports<E extends ElementwiseExports>(ex: E, pool: ThreadPool): E {
  const run = (name: string, base: number[], pointerArgs: number[], countIndex: number, n: number, unit: number, countAlso?: number) => {
    const per = chunkLength(n, pool.active, unit);
    const stride = base.map((_, j) => (pointerArgs.includes(j) ? per * 4 : 0));
    pool.run(name, { base, stride, countIndex, countAlso, total: n, per, chunks: Math.ceil(n / per) });
  };
  const small = (n: number) => pool.active < 2 || n < PARALLEL_MIN_ELEMENTS;
  return {
    ...ex,
    adamUpdate(p, g, m, v, out, n, b1, b2, c1, c2, omb1, omb2, eps, nlr) {
      if (small(n)) ex.adamUpdate(p, g, m, v, out, n, b1, b2, c1, c2, omb1, omb2, eps, nlr);
      else run('adamUpdate', [p, g, m, v, out, n, b1, b2, c1, c2, omb1, omb2, eps, nlr], [0, 1, 2, 3, 4], 5, n, 4);
    },
    binary(op, full, per, y, n, p) {
      if (small(n)) ex.binary(op, full, per, y, n, p);
      // Same shapes: each chunk is a same-shape call on its slice of both operands (p = its count).
      else if (p === n) run('binary', [op, full, per, y, n, p], [1, 2, 3], 4, n, 4, 5);
      // Broadcast: chunks start where the per-operand pattern restarts; `per` does not advance.
      else run('binary', [op, full, per, y, n, p], [1, 3], 4, n, binaryUnit(n, p));
    },
    unary(op, x, y, n, alpha) {
      if (small(n)) ex.unary(op, x, y, n, alpha);
      else run('unary', [op, x, y, n, alpha], [1, 2], 3, n, 4);
    },
  };
}
