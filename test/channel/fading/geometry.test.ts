// Geometry mean SNRs: the log-distance closed form, log-normal shadowing statistics, keyed
// reproducibility, the deterministic log10, and the parser's one-line errors.
import { describe, expect, it } from 'vitest';
import { GEOMETRY_DEFAULTS, geometryMeanSnrDb, log10Exact, parseGeometry, validateGeometry } from '../../../src/channel/fading/geometry.js';
import { expectInputError } from '../../helpers/errors.js';

describe('geometry mean SNRs', () => {
  it('without shadowing equal S − 10·n·log10(Dk/D0) (defaults S = 25 dB at D0 = 1, n = 3)', () => {
    const spec = parseGeometry('1,2,5,10');
    expect(spec).toEqual({ distances: [1, 2, 5, 10], ...GEOMETRY_DEFAULTS });
    const snr = geometryMeanSnrDb(spec, 7);
    const want = [25, 25 - 30 * Math.log10(2), 25 - 30 * Math.log10(5), -5];
    snr.forEach((v, k) => expect(Math.abs(v - want[k])).toBeLessThan(1e-12));
    const g = parseGeometry('3,30,300:n=2.5:ref=10@3');
    const s2 = geometryMeanSnrDb(g, 1);
    [10, -15, -40].forEach((w, k) => expect(Math.abs(s2[k] - w)).toBeLessThan(1e-12));
    // no shadowing ⇒ no dependence on the seed
    expect(geometryMeanSnrDb(spec, 123)).toEqual(snr);
  });

  it('with shadowing σ: over 4000 seeds the per-expert mean ≈ closed form and the std ≈ σ', () => {
    const spec = parseGeometry('1,4,16:n=3.5:shadow=8:ref=20@1');
    const seeds = 4000;
    const sum = new Float64Array(3), sq = new Float64Array(3);
    for (let s = 0; s < seeds; s++) {
      const snr = geometryMeanSnrDb(spec, s);
      for (let k = 0; k < 3; k++) {
        sum[k] += snr[k];
        sq[k] += snr[k] * snr[k];
      }
    }
    for (let k = 0; k < 3; k++) {
      const closed = 20 - 35 * Math.log10(spec.distances[k]);
      const mean = sum[k] / seeds;
      const std = Math.sqrt(sq[k] / seeds - mean * mean);
      expect(Math.abs(mean - closed)).toBeLessThan((4 * 8) / Math.sqrt(seeds)); // 4 standard errors
      expect(Math.abs(std / 8 - 1)).toBeLessThan(4 / Math.sqrt(2 * seeds)); // 4 s.e. of a sample std
    }
  });

  it('draws the shadowing once per expert per seed: same seed same bits, other seeds and experts differ', () => {
    const spec = parseGeometry('2,2,2,2:shadow=6');
    const a = geometryMeanSnrDb(spec, 42);
    expect(geometryMeanSnrDb(spec, 42)).toEqual(a);
    expect(new Set(a).size).toBe(4); // equal distances, independent shadowing
    expect(geometryMeanSnrDb(spec, 43)).not.toEqual(a);
    // expert k's draw does not depend on K
    const three = geometryMeanSnrDb(parseGeometry('2,2,2:shadow=6'), 42);
    expect(Array.from(three)).toEqual(Array.from(a.subarray(0, 3)));
  });

  it('log10Exact agrees with Math.log10 to 2e-16 relative (plus 1e-16) over 12 decades and subnormals', () => {
    for (let i = 0; i < 20000; i++) {
      const x = 10 ** (-6 + (12 * i) / 20000) * (1 + 1e-3 * Math.sin(i));
      expect(Math.abs(log10Exact(x) - Math.log10(x))).toBeLessThanOrEqual(4e-16 * Math.abs(Math.log10(x)) + 2e-16);
    }
    expect(Math.abs(log10Exact(5e-320) - Math.log10(5e-320))).toBeLessThan(1e-12);
    expect(Math.abs(log10Exact(1000) - 3)).toBeLessThan(1e-15);
    expect(log10Exact(1)).toBe(0);
  });

  it('parses keys in any order', () => {
    expect(parseGeometry(' 1.5,2e1 :ref=-3@0.5:shadow=4:n=2', 2)).toEqual({ distances: [1.5, 20], pathLossExponent: 2, shadowingDb: 4, refSnrDb: -3, refDistance: 0.5 });
  });

  it('rejects bad input with one-line InputErrors naming the value', () => {
    expectInputError(() => parseGeometry('1,0,3'), "geometry '1,0,3': distance '0' is not a positive number");
    expectInputError(() => parseGeometry('1,-2'), "geometry '1,-2': distance '-2' is not a positive number");
    expectInputError(() => parseGeometry('1,,2'), "geometry '1,,2': distance '' is not a positive number");
    expectInputError(() => parseGeometry('1,x'), "geometry '1,x': distance 'x' is not a positive number");
    expectInputError(() => parseGeometry('1,2,3', 4), "geometry '1,2,3' gives 3 distances for 4 experts");
    expectInputError(() => parseGeometry('1,2:m=3'), "geometry '1,2:m=3': unknown key 'm=3' (expected D1,…,DK[:n=3][:shadow=σ][:ref=S@D0])");
    expectInputError(() => parseGeometry('1,2:olla'), "geometry '1,2:olla': unknown key 'olla' (expected D1,…,DK[:n=3][:shadow=σ][:ref=S@D0])");
    expectInputError(() => parseGeometry('1,2:n=3:n=4'), "geometry '1,2:n=3:n=4': key 'n' given twice");
    expectInputError(() => parseGeometry('1,2:n=-1'), "geometry '1,2:n=-1': path-loss exponent n '-1' is not a number ≥ 0");
    expectInputError(() => parseGeometry('1,2:shadow=abc'), "geometry '1,2:shadow=abc': shadowing σ 'abc' is not a number ≥ 0");
    expectInputError(() => parseGeometry('1,2:ref=20'), "geometry '1,2:ref=20': ref '20' is not S@D0 (S in dB, D0 > 0)");
    expectInputError(() => parseGeometry('1,2:ref=20@0'), "geometry '1,2:ref=20@0': reference distance '0' is not a positive number");
    expectInputError(() => validateGeometry({ distances: [1, NaN], ...GEOMETRY_DEFAULTS }), 'geometry distance D2 = NaN is not a positive number');
    expectInputError(() => geometryMeanSnrDb({ distances: [1], ...GEOMETRY_DEFAULTS, shadowingDb: -1 }, 0), 'geometry shadowing σ = -1 dB is not a number ≥ 0');
  });
});
