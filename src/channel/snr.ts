// SNR bookkeeping. Conventions used throughout wireless-moe/channel:
//  - Es: average energy per modulated symbol; every modem here has Es = 1.
//  - Eb: energy per *information* bit: Es = Eb · bitsPerSymbol · codeRate.
//  - N0: one-sided noise power spectral density; complex baseband noise has variance N0/2 per
//    real dimension (N0 per complex sample). With Es = 1, N0 = 10^(−Es/N0[dB]/10).
// So Es/N0 [dB] = Eb/N0 [dB] + 10·log10(bitsPerSymbol · codeRate).
import { requireFinite, requirePositive } from './validate.js';

/** 10·log10(x) for a linear power ratio x > 0. */
export function linearToDb(x: number): number {
  requirePositive('x', x);
  return 10 * Math.log10(x);
}

/** 10^(db/10): a power ratio in dB to linear. */
export function dbToLinear(db: number): number {
  requireFinite('db', db);
  return 10 ** (db / 10);
}

function checkRate(bitsPerSymbol: number, codeRate: number): void {
  requirePositive('bitsPerSymbol', bitsPerSymbol);
  requirePositive('codeRate', codeRate);
  if (codeRate > 1) throw new Error(`wireless-moe/channel: codeRate must be in (0, 1], got ${codeRate}`);
}

/**
 * Es/N0 in dB from Eb/N0 in dB: Es/N0 = Eb/N0 + 10·log10(bitsPerSymbol · codeRate).
 * bitsPerSymbol: coded bits per symbol (1 BPSK, 2 QPSK, 4 16-QAM); codeRate: information
 * bits per coded bit, in (0, 1] (1 = uncoded).
 */
export function ebn0ToEsn0(ebn0Db: number, bitsPerSymbol: number, codeRate = 1): number {
  requireFinite('ebn0Db', ebn0Db);
  checkRate(bitsPerSymbol, codeRate);
  return ebn0Db + 10 * Math.log10(bitsPerSymbol * codeRate);
}

/** Eb/N0 in dB from Es/N0 in dB: the inverse of {@link ebn0ToEsn0}. */
export function esn0ToEbn0(esn0Db: number, bitsPerSymbol: number, codeRate = 1): number {
  requireFinite('esn0Db', esn0Db);
  checkRate(bitsPerSymbol, codeRate);
  return esn0Db - 10 * Math.log10(bitsPerSymbol * codeRate);
}

/** N0 (linear, noise variance per complex sample) for unit-energy symbols at Es/N0 = esn0Db dB. */
export function n0FromEsn0(esn0Db: number): number {
  requireFinite('esn0Db', esn0Db);
  return 10 ** (-esn0Db / 10);
}
