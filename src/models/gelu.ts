import * as tf from '@tensorflow/tfjs-core';
import { GELU, GELU_GRAD } from '../kernels/kernel_names.js';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** True when the current backend registered the package kernel `name`. */
function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** GELU by the backend's kernels (assembly/nn/gelu.ts on backend wmoe): saves only x. */
const geluByKernel = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.engine().runKernel(GELU, { x }) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, [xs]: tf.Tensor[]) => tf.engine().runKernel(GELU_GRAD, { x: xs!, dy }) as tf.Tensor,
  };
});

/** GELU composed of tfjs-core ops (erf, exp and elementwise arithmetic), for any backend. */
const geluByOps = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const cdf = tf.mul(tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1), 0.5);
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy: tf.Tensor, [xs, cdfs]: tf.Tensor[]) => {
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs!), -0.5)), INV_SQRT_2PI);
      return tf.mul(dy, tf.add(cdfs!, tf.mul(xs!, pdf)));
    },
  };
});

/**
 * GELU, the exact (erf) form: gelu(x) = x·Φ(x) = 0.5·x·(1 + erf(x/√2)), as PyTorch's default
 * `nn.GELU()` (approximate='none'). The gradient is the closed form gelu'(x) = Φ(x) + x·φ(x)
 * with φ(x) = exp(−x²/2)/√(2π). A backend that registers the kernels GELU and GELU_GRAD of
 * src/kernels/kernel_names.ts (`wmoe`: one WASM pass each way, erf by a rational approximation
 * with absolute error ~1e-7) runs them; any other backend composes tfjs-core's erf (on
 * tfjs-backend-cpu Abramowitz–Stegun 7.1.26, absolute error ≤ 1.5e-7) and exp.
 * float32; any shape in, same shape out.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  const byKernel = x.dtype === 'float32' && hasKernel(GELU) && hasKernel(GELU_GRAD);
  return (byKernel ? geluByKernel(x) : geluByOps(x)) as T;
}
