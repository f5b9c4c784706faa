/**
 * Flooding sum-product (belief propagation) in float32: the reference decoder. Four frames run at
 * once, one per f32x4 lane (memory [variable][lane] and [edge][lane]); lanes never interact, so
 * a frame's result does not depend on its batch.
 *
 * Check update by the tanh rule, R_e = 2·atanh(∏_{e'≠e} tanh(Q_e'/2)), with
 * tanh(q/2) = sign(q)·(1 − e^−|q|)/(1 + e^−|q|) (|q| clamped to 40), the extrinsic product formed
 * by forward/backward partial products (no division by a possibly-zero factor) and clamped to
 * |p| ≤ 1 − 2^-23, so |R_e| ≤ 2·atanh(1 − 2^-23) ≈ 16.6; then 2·atanh(p) = log((1 + p)/(1 − p)).
 * exp and log are float32 polynomial evaluations (Cephes-style range reduction, measured max
 * relative error < 1e-7). Variable update L_v = llr_v + Σ R_e, Q_e = L_v − R_e.
 */

const PMAX: f32 = 1.0 - 1.1920929e-7;

/** e^x per lane for x in [-40, 0]. */
// @ts-ignore: decorator
@inline
function expNeg(x: v128): v128 {
  const k = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504)));
  let r = f32x4.sub(x, f32x4.mul(k, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(k, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(r, r);
  let y = f32x4.splat(1.98756915e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.39819995e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.33345191e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.16657959e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.66666655e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.00000012e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), f32x4.splat(1.0));
  // · 2^k through the exponent field (k in [-58, 0]).
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
  return f32x4.mul(y, scale);
}

/** Natural log per lane for positive normal x. */
// @ts-ignore: decorator
@inline
function logPos(x: v128): v128 {
  let e = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126));
  const m = v128.or(v128.and(x, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000)); // [0.5, 1)
  const small = f32x4.lt(m, f32x4.splat(0.707106781));
  e = i32x4.add(e, small); // e − 1 where m < √½
  const t = f32x4.sub(f32x4.add(m, v128.and(m, small)), f32x4.splat(1.0));
  const z = f32x4.mul(t, t);
  let y = f32x4.splat(7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, t), f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, t), z);
  const ef = f32x4.convert_i32x4_s(e);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  return f32x4.add(f32x4.add(t, y), f32x4.mul(ef, f32x4.splat(0.693359375)));
}

/** Bitmask (bit l = lane l) of lanes whose hard decisions (L < 0) violate a check. */
function syndromeFail4(Lf: usize, m: i32, rowPtr: usize, colOff: usize): i32 {
  const zero = f32x4.splat(0);
  let acc = i32x4.splat(0);
  let e = load<i32>(rowPtr);
  for (let r = 0; r < m; r++) {
    const e1 = load<i32>(rowPtr + ((<usize>(r + 1)) << 2));
    let x = i32x4.splat(0);
    for (; e < e1; e++) {
      x = v128.xor(x, f32x4.lt(v128.load(Lf + <usize>load<i32>(colOff + (<usize>e << 2))), zero));
    }
    acc = v128.or(acc, x);
  }
  return i32x4.bitmask(acc);
}

function writeLane4(Lf: usize, n: i32, lane: i32, out: usize): void {
  let p = Lf + (<usize>lane << 2);
  for (let v = 0; v < n; v++) {
    store<u8>(out + <usize>v, <u8>(load<f32>(p) < 0));
    p += 16;
  }
}

/**
 * Decodes `frames` frames of n float32 LLRs (frame-major) with flooding sum-product, 4 at a time.
 * colOff[e] = 16·column of edge e. Work memory (16-aligned): C and Lf (n·16 bytes each),
 * R (E·16 bytes), T and F (maxRowDegree·16 bytes each). Outputs as for minsumDecode.
 * With earlyStop a frame's output is taken after the first iteration whose hard decisions satisfy
 * every check; the group of 4 runs until all its frames have stopped. Hard bits are written for the
 * first outN ≤ n variables of each frame (frames·outN bytes).
 */
export function spaDecode(
  llr: usize, frames: i32, n: i32, m: i32, rowPtr: usize, colOff: usize,
  maxIter: i32, earlyStop: i32,
  C: usize, Lf: usize, R: usize, T: usize, F: usize, outBits: usize, outN: i32, outIter: usize, outConv: usize,
): void {
  const E = load<i32>(rowPtr + (<usize>m << 2));
  const one = f32x4.splat(1.0);
  const amax = f32x4.splat(40.0);
  const pmax = f32x4.splat(PMAX);
  const pmin = f32x4.splat(-PMAX);
  const signBit = i32x4.splat(0x80000000);
  for (let g = 0; g < frames; g += 4) {
    const lanes = min(4, frames - g);
    for (let l = 0; l < 4; l++) {
      const src = llr + ((<usize>(g + l) * <usize>n) << 2);
      for (let v = 0; v < n; v++) {
        store<f32>(C + (<usize>v << 4) + (<usize>l << 2), l < lanes ? load<f32>(src + (<usize>v << 2)) : 30.0);
      }
    }
    memory.copy(Lf, C, <usize>n << 4);
    memory.fill(R, 0, <usize>E << 4);
    const all = 0xf;
    let done = (all << lanes) & all;
    let it = 0;
    while (it < maxIter) {
      it++;
      // Check nodes: new R from Q = L − R(old).
      let e0 = load<i32>(rowPtr);
      for (let r = 0; r < m; r++) {
        const e1 = load<i32>(rowPtr + ((<usize>(r + 1)) << 2));
        const d = e1 - e0;
        let fwd = one;
        for (let k = 0; k < d; k++) {
          const e = <usize>(e0 + k);
          const q = f32x4.sub(v128.load(Lf + <usize>load<i32>(colOff + (e << 2))), v128.load(R + (e << 4)));
          const x = f32x4.pmin(f32x4.abs(q), amax);
          const ex = expNeg(f32x4.neg(x));
          const th = v128.or(f32x4.div(f32x4.sub(one, ex), f32x4.add(one, ex)), v128.and(q, signBit));
          v128.store(T + (<usize>k << 4), th);
          v128.store(F + (<usize>k << 4), fwd);
          fwd = f32x4.mul(fwd, th);
        }
        let bwd = one;
        for (let k = d - 1; k >= 0; k--) {
          let p = f32x4.mul(v128.load(F + (<usize>k << 4)), bwd);
          p = f32x4.pmax(f32x4.pmin(p, pmax), pmin);
          v128.store(R + (<usize>(e0 + k) << 4), logPos(f32x4.div(f32x4.add(one, p), f32x4.sub(one, p))));
          bwd = f32x4.mul(bwd, v128.load(T + (<usize>k << 4)));
        }
        e0 = e1;
      }
      // Variable nodes: L = llr + Σ R.
      memory.copy(Lf, C, <usize>n << 4);
      for (let e = 0; e < E; e++) {
        const a = Lf + <usize>load<i32>(colOff + (<usize>e << 2));
        v128.store(a, f32x4.add(v128.load(a), v128.load(R + (<usize>e << 4))));
      }
      if (earlyStop) {
        const fresh = ~syndromeFail4(Lf, m, rowPtr, colOff) & ~done & all;
        for (let l = 0; l < lanes; l++) {
          if ((fresh >> l) & 1) {
            const f = g + l;
            writeLane4(Lf, outN, l, outBits + <usize>f * <usize>outN);
            store<i32>(outIter + (<usize>f << 2), it);
            store<u8>(outConv + <usize>f, 1);
          }
        }
        done |= fresh;
        if (done == all) break;
      }
    }
    if (done != all) {
      const fail = syndromeFail4(Lf, m, rowPtr, colOff);
      for (let l = 0; l < lanes; l++) {
        if (((done >> l) & 1) == 0) {
          const f = g + l;
          writeLane4(Lf, outN, l, outBits + <usize>f * <usize>outN);
          store<i32>(outIter + (<usize>f << 2), it);
          store<u8>(outConv + <usize>f, <u8>(((fail >> l) & 1) ^ 1));
        }
      }
    }
  }
}
