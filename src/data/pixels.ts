import { InputError } from '../errors.js';
import { imageOf, type Dataset } from './dataset.js';

/**
 * Byte → pixel value in [0, 1]: `b * BYTE_TO_UNIT` stored as float32 equals float32(b / 255)
 * for every byte b (checked in test/data/pixels.test.ts), without a division per pixel.
 */
export const BYTE_TO_UNIT = 1 / 255;

/** [256] float32(b / 255) for each byte b: the pixel levels of 8-bit images (CIFAR, IDX). */
export const UNIT_LEVELS: Float32Array = Float32Array.from({ length: 256 }, (_, b) => b * BYTE_TO_UNIT);

/** [256] the value in [0, 1] of each pixel byte of `ds`. */
export function levelsOf(ds: Dataset): Float32Array {
  return ds.levels ?? UNIT_LEVELS;
}

/**
 * The images of samples order[start..start+count) of `ds` (samples start..start+count when
 * `order` is omitted) as one NHWC float32 array [count, H, W, C] of pixel values in [0, 1]
 * (`levels[byte]`), written into `out` when given. RangeError for a sample outside the dataset.
 */
export function imageValues(
  ds: Dataset,
  start: number,
  count: number,
  order?: ArrayLike<number>,
  out = new Float32Array(count * ds.height * ds.width * ds.channels),
): Float32Array {
  const size = ds.height * ds.width * ds.channels;
  if (out.length !== count * size) throw new RangeError(`imageValues: out has ${out.length} values; expected ${count * size}`);
  const levels = levelsOf(ds);
  const pixels = ds.pixels;
  for (let i = 0; i < count; i++) {
    const j = order ? order[start + i] : start + i;
    if (!(j >= 0 && j < ds.n)) throw new RangeError(`imageValues: sample ${j} is outside the dataset's ${ds.n} samples`);
    const from = imageOf(ds, j) * size;
    if (from + size > pixels.length) throw new RangeError(`imageValues: stored image ${imageOf(ds, j)} is beyond the pixel bytes`);
    const to = i * size;
    for (let p = 0; p < size; p++) out[to + p] = levels[pixels[from + p]];
  }
  return out;
}

/**
 * Float pixel values (each one of at most 256 levels in [0, 1], level b near b / 255, as the
 * loaders produce) back to bytes: pixels[i] = round(255·values[i]), with `levels[b]` the value
 * byte b stood for (float32(b / 255) for bytes that do not occur). Lossless: imageValues of
 * the result gives `values` back bit for bit. InputError naming `what` when a value is outside
 * [0, 1] or two different values round to the same byte.
 */
export function quantiseImages(values: Float32Array, what: string): { pixels: Uint8Array; levels: Float32Array } {
  const pixels = new Uint8Array(values.length);
  const levels = UNIT_LEVELS.slice();
  const seen = new Uint8Array(256);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 1)) throw new InputError(`${what}: value ${v} at ${i} is outside [0, 1]`);
    const b = Math.round(v * 255);
    if (seen[b] && levels[b] !== v) {
      throw new InputError(`${what}: values ${levels[b]} and ${v} (at ${i}) are both pixel level ${b}; the images are not 8-bit`);
    }
    seen[b] = 1;
    levels[b] = v;
    pixels[i] = b;
  }
  return { pixels, levels };
}
