// Elementwise exports of the threaded nn module (Adam, broadcasting binary arithmetic, unary
// ops) split over a ThreadPool, with the one-thread signatures. Each chunk is a contiguous run
// of elements computed by the one-thread code, and every element's value depends on that
// element alone, so the results are bit-identical to one thread.
import type { ThreadPool } from './thread_pool.js';
import { CHUNKS_PER_THREAD } from './parallel_gemm.js';

/**
 * Below this many elements a call runs on one thread: waking a worker costs ~10–50 µs, and the
 * binary and unary kernels are dominated by copying their operands in and out of WASM memory on
 * the calling thread, so only large calls gain (a LeNet-5 step's ~300k-element maps did not).
 */
export const PARALLEL_MIN_ELEMENTS = 1 << 20;

/** The exports that parallelElementwiseExports replaces (assembly/nn/elementwise.ts, adam.ts). */
export interface ElementwiseExports {
  adamUpdate(p: number, g: number, m: number, v: number, out: number, n: number, b1: number, b2: number, c1: number, c2: number,
    omb1: number, omb2: number, eps: number, nlr: number): void;
  binary(op: number, full: number, per: number, y: number, n: number, p: number): void;
  unary(op: number, x: number, y: number, n: number, alpha: number): void;
}

/** Elements per chunk: about n / (CHUNKS_PER_THREAD · threads), a multiple of `unit`. */
function chunkLength(n: number, threads: number, unit: number): number {
  const target = Math.ceil(n / (CHUNKS_PER_THREAD * threads));
  return Math.max(unit, Math.ceil(target / unit) * unit);
}

/** `ex` with adamUpdate, binary and unary split over the pool's active threads when large. */
export function parallelElementwiseExports<E extends ElementwiseExports>(ex: E, pool: ThreadPool): E {
  const run = (name: string, base: number[], pointerArgs: number[], countIndex: number, n: number, unit: number) => {
    const per = chunkLength(n, pool.active, unit);
    const stride = base.map((_, j) => (pointerArgs.includes(j) ? per * 4 : 0));
    pool.run(name, { base, stride, countIndex, total: n, per, chunks: Math.ceil(n / per) });
  };
  const small = (n: number) => pool.active < 2 || n < PARALLEL_MIN_ELEMENTS;
  return {
    ...ex,
    adamUpdate(p, g, m, v, out, n, b1, b2, c1, c2, omb1, omb2, eps, nlr) {
      if (small(n)) ex.adamUpdate(p, g, m, v, out, n, b1, b2, c1, c2, omb1, omb2, eps, nlr);
      else run('adamUpdate', [p, g, m, v, out, n, b1, b2, c1, c2, omb1, omb2, eps, nlr], [0, 1, 2, 3, 4], 5, n, 4);
    },
    binary(op, full, per, y, n, p) {
      // Chunks start at multiples of p, where the per-operand pattern restarts.
      if (small(n)) ex.binary(op, full, per, y, n, p);
      else run('binary', [op, full, per, y, n, p], [1, 3], 4, n, 4 * p);
    },
    unary(op, x, y, n, alpha) {
      if (small(n)) ex.unary(op, x, y, n, alpha);
      else run('unary', [op, x, y, n, alpha], [1, 2], 3, n, 4);
    },
  };
}
