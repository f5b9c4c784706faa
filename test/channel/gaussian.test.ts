// The Box–Muller generator against the exact normal distribution: moments, tail fractions
// (exact values 2·Q(k) from an independent erfc: CPython's math.erfc), a binned chi-square
// against the CDF, and lag correlations.
import { describe, expect, it } from 'vitest';
import { Rng, erfc } from '../../src/channel/index.js';

const N = 1 << 22; // 4.2 M samples
const z = new Rng(31337).normal(N);

describe('Gaussian samples (Box–Muller, SIMD polynomials)', () => {
  it('mean, variance and kurtosis are those of N(0, 1) within 4 standard errors', () => {
    let s = 0, s2 = 0, s4 = 0;
    for (let i = 0; i < N; i++) { const x = z[i]; s += x; s2 += x * x; s4 += x * x * x * x; }
    const mean = s / N, variance = s2 / N, kurt = s4 / N;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(N));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
    expect(Math.abs(kurt - 3)).toBeLessThan(4 * Math.sqrt(96 / N)); // Var(x⁴) = 105 − 9 = 96
  });

  it('fractions beyond 1, 2, 3, 4 σ match the exact normal tails within 4 binomial sd', () => {
    const exact = [0.31731050786291415, 0.04550026389635844, 0.0026997960632601913, 6.334248366623993e-5];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) {
      const a = Math.abs(z[i]);
      for (let k = 0; k < 4; k++) if (a > k + 1) counts[k]++;
    }
    for (let k = 0; k < 4; k++) {
      const p = exact[k];
      expect(Math.abs(counts[k] - N * p)).toBeLessThan(4 * Math.sqrt(N * p * (1 - p)));
    }
  });

  it('a 64-bin histogram on [-4, 4] passes chi-square against the normal CDF', () => {
    const bins = 64, lo = -4, w = 8 / bins;
    const hist = new Float64Array(bins + 2);
    for (let i = 0; i < N; i++) {
      const b = Math.floor((z[i] - lo) / w);
      hist[b < 0 ? 0 : b >= bins ? bins + 1 : b + 1]++;
    }
    const cdf = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
    let chi2 = 0;
    for (let b = 0; b < bins + 2; b++) {
      const a = b === 0 ? -Infinity : lo + (b - 1) * w;
      const c = b === bins + 1 ? Infinity : lo + b * w;
      const pa = a === -Infinity ? 0 : cdf(a), pc = c === Infinity ? 1 : cdf(c);
      const e = N * (pc - pa);
      chi2 += (hist[b] - e) ** 2 / e;
    }
    // 65 degrees of freedom: mean 65, sd 11.4; 120 is beyond the 99.99th percentile
    expect(chi2).toBeLessThan(120);
  });

  it('neighbouring samples (lag 1, and the cos/sin pair at lag 4) are uncorrelated', () => {
    for (const lag of [1, 4, 8]) {
      let s = 0;
      for (let i = 0; i + lag < N; i++) s += z[i] * z[i + lag];
      expect(Math.abs(s / (N - lag))).toBeLessThan(4 / Math.sqrt(N));
    }
    // the pair shares a radius: E[z_i² z_{i+4}²] = E[r⁴]/8 = 1 for a true normal pair
    let s22 = 0;
    for (let b = 0; b < N; b += 8) for (let l = 0; l < 4; l++) s22 += z[b + l] ** 2 * z[b + 4 + l] ** 2;
    const pairs = N / 2;
    expect(Math.abs(s22 / pairs - 1)).toBeLessThan(4 * Math.sqrt(8 / pairs)); // Var(x²y²) = 9 − 1
  });

  it('each sample is Box–Muller of its uniforms, evaluated in float64, to 1e-6', () => {
    // block i uses stream outputs 8i…8i+3 (radius words a) and 8i+4…8i+7 (angle words b)
    const blocks = 1 << 15;
    const words = new Rng(4242);
    const got = new Rng(4242).normal(8 * blocks);
    let worst = 0;
    const a = new Array<number>(4), b = new Array<number>(4);
    for (let i = 0; i < blocks; i++) {
      for (let l = 0; l < 4; l++) a[l] = words.nextU32();
      for (let l = 0; l < 4; l++) b[l] = words.nextU32();
      for (let l = 0; l < 4; l++) {
        const u = (Math.fround(Math.fround(a[l] >>> 1) + 0.5)) * 2 ** -31;
        const r = Math.sqrt(-2 * Math.log(u));
        const theta = (b[l] >>> 30) * (Math.PI / 2) + (Math.PI / 2) * (((b[l] << 2) >>> 8) * 2 ** -24) - Math.PI / 4;
        worst = Math.max(worst,
          Math.abs(got[8 * i + l] - r * Math.cos(theta)) / (1 + r),
          Math.abs(got[8 * i + 4 + l] - r * Math.sin(theta)) / (1 + r));
      }
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('samples are finite and bounded by the 2⁻³² resolution limit (|z| ≤ 6.67)', () => {
    let peak = 0;
    for (let i = 0; i < N; i++) peak = Math.max(peak, Math.abs(z[i]));
    expect(Number.isFinite(peak)).toBe(true);
    expect(peak).toBeLessThan(6.67);
    expect(peak).toBeGreaterThan(4.5);
  });
});
