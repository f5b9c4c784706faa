// Binary phase-shift keying: bit 0 ↦ +1, bit 1 ↦ −1 on the real axis (Es = Eb = 1).
import { addNoise } from './awgn.js';
import { llrOverAwgn } from './llr_over_awgn.js';
import type { Modem } from './modem.js';
import { n0FromEsn0 } from './snr.js';
import { scaleToLlr } from './llr_scale.js';
import { notABit, requireBitArray } from './validate.js';

/**
 * BPSK. Symbols are a real Float32Array, one value per bit. With y = x + n, n ~ N(0, N0/2),
 * the exact LLR is 4·y/N0, which max-log also gives (one point per hypothesis).
 */
export const bpsk: Modem = {
  name: 'bpsk',
  bitsPerSymbol: 1,
  valuesPerSymbol: 1,
  modulate(bits: Uint8Array): Float32Array {
    requireBitArray('bits', bits);
    const out = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i];
      if (b > 1) notABit('bits', i, b);
      out[i] = 1 - 2 * b;
    }
    return out;
  },
  demapExact(y: Float32Array, n0: number): Float32Array {
    return scaleToLlr('y', y, 1, n0, 4);
  },
  demapMaxLog(y: Float32Array, n0: number): Float32Array {
    return scaleToLlr('y', y, 1, n0, 4);
  },
  addNoise(symbols: Float32Array, esn0Db: number, noise) {
    return addNoise(symbols, Math.sqrt(n0FromEsn0(esn0Db) / 2), noise);
  },
  llrOverAwgn(bits, esn0Db, noise, out, opts) {
    return llrOverAwgn(0, bits, esn0Db, noise, out, opts);
  },
};
