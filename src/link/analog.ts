import * as tf from '@tensorflow/tfjs-core';
import type { Link } from './link.js';

/**
 * Analog downlink. For each sample and expert k, the feature vector f (d real values, one
 * channel use each) is normalised to unit average power P = mean(f²), sent over a real AWGN
 * channel with noise variance σ² = 10^(−SNR_k/10) per channel use (SNR = Es/N0 in dB), and
 * the normalisation is undone at the expert: r = f + √P·σ·n, n ~ N(0, 1). SNR = +∞ is a
 * perfect link. The noise is drawn from tfjs's seeded generator: the same seed gives the
 * same received features.
 */
export const analogLink: Link = {
  kind: 'analog',
  transmit(features, snrDb, seed) {
    const [batch, d] = features.shape;
    const K = snrDb.shape[1];
    return tf.tidy(() => {
      const power = tf.mean(tf.square(features), 1, true); // [B, 1]
      const sigma = tf.pow(10, tf.div(snrDb, -20)); // [B, K], 0 at +∞
      const scale = tf.mul(tf.transpose(sigma), tf.transpose(tf.sqrt(power))); // [K, B]
      const noise = tf.randomNormal([K, batch, d], 0, 1, 'float32', seed);
      return tf.add(tf.expandDims(features, 0), tf.mul(noise, tf.expandDims(scale, 2))) as tf.Tensor3D;
    });
  },
};
