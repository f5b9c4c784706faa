// Names and attributes of the kernels that this package defines beyond tfjs-core's own (as
// tfjs-core's kernel_names.ts does for its ops): ops in src/models/ call them through
// tf.engine().runKernel when the current backend registered them, and compose tfjs-core ops
// otherwise.

/** Kernel name of the fused forward: inputs x, gamma, beta [, residual]; outputs y, mean, variance, inv. */
export const BATCH_NORM_TRAIN = 'WmoeBatchNormTrain';
/**
 * Kernel name of its gradient: inputs dy, x, mean, inv, gamma [, y with ReLU]; outputs dx, dgamma,
 * dbeta [, the residual's gradient with residual and ReLU].
 */
export const BATCH_NORM_TRAIN_GRAD = 'WmoeBatchNormTrainGrad';

/** Attributes of both kernels. */
export interface BatchNormTrainAttrs {
  /** ReLU after the normalisation (and the residual add). */
  relu: boolean;
  /** A residual [same shape as x] is added before the ReLU. */
  residual: boolean;
  /** Added to the variance before its inverse square root. */
  epsilon: number;
}

/** Kernel name of GELU's forward (exact erf form): input x; output y = x·Φ(x). */
export const GELU = 'WmoeGelu';
/** Kernel name of GELU's gradient: inputs x, dy; output dx = dy·(Φ(x) + x·φ(x)). */
export const GELU_GRAD = 'WmoeGeluGrad';

/**
 * Kernel name of LayerNorm's forward over the last axis: inputs x [G, …, C], gamma and beta
 * ([C], or [G, 1, …, 1, C] for G stacked copies); outputs y (x's shape) and each row's mean and
 * rstd = 1/√(var + ε) (x's shape without the last axis).
 */
export const LAYER_NORM = 'WmoeLayerNorm';
/** Kernel name of its gradient: inputs dy, x, mean, rstd, gamma; outputs dx, dgamma, dbeta (gamma's shape). */
export const LAYER_NORM_GRAD = 'WmoeLayerNormGrad';

/** Attributes of the LayerNorm kernels. */
export interface LayerNormAttrs {
  /** Added to the variance before its inverse square root. */
  epsilon: number;
}

/**
 * Kernel name of the attention core: inputs q [N, Tq, dh], k and v [N, Tk, dh] (N: heads ×
 * images); attribute scale; outputs o = softmax(scale·q·kᵀ)·v [N, Tq, dh] and the probabilities
 * p [N, Tq, Tk] (for the gradient).
 */
export const ATTENTION = 'WmoeAttention';
/** Kernel name of its gradient: inputs dy (o's gradient), q, k, v, p; attribute scale; outputs dq, dk, dv. */
export const ATTENTION_GRAD = 'WmoeAttentionGrad';

/** Attributes of the attention kernels. */
export interface AttentionAttrs {
  /** Multiplies q·kᵀ before the softmax (1/√dh), > 0. */
  scale: number;
}

/**
 * Kernel name of the sum over heads of per-head products: inputs a [H, G, m, k] and b [H, Gb, k, n]
 * (transposeB: [H, Gb, n, k]; Gb = 1 or G); output Σ_h a[h, g]·op(b[h, g or 0]) [G, m, n].
 */
export const HEADS_MATMUL = 'WmoeHeadsMatMul';

/** Attributes of HEADS_MATMUL. */
export interface HeadsMatMulAttrs {
  /** b holds each head's matrix transposed ([n, k]). */
  transposeB: boolean;
}
