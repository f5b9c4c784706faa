// AR(1) (Gauss–Markov) fading: ACF ρ^τ with ρ = J0(2πf), unit power, reproducibility, random access.
import { describe, expect, it } from 'vitest';
import { Ar1Fading, ar1Rho } from '../../../src/channel/fading/ar1.js';
import { besselJ0 } from '../../../src/channel/bessel.js';
import { autocorrelation, gainMatrix, maxAbsDiff, meanPower } from './stats.js';

describe('AR(1) fading', () => {
  for (const f of [0.05, 0.15, 0.5]) {
    it(`f = ${f}: ensemble ACF within 0.02 of ρ^τ (ρ = J0(2πf)) for τ ≤ 50, E|h|² = 1`, () => {
      const p = new Ar1Fading(2000, 31, f);
      const rho = besselJ0(2 * Math.PI * f);
      expect(Math.abs(p.rho - rho)).toBeLessThan(1e-14);
      const rows = gainMatrix(p, 300);
      const { acf, pseudo } = autocorrelation(rows, 50, 250);
      expect(maxAbsDiff(acf, acf.map((_, tau) => rho ** tau))).toBeLessThanOrEqual(0.02);
      expect(Math.max(...pseudo)).toBeLessThanOrEqual(0.02);
      const { mean, se } = meanPower(rows);
      expect(Math.abs(mean - 1)).toBeLessThan(4 * se);
    });
  }

  it('ρ = J0(2πf) over [0, 0.5] (engine-independent evaluation) agrees with besselJ0', () => {
    for (let f = 0; f <= 0.5; f += 0.01) expect(Math.abs(ar1Rho(f) - besselJ0(2 * Math.PI * f))).toBeLessThan(1e-14);
    expect(ar1Rho(0)).toBe(1);
    expect(ar1Rho(2.404825557695773 / (2 * Math.PI))).toBeCloseTo(0, 14); // first zero of J0
  });

  it('the ρ^τ check fails for a wrong ρ (J0(2π·2f) at f = 0.05)', () => {
    const rows = gainMatrix(new Ar1Fading(500, 31, 0.1), 100);
    const { acf } = autocorrelation(rows, 50, 50);
    const rho = besselJ0(2 * Math.PI * 0.05);
    expect(maxAbsDiff(acf, acf.map((_, tau) => rho ** tau))).toBeGreaterThan(0.1);
  });

  it('same seed → identical gains; random access and batch size do not change them', () => {
    const a = new Float32Array(2 * 9000);
    new Ar1Fading(2, 4, 0.05).gains(1, 0, 9000, a);
    const p = new Ar1Fading(2, 4, 0.05);
    const parts = new Float32Array(2 * 9000);
    for (let j = 0; j < 9000; j += 700) {
      const k = Math.min(700, 9000 - j);
      const buf = new Float32Array(2 * k);
      p.gains(1, j, k, buf);
      parts.set(buf, 2 * j);
    }
    expect(parts).toEqual(a);
    const back = new Float32Array(200);
    p.gains(1, 100, 100, back); // behind the kept state: restarts from block 0
    expect(back).toEqual(a.subarray(200, 400));
    const other = new Float32Array(200);
    new Ar1Fading(2, 4, 0.05).gains(0, 100, 100, other);
    expect(other).not.toEqual(back);
  });
});
