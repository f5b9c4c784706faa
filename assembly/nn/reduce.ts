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
  reduceSumColumns(x, y, outer, red, inner, inner, divisor);
}

/**
 * Columns 0 … cols−1 of reduceSum's y from those of x, where x and y rows are `ld` floats long
 * (x: [outer, red, ld] from column 0 at x; y: [outer, ld] from column 0 at y): a column block of
 * reduceSum, so that threads can split the columns. Every column sums its rows in the same order
 * whatever the block, so any split gives reduceSum's bits.
 */
export function reduceSumColumns(x: usize, y: usize, outer: i32, red: i32, cols: i32, ld: i32, divisor: f64): void {
  const dv = f64x2.splat(divisor);
  const cols4 = cols & ~3;
  const cols16 = cols & ~15;
  const rowBytes = <usize>ld << 2;
  for (let o = 0; o < outer; o++) {
    const xo = x + (<usize>(o * red) << 2) * <usize>ld;
    const yo = y + (<usize>(o * ld) << 2);
    let i = 0;
    for (; i < cols16; i += 16) sum16Columns(xo + (<usize>i << 2), red, rowBytes, dv, yo + (<usize>i << 2));
    for (; i < cols4; i += 4) {
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
    for (; i < cols; i++) {
      let s: f64 = 0;
      let p = xo + (<usize>i << 2);
      for (let r = 0; r < red; r++, p += rowBytes) s += <f64>load<f32>(p);
      store<f32>(yo + (<usize>i << 2), <f32>(s / divisor));
    }
  }
}

// y[0 … 15] = Σ_r x[r·rowBytes + 0 … 15] / divisor: 16 columns (one 64-byte cache line per row)
// per pass over the rows, so a matrix larger than the cache is read once, not once per 4 columns;
// each column sums its rows in order, in f64, as the 4-column loop does (same bits).
// @ts-ignore: decorator
@inline
function sum16Columns(x: usize, red: i32, rowBytes: usize, dv: v128, y: usize): void {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let a4 = f64x2.splat(0), a5 = f64x2.splat(0), a6 = f64x2.splat(0), a7 = f64x2.splat(0);
  let p = x;
  for (let r = 0; r < red; r++, p += rowBytes) {
    let v = v128.load(p, 0); a0 = f64x2.add(a0, lo(v)); a1 = f64x2.add(a1, hi(v));
    v = v128.load(p, 16); a2 = f64x2.add(a2, lo(v)); a3 = f64x2.add(a3, hi(v));
    v = v128.load(p, 32); a4 = f64x2.add(a4, lo(v)); a5 = f64x2.add(a5, hi(v));
    v = v128.load(p, 48); a6 = f64x2.add(a6, lo(v)); a7 = f64x2.add(a7, hi(v));
  }
  v128.store(y, i32x4.shuffle(f32x4.demote_f64x2_zero(f64x2.div(a0, dv)), f32x4.demote_f64x2_zero(f64x2.div(a1, dv)), 0, 1, 4, 5), 0);
  v128.store(y, i32x4.shuffle(f32x4.demote_f64x2_zero(f64x2.div(a2, dv)), f32x4.demote_f64x2_zero(f64x2.div(a3, dv)), 0, 1, 4, 5), 16);
  v128.store(y, i32x4.shuffle(f32x4.demote_f64x2_zero(f64x2.div(a4, dv)), f32x4.demote_f64x2_zero(f64x2.div(a5, dv)), 0, 1, 4, 5), 32);
  v128.store(y, i32x4.shuffle(f32x4.demote_f64x2_zero(f64x2.div(a6, dv)), f32x4.demote_f64x2_zero(f64x2.div(a7, dv)), 0, 1, 4, 5), 48);
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
