import { InputError } from '../errors.js';
import type { SeededRandom } from '../random/seeded.js';

/** How `augmentBatch` perturbs each image. */
export interface AugmentOptions {
  /** Zero padding in pixels on each side before the random crop back to H x W (default 4; 0 = no crop). */
  pad?: number;
  /** Mirror left-right with probability 1/2 (default true; use false for digits and letters). */
  flip?: boolean;
  /** Where to write, length n·H·W·C, not overlapping `images` (default: a new array). */
  out?: Float32Array;
}

/**
 * Standard training augmentation of a batch of NHWC images, `shape` = [n, H, W, C]: each
 * image is zero-padded by `pad` pixels on every side, cropped back to H x W at a uniformly
 * random offset (dy, dx ∈ 0..2·pad), then, if `flip`, mirrored left-right with probability 1/2.
 * So output pixel (y, x) = input (y + dy − pad, x' + dx − pad) with x' = x or W−1−x, or 0
 * where that falls outside the image. Draws exactly three numbers from `rng` per image, in
 * order (dy, dx, flip) — also when flip is off, so the crops do not depend on it. Same rng
 * state → bit-identical output. Returns the output array.
 */
export function augmentBatch(
  images: Float32Array,
  shape: readonly [number, number, number, number],
  rng: SeededRandom,
  options: AugmentOptions = {},
): Float32Array {
  const [n, h, w, c] = shape;
  if (!shape.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new InputError(`augment: shape must be [n, H, W, C] of non-negative integers, got [${shape.join(', ')}]`);
  }
  const size = h * w * c;
  if (images.length !== n * size) {
    throw new InputError(`augment: ${images.length} values do not make [${shape.join(', ')}] (${n * size} values)`);
  }
  const pad = options.pad ?? 4;
  if (!Number.isInteger(pad) || pad < 0) throw new InputError(`augment: pad must be an integer ≥ 0, got ${pad}`);
  const flip = options.flip ?? true;
  const out = options.out ?? new Float32Array(n * size);
  if (out.length !== n * size) throw new InputError(`augment: out has ${out.length} values; expected ${n * size}`);
  if (options.out && out.buffer === images.buffer) {
    const a = images.byteOffset, b = out.byteOffset;
    if (a < b + out.byteLength && b < a + images.byteLength) throw new InputError('augment: out must not overlap images');
  }
  if (options.out) out.fill(0);
  const span = 2 * pad + 1;
  const row = w * c;
  for (let s = 0; s < n; s++) {
    const oy = Math.floor(rng.next() * span) - pad;
    const ox = Math.floor(rng.next() * span) - pad;
    const mirror = rng.next() < 0.5 && flip;
    const base = s * size;
    // Output columns x whose source column x + ox (before mirroring) lies inside the image.
    const x0 = Math.max(0, -ox);
    const x1 = Math.min(w, w - ox);
    for (let y = 0; y < h; y++) {
      const sy = y + oy;
      if (sy < 0 || sy >= h || x1 <= x0) continue;
      const src = base + sy * row;
      const dst = base + y * row;
      if (!mirror) {
        out.set(images.subarray(src + (x0 + ox) * c, src + (x1 + ox) * c), dst + x0 * c);
        continue;
      }
      // Mirrored: output x shows cropped column w−1−x, i.e. source column w−1−x+ox.
      for (let x = w - x1; x < w - x0; x++) {
        const from = src + (w - 1 - x + ox) * c;
        const to = dst + x * c;
        for (let k = 0; k < c; k++) out[to + k] = images[from + k];
      }
    }
  }
  return out;
}
