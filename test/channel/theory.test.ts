// Closed forms against independent truth: CPython's math.erfc values, and Simpson
// integration of the Gaussian density for Q.
import { describe, expect, it } from 'vitest';
import { erfc, qfunc } from '../../src/channel/index.js';

describe('erfc and Q', () => {
  it('erfc matches CPython math.erfc to ~1e-13 relative, deep into the tail', () => {
    const truth: [number, number][] = [
      [0, 1.0], [0.3, 0.6713732405408726], [1, 0.15729920705028513], [1.7, 0.016209541409225436],
      [2, 0.004677734981047265], [2.5, 0.0004069520174449589], [3, 2.2090496998585438e-5],
      [4.5, 1.9661604415428873e-10], [6, 2.1519736712498916e-17], [9, 4.13703174651381e-37],
      [12, 1.3562611692059042e-64], [20, 5.3958656116079005e-176],
    ];
    for (const [x, v] of truth) {
      expect(Math.abs(erfc(x) / v - 1)).toBeLessThan(1e-13);
      expect(Math.abs(erfc(-x) - (2 - v))).toBeLessThan(1e-15);
    }
    expect(erfc(30)).toBe(0);
  });

  it('Q(x) equals the Simpson integral of the normal density', () => {
    const pdf = (t: number) => Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
    for (const x of [-1, 0, 0.5, 1, 2, 3.3, 5]) {
      // ∫_x^{x+14} pdf, 20000 Simpson intervals
      const n = 20000, h = 14 / n;
      let s = pdf(x) + pdf(x + 14);
      for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * pdf(x + i * h);
      const integral = (s * h) / 3;
      expect(Math.abs(qfunc(x) / integral - 1)).toBeLessThan(1e-10);
    }
    expect(qfunc(8)).toBeCloseTo(6.220960574271819e-16, 28);
  });

  it('rejects non-finite arguments', () => {
    expect(() => erfc(NaN)).toThrow(/x must be a finite number, got NaN/);
    expect(() => qfunc(Infinity)).toThrow(/got Infinity/);
  });
});
