import { describe, expect, it } from 'vitest';
import { LdpcDecoder, type LdpcDecodeOptions } from '../../src/codes/decoder.js';
import { qcLayout, qcStateBytes } from '../../src/codes/decoder_qc.js';
import { WIFI_LENGTHS, WIFI_RATES } from '../../src/codes/ieee80211n.js';
import { ldpcCode } from '../../src/codes/ldpc.js';
import { bpskLlrs } from './decoder_helpers.js';
import { failedChecks, randomBits } from './parity.js';

const WIFI = WIFI_LENGTHS.flatMap((n) => WIFI_RATES.map((r) => `80211n:${n}:${r}`));
// NR lifting sizes around the kernel's cases: Z < 32 (three stores), 16 ∤ Z (a partial last chunk), 16 | Z.
const NR = ['5gnr:bg2:z18:mother', '5gnr:bg1:z30:mother', '5gnr:bg2:z36:mother', '5gnr:bg1:z52:mother', '5gnr:bg2:z56:mother',
  '5gnr:bg2:z64:mother', '5gnr:bg1:z120:mother'];

describe('qcLayout: loads see current values, and the fix-up keeps each block column and its 16-value copy exact', () => {
  // Model of the kernel's memory P (assembly/ldpc/qclayered.ts): block column j holds cyclic values
  // 0..Z−1 at j·(Z+16) + p and a copy of values 0..15 at j·(Z+16) + Z + p. Per block row, chunk by
  // chunk, each edge loads 16 bytes at its address and stores 16 back: new values in the lanes that
  // are rows (< Z), the loaded bytes in the others. Every row must load the current values of the
  // positions it touches, and after the block row's fix-up both copies must hold the current values.
  for (const spec of ['80211n:648:1/2', '80211n:1944:5/6', '5gnr:bg2:z18:mother', '5gnr:bg1:z52:mother', '5gnr:bg2:z16:mother']) {
    it(spec, () => {
      const H = ldpcCode(spec).H;
      const qc = qcLayout(H.n, H.m, H.rowPtr, H.colIdx);
      expect(qc).not.toBeNull();
      const { z, nb, mb, tab, fix, deg } = qc!;
      const W = z + 16;
      expect(qcStateBytes(nb, z)).toBe(nb * W);
      const nc = Math.ceil(z / 16);
      const truth = new Int32Array(nb * z); // current value of (column j, cyclic position p)
      const mem = new Int32Array(nb * W);
      for (let j = 0; j < nb; j++) for (let p = 0; p < W; p++) mem[j * W + p] = truth[j * z + (p % z)];
      const fixBytes = new Uint8Array(fix.buffer, fix.byteOffset, fix.byteLength);
      let next = 1;
      let e = 0;
      let r = 0;
      for (let b = 0; b < mb; b++) {
        for (let c = 0; c < nc; c++) {
          const valid = Math.min(16, z - 16 * c);
          for (let k = 0; k < deg[b]; k++, e++) {
            const at = tab[e];
            const j = Math.floor(at / W);
            const o = at - j * W;
            expect(o >= 0 && o < z).toBe(true);
            for (let l = 0; l < valid; l++) {
              const p = (o + l) % z;
              if (mem[at + l] !== truth[j * z + p]) throw new Error(`block row ${b} chunk ${c}: lane ${l} loads a stale value`);
              truth[j * z + p] = next;
              mem[at + l] = next++;
            }
          }
        }
        for (let k = 0; k < deg[b]; k++, r++) {
          const B = fix[8 * r];
          for (let p = 0; p < 16; p++) {
            const v = fixBytes[32 * r + 16 + p] ? mem[B + z + p] : mem[B + p];
            mem[B + p] = v;
            mem[B + z + p] = v;
          }
        }
        for (let j = 0; j < nb; j++) {
          for (let p = 0; p < W; p++) {
            if (mem[j * W + p] !== truth[j * z + (p % z)]) throw new Error(`after block row ${b}: column ${j} position ${p} is stale`);
          }
        }
      }
      expect(e).toBe(tab.length);
    });
  }
});

describe('LdpcDecoder: one frame (16 rows per vector) is bit-identical to the 16-frame kernel on every standard code', () => {
  const optsList: LdpcDecodeOptions[] = [{}, { algorithm: 'oms', earlyStop: false, iterations: 6 }];
  for (const spec of [...WIFI, ...NR]) {
    it(spec, () => {
      const code = ldpcCode(spec);
      const dec = new LdpcDecoder(code.H);
      expect(dec.liftingSize).toBeGreaterThanOrEqual(16);
      const n = code.H.n;
      const frames = 16; // > 4 frames: decodeBatch runs the 16-lane kernel
      const sent = new Uint8Array(frames * n);
      for (let f = 0; f < frames; f++) sent.set(code.encodeCodeword(randomBits(code.k, 300 + f)), f * n);
      // Eb/N0 from 0.5 to 4 dB over the frames: some decode, some do not.
      const llr = new Float32Array(frames * n);
      for (let f = 0; f < frames; f++) {
        llr.set(bpskLlrs(n, 1, code.k / n, 0.5 + (3.5 * f) / (frames - 1), 500 + f, sent.subarray(f * n, (f + 1) * n)), f * n);
      }
      let converged = 0;
      for (const opts of optsList) {
        const ref = dec.decodeBatch(llr, frames, opts);
        for (let f = 0; f < frames; f++) {
          const one = dec.decode(llr.subarray(f * n, (f + 1) * n), opts);
          expect(one.iterations).toBe(ref.iterations[f]);
          expect(one.converged).toBe(ref.converged[f] === 1);
          expect(Buffer.from(one.codeword).equals(Buffer.from(ref.codewords.subarray(f * n, (f + 1) * n)))).toBe(true);
          if (one.converged) {
            converged++;
            expect(failedChecks(code.H, one.codeword, 0)).toBe(0);
          }
        }
        // A batch of 8 frames runs frame by frame on the row-parallel kernel: the same bits.
        const eight = dec.decodeBatch(llr.subarray(0, 8 * n), 8, opts);
        expect(Buffer.from(eight.codewords).equals(Buffer.from(ref.codewords.subarray(0, 8 * n)))).toBe(true);
        expect(Array.from(eight.iterations)).toEqual(Array.from(ref.iterations.subarray(0, 8)));
      }
      expect(converged).toBeGreaterThan(0);
    });
  }
});

describe('LdpcDecoder: NaN inputs on the row-parallel path (checked while quantising)', () => {
  it('names the first NaN of a 6-frame batch wherever it sits in a block column, and writes nothing', () => {
    const code = ldpcCode('80211n:1944:1/2'); // Z = 81: the last 16 values of a column are quantised by an overlapping step
    const dec = new LdpcDecoder(code.H);
    const n = code.H.n;
    const frames = 6;
    const good = bpskLlrs(n, frames, 0.5, 3, 77);
    for (const at of [0, 80, 81, 5 * n + 81 * 7 + 80, 5 * n + n - 1, 2 * n + 64]) {
      const x = good.slice();
      x[at] = NaN;
      if (at !== 0) x[n * frames - 1] = NaN; // a later NaN must not be the one named
      const out = { codewords: new Uint8Array(frames * n).fill(7), iterations: new Int32Array(frames), converged: new Uint8Array(frames) };
      expect(() => dec.decodeBatchInto(x, frames, out)).toThrow(`LdpcDecoder: llr[${at}] is NaN`);
      expect(out.codewords.every((b) => b === 7)).toBe(true);
      expect(out.iterations.every((v) => v === 0)).toBe(true);
    }
    // The same frames without NaN decode, also after the errors.
    expect(dec.decodeBatch(good, frames).converged.every((c) => c === 1)).toBe(true);
  });
});
