// Block-iid Rayleigh: CN(0,1) marginals, unit power, independence across links, reproducibility.
import { describe, expect, it } from 'vitest';
import { IidRayleigh } from '../../../src/channel/fading/iid.js';
import { erfc } from '../../../src/channel/theory.js';
import { gainMatrix, meanPower } from './stats.js';

/** Kolmogorov–Smirnov distance of `x` from N(0, σ²). */
function ksNormal(x: Float64Array, sigma: number): number {
  const s = Float64Array.from(x).sort();
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const cdf = 0.5 * erfc(-s[i] / (sigma * Math.SQRT2));
    d = Math.max(d, Math.abs(cdf - i / s.length), Math.abs(cdf - (i + 1) / s.length));
  }
  return d;
}

describe('iid Rayleigh block fading', () => {
  const rows = gainMatrix(new IidRayleigh(50, 11), 4000); // 2·10⁵ gains

  it('has E|h|² = 1 within 4σ over 2·10⁵ draws', () => {
    const { mean, se } = meanPower(rows);
    expect(Math.abs(mean - 1)).toBeLessThan(4 * se);
    expect(se).toBeLessThan(0.005);
  });

  it('has Re and Im each N(0, ½) (KS distance < 0.01) and uncorrelated', () => {
    const re = new Float64Array(2e5), im = new Float64Array(2e5);
    let c = 0;
    rows.forEach((h, k) => {
      for (let j = 0; j < 4000; j++) {
        re[k * 4000 + j] = h[2 * j];
        im[k * 4000 + j] = h[2 * j + 1];
        c += h[2 * j] * h[2 * j + 1];
      }
    });
    expect(ksNormal(re, Math.SQRT1_2)).toBeLessThan(0.01);
    expect(ksNormal(im, Math.SQRT1_2)).toBeLessThan(0.01);
    // a wrong variance (N(0,1) per component, E|h|² = 2) is far off: the test can fail
    expect(ksNormal(re, 1)).toBeGreaterThan(0.05);
    expect(Math.abs(c / 2e5)).toBeLessThan(0.01);
  });

  it('gives independent links and blocks (lag-1 and cross-link correlation ≈ 0)', () => {
    let lag = 0, cross = 0, n = 0;
    for (let k = 0; k + 1 < rows.length; k++) {
      for (let j = 0; j + 1 < 4000; j++) {
        lag += rows[k][2 * j] * rows[k][2 * j + 2] + rows[k][2 * j + 1] * rows[k][2 * j + 3];
        cross += rows[k][2 * j] * rows[k + 1][2 * j] + rows[k][2 * j + 1] * rows[k + 1][2 * j + 1];
        n++;
      }
    }
    expect(Math.abs(lag / n)).toBeLessThan(0.015);
    expect(Math.abs(cross / n)).toBeLessThan(0.015);
  });

  it('is reproducible and random-access across chunk boundaries', () => {
    const a = new IidRayleigh(3, 5), b = new IidRayleigh(3, 5);
    const all = new Float32Array(2 * 9000);
    a.gains(2, 0, 9000, all);
    const tail = new Float32Array(2 * 5000);
    b.gains(2, 4000, 5000, tail); // spans the chunk boundary at 4096 and 8192
    expect(tail).toEqual(all.subarray(8000));
    const again = new Float32Array(200);
    a.gains(2, 100, 100, again); // behind the cached chunk
    expect(again).toEqual(all.subarray(200, 400));
    const other = new Float32Array(200);
    new IidRayleigh(3, 6).gains(2, 100, 100, other);
    expect(other).not.toEqual(again);
  });
});
