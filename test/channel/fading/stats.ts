// Shared estimators for the fading tests: gain matrices over many links and ensemble moments.
import type { FadingProcess } from '../../../src/channel/fading/process.js';

/** Gains of blocks 0…blocks−1 of every link: one Float32Array (re, im interleaved) per link. */
export function gainMatrix(p: FadingProcess, blocks: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let k = 0; k < p.experts; k++) {
    const out = new Float32Array(2 * blocks);
    p.gains(k, 0, blocks, out);
    rows.push(out);
  }
  return rows;
}

/**
 * Ensemble autocorrelation over links and start blocks j < starts:
 * acf[τ] = mean Re[h_j h*_{j+τ}], pseudo[τ] = |mean h_j h_{j+τ}|, τ = 0…maxLag.
 */
export function autocorrelation(rows: Float32Array[], maxLag: number, starts: number): { acf: number[]; pseudo: number[] } {
  const acf: number[] = [], pseudo: number[] = [];
  for (let tau = 0; tau <= maxLag; tau++) {
    let c = 0, pr = 0, pi = 0;
    for (const h of rows) {
      for (let j = 0; j < starts; j++) {
        const ar = h[2 * j], ai = h[2 * j + 1], br = h[2 * (j + tau)], bi = h[2 * (j + tau) + 1];
        c += ar * br + ai * bi;
        pr += ar * br - ai * bi;
        pi += ar * bi + ai * br;
      }
    }
    const n = rows.length * starts;
    acf.push(c / n);
    pseudo.push(Math.hypot(pr, pi) / n);
  }
  return { acf, pseudo };
}

/** Mean of |h|² over all links and blocks, and its standard error from the per-link means. */
export function meanPower(rows: Float32Array[]): { mean: number; se: number } {
  const linkMeans = rows.map((h) => {
    let s = 0;
    for (let i = 0; i < h.length; i += 2) s += h[i] * h[i] + h[i + 1] * h[i + 1];
    return s / (h.length / 2);
  });
  const mean = linkMeans.reduce((a, b) => a + b, 0) / linkMeans.length;
  const v = linkMeans.reduce((a, b) => a + (b - mean) ** 2, 0) / (linkMeans.length - 1);
  return { mean, se: Math.sqrt(v / linkMeans.length) };
}

/** Largest |a[i] − b[i]|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
