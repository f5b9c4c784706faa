// The digital codec's flat-fading path (one gain per vector, receiver estimate ĥ, σe²) and its
// per-codeword error flags, against an allocating reference chain, exact noiseless cases, the
// recorded llrOverFlat inputs, and statistics that must match the AWGN path's.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { paddingPattern } from '../../src/link/padding.js';
import { DigitalCodec, type FlatVectorGains } from '../../src/link/digital_codec.js';
import { Rng } from '../../src/channel/rng.js';
import { llrOverFlat, type FlatFrames } from '../../src/channel/flat.js';
import { quantize, dequantize, toBits, fromBits } from '../../src/channel/quantize.js';
import type { ModulationName } from '../../src/channel/modem.js';

/** Every llrOverFlat call, with copies of its frames and its output LLRs. */
const record = vi.hoisted(() => ({ calls: [] as { kind: number; frames: { frameBits: number; h: number[]; hHat: number[]; n0: number[]; errVar: number[] }; llr: Float32Array }[] }));

vi.mock('../../src/channel/flat.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/channel/flat.js')>();
  const spy: typeof mod.llrOverFlat = (kind, bits, frames, noise, out, opts) => {
    const got = mod.llrOverFlat(kind, bits, frames, noise, out, opts);
    const { frameBits, h, hHat, n0, errVar } = frames;
    record.calls.push({ kind, frames: { frameBits, h: Array.from(h), hHat: Array.from(hHat), n0: Array.from(n0), errVar: Array.from(errVar) }, llr: Float32Array.from(got) });
    return got;
  };
  return { ...mod, llrOverFlat: spy };
});

const KIND: Record<ModulationName, 0 | 1 | 2 | 3> = { bpsk: 0, qpsk: 1, '16qam': 2, '64qam': 3 };
const vectors = (count: number, d: number) => new Rng(9).normal(count * d).map((x) => Math.max(0, x));

/** Gains e^{jφ_i}·amp_i with ĥ = scale·h and σe² = errVar for each vector. */
function gains(phases: number[], opts: { amp?: number[]; hatScale?: [number, number]; errVar?: number[] } = {}): FlatVectorGains {
  const n = phases.length;
  const h = new Float32Array(2 * n);
  const hHat = new Float32Array(2 * n);
  const [sr, si] = opts.hatScale ?? [1, 0];
  phases.forEach((p, i) => {
    const a = opts.amp?.[i] ?? 1;
    h[2 * i] = a * Math.cos(p);
    h[2 * i + 1] = a * Math.sin(p);
    hHat[2 * i] = h[2 * i] * sr - h[2 * i + 1] * si;
    hHat[2 * i + 1] = h[2 * i] * si + h[2 * i + 1] * sr;
  });
  return { h, hHat, errVar: Float32Array.from(opts.errVar ?? new Array<number>(n).fill(0)) };
}

/** The info bits (F·k per vector, padded as src/link/padding.ts says) the codec sends for these vectors. */
function infoBits(c: DigitalCodec, x: Float32Array, d: number, count: number): Uint8Array {
  const F = c.framesPerVector(d);
  const k = c.code.k;
  const info = new Uint8Array(count * F * k);
  const pad = paddingPattern(c.modem.bitsPerSymbol, k);
  for (let i = 0; i < count; i++) {
    const bits = toBits(quantize(x.subarray(i * d, (i + 1) * d), c.options.bits).codes, c.options.bits);
    info.set(bits, i * F * k);
    if (pad) for (let j = bits.length; j < F * k; j++) info[i * F * k + j] = pad[j - (F - 1) * k];
  }
  return info;
}

/**
 * The flat link from the allocating pieces: one llrOverFlat call with every codeword's gain,
 * ĥ, N0 and σe², then decoding, a per-codeword comparison of the k info bits, and dequantising.
 */
function referenceFlat(c: DigitalCodec, x: Float32Array, d: number, snrs: number[], g: FlatVectorGains, seed: number) {
  const { code } = c;
  const b = c.options.bits;
  const F = c.framesPerVector(d);
  const count = snrs.length;
  const info = infoBits(c, x, d, count);
  const coded = code.encodeBatch(info, count * F);
  const per = (a: ArrayLike<number>, w: number) => Float32Array.from({ length: count * F * w }, (_, j) => a[Math.floor(j / (F * w)) * w + (j % w)]);
  const frames: FlatFrames = {
    frameBits: code.n,
    h: per(g.h, 2),
    hHat: per(g.hHat, 2),
    n0: Array.from({ length: count * F }, (_, f) => 10 ** (-snrs[Math.floor(f / F)] / 10)),
    errVar: Array.from({ length: count * F }, (_, f) => g.errVar[Math.floor(f / F)]),
  };
  const llr = llrOverFlat(KIND[c.modem.name], coded, frames, new Rng(seed), new Float32Array(coded.length));
  const dec = code.decodeBatch(llr, count * F, c.options.decoder);
  const codewordErrors = Uint8Array.from({ length: count * F }, (_, f) => (dec.bits.subarray(f * code.k, (f + 1) * code.k).some((v, j) => v !== info[f * code.k + j]) ? 1 : 0));
  const received = new Float32Array(count * d);
  for (let i = 0; i < count; i++) {
    const q = quantize(x.subarray(i * d, (i + 1) * d), b);
    received.set(dequantize({ ...q, codes: fromBits(dec.bits.subarray(i * F * code.k, i * F * code.k + d * b), b) }), i * d);
  }
  return { received, codewordErrors };
}

/** Largest |received − sent| over vector v, and half the quantiser step of that vector. */
function worst(x: Float32Array, r: Float32Array, d: number, v: number, bits: number): { err: number; halfStep: number } {
  const row = x.subarray(v * d, (v + 1) * d);
  let err = 0;
  for (let j = 0; j < d; j++) err = Math.max(err, Math.abs(r[v * d + j] - row[j]));
  return { err, halfStep: (Math.max(...row) - Math.min(...row)) / (2 ** bits - 1) / 2 + 1e-5 };
}

const sum = (a: Uint8Array, from = 0, to = a.length) => a.subarray(from, to).reduce((s, v) => s + v, 0);

beforeEach(() => {
  record.calls.length = 0;
});

describe('digital codec, flat fading: exact cases', () => {
  it.each(['bpsk', 'qpsk', '16qam', '64qam'] as const)('%s at 30 dB, |h| = 1 and any phase, ĥ = h: every feature within half a step, no codeword errors', (modulation) => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation, bits: 8 });
    const d = 100;
    const x = vectors(4, d);
    const r = c.transmit(x, d, [30, 30, 30, 30], 1, gains([0, 0.7, -2.1, Math.PI]));
    expect(r.stats.bitErrors).toBe(0);
    expect(r.stats.frameErrors).toBe(0);
    expect(r.stats.failedFrames).toBe(0);
    expect(r.codewordErrors.length).toBe(4 * c.framesPerVector(d));
    expect(sum(r.codewordErrors)).toBe(0);
    for (let v = 0; v < 4; v++) {
      const { err, halfStep } = worst(x, r.received, d, v, 8);
      expect(err).toBeLessThanOrEqual(halfStep);
    }
  });

  it('equals the allocating reference chain bit for bit: received and per-codeword flags', () => {
    for (const [code, modulation, bits] of [['80211n:648:1/2', 'bpsk', 8], ['80211n:1296:3/4', '16qam', 6]] as const) {
      const c = new DigitalCodec({ code, modulation, bits });
      const d = 200;
      const x = vectors(6, d);
      const snrs = modulation === 'bpsk' ? [-1, 0, 1, 0.5, -0.5, 2] : [9, 10, 11, 12, 9.5, 10.5];
      const g = gains([0.1, 1, 2, 3, 4, 5], { amp: [1, 0.9, 1.2, 1, 0.8, 1.1], hatScale: [0.95, 0.05], errVar: [0, 0.01, 0.1, 0, 0.05, 0.2] });
      const want = referenceFlat(c, x, d, snrs, g, 7);
      const got = c.transmit(x, d, snrs, 7, g);
      expect(Array.from(got.received)).toEqual(Array.from(want.received));
      expect(Array.from(got.codewordErrors)).toEqual(Array.from(want.codewordErrors));
      // The chosen points give some failed and some good codewords: the flags are not all alike.
      expect(got.stats.frameErrors).toBe(sum(want.codewordErrors));
      expect(got.stats.frameErrors).toBeGreaterThan(0);
      expect(got.stats.frameErrors).toBeLessThan(got.stats.frames);
    }
  });

  it('passes llrOverFlat one frame per codeword: its vector’s h, ĥ, N0 = 10^(−Es/N0/10), σe², the modem’s kind; AWGN never calls it', () => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: '64qam', bits: 8 });
    const d = 100;
    const F = c.framesPerVector(d);
    const g = gains([0.3, -1], { amp: [1, 0.5], hatScale: [1.1, -0.2], errVar: [0.25, 0] });
    c.transmit(vectors(2, d), d, [4, 13], 2, g);
    expect(record.calls.length).toBe(1);
    const { kind, frames } = record.calls[0];
    expect(kind).toBe(3);
    expect(frames.frameBits).toBe(648);
    expect(frames.n0.length).toBe(2 * F);
    for (let f = 0; f < 2 * F; f++) {
      const i = Math.floor(f / F);
      expect(frames.h.slice(2 * f, 2 * f + 2)).toEqual([g.h[2 * i], g.h[2 * i + 1]]);
      expect(frames.hHat.slice(2 * f, 2 * f + 2)).toEqual([g.hHat[2 * i], g.hHat[2 * i + 1]]);
      expect(frames.n0[f]).toBeCloseTo([10 ** -0.4, 10 ** -1.3][i], 12);
      expect(frames.errVar[f]).toBe(g.errVar[i]);
    }
    c.transmit(vectors(2, d), d, [4, 13], 2);
    expect(record.calls.length).toBe(1);
  });

  it('noiseless vectors: ĥ = h decodes exactly at any gain, ĥ = −h fails every codeword; ĥ = 0 erases (LLR 0 ⇒ all-zero bits)', () => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: '16qam', bits: 8 });
    const d = 100;
    const F = c.framesPerVector(d);
    const x = vectors(3, d);
    const g = gains([0.4, 2, -1], { amp: [0.3, 1.7, 1] });
    g.hHat.set([-g.h[2], -g.h[3]], 2); // vector 1: ĥ = −h
    g.hHat.set([0, 0], 4); // vector 2: erased
    const r = c.transmit(x, d, [Infinity, Infinity, 5], 3, g);
    expect(worst(x, r.received, d, 0, 8).err).toBeLessThanOrEqual(worst(x, r.received, d, 0, 8).halfStep);
    expect(sum(r.codewordErrors, 0, F)).toBe(0);
    expect(sum(r.codewordErrors, F, 2 * F)).toBe(F);
    // The erased vector decodes to all zeros: exactly its codewords that carry a 1 are wrong.
    const info = infoBits(c, x, d, 3);
    for (let f = 2 * F; f < 3 * F; f++) expect(r.codewordErrors[f]).toBe(info.subarray(f * c.code.k, (f + 1) * c.code.k).some((v) => v === 1) ? 1 : 0);
    expect(r.stats.frameErrors).toBe(sum(r.codewordErrors));
    // One llrOverFlat call over all three vectors' codewords (placeholder gains for vectors 0–2's specials).
    expect(record.calls.length).toBe(1);
    expect(record.calls[0].llr.length).toBe(3 * F * 648);
  });

  it('a vector’s noise does not depend on the other vectors being noiseless, erased or noisy', () => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 8 });
    const d = 200;
    const F = c.framesPerVector(d);
    const x = vectors(3, d);
    const runs = [
      c.transmit(x, d, [-2, 0, -2], 4, gains([0.5, 1, 1.5])),
      c.transmit(x, d, [-2, Infinity, -2], 4, gains([0.5, 1, 1.5])),
      c.transmit(x, d, [-2, 0, -2], 4, { ...gains([0.5, 1, 1.5]), hHat: Float32Array.from([Math.cos(0.5), Math.sin(0.5), 0, 0, Math.cos(1.5), Math.sin(1.5)]) }),
    ];
    for (const r of runs.slice(1)) {
      for (const v of [0, 2]) {
        expect(Array.from(r.received.subarray(v * d, (v + 1) * d))).toEqual(Array.from(runs[0].received.subarray(v * d, (v + 1) * d)));
        expect(Array.from(r.codewordErrors.subarray(v * F, (v + 1) * F))).toEqual(Array.from(runs[0].codewordErrors.subarray(v * F, (v + 1) * F)));
      }
    }
    // At −2 dB the noise is real: some feature of vector 0 is off by more than half a step.
    expect(worst(x, runs[0].received, d, 0, 8).err).toBeGreaterThan(worst(x, runs[0].received, d, 0, 8).halfStep);
  });
});

describe('digital codec, flat fading: codeword errors', () => {
  it('a deep fade (|h|² = 0.01 at 3 dB) fails nearly all of its vector’s codewords, the others (|h| = 1, 20 dB) none', () => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: 'qpsk', bits: 8 });
    const d = 400;
    const F = c.framesPerVector(d);
    const r = c.transmit(vectors(3, d), d, [20, 3, 20], 5, gains([1, 0.3, -2], { amp: [1, 0.1, 1] }));
    expect(sum(r.codewordErrors, 0, F)).toBe(0);
    expect(sum(r.codewordErrors, F, 2 * F)).toBeGreaterThanOrEqual(F - 1);
    expect(sum(r.codewordErrors, 2 * F)).toBe(0);
    expect(r.stats.frameErrors).toBe(sum(r.codewordErrors));
  });

  it.each(['bpsk', '16qam'] as const)('%s: ĥ = −h at 20 dB fails every codeword (flipped LLRs)', (modulation) => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation, bits: 8 });
    const d = 200;
    const r = c.transmit(vectors(2, d), d, [20, 20], 6, gains([0.7, -0.4], { hatScale: [-1, 0] }));
    expect(r.stats.frameErrors).toBe(r.stats.frames);
    expect(sum(r.codewordErrors)).toBe(r.stats.frames);
  });

  it('σe² > 0 scales BPSK LLRs by N0/(N0 + σe²) for the same noise; 16-QAM |LLR|s shrink', () => {
    for (const modulation of ['bpsk', '16qam'] as const) {
      const c = new DigitalCodec({ code: '80211n:648:1/2', modulation, bits: 8 });
      const d = 100;
      const n0 = 10 ** -0.2;
      c.transmit(vectors(2, d), d, [2, 2], 8, gains([0.4, -1.2], { errVar: [0, 0] }));
      c.transmit(vectors(2, d), d, [2, 2], 8, gains([0.4, -1.2], { errVar: [n0, n0] }));
      const [a, b] = record.calls.map((k) => k.llr);
      record.calls.length = 0;
      if (modulation === 'bpsk') {
        for (let m = 0; m < a.length; m++) expect(Math.abs(b[m] - a[m] * 0.5)).toBeLessThanOrEqual(1e-5 * Math.abs(a[m]) + 1e-30);
      } else {
        // Exact 16-QAM LLRs are not a multiple of 1/N̂0_eff (the far points' terms), so compare sums.
        let sa = 0, sb = 0;
        for (let m = 0; m < a.length; m++) {
          sa += Math.abs(a[m]);
          sb += Math.abs(b[m]);
        }
        expect(sb).toBeLessThan(0.75 * sa);
        expect(sb).toBeGreaterThan(0.25 * sa);
      }
    }
  });

  it('near threshold, h = 1, h = e^{jφ} and the AWGN path give the same codeword and bit error counts (statistically)', () => {
    for (const [modulation, snr] of [['bpsk', -2], ['16qam', 7.2]] as const) {
      const c = new DigitalCodec({ code: '80211n:648:1/2', modulation, bits: 8 });
      const d = 162; // 1296 bits: 4 codewords
      const n = 150;
      const x = vectors(n, d);
      const snrs = new Array<number>(n).fill(snr);
      const awgn = c.transmit(x, d, snrs, 11).stats;
      const one = c.transmit(x, d, snrs, 12, gains(new Array<number>(n).fill(0))).stats;
      const rot = c.transmit(x, d, snrs, 13, gains(Array.from({ length: n }, (_, i) => 0.37 * i))).stats;
      expect(one.frames).toBe(600);
      // A BLER well inside (0, 1), so the comparison means something.
      expect(awgn.frameErrors).toBeGreaterThan(60);
      expect(awgn.frameErrors).toBeLessThan(540);
      for (const s of [one, rot]) {
        // Two independent counts: |a − b| within 4.5 standard deviations (binomial var ≤ mean).
        expect(Math.abs(s.frameErrors - awgn.frameErrors)).toBeLessThan(4.5 * Math.sqrt(s.frameErrors + awgn.frameErrors));
        expect(Math.abs(s.bitErrors - awgn.bitErrors) / awgn.bitErrors).toBeLessThan(0.35);
      }
    }
  });
});

describe('digital codec, flat fading: seeds and input checks', () => {
  it('same seed ⇒ bit-identical received, flags and counts (also after a larger call and from a fresh codec)', () => {
    const opts = { code: '80211n:648:1/2', modulation: 'qpsk', bits: 7 } as const;
    const c = new DigitalCodec(opts);
    const d = 150;
    const x = vectors(3, d);
    const g = gains([0.2, 1.4, 2.9], { amp: [0.7, 1, 1.3], errVar: [0.05, 0, 0.1] });
    const snrs = [1, 2, 1.5];
    const a = c.transmit(x, d, snrs, 21, g);
    c.transmit(vectors(8, 400), 400, new Array<number>(8).fill(0), 3, gains(new Array<number>(8).fill(1))); // grows the buffers
    const b = c.transmit(x, d, snrs, 21, g);
    const fresh = new DigitalCodec(opts).transmit(x, d, snrs, 21, g);
    for (const r of [b, fresh]) {
      expect(Array.from(r.received)).toEqual(Array.from(a.received));
      expect(Array.from(r.codewordErrors)).toEqual(Array.from(a.codewordErrors));
      expect({ ...r.stats, encodeMs: 0, channelMs: 0, decodeMs: 0, quantiseMs: 0 }).toEqual({ ...a.stats, encodeMs: 0, channelMs: 0, decodeMs: 0, quantiseMs: 0 });
    }
    expect(Array.from(c.transmit(x, d, snrs, 22, g).received)).not.toEqual(Array.from(a.received));
  });

  it('AWGN path: codewordErrors equal a re-decode of the allocating chain, frameErrors their sum', () => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 8 });
    const d = 200;
    const F = c.framesPerVector(d);
    const x = vectors(4, d);
    const snrs = [-3, -2, -1, 30];
    const r = c.transmit(x, d, snrs, 2);
    const info = infoBits(c, x, d, 4);
    const coded = c.code.encodeBatch(info, 4 * F);
    const rng = new Rng(2);
    const per = F * c.code.n;
    const llr = new Float32Array(coded.length);
    snrs.forEach((snr, i) => llr.set(c.modem.demapExact(c.modem.addNoise(c.modem.modulate(coded.subarray(i * per, (i + 1) * per)), snr, rng), 10 ** (-snr / 10)), i * per));
    const dec = c.code.decodeBatch(llr, 4 * F);
    const k = c.code.k;
    const want = Array.from({ length: 4 * F }, (_, f) => (dec.bits.subarray(f * k, (f + 1) * k).some((v, j) => v !== info[f * k + j]) ? 1 : 0));
    expect(Array.from(r.codewordErrors)).toEqual(want);
    expect(r.stats.frameErrors).toBe(sum(r.codewordErrors));
    expect(r.stats.frameErrors).toBeGreaterThan(0);
    expect(sum(r.codewordErrors, 3 * F)).toBe(0);
  });

  it('rejects bad gains with a one-line error naming the vector and value, and leaves nothing behind', () => {
    const c = new DigitalCodec({ code: '80211n:648:1/2', modulation: 'qpsk', bits: 8 });
    const d = 100;
    const x = vectors(3, d);
    const good = () => gains([0, 1, 2], { errVar: [0, 0.1, 0] });
    const bad: [FlatVectorGains, RegExp][] = [
      [{ ...good(), h: new Float32Array(5) }, /flat\.h has 5 values, expected 2·3/],
      [{ ...good(), errVar: new Float32Array(2) }, /flat\.errVar has 2 values, expected 3/],
      [{ ...good(), hHat: Float32Array.from([1, 0, 1, 0, NaN, 0]) }, /flat\.hHat of vector 2 is NaN\+0j/],
      [{ ...good(), h: Float32Array.from([1, 0, 1, Infinity, 1, 0]) }, /flat\.h of vector 1 is 1\+Infinityj/],
      [{ ...good(), errVar: Float32Array.from([0, -0.5, 0]) }, /flat\.errVar of vector 1 is -0\.5/],
      [{ ...good(), errVar: Float32Array.from([0, 0, Infinity]) }, /flat\.errVar of vector 2 is Infinity/],
    ];
    const before = c.transmit(x, d, [3, 3, 3], 9, good());
    for (const [g, msg] of bad) {
      let err: unknown;
      try {
        c.transmit(x, d, [3, 3, 3], 9, g);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).not.toMatch(/\n/);
    }
    expect(record.calls.length).toBe(1); // the failed calls never reached the channel
    // An Es/N0 whose LLRs would overflow float32 is named by its vector, not its codeword.
    expect(() => c.transmit(x, d, [3, 400, 3], 9, gains([0, 1, 2]))).toThrow(/^digital link: vector 1: .*frame 3 .*float32/);
    const after = c.transmit(x, d, [3, 3, 3], 9, good());
    expect(Array.from(after.received)).toEqual(Array.from(before.received));
    expect(Array.from(after.codewordErrors)).toEqual(Array.from(before.codewordErrors));
    expect(after.stats.frameErrors).toBe(before.stats.frameErrors);
    expect(after.stats.bitErrors).toBe(before.stats.bitErrors);
  });
});
