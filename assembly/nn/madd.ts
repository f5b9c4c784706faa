// One multiply-add for every kernel of the module: a·b + c on four f32 lanes.
//
// The plain SIMD build (target release / threads) computes it as f32x4.add(f32x4.mul(a, b), c):
// two roundings. The relaxed build (compiled with --enable relaxed-simd, see scripts/build-wasm.mjs)
// uses f32x4.relaxed_madd, which the engine may fuse into one FMA (one rounding): faster, and
// different in the last bits. ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so each build
// holds only its own branch. Determinism is per build: bit-identical within one build on one
// machine, not across the two builds.

/** a·b + c, lane by lane (fused in the relaxed build when the engine fuses). */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
