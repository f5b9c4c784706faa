import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALIST_CCSDS_64_128 } from '../../src/codes/data/alist/CCSDS_64_128.js';
import { ALIST_TEXTS } from '../../src/codes/data/alist/index.js';
import { LdpcDecoder } from '../../src/codes/decoder.js';
import { alistCode, ldpcCode, loadLdpcCode, type LdpcCode } from '../../src/codes/ldpc.js';
import { errorOf, failedChecks, randomBits } from './parity.js';

/** BPSK (0 → +1, 1 → −1) over AWGN with noise variance sigma2 per real dimension: LLR = 2y/σ². */
function bpskLlrs(bits: Uint8Array, sigma2: number, seed: number): Float32Array {
  let x = seed >>> 0 || 1;
  const u = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return (x + 0.5) / 4294967296;
  };
  const out = new Float32Array(bits.length);
  const sigma = Math.sqrt(sigma2);
  for (let i = 0; i < bits.length; i++) {
    const g = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    out[i] = (2 * ((1 - 2 * bits[i]) + sigma * g)) / sigma2;
  }
  return out;
}

/** Checks encode against the mother codeword: H·c = 0, info at infoPositions, transmitted = c[txPositions]. */
function checkEncoding(code: LdpcCode, trials: number, seed: number): void {
  for (let t = 0; t < trials; t++) {
    const info = randomBits(code.k, seed + 101 * t);
    const tx = code.encode(info);
    const c = code.encodeCodeword(info);
    expect(tx.length).toBe(code.n);
    expect(c.length).toBe(code.H.n);
    expect(failedChecks(code.H, c)).toBe(0);
    for (let j = 0; j < code.k; j++) if (c[code.infoPositions[j]] !== info[j]) throw new Error(`info bit ${j} misplaced`);
    for (let i = 0; i < code.n; i++) if (tx[i] !== c[code.txPositions[i]]) throw new Error(`transmitted bit ${i} wrong`);
  }
}

describe('ldpcCode specs', () => {
  const sizes: [string, number, number, number][] = [
    ['80211n:648:1/2', 648, 324, 648],
    ['80211n:1944:5/6', 1944, 1620, 1944],
    ['5gnr:bg1:z384', 66 * 384, 22 * 384, 68 * 384],
    ['5gnr:bg2:z2', 100, 20, 104],
    ['5gnr:bg1:z2', 132, 44, 136],
    ['5gnr:bg2:z384', 50 * 384, 10 * 384, 52 * 384],
    ['5gnr:bg1:z16:mother', 68 * 16, 22 * 16, 68 * 16],
    ['5gnr:bg2:z10:e150', 150, 100, 520],
    ['5gnr:bg1:z4:e600', 600, 88, 272],
  ];
  for (const [spec, n, k, hn] of sizes) {
    it(`${spec}: n = ${n}, k = ${k}, H.n = ${hn}; encodings check`, () => {
      const code = ldpcCode(spec);
      expect([code.n, code.k, code.H.n, code.spec]).toEqual([n, k, hn, spec]);
      expect(code.rate).toBeCloseTo(k / n, 12);
      checkEncoding(code, hn > 20000 ? 3 : 10, n);
    });
  }

  for (const n of [648, 1296, 1944]) {
    for (const r of ['1/2', '2/3', '3/4', '5/6']) {
      it(`80211n:${n}:${r} encodes systematically (info first)`, () => {
        const code = ldpcCode(`80211n:${n}:${r}`);
        expect(Array.from(code.infoPositions.subarray(0, 3))).toEqual([0, 1, 2]);
        expect(code.infoPositions[code.k - 1]).toBe(code.k - 1);
        checkEncoding(code, 20, n + r.length);
      });
    }
  }

  it('NR transmitted words are the mother word without its first 2Z bits; rate matching wraps', () => {
    const z = 6;
    const plain = ldpcCode(`5gnr:bg1:z${z}`);
    const mother = ldpcCode(`5gnr:bg1:z${z}:mother`);
    const info = randomBits(plain.k, 3);
    const c = mother.encode(info);
    expect(Array.from(plain.encode(info))).toEqual(Array.from(c.subarray(2 * z)));
    const rm = ldpcCode(`5gnr:bg1:z${z}:e${66 * z + 5}`).encode(info);
    expect(Array.from(rm.subarray(0, 66 * z))).toEqual(Array.from(c.subarray(2 * z)));
    expect(Array.from(rm.subarray(66 * z))).toEqual(Array.from(c.subarray(2 * z, 2 * z + 5)));
  });

  it('alist codes: every shipped file, alist-text:, alistCode, alist:PATH and loadLdpcCode', async () => {
    for (const [name, text] of Object.entries(ALIST_TEXTS)) {
      const code = alistCode(text, name);
      expect(code.n).toBe(code.H.n);
      checkEncoding(code, 10, code.n);
    }
    const dir = mkdtempSync(join(tmpdir(), 'wmoe-alist-'));
    const path = join(dir, 'ccsds.alist');
    writeFileSync(path, ALIST_CCSDS_64_128);
    const a = ldpcCode(`alist:${path}`);
    const b = await loadLdpcCode(`alist:${path}`);
    const c = ldpcCode(`alist-text:${ALIST_CCSDS_64_128}`);
    const info = randomBits(64, 8);
    expect([a.n, a.k, b.k, c.k]).toEqual([128, 64, 64, 64]);
    expect(Array.from(a.encode(info))).toEqual(Array.from(b.encode(info)));
    expect(Array.from(a.encode(info))).toEqual(Array.from(c.encode(info)));
    expect(errorOf(() => ldpcCode(`alist:${join(dir, 'missing.alist')}`))).toMatch(/^ldpcCode\('alist:.*missing.alist'\): cannot read '.*missing.alist': ENOENT/);
  });

  it('encodeBatch equals frame-by-frame encode and is deterministic', () => {
    for (const spec of ['80211n:1296:2/3', '5gnr:bg2:z12:e500', 'alist-text:' + ALIST_CCSDS_64_128]) {
      const code = ldpcCode(spec);
      const frames = 4;
      const info = randomBits(frames * code.k, 42);
      const batch = code.encodeBatch(info, frames);
      expect(batch.length).toBe(frames * code.n);
      for (let f = 0; f < frames; f++) {
        const one = code.encode(info.subarray(f * code.k, (f + 1) * code.k));
        expect(Array.from(batch.subarray(f * code.n, (f + 1) * code.n))).toEqual(Array.from(one));
      }
      expect(Array.from(code.encodeBatch(info, frames))).toEqual(Array.from(batch));
      const out = new Uint8Array(frames * code.n).fill(7);
      expect(code.encodeBatch(info, frames, out)).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(batch));
    }
  });

  it('bad specs and inputs give one-line errors naming the bad value', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => ldpcCode('turbo:1024'), /^ldpcCode: unknown spec 'turbo:1024' \(expected/],
      [() => ldpcCode('80211n:648:7/8'), /^ldpcCode: no 802.11n code '80211n:648:7\/8' \(N ∈ \{648, 1296, 1944\}/],
      [() => ldpcCode('80211n:1000:1/2'), /no 802.11n code '80211n:1000:1\/2'/],
      [() => ldpcCode('5gnr:bg1:z17'), /^ldpcCode\('5gnr:bg1:z17'\): nrCode: lifting size Z = 17 is not in/],
      [() => ldpcCode('5gnr:bg3:z16'), /^ldpcCode: bad 5G NR spec '5gnr:bg3:z16'/],
      [() => ldpcCode('5gnr:bg1:z16:e0'), /bad 5G NR variant 'e0'/],
      [() => ldpcCode('5gnr:bg1:z16:full'), /bad 5G NR variant 'full'/],
      [() => ldpcCode('5gnr:bg1:z16:e999999999'), /bad 5G NR variant 'e999999999'.*E <= 67108864 bits/],
      [() => ldpcCode('alist-text:3 2\n1 1\n'), /^ldpcCode\('alist-text:3 2 1 1'\): alist: only 2 non-empty lines/],
      [() => ldpcCode('alist:'), /^ldpcCode: 'alist:' needs a file path$/],
      [() => ldpcCode('80211n:648:1/2').encode(new Uint8Array(10)), /info has length 10, expected 324/],
      [() => ldpcCode('80211n:648:1/2').encode(new Uint8Array(324).fill(2, 5)), /info\[5\] = 2 is not a bit/],
      [() => ldpcCode('80211n:648:1/2').encodeBatch(new Uint8Array(324), 0), /frames must be an integer >= 1, got 0/],
      [() => ldpcCode('80211n:648:1/2').encodeBatch(new Uint8Array(648), 2, new Uint8Array(10)), /out must be a Uint8Array of length frames·n = 1296, got length 10/],
      [() => ldpcCode('80211n:648:1/2').decode(new Float32Array(600)), /llr has length 600, expected n = 648/],
      [() => ldpcCode('5gnr:bg2:z4').decode(new Float32Array(200).fill(NaN, 7)), /^ldpcCode\('5gnr:bg2:z4'\): llr\[7\] is NaN$/],
      [() => ldpcCode('80211n:648:1/2').decodeBatch(new Float32Array(648), 2), /expected frames·n = 2·648 = 1296/],
    ];
    for (const [f, re] of cases) {
      const msg = errorOf(f);
      expect(msg).toMatch(re);
      expect(msg).not.toContain('\n');
    }
  });
});

describe('ldpcCode decode', () => {
  it('recovers the information bits from noiseless LLRs (punctured, rate-matched and alist codes too)', () => {
    for (const spec of ['80211n:1944:1/2', '5gnr:bg2:z16', '5gnr:bg1:z8:e400', '5gnr:bg1:z8:e700', 'alist-text:' + ALIST_TEXTS.MACKAY_504_1008]) {
      const code = ldpcCode(spec);
      const info = randomBits(code.k, 12);
      const tx = code.encode(info);
      const llr = Float32Array.from(tx, (b) => (b ? -6 : 6));
      const r = code.decode(llr);
      expect(r.converged).toBe(true);
      expect(Array.from(r.bits)).toEqual(Array.from(info));
    }
  });

  it('corrects AWGN errors at 3 dB Eb/N0 (rate 1/2) and decodeBatch equals per-frame decode', () => {
    const code = ldpcCode('80211n:1944:1/2');
    const frames = 8;
    const info = randomBits(frames * code.k, 99);
    const tx = code.encodeBatch(info, frames);
    const ebn0 = 10 ** (3 / 10);
    const sigma2 = 1 / (2 * code.rate * ebn0);
    const llr = bpskLlrs(tx, sigma2, 5);
    let rawErrors = 0;
    for (let i = 0; i < tx.length; i++) rawErrors += (llr[i] < 0 ? 1 : 0) !== tx[i] ? 1 : 0;
    expect(rawErrors).toBeGreaterThan(100);
    const batch = code.decodeBatch(llr, frames, { iterations: 20 });
    let errors = 0;
    for (let i = 0; i < info.length; i++) errors += batch.bits[i] !== info[i] ? 1 : 0;
    expect(errors).toBe(0);
    expect(Array.from(batch.converged)).toEqual(new Array(frames).fill(1));
    const one = code.decode(llr.subarray(code.n, 2 * code.n), { iterations: 20 });
    expect(Array.from(one.bits)).toEqual(Array.from(batch.bits.subarray(code.k, 2 * code.k)));
    expect(one.iterations).toBe(batch.iterations[1]);
  });

  it('the punctured NR code decodes noisy frames and recovers the punctured systematic bits', () => {
    const code = ldpcCode('5gnr:bg1:z16');
    const frames = 4;
    const info = randomBits(frames * code.k, 7);
    const tx = code.encodeBatch(info, frames);
    const sigma2 = 1 / (2 * code.rate * 10 ** (3 / 10));
    const r = code.decodeBatch(bpskLlrs(tx, sigma2, 11), frames, { iterations: 25 });
    let errors = 0;
    for (let i = 0; i < info.length; i++) errors += r.bits[i] !== info[i] ? 1 : 0;
    expect(errors).toBe(0);
  });
});

describe('ldpcCode decodeBatch / decodeBatchInto (LLRs written straight into the decoder, info bits only)', () => {
  const specs = ['80211n:648:1/2', '5gnr:bg2:z8', '5gnr:bg1:z8:e400', '5gnr:bg1:z8:e700', 'alist-text:' + ALIST_TEXTS.MACKAY_504_1008];

  it('equals LdpcDecoder.decodeBatch on motherLlrs, read at infoPositions, for identity, punctured, repeated and alist codes', () => {
    for (const spec of specs) {
      const code = ldpcCode(spec);
      const frames = 21;
      const info = randomBits(frames * code.k, 31);
      const tx = code.encodeBatch(info, frames);
      const llr = bpskLlrs(tx, 1 / (2 * code.rate * 10 ** (1.5 / 10)), 17);
      const ref = new LdpcDecoder(code.H).decodeBatch(code.motherLlrs(llr, frames), frames, { algorithm: 'oms' });
      const got = code.decodeBatch(llr, frames, { algorithm: 'oms' });
      const N = code.H.n;
      for (let f = 0; f < frames; f++) {
        for (let j = 0; j < code.k; j++) expect(got.bits[f * code.k + j]).toBe(ref.codewords[f * N + code.infoPositions[j]]);
      }
      expect(Array.from(got.iterations)).toEqual(Array.from(ref.iterations));
      expect(Array.from(got.converged)).toEqual(Array.from(ref.converged));
      // Some frames fail at 1.5 dB and some converge: the comparison covers both.
      expect(new Set(got.converged).size).toBe(2);
      const out = { bits: new Uint8Array(frames * code.k + 5).fill(7), iterations: new Int32Array(frames + 1).fill(-1), converged: new Uint8Array(frames + 1).fill(9) };
      expect(code.decodeBatchInto(llr, frames, out, { algorithm: 'oms' })).toBe(out);
      expect(Buffer.from(out.bits.subarray(0, frames * code.k)).equals(Buffer.from(got.bits))).toBe(true);
      expect(Array.from(out.bits.subarray(frames * code.k))).toEqual([7, 7, 7, 7, 7]);
      expect(out.iterations[frames]).toBe(-1);
      expect(out.converged[frames]).toBe(9);
    }
  });

  it('a batch larger than one WASM chunk equals its halves, and a NaN in its last frame throws before any output', () => {
    const code = ldpcCode('80211n:1944:1/2');
    const frames = 600; // > 4 MiB of float32 LLRs: two chunks
    const llr = bpskLlrs(new Uint8Array(frames * code.n), 1 / (2 * code.rate * 10 ** (2.5 / 10)), 3);
    const whole = code.decodeBatch(llr, frames);
    const h = 300 * code.n;
    const a = code.decodeBatch(llr.subarray(0, h), 300);
    const b = code.decodeBatch(llr.subarray(h), 300);
    expect(Buffer.from(whole.bits.subarray(0, 300 * code.k)).equals(Buffer.from(a.bits))).toBe(true);
    expect(Buffer.from(whole.bits.subarray(300 * code.k)).equals(Buffer.from(b.bits))).toBe(true);
    expect(Array.from(whole.iterations)).toEqual([...a.iterations, ...b.iterations]);
    const bad = llr.slice();
    bad[(frames - 1) * code.n + 11] = NaN;
    const out = { bits: new Uint8Array(frames * code.k).fill(5), iterations: new Int32Array(frames), converged: new Uint8Array(frames).fill(5) };
    expect(errorOf(() => code.decodeBatchInto(bad, frames, out))).toBe(`ldpcCode('80211n:1944:1/2'): llr[${(frames - 1) * code.n + 11}] is NaN`);
    expect(out.bits.every((x) => x === 5)).toBe(true);
    expect(out.converged.every((x) => x === 5)).toBe(true);
    expect(out.iterations.every((x) => x === 0)).toBe(true);
  });

  it('names the repeated H column when +Infinity and -Infinity LLRs of one bit sum to NaN; bad out arrays are refused', () => {
    const code = ldpcCode('5gnr:bg1:z8:e700');
    const tx = code.txPositions;
    let i = -1;
    let j = -1;
    const first = new Map<number, number>();
    for (let t = 0; t < tx.length && j < 0; t++) {
      if (first.has(tx[t])) [i, j] = [first.get(tx[t])!, t];
      else first.set(tx[t], t);
    }
    expect(j).toBeGreaterThan(0);
    const llr = new Float32Array(code.n).fill(3);
    llr[i] = Infinity;
    llr[j] = -Infinity;
    expect(errorOf(() => code.decode(llr))).toBe(`ldpcCode('5gnr:bg1:z8:e700'): LLRs of frame 0 repeated at H column ${tx[i]} sum to NaN (+Infinity and -Infinity)`);
    const c = ldpcCode('80211n:648:1/2');
    const ok = new Float32Array(2 * c.n);
    expect(errorOf(() => c.decodeBatchInto(ok, 2, { bits: new Uint8Array(10), iterations: new Int32Array(2), converged: new Uint8Array(2) })))
      .toBe("ldpcCode('80211n:648:1/2'): out.bits must be a Uint8Array of at least frames·k = 648 bytes");
    expect(errorOf(() => c.decodeBatchInto(ok, 2, { bits: new Uint8Array(648), iterations: new Int32Array(1), converged: new Uint8Array(2) })))
      .toMatch(/out.iterations must be an Int32Array of at least 2 entries$/);
  });

  it('codes whose edge tables no longer all fit the resident WASM region still decode exactly after re-upload', () => {
    // Five large NR codes (about 0.3–0.55 MB of edge tables each, more than the 2 MB resident region), visited twice.
    const list = ['5gnr:bg1:z384', '5gnr:bg1:z352', '5gnr:bg2:z384', '5gnr:bg1:z320', '5gnr:bg2:z352'].map((s) => ldpcCode(s));
    const data = list.map((code, idx) => {
      const info = randomBits(code.k, 40 + idx);
      const llr = bpskLlrs(code.encode(info), 1 / (2 * code.rate * 10 ** (4 / 10)), 50 + idx);
      return { info, llr };
    });
    const first = list.map((code, idx) => code.decode(data[idx].llr));
    for (let round = 0; round < 2; round++) {
      list.forEach((code, idx) => {
        const r = code.decode(data[idx].llr);
        expect(r.converged).toBe(true);
        expect(Buffer.from(r.bits).equals(Buffer.from(data[idx].info))).toBe(true);
        expect(r.iterations).toBe(first[idx].iterations);
      });
    }
  });
});
