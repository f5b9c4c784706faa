import { InputError } from '../errors.js';
import type { Dataset } from './dataset.js';

/** Per-channel statistics of a set of images, in pixel units ([0, 1] images → values in [0, 1]). */
export interface ChannelStatistics {
  /** [C] mean of each channel over every pixel of every image. */
  mean: number[];
  /** [C] population standard deviation (divisor N) of each channel. */
  std: number[];
}

/**
 * Per-channel mean and standard deviation over all pixels of all images of `ds` (NHWC),
 * accumulated in float64 in two passes (mean, then squared deviations). Use the training set.
 */
export function channelStatistics(ds: Pick<Dataset, 'images' | 'channels'>): ChannelStatistics {
  const { images, channels: c } = ds;
  if (!Number.isInteger(c) || c < 1 || images.length % c !== 0 || images.length === 0) {
    throw new InputError(`channel statistics: ${images.length} values are not a non-empty whole number of ${c}-channel pixels`);
  }
  const pixels = images.length / c;
  const sum = new Float64Array(c);
  for (let i = 0; i < images.length; i += c) for (let k = 0; k < c; k++) sum[k] += images[i + k];
  const mean = Array.from(sum, (s) => s / pixels);
  const sq = new Float64Array(c);
  for (let i = 0; i < images.length; i += c) {
    for (let k = 0; k < c; k++) {
      const d = images[i + k] - mean[k];
      sq[k] += d * d;
    }
  }
  return { mean, std: Array.from(sq, (s) => Math.sqrt(s / pixels)) };
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
