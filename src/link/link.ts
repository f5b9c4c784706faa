import type * as tf from '@tensorflow/tfjs-core';

/** The downlinks `--link` accepts. */
export const LINK_KINDS = ['perfect', 'analog', 'digital'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/**
 * A downlink from the server to the K experts. It takes the clean features [batch, d] and
 * each expert's SNR in dB [batch, K] and returns what each expert receives, [K, batch, d].
 * Gradients: the perfect and analog links are differentiable as written (the noise is
 * additive); the digital link is straight-through (identity gradient), since quantisation and
 * decoding have none. Stage 2 freezes everything upstream of the links anyway.
 */
export interface Link {
  readonly kind: LinkKind;
  transmit(features: tf.Tensor2D, snrDb: tf.Tensor2D, seed: number): tf.Tensor3D;
}
