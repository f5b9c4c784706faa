// Standard normal samples by the Box–Muller transform in f32x4 SIMD, fed by xoshiro128++.
//
// One block = two xoshiro128++ SIMD steps (8 u32, lane-interleaved as in xoshiro.ts) → 8
// normals. From step A's word a and step B's word b (per lane):
//   u  = ((a >>> 1) + ½)·2⁻³¹ ∈ (0, 1]          (never 0; the smallest is 2⁻³², so |z| ≤ 6.66)
//   r  = √(−2 ln u)
//   θ  = q·π/2 + φ, q = b >>> 30 (quadrant), φ = (π/2)·(f − ½), f = the next 24 bits of b·2⁻²⁴
//   out[0..3] = r·cos θ, out[4..7] = r·sin θ.
// θ is uniform on a full turn (offset by −π/4, which a uniform angle does not see).
// ln: u = m·2ᵉ with m ∈ [√½, √2), ln m = 2·atanh(s) = 2s·(1 + a₁s² + a₂s⁴ + a₃s⁶),
//   s = (m−1)/(m+1), |s| ≤ 0.1716.
// sin/cos of φ ∈ [−π/4, π/4): sin φ = φ·(1 + b₁φ² + b₂φ⁴ + b₃φ⁶), cos φ = 1 + c₁φ² + c₂φ⁴ + c₃φ⁶,
//   then the quadrant's swap and signs.
// The coefficients are near-minimax fits (Lawson-reweighted least squares on Chebyshev nodes,
// computed with numpy for this file) with approximation errors 8e-10 (relative, atanh factor),
// 4e-9 (relative, sin) and 3.2e-8 (absolute, cos), all below float32 rounding (6e-8). Every
// operation is plain IEEE f32 (no fused or relaxed ops), so output is bit-identical on every
// engine. test/channel/gaussian.test.ts checks moments, tails and a chi-square against the CDF.

// @ts-ignore: decorator
@inline function rotl(x: v128, k: i32): v128 {
  return v128.or(i32x4.shl(x, k), i32x4.shr_u(x, 32 - k));
}

/**
 * Writes blocks·8 values out[i] = (sig ? sig[i] : 0) + sigma·z[i], z standard normal, and
 * advances the generator state at `state` by 2·blocks steps. `sig` = 0 means no signal;
 * `out` may equal `sig` (in place).
 */
export function fillGaussian(state: usize, out: usize, sig: usize, blocks: i32, sigma: f32): void {
  let s0 = v128.load(state), s1 = v128.load(state, 16), s2 = v128.load(state, 32), s3 = v128.load(state, 48);
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1.0);
  const mantMask = i32x4.splat(0x007fffff);
  const oneBits = i32x4.splat(0x3f800000);
  const sqrt2 = f32x4.splat(1.4142135381698608);
  const ln2x2 = f32x4.splat(1.3862943611198906); // 2·ln 2
  const a1 = f32x4.splat(0.33333388191855157);
  const a2 = f32x4.splat(0.1998877067958531);
  const a3 = f32x4.splat(0.14935866483750648);
  const four = f32x4.splat(4.0);
  const i158 = i32x4.splat(158); // 127 + 31: exponent bias plus the 2^-31 scale
  const angScale = f32x4.splat(9.362678776548137e-8); // (π/2)·2^-24
  const quarterPi = f32x4.splat(0.7853981633974483);
  const b1 = f32x4.splat(-0.1666665494345406);
  const b2 = f32x4.splat(0.008332178133838328);
  const b3 = f32x4.splat(-0.00019517297565228332);
  const c1 = f32x4.splat(-0.4999989477914424);
  const c2 = f32x4.splat(0.04165629446755202);
  const c3 = f32x4.splat(-0.0013597821834503629);
  const signBit = i32x4.splat(0x80000000);
  const vsigma = f32x4.splat(sigma);
  for (let i = 0; i < blocks; i++) {
    // step A → radius word
    const a = i32x4.add(rotl(i32x4.add(s0, s3), 7), s0);
    let t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t); s3 = rotl(s3, 11);
    // step B → angle word
    const b = i32x4.add(rotl(i32x4.add(s0, s3), 7), s0);
    t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t); s3 = rotl(s3, 11);

    // v = (a >>> 1) + ½ ∈ [½, 2³¹]; u = v·2⁻³¹. −2 ln u = 2·((158 − E)·ln2 − ln m), v = m·2^(E−127).
    const v = f32x4.add(f32x4.convert_i32x4_s(i32x4.shr_u(a, 1)), half);
    let e = i32x4.shr_u(v, 23);
    let m = v128.or(v128.and(v, mantMask), oneBits);
    const big = f32x4.gt(m, sqrt2);
    m = v128.bitselect(f32x4.mul(m, half), m, big);
    e = i32x4.sub(e, big); // big lanes are −1: exponent + 1
    const s = f32x4.div(f32x4.sub(m, one), f32x4.add(m, one));
    const ss = f32x4.mul(s, s);
    const p = f32x4.add(one, f32x4.mul(ss, f32x4.add(a1, f32x4.mul(ss, f32x4.add(a2, f32x4.mul(ss, a3))))));
    // 2·(k·ln2 − 2·s·p) = k·(2 ln2) − 4·s·p
    const k = f32x4.convert_i32x4_s(i32x4.sub(i158, e));
    const r2 = f32x4.sub(f32x4.mul(k, ln2x2), f32x4.mul(four, f32x4.mul(s, p)));
    const r = f32x4.sqrt(f32x4.max(r2, f32x4.splat(0)));

    // angle: quadrant q = b >>> 30, φ = (π/2)·f − π/4 with f from the next 24 bits
    const f = f32x4.convert_i32x4_s(i32x4.shr_u(i32x4.shl(b, 2), 8));
    const x = f32x4.sub(f32x4.mul(f, angScale), quarterPi);
    const xx = f32x4.mul(x, x);
    const sn = f32x4.mul(x, f32x4.add(one, f32x4.mul(xx, f32x4.add(b1, f32x4.mul(xx, f32x4.add(b2, f32x4.mul(xx, b3)))))));
    const cs = f32x4.add(one, f32x4.mul(xx, f32x4.add(c1, f32x4.mul(xx, f32x4.add(c2, f32x4.mul(xx, c3))))));
    const q = i32x4.shr_u(b, 30);
    const swap = i32x4.shr_s(i32x4.shl(q, 31), 31); // all ones for odd quadrants
    const cosv = v128.xor(v128.bitselect(sn, cs, swap), v128.and(i32x4.shl(i32x4.add(q, i32x4.splat(1)), 30), signBit));
    const sinv = v128.xor(v128.bitselect(cs, sn, swap), v128.and(i32x4.shl(q, 30), signBit));

    const o = out + (<usize>i << 5);
    // σ·(r·cos θ): the same rounding as scaling a plain normal by σ afterwards
    let z0 = f32x4.mul(vsigma, f32x4.mul(r, cosv)), z1 = f32x4.mul(vsigma, f32x4.mul(r, sinv));
    if (sig) {
      const g = sig + (<usize>i << 5);
      z0 = f32x4.add(v128.load(g), z0);
      z1 = f32x4.add(v128.load(g, 16), z1);
    }
    v128.store(o, z0);
    v128.store(o, z1, 16);
  }
  v128.store(state, s0); v128.store(state, s1, 16); v128.store(state, s2, 32); v128.store(state, s3, 48);
}

/**
 * Makes the scratch `z` hold at least `need` unit normals for a fused channel kernel: its first
 * `have` entries are leftovers of the previous slice or call, then whole blocks of 8 are drawn
 * after them. Returns how many normals `z` now holds.
 */
export function topUpNormals(state: usize, z: usize, have: i32, need: i32): i32 {
  if (need <= have) return have;
  const blocks = (need - have + 7) >> 3;
  fillGaussian(state, z + (<usize>have << 2), 0, blocks, 1.0);
  return have + (blocks << 3);
}

/** Moves the normals of `z` past the first `used` (of `avail`) to its front; returns how many were kept. */
export function keepLeftoverNormals(z: usize, used: i32, avail: i32): i32 {
  const left = avail - used;
  if (left > 0) memory.copy(z, z + (<usize>used << 2), <usize>left << 2);
  return left;
}
