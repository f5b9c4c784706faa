// The flat-fading fused channel (llrOverFlat): against the AWGN fused path with h = ĥ = 1, against
// a float64 brute-force receiver with mismatched CSI, against the closed-form BPSK BER over block
// Rayleigh fading, for reproducibility and for its input checks.
import { describe, expect, it } from 'vitest';
import { Rng, bpsk, qpsk, qam16, qam64, n0FromEsn0, berBpskRayleigh, berQpsk, llrOverFlat, createFadingProcess, type FlatFrames, type Modem } from '../../src/channel/index.js';
import { llrOverAwgn, type FusedKind } from '../../src/channel/llr_over_awgn.js';
import { wilsonInterval } from '../../src/sim/confidence.js';

const MODEMS: Modem[] = [bpsk, qpsk, qam16, qam64];
const BPS = [1, 2, 4, 6];

/** Random 0/1 bytes from a seed (not from the stream under test). */
function randomBits(n: number, seed: number): Uint8Array {
  return Uint8Array.from(new Rng(seed).uniform(n), (x) => (x < 0.5 ? 1 : 0));
}

/** Exact equality of two float32 arrays, including the sign of zero. */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.every((v, i) => v === ub[i]);
}

/** F frames with h = ĥ = 1, σe² = 0 and the given N0. */
function unitFrames(nf: number, frameBits: number, n0: number): FlatFrames {
  const h = new Float32Array(2 * nf);
  for (let f = 0; f < nf; f++) h[2 * f] = 1;
  return { frameBits, h, hHat: h.slice(), n0: new Float64Array(nf).fill(n0), errVar: new Float64Array(nf) };
}

describe('llrOverFlat with h = ĥ = 1, σe² = 0: the AWGN fused path', () => {
  // lengths past the 2040-bit inner slice and the 16320-bit call slice, odd symbol counts
  const cases = [[12, 1], [12, 3], [24, 85], [2052, 1], [60, 300], [16320 + 36, 1], [36, 1200]];
  for (const kind of [1, 2, 3] as FusedKind[]) {
    for (const exact of [true, false]) {
      it(`${MODEMS[kind].name}, ${exact ? 'exact' : 'max-log'}: the same LLRs bit for bit and the same generator state`, () => {
        for (const [frameBits, nf] of cases) {
          for (const esn0 of [-3, 4.5, 12]) {
            const bits = randomBits(frameBits * nf, frameBits + nf);
            const a = new Rng(7), b = new Rng(7);
            a.normal(3); // mid-stream: spare normals left over
            b.normal(3);
            const want = llrOverAwgn(kind, bits, esn0, a, new Float32Array(bits.length), { exact });
            const got = llrOverFlat(kind, bits, unitFrames(nf, frameBits, n0FromEsn0(esn0)), b, new Float32Array(bits.length).fill(NaN), { exact });
            expect(sameBits(got, want), `frameBits ${frameBits}, frames ${nf}, ${esn0} dB`).toBe(true);
            expect(sameBits(a.normal(9), b.normal(9))).toBe(true);
          }
        }
      });
    }
  }

  it('BPSK (complex here, two normals per bit): the AWGN BPSK path fed every other bit, whose noise is the real part', () => {
    // The AWGN BPSK path draws one normal per bit; this path draws (re, im) per symbol and BPSK
    // uses only the real part, so bit i here sees normal 2i, which the AWGN path gives to bit 2i.
    for (const n of [1, 17, 2041, 16321 + 8]) {
      const bits = randomBits(n, n);
      const spread = new Uint8Array(2 * n);
      for (let i = 0; i < n; i++) spread[2 * i] = bits[i];
      const esn0 = 3;
      const want = llrOverAwgn(0, spread, esn0, 11, new Float32Array(2 * n)).filter((_, i) => i % 2 === 0);
      const got = llrOverFlat(0, bits, unitFrames(n, 1, n0FromEsn0(esn0)), 11, new Float32Array(n));
      expect(sameBits(got, want)).toBe(true);
    }
  });
});

/** Per-frame random gains, estimates (ĥ = h + error), N0 and σe², from a seed. */
function mismatchedFrames(nf: number, frameBits: number, seed: number): FlatFrames {
  const g = new Rng(seed).normal(4 * nf);
  const u = new Rng(seed + 1).uniform(2 * nf);
  const h = new Float32Array(2 * nf), hHat = new Float32Array(2 * nf);
  const n0 = new Float64Array(nf), errVar = new Float64Array(nf);
  for (let f = 0; f < nf; f++) {
    n0[f] = 10 ** (-(u[2 * f] * 30 - 5) / 10); // Es/N0 −5 … 25 dB
    errVar[f] = n0[f] * (0.1 + u[2 * f + 1]);
    const s = Math.sqrt(errVar[f] / 2);
    h[2 * f] = g[4 * f] * Math.SQRT1_2;
    h[2 * f + 1] = g[4 * f + 1] * Math.SQRT1_2;
    hHat[2 * f] = h[2 * f] + s * g[4 * f + 2];
    hHat[2 * f + 1] = h[2 * f + 1] + s * g[4 * f + 3];
  }
  return { frameBits, h, hHat, n0, errVar };
}

/**
 * The receiver in float64 by brute force: y = h·x + σ(z_re + j z_im) with the stream's normals and
 * σ = f32(√(N0/2)), z = y·conj(ĥ)/|ĥ|², LLR_k = LSE over points with b_k = 0 of −|z − x|²/N̂0_eff
 * minus the same over b_k = 1 (max for max-log), N̂0_eff = (N0 + σe²)/|ĥ|².
 */
function reference(m: Modem, bits: Uint8Array, fr: FlatFrames, seed: number, exact: boolean): Float64Array {
  const bps = BPS[MODEMS.indexOf(m)];
  const labels = new Uint8Array(bps << bps);
  for (let p = 0; p < 1 << bps; p++) for (let k = 0; k < bps; k++) labels[p * bps + k] = (p >> (bps - 1 - k)) & 1;
  const pts = m.modulate(labels); // real for BPSK, I/Q interleaved otherwise
  const px = (p: number) => (bps === 1 ? pts[p] : pts[2 * p]);
  const py = (p: number) => (bps === 1 ? 0 : pts[2 * p + 1]);
  const symBits = new Uint8Array(bps);
  const ns = bits.length / bps;
  const z = new Rng(seed).normal(2 * ns);
  const out = new Float64Array(bits.length);
  const spf = fr.frameBits / bps;
  for (let s = 0; s < ns; s++) {
    const f = Math.floor(s / spf);
    symBits.set(bits.subarray(s * bps, (s + 1) * bps));
    const x = m.modulate(symBits);
    const xr = x[0], xi = bps === 1 ? 0 : x[1];
    const sg = Math.fround(Math.sqrt(fr.n0[f] / 2));
    const [hr, hi, er, ei] = [fr.h[2 * f], fr.h[2 * f + 1], fr.hHat[2 * f], fr.hHat[2 * f + 1]];
    const yr = hr * xr - hi * xi + sg * z[2 * s], yi = hr * xi + hi * xr + sg * z[2 * s + 1];
    const hh = er * er + ei * ei;
    const qr = (yr * er + yi * ei) / hh, qi = (yi * er - yr * ei) / hh;
    const n0eff = (fr.n0[f] + fr.errVar[f]) / hh;
    for (let k = 0; k < bps; k++) {
      const t: number[][] = [[], []];
      for (let p = 0; p < 1 << bps; p++) t[labels[p * bps + k]].push(-((qr - px(p)) ** 2 + (qi - py(p)) ** 2) / n0eff);
      const agg = (v: number[]) => {
        const mx = Math.max(...v);
        return exact ? mx + Math.log(v.reduce((a, w) => a + Math.exp(w - mx), 0)) : mx;
      };
      out[s * bps + k] = agg(t[0]) - agg(t[1]);
    }
  }
  return out;
}

describe('llrOverFlat with ĥ ≠ h and σe² > 0: the mismatched LLRs a real receiver computes', () => {
  for (const kind of [0, 1, 2, 3] as FusedKind[]) {
    for (const exact of [true, false]) {
      it(`${MODEMS[kind].name}, ${exact ? 'exact' : 'max-log'}: equals the float64 brute-force receiver`, () => {
        const frameBits = 12 * 7; // 84 bits: frames straddle the 2040- and 16320-bit slices
        const nf = 220;
        const bits = randomBits(frameBits * nf, 5 + kind);
        const fr = mismatchedFrames(nf, frameBits, 40 + kind);
        const got = llrOverFlat(kind, bits, fr, 99, new Float32Array(bits.length), { exact });
        const want = reference(MODEMS[kind], bits, fr, 99, exact);
        let worst = 0;
        for (let i = 0; i < bits.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1e-4 + 1e-5 * Math.abs(want[i])));
        expect(worst).toBeLessThanOrEqual(1);
      });
    }
  }

  it('the perfect-CSI receiver would differ: σe² and ĥ both matter', () => {
    const bits = randomBits(600, 1);
    const fr = mismatchedFrames(100, 6, 2);
    const got = llrOverFlat(3, bits, fr, 3, new Float32Array(600));
    const perfect = llrOverFlat(3, bits, { ...fr, hHat: fr.h, errVar: new Float64Array(100) }, 3, new Float32Array(600));
    const noVar = llrOverFlat(3, bits, { ...fr, errVar: new Float64Array(100) }, 3, new Float32Array(600));
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    expect(maxDiff(got, perfect)).toBeGreaterThan(1);
    expect(maxDiff(got, noVar)).toBeGreaterThan(1);
  });
});

describe('llrOverFlat: uncoded BPSK over block Rayleigh fading, perfect CSI', () => {
  it('BER within the 99 % Wilson interval of ½(1 − √(γ̄/(1+γ̄))) at 0, 10, 20 dB', () => {
    // Frames of 64 bits share one h, so the bits of a frame are not independent trials. The
    // frames are: the per-frame error fraction e_f ∈ [0, 1] has mean p and variance ≤ p(1 − p),
    // so the Wilson interval over F frames at p̂ (round(p̂·F) "errors" in F trials) is conservative.
    const frameBits = 64, nf = 100_000;
    const fading = createFadingProcess({ channel: { kind: 'rayleigh' }, coherence: 1, doppler: null }, 3, 2026);
    const bits = randomBits(frameBits * nf, 8);
    const out = new Float32Array(bits.length);
    [0, 10, 20].forEach((ebn0, k) => {
      const h = new Float32Array(2 * nf);
      fading.gains(k, 0, nf, h);
      const n0 = 10 ** (-ebn0 / 10); // BPSK: Eb = Es = 1
      llrOverFlat(0, bits, { frameBits, h, hHat: h, n0: new Float64Array(nf).fill(n0), errVar: new Float64Array(nf) }, 100 + k, out);
      let errors = 0;
      for (let i = 0; i < bits.length; i++) if ((out[i] < 0 ? 1 : 0) !== bits[i]) errors++;
      const p = errors / bits.length;
      const ci = wilsonInterval(Math.round(p * nf), nf, 0.99);
      const want = berBpskRayleigh(ebn0);
      expect(want, `${ebn0} dB: BER ${p}`).toBeGreaterThanOrEqual(ci.lo);
      expect(want, `${ebn0} dB: BER ${p}`).toBeLessThanOrEqual(ci.hi);
    });
  });
});

describe('llrOverFlat: Rician K → ∞ is AWGN up to a known phase', () => {
  it('rician:300, perfect CSI: uncoded QPSK BER within the 99 % Wilson interval of the AWGN closed form', () => {
    // |h| = 1 to within 1e-15 and ĥ = h: z = x + n·conj(h), still CN(0, N0) and independent per
    // symbol, so every bit is an independent trial.
    const frameBits = 64, nf = 4000;
    const fading = createFadingProcess({ channel: { kind: 'rician', kFactorDb: 300 }, coherence: 1, doppler: null }, 4, 10);
    const h = new Float32Array(2 * nf);
    fading.gains(3, 0, nf, h); // this link's LOS phase is about 46°
    expect(Math.abs(Math.hypot(h[0], h[1]) - 1)).toBeLessThan(1e-6);
    expect(Math.min(Math.abs(h[0]), Math.abs(h[1]))).toBeGreaterThan(0.5); // a real rotation, not h ≈ 1
    const bits = randomBits(frameBits * nf, 12);
    for (const ebn0 of [2, 6]) {
      const n0 = 1 / (2 * 10 ** (ebn0 / 10)); // QPSK: Es = 2·Eb = 1
      const out = llrOverFlat(1, bits, { frameBits, h, hHat: h, n0: new Float64Array(nf).fill(n0), errVar: new Float64Array(nf) }, 31 + ebn0, new Float32Array(bits.length));
      let errors = 0;
      for (let i = 0; i < bits.length; i++) if ((out[i] < 0 ? 1 : 0) !== bits[i]) errors++;
      const ci = wilsonInterval(errors, bits.length, 0.99);
      expect(berQpsk(ebn0), `${ebn0} dB: ${errors} errors`).toBeGreaterThanOrEqual(ci.lo);
      expect(berQpsk(ebn0), `${ebn0} dB: ${errors} errors`).toBeLessThanOrEqual(ci.hi);
    }
  });
});

describe('llrOverFlat: reproducibility', () => {
  it('same seed → same LLRs; another seed → others; one Rng over two calls = one call', () => {
    const bits = randomBits(4 * 3000, 4);
    const fr = mismatchedFrames(1000, 12, 6);
    const a = llrOverFlat(2, bits, fr, 77, new Float32Array(bits.length));
    const b = llrOverFlat(2, bits, fr, 77, new Float32Array(bits.length));
    const c = llrOverFlat(2, bits, fr, 78, new Float32Array(bits.length));
    expect(sameBits(a, b)).toBe(true);
    expect(sameBits(a, c)).toBe(false);
    const rng = new Rng(77);
    const half = bits.length / 2, hf = 500;
    const part = (f0: number): FlatFrames => ({
      frameBits: 12, h: fr.h.subarray(2 * f0, 2 * (f0 + hf)), hHat: fr.hHat.subarray(2 * f0, 2 * (f0 + hf)),
      n0: (fr.n0 as Float64Array).subarray(f0, f0 + hf), errVar: (fr.errVar as Float64Array).subarray(f0, f0 + hf),
    });
    const first = llrOverFlat(2, bits.subarray(0, half), part(0), rng, new Float32Array(half));
    const second = llrOverFlat(2, bits.subarray(half), part(hf), rng, new Float32Array(half));
    expect(sameBits(first, a.subarray(0, half))).toBe(true);
    expect(sameBits(second, a.subarray(half))).toBe(true);
  });
});

describe('llrOverFlat: bad input', () => {
  const good = (): FlatFrames => mismatchedFrames(4, 8, 1);
  const bits = randomBits(32, 1);
  const bad: [string, () => unknown, RegExp][] = [
    ['frames vs gains length', () => llrOverFlat(1, bits, { ...good(), h: new Float32Array(6) }, 1, new Float32Array(32)), /frames\.h has 6 values, expected 2·4/],
    ['hHat length', () => llrOverFlat(1, bits, { ...good(), hHat: new Float32Array(10) }, 1, new Float32Array(32)), /frames\.hHat has 10 values/],
    ['errVar length', () => llrOverFlat(1, bits, { ...good(), errVar: [0, 0, 0] }, 1, new Float32Array(32)), /frames\.errVar has 3 values, expected 4/],
    ['bits vs frames', () => llrOverFlat(1, bits.subarray(0, 24), good(), 1, new Float32Array(24)), /bits has 24 bits, expected 4 frames × 8 = 32/],
    ['frameBits vs modulation', () => llrOverFlat(3, bits, good(), 1, new Float32Array(32)), /frameBits 8 is not a positive multiple of 6 \(64-QAM\)/],
    ['N0 = 0', () => llrOverFlat(1, bits, { ...good(), n0: [1, 0, 1, 1] }, 1, new Float32Array(32)), /frames\.n0\[1\] = 0 is not a finite N0 > 0/],
    ['N0 < 0', () => llrOverFlat(1, bits, { ...good(), n0: [1, 1, 1, -2] }, 1, new Float32Array(32)), /frames\.n0\[3\] = -2/],
    ['σe² < 0', () => llrOverFlat(1, bits, { ...good(), errVar: [0, -1, 0, 0] }, 1, new Float32Array(32)), /frames\.errVar\[1\] = -1/],
    ['ĥ = 0', () => llrOverFlat(1, bits, { ...good(), hHat: new Float32Array(8) }, 1, new Float32Array(32)), /frames\.hHat\[0\] = 0/],
    ['h not finite', () => llrOverFlat(1, bits, { ...good(), h: new Float32Array([1, 0, NaN, 0, 1, 0, 1, 0]) }, 1, new Float32Array(32)), /frames\.h\[1\] = NaN/],
    ['out length', () => llrOverFlat(1, bits, good(), 1, new Float32Array(31)), /out must hold one LLR per bit/],
    ['not a bit', () => llrOverFlat(1, Uint8Array.from(bits, (b, i) => (i === 9 ? 2 : b)), good(), 1, new Float32Array(32)), /bits\[9\] = 2 is not a bit/],
  ];
  for (const [what, call, msg] of bad) {
    it(`${what}: one-line error`, () => {
      expect(call).toThrow(msg);
      try {
        call();
      } catch (e) {
        expect((e as Error).message).not.toContain('\n');
      }
    });
  }

  it('no output written and the Rng unmoved on error', () => {
    const out = new Float32Array(32).fill(NaN);
    const rng = new Rng(5);
    expect(() => llrOverFlat(1, bits, { ...good(), n0: [1, 1, 1, 0] }, rng, out)).toThrow(/n0\[3\]/);
    expect(out.every(Number.isNaN)).toBe(true);
    expect(sameBits(rng.normal(8), new Rng(5).normal(8))).toBe(true);
  });
});
