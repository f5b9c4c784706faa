// Additive white Gaussian noise channels.
//
// SNR conventions (the signal is assumed to have unit average power; scale it first if not):
//  - real-valued signals (analog features, BPSK as a real array): `awgn` adds noise of variance
//    σ² = 10^(−snrDb/10) per real sample, i.e. snrDb = 10·log10(P_signal / σ²) per sample;
//  - complex baseband I/Q arrays (interleaved re, im): `awgnComplex` adds σ² = 10^(−snrDb/10)/2
//    per real dimension, so snrDb = Es/N0 with Es = 1 and N0 = 10^(−snrDb/10) the total
//    complex noise power.
// For BPSK seen as the real axis of a complex baseband link at a given Es/N0, the noise on the
// real axis is N0/2: use `modem.addNoise(x, esn0Db, seed)` (src/channel/modem.ts), which is
// `awgn(x, esn0Db + 10·log10 2, seed)`.
import { Rng } from './rng.js';
import { requireFiniteArray } from './wasm.js';
import { requireF32, requireFinite, requireSeed } from './validate.js';

/** A seed (integer in [0, 2^53)) for a fresh stream, or a generator to draw from and advance. */
export type NoiseSource = number | Rng;

/**
 * signal + σ·z, z i.i.d. standard normal (float32), as a new array. `noise` is a seed (the
 * noise is then z = new Rng(seed).normal(n), so the same seed gives bit-identical output) or an
 * Rng that is advanced. σ ≥ 0 is the noise standard deviation per real sample.
 */
export function addNoise(signal: Float32Array, sigma: number, noise: NoiseSource): Float32Array {
  return noisy('signal', signal, 'sigma', sigma, noise);
}

/** addNoise with the caller's argument names in error messages. */
function noisy(name: string, signal: Float32Array, sigmaName: string, sigma: number, noise: NoiseSource): Float32Array {
  requireF32(name, signal);
  if (!(Math.fround(sigma) >= 0 && Math.fround(sigma) < Infinity)) {
    throw new Error(`wireless-moe/channel: ${sigmaName} gives a noise standard deviation of ${sigma}, outside float32's finite range`);
  }
  if (!(noise instanceof Rng)) requireSeed(noise);
  requireFiniteArray(name, signal);
  const rng = noise instanceof Rng ? noise : new Rng(noise);
  const out = new Float32Array(signal.length);
  rng.gaussianInto(signal, sigma, out);
  return out;
}

/**
 * Real AWGN channel: signal (unit average power per real sample) plus N(0, σ²) noise with
 * σ² = 10^(−snrDb/10). snrDb is the per-sample SNR in dB (signal power over noise variance).
 */
export function awgn(signal: Float32Array, snrDb: number, noise: NoiseSource): Float32Array {
  requireF32('signal', signal);
  requireFinite('snrDb', snrDb);
  return noisy('signal', signal, `snrDb = ${snrDb}`, Math.sqrt(10 ** (-snrDb / 10)), noise);
}

/**
 * Complex AWGN channel on interleaved I/Q samples [re0, im0, re1, im1, …] of unit average
 * symbol energy Es = 1: adds N(0, N0/2) per real dimension with N0 = 10^(−snrDb/10), so
 * snrDb = Es/N0 in dB. The array length must be even.
 */
export function awgnComplex(iq: Float32Array, snrDb: number, noise: NoiseSource): Float32Array {
  requireF32('iq', iq);
  if (iq.length % 2 !== 0) throw new Error(`wireless-moe/channel: iq must hold interleaved (re, im) pairs, got odd length ${iq.length}`);
  requireFinite('snrDb', snrDb);
  return noisy('iq', iq, `snrDb = ${snrDb}`, Math.sqrt(10 ** (-snrDb / 10) / 2), noise);
}
