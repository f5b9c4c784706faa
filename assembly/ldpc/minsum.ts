/**
 * Layered min-sum LDPC decoding, 16 frames at once (inter-frame SIMD, one frame per i8 lane).
 *
 * Fixed point: every LLR is an i8 in units of 1/scale (q = nearest(llr·scale), clamped to
 * ±127). The a-posteriori values L[v] and the check-to-variable messages R[e] use saturating
 * i8 arithmetic. Layout is [variable][lane] and [edge][lane], 16 bytes each, so every edge
 * access is one v128 load. Rows are processed in CSR order (one layer per row).
 *
 * Per row r and edge e (column c):  t_e = sat(L[c] − R[e]);  min1 ≤ min2 over |t_e|
 * (unsigned, capped at 127); S = XOR of the signs. New message
 * R[e] = sign(S·t_e) · g(|t_e| == min1 ? min2 : min1), with g(x) = ⌊(x·f + 64)/128⌋ (normalised,
 * f = factor·128) or g(x) = max(x − o, 0) (offset, o = offset·scale), capped at MSG_MAX = 47;
 * then L[c] = sat(t_e + R[e]).
 * Ties at min1 leave min2 == min1, so the equality test needs no index of the minimum.
 *
 * Messages are stored per edge (16 bytes); t_e is parked in a small row scratch (L1-resident)
 * between the two passes of a row, so R is read once and written once per edge and iteration. Measured on 802.11n 1944 R1/2 (E = 6966): about 2.2 ns per edge and iteration
 * for all 16 frames; a compressed (min1, min2, index, signs) store would save memory traffic only
 * on codes whose R does not fit in L2 (5G NR BG1 at Z = 384: 1.9 MB per 16 frames).
 */

const LANES: i32 = 16;

/**
 * Largest check-to-variable message magnitude (quanta). Keeping messages well inside the ±127
 * range of the saturating a-posteriori values matters: with |R| near 127, t = sat(L − R) of a
 * saturated L collapses towards 0 and layered min-sum oscillates away from a decoded word once
 * it keeps iterating (measured: offset min-sum on 802.11n 1944 R1/2 at 2 dB, 10 fixed iterations,
 * FER 0.9 without the cap, equal to the early-stop FER with it).
 */
export const MSG_MAX: i8 = 47;

/**
 * Bitmask (bit l = lane l) of lanes whose hard decisions (sign bit of L) violate a check. The
 * scan stops as soon as every lane in `need` is known to fail (the result is then exact for those
 * lanes, and lanes outside `need` are not looked at).
 */
function syndromeFail(L: usize, m: i32, rowPtr: usize, colOff: usize, need: i32): i32 {
  let acc = i8x16.splat(0);
  let e = load<i32>(rowPtr);
  for (let r = 0; r < m; r++) {
    const e1 = load<i32>(rowPtr + ((<usize>(r + 1)) << 2));
    let x = i8x16.splat(0);
    for (; e < e1; e++) {
      x = v128.xor(x, v128.load(L + <usize>load<i32>(colOff + (<usize>e << 2))));
    }
    acc = v128.or(acc, x);
    if ((r & 7) == 7 && (i8x16.bitmask(acc) & need) == need) break;
  }
  return i8x16.bitmask(acc);
}

/** ⌊(x·f + 64) / 128⌋ per u8 lane (x ≤ 127, f ≤ 128): x·factor rounded to nearest. */
// @ts-ignore: decorator
@inline
export function scaleRound(x: v128, f: v128): v128 {
  const half = i16x8.splat(64);
  return i8x16.narrow_i16x8_u(
    i16x8.shr_u(i16x8.add(i16x8.extmul_low_i8x16_u(x, f), half), 7),
    i16x8.shr_u(i16x8.add(i16x8.extmul_high_i8x16_u(x, f), half), 7));
}

/**
 * One layered iteration over all rows. mode 0: normalised (param = factor·128), 1: offset
 * (param = offset in quanta). R is read through `keep` (0x00 bytes for lanes that were just
 * refilled with a new frame, whose old messages must read as 0; 0xff elsewhere).
 */
function layeredPass(L: usize, R: usize, m: i32, rowPtr: usize, colOff: usize, mode: i32, param: i32, keep: v128, T: usize): void {
  const cap = i8x16.splat(127);
  const fq = i8x16.splat(<i8>param);
  const rmax = i8x16.splat(MSG_MAX);
  let e0 = load<i32>(rowPtr);
  for (let r = 0; r < m; r++) {
    const e1 = load<i32>(rowPtr + ((<usize>(r + 1)) << 2));
    let min1 = cap;
    let min2 = cap;
    let S = i8x16.splat(0);
    const rBase = R + (<usize>e0 << 4);
    const cBase = colOff + (<usize>e0 << 2);
    const cEnd = colOff + (<usize>e1 << 2);
    // Pass 1: t_e = L[c] − R[e], parked in the row scratch T (stays in L1; R is read once here
    // and written once in pass 2).
    let rp = rBase;
    let tp = T;
    let cp = cBase;
    for (; cp + 8 <= cEnd; cp += 8) {
      const t0 = i8x16.sub_sat_s(v128.load(L + <usize>load<i32>(cp)), v128.and(v128.load(rp), keep));
      const t1 = i8x16.sub_sat_s(v128.load(L + <usize>load<i32>(cp, 4)), v128.and(v128.load(rp, 16), keep));
      v128.store(tp, t0);
      v128.store(tp, t1, 16);
      const a0 = i8x16.abs(t0);
      const a1 = i8x16.abs(t1);
      min2 = i8x16.min_u(min2, i8x16.max_u(min1, a0));
      min1 = i8x16.min_u(min1, a0);
      min2 = i8x16.min_u(min2, i8x16.max_u(min1, a1));
      min1 = i8x16.min_u(min1, a1);
      S = v128.xor(S, v128.xor(t0, t1));
      rp += 32;
      tp += 32;
    }
    if (cp < cEnd) {
      const t = i8x16.sub_sat_s(v128.load(L + <usize>load<i32>(cp)), v128.and(v128.load(rp), keep));
      v128.store(tp, t);
      const a = i8x16.abs(t);
      min2 = i8x16.min_u(min2, i8x16.max_u(min1, a));
      min1 = i8x16.min_u(min1, a);
      S = v128.xor(S, t);
    }
    let s1: v128, s2: v128;
    if (mode == 0) {
      s1 = scaleRound(min1, fq);
      s2 = scaleRound(min2, fq);
    } else {
      s1 = i8x16.sub_sat_u(min1, fq);
      s2 = i8x16.sub_sat_u(min2, fq);
    }
    s1 = i8x16.min_u(s1, rmax);
    s2 = i8x16.min_u(s2, rmax);
    const d12 = v128.xor(s1, s2);
    const zero = i8x16.splat(0);
    // Pass 2: new messages and a-posteriori values, two edges per step.
    rp = rBase;
    tp = T;
    for (cp = cBase; cp + 8 <= cEnd; cp += 8) {
      const t0 = v128.load(tp);
      const t1 = v128.load(tp, 16);
      // |t| == min1 ? s2 : s1, and the extrinsic sign as a 0 / -1 mask.
      const mag0 = v128.xor(s1, v128.and(d12, i8x16.eq(i8x16.abs(t0), min1)));
      const mag1 = v128.xor(s1, v128.and(d12, i8x16.eq(i8x16.abs(t1), min1)));
      const sg0 = i8x16.lt_s(v128.xor(S, t0), zero);
      const sg1 = i8x16.lt_s(v128.xor(S, t1), zero);
      const msg0 = i8x16.sub(v128.xor(mag0, sg0), sg0);
      const msg1 = i8x16.sub(v128.xor(mag1, sg1), sg1);
      v128.store(L + <usize>load<i32>(cp), i8x16.add_sat_s(t0, msg0));
      v128.store(L + <usize>load<i32>(cp, 4), i8x16.add_sat_s(t1, msg1));
      v128.store(rp, msg0);
      v128.store(rp, msg1, 16);
      rp += 32;
      tp += 32;
    }
    if (cp < cEnd) {
      const t = v128.load(tp);
      const mag = v128.xor(s1, v128.and(d12, i8x16.eq(i8x16.abs(t), min1)));
      const sg = i8x16.lt_s(v128.xor(S, t), zero);
      const msg = i8x16.sub(v128.xor(mag, sg), sg);
      v128.store(L + <usize>load<i32>(cp), i8x16.add_sat_s(t, msg));
      v128.store(rp, msg);
    }
    e0 = e1;
  }
}

/** S[v] = sign bits of L[v] across the 16 lanes (bit l = lane l's hard decision). */
function signMasks(L: usize, n: i32, S: usize): void {
  for (let v = 0; v < n; v++) {
    store<u16>(S + (<usize>v << 1), <u16>i8x16.bitmask(v128.load(L + (<usize>v << 4))));
  }
}

/** out[v] = bit `lane` of S[v], v < n: one frame's hard decisions. */
function writeLane(S: usize, n: i32, lane: i32, out: usize): void {
  const one = i16x8.splat(1);
  let v = 0;
  for (; v + 16 <= n; v += 16) {
    const p = S + (<usize>v << 1);
    const a = v128.and(i16x8.shr_u(v128.load(p), lane), one);
    const b = v128.and(i16x8.shr_u(v128.load(p, 16), lane), one);
    v128.store(out + <usize>v, i8x16.narrow_i16x8_u(a, b));
  }
  for (; v < n; v++) store<u8>(out + <usize>v, (load<u16>(S + (<usize>v << 1)) >> <u16>lane) & 1);
}

/** One 16x16 byte transpose step: interleave rows i and i+8 (applied 4 times = transpose). */
// @ts-ignore: decorator
@inline
function lo8(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}
// @ts-ignore: decorator
@inline
function hi8(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}

/**
 * Quantises 16 f32 at p into one i8x16: clamp(x·scale, ±127) rounded half to even, by adding
 * 1.5·2^23 (the float add rounds to an integer; its low mantissa bits are then the value).
 */
// @ts-ignore: decorator
@inline
function quant16(p: usize, sc: v128): v128 {
  const hi = f32x4.splat(127.0);
  const lo = f32x4.splat(-127.0);
  const magic = f32x4.splat(12582912.0);
  const mb = i32x4.splat(0x4b400000);
  const a = i32x4.sub(f32x4.add(f32x4.pmin(f32x4.pmax(f32x4.mul(v128.load(p), sc), lo), hi), magic), mb);
  const b = i32x4.sub(f32x4.add(f32x4.pmin(f32x4.pmax(f32x4.mul(v128.load(p, 16), sc), lo), hi), magic), mb);
  const c = i32x4.sub(f32x4.add(f32x4.pmin(f32x4.pmax(f32x4.mul(v128.load(p, 32), sc), lo), hi), magic), mb);
  const d = i32x4.sub(f32x4.add(f32x4.pmin(f32x4.pmax(f32x4.mul(v128.load(p, 48), sc), lo), hi), magic), mb);
  return i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
}

/**
 * Loads frames g..g+lanes-1 (frame-major f32 at llr) into L as [variable][lane] i8, quantised;
 * unused lanes get +127 (a certain 0, which satisfies every check). Q: 256 bytes scratch.
 */
function loadGroup(llr: usize, n: i32, g: i32, lanes: i32, scale: f32, L: usize, Q: usize): void {
  const sc = f32x4.splat(scale);
  const pad = i8x16.splat(127);
  let v = 0;
  for (; v + 16 <= n; v += 16) {
    for (let l = 0; l < 16; l++) {
      const q = l < lanes ? quant16(llr + ((<usize>(g + l) * <usize>n + <usize>v) << 2), sc) : pad;
      v128.store(Q + (<usize>l << 4), q);
    }
    for (let s = 0; s < 4; s++) {
      // rows i and i+8 -> 2i, 2i+1, ping-ponging between the two halves of the scratch
      const src = Q + (<usize>(s & 1) << 8);
      const dst = s == 3 ? L + (<usize>v << 4) : Q + (<usize>((s + 1) & 1) << 8);
      for (let i = 0; i < 8; i++) {
        const a = v128.load(src + (<usize>i << 4));
        const b = v128.load(src + (<usize>(i + 8) << 4));
        v128.store(dst + (<usize>(2 * i) << 4), lo8(a, b));
        v128.store(dst + (<usize>(2 * i + 1) << 4), hi8(a, b));
      }
    }
    // The 4th step writes row j = variable v+j straight into L.
  }
  for (; v < n; v++) {
    for (let l = 0; l < 16; l++) {
      let q: i32 = 127;
      if (l < lanes) {
        let x: f32 = nearest<f32>(load<f32>(llr + ((<usize>(g + l) * <usize>n + <usize>v) << 2)) * scale);
        x = max<f32>(-127.0, min<f32>(127.0, x));
        q = <i32>x;
      }
      store<i8>(L + (<usize>v << 4) + <usize>l, <i8>q);
    }
  }
}

/** Quantises frame `src` (n f32) into lane `lane` of L (same rounding as loadGroup). */
function loadLane(src: usize, n: i32, scale: f32, L: usize, lane: i32): void {
  const sc = f32x4.splat(scale);
  let v = 0;
  for (; v + 16 <= n; v += 16) {
    const q = quant16(src + (<usize>v << 2), sc);
    const p = L + (<usize>v << 4) + <usize>lane;
    v128.store8_lane(p, q, 0, 0); v128.store8_lane(p, q, 1, 16);
    v128.store8_lane(p, q, 2, 32); v128.store8_lane(p, q, 3, 48);
    v128.store8_lane(p, q, 4, 64); v128.store8_lane(p, q, 5, 80);
    v128.store8_lane(p, q, 6, 96); v128.store8_lane(p, q, 7, 112);
    v128.store8_lane(p, q, 8, 128); v128.store8_lane(p, q, 9, 144);
    v128.store8_lane(p, q, 10, 160); v128.store8_lane(p, q, 11, 176);
    v128.store8_lane(p, q, 12, 192); v128.store8_lane(p, q, 13, 208);
    v128.store8_lane(p, q, 14, 224); v128.store8_lane(p, q, 15, 240);
  }
  for (; v < n; v++) {
    let x: f32 = nearest<f32>(load<f32>(src + (<usize>v << 2)) * scale);
    x = max<f32>(-127.0, min<f32>(127.0, x));
    store<i8>(L + (<usize>v << 4) + <usize>lane, <i8><i32>x);
  }
}

/**
 * Decodes `frames` frames of n float32 LLRs (frame-major at `llr`) with layered min-sum.
 * Work memory: L (n·16 bytes), R (E·16 bytes), S ((n+16)·2 bytes), Q (1024 + 16·max row degree
 * bytes: transpose and lane state, then the row scratch T), all 16-aligned. colOff[e] = 16·column of edge e. Outputs: hard bits of the first outN ≤ n variables
 * (frames·outN u8, frame-major, 1 where L < 0), iterations (frames i32), converged (frames u8: 1
 * when the hard decisions of all n variables satisfy every check).
 *
 * Lanes are independent, and each lane runs its own frame: with earlyStop a frame stops (its
 * output is taken) after the first iteration whose hard decisions have zero syndrome, and its
 * lane is refilled with the next waiting frame (L reloaded, its messages read as 0), so a
 * frame's result does not depend on which lane or batch it ran in. Without earlyStop every frame
 * runs maxIter iterations.
 */
export function minsumDecode(
  llr: usize, frames: i32, n: i32, m: i32, rowPtr: usize, colOff: usize,
  scale: f32, maxIter: i32, earlyStop: i32, mode: i32, param: i32,
  L: usize, R: usize, S: usize, Q: usize, outBits: usize, outN: i32, outIter: usize, outConv: usize,
): void {
  const E = load<i32>(rowPtr + (<usize>m << 2));
  const all = 0xffff;
  const frameBytes = <usize>n << 2;
  // Per-lane state in the scratch above loadGroup's 512 bytes.
  const laneFrame = Q + 512;
  const laneIt = Q + 576;
  const keepBytes = Q + 640;
  const first = min(LANES, frames);
  loadGroup(llr, n, 0, first, scale, L, Q);
  memory.fill(R, 0, <usize>E << 4);
  let active = ((1 << first) - 1) & all;
  for (let l = 0; l < LANES; l++) {
    store<i32>(laneFrame + (<usize>l << 2), l);
    store<i32>(laneIt + (<usize>l << 2), 0);
  }
  let next = first;
  let keep = i8x16.splat(-1);
  while (active != 0) {
    layeredPass(L, R, m, rowPtr, colOff, mode, param, keep, Q + 1024);
    keep = i8x16.splat(-1);
    // Count the iteration; lanes reaching maxIter finish either way.
    let finished = 0;
    for (let l = 0; l < LANES; l++) {
      if ((active >> l) & 1) {
        const a = laneIt + (<usize>l << 2);
        const it = load<i32>(a) + 1;
        store<i32>(a, it);
        if (it >= maxIter) finished |= 1 << l;
      }
    }
    let fail = all;
    if (earlyStop || finished != 0) {
      fail = syndromeFail(L, m, rowPtr, colOff, active);
      if (earlyStop) finished |= ~fail & active;
    }
    if (finished == 0) continue;
    signMasks(L, outN, S);
    for (let l = 0; l < LANES; l++) {
      if (((finished >> l) & 1) == 0) continue;
      const f = load<i32>(laneFrame + (<usize>l << 2));
      writeLane(S, outN, l, outBits + <usize>f * <usize>outN);
      store<i32>(outIter + (<usize>f << 2), load<i32>(laneIt + (<usize>l << 2)));
      store<u8>(outConv + <usize>f, <u8>(((fail >> l) & 1) ^ 1));
    }
    if (finished == all) {
      // The whole vector finished together (always so without earlyStop): load the next 16
      // frames at once, transposed, exactly as lanes 0..15 of a fresh start.
      const lanes = min(LANES, frames - next);
      if (lanes <= 0) break;
      loadGroup(llr, n, next, lanes, scale, L, Q);
      memory.fill(R, 0, <usize>E << 4);
      for (let l = 0; l < LANES; l++) {
        store<i32>(laneFrame + (<usize>l << 2), next + l);
        store<i32>(laneIt + (<usize>l << 2), 0);
      }
      next += lanes;
      active = ((1 << lanes) - 1) & all;
      continue;
    }
    let refill = 0;
    for (let l = 0; l < LANES; l++) {
      if (((finished >> l) & 1) == 0) continue;
      if (next < frames) {
        store<i32>(laneFrame + (<usize>l << 2), next);
        store<i32>(laneIt + (<usize>l << 2), 0);
        loadLane(llr + <usize>next * frameBytes, n, scale, L, l);
        next++;
        refill |= 1 << l;
      } else {
        active &= ~(1 << l);
      }
    }
    if (refill != 0) {
      // Bytes of refilled lanes become 0x00 in keep: their old messages read as 0.
      for (let l = 0; l < LANES; l++) store<u8>(keepBytes + <usize>l, ((refill >> l) & 1) ? 0 : 0xff);
      keep = v128.load(keepBytes);
    }
  }
}
