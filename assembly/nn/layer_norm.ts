// Layer normalisation over the last axis of a row-major float32 matrix x [rows, C] (the rows of
// one group, which share gamma and beta [C]): forward and gradient, each one export per chunk of
// rows (src/kernels/layer_norm.ts splits the rows into fixed chunks, over threads when there are
// several). Per row, in float32 and in the operations of the op composition of
// src/models/layer_norm.ts:
//   mean = Σx / C, rstd = 1/√(Σ(x − mean)²/C + ε), x̂ = (x − mean)·rstd, y = x̂·gamma + beta;
//   g = dy·gamma, dx = ((g − Σg/C) − x̂·(Σg·x̂/C))·rstd,
// and each chunk's column sums Σ dy·x̂ (gamma's gradient) and Σ dy (beta's) over its rows, in
// row order. Row sums run on 4 lane accumulators, added lane 0 + 1 + 2 + 3, then the tail.

import { madd } from './madd';

/** Σ of the 4 lanes of v, in lane order. */
// @ts-ignore: decorator
@inline function lanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Σ x over one row of C floats. */
// @ts-ignore: decorator
@inline function rowSum(xr: usize, C: i32): f32 {
  const c4 = C & ~3;
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j < c4; j += 4) acc = f32x4.add(acc, v128.load(xr + (<usize>j << 2)));
  let s = lanes(acc);
  for (; j < C; j++) s += load<f32>(xr + (<usize>j << 2));
  return s;
}

/** Σ (x − mean)² over one row of C floats. */
// @ts-ignore: decorator
@inline function rowSquares(xr: usize, C: i32, mean: f32): f32 {
  const c4 = C & ~3;
  const vm = f32x4.splat(mean);
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j < c4; j += 4) {
    const d = f32x4.sub(v128.load(xr + (<usize>j << 2)), vm);
    acc = madd(d, d, acc);
  }
  let s = lanes(acc);
  for (; j < C; j++) {
    const d = load<f32>(xr + (<usize>j << 2)) - mean;
    s += d * d;
  }
  return s;
}

/**
 * Forward over `rows` rows of x [rows, C]: y [rows, C] = x̂·gamma + beta, and per row its mean
 * and rstd = 1/√(var + eps) (biased variance) into mean [rows], rstd [rows].
 */
export function layerNorm(x: usize, gamma: usize, beta: usize, y: usize, mean: usize, rstd: usize, rows: i32, C: i32, eps: f32): void {
  const c4 = C & ~3;
  const invC: f32 = <f32>1 / <f32>C;
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * <usize>C << 2;
    const xr = x + off, yr = y + off;
    const m = rowSum(xr, C) * invC;
    const s = <f32>1 / Mathf.sqrt(rowSquares(xr, C, m) * invC + eps);
    store<f32>(mean + (<usize>r << 2), m);
    store<f32>(rstd + (<usize>r << 2), s);
    const vm = f32x4.splat(m), vs = f32x4.splat(s);
    let j = 0;
    for (; j < c4; j += 4) {
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), vm), vs);
      v128.store(yr + o, madd(xh, v128.load(gamma + o), v128.load(beta + o)));
    }
    for (; j < C; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, (load<f32>(xr + o) - m) * s * load<f32>(gamma + o) + load<f32>(beta + o));
    }
  }
}

/**
 * Gradient over `rows` rows: dx [rows, C] from dy, x [rows, C], the forward's mean and rstd
 * [rows] and gamma [C]; part [2C] gets this chunk's column sums [Σ dy·x̂, Σ dy] (overwritten).
 */
export function layerNormGrad(dy: usize, x: usize, mean: usize, rstd: usize, gamma: usize, dx: usize, part: usize, rows: i32, C: i32): void {
  const c4 = C & ~3;
  const invC: f32 = <f32>1 / <f32>C;
  const pb = part + (<usize>C << 2);
  memory.fill(part, 0, <usize>C << 3);
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * <usize>C << 2;
    const xr = x + off, dyr = dy + off, dxr = dx + off;
    const m = load<f32>(mean + (<usize>r << 2)), s = load<f32>(rstd + (<usize>r << 2));
    const vm = f32x4.splat(m), vs = f32x4.splat(s);
    // Pass 1: Σ g and Σ g·x̂ over the row; the column sums of dy·x̂ and dy.
    let a1 = f32x4.splat(0), a2 = f32x4.splat(0);
    let j = 0;
    for (; j < c4; j += 4) {
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), vm), vs);
      const d = v128.load(dyr + o);
      const g = f32x4.mul(d, v128.load(gamma + o));
      a1 = f32x4.add(a1, g);
      a2 = madd(g, xh, a2);
      v128.store(part + o, madd(d, xh, v128.load(part + o)));
      v128.store(pb + o, f32x4.add(v128.load(pb + o), d));
    }
    let s1 = lanes(a1), s2 = lanes(a2);
    for (; j < C; j++) {
      const o = <usize>j << 2;
      const xh = (load<f32>(xr + o) - m) * s;
      const d = load<f32>(dyr + o);
      const g = d * load<f32>(gamma + o);
      s1 += g;
      s2 += g * xh;
      store<f32>(part + o, load<f32>(part + o) + d * xh);
      store<f32>(pb + o, load<f32>(pb + o) + d);
    }
    // Pass 2: dx = ((g − mean g) − x̂·mean(g·x̂))·rstd.
    const mg = s1 * invC, mgx = s2 * invC;
    const vmg = f32x4.splat(mg), vmgx = f32x4.splat(mgx);
    j = 0;
    for (; j < c4; j += 4) {
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), vm), vs);
      const g = f32x4.mul(v128.load(dyr + o), v128.load(gamma + o));
      v128.store(dxr + o, f32x4.mul(f32x4.sub(f32x4.sub(g, vmg), f32x4.mul(xh, vmgx)), vs));
    }
    for (; j < C; j++) {
      const o = <usize>j << 2;
      const xh = (load<f32>(xr + o) - m) * s;
      const g = load<f32>(dyr + o) * load<f32>(gamma + o);
      store<f32>(dxr + o, (g - mg - xh * mgx) * s);
    }
  }
}
