// One Adam step over n float32 parameters (new values into out, which may be p; m and v in
// place), in exactly the float32
// operations (and order) of tfjs's AdamOptimizer, so the result is bit-identical to it:
//   m ← m·b1 + g·c1;  v ← v·b2 + (g·g)·c2;
//   p ← (((m / omb1) / (√(v / omb2) + eps)) · nlr) + p
// with c = 1 − b, omb = 1 − bᵗ and nlr = −learning rate, each a float32 the caller rounded.
// The relaxed-SIMD build fuses the three vector multiply-adds (madd.ts), so only the plain
// build is bit-identical to tfjs.

import { madd } from './madd';

/** Adam step on p, m, v (n floats each) with gradient g; the new p goes to out (may be p). */
export function adamUpdate(
  p: usize, g: usize, m: usize, v: usize, out: usize, n: i32,
  b1: f32, b2: f32, c1: f32, c2: f32, omb1: f32, omb2: f32, eps: f32, nlr: f32,
): void {
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
  const vo1 = f32x4.splat(omb1), vo2 = f32x4.splat(omb2), veps = f32x4.splat(eps), vnlr = f32x4.splat(nlr);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = madd(v128.load(m + o), vb1, f32x4.mul(gi, vc1));
    const vi = madd(v128.load(v + o), vb2, f32x4.mul(f32x4.mul(gi, gi), vc2));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const step = f32x4.div(f32x4.div(mi, vo1), f32x4.add(f32x4.sqrt(f32x4.div(vi, vo2)), veps));
    v128.store(out + o, madd(step, vnlr, v128.load(p + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = load<f32>(m + o) * b1 + gi * c1;
    const vi = load<f32>(v + o) * b2 + (gi * gi) * c2;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    const step = (mi / omb1) / (sqrt<f32>(vi / omb2) + eps);
    store<f32>(out + o, step * nlr + load<f32>(p + o));
  }
}
