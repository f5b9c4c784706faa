import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './params.js';
import type { ExpertStack } from './backbone.js';
import { matMulBiasRelu } from './fused_train.js';

/**
 * K fully connected expert heads stored stacked, so that all K run as one batched matmul:
 * each is d → hidden[0] → ReLU → … → classes. Kernels are [K, in, out] (the leading K is a
 * batch dimension: fan-in is `in`), biases [K, 1, out].
 */
export class StackedDenseExperts implements ExpertStack {
  private readonly layers: { w: tf.Variable; b: tf.Variable }[] = [];

  constructor(params: ParamStore, readonly count: number, featureDim: number, hidden: readonly number[], readonly classes: number) {
    const sizes = [featureDim, ...hidden, classes];
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.layers.push({
        w: params.add(`experts/dense${i + 1}/kernel`, [count, sizes[i], sizes[i + 1]], 'he', { batchDims: 1 }),
        b: params.add(`experts/dense${i + 1}/bias`, [count, 1, sizes[i + 1]], 'zeros'),
      });
    }
  }

  /** The layers, input first: kernels [K, in, out] and biases [K, 1, out] (read by src/infer's host-side inference). */
  get denseLayers(): readonly { w: tf.Variable; b: tf.Variable }[] {
    return this.layers;
  }

  /** Received features [K, batch, d] → logits [K, batch, classes]. */
  logits(received: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      let h: tf.Tensor3D = received;
      this.layers.forEach(({ w, b }, i) => {
        const last = i === this.layers.length - 1;
        // Hidden layers fused in training too (fused_train.ts); the last is linear (tfjs fuses that itself).
        h = last
          ? tf.fused.matMul({ a: h, b: w as tf.Tensor3D, bias: b, activation: 'linear' }) as tf.Tensor3D
          : matMulBiasRelu(h, w as tf.Tensor3D, b);
      });
      return h;
    });
  }
}
