// Gray-mapped square 64-QAM with the 3GPP TS 38.211 §5.1.4 bit order: bits (b0 … b5) ↦
//   I = (1 − 2·b0)·(4 − (1 − 2·b2)·(2 − (1 − 2·b4)))/√42,
//   Q = (1 − 2·b1)·(4 − (1 − 2·b3)·(2 − (1 − 2·b5)))/√42,
// so per axis the levels are ±1, ±3, ±5, ±7 times d = 1/√42, the sign bit 0 ↦ positive, and the
// amplitude bits (b2 b4) ↦ 00: 3d, 01: d, 10: 5d, 11: 7d: Gray along each axis
// (+7 … −7 ↔ 011, 010, 000, 001, 101, 100, 110, 111 for b0 b2 b4), Es = 2·(1+9+25+49)/4·d² = 1.
//
// IEEE 802.11 (Table 17-11 of 802.11-2020) labels the same constellation differently: per axis
// b0b1b2 ↦ I, b3b4b5 ↦ Q, with 000 ↦ −7 … 100 ↦ +7. That labelling is this one with every bit
// complemented and the bits in the order (i0 i1 i2 q0 q1 q2) instead of (i0 q0 i1 q1 i2 q2). The
// package has no 802.11 interleaver, so the choice is a fixed permutation and sign flip of the
// LLRs: the same uncoded BER and, for LDPC codes, essentially the same coded BLER.
import { addNoise } from './awgn.js';
import { llrOverAwgn } from './llr_over_awgn.js';
import type { Modem } from './modem.js';
import { n0FromEsn0 } from './snr.js';
import { requireBits } from './validate.js';
import { checkIqSymbols, demapIqChunks } from './iq_demap.js';

const D = 1 / Math.sqrt(42);

function checkSymbols(y: Float32Array, n0: number): number {
  const inv = checkIqSymbols(y, n0);
  let peak = 0;
  for (let i = 0; i < y.length; i++) peak = Math.max(peak, Math.abs(y[i]));
  // the largest term the kernel forms is (d²/N0)·(|y|/d + 7)²: it must stay a finite float32
  const x2 = (peak / D + 7) ** 2;
  if (!(x2 < 3e38 && x2 * D * D * inv < 3e38)) {
    throw new Error(`wireless-moe/channel: max |y| = ${peak} with n0 = ${n0} overflows float32 in the 64-QAM demapper`);
  }
  return inv;
}

/**
 * Per-axis LLRs in WASM SIMD (assembly/channel/qam64.ts; formulas in qam64_core.ts): the 2-D
 * log-sum-exp over 64 points factors into two Gray 8-PAMs, each bit's LLR being the log-sum-exp
 * of −(x − m)²·d²/N0 over the 4 levels m with that bit 0 minus the same over bit 1, x = v/d.
 * float32 arithmetic, absolute error ≲ 1e-6 + 1e-7·|LLR|.
 */
function demap(y: Float32Array, n0: number, exact: boolean): Float32Array {
  return demapIqChunks(y, checkSymbols(y, n0), 6, exact, 'qam64Llr');
}

/** Gray 64-QAM (3GPP bit order, see the file header), interleaved I/Q symbols, Es = 1. */
export const qam64: Modem = {
  name: '64qam',
  bitsPerSymbol: 6,
  valuesPerSymbol: 2,
  modulate(bits: Uint8Array): Float32Array {
    requireBits('bits', bits);
    if (bits.length % 6 !== 0) throw new Error(`wireless-moe/channel: 64-QAM needs a multiple of 6 bits, got ${bits.length}`);
    const nsym = bits.length / 6;
    const out = new Float32Array(2 * nsym);
    for (let k = 0; k < nsym; k++) {
      const b = 6 * k;
      out[2 * k] = (1 - 2 * bits[b]) * (4 - (1 - 2 * bits[b + 2]) * (2 - (1 - 2 * bits[b + 4]))) * D;
      out[2 * k + 1] = (1 - 2 * bits[b + 1]) * (4 - (1 - 2 * bits[b + 3]) * (2 - (1 - 2 * bits[b + 5]))) * D;
    }
    return out;
  },
  demapExact(y: Float32Array, n0: number): Float32Array {
    return demap(y, n0, true);
  },
  demapMaxLog(y: Float32Array, n0: number): Float32Array {
    return demap(y, n0, false);
  },
  addNoise(symbols: Float32Array, esn0Db: number, noise) {
    if (symbols instanceof Float32Array && symbols.length % 2 !== 0) {
      throw new Error(`wireless-moe/channel: 64-QAM symbols must be interleaved (re, im) pairs, got odd length ${symbols.length}`);
    }
    return addNoise(symbols, Math.sqrt(n0FromEsn0(esn0Db) / 2), noise);
  },
  llrOverAwgn(bits, esn0Db, noise, out, opts) {
    return llrOverAwgn(3, bits, esn0Db, noise, out, opts);
  },
};
