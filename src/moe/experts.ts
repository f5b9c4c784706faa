import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '../models/params.js';

/**
 * K expert networks, one per client, stored stacked so that all K run as one batched matmul:
 * each is the LeNet-5 head d → 120 → ReLU → 84 → ReLU → classes.
 */
export class Experts {
  static readonly HIDDEN = [120, 84] as const;
  private readonly layers: { w: tf.Variable; b: tf.Variable }[] = [];

  constructor(params: ParamStore, readonly count: number, featureDim: number, readonly classes: number) {
    const sizes = [featureDim, ...Experts.HIDDEN, classes];
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.layers.push({
        w: params.add(`experts/dense${i + 1}/kernel`, [count, sizes[i], sizes[i + 1]]),
        b: params.add(`experts/dense${i + 1}/bias`, [count, 1, sizes[i + 1]], 'zeros'),
      });
    }
  }

  /** Received features [K, batch, d] (expert k gets slice k) → logits [K, batch, classes]. */
  logits(received: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      let h: tf.Tensor3D = received;
      this.layers.forEach(({ w, b }, i) => {
        const last = i === this.layers.length - 1;
        h = tf.fused.matMul({ a: h, b: w as tf.Tensor3D, bias: b, activation: last ? 'linear' : 'relu' }) as tf.Tensor3D;
      });
      return h;
    });
  }
}
