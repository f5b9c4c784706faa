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

describe('qcLayout: the store addresses keep every block column and its 16-value copy exact', () => {
  // Model of the kernel's memory P: block column j holds cyclic values 0..Z−1 at 16 + j·(Z+48) + p
  // and value p mod Z at p = Z..Z+15. Every table entry's stores (two, or three when Z < 32) of 16
  // new values must leave that invariant true everywhere, touching no other column's live bytes.
  for (const spec of ['80211n:648:1/2', '80211n:1944:5/6', '5gnr:bg2:z18:mother', '5gnr:bg1:z52:mother', '5gnr:bg2:z16:mother']) {
    it(spec, () => {
      const H = ldpcCode(spec).H;
      const qc = qcLayout(H.n, H.m, H.rowPtr, H.colIdx);
      expect(qc).not.toBeNull();
      const { z, nb, tab, entries } = qc!;
      const W = z + 48;
      expect(qcStateBytes(nb, z)).toBe(nb * W);
      const truth = new Int32Array(nb * z); // value of (column j, cyclic position p)
      const mem = new Int32Array(nb * W).fill(-1);
      const writeAll = () => {
        for (let j = 0; j < nb; j++) for (let p = 0; p < z + 16; p++) mem[16 + j * W + p] = truth[j * z + (p % z)];
      };
      const check = () => {
        for (let j = 0; j < nb; j++) {
          for (let p = 0; p < z + 16; p++) {
            if (mem[16 + j * W + p] !== truth[j * z + (p % z)]) throw new Error(`column ${j} position ${p} is stale`);
          }
        }
      };
      writeAll();
      let next = 1;
      for (let e = 0; e < entries; e++) {
        const at = tab[3 * e];
        const j = Math.floor((at - 16) / W);
        const o = at - 16 - j * W;
        expect(o >= 0 && o < z).toBe(true);
        // The 16 values a load at `at` sees are cyclic positions o..o+15 of column j.
        for (let i = 0; i < 16; i++) expect(mem[at + i]).toBe(truth[j * z + ((o + i) % z)]);
        const v = Array.from({ length: 16 }, () => next++);
        for (let i = 0; i < 16; i++) truth[j * z + ((o + i) % z)] = v[i];
        const stores = z < 32 ? [at, tab[3 * e + 1], tab[3 * e + 2]] : [at, tab[3 * e + 1]];
        for (const a of stores) {
          expect(a >= j * W && a + 16 <= (j + 1) * W).toBe(true); // inside column j's bytes (slack included)
          for (let i = 0; i < 16; i++) mem[a + i] = v[i];
        }
        check();
      }
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
      }
      expect(converged).toBeGreaterThan(0);
    });
  }
});
