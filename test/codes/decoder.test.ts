import { describe, expect, it } from 'vitest';
import { parseAlist } from '../../src/codes/alist.js';
import { ALIST_TEXTS } from '../../src/codes/data/alist/index.js';
import { LdpcDecoder, MINSUM_LANES, type LdpcDecodeOptions } from '../../src/codes/decoder.js';
import { wifiCode } from '../../src/codes/ieee80211n.js';
import { ldpcCode } from '../../src/codes/ldpc.js';
import type { ParityCheckMatrix } from '../../src/codes/types.js';
import { bpskLlrs, fixedPointMinSum } from './decoder_helpers.js';
import { errorOf, failedChecks, randomBits } from './parity.js';

const ALGS = ['nms', 'oms', 'spa'] as const;

const codes: { name: string; h: ParityCheckMatrix; rate: number; spec?: string }[] = [
  { name: '802.11n 648 R1/2', h: wifiCode(648, '1/2').H, rate: 0.5, spec: '80211n:648:1/2' },
  { name: '802.11n 1944 R1/2', h: wifiCode(1944, '1/2').H, rate: 0.5, spec: '80211n:1944:1/2' },
  { name: 'alist WiMAX 576 R1/2', h: parseAlist(ALIST_TEXTS['WIMAX_288_576']), rate: 0.5 },
];

/** `frames` codewords (frame-major) of the code: random ones when an encoder exists, else zero. */
function codewords(c: (typeof codes)[number], frames: number, seed: number): Uint8Array {
  const out = new Uint8Array(frames * c.h.n);
  if (!c.spec) return out;
  const code = ldpcCode(c.spec);
  for (let f = 0; f < frames; f++) out.set(code.encodeCodeword(randomBits(code.k, seed + f)), f * c.h.n);
  return out;
}

function frameErrors(h: ParityCheckMatrix, got: Uint8Array, sent: Uint8Array, frames: number): number {
  let fe = 0;
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < h.n; i++) {
      if (got[f * h.n + i] !== sent[f * h.n + i]) {
        fe++;
        break;
      }
    }
  }
  return fe;
}

describe('LdpcDecoder: clean and lightly noisy words', () => {
  for (const c of codes) {
    const dec = new LdpcDecoder(c.h);
    for (const algorithm of ALGS) {
      it(`${c.name}, ${algorithm}: noiseless codewords decode in one iteration`, () => {
        const frames = 3;
        const sent = codewords(c, frames, 11);
        expect(failedChecks(c.h, sent, 0)).toBe(0);
        const llr = Float32Array.from(sent, (b) => (b ? -6 : 6));
        for (let f = 0; f < frames; f++) {
          const r = dec.decode(llr.subarray(f * c.h.n, (f + 1) * c.h.n), { algorithm });
          expect(r.converged).toBe(true);
          expect(r.iterations).toBe(1);
          expect(Array.from(r.codeword)).toEqual(Array.from(sent.subarray(f * c.h.n, (f + 1) * c.h.n)));
        }
      });

      it(`${c.name}, ${algorithm}: Eb/N0 = 4 dB frames are corrected within a few iterations`, () => {
        const frames = 20;
        const sent = codewords(c, frames, 100);
        const llr = bpskLlrs(c.h.n, frames, c.rate, 4, 7, sent);
        // Raw channel decisions do contain errors, so the decoder has something to correct.
        let raw = 0;
        for (let i = 0; i < llr.length; i++) raw += (llr[i] < 0 ? 1 : 0) ^ sent[i];
        expect(raw).toBeGreaterThan(frames);
        const r = dec.decodeBatch(llr, frames, { algorithm });
        expect(frameErrors(c.h, r.codewords, sent, frames)).toBe(0);
        for (let f = 0; f < frames; f++) {
          expect(r.converged[f]).toBe(1);
          expect(r.iterations[f]).toBeLessThanOrEqual(6);
          expect(failedChecks(c.h, r.codewords, f * c.h.n)).toBe(0);
        }
      });
    }
  }
});

describe('LdpcDecoder: heavy noise', () => {
  const c = codes[0];
  const dec = new LdpcDecoder(c.h);
  for (const algorithm of ALGS) {
    it(`${algorithm}: at Eb/N0 = -2 dB failures are reported and the syndrome really is non-zero`, () => {
      const frames = algorithm === 'spa' ? 12 : 40;
      const llr = bpskLlrs(c.h.n, frames, c.rate, -2, 3);
      const iterations = algorithm === 'spa' ? 20 : 10;
      const r = dec.decodeBatch(llr, frames, { algorithm, iterations });
      expect(r.codewords.length).toBe(frames * c.h.n);
      let failed = 0;
      for (let f = 0; f < frames; f++) {
        const bad = failedChecks(c.h, r.codewords, f * c.h.n);
        if (r.converged[f]) {
          expect(bad).toBe(0);
        } else {
          failed++;
          expect(bad).toBeGreaterThan(0);
          expect(r.iterations[f]).toBe(iterations);
        }
        // Hard decisions are returned, not zeros: plenty of ones in a failed all-zero frame.
        if (!r.converged[f]) expect(r.codewords.subarray(f * c.h.n, (f + 1) * c.h.n).some((b) => b === 1)).toBe(true);
      }
      expect(failed).toBeGreaterThan(frames * 0.8);
      const one = dec.decode(llr.subarray(0, c.h.n), { algorithm, iterations });
      expect(one.converged).toBe(r.converged[0] === 1);
    });
  }
});

describe('LdpcDecoder: batches equal frame-by-frame decoding', () => {
  const c = codes[0];
  const dec = new LdpcDecoder(c.h);
  const frames = 2 * MINSUM_LANES + 5;
  const sent = codewords(c, frames, 500);
  // A mix of easy and hard frames so that lanes stop at different iterations.
  const llr = bpskLlrs(c.h.n, frames, c.rate, 1.25, 21, sent);
  const cases: LdpcDecodeOptions[] = [
    { algorithm: 'nms' },
    { algorithm: 'oms' },
    { algorithm: 'nms', earlyStop: false, iterations: 7, factor: 0.8125 },
    { algorithm: 'spa', iterations: 20 },
  ];
  for (const opts of cases) {
    it(`${JSON.stringify(opts)}: ${frames} frames, bit-identical`, () => {
      const b = dec.decodeBatch(llr, frames, opts);
      const its = new Set<number>();
      for (let f = 0; f < frames; f++) {
        const one = dec.decode(llr.subarray(f * c.h.n, (f + 1) * c.h.n), opts);
        expect(one.iterations).toBe(b.iterations[f]);
        expect(one.converged).toBe(b.converged[f] === 1);
        expect(Buffer.from(one.codeword).equals(Buffer.from(b.codewords.subarray(f * c.h.n, (f + 1) * c.h.n)))).toBe(true);
        its.add(b.iterations[f]);
        if (opts.earlyStop === false) expect(b.iterations[f]).toBe(opts.iterations);
      }
      if (opts.earlyStop !== false) expect(its.size).toBeGreaterThan(2);
    });
  }
});

describe('LdpcDecoder: exact on a cycle-free Tanner graph', () => {
  // A chain of checks {0,1,2} {2,3,4} {4,5,6} {6,7}: a tree, so flooding sum-product converges to
  // the exact bitwise MAP marginals and plain min-sum (factor 1) to the max-log ones (ML codeword).
  const h: ParityCheckMatrix = { n: 8, m: 4, rowPtr: Int32Array.of(0, 3, 6, 9, 11), colIdx: Int32Array.of(0, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7) };
  const words: number[][] = [];
  for (let w = 0; w < 256; w++) {
    const c = Array.from({ length: 8 }, (_, i) => (w >> i) & 1);
    if (failedChecks(h, Uint8Array.from(c)) === 0) words.push(c);
  }
  const frames = 200;
  // LLRs on the 0.25 grid in [-3, 3]: exact in the 8-bit fixed point, messages far from saturation.
  const g = bpskLlrs(8, frames, 1, 0, 31);
  const llr = Float32Array.from(g, (x) => Math.max(-12, Math.min(12, Math.round(x * 2))) / 4);
  const dec = new LdpcDecoder(h);

  it('has 16 codewords', () => expect(words.length).toBe(16));

  it('spa (flooding, 20 iterations) gives the bitwise MAP decisions', () => {
    const r = dec.decodeBatch(llr, frames, { algorithm: 'spa', iterations: 20, earlyStop: false });
    let compared = 0;
    for (let f = 0; f < frames; f++) {
      for (let i = 0; i < 8; i++) {
        let p0 = 0;
        let p1 = 0;
        for (const c of words) {
          let s = 0;
          for (let j = 0; j < 8; j++) s -= c[j] * llr[f * 8 + j];
          if (c[i]) p1 += Math.exp(s);
          else p0 += Math.exp(s);
        }
        const app = Math.log(p0 / p1);
        if (Math.abs(app) < 1e-3) continue;
        compared++;
        expect(r.codewords[f * 8 + i]).toBe(app < 0 ? 1 : 0);
      }
    }
    expect(compared).toBeGreaterThan(1500);
  });

  it('min-sum with factor 1 gives the max-log (maximum-likelihood) decisions', () => {
    const r = dec.decodeBatch(llr, frames, { algorithm: 'nms', factor: 1, iterations: 20, earlyStop: false });
    const o = dec.decodeBatch(llr, frames, { algorithm: 'oms', offset: 0, iterations: 20, earlyStop: false });
    let compared = 0;
    for (let f = 0; f < frames; f++) {
      for (let i = 0; i < 8; i++) {
        let best0 = Infinity;
        let best1 = Infinity;
        for (const c of words) {
          let s = 0;
          for (let j = 0; j < 8; j++) s += c[j] * llr[f * 8 + j];
          if (c[i]) best1 = Math.min(best1, s);
          else best0 = Math.min(best0, s);
        }
        if (best0 === best1) continue;
        compared++;
        expect(r.codewords[f * 8 + i]).toBe(best1 < best0 ? 1 : 0);
        expect(o.codewords[f * 8 + i]).toBe(best1 < best0 ? 1 : 0);
      }
    }
    expect(compared).toBeGreaterThan(1400);
  });
});

describe('LdpcDecoder.decodeBatchInto', () => {
  const c = codes[0];
  const dec = new LdpcDecoder(c.h);
  it('writes the same results as decodeBatch into caller-owned arrays, reused across calls', () => {
    const frames = 19;
    const out = { codewords: new Uint8Array((frames + 1) * c.h.n).fill(7), iterations: new Int32Array(frames + 1), converged: new Uint8Array(frames + 1) };
    for (const seed of [1, 2]) {
      const llr = bpskLlrs(c.h.n, frames, c.rate, 1.5, seed);
      const ref = dec.decodeBatch(llr, frames, { algorithm: 'oms' });
      expect(dec.decodeBatchInto(llr, frames, out, { algorithm: 'oms' })).toBe(out);
      expect(Buffer.from(out.codewords.subarray(0, frames * c.h.n)).equals(Buffer.from(ref.codewords))).toBe(true);
      expect(Array.from(out.iterations.subarray(0, frames))).toEqual(Array.from(ref.iterations));
      expect(Array.from(out.converged.subarray(0, frames))).toEqual(Array.from(ref.converged));
      expect(out.codewords[frames * c.h.n]).toBe(7); // nothing written past frames·n
    }
  });
  it('rejects output arrays that are too short', () => {
    const llr = new Float32Array(2 * c.h.n).fill(1);
    const msg = errorOf(() => dec.decodeBatchInto(llr, 2, { codewords: new Uint8Array(c.h.n), iterations: new Int32Array(2), converged: new Uint8Array(2) }));
    expect(msg).toMatch(/out.codewords must be a Uint8Array of at least frames·n = 1296 bytes/);
  });
});

describe('LdpcDecoder: fixed-point min-sum matches a scalar model of its arithmetic', () => {
  for (const c of [codes[0], codes[2]]) {
    const dec = new LdpcDecoder(c.h);
    const frames = 20;
    const llr = bpskLlrs(c.h.n, frames, c.rate, 1.5, 77, codewords(c, frames, 900));
    const cases = [
      { mode: 'nms' as const, iterations: 10, earlyStop: true },
      { mode: 'oms' as const, iterations: 10, earlyStop: true },
      { mode: 'nms' as const, iterations: 6, earlyStop: false, factor: 0.625, scale: 2.5 },
      { mode: 'oms' as const, iterations: 6, earlyStop: false, offset: 1, scale: 8 },
    ];
    for (const o of cases) {
      it(`${c.name}: ${JSON.stringify(o)}`, () => {
        const r = dec.decodeBatch(llr, frames, {
          algorithm: o.mode, iterations: o.iterations, earlyStop: o.earlyStop, factor: o.factor, offset: o.offset, llrScale: o.scale,
        });
        for (let f = 0; f < frames; f++) {
          const ref = fixedPointMinSum(c.h, llr.subarray(f * c.h.n, (f + 1) * c.h.n), o);
          expect(r.iterations[f]).toBe(ref.iterations);
          expect(r.converged[f] === 1).toBe(ref.converged);
          expect(Buffer.from(r.codewords.subarray(f * c.h.n, (f + 1) * c.h.n)).equals(Buffer.from(ref.codeword))).toBe(true);
        }
      });
    }
  }
});

describe('LdpcDecoder: frame error rate sanity (802.11n 648 R1/2, Eb/N0 = 2 dB)', () => {
  it('SPA (50 it.) is well below FER 0.5 and layered NMS/OMS (10 it.) are within a small factor of it', () => {
    const c = codes[0];
    const dec = new LdpcDecoder(c.h);
    const frames = 300;
    const sent = codewords(c, frames, 4000);
    const llr = bpskLlrs(c.h.n, frames, c.rate, 2, 2024, sent);
    const fer = (o: LdpcDecodeOptions) => frameErrors(c.h, dec.decodeBatch(llr, frames, o).codewords, sent, frames) / frames;
    const spa = fer({ algorithm: 'spa' });
    const nms = fer({ algorithm: 'nms' });
    const oms = fer({ algorithm: 'oms' });
    const uncoded = frameErrors(c.h, Uint8Array.from(llr, (x) => (x < 0 ? 1 : 0)), sent, frames) / frames;
    expect(uncoded).toBe(1);
    expect(spa).toBeLessThan(0.1);
    expect(nms).toBeLessThan(Math.max(4 * spa, 0.1));
    expect(oms).toBeLessThan(Math.max(4 * spa, 0.1));
    // Iterating on after convergence must not walk away from the codeword (saturation stability):
    // fixed 10 and 30 iterations do as well as early stop.
    for (const algorithm of ['nms', 'oms'] as const) {
      const es = fer({ algorithm });
      expect(fer({ algorithm, earlyStop: false })).toBeLessThanOrEqual(es + 0.01);
      expect(fer({ algorithm, earlyStop: false, iterations: 30 })).toBeLessThanOrEqual(es + 0.01);
    }
    // More iterations never hurt much: 20 layered iterations beat (or tie) 3.
    expect(fer({ algorithm: 'nms', iterations: 20 })).toBeLessThanOrEqual(fer({ algorithm: 'nms', iterations: 3 }));
  });
});

describe('LdpcDecoder: 5G NR BG1 with punctured columns (LLR 0)', () => {
  it('Z = 64 at Eb/N0 = 2.5 dB: nms/oms decode every frame with early stop and with 10 or 30 fixed iterations', () => {
    const code = ldpcCode('5gnr:bg1:z64');
    const h = code.H;
    const dec = new LdpcDecoder(h);
    const frames = 16;
    const mother = new Uint8Array(frames * h.n);
    const tx = new Uint8Array(frames * code.n);
    for (let f = 0; f < frames; f++) {
      const c = code.encodeCodeword(randomBits(code.k, 70 + f));
      mother.set(c, f * h.n);
      for (let i = 0; i < code.n; i++) tx[f * code.n + i] = c[code.txPositions[i]];
    }
    const llr = code.motherLlrs(bpskLlrs(code.n, frames, code.rate, 2.5, 99, tx), frames);
    for (const algorithm of ['nms', 'oms'] as const) {
      for (const o of [{}, { earlyStop: false }, { earlyStop: false, iterations: 30 }]) {
        const r = dec.decodeBatch(llr, frames, { algorithm, ...o });
        expect(frameErrors(h, r.codewords, mother, frames)).toBe(0);
        expect(Array.from(r.converged).every((x) => x === 1)).toBe(true);
      }
    }
  });
});

describe('LdpcDecoder: batches split into several WASM calls', () => {
  it('5G NR BG1 Z = 384 (n = 26112, 32 frames per call): 40 frames equal frame-by-frame decoding', () => {
    const code = ldpcCode('5gnr:bg1:z384');
    const h = code.H;
    const dec = new LdpcDecoder(h);
    const frames = 40;
    const llr = code.motherLlrs(bpskLlrs(code.n, frames, code.rate, 0.9, 5), frames);
    const b = dec.decodeBatch(llr, frames, { algorithm: 'oms' });
    for (const f of [0, 31, 32, 39]) {
      const one = dec.decode(llr.subarray(f * h.n, (f + 1) * h.n), { algorithm: 'oms' });
      expect(one.iterations).toBe(b.iterations[f]);
      expect(one.converged).toBe(b.converged[f] === 1);
      expect(Buffer.from(one.codeword).equals(Buffer.from(b.codewords.subarray(f * h.n, (f + 1) * h.n)))).toBe(true);
    }
    expect(new Set(b.iterations).size).toBeGreaterThan(1);
  });
});

describe('LdpcDecoder: inputs', () => {
  const h = codes[0].h;
  const dec = new LdpcDecoder(h);
  const good = new Float32Array(h.n).fill(3);

  it('accepts infinite LLRs as certain bits', () => {
    const llr = good.slice();
    llr[5] = Infinity;
    llr[6] = -Infinity; // a wrong certain bit cannot be fixed, but the call works
    for (const algorithm of ALGS) {
      const r = dec.decode(llr, { algorithm });
      expect(r.codeword[5]).toBe(0);
      expect(r.codeword.length).toBe(h.n);
    }
  });

  it('rejects bad LLR arrays, options and frame counts with one-line errors', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => dec.decode(new Float32Array(h.n - 1)), /llr has length 647, expected 648/],
      [() => dec.decode(Array.from(good) as unknown as Float32Array), /llr must be a Float32Array/],
      [() => { const x = good.slice(); x[17] = NaN; return dec.decode(x); }, /llr\[17\] is NaN/],
      [() => { const x = new Float32Array(3 * h.n); x[2 * h.n + 4] = NaN; return dec.decodeBatch(x, 3); }, /llr\[1300\] is NaN/],
      [() => dec.decode(good, { algorithm: 'bp' as 'spa' }), /unknown algorithm 'bp'/],
      [() => dec.decode(good, { iterations: 0 }), /iterations must be an integer >= 1, got 0/],
      [() => dec.decode(good, { iterations: 2.5 }), /iterations must be an integer >= 1, got 2.5/],
      [() => dec.decode(good, { factor: 0 }), /factor must be in \(0, 1\], got 0/],
      [() => dec.decode(good, { factor: 1.5 }), /factor must be in \(0, 1\], got 1.5/],
      [() => dec.decode(good, { algorithm: 'oms', offset: -1 }), /offset must be a finite number >= 0, got -1/],
      [() => dec.decode(good, { llrScale: 0 }), /llrScale must be a finite number > 0, got 0/],
      [() => dec.decode(good, { earlyStop: 1 as unknown as boolean }), /earlyStop must be a boolean, got 1/],
      [() => dec.decodeBatch(good, 0), /frames must be an integer >= 1, got 0/],
      [() => dec.decodeBatch(good, 2), /llr has length 648, expected 1296/],
      [() => new LdpcDecoder({ ...h, colIdx: Int32Array.from(h.colIdx, (c, i) => (i === 9 ? h.n : c)) }), /H.colIdx\[9\] = 648 is outside 0..647/],
      [() => new LdpcDecoder({ ...h, rowPtr: h.rowPtr.subarray(1) }), /H.rowPtr must be an Int32Array of length m\+1 = 325/],
      [() => new LdpcDecoder({ n: 3, m: 1, rowPtr: Int32Array.of(0, 2), colIdx: Int32Array.of(1, 1) }), /not strictly ascending at colIdx\[1\] = 1/],
    ];
    for (const [f, re] of bad) {
      const msg = errorOf(f);
      expect(msg).toMatch(re);
      expect(msg).not.toContain('\n');
    }
  });

  it('is deterministic and leaves its input untouched', () => {
    const llr = bpskLlrs(h.n, 17, 0.5, 1, 5);
    const copy = llr.slice();
    const a = dec.decodeBatch(llr, 17, { algorithm: 'oms' });
    const b = dec.decodeBatch(llr, 17, { algorithm: 'oms' });
    expect(Buffer.from(a.codewords).equals(Buffer.from(b.codewords))).toBe(true);
    expect(Array.from(a.iterations)).toEqual(Array.from(b.iterations));
    expect(Buffer.from(llr.buffer).equals(Buffer.from(copy.buffer))).toBe(true);
  });
});

describe('LdpcDecoder: single frames of quasi-cyclic codes (16 rows at a time) equal the 16-frame kernel', () => {
  it('detects the lifting size of 802.11n and NR matrices, and none where rows are not cyclic shifts', () => {
    expect(new LdpcDecoder(wifiCode(648, '1/2').H).liftingSize).toBe(27);
    expect(new LdpcDecoder(wifiCode(1944, '3/4').H).liftingSize).toBe(81);
    expect(new LdpcDecoder(ldpcCode('5gnr:bg1:z384').H).liftingSize).toBe(384);
    expect(new LdpcDecoder(ldpcCode('5gnr:bg2:z15').H).liftingSize).toBe(0); // Z < 16
    expect(new LdpcDecoder(parseAlist(ALIST_TEXTS.MACKAY_504_1008)).liftingSize).toBe(0);
    // Swapping two rows of one block row breaks the row-i ↔ shift-by-i structure.
    const h = wifiCode(648, '1/2').H;
    const rows: number[][] = [];
    for (let r = 0; r < h.m; r++) rows.push(Array.from(h.colIdx.subarray(h.rowPtr[r], h.rowPtr[r + 1])));
    [rows[3], rows[4]] = [rows[4], rows[3]];
    const rowPtr = new Int32Array(h.m + 1);
    rows.forEach((r, i) => (rowPtr[i + 1] = rowPtr[i] + r.length));
    expect(new LdpcDecoder({ n: h.n, m: h.m, rowPtr, colIdx: Int32Array.from(rows.flat()) }).liftingSize).toBe(0);
  });

  const cases: { spec: string; z: number; ebn0: number[] }[] = [
    { spec: '80211n:648:1/2', z: 27, ebn0: [0.5, 1.5, 3] }, // Z < 32: stores touching both ends of a block column
    { spec: '80211n:1944:1/2', z: 81, ebn0: [1, 2] }, // 81 = 5·16 + 1: a 1-row last chunk
    { spec: '5gnr:bg1:z16:mother', z: 16, ebn0: [1, 2.5] }, // exactly one chunk
    { spec: '5gnr:bg2:z20:mother', z: 20, ebn0: [1, 2.5] },
  ];
  const optsList: LdpcDecodeOptions[] = [
    {},
    { algorithm: 'oms' },
    { earlyStop: false, iterations: 7, factor: 0.8125 },
    { algorithm: 'oms', offset: 1, earlyStop: false, iterations: 3 },
    { llrScale: 2, iterations: 25 },
  ];
  for (const { spec, z, ebn0 } of cases) {
    it(`${spec} (Z = ${z}): decode and 3-frame batches are bit-identical to one 16-lane batch`, () => {
      const code = ldpcCode(spec);
      const dec = new LdpcDecoder(code.H);
      expect(dec.liftingSize).toBe(z);
      const n = code.H.n;
      const frames = 12;
      let converged = 0;
      let failed = 0;
      for (const [si, snr] of ebn0.entries()) {
        const sent = new Uint8Array(frames * n);
        for (let f = 0; f < frames; f++) sent.set(code.encodeCodeword(randomBits(code.k, 70 + 13 * si + f)), f * n);
        const llr = bpskLlrs(n, frames, code.k / n, snr, 90 + si, sent);
        for (const opts of optsList) {
          const ref = dec.decodeBatch(llr, frames, opts); // 12 frames: the 16-lane kernel
          for (let f = 0; f < frames; f++) {
            const one = dec.decode(llr.subarray(f * n, (f + 1) * n), opts);
            expect(one.iterations).toBe(ref.iterations[f]);
            expect(one.converged).toBe(ref.converged[f] === 1);
            expect(Buffer.from(one.codeword).equals(Buffer.from(ref.codewords.subarray(f * n, (f + 1) * n)))).toBe(true);
            if (one.converged) {
              converged++;
              expect(failedChecks(code.H, one.codeword, 0)).toBe(0);
            } else failed++;
          }
          const three = dec.decodeBatch(llr.subarray(0, 3 * n), 3, opts);
          expect(Buffer.from(three.codewords).equals(Buffer.from(ref.codewords.subarray(0, 3 * n)))).toBe(true);
        }
      }
      // Both outcomes occur, so the comparison covers stopped and unconverged frames.
      expect(converged).toBeGreaterThan(0);
      expect(failed).toBeGreaterThan(0);
    });
  }
});
