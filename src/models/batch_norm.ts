import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './params.js';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, type BatchNormTrainAttrs } from '../kernels/kernel_names.js';

/**
 * Running statistics follow running ← momentum·running + (1 − momentum)·batch (the Keras
 * convention; PyTorch's momentum 0.1 is the same update).
 */
export const BN_MOMENTUM = 0.9;
/** Added to the variance before its inverse square root. */
export const BN_EPSILON = 1e-5;

/** Axes of an NHWC tensor that batch statistics reduce over: all but the channel axis. */
const AXES = [0, 1, 2];

/** What follows the normalisation in the same call (ResNet's `relu(bn(x) + shortcut)`). */
export interface BatchNormTail {
  /** Added after the affine transform, before the ReLU: [batch, H, W, channels]. */
  residual?: tf.Tensor4D;
  /** ReLU last. */
  relu?: boolean;
}

type TrainingForward = (...inputs: tf.Tensor[]) => tf.Tensor4D;

/**
 * Inference with batch norm folded into the convolution before it (src/infer/fold_batch_norm.ts):
 * while a folding is active ({@link withBatchNormFolding}), eval-mode conv → BN layers (ResNet-18's)
 * call `convBn` instead of running the convolution and then the normalisation.
 */
export interface BatchNormFolding {
  /**
   * x [batch, H, W, in] → tail(bn(conv(x))) [batch, H', W', out], with `bn`'s running statistics
   * folded into the conv: kernel [kh, kw, in, out], `stride`, padding `pad` (pixels or 'valid').
   */
  convBn(x: tf.Tensor4D, kernel: tf.Variable, stride: number, pad: number | 'valid', bn: BatchNorm, tail: BatchNormTail): tf.Tensor4D;
}

let activeFolding: BatchNormFolding | null = null;

/** Runs `fn` with `folding` active (the previous one restored after, also on a throw). */
export function withBatchNormFolding<T>(folding: BatchNormFolding, fn: () => T): T {
  const previous = activeFolding;
  activeFolding = folding;
  try {
    return fn();
  } finally {
    activeFolding = previous;
  }
}

/** The batch-norm folding active now, or null (eval-mode batch norm then runs unfolded). */
export function batchNormFolding(): BatchNormFolding | null {
  return activeFolding;
}

/**
 * Batch normalisation over the channel axis of NHWC tensors, optionally followed by a residual
 * add and a ReLU: y = relu?(γ·(x − μ)/√(σ² + ε) + β [+ r]) per channel.
 *
 * Parameters in the store, under `name`: trainable `gamma` ('ones') and `beta` ('zeros'),
 * and the non-trainable state `moving_mean` ('zeros') and `moving_variance` ('ones').
 *
 * Training mode normalises by the batch's mean and biased variance over [batch, H, W] and
 * updates the running statistics by assignment, outside the gradient path:
 * moving_mean ← 0.9·moving_mean + 0.1·μ, moving_variance ← 0.9·moving_variance + 0.1·σ²·M/(M−1)
 * with M = batch·H·W values per channel (the unbiased variance, as PyTorch does; the biased one
 * when M = 1). Eval mode normalises by the running statistics.
 *
 * Training mode has a closed-form gradient (a `customGrad`): with g = dy masked by y > 0 under
 * ReLU (the residual's gradient) and x̂ = (x − μ)/√(σ² + ε), dβ = Σ g, dγ = Σ g·x̂,
 * dx = γ/√(σ² + ε) · (g − dβ/M − x̂·dγ/M), sums over [batch, H, W]. A backend that registers
 * the kernels of src/kernels/kernel_names.ts (`wmoe`) runs forward and gradient as two fused
 * kernels of 3 and 2 passes over the activations; any other backend composes tfjs-core ops
 * (about 7 passes each way) in the same float32 operations.
 */
export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;
  /** The training-mode customGrad of each (residual, relu) combination, made on first use. */
  private readonly trainingForwards = new Map<string, TrainingForward>();

  /** Declares the four [channels] parameters `name/gamma`, `name/beta`, `name/moving_mean`, `name/moving_variance`. */
  constructor(params: ParamStore, readonly name: string, readonly channels: number) {
    this.gamma = params.add(`${name}/gamma`, [channels], 'ones');
    this.beta = params.add(`${name}/beta`, [channels], 'zeros');
    this.movingMean = params.add(`${name}/moving_mean`, [channels], 'zeros', { trainable: false });
    this.movingVariance = params.add(`${name}/moving_variance`, [channels], 'ones', { trainable: false });
  }

  /**
   * x [batch, H, W, channels] → normalised [batch, H, W, channels], then `tail` (a residual of
   * x's shape added, a ReLU). `training` uses batch statistics and updates the running ones
   * (once per call); otherwise the running ones.
   */
  apply(x: tf.Tensor4D, training = false, tail: BatchNormTail = {}): tf.Tensor4D {
    const relu = tail.relu ?? false;
    if (tail.residual && !tf.util.arraysEqual(tail.residual.shape, x.shape)) {
      throw new Error(`wireless-moe: ${this.name}: residual shape [${tail.residual.shape}] differs from [${x.shape}]`);
    }
    if (training) {
      const f = this.trainingForward(tail.residual !== undefined, relu);
      return tail.residual ? f(x, this.gamma, this.beta, tail.residual) : f(x, this.gamma, this.beta);
    }
    return tf.tidy(() => {
      // One multiply and one add per element: scale = γ/√(var + ε), shift = β − mean·scale.
      const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(this.movingVariance, BN_EPSILON)));
      const shift = tf.sub(this.beta, tf.mul(this.movingMean, scale));
      let y = tf.add(tf.mul(x, scale), shift) as tf.Tensor4D;
      if (tail.residual) y = tf.add(y, tail.residual);
      return relu ? tf.relu(y) : y;
    });
  }

  private trainingForward(residual: boolean, relu: boolean): TrainingForward {
    const key = `${residual}/${relu}`;
    let f = this.trainingForwards.get(key);
    if (f === undefined) {
      f = tf.customGrad((...args: unknown[]) => {
        const save = args.pop() as (tensors: tf.Tensor[]) => void;
        const [x, gamma, beta, r] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor4D | undefined];
        const { y, mean, variance, inv } = fusedKernel(BATCH_NORM_TRAIN)
          ? trainKernel(x, gamma, beta, r, relu)
          : trainOps(x, gamma, beta, r, relu);
        this.updateRunning(mean, variance, x.shape[0] * x.shape[1] * x.shape[2]);
        save(relu ? [x, mean, inv, gamma, y] : [x, mean, inv, gamma]);
        return {
          value: y,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [xs, m, i, g, ys] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor4D?];
            const grads = fusedKernel(BATCH_NORM_TRAIN_GRAD)
              ? gradKernel(dy as tf.Tensor4D, xs, m, i, g, ys, residual)
              : gradOps(dy as tf.Tensor4D, xs, m, i, g, ys);
            return residual ? [grads.dx, grads.dGamma, grads.dBeta, grads.dResidual] : [grads.dx, grads.dGamma, grads.dBeta];
          },
        };
      }) as unknown as TrainingForward;
      this.trainingForwards.set(key, f);
    }
    return f;
  }

  /** Running statistics ← momentum·running + (1 − momentum)·batch; no gradient flows here. */
  private updateRunning(mean: tf.Tensor1D, variance: tf.Tensor1D, count: number): void {
    const unbiased = count > 1 ? count / (count - 1) : 1;
    tf.tidy(() => {
      this.movingMean.assign(tf.add(tf.mul(this.movingMean, BN_MOMENTUM), tf.mul(mean, 1 - BN_MOMENTUM)));
      this.movingVariance.assign(
        tf.add(tf.mul(this.movingVariance, BN_MOMENTUM), tf.mul(variance, (1 - BN_MOMENTUM) * unbiased)),
      );
    });
  }
}

/** The batch statistics and output of one training-mode forward. */
interface TrainForward {
  y: tf.Tensor4D;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  inv: tf.Tensor1D;
}

/** The gradients of one training-mode backward (dResidual: that of the residual). */
interface TrainGradients {
  dx: tf.Tensor4D;
  dGamma: tf.Tensor1D;
  dBeta: tf.Tensor1D;
  dResidual: tf.Tensor4D;
}

/** True when the current backend registered the package kernel `name`. */
function fusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Training forward by the backend's fused kernel. */
function trainKernel(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, r: tf.Tensor4D | undefined, relu: boolean): TrainForward {
  const attrs: BatchNormTrainAttrs = { relu, residual: r !== undefined, epsilon: BN_EPSILON };
  const inputs: tf.NamedTensorMap = r ? { x, gamma, beta, residual: r } : { x, gamma, beta };
  const [y, mean, variance, inv] = tf.engine().runKernel(BATCH_NORM_TRAIN, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D, inv: inv as tf.Tensor1D };
}

/** Training forward composed of tfjs-core ops. */
function trainOps(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, r: tf.Tensor4D | undefined, relu: boolean): TrainForward {
  const mean = tf.mean(x, AXES) as tf.Tensor1D;
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), AXES) as tf.Tensor1D;
  const inv = tf.rsqrt(tf.add(variance, BN_EPSILON)) as tf.Tensor1D;
  let y = tf.add(tf.mul(centered, tf.mul(gamma, inv)), beta) as tf.Tensor4D;
  if (r) y = tf.add(y, r);
  if (relu) y = tf.relu(y);
  return { y, mean, variance, inv };
}

/** Gradients by the backend's fused kernel (y: the forward's output, with ReLU only). */
function gradKernel(dy: tf.Tensor4D, x: tf.Tensor4D, mean: tf.Tensor1D, inv: tf.Tensor1D, gamma: tf.Tensor1D,
  y: tf.Tensor4D | undefined, residual: boolean): TrainGradients {
  const attrs: BatchNormTrainAttrs = { relu: y !== undefined, residual, epsilon: BN_EPSILON };
  const inputs: tf.NamedTensorMap = y ? { dy, x, mean, inv, gamma, y } : { dy, x, mean, inv, gamma };
  const [dx, dGamma, dBeta, g] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { dx: dx as tf.Tensor4D, dGamma: dGamma as tf.Tensor1D, dBeta: dBeta as tf.Tensor1D, dResidual: (g ?? dy) as tf.Tensor4D };
}

/** Gradients composed of tfjs-core ops (y: the forward's output, with ReLU only). */
function gradOps(dy: tf.Tensor4D, x: tf.Tensor4D, mean: tf.Tensor1D, inv: tf.Tensor1D, gamma: tf.Tensor1D,
  y: tf.Tensor4D | undefined): TrainGradients {
  const count = x.shape[0] * x.shape[1] * x.shape[2];
  const g = y ? (tf.mul(dy, tf.step(y)) as tf.Tensor4D) : dy;
  const c = tf.sub(x, mean);
  const dBeta = tf.sum(g, AXES) as tf.Tensor1D;
  // Σ g·x̂ = inv · Σ g·(x − μ)
  const dGamma = tf.mul(tf.sum(tf.mul(g, c), AXES), inv) as tf.Tensor1D;
  // dx = a·g + b·(x − μ) + e with per-channel a = γ·inv, b = −a·inv·dγ/M, e = −a·dβ/M.
  const a = tf.mul(gamma, inv);
  const b = tf.mul(tf.mul(a, inv), tf.div(dGamma, -count));
  const e = tf.mul(a, tf.div(dBeta, -count));
  const dx = tf.add(tf.add(tf.mul(g, a), tf.mul(c, b)), e) as tf.Tensor4D;
  return { dx, dGamma, dBeta, dResidual: g };
}
