// Batch norm folded into the convolution before it, for inference: eval-mode BN is the per-channel
// affine map y = s·x + t with s = γ/√(var + ε), t = β − mean·s, so conv(x, W) followed by it equals
// conv(x, W·s) + t (s scaling W's output channels). The folded filter and bias are computed once per
// layer and cached until a parameter changes (tfjs gives a variable a new data id on every assign).
import * as tf from '@tensorflow/tfjs-core';
import { BN_EPSILON, type BatchNorm, type BatchNormFolding, type BatchNormTail } from '../models/batch_norm.js';

/** A batch norm's parameters and running statistics, each [channels]. */
export interface BatchNormParams {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
  movingMean: tf.Tensor1D;
  movingVariance: tf.Tensor1D;
}

/** A folded conv: filter [kh, kw, in, out] and bias [out]. */
export interface FoldedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/**
 * Folds eval-mode batch norm into the conv before it: filter = kernel·s (s = γ/√(var + ε) per
 * output channel, the kernel's last axis), bias = β − mean·s, computed in float64 and rounded
 * once to float32. kernel [kh, kw, in, out], bn parameters [out]. New tensors (the caller owns them).
 */
export function foldBatchNorm(kernel: tf.Tensor4D, bn: BatchNormParams, epsilon = BN_EPSILON): FoldedConv {
  const out = kernel.shape[3];
  const [gamma, beta, mean, variance] = [bn.gamma, bn.beta, bn.movingMean, bn.movingVariance].map((t) => t.dataSync());
  if ([gamma, beta, mean, variance].some((v) => v.length !== out)) {
    throw new RangeError(`foldBatchNorm: batch norm of [${gamma.length}] channels after a kernel of ${out} output channels`);
  }
  const scale = Float64Array.from(gamma, (g, c) => g / Math.sqrt(variance[c] + epsilon));
  const w = kernel.dataSync();
  const filter = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) filter[i] = w[i] * scale[i % out];
  const bias = Float32Array.from(beta, (b, c) => b - mean[c] * scale[c]);
  return { filter: tf.tensor4d(filter, kernel.shape), bias: tf.tensor1d(bias) };
}

/** A cached fold and the data ids of the five variables it was computed from. */
interface CacheEntry extends FoldedConv {
  ids: object[];
}

const idsOf = (kernel: tf.Variable, bn: BatchNorm): object[] =>
  [kernel, bn.gamma, bn.beta, bn.movingMean, bn.movingVariance].map((v) => v.dataId);

/**
 * The batch-norm folding a predictor activates (see withBatchNormFolding): each conv → BN layer
 * runs as one fused conv with the folded filter and bias (+ ReLU), or, with a residual, that
 * conv then add and ReLU. Folds are made on first use and remade when a variable of the layer
 * was assigned since (training between predictions). `dispose` frees the cached tensors.
 */
export class BatchNormFolder implements BatchNormFolding {
  private readonly cache = new Map<tf.Variable, CacheEntry>();

  convBn(x: tf.Tensor4D, kernel: tf.Variable, stride: number, pad: number | 'valid', bn: BatchNorm, tail: BatchNormTail): tf.Tensor4D {
    const { filter, bias } = this.folded(kernel, bn);
    const fusedRelu = tail.relu === true && tail.residual === undefined;
    const y = tf.fused.conv2d({ x, filter, bias, strides: stride, pad, activation: fusedRelu ? 'relu' : 'linear' });
    if (!tail.residual) return y;
    const sum = tf.add(y, tail.residual) as tf.Tensor4D;
    return tail.relu ? tf.relu(sum) : sum;
  }

  /** Number of folded layers held. */
  get size(): number {
    return this.cache.size;
  }

  /** The fold of (kernel, bn), from the cache while none of their variables changed. */
  private folded(kernel: tf.Variable, bn: BatchNorm): FoldedConv {
    const ids = idsOf(kernel, bn);
    const hit = this.cache.get(kernel);
    if (hit && hit.ids.every((id, i) => id === ids[i])) return hit;
    if (hit) tf.dispose([hit.filter, hit.bias]);
    const fold = foldBatchNorm(kernel as tf.Tensor4D, bn as unknown as BatchNormParams);
    tf.keep(fold.filter);
    tf.keep(fold.bias);
    const entry = { ...fold, ids };
    this.cache.set(kernel, entry);
    return entry;
  }

  /** Frees every cached fold. */
  dispose(): void {
    for (const e of this.cache.values()) tf.dispose([e.filter, e.bias]);
    this.cache.clear();
  }
}
