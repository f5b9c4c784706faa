import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { imageValues } from '../data/pixels.js';

/**
 * Images to predict on, pixel values in [0, 1], NHWC: a tensor [n, H, W, C], a Float32Array of
 * n·H·W·C values (row-major [n, H, W, C]), or a Dataset (its pixel bytes are converted one batch
 * at a time, so a large set never exists as float32 whole).
 */
export type PredictInput = tf.Tensor4D | Float32Array | Dataset;

/** Batches of a {@link PredictInput}: `batch(start, count)` is images start…start+count−1 [count, H, W, C]. */
export interface ImageSource {
  readonly n: number;
  batch(start: number, count: number): tf.Tensor4D;
}

const isDataset = (x: PredictInput): x is Dataset => !(x instanceof tf.Tensor) && !(x instanceof Float32Array);

/**
 * The batches of `input` for a model taking images of `shape` [H, W, C]; an InputError naming the
 * shapes when they differ (or a Float32Array's length is not a whole number of images), and for
 * an empty input.
 */
export function imageSource(input: PredictInput, shape: readonly [number, number, number]): ImageSource {
  const [h, w, c] = shape;
  const size = h * w * c;
  const want = `[${h}, ${w}, ${c}]`;
  let source: ImageSource;
  if (input instanceof Float32Array) {
    if (input.length === 0 || input.length % size !== 0) {
      throw new InputError(`images: ${input.length} values are not a whole number of ${want} images (${size} values each)`);
    }
    source = { n: input.length / size, batch: (s, k) => tf.tensor4d(input.subarray(s * size, (s + k) * size), [k, h, w, c]) };
  } else if (isDataset(input)) {
    if (input.height !== h || input.width !== w || input.channels !== c) {
      throw new InputError(`images are [${input.height}, ${input.width}, ${input.channels}] but the model takes ${want}`);
    }
    source = { n: input.n, batch: (s, k) => tf.tensor4d(imageValues(input, s, k), [k, h, w, c]) };
  } else {
    const [, ih, iw, ic] = input.shape;
    if (input.rank !== 4 || ih !== h || iw !== w || ic !== c) {
      throw new InputError(`images tensor has shape [${input.shape.join(', ')}] but the model takes [n, ${h}, ${w}, ${c}]`);
    }
    // The whole tensor as is (a tidy scope leaves tensors made outside it alone): no copy kernel.
    source = { n: input.shape[0], batch: (s, k) => (s === 0 && k === input.shape[0] ? input : tf.slice(input, [s, 0, 0, 0], [k, h, w, c])) };
  }
  if (source.n === 0) throw new InputError('images: no images to predict on');
  return source;
}
