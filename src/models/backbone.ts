import type * as tf from '@tensorflow/tfjs-core';

/** The server-side feature extractor: images [batch, H, W, C] → features [batch, featureDim]. */
export interface Backbone {
  readonly name: string;
  readonly featureDim: number;
  /** Trainable variable names' common prefix in the ParamStore. */
  readonly prefix: string;
  forward(images: tf.Tensor4D): tf.Tensor2D;
}

/** The models `--model` accepts. */
export const MODEL_NAMES = ['lenet5'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
