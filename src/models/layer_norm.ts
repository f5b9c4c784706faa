import * as tf from '@tensorflow/tfjs-core';

/** LayerNorm's ε, PyTorch's default for `nn.LayerNorm` (added to the variance). */
export const LAYER_NORM_EPSILON = 1e-5;

/** Sums t over the axes along which `like` was broadcast against t, back to like's shape. */
function unbroadcast(t: tf.Tensor, like: tf.Tensor): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(like.shape, t.shape);
  return tf.reshape(axes.length ? tf.sum(t, axes) : t, like.shape);
}

/**
 * Layer normalisation over the last axis (Ba et al. 2016), from tfjs-core ops:
 * y = x̂·gamma + beta with x̂ = (x − mean) / √(var + ε), mean and the biased variance (divide
 * by n, as PyTorch) taken over the last axis of x. gamma and beta broadcast against x (shape
 * [n], or [K, 1, …, n] for K stacked copies); they start at ones and zeros. Any rank ≥ 1;
 * output shape = x's shape.
 *
 * The gradient is the closed form, with g = dy·gamma and means over the last axis:
 * dx = (g − mean(g) − x̂·mean(g·x̂)) / √(var + ε), dgamma = Σ dy·x̂, dbeta = Σ dy (sums over
 * the broadcast axes). Autodiff of the forward ops records about twice as many kernels,
 * among them Neg and Pow, which run element by element in JS on backend wmoe.
 */
export function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor, epsilon = LAYER_NORM_EPSILON): T {
  const axis = x.rank - 1;
  const normalise = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const centred = tf.sub(xs, tf.mean(xs, axis, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), axis, true), epsilon));
    const xhat = tf.mul(centred, rstd);
    save([xhat, rstd, g, b]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, [xh, r, gs, bs]: tf.Tensor[]) => {
        const scaled = tf.mul(dy, gs);
        const dx = tf.mul(tf.sub(tf.sub(scaled, tf.mean(scaled, axis, true)), tf.mul(xh, tf.mean(tf.mul(scaled, xh), axis, true))), r);
        return [dx, unbroadcast(tf.mul(dy, xh), gs), unbroadcast(dy, bs)];
      },
    };
  });
  return normalise(x, gamma, beta) as T;
}
