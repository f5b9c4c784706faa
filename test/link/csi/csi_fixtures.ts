// Shared fixtures of the CSI estimator tests: row-major batches of true gains and sample moments.
import type { FadingProcess } from '../../../src/channel/fading/process.js';

/** True gains of the given blocks (one sample per block) for every link, row-major [n, K] interleaved re/im. */
export function batchGains(fading: FadingProcess, blocks: ArrayLike<number>): Float32Array {
  const K = fading.experts, n = blocks.length;
  const h = new Float32Array(2 * n * K);
  if (n === 0) return h;
  let lo = Infinity, hi = -Infinity;
  for (let b = 0; b < n; b++) (lo = Math.min(lo, blocks[b])), (hi = Math.max(hi, blocks[b]));
  const dense = hi - lo < 4 * n + 64;
  const row = new Float32Array(2 * (dense ? hi - lo + 1 : 1));
  for (let k = 0; k < K; k++) {
    if (dense) fading.gains(k, lo, hi - lo + 1, row);
    for (let b = 0; b < n; b++) {
      const at = dense ? blocks[b] - lo : 0;
      if (!dense) fading.gains(k, blocks[b], 1, row);
      h[2 * (b * K + k)] = row[2 * at];
      h[2 * (b * K + k) + 1] = row[2 * at + 1];
    }
  }
  return h;
}

/** A batch of h = 1 + 0j (AWGN) for `pairs` (sample, expert) pairs. */
export function unitGains(pairs: number): Float32Array {
  const h = new Float32Array(2 * pairs);
  for (let i = 0; i < pairs; i++) h[2 * i] = 1;
  return h;
}

/** Mean (complex) and variance E|e − mean|² of the complex errors e = a − b (interleaved re/im). */
export function errorMoments(a: ArrayLike<number>, b: ArrayLike<number>): { meanRe: number; meanIm: number; variance: number } {
  const n = a.length / 2;
  let sr = 0, si = 0, ss = 0;
  for (let i = 0; i < n; i++) {
    const er = a[2 * i] - b[2 * i], ei = a[2 * i + 1] - b[2 * i + 1];
    sr += er;
    si += ei;
    ss += er * er + ei * ei;
  }
  const meanRe = sr / n, meanIm = si / n;
  return { meanRe, meanIm, variance: ss / n - meanRe * meanRe - meanIm * meanIm };
}

/** Normalised complex correlation Re Σ a b* / √(Σ|a|² Σ|b|²) of two interleaved arrays. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let c = 0, pa = 0, pb = 0;
  for (let i = 0; i < a.length; i += 2) {
    c += a[i] * b[i] + a[i + 1] * b[i + 1];
    pa += a[i] * a[i] + a[i + 1] * a[i + 1];
    pb += b[i] * b[i] + b[i + 1] * b[i + 1];
  }
  return c / Math.sqrt(pa * pb);
}

/** A constant array of `n` values `v`. */
export function filled(n: number, v: number): Float32Array {
  return new Float32Array(n).fill(v);
}

/** 0, 1, …, n−1 as Int32Array (one sample per block or slot). */
export function range(n: number, from = 0): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => from + i);
}
