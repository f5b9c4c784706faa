// 4×4 transposes that rewrite NHWC pixels (channels contiguous) into planes (pixels contiguous),
// shared by the planar copies of conv_direct.ts and conv_single.ts. Not exported from the module.

/**
 * Stores the transpose of the 4×4 block whose rows r0…r3 are 4 pixels' channels c…c+3: channel
 * j's 4 pixels go to d + j·stride as one vector.
 */
// @ts-ignore: decorator
@inline
export function transpose4Store(r0: v128, r1: v128, r2: v128, r3: v128, d: usize, stride: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(d + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(d + 2 * stride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(d + 3 * stride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/**
 * Copies `count` pixels of ci ≥ 4 channels (NHWC, pixel stride ci floats, at src) into ci rows of
 * pixels (channel c's row at dst + c·stride), 4 pixels × 4 channels per transpose; the last group
 * of channels overlaps the one before it when ci is not a multiple of 4 (the shared channels are
 * written twice, with the same values). Returns the number of pixels copied (a multiple of 4);
 * the caller copies the rest.
 */
// @ts-ignore: decorator
@inline
export function transposePixels(src: usize, ci: i32, count: i32, dst: usize, stride: usize): i32 {
  const step = <usize>ci << 2;
  let x = 0;
  for (; x + 4 <= count; x += 4) {
    const s = src + <usize>x * step;
    for (let c0 = 0; c0 < ci; c0 += 4) {
      const c = min(c0, ci - 4);
      const p = s + (<usize>c << 2);
      transpose4Store(v128.load(p), v128.load(p + step), v128.load(p + 2 * step), v128.load(p + 3 * step), dst + <usize>c * stride + (<usize>x << 2), stride);
    }
  }
  return x;
}
