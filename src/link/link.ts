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
  /**
   * `mask` [batch, K] (1 = expert chosen), when given, lets a link skip the pairs whose expert
   * output will get weight 0; what it returns for those is unspecified.
   */
  transmit(features: tf.Tensor2D, snrDb: tf.Tensor2D, seed: number, mask?: tf.Tensor2D): tf.Tensor3D;
}
