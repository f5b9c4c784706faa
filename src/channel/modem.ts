// The modem interface shared by BPSK, QPSK, 16-QAM and 64-QAM, and lookup by name.
//
// Conventions for every modem:
//  - bits are a Uint8Array of 0/1 values, one bit per byte;
//  - Gray mapping, unit average symbol energy Es = 1;
//  - symbols: BPSK is a real array (one value per bit, bit 0 ↦ +1, bit 1 ↦ −1); QPSK,
//    16-QAM and 64-QAM are interleaved I/Q Float32Arrays [re0, im0, re1, im1, …];
//  - the channel is complex baseband AWGN with noise N0/2 per real dimension (BPSK uses the
//    real dimension only), N0 = 10^(−Es/N0[dB]/10) (see snr.ts; `n0FromEsn0`);
//  - LLR = ln P(b = 0 | y) / P(b = 1 | y) for equiprobable bits: positive favours 0. One LLR
//    per bit, in the order of the bits given to `modulate`.
import type { NoiseSource } from './awgn.js';
import type { LlrOverAwgnOptions } from './llr_over_awgn.js';

/** Names of the modulations provided. */
export type ModulationName = 'bpsk' | 'qpsk' | '16qam' | '64qam';

/** A Gray-mapped, unit-energy modulation with its soft demappers. */
export interface Modem {
  readonly name: ModulationName;
  /** Coded bits carried per symbol: 1, 2, 4 or 6. */
  readonly bitsPerSymbol: number;
  /** Float32 values per symbol in symbol arrays: 1 (BPSK, real) or 2 (interleaved I/Q). */
  readonly valuesPerSymbol: 1 | 2;
  /** Bits (0/1 bytes, length a multiple of bitsPerSymbol) → symbols, Es = 1. */
  modulate(bits: Uint8Array): Float32Array;
  /**
   * Exact LLRs: per bit, log-sum-exp of −|y − s|²/N0 over the constellation points s with that
   * bit 0 minus the same over bit 1. `n0` > 0 is the noise power per complex sample (N0).
   */
  demapExact(y: Float32Array, n0: number): Float32Array;
  /** Max-log LLRs: the log-sum-exps above replaced by their largest term. */
  demapMaxLog(y: Float32Array, n0: number): Float32Array;
  /**
   * The AWGN channel at Es/N0 = esn0Db dB for these symbols: adds N(0, N0/2) to every real
   * value (for BPSK that is the real axis of complex baseband). New array.
   */
  addNoise(symbols: Float32Array, esn0Db: number, noise: NoiseSource): Float32Array;
  /**
   * The whole AWGN link in one allocation-free WASM pass: modulate `bits` (0/1 bytes, length a
   * multiple of bitsPerSymbol), add N(0, N0/2) per real value at Es/N0 = esn0Db dB, and write one
   * LLR per bit into `out` (Float32Array of bits.length, not overlapping `bits`), which is
   * returned. Exact LLRs unless `opts.exact` is false (max-log). Bit-identical to
   * `demapExact(addNoise(modulate(bits), esn0Db, noise), n0FromEsn0(esn0Db))` (or demapMaxLog),
   * and advances an Rng `noise` identically, so seeds keep their meaning.
   */
  llrOverAwgn(bits: Uint8Array, esn0Db: number, noise: NoiseSource, out: Float32Array, opts?: LlrOverAwgnOptions): Float32Array;
}
