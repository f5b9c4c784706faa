// The WASM SIMD limit of one core (bench/lib/simd-limit.mjs compiles and times this): a loop of
// 12 independent f32x4 accumulators, each updated as acc = acc·m + c every iteration, i.e.
// 12 × 4 lanes × 2 FLOP = 96 FLOP per iteration and no memory traffic. Twelve chains hide the
// latency of a multiply then an add (or one fused multiply-add) on two SIMD pipes, so the loop
// runs at the core's f32x4 throughput: the ceiling of any f32 kernel in this engine.
//
// One source, two builds: plain SIMD (f32x4.mul then f32x4.add, two roundings) and, compiled with
// --enable relaxed-simd, f32x4.relaxed_madd (fused when the engine fuses). ASC_FEATURE_RELAXED_SIMD
// is a compile-time constant, so each build holds only its own branch.

// @ts-ignore: decorator
@inline function step(acc: v128, m: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(acc, m, c);
  return f32x4.add(f32x4.mul(acc, m), c);
}

/**
 * Runs `iterations` iterations of the 12-accumulator loop with multiplier `m` and addend `c`
 * (|m| < 1 keeps the values bounded and normal: they approach c / (1 − m)); returns the sum of
 * every lane of every accumulator, so that no update can be optimised away.
 */
export function run(iterations: i32, m: f32, c: f32): f32 {
  const mv = f32x4.splat(m);
  const cv = f32x4.splat(c);
  let a0 = f32x4.splat(0.0), a1 = f32x4.splat(0.1), a2 = f32x4.splat(0.2), a3 = f32x4.splat(0.3);
  let a4 = f32x4.splat(0.4), a5 = f32x4.splat(0.5), a6 = f32x4.splat(0.6), a7 = f32x4.splat(0.7);
  let a8 = f32x4.splat(0.8), a9 = f32x4.splat(0.9), a10 = f32x4.splat(1.0), a11 = f32x4.splat(1.1);
  for (let i = 0; i < iterations; i++) {
    a0 = step(a0, mv, cv); a1 = step(a1, mv, cv); a2 = step(a2, mv, cv); a3 = step(a3, mv, cv);
    a4 = step(a4, mv, cv); a5 = step(a5, mv, cv); a6 = step(a6, mv, cv); a7 = step(a7, mv, cv);
    a8 = step(a8, mv, cv); a9 = step(a9, mv, cv); a10 = step(a10, mv, cv); a11 = step(a11, mv, cv);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))),
    f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
