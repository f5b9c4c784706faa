// xoshiro128++ (Blackman & Vigna) in four SIMD lanes, seeded by splitmix64.
//
// State layout (16 u32 at `state`): word 4·k + L is s[k] of lane L, so one v128 load reads
// s[k] of all four lanes. The output stream is lane-interleaved: output j comes from lane
// j mod 4 at step ⌊j/4⌋, which makes one SIMD step exactly four consecutive outputs and lets
// the TypeScript scalar generator (src/channel/rng.ts) continue the same stream.

// @ts-ignore: decorator
@inline const GOLDEN: u64 = 0x9E3779B97F4A7C15;

/** The splitmix64 output function applied to an already-advanced splitmix state. */
// @ts-ignore: decorator
@inline function mix64(x: u64): u64 {
  let z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

/**
 * Seeds the 16-word state from the 64-bit integer seed hi·2³² + lo: eight splitmix64 outputs,
 * each written as its low then high 32-bit half, fill words 0…15 in order. A lane whose four
 * words came out all zero (probability 2⁻¹²⁸) gets s[0] = 1, since xoshiro's zero state is fixed.
 */
export function seedState(state: usize, lo: u32, hi: u32): void {
  let x: u64 = (<u64>hi << 32) | <u64>lo;
  for (let i: usize = 0; i < 8; i++) {
    x += GOLDEN;
    const z = mix64(x);
    store<u32>(state + (i << 3), <u32>z);
    store<u32>(state + (i << 3) + 4, <u32>(z >> 32));
  }
  for (let l: usize = 0; l < 4; l++) {
    const p = state + (l << 2);
    if ((load<u32>(p) | load<u32>(p, 16) | load<u32>(p, 32) | load<u32>(p, 48)) == 0) store<u32>(p, 1);
  }
}

// @ts-ignore: decorator
@inline function rotl(x: v128, k: i32): v128 {
  return v128.or(i32x4.shl(x, k), i32x4.shr_u(x, 32 - k));
}

/** Writes `steps`·4 raw u32 outputs of the stream to `out` and advances the state. */
export function fillU32(state: usize, out: usize, steps: i32): void {
  let s0 = v128.load(state), s1 = v128.load(state, 16), s2 = v128.load(state, 32), s3 = v128.load(state, 48);
  for (let i = 0; i < steps; i++) {
    v128.store(out + (<usize>i << 4), i32x4.add(rotl(i32x4.add(s0, s3), 7), s0));
    const t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = rotl(s3, 11);
  }
  v128.store(state, s0); v128.store(state, s1, 16); v128.store(state, s2, 32); v128.store(state, s3, 48);
}

/** Writes `steps`·4 uniform floats (x >>> 8)·2⁻²⁴ ∈ [0, 1) (24-bit grid) and advances the state. */
export function fillUniform(state: usize, out: usize, steps: i32): void {
  let s0 = v128.load(state), s1 = v128.load(state, 16), s2 = v128.load(state, 32), s3 = v128.load(state, 48);
  const scale = f32x4.splat(5.9604644775390625e-8); // 2^-24
  for (let i = 0; i < steps; i++) {
    const r = i32x4.add(rotl(i32x4.add(s0, s3), 7), s0);
    v128.store(out + (<usize>i << 4), f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(r, 8)), scale));
    const t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = rotl(s3, 11);
  }
  v128.store(state, s0); v128.store(state, s1, 16); v128.store(state, s2, 32); v128.store(state, s3, 48);
}

/**
 * Writes `steps`·128 bytes: the next `steps`·4 outputs of the stream, each as 32 bytes 0/1 (its
 * bits, least significant first), and advances the state. Output j fills bytes 32j … 32j + 31.
 */
export function fillBits(state: usize, out: usize, steps: i32): void {
  let s0 = v128.load(state), s1 = v128.load(state, 16), s2 = v128.load(state, 32), s3 = v128.load(state, 48);
  const mask = i64x2.splat(0x8040201008040201); // byte j of each half: 1 << j
  const one = i8x16.splat(1);
  for (let i = 0; i < steps; i++) {
    const r = i32x4.add(rotl(i32x4.add(s0, s3), 7), s0);
    const o = out + (<usize>i << 7);
    // each 16-byte store: one byte of r repeated 8 times, then the next; bit j of that byte → 0/1
    v128.store(o, i8x16.min_u(v128.and(i8x16.shuffle(r, r, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1), mask), one));
    v128.store(o, i8x16.min_u(v128.and(i8x16.shuffle(r, r, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3), mask), one), 16);
    v128.store(o, i8x16.min_u(v128.and(i8x16.shuffle(r, r, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5), mask), one), 32);
    v128.store(o, i8x16.min_u(v128.and(i8x16.shuffle(r, r, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7), mask), one), 48);
    v128.store(o, i8x16.min_u(v128.and(i8x16.shuffle(r, r, 8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9), mask), one), 64);
    v128.store(o, i8x16.min_u(v128.and(i8x16.shuffle(r, r, 10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11), mask), one), 80);
    v128.store(o, i8x16.min_u(v128.and(i8x16.shuffle(r, r, 12, 12, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13), mask), one), 96);
    v128.store(o, i8x16.min_u(v128.and(i8x16.shuffle(r, r, 14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15), mask), one), 112);
    const t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = rotl(s3, 11);
  }
  v128.store(state, s0); v128.store(state, s1, 16); v128.store(state, s2, 32); v128.store(state, s3, 48);
}
