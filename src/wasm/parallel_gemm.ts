// GEMM exports of the threaded nn module split over a ThreadPool, with the same signatures as
// the one-thread exports (so the kernels in src/kernels/ call them unchanged). Every split is
// over independent outputs — chunks of row tiles (MR rows) or column panels (NR columns) of C, or panels of
// a packed B — never over a reduction, and each part runs the one-thread code on its slice
// (same segments, same order of additions), so the results are bit-identical to one thread.
import type { ThreadPool } from './thread_pool.js';
import { MC_TILES, MR, NR } from './gemm_layout.js';

/**
 * Below this many flops (2·m·n·k) a GEMM runs on one thread: handing chunks to a polling worker
 * costs a few µs, waking a sleeping one ~10–50 µs. 2^20 (~30 µs of work) splits a LeNet-5 step's
 * 120→84 expert GEMMs at batch 64 (1.3 Mflop, next to the split 400→120 ones, so the worker is
 * still polling); 2^21 kept them on one thread.
 */
export const PARALLEL_MIN_FLOPS = 1 << 20;
/** Below this many floats a packing of B runs on one thread. */
export const PARALLEL_MIN_PACK = 1 << 16;

/** The exports that parallelGemmExports replaces (assembly/nn/gemm.ts). */
export interface GemmExports {
  gemmIndirect(m: number, n: number, taps: number, kt: number, ind: number, ks: number, bp: number, c: number,
    ldc: number, accumulate: number, zero: number): void;
  gemmRowPointers(a: number, m: number, rsA: number, ind: number): void;
  gemmPackBRows(src: number, k: number, n: number, rs: number, cs: number, dst: number, totalK: number, row0: number): void;
  gemmTranspose(src: number, rows: number, cols: number, dst: number, ldd: number): void;
  convIm2colPacked(x: number, n: number, h: number, w: number, ci: number, fh: number, fw: number, sh: number,
    sw: number, pt: number, pl: number, oh: number, ow: number, m0: number, count: number, dst: number, panelRows: number): void;
}

/** Chunks per active thread: enough for balance when one thread starts late, few enough to keep chunks large. */
export const CHUNKS_PER_THREAD = 4;

/** Units (row tiles or panels) per chunk when `units` are shared by `threads` threads. */
export function unitsPerChunk(units: number, threads: number): number {
  return Math.max(1, Math.ceil(units / (CHUNKS_PER_THREAD * threads)));
}

/**
 * Whether a GEMM C (m×n) = A (m×k)·B (k×n) on `threads` threads splits its rows (else its
 * column panels), by the operand reads each split adds. One thread sweeps B once per block of
 * MC_TILES row tiles and A about once; a chunk of rows sweeps all of B again unless the rows
 * already spanned that many blocks, and a chunk of panels reads A again. The filter gradient's
 * GEMMs (few rows: output channels; long reductions over pixels) split by rows re-read their
 * megabytes of patches once per chunk, and ran 1.46× on 2 threads against 1.65–1.78× for the
 * other conv kernels in a ResNet-18 step; split by panels, 1.82×.
 */
export function splitRows(m: number, n: number, k: number, threads: number): boolean {
  const tiles = Math.ceil(m / MR);
  const panels = Math.ceil(n / NR);
  const rowChunks = Math.ceil(tiles / unitsPerChunk(tiles, threads));
  const panelChunks = Math.ceil(panels / unitsPerChunk(panels, threads));
  if (panelChunks < 2) return true;
  if (rowChunks < 2) return false;
  const extraB = Math.max(0, rowChunks - Math.ceil(tiles / MC_TILES)) * k * n;
  const extraA = (panelChunks - 1) * m * k;
  return extraB <= extraA;
}

/** A GEMM export's signature, by name. */
type Gemm<K extends keyof GemmExports> = GemmExports[K];

/**
 * gemmIndirect split over the pool's active threads: chunks of row tiles or of column panels
 * of C (by splitRows); small calls (under PARALLEL_MIN_FLOPS) run on the calling thread.
 */
export function parallelGemmIndirect(ex: GemmExports, pool: ThreadPool): Gemm<'gemmIndirect'> {
  return (m, n, taps, kt, ind, ks, bp, c, ldc, accumulate, zero) => {
    const threads = pool.active;
    const k = taps * kt;
    if (threads < 2 || m <= 0 || n <= 0 || k === 0 || 2 * m * n * k < PARALLEL_MIN_FLOPS) {
      ex.gemmIndirect(m, n, taps, kt, ind, ks, bp, c, ldc, accumulate, zero);
      return;
    }
    const base = [m, n, taps, kt, ind, ks, bp, c, ldc, accumulate, zero];
    if (splitRows(m, n, k, threads)) {
      const tiles = Math.ceil(m / MR);
      const per = unitsPerChunk(tiles, threads);
      pool.run('gemmIndirect', {
        base, stride: [0, 0, 0, 0, per * taps * MR * 4, 0, 0, per * MR * ldc * 4, 0, 0, 0],
        countIndex: 0, total: m, per: per * MR, chunks: Math.ceil(tiles / per),
      });
    } else {
      const panels = Math.ceil(n / NR);
      const per = unitsPerChunk(panels, threads);
      pool.run('gemmIndirect', {
        base, stride: [0, 0, 0, 0, 0, 0, per * k * NR * 4, per * NR * 4, 0, 0, 0],
        countIndex: 1, total: n, per: per * NR, chunks: Math.ceil(panels / per),
      });
    }
  };
}

/** gemmPackBRows split over the pool's active threads by chunks of packed panels. */
export function parallelPackBRows(ex: GemmExports, pool: ThreadPool): Gemm<'gemmPackBRows'> {
  return (src, k, n, rs, cs, dst, totalK, row0) => {
    const threads = pool.active;
    const panels = Math.ceil(n / NR);
    if (threads < 2 || k * n < PARALLEL_MIN_PACK || panels < 2) {
      ex.gemmPackBRows(src, k, n, rs, cs, dst, totalK, row0);
      return;
    }
    const per = unitsPerChunk(panels, threads);
    pool.run('gemmPackBRows', {
      base: [src, k, n, rs, cs, dst, totalK, row0],
      stride: [per * NR * cs * 4, 0, 0, 0, 0, per * totalK * NR * 4, 0, 0],
      countIndex: 2, total: n, per: per * NR, chunks: Math.ceil(panels / per),
    });
  };
}

/** Rows per chunk when `rows` rows of `width` floats are copied on the pool, or 0 to stay on one thread. */
function copyRowsPerChunk(pool: ThreadPool, rows: number, width: number): number {
  return pool.active < 2 || rows < 2 || rows * width < PARALLEL_MIN_PACK ? 0 : unitsPerChunk(rows, pool.active);
}

/** gemmTranspose split over the pool's active threads by chunks of source rows. */
export function parallelTranspose(ex: GemmExports, pool: ThreadPool): Gemm<'gemmTranspose'> {
  return (src, rows, cols, dst, ldd) => {
    const per = copyRowsPerChunk(pool, rows, cols);
    if (per === 0) {
      ex.gemmTranspose(src, rows, cols, dst, ldd);
      return;
    }
    pool.run('gemmTranspose', {
      base: [src, rows, cols, dst, ldd], stride: [per * cols * 4, 0, 0, per * 4, 0],
      countIndex: 1, total: rows, per, chunks: Math.ceil(rows / per),
    });
  };
}

/** convIm2colPacked split over the pool's active threads by chunks of output pixels (rows of the packed patches). */
export function parallelIm2colPacked(ex: GemmExports, pool: ThreadPool): Gemm<'convIm2colPacked'> {
  return (x, n, h, w, ci, fh, fw, sh, sw, pt, pl, oh, ow, m0, count, dst, panelRows) => {
    const per = copyRowsPerChunk(pool, count, fh * fw * ci);
    if (per === 0) {
      ex.convIm2colPacked(x, n, h, w, ci, fh, fw, sh, sw, pt, pl, oh, ow, m0, count, dst, panelRows);
      return;
    }
    const stride = new Array<number>(17).fill(0);
    stride[13] = per; // m0
    stride[15] = per * NR * 4; // dst: per rows further into each panel
    pool.run('convIm2colPacked', {
      base: [x, n, h, w, ci, fh, fw, sh, sw, pt, pl, oh, ow, m0, count, dst, panelRows], stride,
      countIndex: 14, total: count, per, chunks: Math.ceil(count / per),
    });
  };
}

/**
 * `ex` with gemmIndirect, gemm, gemmPackB, gemmPackBRows, and the operand layouts of the
 * filter gradient (gemmTranspose, convIm2colPacked: copies, split over rows) replaced by
 * versions that split large calls into chunks over the pool's active threads; every other
 * export unchanged.
 */
export function parallelGemmExports<E extends GemmExports>(ex: E, pool: ThreadPool): E {
  const gemmIndirect = parallelGemmIndirect(ex, pool);
  const gemmPackBRows = parallelPackBRows(ex, pool);
  return {
    ...ex,
    gemmIndirect,
    gemmTranspose: parallelTranspose(ex, pool),
    convIm2colPacked: parallelIm2colPacked(ex, pool),
    gemmPackBRows,
    gemmPackB: (src: number, k: number, n: number, rs: number, cs: number, dst: number) => gemmPackBRows(src, k, n, rs, cs, dst, k, 0),
    gemm: (m: number, n: number, k: number, a: number, rsA: number, csA: number, bp: number, c: number, ldc: number,
      accumulate: number, ind: number) => {
      if (m <= 0 || n <= 0) return;
      ex.gemmRowPointers(a, m, rsA, ind);
      gemmIndirect(m, n, 1, k, ind, csA * 4, bp, c, ldc, accumulate, 0);
    },
  };
}
