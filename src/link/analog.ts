import * as tf from '@tensorflow/tfjs-core';
import type { Link } from './link.js';
import { tfjsSeed } from '../random/hash.js';

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
 * (⌈d/2⌉ uses) and scaled to unit average energy per use, Es = 1 (each real value then has
 * average power 1/2: the scale is √(2P) with P = mean(f²)). Complex AWGN at that expert's
 * Es/N0 adds N(0, N0/2) per real dimension, N0 = 10^(−SNR/10), and the expert undoes the
 * scaling: r = f + √(2P)·√(N0/2)·n, n ~ N(0, I). Relative to a feature's own power the noise
 * is P·N0 per value, so "x dB" here puts the same noise per real dimension on each feature as
 * QPSK at Es/N0 = x dB puts on each of its real dimensions. SNR = +∞ is a perfect link.
 * The noise is drawn from tfjs's seeded generator (seed in [0, 2^31)): the same seed gives the
 * same received features. features [batch, d], snrDb [batch, K] → received [K, batch, d].
 */
export const analogLink: Link = {
  kind: 'analog',
  transmit(features, snrDb, seed) {
    const [batch, d] = features.shape;
    const K = snrDb.shape[1];
    return tf.tidy(() => {
      const toFeatures = tf.sqrt(tf.mul(tf.mean(tf.square(features), 1, true), 2)); // √(2P) [B, 1]
      const noiseStd = tf.sqrt(tf.div(tf.pow(10, tf.div(snrDb, -10)), 2)); // √(N0/2) [B, K], 0 at +∞
      const scale = tf.mul(tf.transpose(noiseStd), tf.transpose(toFeatures)); // [K, B]
      const noise = tf.randomNormal([K, batch, d], 0, 1, 'float32', tfjsSeed(seed));
      return tf.add(tf.expandDims(features, 0), tf.mul(noise, tf.expandDims(scale, 2))) as tf.Tensor3D;
    });
  },
};
