/**
 * Layered min-sum of ONE frame on a quasi-cyclic H, 16 rows of a block row at once (intra-frame
 * SIMD), with exactly the fixed-point arithmetic of minsum.ts (same messages, same a-posteriori
 * values, same iteration count and stop rule), so a frame decoded here is bit-identical to the
 * same frame in a 16-frame minsumDecode batch.
 *
 * Why it is the same schedule: H is lifted by Z with circulant permutations, row i of block row b
 * reaching column j·Z + (s + i) mod Z of each block column j it touches (one column per block).
 * The Z rows of a block row therefore touch disjoint columns, and processing them in parallel
 * gives what processing them one after another in CSR order gives.
 *
 * Memory: block column j's a-posteriori values live at P + j·(Z+16) as Z i8 values followed by a
 * copy of the first 16 (so any 16 cyclically consecutive values are one v128 load at offset
 * o = (s + i0) mod Z). After each store the copy is re-synchronised where the store touched it.
 * Edge table `tab`: per block row b, per chunk c of 16 rows (i0 = 16c, ⌈Z/16⌉ chunks), per edge k
 * of the block row: two i32, the byte address j·(Z+16) + o and the offset o. `deg[b]`: edges per
 * row of block row b. R: one v128 message per table entry. T: 16 bytes per edge of the largest
 * block row.
 */

import { MSG_MAX, scaleRound } from './minsum';

/** Byte lanes 0..15. */
// @ts-ignore: decorator
@inline
function iota(): v128 {
  return i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/**
 * Stores v (the new values of cyclic positions o..o+15 of block column B, 0 ≤ o < Z) and keeps
 * the copy of the first 16 values consistent. When the store touches the front or the copy, the
 * merged front is computed in registers from v and the old front (read before the store, so no
 * load waits on a partially overlapping store) and written to both places.
 */
// @ts-ignore: decorator
@inline
function storeCyclic(B: usize, o: i32, Z: i32, v: v128): void {
  if (o < 16 || o + 16 > Z) {
    const old = v128.load(B);
    const direct = i8x16.ge_s(iota(), i8x16.splat(<i8>min(o, 16)));
    const wrap = i8x16.lt_s(iota(), i8x16.splat(<i8>max(o + 16 - Z, 0)));
    const fromDirect = i8x16.swizzle(v, i8x16.sub(iota(), i8x16.splat(<i8>min(o, 16))));
    const fromWrap = i8x16.swizzle(v, i8x16.add(iota(), i8x16.splat(<i8>min(Z - o, 16))));
    const merged = v128.bitselect(fromDirect, v128.bitselect(fromWrap, old, wrap), direct);
    v128.store(B + <usize>o, v);
    v128.store(B, merged);
    v128.store(B + <usize>Z, merged);
  } else {
    v128.store(B + <usize>o, v);
  }
}

/** One layered iteration over all block rows. */
function qcPass(P: usize, R: usize, T: usize, tab: usize, deg: usize, mb: i32, Z: i32, mode: i32, param: i32): void {
  const cap = i8x16.splat(127);
  const fq = i8x16.splat(<i8>param);
  const rmax = i8x16.splat(MSG_MAX);
  const zero = i8x16.splat(0);
  const nc = (Z + 15) >> 4;
  const lastValid = i8x16.lt_s(iota(), i8x16.splat(<i8>(Z - ((nc - 1) << 4))));
  let tp = tab;
  let rp = R;
  for (let b = 0; b < mb; b++) {
    const d = load<i32>(deg + (<usize>b << 2));
    for (let c = 0; c < nc; c++) {
      let min1 = cap;
      let min2 = cap;
      let S = zero;
      let q = tp;
      let r = rp;
      let k = 0;
      for (; k + 2 <= d; k += 2) {
        const t0 = i8x16.sub_sat_s(v128.load(P + <usize>load<i32>(q)), v128.load(r));
        const t1 = i8x16.sub_sat_s(v128.load(P + <usize>load<i32>(q, 8)), v128.load(r, 16));
        v128.store(T + (<usize>k << 4), t0);
        v128.store(T + (<usize>k << 4), t1, 16);
        const a0 = i8x16.abs(t0);
        const a1 = i8x16.abs(t1);
        min2 = i8x16.min_u(min2, i8x16.max_u(min1, a0));
        min1 = i8x16.min_u(min1, a0);
        min2 = i8x16.min_u(min2, i8x16.max_u(min1, a1));
        min1 = i8x16.min_u(min1, a1);
        S = v128.xor(S, v128.xor(t0, t1));
        q += 16;
        r += 32;
      }
      if (k < d) {
        const t = i8x16.sub_sat_s(v128.load(P + <usize>load<i32>(q)), v128.load(r));
        v128.store(T + (<usize>k << 4), t);
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
      // Lanes past row Z−1 of a partial last chunk alias rows of earlier chunks: they keep their values.
      const mask = c == nc - 1 ? lastValid : i8x16.splat(-1);
      for (let k = 0; k < d; k++) {
        const t = v128.load(T + (<usize>k << 4));
        const mag = v128.xor(s1, v128.and(d12, i8x16.eq(i8x16.abs(t), min1)));
        const sg = i8x16.lt_s(v128.xor(S, t), zero);
        const msg = i8x16.sub(v128.xor(mag, sg), sg);
        const addr = <usize>load<i32>(tp);
        const o = load<i32>(tp, 4);
        const v = v128.bitselect(i8x16.add_sat_s(t, msg), v128.load(P + addr), mask);
        storeCyclic(P + addr - <usize>o, o, Z, v);
        v128.store(rp, msg);
        tp += 8;
        rp += 16;
      }
    }
  }
}

/** True when the hard decisions (sign bits of P) satisfy every check. */
function qcSyndromeOk(P: usize, tab: usize, deg: usize, mb: i32, Z: i32): bool {
  const nc = (Z + 15) >> 4;
  const lastValid = i8x16.lt_s(iota(), i8x16.splat(<i8>(Z - ((nc - 1) << 4))));
  let tp = tab;
  for (let b = 0; b < mb; b++) {
    const d = load<i32>(deg + (<usize>b << 2));
    for (let c = 0; c < nc; c++) {
      let x = i8x16.splat(0);
      for (let k = 0; k < d; k++) {
        x = v128.xor(x, v128.load(P + <usize>load<i32>(tp)));
        tp += 8;
      }
      if (c == nc - 1) x = v128.and(x, lastValid);
      if (i8x16.bitmask(x) != 0) return false;
    }
  }
  return true;
}

/**
 * Decodes one frame of n = nb·Z float32 LLRs at `llr` (quantised as minsum.ts does: nearest of
 * llr·scale, clamped to ±127). entries = Σ_b ⌈Z/16⌉·deg[b] table entries; P: nb·(Z+16) bytes;
 * R: entries·16 bytes; T: 16·max deg bytes. Writes the hard bits of variables 0..outN−1 to
 * outBits, the iterations run to outIter (i32) and 1 to outConv when all checks hold.
 */
export function qcLayeredDecode(
  llr: usize, nb: i32, mb: i32, Z: i32, tab: usize, deg: usize, entries: i32,
  scale: f32, maxIter: i32, earlyStop: i32, mode: i32, param: i32,
  P: usize, R: usize, T: usize, outBits: usize, outN: i32, outIter: usize, outConv: usize,
): void {
  const W = <usize>(Z + 16);
  for (let j = 0; j < nb; j++) {
    const B = P + <usize>j * W;
    const src = llr + ((<usize>j * <usize>Z) << 2);
    for (let x = 0; x < Z; x++) {
      let v: f32 = nearest<f32>(load<f32>(src + (<usize>x << 2)) * scale);
      v = max<f32>(-127.0, min<f32>(127.0, v));
      store<i8>(B + <usize>x, <i8><i32>v);
    }
    v128.store(B + <usize>Z, v128.load(B));
  }
  memory.fill(R, 0, <usize>entries << 4);
  let it = 0;
  let ok = false;
  while (true) {
    qcPass(P, R, T, tab, deg, mb, Z, mode, param);
    it++;
    if (earlyStop || it >= maxIter) {
      ok = qcSyndromeOk(P, tab, deg, mb, Z);
      if ((earlyStop && ok) || it >= maxIter) break;
    }
  }
  const zero = i8x16.splat(0);
  const one = i8x16.splat(1);
  for (let j = 0, v = 0; v < outN; j++) {
    const B = P + <usize>j * W;
    const end = min(Z, outN - v);
    let x = 0;
    for (; x + 16 <= end; x += 16) {
      v128.store(outBits + <usize>(v + x), v128.and(i8x16.lt_s(v128.load(B + <usize>x), zero), one));
    }
    for (; x < end; x++) store<u8>(outBits + <usize>(v + x), <u8>(load<i8>(B + <usize>x) < 0));
    v += end;
  }
  store<i32>(outIter, it);
  store<u8>(outConv, ok ? 1 : 0);
}
