// Training-mode batch normalisation over the channel axis of an NHWC tensor viewed as
// x [rows, C] (rows = N·H·W), fused with the ReLU and the residual add that follow it in a
// ResNet: y = relu(γ·(x − μ)/√(σ² + ε) + β + r). Each export works on a run of rows, so the
// caller (src/kernels/batch_norm.ts) splits a tensor into fixed chunks of rows and runs them
// on any number of threads; the per-channel sums come back as one f64 partial per chunk, which
// the caller adds in chunk order (the same bits on 1 or 2 threads).
//
// The float32 operations are those of the op composition in src/models/batch_norm.ts (centred
// values, products, sums of f32 terms in f64), so only the order of the f64 additions differs
// (in the plain build; the relaxed-SIMD build fuses the multiply-adds of bnApply and
// bnGradApply, see madd.ts).

import { madd } from './madd';

/** Bit 0 of `flags`: add the residual r. */
const RESIDUAL: i32 = 1;
/** Bit 1 of `flags`: apply ReLU (forward) / mask the gradient by y > 0 (backward). */
const RELU: i32 = 2;

@inline function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
@inline function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
}

/** part[c] += v's four lanes as f64, for channels c … c+3 (part holds f64). */
@inline function accumulate(part: usize, c: i32, v: v128): void {
  const p = part + (<usize>c << 3);
  v128.store(p, f64x2.add(v128.load(p), lo(v)));
  v128.store(p + 16, f64x2.add(v128.load(p + 16), hi(v)));
}

function zeroF64(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 3);
}

/**
 * Per-channel sums of `rows` rows of x [rows, C] into part (C f64): Σ x when `centred` is 0,
 * else Σ (x − mean)² with the difference and its square in f32 (mean: C f32).
 */
export function bnSums(x: usize, mean: usize, part: usize, rows: i32, C: i32, centred: i32): void {
  zeroF64(part, C);
  const C4 = C & ~3;
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < rows; r++, x += rowBytes) {
    let c = 0;
    if (centred) {
      for (; c < C4; c += 4) {
        const d = f32x4.sub(v128.load(x + (<usize>c << 2)), v128.load(mean + (<usize>c << 2)));
        accumulate(part, c, f32x4.mul(d, d));
      }
      for (; c < C; c++) {
        const d = load<f32>(x + (<usize>c << 2)) - load<f32>(mean + (<usize>c << 2));
        store<f64>(part + (<usize>c << 3), load<f64>(part + (<usize>c << 3)) + <f64>(d * d));
      }
    } else {
      for (; c < C4; c += 4) accumulate(part, c, v128.load(x + (<usize>c << 2)));
      for (; c < C; c++) {
        store<f64>(part + (<usize>c << 3), load<f64>(part + (<usize>c << 3)) + <f64>load<f32>(x + (<usize>c << 2)));
      }
    }
  }
}

/**
 * y = (x − mean)·scale + beta [+ r] [then ReLU] over `rows` rows of [rows, C]; mean, scale,
 * beta: C f32. y may be x (in place). flags: 1 residual, 2 ReLU.
 */
export function bnApply(x: usize, r: usize, y: usize, mean: usize, scale: usize, beta: usize, rows: i32, C: i32, flags: i32): void {
  const C4 = C & ~3;
  const rowBytes = <usize>C << 2;
  const residual = (flags & RESIDUAL) != 0, relu = (flags & RELU) != 0;
  const zero = f32x4.splat(0);
  for (let i = 0; i < rows; i++, x += rowBytes, y += rowBytes, r += residual ? rowBytes : 0) {
    let c = 0;
    for (; c < C4; c += 4) {
      const o = <usize>c << 2;
      let v = madd(f32x4.sub(v128.load(x + o), v128.load(mean + o)), v128.load(scale + o), v128.load(beta + o));
      if (residual) v = f32x4.add(v, v128.load(r + o));
      if (relu) v = f32x4.max(v, zero);
      v128.store(y + o, v);
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      let v: f32 = (load<f32>(x + o) - load<f32>(mean + o)) * load<f32>(scale + o) + load<f32>(beta + o);
      if (residual) v += load<f32>(r + o);
      if (relu) v = max<f32>(v, 0); // f32.max, as f32x4.max above (NaN stays NaN)
      store<f32>(y + o, v);
    }
  }
}

/**
 * Per-channel sums for the gradient over `rows` rows: with g = dy (masked to 0 where y ≤ 0
 * when flags has ReLU), part[0 … C) = Σ g and part[C … 2C) = Σ g·(x − mean) (f32 products,
 * f64 sums). y is only read with ReLU.
 */
export function bnGradSums(dy: usize, x: usize, y: usize, mean: usize, part: usize, rows: i32, C: i32, flags: i32): void {
  zeroF64(part, 2 * C);
  const C4 = C & ~3;
  const rowBytes = <usize>C << 2;
  const relu = (flags & RELU) != 0;
  const zero = f32x4.splat(0);
  const part2 = part + (<usize>C << 3);
  for (let i = 0; i < rows; i++, dy += rowBytes, x += rowBytes, y += rowBytes) {
    let c = 0;
    for (; c < C4; c += 4) {
      const o = <usize>c << 2;
      let g = v128.load(dy + o);
      if (relu) g = v128.and(g, f32x4.gt(v128.load(y + o), zero));
      accumulate(part, c, g);
      accumulate(part2, c, f32x4.mul(g, f32x4.sub(v128.load(x + o), v128.load(mean + o))));
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      let g = load<f32>(dy + o);
      if (relu && !(load<f32>(y + o) > 0)) g = 0;
      const q = <usize>c << 3;
      store<f64>(part + q, load<f64>(part + q) + <f64>g);
      store<f64>(part2 + q, load<f64>(part2 + q) + <f64>(g * (load<f32>(x + o) - load<f32>(mean + o))));
    }
  }
}

/**
 * dx = (g·a + (x − mean)·b) + e over `rows` rows, g as in bnGradSums; a, b, e, mean: C f32.
 * With flags' residual bit, g itself is stored at gOut (the residual's gradient). dx may be
 * dy and gOut may be y (in place).
 */
export function bnGradApply(dy: usize, x: usize, y: usize, mean: usize, a: usize, b: usize, e: usize, dx: usize, gOut: usize,
  rows: i32, C: i32, flags: i32): void {
  const C4 = C & ~3;
  const rowBytes = <usize>C << 2;
  const relu = (flags & RELU) != 0, residual = (flags & RESIDUAL) != 0;
  const zero = f32x4.splat(0);
  for (let i = 0; i < rows; i++, dy += rowBytes, x += rowBytes, y += rowBytes, dx += rowBytes, gOut += rowBytes) {
    let c = 0;
    for (; c < C4; c += 4) {
      const o = <usize>c << 2;
      let g = v128.load(dy + o);
      if (relu) g = v128.and(g, f32x4.gt(v128.load(y + o), zero));
      const cx = f32x4.sub(v128.load(x + o), v128.load(mean + o));
      v128.store(dx + o, f32x4.add(madd(cx, v128.load(b + o), f32x4.mul(g, v128.load(a + o))), v128.load(e + o)));
      if (residual) v128.store(gOut + o, g);
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      let g = load<f32>(dy + o);
      if (relu && !(load<f32>(y + o) > 0)) g = 0;
      const cx = load<f32>(x + o) - load<f32>(mean + o);
      store<f32>(dx + o, (g * load<f32>(a + o) + cx * load<f32>(b + o)) + load<f32>(e + o));
      if (residual) store<f32>(gOut + o, g);
    }
  }
}
