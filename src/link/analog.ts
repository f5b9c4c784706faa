import * as tf from '@tensorflow/tfjs-core';
import type { Link } from './link.js';
import type { LinkBatch } from './link_batch.js';
import { tfjsSeed } from '../random/hash.js';
import { InputError } from '../errors.js';

/**
 * Complex channel uses the analog link spends on one vector of d real features: two real
 * values per complex use, so ⌈d/2⌉.
 */
export function analogChannelUses(d: number): number {
  return Math.ceil(d / 2);
}

/**
 * Analog downlink, in the package's one SNR convention (see src/link/snr.ts): the SNR of a
 * link is Es/N0 in dB per complex channel use, and the noise is N0/2 per real dimension.
 *
 * For each sample and expert k, the d real features f are packed two per complex channel use
 * (⌈d/2⌉ uses; value 2i is the real part, 2i+1 the imaginary part) and scaled to unit average
 * energy per use, Es = 1 (each real value then has average power 1/2: the scale is √(2P) with
 * P = mean(f²)). The channel multiplies each use by the pair's gain h and adds complex noise
 * n ~ CN(0, N0), N0 = 10^(−SNR̄/10) (N0/2 per real dimension).
 *
 * - **AWGN with perfect receiver CSI** (h = 1, ĥ = h): no equaliser, as before this link knew of
 *   fading: r = f + √(2P)·√(N0/2)·z, z ~ N(0, I). Relative to a feature's own power the noise is
 *   P·N0 per value, so "x dB" puts the same noise per real dimension on each feature as QPSK at
 *   Es/N0 = x dB puts on each of its real dimensions.
 * - **Otherwise** (fading, or an estimated ĥ): the receiver scales each use by the MMSE
 *   coefficient w = conj(ĥ)/(|ĥ|² + N0 + σe²) computed from its estimate ĥ and error variance σe², and
 *   undoes the power scaling: r = √(2P)·w·(h·x + n). With ĥ = h this is the linear MMSE estimate
 *   of x (shrunk towards 0 on a faded link); a wrong ĥ rotates and mixes the two features of a use.
 *
 * SNR̄ = +∞ is a perfect link (h still applies). The noise is drawn from tfjs's seeded generator
 * with the batch's `channel.noiseSeed`: the same batch gives the same received features.
 * features [batch, d], batch for the same B and K → received [K, batch, d].
 */
export const analogLink: Link = analogRepetitionLink(1);

/**
 * The analog link that sends each complex use `r` times within the block (same gain h, independent
 * noise) and combines the copies coherently at the receiver: the same as {@link analogLink} at r
 * times the SNR (+10·log10 r dB; pilots and the gate's view unchanged), for r·⌈d/2⌉ channel uses
 * plus pilots. r = 1 is analogLink. Trades channel uses for quality, e.g. to compare analog with
 * digital links at equal channel uses. `r`: integer ≥ 1.
 */
export function analogRepetitionLink(r: number): Link & { readonly repetitions: number } {
  if (!Number.isInteger(r) || r < 1) throw new InputError(`analog repetitions ${r} is not an integer ≥ 1`);
  const gainDb = 10 * Math.log10(r);
  const link: Link & { readonly repetitions: number } = {
    kind: 'analog',
    repetitions: r,
    transmit(features, batch) {
      return sendAnalog(features, r === 1 ? batch : boosted(batch, gainDb));
    },
    channelUses(d, batch) {
      return new Float32Array(batch.channel.batch * batch.channel.experts).fill(r * analogChannelUses(d) + batch.rx.pilotUses);
    },
  };
  return link;
}

/** `batch` with every mean SNR raised by `gainDb` (the combining gain of repeated uses). */
function boosted(batch: LinkBatch, gainDb: number): LinkBatch {
  const meanSnrDb = Float32Array.from(batch.channel.meanSnrDb, (s) => s + gainDb);
  return { ...batch, channel: { ...batch.channel, meanSnrDb } };
}

/** The analog link's transmission (see {@link analogLink}): features [B, d] → received [K, B, d]. */
function sendAnalog(features: tf.Tensor2D, batch: LinkBatch): tf.Tensor3D {
  const [B, d] = features.shape;
  const K = batch.channel.experts;
  checkBatch(batch, B);
  return tf.tidy(() => {
    const toFeatures = tf.sqrt(tf.mul(tf.mean(tf.square(features), 1, true), 2)); // √(2P) [B, 1]
    const noise = tf.randomNormal([K, B, d], 0, 1, 'float32', tfjsSeed(batch.channel.noiseSeed));
    if (!batch.channel.faded && batch.rx.perfect) {
      const snrDb = tf.tensor2d(batch.channel.meanSnrDb, [B, K]);
      const noiseStd = tf.sqrt(tf.div(tf.pow(10, tf.div(snrDb, -10)), 2)); // √(N0/2) [B, K], 0 at +∞
      const scale = tf.mul(tf.transpose(noiseStd), tf.transpose(toFeatures)); // [K, B]
      return tf.add(tf.expandDims(features, 0), tf.mul(noise, tf.expandDims(scale, 2))) as tf.Tensor3D;
    }
    const { gain, noiseStd } = mmseCoefficients(batch);
    const scale = tf.mul(tf.tensor2d(noiseStd, [K, B]), tf.transpose(toFeatures)); // √(2P)·|w|·√(N0/2) [K, B]
    const signal = rotate(features, tf.tensor3d(gain, [K, B, 2]));
    return tf.add(signal, tf.mul(noise, tf.expandDims(scale, 2))) as tf.Tensor3D;
  });
}

/** Throws unless `batch` describes `B` samples. */
function checkBatch(batch: LinkBatch, B: number): void {
  if (batch.channel.batch !== B) throw new RangeError(`analog link: features have ${B} samples but the link batch has ${batch.channel.batch}`);
}

/**
 * Per pair, in [K, B] order: the complex gain a = w·h of the signal after the MMSE equaliser
 * (interleaved re/im, [K·B·2]) and the noise's standard deviation per real dimension after it,
 * |w|·√(N0/2) ([K·B]); w = conj(ĥ)/(|ĥ|² + N0 + σe²). (w·n with n ~ CN(0, N0) circular has the law of
 * |w|·n, so the noise needs no rotation.) ĥ = 0 gives w = 0: the expert receives zeros.
 */
function mmseCoefficients(batch: LinkBatch): { gain: Float32Array; noiseStd: Float32Array } {
  const { batch: B, experts: K, h, meanSnrDb } = batch.channel;
  const { hHat, errVar } = batch.rx;
  const gain = new Float32Array(2 * K * B);
  const noiseStd = new Float32Array(K * B);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < K; k++) {
      const i = b * K + k, o = k * B + b;
      const n0 = meanSnrDb[i] === Infinity ? 0 : 10 ** (-meanSnrDb[i] / 10);
      const er = hHat[2 * i], ei = hHat[2 * i + 1], hr = h[2 * i], hi = h[2 * i + 1];
      const den = er * er + ei * ei + n0 + errVar[i];
      const wr = den > 0 ? er / den : 0, wi = den > 0 ? -ei / den : 0; // w = conj(ĥ)/den
      gain[2 * o] = wr * hr - wi * hi;
      gain[2 * o + 1] = wr * hi + wi * hr;
      noiseStd[o] = Math.sqrt(wr * wr + wi * wi) * Math.sqrt(n0 / 2);
    }
  }
  return { gain, noiseStd };
}

/**
 * Multiplies each complex use of the features [B, d] (value 2i real, 2i+1 imaginary; an odd last
 * value is a real part with imaginary 0) by the pair's gain a [K, B, 2] → [K, B, d].
 */
function rotate(features: tf.Tensor2D, a: tf.Tensor3D): tf.Tensor3D {
  const [B, d] = features.shape;
  const K = a.shape[0];
  const uses = analogChannelUses(d);
  const padded = d % 2 ? tf.pad(features, [[0, 0], [0, 1]]) : features;
  const pairs = tf.reshape(padded, [1, B, uses, 2]);
  const [re, im] = tf.split(pairs, 2, 3); // [1, B, uses, 1] each
  const [ar, ai] = tf.split(tf.reshape(a, [K, B, 1, 2]), 2, 3); // [K, B, 1, 1] each
  const outRe = tf.sub(tf.mul(ar, re), tf.mul(ai, im));
  const outIm = tf.add(tf.mul(ai, re), tf.mul(ar, im));
  const out = tf.reshape(tf.concat([outRe, outIm], 3), [K, B, 2 * uses]);
  return (d % 2 ? tf.slice(out, [0, 0, 0], [K, B, d]) : out) as tf.Tensor3D;
}
