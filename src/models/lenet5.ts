import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import type { ParamStore } from './params.js';
import type { Backbone } from './backbone.js';
import { StackedDenseExperts } from './dense_head.js';
import { conv2dBiasRelu } from './fused_train.js';
import { mergeOptions, type ModelSpec } from './model_spec.js';

/** Output side of LeNet-5's conv part on an h-pixel side: (h − 4)/2, then (· − 4)/2. */
const side = (n: number) => Math.floor((Math.floor((n - 4) / 2) - 4) / 2);

/**
 * LeNet-5's convolutional part, the server's backbone: conv 5x5x6 + ReLU → max-pool 2 →
 * conv 5x5x16 + ReLU → max-pool 2 → flatten. On 32x32xC input it yields 5·5·16 = 400
 * features. (The classic fully connected layers 120 → 84 → classes live in each expert.)
 */
export function lenet5Backbone(params: ParamStore, inputShape: [number, number, number]): Backbone {
  const [h, w, c] = inputShape;
  const k1 = params.add('backbone/conv1/kernel', [5, 5, c, 6]);
  const b1 = params.add('backbone/conv1/bias', [6], 'zeros');
  const k2 = params.add('backbone/conv2/kernel', [5, 5, 6, 16]);
  const b2 = params.add('backbone/conv2/bias', [16], 'zeros');
  const featureDim = side(h) * side(w) * 16;
  return {
    name: 'lenet5',
    featureDim,
    prefix: 'backbone/',
    forward(images) {
      return tf.tidy(() => {
        // Fused conv + bias + ReLU in training too (fused_train.ts); the images are data: no input gradient.
        const a1 = conv2dBiasRelu(images, k1 as tf.Tensor4D, b1 as tf.Tensor1D, 1, 'valid', { inputGrad: false });
        const p1 = tf.maxPool(a1, 2, 2, 'valid');
        const a2 = conv2dBiasRelu(p1, k2 as tf.Tensor4D, b2 as tf.Tensor1D, 1, 'valid');
        const p2 = tf.maxPool(a2, 2, 2, 'valid');
        return tf.reshape(p2, [images.shape[0], featureDim]) as tf.Tensor2D;
      });
    },
  };
}

/** LeNet-5 split after its conv part: d = 400 on 32x32; each expert is the 120 → 84 → classes head. */
export const lenet5: ModelSpec = {
  name: 'lenet5',
  description: 'LeNet-5: backbone = conv part (d = 5·5·16 = 400 at 32x32), expert = 120 → 84 → classes',
  defaults: {},
  resolveOptions(options, [h, w]) {
    if (side(h) < 1 || side(w) < 1) throw new InputError(`lenet5 needs images of at least 16x16, got ${h}x${w}`);
    return mergeOptions('lenet5', this.defaults, options);
  },
  build(params, { inputShape, classes, experts }) {
    const backbone = lenet5Backbone(params, inputShape);
    return { backbone, experts: new StackedDenseExperts(params, experts, backbone.featureDim, [120, 84], classes) };
  },
};
