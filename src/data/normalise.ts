import { InputError } from '../errors.js';
import { imageOf, type Dataset } from './dataset.js';
import { levelsOf } from './pixels.js';

/** Per-channel statistics of a set of images, in pixel units ([0, 1] images → values in [0, 1]). */
export interface ChannelStatistics {
  /** [C] mean of each channel over every pixel of every image. */
  mean: number[];
  /** [C] population standard deviation (divisor N) of each channel. */
  std: number[];
}

/** NHWC float images, all pixels of all images in one array (e.g. a batch from `imageValues`). */
export interface FloatImages {
  /** [n, H, W, C] values, row-major. */
  images: Float32Array;
  channels: number;
}

/**
 * Per-channel mean and standard deviation over all pixels of all images (NHWC) of a dataset
 * (its samples' pixel values in [0, 1], `levels[byte]`) or of a float array, accumulated in
 * float64 in two passes (mean, then squared deviations), sample by sample in order. Use the
 * training set. InputError when there is no pixel.
 */
export function channelStatistics(source: Dataset | FloatImages): ChannelStatistics {
  const c = source.channels;
  const samples = 'pixels' in source ? datasetSamples(source) : floatSamples(source);
  const sum = new Float64Array(c);
  let pixels = 0;
  samples((values, from, to) => {
    for (let i = from; i < to; i += c) for (let k = 0; k < c; k++) sum[k] += values(i + k);
    pixels += (to - from) / c;
  });
  const mean = Array.from(sum, (s) => s / pixels);
  const sq = new Float64Array(c);
  samples((values, from, to) => {
    for (let i = from; i < to; i += c) {
      for (let k = 0; k < c; k++) {
        const d = values(i + k) - mean[k];
        sq[k] += d * d;
      }
    }
  });
  return { mean, std: Array.from(sq, (s) => Math.sqrt(s / pixels)) };
}

/** Calls `visit` with a reader of pixel values and the value range [from, to) of each part of the images, in order. */
type Samples = (visit: (values: (i: number) => number, from: number, to: number) => void) => void;

function floatSamples({ images, channels: c }: FloatImages): Samples {
  if (!Number.isInteger(c) || c < 1 || images.length % c !== 0 || images.length === 0) {
    throw new InputError(`channel statistics: ${images.length} values are not a non-empty whole number of ${c}-channel pixels`);
  }
  return (visit) => visit((i) => images[i], 0, images.length);
}

function datasetSamples(ds: Dataset): Samples {
  const size = ds.height * ds.width * ds.channels;
  if (ds.n === 0 || size === 0) throw new InputError('channel statistics: the dataset has no images');
  const levels = levelsOf(ds);
  const px = ds.pixels;
  const values = (i: number) => levels[px[i]];
  return (visit) => {
    for (let s = 0; s < ds.n; s++) {
      const from = imageOf(ds, s) * size;
      visit(values, from, from + size);
    }
  };
}

/**
 * (x − mean[c]) / std[c] for every value of NHWC `images` whose last axis has
 * C = stats.mean.length channels. Writes into `out` (default a new array; may be `images`
 * itself) and returns it. InputError if a std is not positive.
 */
export function normaliseImages(images: Float32Array, stats: ChannelStatistics, out = new Float32Array(images.length)): Float32Array {
  const c = stats.mean.length;
  if (stats.std.length !== c || c < 1) {
    throw new InputError(`normalise: mean has ${stats.mean.length} channels but std has ${stats.std.length}`);
  }
  stats.std.forEach((s, k) => {
    if (!(s > 0) || !Number.isFinite(s)) throw new InputError(`normalise: std[${k}] = ${s}; must be finite and > 0`);
  });
  if (images.length % c !== 0) throw new InputError(`normalise: ${images.length} values are not whole ${c}-channel pixels`);
  if (out.length !== images.length) throw new InputError(`normalise: out has ${out.length} values; expected ${images.length}`);
  const mean = Float64Array.from(stats.mean);
  const std = Float64Array.from(stats.std);
  for (let i = 0; i < images.length; i += c) {
    for (let k = 0; k < c; k++) out[i + k] = (images[i + k] - mean[k]) / std[k];
  }
  return out;
}
