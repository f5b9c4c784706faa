import * as tf from '@tensorflow/tfjs-core';
import type { Link } from './link.js';

/** Every expert receives the features exactly. */
export const perfectLink: Link = {
  kind: 'perfect',
  transmit(features, snrDb) {
    const K = snrDb.shape[1];
    return tf.tidy(() => tf.tile(tf.expandDims(features, 0), [K, 1, 1]) as tf.Tensor3D);
  },
};
