// The core of multi-head self-attention, per batch n (a head of an image): scores
// S = scale·Q·Kᵀ, P = softmax(S) over the keys, O = P·V; and its gradient from dO:
// dV = Pᵀ·dO, dP = dO·Vᵀ, dS = scale·P ⊙ (dP − rowsum(dP ⊙ P)), dQ = dS·K, dK = dSᵀ·Q.
// Q, dQ, O, dO: [count][tq][dh]; K, V, dK, dV: [count][tk][dh]; P: [count][tq][tk], all
// float32 row-major. Every product is the one-thread GEMM of gemm.ts on the batch's operands in
// place (transposes by strides and packing), so one call does what was ~10 tfjs kernels per
// direction; the caller (src/kernels/attention.ts) splits the batches over threads, and each
// batch depends on its own operands alone (the same bits on any number of threads).
//
// Scratch per call: pb (a packed B of max(dh, tk) rows × max(dh, tk) columns, gemm_layout's
// packedBytes), ind (gemm's row pointers for max(tq, tk) rows) and, backward, ds (tq·tk floats).

import { madd } from './madd';
import { expNonPositive4 } from './simd_exp';
import { gemm, gemmPackB } from './gemm';

/** Σ of the 4 lanes of v, in lane order. */
// @ts-ignore: decorator
@inline function lanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Rows of s [rows][n] in place: softmax(scale·s) (scale > 0). */
function softmaxScaled(s: usize, rows: i32, n: i32, scale: f32): void {
  const n4 = n & ~3;
  const vs = f32x4.splat(scale);
  for (let r = 0; r < rows; r++) {
    const row = s + (<usize>(r * n) << 2);
    let mv = f32x4.splat(-Infinity);
    let j = 0;
    for (; j < n4; j += 4) mv = f32x4.pmax(mv, v128.load(row + (<usize>j << 2)));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; j < n; j++) m = max(m, load<f32>(row + (<usize>j << 2)));
    // e = exp(scale·x − scale·max) ≤ exp(a rounding error of the max's own product)
    const shift = f32x4.splat(-scale * m);
    let acc = f32x4.splat(0);
    for (j = 0; j < n4; j += 4) {
      const e = expNonPositive4(madd(v128.load(row + (<usize>j << 2)), vs, shift));
      v128.store(row + (<usize>j << 2), e);
      acc = f32x4.add(acc, e);
    }
    let sum = lanes(acc);
    for (; j < n; j++) {
      const e = f32x4.extract_lane(expNonPositive4(madd(f32x4.splat(load<f32>(row + (<usize>j << 2))), vs, shift)), 0);
      store<f32>(row + (<usize>j << 2), e);
      sum += e;
    }
    const vsum = f32x4.splat(sum);
    for (j = 0; j < n4; j += 4) v128.store(row + (<usize>j << 2), f32x4.div(v128.load(row + (<usize>j << 2)), vsum));
    for (; j < n; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) / sum);
  }
}

/** Rows of d [rows][n] (dP) in place: dS = scale·P ⊙ (dP − Σ_j dP·P), p: P [rows][n]. */
function softmaxGradScaled(d: usize, p: usize, rows: i32, n: i32, scale: f32): void {
  const n4 = n & ~3;
  const vs = f32x4.splat(scale);
  for (let r = 0; r < rows; r++) {
    const off = <usize>(r * n) << 2;
    const dr = d + off, pr = p + off;
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j < n4; j += 4) acc = madd(v128.load(dr + (<usize>j << 2)), v128.load(pr + (<usize>j << 2)), acc);
    let dot = lanes(acc);
    for (; j < n; j++) dot += load<f32>(dr + (<usize>j << 2)) * load<f32>(pr + (<usize>j << 2));
    const vdot = f32x4.splat(dot);
    for (j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(dr + o, f32x4.mul(f32x4.mul(f32x4.sub(v128.load(dr + o), vdot), v128.load(pr + o)), vs));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, (load<f32>(dr + o) - dot) * load<f32>(pr + o) * scale);
    }
  }
}

/** Forward of `count` batches: P = softmax(scale·Q·Kᵀ), O = P·V (see the file comment for layouts). */
export function attentionForward(q: usize, k: usize, v: usize, o: usize, p: usize, count: i32, tq: i32, tk: i32, dh: i32,
  scale: f32, pb: usize, ind: usize): void {
  for (let n = 0; n < count; n++) {
    const qn = q + (<usize>(n * tq * dh) << 2), on = o + (<usize>(n * tq * dh) << 2);
    const kn = k + (<usize>(n * tk * dh) << 2), vn = v + (<usize>(n * tk * dh) << 2);
    const pn = p + (<usize>(n * tq * tk) << 2);
    gemmPackB(kn, dh, tk, 1, dh, pb); // Kᵀ: element (d, key) at kn + 4·(key·dh + d)
    gemm(tq, tk, dh, qn, dh, 1, pb, pn, tk, 0, ind);
    softmaxScaled(pn, tq, tk, scale);
    gemmPackB(vn, tk, dh, dh, 1, pb);
    gemm(tq, dh, tk, pn, tk, 1, pb, on, dh, 0, ind);
  }
}

/** Gradient of `count` batches from dO and the forward's P: dQ, dK, dV (see the file comment). */
export function attentionBackward(dout: usize, q: usize, k: usize, v: usize, p: usize, dq: usize, dk: usize, dv: usize,
  count: i32, tq: i32, tk: i32, dh: i32, scale: f32, pb: usize, ind: usize, ds: usize): void {
  for (let n = 0; n < count; n++) {
    const qo = <usize>(n * tq * dh) << 2, ko = <usize>(n * tk * dh) << 2;
    const pn = p + (<usize>(n * tq * tk) << 2);
    // dV = Pᵀ·dO: Pᵀ element (key, query) at pn + 4·(query·tk + key)
    gemmPackB(dout + qo, tq, dh, dh, 1, pb);
    gemm(tk, dh, tq, pn, 1, tk, pb, dv + ko, dh, 0, ind);
    // dP = dO·Vᵀ into ds, then dS in place
    gemmPackB(v + ko, dh, tk, 1, dh, pb);
    gemm(tq, tk, dh, dout + qo, dh, 1, pb, ds, tk, 0, ind);
    softmaxGradScaled(ds, pn, tq, tk, scale);
    // dQ = dS·K
    gemmPackB(k + ko, tk, dh, dh, 1, pb);
    gemm(tq, dh, tk, ds, tk, 1, pb, dq + qo, dh, 0, ind);
    // dK = dSᵀ·Q
    gemmPackB(q + qo, tq, dh, dh, 1, pb);
    gemm(tk, dh, tq, ds, 1, tk, pb, dk + ko, dh, 0, ind);
  }
}
