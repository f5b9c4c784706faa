// Closed forms against independent truth: CPython's math.erfc values, Simpson integration of
// the Gaussian density for Q and for the QAM per-bit error probabilities (enumerated over the
// PAM decision regions, no Q), and integration of the AWGN BER over the Rayleigh SNR density.
import { describe, expect, it } from 'vitest';
import { ber16Qam, ber64Qam, berBpsk, berBpskRayleigh, erfc, qfunc } from '../../src/channel/index.js';

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

/**
 * Simpson integral of the standard normal density over [a, b] ⊂ [−40, 40]. The density falls
 * like e^(−t·h) per step near t, so the step is ≤ 0.01/|t| at the end nearer 0: relative error
 * ≲ (0.01)⁴/180 even deep in the tail.
 */
function normalMass(a: number, b: number): number {
  if (!(b > a)) return 0;
  const pdf = (t: number) => Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
  const tMin = a > 0 ? a : b < 0 ? -b : 0;
  const n = 2 * Math.ceil((b - a) / (2 * Math.min(0.002, 0.01 / tMin)));
  const h = (b - a) / n;
  let s = pdf(a) + pdf(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * pdf(a + i * h);
  return (s * h) / 3;
}

/**
 * Per-bit error probabilities of Gray square QAM built from one PAM axis, by enumeration: for
 * every sent level and every decision region (nearest level), the Gaussian mass of the region,
 * counted for each label bit that differs. `amplitude` maps an axis label (bits of that axis, in
 * order) to its level in units of d; d is set so that the axis carries energy ½ (Es = 1).
 */
function enumeratedBitErrors(ebn0Db: number, axisBits: number, amplitude: (bits: number[]) => number): number[] {
  const levels: { a: number; bits: number[] }[] = [];
  for (let l = 0; l < 1 << axisBits; l++) {
    const bits = Array.from({ length: axisBits }, (_, i) => (l >> i) & 1);
    levels.push({ a: amplitude(bits), bits });
  }
  levels.sort((p, q) => p.a - q.a);
  const d = Math.sqrt(0.5 / (levels.reduce((s, l) => s + l.a * l.a, 0) / levels.length));
  const bitsPerSymbol = 2 * axisBits;
  const sigma = Math.sqrt(1 / (2 * bitsPerSymbol * 10 ** (ebn0Db / 10))); // σ² = N0/2, Eb = 1/bps
  const errors = new Array<number>(axisBits).fill(0);
  for (const sent of levels) {
    for (let j = 0; j < levels.length; j++) {
      // region of level j: between the midpoints to its neighbours (clipped to ±40σ of the mean)
      const lo = j === 0 ? -Infinity : ((levels[j - 1].a + levels[j].a) / 2) * d;
      const hi = j === levels.length - 1 ? Infinity : ((levels[j].a + levels[j + 1].a) / 2) * d;
      const mass = normalMass(Math.max((lo - sent.a * d) / sigma, -40), Math.min((hi - sent.a * d) / sigma, 40));
      sent.bits.forEach((b, i) => { if (b !== levels[j].bits[i]) errors[i] += mass / levels.length; });
    }
  }
  return errors;
}

/** The BER: the mean over the axis bits (the Q axis is the same as the I axis). */
function enumeratedQamBer(ebn0Db: number, axisBits: number, amplitude: (bits: number[]) => number): number {
  const perBit = enumeratedBitErrors(ebn0Db, axisBits, amplitude);
  return perBit.reduce((s, p) => s + p, 0) / axisBits;
}

const pm = (b: number) => 1 - 2 * b;
// 3GPP TS 38.211 §5.1.4 per-axis amplitudes (units of d): 16-QAM (b0, b2), 64-QAM (b0, b2, b4)
const qam16Axis = ([b0, b2]: number[]) => pm(b0) * (2 - pm(b2));
const qam64Axis = ([b0, b2, b4]: number[]) => pm(b0) * (4 - pm(b2) * (2 - pm(b4)));
const EBN0_DB = [-4, 0, 3, 6, 9, 12, 15, 18, 20];

describe('QAM closed forms against enumeration over the PAM decision regions', () => {
  it('the enumeration reproduces BPSK (2-PAM, one bit per real axis, Es = 1)', () => {
    // 2-PAM with 1 bit per axis is QPSK with Gray labels: BER = Q(√(2Eb/N0)) = berBpsk
    for (const e of EBN0_DB) {
      expect(Math.abs(enumeratedQamBer(e, 1, ([b]) => pm(b)) / berBpsk(e) - 1)).toBeLessThan(1e-9);
    }
  });

  it('the enumeration reproduces the 16-QAM closed form (consistency of the method)', () => {
    for (const e of EBN0_DB) {
      expect(Math.abs(enumeratedQamBer(e, 2, qam16Axis) / ber16Qam(e) - 1)).toBeLessThan(1e-9);
    }
  });

  it('ber64Qam equals the enumerated Gray 64-QAM per-bit error probability', () => {
    for (const e of EBN0_DB) {
      expect(Math.abs(enumeratedQamBer(e, 3, qam64Axis) / ber64Qam(e) - 1)).toBeLessThan(1e-9);
    }
    // and the per-bit probabilities stated in its doc comment (sign, middle, low bit)
    for (const e of [0, 6, 12]) {
      const u = Math.sqrt((2 * 10 ** (e / 10)) / 7);
      const q = (k: number) => qfunc(k * u);
      const stated = [
        (q(1) + q(3) + q(5) + q(7)) / 4,
        (2 * q(1) + 2 * q(3) + q(5) + q(7) - q(9) - q(11)) / 4,
        (4 * q(1) + 3 * q(3) - 3 * q(5) - 2 * q(7) + 2 * q(9) + q(11) - q(13)) / 4,
      ];
      enumeratedBitErrors(e, 3, qam64Axis).forEach((p, i) => expect(Math.abs(p / stated[i] - 1)).toBeLessThan(1e-9));
    }
    expect(() => ber64Qam(NaN)).toThrow(/ebn0Db must be a finite number, got NaN/);
  });
});

describe('BPSK over Rayleigh fading', () => {
  /** ∫₀^∞ Q(√(2γ))·e^(−γ/γ̄)/γ̄ dγ with γ = s² (smooth at 0), Simpson on s ∈ [0, 40]. */
  function averagedBer(meanDb: number): number {
    const g = 10 ** (meanDb / 10);
    const f = (s: number) => qfunc(Math.SQRT2 * s) * (2 * s / g) * Math.exp(-s * s / g);
    const smax = Math.min(40, 40 * Math.sqrt(g)), n = 20000, h = smax / n;
    let sum = f(0) + f(smax);
    for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(i * h);
    return (sum * h) / 3;
  }

  it('berBpskRayleigh equals the AWGN BPSK BER averaged over the exponential SNR density', () => {
    for (const e of [-10, 0, 5, 10, 20, 30]) {
      expect(Math.abs(averagedBer(e) / berBpskRayleigh(e) - 1)).toBeLessThan(1e-8);
    }
  });

  it('is accurate at high SNR (≈ 1/(4γ̄)) and rejects non-finite input', () => {
    expect(berBpskRayleigh(10)).toBeCloseTo(0.5 * (1 - Math.sqrt(10 / 11)), 15);
    // Pb = 1/(4γ̄) − 3/(16γ̄²) + O(γ̄⁻³); ½(1 − √(γ̄/(1+γ̄))) as written loses digits to cancellation
    for (const db of [80, 120]) {
      const g = 10 ** (db / 10);
      expect(Math.abs(berBpskRayleigh(db) / (1 / (4 * g) - 3 / (16 * g * g)) - 1)).toBeLessThan(1e-12);
    }
    expect(() => berBpskRayleigh(Infinity)).toThrow(/meanEbn0Db must be a finite number, got Infinity/);
  });
});
