// Gray-mapped square 16-QAM with the 3GPP TS 38.211 bit order: bits (b0, b1, b2, b3) ↦
//   I = (1 − 2·b0)·(2 − (1 − 2·b2))/√10,  Q = (1 − 2·b1)·(2 − (1 − 2·b3))/√10,
// so per axis the levels are ±1/√10 (amplitude bit 0) and ±3/√10 (amplitude bit 1), with the
// sign bit 0 ↦ positive: Gray along each axis (+3, +1, −1, −3 ↔ 01, 00, 10, 11), Es = 1.
import type { Modem } from './modem.js';
import { squareQamModem } from './square_qam.js';
import { checkIqSymbols, demapIqChunks } from './iq_demap.js';

const D = 1 / Math.sqrt(10);

/**
 * Per-axis LLRs in WASM SIMD (assembly/channel/qam16.ts). Because the constellation is the
 * product of two Gray 4-PAMs and the noise is circular, the 2-D log-sum-exp over 16 points
 * factors: the Q-axis terms cancel from the I bits' LLRs and vice versa. With α = 2d·v/N0,
 * β = 8d²/N0 and sp(x) = ln(1 + eˣ): sign bit 2α + sp(2α − β) − sp(−2α − β), amplitude bit
 * β − 2|α| + sp(−2|α|) − sp(−6|α|); max-log replaces sp(x) by max(x, 0). float32 arithmetic,
 * absolute error ≲ 1e-6 + 1e-7·|LLR|.
 */
function demap(y: Float32Array, n0: number, exact: boolean): Float32Array {
  return demapIqChunks(y, checkIqSymbols(y, n0), 4, exact, 'qam16Llr');
}

/** Gray 16-QAM (3GPP bit order, see the file header), interleaved I/Q symbols, Es = 1. */
export const qam16: Modem = squareQamModem({ name: '16qam', label: '16-QAM', bitsPerSymbol: 4, scale: D, kind: 2, demap });
