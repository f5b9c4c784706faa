// Zheng–Xiao sum of sinusoids: ensemble ACF J0(2πfτ), unit power, WASM = TS reference bit for bit,
// reproducibility and random access.
import { describe, expect, it } from 'vitest';
import { JakesSoS, sosGainsReference, sosParams, JAKES_M } from '../../../src/channel/fading/jakes.js';
import { Ar1Fading } from '../../../src/channel/fading/ar1.js';
import { besselJ0 } from '../../../src/channel/bessel.js';
import { Rng } from '../../../src/channel/rng.js';
import { autocorrelation, gainMatrix, maxAbsDiff, meanPower } from './stats.js';

const LINKS = 2000, BLOCKS = 300, LAGS = 50, STARTS = BLOCKS - LAGS;
const j0Curve = (f: number) => Array.from({ length: LAGS + 1 }, (_, tau) => besselJ0(2 * Math.PI * f * tau));

describe('Jakes SoS fading (Zheng & Xiao 2002, M = 32)', () => {
  for (const f of [0.05, 0.15, 0.5]) {
    it(`f = ${f}: ensemble ACF within 0.02 of J0(2πfτ) for τ ≤ 50, no pseudo-correlation, E|h|² = 1`, () => {
      const rows = gainMatrix(new JakesSoS(LINKS, 2026, f), BLOCKS);
      const { acf, pseudo } = autocorrelation(rows, LAGS, STARTS);
      expect(maxAbsDiff(acf, j0Curve(f))).toBeLessThanOrEqual(0.02);
      expect(Math.max(...pseudo)).toBeLessThanOrEqual(0.02);
      const { mean, se } = meanPower(rows);
      expect(Math.abs(mean - 1)).toBeLessThan(4 * se);
    });
  }

  it('the check fails for classic Jakes with fixed angles (θ = 0 on every link) at f = 0.5', () => {
    const rows = gainMatrix(new JakesSoS(300, 2026, 0.5, { fixedAngles: true }), BLOCKS);
    const { acf } = autocorrelation(rows, LAGS, STARTS);
    expect(maxAbsDiff(acf, j0Curve(0.5))).toBeGreaterThan(0.1);
  });

  it('the check fails for AR(1) with ρ = J0(2πf) (lag 10 at f = 0.05 is off by > 1)', () => {
    const rows = gainMatrix(new Ar1Fading(300, 2026, 0.05), 100);
    const { acf } = autocorrelation(rows, 10, 90);
    expect(Math.abs(acf[10] - besselJ0(2 * Math.PI * 0.05 * 10))).toBeGreaterThan(1);
  });

  it('WASM kernel and TS reference give the same bits, also far into time', () => {
    for (const [f, j0] of [[0.05, 0], [0.37, 12345], [0.5, 987654321]] as const) {
      const wasm = new JakesSoS(4, 99, f), ts = new JakesSoS(4, 99, f, { reference: true });
      for (let k = 0; k < 4; k++) {
        const a = new Float32Array(2 * 5000), b = new Float32Array(2 * 5000);
        wasm.gains(k, j0, 5000, a); // crosses the 4096-block kernel chunk
        ts.gains(k, j0, 5000, b);
        expect(a).toEqual(b);
      }
    }
  });

  it('same seed → identical gains; random access: blocks 100…199 equal the tail of 0…199', () => {
    const a = new Float32Array(400), b = new Float32Array(200), c = new Float32Array(400);
    new JakesSoS(3, 7, 0.1).gains(1, 0, 200, a);
    new JakesSoS(3, 7, 0.1).gains(1, 100, 100, b);
    new JakesSoS(3, 7, 0.1).gains(1, 0, 200, c);
    expect(b).toEqual(a.subarray(200));
    expect(c).toEqual(a);
    const d = new Float32Array(400);
    new JakesSoS(3, 8, 0.1).gains(1, 0, 200, d);
    expect(d).not.toEqual(a);
  });

  it('f = 0 gives a constant gain per link; the TS reference matches the closed form in f64', () => {
    const h = new Float32Array(20);
    new JakesSoS(1, 3, 0).gains(0, 0, 10, h);
    for (let j = 1; j < 10; j++) expect([h[2 * j], h[2 * j + 1]]).toEqual([h[0], h[1]]);
    // independent evaluation with Math.cos of the formula in the file header
    const u = new Rng(1).uniform(1 + 2 * JAKES_M);
    const f = 0.21, t = 77;
    const out = new Float32Array(2);
    sosGainsReference(sosParams(f, u), t, 1, out);
    let re = 0, im = 0;
    const theta = 2 * Math.PI * (u[0] - 0.5);
    for (let n = 1; n <= JAKES_M; n++) {
      const alpha = (2 * Math.PI * n - Math.PI + theta) / (4 * JAKES_M);
      re += Math.cos(2 * Math.PI * f * t * Math.cos(alpha) + 2 * Math.PI * u[n]);
      im += Math.cos(2 * Math.PI * f * t * Math.sin(alpha) + 2 * Math.PI * u[JAKES_M + n]);
    }
    expect(out[0]).toBeCloseTo(re / Math.sqrt(JAKES_M), 6);
    expect(out[1]).toBeCloseTo(im / Math.sqrt(JAKES_M), 6);
  });
});
