import type * as tf from '@tensorflow/tfjs-core';
import type { LinkBatch } from './link_batch.js';

/** The downlinks `--link` accepts. */
export const LINK_KINDS = ['perfect', 'analog', 'digital'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/**
 * A downlink from the server to the K experts. It takes the clean features [batch, d] and a
 * {@link LinkBatch} for the same batch and K (the channel's true gains and noise seed, what each
 * receiver knows; the gate's knowledge is not the link's business) and returns what each expert
 * receives, [K, batch, d]. Build batches with a ChannelModel (`realise`) or, for AWGN at given
 * SNRs, {@link awgnLinkBatch}.
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
  transmit(features: tf.Tensor2D, batch: LinkBatch, mask?: tf.Tensor2D): tf.Tensor3D;
  /**
   * Complex channel uses of each (sample, expert) transmission of a d-value feature vector,
   * receiver pilots included, row-major [batch·K] (pair b·K + k). 0 for the perfect link.
   */
  channelUses(d: number, batch: LinkBatch): Float32Array;
  /**
   * What the server decides per batch before routing, from what it knows (the gate's SNRs): an
   * adaptive-MCS link with `:outage` marks the links in outage (`available`). Absent: the batch as is.
   * Callers that route call it once per batch and route and transmit with what it returns.
   */
  prepare?(batch: LinkBatch): LinkBatch;
  /**
   * What the link carries from batch to batch (adaptive MCS with `:olla`: each link's offset, dB),
   * or null when none: saved with a training state so that a resumed stage 2 continues exactly.
   */
  saveState?(): number[] | null;
  /** Restores what {@link saveState} returned. */
  restoreState?(state: number[]): void;
}
