import type * as tf from '@tensorflow/tfjs-core';

/**
 * The server-side feature extractor: images [batch, H, W, C] → features [batch, featureDim],
 * the d values every chosen expert receives over its link.
 */
export interface Backbone {
  readonly name: string;
  readonly featureDim: number;
  /** Trainable variable names' common prefix in the ParamStore. */
  readonly prefix: string;
  /**
   * `training` selects batch statistics (and updates the running ones) in batch norm; layers
   * without train/eval behaviour ignore it. Default false (inference).
   */
  forward(images: tf.Tensor4D, training?: boolean): tf.Tensor2D;
}

/**
 * The K expert networks, one per client. Each receives its own copy of the (noisy) features
 * and returns class logits.
 */
export interface ExpertStack {
  readonly count: number;
  readonly classes: number;
  /**
   * Received features [K, batch, d] (expert k gets slice k) → logits [K, batch, classes].
   * `training` as for {@link Backbone.forward}.
   */
  logits(received: tf.Tensor3D, training?: boolean): tf.Tensor3D;
}

/** The models `--model` accepts. */
export const MODEL_NAMES = ['lenet5', 'resnet18', 'vit'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
