// Sum and mean reduction of a float32 tensor viewed as [outer, red, inner] over its middle axis:
// covers any set of contiguous axes (bias gradients reduce [N·H·W, C] over rows; losses
// reduce rows [B, n] over columns). Every term is widened to f64 (2 lanes of SIMD) and
// summed in f64, as tfjs-backend-cpu sums in JS doubles.

@inline function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
@inline function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
}

/**
 * y[o, i] = (Σ_r x[o, r, i]) / divisor (1 for a sum, red for a mean).
 * x: [outer, red, inner] f32; y: [outer, inner] f32.
 */
export function reduceSum(x: usize, y: usize, outer: i32, red: i32, inner: i32, divisor: f64): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      store<f32>(y + (<usize>o << 2), <f32>(sumContiguous(x + (<usize>(o * red) << 2), red) / divisor));
    }
    return;
  }
  const dv = f64x2.splat(divisor);
  const inner4 = inner & ~3;
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const xo = x + (<usize>(o * red) << 2) * <usize>inner;
    const yo = y + (<usize>(o * inner) << 2);
    let i = 0;
    for (; i < inner4; i += 4) {
      let a = f64x2.splat(0), b = f64x2.splat(0);
      let p = xo + (<usize>i << 2);
      for (let r = 0; r < red; r++, p += rowBytes) {
        const v = v128.load(p);
        a = f64x2.add(a, lo(v));
        b = f64x2.add(b, hi(v));
      }
      a = f64x2.div(a, dv);
      b = f64x2.div(b, dv);
      v128.store(yo + (<usize>i << 2), i32x4.shuffle(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5));
    }
    for (; i < inner; i++) {
      let s: f64 = 0;
      let p = xo + (<usize>i << 2);
      for (let r = 0; r < red; r++, p += rowBytes) s += <f64>load<f32>(p);
      store<f32>(yo + (<usize>i << 2), <f32>(s / divisor));
    }
  }
}

function sumContiguous(x: usize, n: i32): f64 {
  let a = f64x2.splat(0), b = f64x2.splat(0);
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    const v = v128.load(x + (<usize>r << 2));
    a = f64x2.add(a, lo(v));
    b = f64x2.add(b, hi(v));
  }
  const ab = f64x2.add(a, b);
  let s = f64x2.extract_lane(ab, 0) + f64x2.extract_lane(ab, 1);
  for (; r < n; r++) s += <f64>load<f32>(x + (<usize>r << 2));
  return s;
}
