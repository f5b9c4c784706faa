import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset.js';
import { imageValues } from '../data/pixels.js';
import type { DistributedMoE } from '../moe/model.js';
import type { ProgressFn } from './progress.js';

/** Backbone features of a whole dataset, computed once: [n, d] row-major, with labels. */
export interface FeatureSet {
  features: Float32Array;
  labels: Int32Array;
  n: number;
  d: number;
}

/**
 * Images of samples order[start..start+count) as one NHWC float32 array [count, H, W, C] of
 * pixel values in [0, 1], converted from the dataset's bytes for this batch only.
 */
export function imageArray(ds: Dataset, order: ArrayLike<number>, start: number, count: number): Float32Array {
  return imageValues(ds, start, count, order);
}

/** Images [count, H, W, C] of samples order[start..start+count) as a tensor. */
export function imageBatch(ds: Dataset, order: ArrayLike<number>, start: number, count: number): tf.Tensor4D {
  return tf.tensor4d(imageArray(ds, order, start, count), [count, ds.height, ds.width, ds.channels]);
}

/** Labels [count] of samples order[start..start+count). */
export function labelBatch(labels: Int32Array, order: ArrayLike<number>, start: number, count: number): tf.Tensor1D {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = labels[order[start + i]];
  return tf.tensor1d(out, 'int32');
}

/** Rows order[start..start+count) of a FeatureSet as a [count, d] tensor. */
export function featureBatch(fs: FeatureSet, order: ArrayLike<number>, start: number, count: number): tf.Tensor2D {
  const out = new Float32Array(count * fs.d);
  for (let i = 0; i < count; i++) {
    const j = order[start + i];
    out.set(fs.features.subarray(j * fs.d, (j + 1) * fs.d), i * fs.d);
  }
  return tf.tensor2d(out, [count, fs.d]);
}

/** How {@link extractFeatures} runs. */
export interface ExtractOptions {
  /** Images per backbone call (default 256). */
  batchSize?: number;
  /** Receives a phase event (unit "images") at the start and after each batch. */
  progress?: ProgressFn;
  /** The phase's label (default "features"). */
  label?: string;
}

/**
 * Runs the (frozen) backbone over a dataset in batches: features [n, d]. The third argument is
 * the options, or (as before) the batch size.
 */
export function extractFeatures(model: DistributedMoE, ds: Dataset, options: ExtractOptions | number = {}): FeatureSet {
  const { batchSize = 256, progress, label = 'features' } = typeof options === 'number' ? { batchSize: options } : options;
  const d = model.backbone.featureDim;
  const features = new Float32Array(ds.n * d);
  const order = Array.from({ length: ds.n }, (_, i) => i);
  progress?.({ kind: 'phase', label, done: 0, total: ds.n, unit: 'images' });
  for (let start = 0; start < ds.n; start += batchSize) {
    const count = Math.min(batchSize, ds.n - start);
    const f = tf.tidy(() => model.features(imageBatch(ds, order, start, count)));
    features.set(f.dataSync(), start * d);
    f.dispose();
    progress?.({ kind: 'phase', label, done: start + count, total: ds.n, unit: 'images' });
  }
  return { features, labels: ds.labels, n: ds.n, d };
}
