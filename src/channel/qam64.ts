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
import type { Modem } from './modem.js';
import { squareQamModem } from './square_qam.js';
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
export const qam64: Modem = squareQamModem({ name: '64qam', label: '64-QAM', bitsPerSymbol: 6, scale: D, kind: 3, demap });
