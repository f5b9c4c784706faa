// Gray 64-QAM soft demapping in f32x4 SIMD (3GPP TS 38.211 §5.1.4 bit order; see
// src/channel/qam64.ts): the per-pair kernel shared by qam64.ts (demapping) and fused.ts
// (modulate → AWGN → LLR).
//
// Per axis the constellation is a Gray 8-PAM with levels m·d, m ∈ {±1, ±3, ±5, ±7}, d = 1/√42,
// and noise N0/2 per axis. The 2-D log-sum-exp over 64 points factors per axis, and with
// x = v/d (v the axis value) and β = d²/N0 the term of level m is −|v − m·d|²/N0 = −β·(x − m)²
// (the common factor e^(−v²/N0) cancels). Per axis (first axis bits b0, b2, b4; second b1, b3, b5):
//   sign bit   (b0/b1): bit 0 ↔ m ∈ {+1, +3, +5, +7}
//   middle bit (b2/b3): bit 0 ↔ m ∈ {±1, ±3}
//   low bit    (b4/b5): bit 0 ↔ m ∈ {±3, ±5}
// LLR = LSE_{bit 0} − LSE_{bit 1} of those terms, LSE by pairwise max(a, b) + ln(1 + e^(−|a − b|))
// (lnOnePlusExpNeg of qam16_core.ts, ≲ 1e-7 absolute per term); max-log keeps the max. Working
// with (x − m)² rather than with 2mx − m² keeps the terms small near decision boundaries, so the
// float32 error stays ≲ 1e-7·β·(x − m)² for the nearest levels, i.e. ≲ 1e-6 + 1e-7·|LLR|.
import { lnOnePlusExpNeg } from './qam16_core';

// @ts-ignore: decorator
@inline function lse2(a: v128, b: v128, exact: bool): v128 {
  const m = f32x4.max(a, b);
  return exact ? f32x4.add(m, lnOnePlusExpNeg(f32x4.abs(f32x4.sub(a, b)))) : m;
}

// @ts-ignore: decorator
@inline function term(x: v128, m: f32, nb: v128): v128 {
  const e = f32x4.sub(x, f32x4.splat(m));
  return f32x4.mul(f32x4.mul(e, e), nb);
}

/**
 * LLRs of two 64-QAM symbols v = (I0, Q0, I1, Q1), written as [b0 … b5] per symbol, 12 f32 at
 * `o`. vi = splat(1/d) = splat(√42), vb = splat(d²/N0) (see qam64InvD, qam64Beta). Shared by
 * qam64Llr and the fused channel (fused.ts), so both give bit-identical LLRs.
 */
// @ts-ignore: decorator
@inline export function qam64Pair(v: v128, vi: v128, vb: v128, exact: bool, o: usize): void {
  const x = f32x4.mul(v, vi);
  const nb = f32x4.neg(vb);
  const p1 = term(x, 1, nb), p3 = term(x, 3, nb), p5 = term(x, 5, nb), p7 = term(x, 7, nb);
  const n1 = term(x, -1, nb), n3 = term(x, -3, nb), n5 = term(x, -5, nb), n7 = term(x, -7, nb);
  const a = lse2(p1, p3, exact), b = lse2(p5, p7, exact);
  const c = lse2(n1, n3, exact), e = lse2(n5, n7, exact);
  const sign = f32x4.sub(lse2(a, b, exact), lse2(c, e, exact));
  const mid = f32x4.sub(lse2(a, c, exact), lse2(b, e, exact));
  const low0 = lse2(lse2(p3, p5, exact), lse2(n3, n5, exact), exact);
  const low1 = lse2(lse2(p1, p7, exact), lse2(n1, n7, exact), exact);
  const low = f32x4.sub(low0, low1);
  // lanes (I0, Q0, I1, Q1) → [s_I0 s_Q0 m_I0 m_Q0 | l_I0 l_Q0 s_I1 s_Q1 | m_I1 m_Q1 l_I1 l_Q1]
  v128.store(o, v128.shuffle<f32>(sign, mid, 0, 1, 4, 5));
  v128.store(o, v128.shuffle<f32>(low, sign, 0, 1, 6, 7), 16);
  v128.store(o, v128.shuffle<f32>(mid, low, 2, 3, 6, 7), 32);
}

/** d = 1/√42 in f32: the innermost level of each axis. */
// @ts-ignore: decorator
@inline export const QAM64_D: f32 = 0.1543033499620919;

/** 1/d = √42 in f32, the scale from an axis value to level units. */
// @ts-ignore: decorator
@inline export const QAM64_INV_D: f32 = 6.48074069840786;

/** d²/N0 in f32, as the demapper computes it. */
// @ts-ignore: decorator
@inline export function qam64Beta(invN0: f32): f32 {
  return QAM64_D * QAM64_D * invN0;
}
