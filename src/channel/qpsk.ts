// Gray QPSK: bits (b0, b1) ↦ ((1 − 2·b0) + j·(1 − 2·b1))/√2 (Es = 1, Eb = 1/2).
import { addNoise } from './awgn.js';
import { llrOverAwgn } from './llr_over_awgn.js';
import type { Modem } from './modem.js';
import { n0FromEsn0 } from './snr.js';
import { scaleToLlr } from './llr_scale.js';
import { notABit, requireBitArray } from './validate.js';

const A = Math.SQRT1_2;

/**
 * Gray QPSK on interleaved I/Q: bit 2k drives I of symbol k, bit 2k + 1 drives Q, so the
 * LLR array lines up with y: LLR[i] = 4·(1/√2)·y[i]/N0 = 2√2·y[i]/N0 (exact; max-log agrees).
 */
export const qpsk: Modem = {
  name: 'qpsk',
  bitsPerSymbol: 2,
  valuesPerSymbol: 2,
  modulate(bits: Uint8Array): Float32Array {
    requireBitArray('bits', bits);
    if (bits.length % 2 !== 0) throw new Error(`wireless-moe/channel: QPSK needs an even number of bits, got ${bits.length}`);
    const out = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i];
      if (b > 1) notABit('bits', i, b);
      out[i] = A * (1 - 2 * b);
    }
    return out;
  },
  demapExact(y: Float32Array, n0: number): Float32Array {
    return scaleToLlr('y', y, 2, n0, 4 * A);
  },
  demapMaxLog(y: Float32Array, n0: number): Float32Array {
    return scaleToLlr('y', y, 2, n0, 4 * A);
  },
  addNoise(symbols: Float32Array, esn0Db: number, noise) {
    if (symbols instanceof Float32Array && symbols.length % 2 !== 0) {
      throw new Error(`wireless-moe/channel: QPSK symbols must be interleaved (re, im) pairs, got odd length ${symbols.length}`);
    }
    return addNoise(symbols, Math.sqrt(n0FromEsn0(esn0Db) / 2), noise);
  },
  llrOverAwgn(bits, esn0Db, noise, out, opts) {
    return llrOverAwgn(1, bits, esn0Db, noise, out, opts);
  },
};
