// Fading kernels: the Zheng–Xiao sum of sinusoids (src/channel/fading/jakes.ts) evaluated for a
// run of blocks, two sinusoids per f64x2 step. Cosines of angles in turns by the same reduction
// and degree-24 Taylor polynomial as src/channel/fading/cos_turns.ts, operation for operation
// (no fused multiply-add), so the result is bit-identical to the TS reference.

const TWO_PI: f64 = 6.283185307179586;

/** cos(2π·u) per lane (cos_turns.ts, vectorised). */
// @ts-ignore: decorator
@inline
function cosTurns2(u: v128): v128 {
  const r = f64x2.sub(u, f64x2.floor(f64x2.add(u, f64x2.splat(0.5))));
  const x = f64x2.mul(f64x2.splat(TWO_PI), r);
  const z = f64x2.mul(x, x);
  let p = f64x2.splat(1.6117375710961184e-24);
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-8.8967913924505741e-22));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(4.1103176233121648e-19));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-1.5619206968586225e-16));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(4.7794773323873853e-14));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-1.1470745597729725e-11));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(2.08767569878681e-9));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-2.7557319223985888e-7));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(0.000024801587301587302));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-0.0013888888888888889));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(0.041666666666666664));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-0.5));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(1.0));
  return p;
}

/**
 * Sum-of-sinusoids gains of blocks t0 … t0+count−1: `params` is f64 [4m] laid out fc | pc | fs | ps
 * (frequencies in cycles per block, phases in turns), m even; out f32 [2·count] interleaved re, im:
 * re = (Σ_even n + Σ_odd n)·√(1/m), each sum accumulated in order of n (one f64x2 lane each).
 */
export function sosGains(params: usize, m: i32, t0: f64, count: i32, out: usize): void {
  const scale: f64 = Math.sqrt(1.0 / <f64>m);
  const pc = params + (<usize>m << 3);
  const fs = params + (<usize>(2 * m) << 3);
  const ps = params + (<usize>(3 * m) << 3);
  for (let i = 0; i < count; i++) {
    const t = f64x2.splat(t0 + <f64>i);
    let re = f64x2.splat(0);
    let im = f64x2.splat(0);
    for (let n = 0; n < m; n += 2) {
      const o = <usize>n << 3;
      re = f64x2.add(re, cosTurns2(f64x2.add(f64x2.mul(v128.load(params + o), t), v128.load(pc + o))));
      im = f64x2.add(im, cosTurns2(f64x2.add(f64x2.mul(v128.load(fs + o), t), v128.load(ps + o))));
    }
    const q = out + (<usize>i << 3);
    store<f32>(q, <f32>((f64x2.extract_lane(re, 0) + f64x2.extract_lane(re, 1)) * scale));
    store<f32>(q, <f32>((f64x2.extract_lane(im, 0) + f64x2.extract_lane(im, 1)) * scale), 4);
  }
}
