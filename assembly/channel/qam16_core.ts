// Gray 16-QAM soft demapping in f32x4 SIMD (3GPP bit order; see src/channel/qam16.ts): the
// per-pair kernel shared by qam16.ts (demapping) and fused.ts (modulate → AWGN → LLR).
//
// Per axis value v (levels ±d, ±3d, d = 1/√10, noise N0/2 per axis), with α = 2d·v/N0 and
// β = 8d²/N0, the per-axis LLRs (the 2-D sum over 16 points factors per axis) are
//   sign bit:      2α + sp(2α − β) − sp(−2α − β)
//   amplitude bit: β − 2|α| + sp(−2|α|) − sp(−6|α|)
// exactly, where sp(x) = ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)); max-log keeps max(x, 0).
// ln(1 + e^(−t)), t ≥ 0: e = e^(−t) by 2ᵏ·e^r (|r| ≤ ln2/2, degree-6 fit, 3e-9 relative),
// then ln(1 + e) = 2·atanh(s), s = e/(2 + e) ≤ 1/3, by a degree-5 fit in s² (1e-10 relative):
// absolute error ≲ 1e-7 per term. Coefficients: Lawson-reweighted least-squares fits (numpy).

// @ts-ignore: decorator
@inline export function lnOnePlusExpNeg(t: v128): v128 {
  // t ≥ 0; clamp so that 2ᵏ stays a normal float
  const tc = f32x4.min(t, f32x4.splat(87.0));
  const k = f32x4.nearest(f32x4.mul(tc, f32x4.splat(-1.4426950408889634)));
  // r = −t − k·ln2 with ln2 split into a short high part and a correction
  const r = f32x4.sub(f32x4.sub(f32x4.neg(tc), f32x4.mul(k, f32x4.splat(0.693145751953125))), f32x4.mul(k, f32x4.splat(1.4286068203094173e-6)));
  let p = f32x4.splat(0.0013814632370053957);
  p = f32x4.add(f32x4.splat(0.008368710079876815), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(0.041668387104758106), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(0.16666520687202047), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(0.49999993452254793), f32x4.mul(r, p));
  const er = f32x4.add(f32x4.add(f32x4.splat(1.0), r), f32x4.mul(f32x4.mul(r, r), p));
  const two_k = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
  const e = f32x4.mul(er, two_k);
  const s = f32x4.div(e, f32x4.add(f32x4.splat(2.0), e));
  const ss = f32x4.mul(s, s);
  let q = f32x4.splat(0.12150469088213657);
  q = f32x4.add(f32x4.splat(0.10713828502247598), f32x4.mul(ss, q));
  q = f32x4.add(f32x4.splat(0.14308442432450785), f32x4.mul(ss, q));
  q = f32x4.add(f32x4.splat(0.19999438870543965), f32x4.mul(ss, q));
  q = f32x4.add(f32x4.splat(0.3333333781099823), f32x4.mul(ss, q));
  q = f32x4.add(f32x4.splat(1.0), f32x4.mul(ss, q));
  return f32x4.mul(f32x4.add(s, s), q);
}

// @ts-ignore: decorator
@inline function softplus(x: v128, exact: bool): v128 {
  const m = f32x4.max(x, f32x4.splat(0));
  return exact ? f32x4.add(m, lnOnePlusExpNeg(f32x4.abs(x))) : m;
}

/**
 * LLRs of two 16-QAM symbols v = (I0, Q0, I1, Q1) written as [b0, b1, b2, b3] per symbol, 8 f32
 * at `o`. va = splat(2d/N0), vb = splat(8d²/N0) (see qam16Alpha, qam16Beta). Shared by
 * {@link qam16Llr} and the fused channel (fused.ts), so both give bit-identical LLRs.
 */
// @ts-ignore: decorator
@inline export function qam16Pair(v: v128, va: v128, vb: v128, exact: bool, o: usize): void {
  const a = f32x4.mul(v, va);
  const a2 = f32x4.mul(a, f32x4.splat(2.0));
  const aa = f32x4.abs(a2); // 2|α|
  let sign: v128, amp: v128;
  if (exact) {
    sign = f32x4.sub(f32x4.add(a2, softplus(f32x4.sub(a2, vb), true)), softplus(f32x4.sub(f32x4.neg(a2), vb), true));
    amp = f32x4.sub(f32x4.add(f32x4.sub(vb, aa), lnOnePlusExpNeg(aa)), lnOnePlusExpNeg(f32x4.mul(aa, f32x4.splat(3.0))));
  } else {
    sign = f32x4.sub(f32x4.add(a2, softplus(f32x4.sub(a2, vb), false)), softplus(f32x4.sub(f32x4.neg(a2), vb), false));
    amp = f32x4.sub(vb, aa);
  }
  v128.store(o, v128.shuffle<f32>(sign, amp, 0, 1, 4, 5));
  v128.store(o, v128.shuffle<f32>(sign, amp, 2, 3, 6, 7), 16);
}

/** d = 1/√10 in f32: the inner level of each axis. */
// @ts-ignore: decorator
@inline export const QAM16_D: f32 = 0.31622776601683794;

/** 2d/N0 in f32, as the demapper computes it. */
// @ts-ignore: decorator
@inline export function qam16Alpha(invN0: f32): f32 {
  return 2 * QAM16_D * invN0;
}

/** 8d²/N0 in f32, as the demapper computes it. */
// @ts-ignore: decorator
@inline export function qam16Beta(invN0: f32): f32 {
  return 8 * QAM16_D * QAM16_D * invN0;
}
