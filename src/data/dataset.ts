import { InputError } from '../errors.js';

/**
 * An image classification dataset held in memory: NHWC images as their raw pixel bytes, and
 * integer labels. A pixel's value in [0, 1] is `levels[byte]`, computed per batch when images
 * are read (see `imageValues` in pixels.ts), so a CIFAR-10 training set takes its 150 MB of
 * bytes rather than four times that in float32. `subset` and `head` make views: they share
 * `pixels` with their source and list which stored images are their samples.
 */
export interface Dataset {
  /**
   * Pixel bytes of the stored images, [N, height, width, channels] row-major (N ≥ every image
   * a sample refers to). Shared by a dataset and the views made from it: do not modify.
   */
  pixels: Uint8Array;
  /** [n]: sample i is stored image index[i] of `pixels`. Absent: sample i is stored image i. */
  index?: Int32Array;
  /** [256] the pixel value in [0, 1] of each byte. Absent: float32(b / 255) (UNIT_LEVELS). */
  levels?: Float32Array;
  /** [n] class indices in 0..classes-1. */
  labels: Int32Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  classes: number;
  /** Optional human-readable name of each class, indexed by label (length `classes`). */
  classNames?: string[];
}

/** A train/test pair. */
export interface DatasetSplit {
  name: string;
  train: Dataset;
  test: Dataset;
}

/** Which stored image of `ds.pixels` sample i (0 ≤ i < ds.n) is. */
export function imageOf(ds: Dataset, i: number): number {
  return ds.index ? ds.index[i] : i;
}

/**
 * The samples at `indices` (each in 0..ds.n-1), in that order, as a view of `ds`: it shares
 * `ds.pixels` (no image is copied) and holds its own index [m] and labels [m] (4 bytes each
 * per sample). InputError for an index outside the dataset.
 */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const index = new Int32Array(indices.length);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!(Number.isInteger(j) && j >= 0 && j < ds.n)) {
      throw new InputError(`subset: index ${j} (position ${i}) is outside the dataset's ${ds.n} samples`);
    }
    index[i] = imageOf(ds, j);
    labels[i] = ds.labels[j];
  }
  return { ...ds, index, labels, n: indices.length };
}

/** The first `n` samples (all if n ≥ ds.n), as a view of `ds` that copies nothing. */
export function head(ds: Dataset, n: number): Dataset {
  if (n >= ds.n) return ds;
  const m = Math.max(0, Math.floor(n));
  const view: Dataset = { ...ds, labels: ds.labels.subarray(0, m), n: m };
  if (ds.index) view.index = ds.index.subarray(0, m);
  return view;
}
