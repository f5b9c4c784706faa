/**
 * An image classification dataset held in memory: NHWC float32 images in [0, 1] and integer
 * labels.
 */
export interface Dataset {
  /** [n, height, width, channels], row-major. */
  images: Float32Array;
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

/** The samples at `indices`, in that order, as a new dataset. */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const size = ds.height * ds.width * ds.channels;
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    images.set(ds.images.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = ds.labels[j];
  }
  return { ...ds, images, labels, n: indices.length };
}

/** The first `n` samples (all if n ≥ ds.n). */
export function head(ds: Dataset, n: number): Dataset {
  if (n >= ds.n) return ds;
  return subset(ds, Array.from({ length: n }, (_, i) => i));
}

/**
 * Byte → pixel value in [0, 1]: `b * BYTE_TO_UNIT` stored as float32 equals float32(b / 255)
 * for every byte b (checked in test/data/dataset.test.ts), without a division per pixel.
 */
export const BYTE_TO_UNIT = 1 / 255;
