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
