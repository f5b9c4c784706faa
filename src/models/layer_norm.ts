import * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM, LAYER_NORM_GRAD, type LayerNormAttrs } from '../kernels/kernel_names.js';

/** LayerNorm's ε, PyTorch's default for `nn.LayerNorm` (added to the variance). */
export const LAYER_NORM_EPSILON = 1e-5;

/** Sums t over the axes along which `like` was broadcast against t, back to like's shape. */
function unbroadcast(t: tf.Tensor, like: tf.Tensor): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(like.shape, t.shape);
  return tf.reshape(axes.length ? tf.sum(t, axes) : t, like.shape);
}

/** True when the current backend registered the package kernel `name`. */
function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** gamma (and beta, of its shape) fit the kernels: [n], or [G, 1, …, 1, n] with G = x's first dimension. */
function kernelShapes(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): boolean {
  const g = gamma.shape;
  const n = x.shape[x.rank - 1];
  if (!tf.util.arraysEqual(g, beta.shape) || g[g.length - 1] !== n) return false;
  return g.length === 1 || (g[0] === x.shape[0] && g.slice(1, -1).every((d) => d === 1));
}

/** LayerNorm by the backend's kernels (assembly/nn/layer_norm.ts on backend wmoe). */
function layerNormByKernel(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const attrs: LayerNormAttrs = { epsilon };
  const normalise = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [y, mean, rstd] = tf.engine().runKernel(LAYER_NORM, { x: xs, gamma: g, beta: b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([xs, mean!, rstd!, g]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, [xv, m, r, gs]: tf.Tensor[]) =>
        tf.engine().runKernel(LAYER_NORM_GRAD, { dy, x: xv!, mean: m!, rstd: r!, gamma: gs! }) as tf.Tensor[],
    };
  });
  return normalise(x, gamma, beta);
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
 *
 * A backend that registers the kernels LAYER_NORM and LAYER_NORM_GRAD of
 * src/kernels/kernel_names.ts (`wmoe`: one WASM pass per row forward, two backward) runs them
 * when gamma and beta are [n] or [G, 1, …, 1, n] (G = x's first dimension); otherwise the
 * tfjs-core ops below compute the same float32 formulas.
 */
export function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor, epsilon = LAYER_NORM_EPSILON): T {
  if (x.dtype === 'float32' && x.rank >= 1 && hasKernel(LAYER_NORM) && hasKernel(LAYER_NORM_GRAD) && kernelShapes(x, gamma, beta)) {
    return layerNormByKernel(x, gamma, beta, epsilon) as T;
  }
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
