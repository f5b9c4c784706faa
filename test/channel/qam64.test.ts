// Gray 64-QAM (3GPP TS 38.211 §5.1.4 bit order): the mapping against the standard's formula,
// Es = 1, Gray labelling, exact and max-log LLRs against a float64 brute force over the 64
// points, the fused AWGN path against the unfused chain (bit for bit, generator state included),
// and the uncoded max-log BER against the closed form for Gray 64-QAM.
import { describe, expect, it } from 'vitest';
import { Rng, getModem, n0FromEsn0, qam64 } from '../../src/channel/index.js';
import { wilsonInterval } from '../../src/sim/confidence.js';

/** 3GPP TS 38.211 §5.1.4 in float64: (I, Q) of the label b0 … b5. */
function spec(b: number[]): [number, number] {
  const s = (x: number) => 1 - 2 * x;
  const k = 1 / Math.sqrt(42);
  return [s(b[0]) * (4 - s(b[2]) * (2 - s(b[4]))) * k, s(b[1]) * (4 - s(b[3]) * (2 - s(b[5]))) * k];
}

/** Label s (0 … 63) as bits b0 … b5, b0 the most significant. */
function label(s: number): number[] {
  return Array.from({ length: 6 }, (_, j) => (s >> (5 - j)) & 1);
}

const LABELS = Array.from({ length: 64 }, (_, s) => label(s));
const POINTS = LABELS.map(spec);

/** Brute force in float64 over the 64 points: ln Σ_{b_j=0} e^{−|y−s|²/N0} − ln Σ_{b_j=1} (…), or max-log. */
function bruteLlr(re: number, im: number, n0: number, maxLog: boolean): number[] {
  const metric = POINTS.map(([pr, pi]) => -((re - pr) ** 2 + (im - pi) ** 2) / n0);
  return Array.from({ length: 6 }, (_, j) => {
    const side = [0, 1].map((v) => metric.filter((_, s) => LABELS[s][j] === v));
    const lse = (m: number[]) => {
      const top = Math.max(...m);
      return maxLog ? top : top + Math.log(m.reduce((a, x) => a + Math.exp(x - top), 0));
    };
    return lse(side[0]) - lse(side[1]);
  });
}

/** Q(x) from an independent erfc: Numerical Recipes' Chebyshev fit (relative error < 1.2e-7). */
function q(x: number): number {
  const z = x / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return r / 2;
}

/** Gray 64-QAM bit error probability for nearest-level per-bit decisions, Eb/N0 in dB. */
function ber64QamRef(ebn0Db: number): number {
  const u = Math.sqrt((2 * 10 ** (ebn0Db / 10)) / 7);
  return (7 * q(u) + 6 * q(3 * u) - q(5 * u) + q(9 * u) - q(13 * u)) / 12;
}

describe('64-QAM mapping', () => {
  const bits = Uint8Array.from(LABELS.flat());
  const sym = qam64.modulate(bits);

  it('equals the 3GPP TS 38.211 formula for all 64 labels (to float32 rounding)', () => {
    expect(sym.length).toBe(128);
    for (let s = 0; s < 64; s++) {
      expect(sym[2 * s]).toBe(Math.fround(POINTS[s][0]));
      expect(sym[2 * s + 1]).toBe(Math.fround(POINTS[s][1]));
    }
    // spot checks of the standard's corners: 000000 ↦ (3, 3)/√42, 001111 ↦ (7, 7)/√42 … sign bits flip
    expect(POINTS[0][0] * Math.sqrt(42)).toBeCloseTo(3, 12);
    expect(POINTS[0b001111][1] * Math.sqrt(42)).toBeCloseTo(7, 12);
    expect(POINTS[0b100010][0] * Math.sqrt(42)).toBeCloseTo(-1, 12);
  });

  it('has Es = 1 and 64 distinct points on the 8 × 8 grid', () => {
    let es = 0;
    for (let s = 0; s < 64; s++) es += sym[2 * s] ** 2 + sym[2 * s + 1] ** 2;
    expect(es / 64).toBeCloseTo(1, 6);
    expect(new Set(POINTS.map(([i, qq]) => `${Math.round(i * Math.sqrt(42))},${Math.round(qq * Math.sqrt(42))}`)).size).toBe(64);
  });

  it('is Gray: nearest neighbours (distance 2d) differ in exactly one bit', () => {
    const d = 1 / Math.sqrt(42);
    let pairs = 0;
    for (let a = 0; a < 64; a++) {
      for (let b = a + 1; b < 64; b++) {
        const dist = Math.hypot(POINTS[a][0] - POINTS[b][0], POINTS[a][1] - POINTS[b][1]);
        if (Math.abs(dist - 2 * d) < 1e-9) {
          pairs++;
          expect(LABELS[a].filter((x, j) => x !== LABELS[b][j]).length).toBe(1);
        }
      }
    }
    expect(pairs).toBe(2 * 8 * 7); // 7 horizontal and 7 vertical neighbours in each of 8 rows/columns
  });

  it('is found by name and rejects a bit count that is not a multiple of 6', () => {
    expect(getModem('64qam')).toBe(qam64);
    expect(qam64.bitsPerSymbol).toBe(6);
    expect(() => qam64.modulate(new Uint8Array(9))).toThrow('64-QAM needs a multiple of 6 bits, got 9');
  });
});

describe('64-QAM LLRs against a float64 brute force over the 64 points', () => {
  // received values: every point with noise at each Es/N0, plus points on and near decision boundaries
  const rng = new Rng(64);
  for (const esn0 of [-5, 0, 6, 12, 18, 25]) {
    for (const maxLog of [false, true]) {
      it(`Es/N0 = ${esn0} dB, ${maxLog ? 'max-log' : 'exact'}`, () => {
        const n0 = n0FromEsn0(esn0);
        const nsym = 64 * 8 + 64;
        const y = new Float32Array(2 * nsym);
        const z = rng.normal(2 * nsym);
        const spread = Math.max(Math.sqrt(n0 / 2), 0.05);
        for (let s = 0; s < 64 * 8; s++) {
          y[2 * s] = POINTS[s % 64][0] + spread * z[2 * s];
          y[2 * s + 1] = POINTS[s % 64][1] + spread * z[2 * s + 1];
        }
        const d = 1 / Math.sqrt(42);
        for (let s = 64 * 8, k = 0; s < nsym; s++, k++) {
          // boundaries at 0, ±2d, ±4d, ±6d, outside at ±9d, and tiny offsets from them
          const lvl = [0, 2, -2, 4, -4, 6, -6, 9][k % 8] * d;
          y[2 * s] = lvl + [0, 1e-4, -1e-3, 0.01][k % 4];
          y[2 * s + 1] = [0, 2, -4, 6, -9][k % 5] * d - [0, 1e-4, 1e-3][k % 3];
        }
        const got = maxLog ? qam64.demapMaxLog(y, n0) : qam64.demapExact(y, n0);
        expect(got.length).toBe(6 * nsym);
        let worst = 0;
        for (let s = 0; s < nsym; s++) {
          const want = bruteLlr(y[2 * s], y[2 * s + 1], n0, maxLog);
          for (let j = 0; j < 6; j++) {
            const err = Math.abs(got[6 * s + j] - want[j]);
            worst = Math.max(worst, err / (1e-5 + 1e-6 * Math.abs(want[j])));
          }
        }
        expect(worst).toBeLessThanOrEqual(1);
      });
    }
  }

  it('rejects odd-length y, n0 ≤ 0 and values that would overflow float32', () => {
    expect(() => qam64.demapExact(new Float32Array(3), 1)).toThrow('odd length 3');
    expect(() => qam64.demapMaxLog(new Float32Array(2), 0)).toThrow(/n0/);
    expect(() => qam64.demapExact(Float32Array.of(1e30, 0), 1e-3)).toThrow('overflows float32 in the 64-QAM demapper');
  });
});

describe('64-QAM over AWGN (fused WASM path)', () => {
  function randomBits(n: number, seed: number): Uint8Array {
    return Uint8Array.from(new Rng(seed).uniform(n), (x) => (x < 0.5 ? 1 : 0));
  }

  it('equals modulate → addNoise → demap bit for bit, and leaves the generator in the same state', () => {
    // lengths: tiny, odd symbol counts, past the 2040-bit inner slice and the 16380-bit call slice
    for (const len of [0, 6, 18, 2046, 16380 + 42, 40002]) {
      for (const exact of [true, false]) {
        for (const esn0 of [-3, 10, 22]) {
          const bits = randomBits(len, 7 + len);
          const a = new Rng(5);
          const b = new Rng(5);
          a.normal(3); // mid-block: spare normals carried in
          b.normal(3);
          const y = qam64.addNoise(qam64.modulate(bits), esn0, a);
          const n0 = n0FromEsn0(esn0);
          const want = exact ? qam64.demapExact(y, n0) : qam64.demapMaxLog(y, n0);
          const got = qam64.llrOverAwgn(bits, esn0, b, new Float32Array(len).fill(NaN), { exact });
          expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(want.buffer));
          expect(Array.from(b.normal(9))).toEqual(Array.from(a.normal(9)));
        }
      }
    }
  });

  it('is bit-reproducible for a seed', () => {
    const bits = randomBits(6000, 3);
    const x = qam64.llrOverAwgn(bits, 8, 123, new Float32Array(6000));
    const y = qam64.llrOverAwgn(bits, 8, 123, new Float32Array(6000));
    expect(new Uint32Array(x.buffer)).toEqual(new Uint32Array(y.buffer));
  });

  it('rejects a bit count that is not a multiple of 6, before moving the generator', () => {
    const r = new Rng(1);
    expect(() => qam64.llrOverAwgn(new Uint8Array(8), 3, r, new Float32Array(8))).toThrow('64-QAM needs a multiple of 6 bits, got 8');
    expect(r.normal(2)).toEqual(new Rng(1).normal(2));
  });

  // Closed form computed here with an independent Q (ber64Qam of theory.ts may not exist yet).
  it('uncoded max-log BER at Eb/N0 = 4, 8, 12 dB lies in the 99 % Wilson interval of the closed form', () => {
    const n = 6 * 100_000;
    const bits = randomBits(n, 2026);
    const rng = new Rng(77);
    const llr = new Float32Array(n);
    for (const ebn0 of [4, 8, 12]) {
      qam64.llrOverAwgn(bits, ebn0 + 10 * Math.log10(6), rng, llr, { exact: false });
      let errors = 0;
      for (let i = 0; i < n; i++) if ((llr[i] < 0 ? 1 : 0) !== bits[i]) errors++;
      const { lo, hi } = wilsonInterval(errors, n, 0.99);
      const p = ber64QamRef(ebn0);
      expect(p).toBeGreaterThanOrEqual(lo);
      expect(p).toBeLessThanOrEqual(hi);
    }
  });
});
