// Rician fading: K-factor from moments, unit power, E|h|⁴, the K → ∞ limit, reproducibility.
import { describe, expect, it } from 'vitest';
import { RicianFading } from '../../../src/channel/fading/rician.js';
import { IidRayleigh } from '../../../src/channel/fading/iid.js';
import { JakesSoS } from '../../../src/channel/fading/jakes.js';
import { gainMatrix, meanPower } from './stats.js';

/** Per-link K̂ = |μ̂|²/σ̂² (time mean and variance over the link's blocks), averaged over links. */
function kFromMoments(rows: Float32Array[]): number {
  let sum = 0;
  for (const h of rows) {
    const n = h.length / 2;
    let mr = 0, mi = 0;
    for (let j = 0; j < n; j++) { mr += h[2 * j]; mi += h[2 * j + 1]; }
    mr /= n; mi /= n;
    let v = 0;
    for (let j = 0; j < n; j++) v += (h[2 * j] - mr) ** 2 + (h[2 * j + 1] - mi) ** 2;
    sum += (mr * mr + mi * mi) / (v / (n - 1));
  }
  return sum / rows.length;
}

describe('Rician fading', () => {
  for (const kDb of [0, 10]) {
    it(`K = ${kDb} dB: K̂ from moments within 5 %, E|h|² = 1, E|h|⁴ = (K²+4K+2)/(K+1)²`, () => {
      const k = 10 ** (kDb / 10);
      const rows = gainMatrix(new RicianFading(new IidRayleigh(20, 3), 3, kDb), 10_000);
      expect(Math.abs(kFromMoments(rows) / k - 1)).toBeLessThan(0.05);
      const { mean, se } = meanPower(rows);
      expect(Math.abs(mean - 1)).toBeLessThan(4 * se);
      let m4 = 0;
      for (const h of rows) for (let j = 0; j < 10_000; j++) m4 += (h[2 * j] ** 2 + h[2 * j + 1] ** 2) ** 2;
      m4 /= 20 * 10_000;
      expect(Math.abs(m4 / ((k * k + 4 * k + 2) / (k + 1) ** 2) - 1)).toBeLessThan(0.03);
    });
  }

  it('the K check fails when K is taken as linear instead of dB (K = 10 → 10 dB expected)', () => {
    const rows = gainMatrix(new RicianFading(new IidRayleigh(20, 3), 3, 10 * Math.log10(10 ** 0.5)), 10_000);
    expect(Math.abs(kFromMoments(rows) / 10 - 1)).toBeGreaterThan(0.5);
  });

  it('E|h|² = 1 over a Jakes base too, with one LOS phase per link, uniform over links', () => {
    const rows = gainMatrix(new RicianFading(new JakesSoS(500, 9, 0.15), 9, 3), 200);
    const { mean, se } = meanPower(rows);
    expect(Math.abs(mean - 1)).toBeLessThan(4 * se);
    // the ensemble mean of h over links vanishes (random LOS phase), the per-link mean does not
    let sr = 0, si = 0;
    for (const h of rows) for (let j = 0; j < 200; j++) { sr += h[2 * j]; si += h[2 * j + 1]; }
    expect(Math.hypot(sr, si) / (500 * 200)).toBeLessThan(0.1);
  });

  it('K = ∞ gives |h| = 1 on every block with a fixed phase per link (AWGN up to a phase)', () => {
    const p = new RicianFading(new IidRayleigh(4, 2), 2, Infinity);
    const rows = gainMatrix(p, 50);
    for (const h of rows) {
      for (let j = 0; j < 50; j++) {
        expect(Math.hypot(h[2 * j], h[2 * j + 1])).toBeCloseTo(1, 6);
        expect([h[2 * j], h[2 * j + 1]]).toEqual([h[0], h[1]]);
      }
    }
    expect(rows[0][0]).not.toBe(rows[1][0]);
  });

  it('same seed → identical gains; random access', () => {
    const mk = () => new RicianFading(new JakesSoS(2, 5, 0.05), 5, 6);
    const a = new Float32Array(400), b = new Float32Array(200);
    mk().gains(1, 0, 200, a);
    mk().gains(1, 100, 100, b);
    expect(b).toEqual(a.subarray(200));
  });
});
