import * as tf from '@tensorflow/tfjs-core';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

const geluWithGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const cdf = tf.mul(tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1), 0.5);
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy: tf.Tensor, [xs, cdfs]: tf.Tensor[]) => {
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
      return tf.mul(dy, tf.add(cdfs, tf.mul(xs, pdf)));
    },
  };
});

/**
 * GELU, the exact (erf) form: gelu(x) = x·Φ(x) = 0.5·x·(1 + erf(x/√2)), as PyTorch's default
 * `nn.GELU()` (approximate='none'). tfjs-core has no GELU op; it has `erf` (with a gradient),
 * so the exact form needs no tanh approximation. The gradient is written in closed form,
 * gelu'(x) = Φ(x) + x·φ(x) with φ(x) = exp(−x²/2)/√(2π), which saves the tape the chain of
 * elementwise ops autodiff would record. (tfjs-backend-cpu's erf is Abramowitz–Stegun 7.1.26,
 * absolute error ≤ 1.5e-7, below float32 resolution of the result.)
 * Any shape in, same shape out.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return geluWithGrad(x) as T;
}
