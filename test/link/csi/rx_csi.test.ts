// Receiver CSI: perfect (ĥ = h, σe² = 0) and LS pilots (ĥ = h + CN(0, N0/P) fresh per transmission),
// error statistics against N0/P, determinism and random access.
import { describe, expect, it } from 'vitest';
import { RxCsiEstimator } from '../../../src/link/csi/rx_csi.js';
import { createFadingProcess } from '../../../src/channel/fading/process.js';
import { parseFadingChannel } from '../../../src/channel/fading/spec.js';
import { batchGains, errorMoments, correlation, filled, range, unitGains } from './csi_fixtures.js';

const K = 4, N = 25_000; // 10^5 (sample, expert) draws

describe('receiver CSI', () => {
  it('perfect: ĥ = h bit for bit, σe² = 0, no pilots', () => {
    const fading = createFadingProcess({ channel: parseFadingChannel('rayleigh'), coherence: 1, doppler: null }, K, 5);
    const h = batchGains(fading, range(100));
    const est = new RxCsiEstimator({ kind: 'perfect' }, K, 5).estimate(h, filled(100 * K, 3), range(100));
    expect(est.hHat).toEqual(h);
    expect(est.hHat).not.toBe(h);
    expect(est.errVar.every((v) => v === 0)).toBe(true);
    expect(est.pilotUses).toBe(0);
    expect(est.perfect).toBe(true);
  });

  for (const snrDb of [0, 10]) {
    for (const P of [1, 4]) {
      it(`pilots:${P} at ${snrDb} dB: LS error mean ≈ 0, variance within 3 % of N0/P, σe² = N0/P`, () => {
        const n0 = 10 ** (-snrDb / 10);
        const fading = createFadingProcess({ channel: parseFadingChannel('rayleigh'), coherence: 1, doppler: null }, K, 11);
        const h = batchGains(fading, range(N));
        const est = new RxCsiEstimator({ kind: 'pilots', pilots: P }, K, 2026).estimate(h, filled(N * K, snrDb), range(N));
        const { meanRe, meanIm, variance } = errorMoments(est.hHat, h);
        const v = n0 / P, se = Math.sqrt(v / 2 / (N * K));
        expect(Math.abs(variance / v - 1)).toBeLessThan(0.03);
        expect(Math.abs(meanRe)).toBeLessThan(4 * se);
        expect(Math.abs(meanIm)).toBeLessThan(4 * se);
        expect(est.errVar.every((e) => e === Math.fround(v))).toBe(true);
        expect(est.pilotUses).toBe(P);
        expect(est.perfect).toBe(false);
        // The error does not depend on h (additive pilot noise).
        const err = est.hHat.map((x, i) => x - h[i]);
        expect(Math.abs(correlation(err, h))).toBeLessThan(0.02);
      });
    }
  }

  it('pilots under AWGN (h = 1): a noisy estimate of 1 with variance N0/P', () => {
    const h = unitGains(N * K);
    const est = new RxCsiEstimator({ kind: 'pilots', pilots: 2 }, K, 1).estimate(h, filled(N * K, 5), range(N));
    expect(Math.abs(errorMoments(est.hHat, h).variance / (10 ** -0.5 / 2) - 1)).toBeLessThan(0.03);
  });

  it('fresh per transmission: samples of the same block get different estimates', () => {
    const h = unitGains(2 * K);
    const est = new RxCsiEstimator({ kind: 'pilots', pilots: 1 }, K, 1).estimate(h, filled(2 * K, 0), Int32Array.of(7, 8));
    for (let k = 0; k < K; k++) expect(est.hHat[2 * k]).not.toBe(est.hHat[2 * (K + k)]);
  });

  it('+∞ dB (perfect link): ĥ = h, σe² = 0; −∞ dB with pilots is refused', () => {
    const h = Float32Array.of(0.3, -0.4);
    const est = new RxCsiEstimator({ kind: 'pilots', pilots: 1 }, 1, 1).estimate(h, [Infinity], [0]);
    expect(est.hHat).toEqual(h);
    expect(est.errVar[0]).toBe(0);
    expect(() => new RxCsiEstimator({ kind: 'pilots', pilots: 1 }, 1, 1).estimate(h, [-Infinity], [0])).toThrow(/−∞/);
  });

  it('same seed, same estimates; another seed, others; random access over slots and chunks', () => {
    const slots = Int32Array.of(0, 1, 4095, 4096, 4097, 123_456, 3, 1_000_000);
    const n = slots.length, h = unitGains(n * K), snr = filled(n * K, 0);
    const spec = { kind: 'pilots', pilots: 1 } as const;
    const all = new RxCsiEstimator(spec, K, 9).estimate(h, snr, slots).hHat;
    expect(new RxCsiEstimator(spec, K, 9).estimate(h, snr, slots).hHat).toEqual(all);
    expect(new RxCsiEstimator(spec, K, 10).estimate(h, snr, slots).hHat).not.toEqual(all);
    const reused = new RxCsiEstimator(spec, K, 9);
    for (let b = n - 1; b >= 0; b--) {
      const one = reused.estimate(unitGains(K), filled(K, 0), [slots[b]]).hHat;
      expect(one).toEqual(all.subarray(2 * K * b, 2 * K * (b + 1)));
    }
  });

  it('mismatched batch shapes are RangeErrors', () => {
    const est = new RxCsiEstimator({ kind: 'perfect' }, 2, 1);
    expect(() => est.estimate(new Float32Array(6), filled(4, 0), [0, 1])).toThrow(RangeError);
    expect(() => est.estimate(new Float32Array(8), filled(3, 0), [0, 1])).toThrow(RangeError);
    expect(() => est.estimate(new Float32Array(8), filled(4, 0), [0, -1])).toThrow(/slot -1/);
    expect(() => est.estimate(new Float32Array(8), filled(4, NaN), [0, 1])).toThrow(/NaN/);
  });
});
