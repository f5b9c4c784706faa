// GELU, the exact (erf) form of PyTorch's nn.GELU(): y = x·Φ(x) = 0.5·x·(1 + erf(x/√2)), and its
// gradient dx = dy·(Φ(x) + x·φ(x)) with φ(x) = exp(−x²/2)/√(2π), 4 lanes at a time.
//
// erf is the rational approximation of Eigen's generic_fast_erf_float (also XLA's and TVM's):
// erf(x) ≈ x·P(x²)/Q(x²) on x clamped to [−4, 4] (|erf(4)| rounds to 1 in float32), P of degree 6
// and Q of degree 4 in x²; its absolute error is a few 1e-8 over all x (test/kernels/gelu.test.ts
// checks ≤ 1e-6 against a float64 series). exp is Cephes' expf (Cody–Waite reduction by ln 2,
// a degree-5 polynomial, see simd_exp.ts), 0 below −87 (φ < 1e-38 there, far below Φ's float32
// resolution). Every element depends on itself alone, so any split of the
// elements over threads gives the same bits.

import { madd } from './madd';
import { expNonPositive4 } from './simd_exp';

// erf numerator (odd: x·P(x²)) and denominator (Q(x²)) coefficients, highest degree first.
// @ts-ignore: decorator
@inline const A13: f32 = -2.72614225801306e-10;
// @ts-ignore: decorator
@inline const A11: f32 = 2.77068142495902e-08;
// @ts-ignore: decorator
@inline const A9: f32 = -2.10102402082508e-06;
// @ts-ignore: decorator
@inline const A7: f32 = -5.69250639462346e-05;
// @ts-ignore: decorator
@inline const A5: f32 = -7.34990630326855e-04;
// @ts-ignore: decorator
@inline const A3: f32 = -2.95459980854025e-03;
// @ts-ignore: decorator
@inline const A1: f32 = -1.60960333262415e-02;
// @ts-ignore: decorator
@inline const B8: f32 = -1.45660718464996e-05;
// @ts-ignore: decorator
@inline const B6: f32 = -2.13374055278905e-04;
// @ts-ignore: decorator
@inline const B4: f32 = -1.68282697438203e-03;
// @ts-ignore: decorator
@inline const B2: f32 = -7.37332916720468e-03;
// @ts-ignore: decorator
@inline const B0: f32 = -1.42647390514189e-02;

// @ts-ignore: decorator
@inline const SQRT1_2: f32 = 0.7071067811865476;
// @ts-ignore: decorator
@inline const INV_SQRT_2PI: f32 = 0.3989422804014327;

/** erf(x) on 4 lanes (rational approximation on x clamped to [−4, 4], result clamped to [−1, 1]). */
// @ts-ignore: decorator
@inline function erf4(x: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-4)), f32x4.splat(4));
  const x2 = f32x4.mul(c, c);
  let p = madd(x2, f32x4.splat(A13), f32x4.splat(A11));
  p = madd(x2, p, f32x4.splat(A9));
  p = madd(x2, p, f32x4.splat(A7));
  p = madd(x2, p, f32x4.splat(A5));
  p = madd(x2, p, f32x4.splat(A3));
  p = madd(x2, p, f32x4.splat(A1));
  let q = madd(x2, f32x4.splat(B8), f32x4.splat(B6));
  q = madd(x2, q, f32x4.splat(B4));
  q = madd(x2, q, f32x4.splat(B2));
  q = madd(x2, q, f32x4.splat(B0));
  const e = f32x4.div(f32x4.mul(c, p), q);
  return f32x4.pmin(f32x4.pmax(e, f32x4.splat(-1)), f32x4.splat(1));
}

/** Φ(x) = 0.5 + 0.5·erf(x/√2) on 4 lanes. */
// @ts-ignore: decorator
@inline function cdf4(x: v128): v128 {
  const half = f32x4.splat(0.5);
  return madd(erf4(f32x4.mul(x, f32x4.splat(SQRT1_2))), half, half);
}

/** y = x·Φ(x) on 4 lanes. */
// @ts-ignore: decorator
@inline function gelu4(x: v128): v128 {
  return f32x4.mul(x, cdf4(x));
}

/** dy·(Φ(x) + x·φ(x)) on 4 lanes. */
// @ts-ignore: decorator
@inline function geluGrad4(x: v128, dy: v128): v128 {
  const pdf = f32x4.mul(expNonPositive4(f32x4.mul(f32x4.mul(x, x), f32x4.splat(-0.5))), f32x4.splat(INV_SQRT_2PI));
  return f32x4.mul(dy, madd(x, pdf, cdf4(x)));
}

/** y[i] = gelu(x[i]) for i < n (float32; y may alias x). The tail runs in one padded vector. */
export function gelu(x: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, gelu4(v128.load(x + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(gelu4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

/** dx[i] = dy[i]·gelu'(x[i]) for i < n (float32; dx may alias dy or x). */
export function geluGrad(x: usize, dy: usize, dx: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, geluGrad4(v128.load(x + o), v128.load(dy + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, f32x4.extract_lane(geluGrad4(f32x4.splat(load<f32>(x + o)), f32x4.splat(load<f32>(dy + o))), 0));
  }
}
