// Gate CSI: the estimated instantaneous SNR |ĥ|²·SNR̄ (dB) for perfect, pilots:P, stale:d,
// quantised:B and statistical, against closed forms (N0/P, J0(2πfd), ρ^d, the quantiser levels).
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { GateCsiEstimator, quantiseDb, type GateCsiSpec } from '../../../src/link/csi/gate_csi.js';
import { createFadingProcess, type FadingProcess } from '../../../src/channel/fading/process.js';
import { AWGN_FADING, parseFadingChannel, type DopplerSpec } from '../../../src/channel/fading/spec.js';
import { besselJ0 } from '../../../src/channel/bessel.js';
import { batchGains, correlation, errorMoments, filled, range, unitGains } from './csi_fixtures.js';

const rayleigh = (doppler: DopplerSpec | null, K: number, seed = 7): FadingProcess =>
  createFadingProcess({ channel: parseFadingChannel('rayleigh'), coherence: 1, doppler }, K, seed);

describe('gate CSI: pilots', () => {
  const K = 4, N = 25_000;
  for (const snrDb of [0, 10]) {
    for (const P of [1, 4]) {
      it(`pilots:${P} at ${snrDb} dB: ĥ − h has mean ≈ 0 and variance within 3 % of N0/P`, () => {
        const h = batchGains(rayleigh(null, K), range(N));
        const gate = new GateCsiEstimator({ kind: 'pilots', pilots: P }, K, 2026);
        const { meanRe, meanIm, variance } = errorMoments(gate.gains(h, filled(N * K, snrDb), range(N)), h);
        const v = 10 ** (-snrDb / 10) / P, se = Math.sqrt(v / 2 / (N * K));
        expect(Math.abs(variance / v - 1)).toBeLessThan(0.03);
        expect(Math.abs(meanRe)).toBeLessThan(4 * se);
        expect(Math.abs(meanIm)).toBeLessThan(4 * se);
      });
    }
  }

  it('under AWGN: a noisy SNR estimate, |1 + e|² with E = 1 + v and Var = 2v + v² (v = N0/P)', () => {
    const snrDb = 3, P = 2, v = 10 ** (-snrDb / 10) / P;
    const snr = new GateCsiEstimator({ kind: 'pilots', pilots: P }, K, 3).estimate(unitGains(N * K), filled(N * K, snrDb), range(N));
    const ratio = Array.from(snr, (x) => 10 ** ((x - snrDb) / 10));
    const mean = ratio.reduce((a, b) => a + b, 0) / ratio.length;
    const variance = ratio.reduce((a, b) => a + (b - mean) ** 2, 0) / (ratio.length - 1);
    expect(Math.abs(mean - (1 + v))).toBeLessThan(4 * Math.sqrt((2 * v + v * v) / ratio.length));
    expect(Math.abs(variance / (2 * v + v * v) - 1)).toBeLessThan(0.05);
  });

  it('one draw per (block, expert): samples of one block share the estimate, other blocks do not', () => {
    const gate = new GateCsiEstimator({ kind: 'pilots', pilots: 1 }, 2, 3);
    const snr = gate.estimate(unitGains(6), filled(6, 0), Int32Array.of(5, 5, 6));
    expect(Array.from(snr.subarray(0, 2))).toEqual(Array.from(snr.subarray(2, 4)));
    expect(snr[4]).not.toBe(snr[0]);
    expect(snr[0]).not.toBe(snr[1]);
  });
});

describe('gate CSI: stale', () => {
  const LINKS = 4000, BLOCKS = 40;
  for (const f of [0.05, 0.15]) {
    for (const d of [1, 3]) {
      it(`Jakes f = ${f}, stale:${d}: corr(h, ĥ) = J0(2πf·${d}) within 0.01`, () => {
        const fading = rayleigh({ model: 'jakes', f }, LINKS);
        const blocks = range(BLOCKS, d);
        const h = batchGains(fading, blocks);
        const hHat = new GateCsiEstimator({ kind: 'stale', delay: d }, LINKS, 1, { fading }).gains(h, filled(BLOCKS * LINKS, 0), blocks);
        expect(hHat).toEqual(Float64Array.from(batchGains(fading, range(BLOCKS, 0))));
        expect(Math.abs(correlation(h, hHat) - besselJ0(2 * Math.PI * f * d))).toBeLessThan(0.01);
      });
    }
  }

  it('AR(1) f = 0.15, stale:1 and stale:3: corr(h, ĥ) = ρ^d with ρ = J0(2πf), within 0.01', () => {
    const rho = besselJ0(2 * Math.PI * 0.15);
    for (const d of [1, 3]) {
      const fading = rayleigh({ model: 'ar1', f: 0.15 }, 2000);
      const blocks = range(50, d);
      const h = batchGains(fading, blocks);
      const hHat = new GateCsiEstimator({ kind: 'stale', delay: d }, 2000, 1, { fading }).gains(h, filled(50 * 2000, 0), blocks);
      expect(Math.abs(correlation(h, hHat) - rho ** d)).toBeLessThan(0.01);
    }
  });

  it('the SNR is |h(j − d)|²·SNR̄ in dB; before block d the gate holds block 0', () => {
    const fading = rayleigh(null, 3, 4);
    const snr = new GateCsiEstimator({ kind: 'stale', delay: 2 }, 3, 1, { fading }).estimate(
      batchGains(fading, [5, 1]), filled(6, 7), [5, 1]);
    const old = batchGains(fading, [3, 0]);
    for (let i = 0; i < 6; i++) {
      const p = old[2 * i] ** 2 + old[2 * i + 1] ** 2;
      expect(snr[i]).toBeCloseTo(10 * Math.log10(p) + 7, 4);
    }
  });
});

describe('gate CSI: quantised', () => {
  const range2: [number, number] = [-5, 25];

  it('B = 2 over [−5, 25] dB: exactly the 4 levels −5, 5, 15, 25, the nearest one, clipped at the ends', () => {
    const xs = Array.from({ length: 6001 }, (_, i) => -20 + i * 0.01);
    const gate = new GateCsiEstimator({ kind: 'quantised', bits: 2 }, 1, 1, { snrRange: range2 });
    const q = gate.estimate(unitGains(xs.length), Float32Array.from(xs), range(xs.length));
    expect([...new Set(q)].sort((a, b) => a - b)).toEqual([-5, 5, 15, 25]);
    xs.forEach((x, i) => {
      const xf = Math.fround(x);
      if (xf <= -5) expect(q[i]).toBe(-5);
      else if (xf >= 25) expect(q[i]).toBe(25);
      else expect(Math.abs(q[i] - xf)).toBeLessThanOrEqual(5 + 1e-5);
    });
  });

  it('quantises the instantaneous SNR (|h|² included), B = 16 to within half a step', () => {
    const fading = rayleigh(null, 3);
    const h = batchGains(fading, range(500));
    const exact = new GateCsiEstimator({ kind: 'perfect' }, 3, 1).estimate(h, filled(1500, 10), range(500));
    const q = new GateCsiEstimator({ kind: 'quantised', bits: 16 }, 3, 1, { snrRange: range2 }).estimate(h, filled(1500, 10), range(500));
    const step = 30 / 65535;
    exact.forEach((x, i) => {
      const c = Math.min(Math.max(x, -5), 25);
      expect(Math.abs(q[i] - c)).toBeLessThanOrEqual(step / 2 + 1e-5);
    });
  });

  it('quantiseDb: levels lo + m(hi − lo)/(2^B − 1); +∞ stays +∞; −∞ is the low end', () => {
    expect(quantiseDb(9.9, range2, 2)).toBe(5);
    expect(quantiseDb(10.1, range2, 2)).toBe(15);
    expect(quantiseDb(0, [0, 1], 1)).toBe(0);
    expect(quantiseDb(0.6, [0, 1], 1)).toBe(1);
    expect(quantiseDb(Infinity, range2, 3)).toBe(Infinity);
    expect(quantiseDb(-Infinity, range2, 3)).toBe(-5);
  });
});

describe('gate CSI: all kinds', () => {
  const specs: GateCsiSpec[] = [
    { kind: 'perfect' }, { kind: 'pilots', pilots: 4 }, { kind: 'stale', delay: 1 }, { kind: 'stale', delay: 5 },
    { kind: 'quantised', bits: 3 }, { kind: 'statistical' },
  ];
  const options = (K: number) => ({ fading: createFadingProcess(AWGN_FADING, K, 1), snrRange: [-5, 25] as [number, number] });

  it('under AWGN (h = 1): stale and statistical equal perfect, which equals SNR̄', () => {
    const K = 3, n = 50, snr = Float32Array.from({ length: n * K }, (_, i) => -10 + 0.37 * i);
    const est = (spec: GateCsiSpec) => new GateCsiEstimator(spec, K, 1, options(K)).estimate(unitGains(n * K), snr, range(n, 3));
    const perfect = est({ kind: 'perfect' });
    expect(perfect).toEqual(snr);
    expect(est({ kind: 'stale', delay: 1 })).toEqual(perfect);
    expect(est({ kind: 'stale', delay: 7 })).toEqual(perfect);
    expect(est({ kind: 'statistical' })).toEqual(perfect);
    expect(est({ kind: 'pilots', pilots: 1 })).not.toEqual(perfect);
  });

  it('statistical ignores h: SNR̄ under Rayleigh', () => {
    const fading = rayleigh(null, 2);
    const snr = Float32Array.of(1, 2, 3, 4);
    expect(new GateCsiEstimator({ kind: 'statistical' }, 2, 1).estimate(batchGains(fading, [0, 1]), snr, [0, 1])).toEqual(snr);
  });

  it.each(specs)('%o: +∞ stays +∞; |ĥ| = 0 gives −∞ (quantised: lo), never NaN', (spec) => {
    const zero: FadingProcess = { experts: 2, gains: (_k, _j, count, out) => out.fill(0, 0, 2 * count) };
    const gate = new GateCsiEstimator(spec, 2, 1, { fading: zero, snrRange: [-5, 25] });
    const snr = gate.estimate(new Float32Array(8), [Infinity, 10, -Infinity, 0], [4, 9]);
    expect(snr.some(Number.isNaN)).toBe(false);
    expect(snr[0]).toBe(Infinity);
    if (spec.kind === 'statistical') expect(Array.from(snr)).toEqual([Infinity, 10, -Infinity, 0]);
    else if (spec.kind === 'quantised') expect(Array.from(snr)).toEqual([Infinity, -5, -5, -5]);
    else if (spec.kind === 'pilots') expect(snr[2]).toBe(-Infinity);
    else expect(Array.from(snr)).toEqual([Infinity, -Infinity, -Infinity, -Infinity]);
  });

  it.each(specs)('%o: same seed, same estimates; random access over blocks and chunks', (spec) => {
    const K = 3, blocks = Int32Array.of(6, 7, 4095, 4096, 4100, 250_000, 6, 9);
    const fading = rayleigh({ model: 'jakes', f: 0.1 }, K, 8);
    const h = batchGains(fading, blocks), snr = Float32Array.from({ length: blocks.length * K }, (_, i) => (i % 7) * 3 - 4);
    const opts = { fading, snrRange: [-5, 25] as [number, number] };
    const all = new GateCsiEstimator(spec, K, 42, opts).estimate(h, snr, blocks);
    expect(new GateCsiEstimator(spec, K, 42, opts).estimate(h, snr, blocks)).toEqual(all);
    const reused = new GateCsiEstimator(spec, K, 42, opts);
    for (let b = blocks.length - 1; b >= 0; b--) {
      const one = reused.estimate(h.slice(2 * K * b, 2 * K * (b + 1)), snr.slice(K * b, K * (b + 1)), [blocks[b]]);
      expect(one).toEqual(all.subarray(K * b, K * (b + 1)));
    }
    if (spec.kind === 'pilots') expect(new GateCsiEstimator(spec, K, 43, opts).estimate(h, snr, blocks)).not.toEqual(all);
  });

  it('writes into out when given', () => {
    const out = new Float32Array(2);
    expect(new GateCsiEstimator({ kind: 'perfect' }, 2, 1).estimate(unitGains(2), [1, 2], [0], out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 2]);
  });

  it('refuses what it cannot estimate: one-line InputErrors, RangeErrors for bad batches', () => {
    expect(() => new GateCsiEstimator({ kind: 'stale', delay: 1 }, 2, 1)).toThrow(InputError);
    expect(() => new GateCsiEstimator({ kind: 'stale', delay: 1 }, 2, 1, { fading: rayleigh(null, 3) })).toThrow(/3 links/);
    expect(() => new GateCsiEstimator({ kind: 'quantised', bits: 2 }, 2, 1)).toThrow(/needs a finite SNR range/);
    expect(() => new GateCsiEstimator({ kind: 'quantised', bits: 2 }, 2, 1, { snrRange: [5, 5] })).toThrow(/\[5, 5\]/);
    expect(() => new GateCsiEstimator({ kind: 'pilots', pilots: 0 }, 2, 1)).toThrow(/'0'/);
    expect(() => new GateCsiEstimator({ kind: 'perfect' }, 0, 1)).toThrow(/experts 0/);
    expect(() => new GateCsiEstimator({ kind: 'statistical' }, 1, 1).gains(unitGains(1), [0], [0])).toThrow(/only an SNR/);
    const gate = new GateCsiEstimator({ kind: 'perfect' }, 2, 1);
    expect(() => gate.estimate(unitGains(3), [0, 0], [0])).toThrow(RangeError);
    expect(() => gate.estimate(unitGains(2), [0, 0], [0.5])).toThrow(/block 0.5/);
    expect(() => gate.estimate(unitGains(2), [0, 0], [0], new Float32Array(3))).toThrow(/out has length 3/);
  });
});
