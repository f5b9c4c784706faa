// J0 against independent truths: the power series evaluated exactly (BigInt fixed point, so no
// cancellation), the 3-term Hankel asymptotic expansion for large x, and tabulated zeros
// (Abramowitz & Stegun Table 9.5).
import { describe, expect, it } from 'vitest';
import { besselJ0 } from '../../src/channel/index.js';
import { besselJ0Points, besselJ0Rule } from '../../src/channel/bessel.js';

const FRAC = 200n; // fixed-point fraction bits

/** J0(x) = Σₖ (−1)ᵏ (x/2)^{2k}/(k!)², summed in 2^-200 fixed point, then rounded once to double. */
function seriesJ0(x: number): number {
  // x has ≤ 53 significant bits, so x·2^100 is an exact integer for |x| ≥ 2^-47 (all x used here)
  const X = BigInt(Math.round(x * 2 ** 100)) << 100n;
  const one = 1n << FRAC;
  let term = one;
  let sum = one;
  for (let k = 1n; k < 200n; k++) {
    term = -((((term * X) >> FRAC) * X) >> FRAC) / (4n * k * k);
    sum += term;
    if (term === 0n) break;
  }
  return Number(sum) / 2 ** 200;
}

/** Hankel's expansion to 3 terms: √(2/(πx))·[P cos(x − π/4) − Q sin(x − π/4)]. */
function hankelJ0(x: number): number {
  const p = 1 - 9 / (128 * x ** 2) + 3675 / (32768 * x ** 4);
  const q = -1 / (8 * x) + 75 / (1024 * x ** 3);
  const w = x - Math.PI / 4;
  return Math.sqrt(2 / (Math.PI * x)) * (p * Math.cos(w) - q * Math.sin(w));
}

const SMALL = Array.from({ length: 101 }, (_, i) => i / 10).concat([0.3183, 2.718281828, Math.PI, 7.77, 9.999]);
const LARGE = [30, 31.4, 47.5, 100, 157.08, 500, 1000, 3333.3, 1e4, 1e5];

describe('besselJ0', () => {
  it('the exact series itself: J0(π) and J0(1) agree with published values', () => {
    expect(seriesJ0(1)).toBeCloseTo(0.7651976865579666, 15);
    expect(seriesJ0(Math.PI)).toBeCloseTo(-0.3042421776440938, 15);
  });

  it('matches the power series for 0 ≤ x ≤ 10 within 1e-13 (J0(0) = 1 exactly)', () => {
    expect(besselJ0(0)).toBe(1);
    let worst = 0;
    for (const x of SMALL) worst = Math.max(worst, Math.abs(besselJ0(x) - seriesJ0(x)));
    expect(worst).toBeLessThan(1e-13);
  });

  it('matches the 3-term Hankel expansion for x ≥ 30 within 1e-6', () => {
    for (const x of LARGE) expect(Math.abs(besselJ0(x) - hankelJ0(x))).toBeLessThan(1e-6);
    // tighter where the expansion's next term (~0.23/x⁵·√(2/πx)) and the argument rounding allow
    for (const x of [100, 1000, 1e4, 1e5, 1e6]) expect(Math.abs(besselJ0(x) - hankelJ0(x))).toBeLessThan(1e-11);
  });

  it('vanishes at the first two zeros j₀,₁ and j₀,₂ within 1e-14', () => {
    expect(Math.abs(besselJ0(2.404825557695773))).toBeLessThan(1e-14);
    expect(Math.abs(besselJ0(5.520078110286311))).toBeLessThan(1e-14);
  });

  it('is even', () => {
    for (const x of [0.5, 2.4048, 10, 77.7, 1e4]) expect(besselJ0(-x)).toBe(besselJ0(x));
  });

  it('a truncated rule fails these checks: N = 8 points, and N = ⌈x/2⌉ + 32 at large x', () => {
    // the checks above would catch an under-resolved integral
    expect(Math.abs(besselJ0Rule(10, 8) - seriesJ0(10))).toBeGreaterThan(1e-3);
    expect(Math.abs(besselJ0Rule(5.520078110286311, 8))).toBeGreaterThan(1e-14);
    // a margin that ignores the ∛x transition width of J_{2N}(x) is not enough for large x
    const x = 1e4;
    expect(Math.abs(besselJ0Rule(x, Math.ceil(x / 2) + 32) - hankelJ0(x))).toBeGreaterThan(1e-6);
    expect(besselJ0Points(x)).toBeGreaterThan(Math.ceil(x / 2) + 32);
  });

  it('rejects non-finite and too large arguments', () => {
    expect(() => besselJ0(NaN)).toThrow(/x must be a finite number, got NaN/);
    expect(() => besselJ0(-Infinity)).toThrow(/got -Infinity/);
    expect(() => besselJ0(2e6)).toThrow(/\|x\| ≤ 1000000, got 2000000/);
  });
});
