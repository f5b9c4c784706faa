// exp on 4 f32 lanes for the kernels that need it in SIMD (GELU's gradient, the attention
// softmax): Cephes' expf — Cody–Waite reduction by ln 2 in two parts, a degree-5 polynomial
// (relative error ~2 float32 ulps), 2ⁿ put into the exponent bits. For arguments up to a little
// above 0 (a softmax's x − max, rounded); the argument is clamped to ≥ −87 so that 2ⁿ stays a
// normal float, and the result is 0 below −87 (exp(−87) = 1.6e-38) and for NaN.

import { madd } from './madd';

/** exp(z) on 4 lanes for z ≤ 0 (Cephes expf); 0 for z < −87 and for NaN. */
// @ts-ignore: decorator
@inline export function expNonPositive4(z: v128): v128 {
  const zc = f32x4.pmax(z, f32x4.splat(-87));
  const n = f32x4.nearest(f32x4.mul(zc, f32x4.splat(1.44269504088896341)));
  // r = z − n·ln 2 in two parts (0.693359375 has few bits, so n·C1 is exact).
  let r = madd(n, f32x4.splat(-0.693359375), zc);
  r = madd(n, f32x4.splat(2.12194440e-4), r);
  let p = madd(r, f32x4.splat(1.9875691500e-4), f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const e = f32x4.add(madd(f32x4.mul(p, r), r, r), f32x4.splat(1));
  // 2ⁿ for n in [−126, 0]: (n + 127) << 23 as float bits.
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  // Below the clamp the result is 0 (not e⁻⁸⁷), so that a product with it vanishes exactly.
  return v128.and(f32x4.mul(e, pow2), f32x4.ge(z, f32x4.splat(-87)));
}
