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
 * copy of the first 16, so the 16 cyclically consecutive values from any offset o (0 ≤ o < Z)
 * are one contiguous v128 load at o, whatever the shift. Updates are one v128 store at o too:
 * within a block row every value is updated once, by the one row (lane) that touches it, and
 * read before that, so the copy may go stale during the block row. When it ends, each of its
 * block columns is repaired once ("fix-up"): the first 16 values are taken from the copy where
 * the row that updated them stored through the wrap (o + lane ≥ Z), else from the front, and
 * written to both places. The lane masks are precomputed per block row and column.
 * Rows past Z−1 in the last chunk (when 16 ∤ Z) alias rows of the first chunk: their messages are
 * forced to 0, so they store back exactly the bytes they loaded and change nothing.
 *
 * Tables (absolute addresses: the caller rebases them once for its P, so the loops add nothing):
 * `tab`: per block row b, per chunk c of 16 rows (i0 = 16c, ⌈Z/16⌉ chunks), per edge k of the
 * block row, the i32 address P + j·(Z+16) + (s + 16c) mod Z. `fix`: per block row, per edge,
 * 32 bytes: the i32 address P + j·(Z+16), 12 unused bytes, the 16-byte lane mask (0xff: take
 * the copy). `deg[b]`: edges per row of block row b. R: one v128 message per table entry.
 */

import { MSG_MAX, scaleRound } from './minsum';

/** Bytes per table entry (one i32 address). */
const ENTRY: usize = 4;

/** Bytes per fix-up record (address, padding, lane mask). */
const FIX: usize = 32;

/** Bytes per block column in P: Z values and the 16-value copy. */
// @ts-ignore: decorator
@inline
function stride(Z: i32): usize {
  return <usize>(Z + 16);
}

/** Byte lanes 0..15. */
// @ts-ignore: decorator
@inline
function iota(): v128 {
  return i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/** Lanes of the last 16-row chunk that are rows < Z (all lanes when 16 | Z). */
// @ts-ignore: decorator
@inline
function lastChunkMask(Z: i32): v128 {
  const nc = (Z + 15) >> 4;
  return i8x16.lt_s(iota(), i8x16.splat(<i8>(Z - ((nc - 1) << 4))));
}

/** Normalised (mode 0) or offset (mode 1) magnitude of a min, capped at MSG_MAX. */
// @ts-ignore: decorator
@inline
function shrink(x: v128, mode: i32, fq: v128): v128 {
  const y = mode == 0 ? scaleRound(x, fq) : i8x16.sub_sat_u(x, fq);
  return i8x16.min_u(y, i8x16.splat(MSG_MAX));
}

/**
 * Second half of one edge of a chunk: t = sat(P − R) again (P and R of an edge are unchanged
 * until this edge's own store), the new message (magnitude sm2 where |t| = min1, else sm1, both
 * already carrying the sign of the row's parity S; times the sign of t), then P and R.
 */
// @ts-ignore: decorator
@inline
function qcEdgeUpdate(q: usize, r: usize, min1: v128, sm1: v128, dsm: v128, masked: bool, mask: v128): void {
  const at = <usize>load<i32>(q);
  const t = i8x16.sub_sat_s(v128.load(at), v128.load(r));
  const m = v128.xor(sm1, v128.and(dsm, i8x16.eq(i8x16.abs(t), min1)));
  const neg = i8x16.lt_s(t, i8x16.splat(0));
  let msg = i8x16.sub(v128.xor(m, neg), neg);
  if (masked) msg = v128.and(msg, mask);
  v128.store(at, i8x16.add_sat_s(t, msg));
  v128.store(r, msg);
}

/**
 * One chunk (16 rows) of one block row: reads the d edges at tp (table of absolute addresses)
 * and rp (messages), updates P and R. `masked` (a constant at each call site): lanes outside
 * `mask` are rows past Z − 1 (aliases of the first chunk's rows), whose messages are forced to 0.
 */
// @ts-ignore: decorator
@inline
function qcChunk(tp: usize, rp: usize, d: i32, mode: i32, fq: v128, masked: bool, mask: v128): void {
  const zero = i8x16.splat(0);
  let min1 = i8x16.splat(127);
  let min2 = min1;
  let S = zero;
  let q = tp;
  let r = rp;
  let k = 0;
  for (; k + 2 <= d; k += 2) {
    const t0 = i8x16.sub_sat_s(v128.load(<usize>load<i32>(q)), v128.load(r));
    const t1 = i8x16.sub_sat_s(v128.load(<usize>load<i32>(q, ENTRY)), v128.load(r, 16));
    const a0 = i8x16.abs(t0);
    const a1 = i8x16.abs(t1);
    min2 = i8x16.min_u(min2, i8x16.max_u(min1, a0));
    min1 = i8x16.min_u(min1, a0);
    min2 = i8x16.min_u(min2, i8x16.max_u(min1, a1));
    min1 = i8x16.min_u(min1, a1);
    S = v128.xor(S, v128.xor(t0, t1));
    q += 2 * ENTRY;
    r += 32;
  }
  if (k < d) {
    const t = i8x16.sub_sat_s(v128.load(<usize>load<i32>(q)), v128.load(r));
    const a = i8x16.abs(t);
    min2 = i8x16.min_u(min2, i8x16.max_u(min1, a));
    min1 = i8x16.min_u(min1, a);
    S = v128.xor(S, t);
  }
  // Magnitudes with the sign of S applied once per chunk: sign(S·t)·x = sign(t)·(sign(S)·x).
  const sn = i8x16.lt_s(S, zero);
  const sm1 = i8x16.sub(v128.xor(shrink(min1, mode, fq), sn), sn);
  const dsm = v128.xor(sm1, i8x16.sub(v128.xor(shrink(min2, mode, fq), sn), sn));
  q = tp;
  r = rp;
  for (k = 0; k + 2 <= d; k += 2) {
    qcEdgeUpdate(q, r, min1, sm1, dsm, masked, mask);
    qcEdgeUpdate(q + ENTRY, r + 16, min1, sm1, dsm, masked, mask);
    q += 2 * ENTRY;
    r += 32;
  }
  if (k < d) qcEdgeUpdate(q, r, min1, sm1, dsm, masked, mask);
}

/** Repairs the front and the copy of the d block columns of one block row (see the file header). */
// @ts-ignore: decorator
@inline
function qcFixUp(fp: usize, d: i32, Z: i32): void {
  for (let k = 0; k < d; k++) {
    const B = <usize>load<i32>(fp);
    const merged = v128.bitselect(v128.load(B + <usize>Z), v128.load(B), v128.load(fp, 16));
    v128.store(B, merged);
    v128.store(B + <usize>Z, merged);
    fp += FIX;
  }
}

/** One layered iteration over all block rows: their chunks, then their fix-up. */
function qcPass(R: usize, tab: usize, fix: usize, deg: usize, mb: i32, Z: i32, mode: i32, param: i32): void {
  const fq = i8x16.splat(<i8>param);
  const last = lastChunkMask(Z);
  const nc = (Z + 15) >> 4;
  const partial = (Z & 15) != 0;
  let tp = tab;
  let rp = R;
  let fp = fix;
  for (let b = 0; b < mb; b++) {
    const d = load<i32>(deg + (<usize>b << 2));
    const tstep = <usize>d * ENTRY;
    const rstep = <usize>d << 4;
    for (let c = 0; c < nc - 1; c++) {
      qcChunk(tp, rp, d, mode, fq, false, last);
      tp += tstep;
      rp += rstep;
    }
    if (partial) qcChunk(tp, rp, d, mode, fq, true, last);
    else qcChunk(tp, rp, d, mode, fq, false, last);
    tp += tstep;
    rp += rstep;
    qcFixUp(fp, d, Z);
    fp += <usize>d * FIX;
  }
}

/** True when the hard decisions (sign bits of P) satisfy every check. */
function qcSyndromeOk(tab: usize, deg: usize, mb: i32, Z: i32): bool {
  const nc = (Z + 15) >> 4;
  const last = lastChunkMask(Z);
  let tp = tab;
  for (let b = 0; b < mb; b++) {
    const d = load<i32>(deg + (<usize>b << 2));
    for (let c = 0; c < nc; c++) {
      let x = i8x16.splat(0);
      for (let k = 0; k < d; k++) {
        x = v128.xor(x, v128.load(<usize>load<i32>(tp)));
        tp += ENTRY;
      }
      if (c == nc - 1) x = v128.and(x, last);
      if (i8x16.bitmask(x) != 0) return false;
    }
  }
  return true;
}

/**
 * Quantises 16 float32 LLRs at src into 16 i8 at dst: nearest (ties to even) of llr·scale,
 * clamped to ±127, as minsum.ts does. Clamping first changes nothing (the bounds are integers);
 * adding 1.5·2²³ then rounds to the nearest integer (ties to even) in the low mantissa bits.
 * (pmin/pmax: single instructions.) Returns the lanes of the 16 inputs that are NaN (x ≠ x),
 * OR-ed into 4 f32 lanes; ±Infinity saturates.
 */
// @ts-ignore: decorator
@inline
function quantise16(src: usize, dst: usize, scale: v128): v128 {
  const hi = f32x4.splat(127.0);
  const lo = f32x4.splat(-127.0);
  const magic = f32x4.splat(12582912.0);
  const bias = i32x4.splat(0x4b400000);
  const x0 = v128.load(src);
  const x1 = v128.load(src, 16);
  const x2 = v128.load(src, 32);
  const x3 = v128.load(src, 48);
  const q0 = i32x4.sub(f32x4.add(f32x4.pmax(f32x4.pmin(f32x4.mul(x0, scale), hi), lo), magic), bias);
  const q1 = i32x4.sub(f32x4.add(f32x4.pmax(f32x4.pmin(f32x4.mul(x1, scale), hi), lo), magic), bias);
  const q2 = i32x4.sub(f32x4.add(f32x4.pmax(f32x4.pmin(f32x4.mul(x2, scale), hi), lo), magic), bias);
  const q3 = i32x4.sub(f32x4.add(f32x4.pmax(f32x4.pmin(f32x4.mul(x3, scale), hi), lo), magic), bias);
  v128.store(dst, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3)));
  return v128.or(v128.or(f32x4.ne(x0, x0), f32x4.ne(x1, x1)), v128.or(f32x4.ne(x2, x2), f32x4.ne(x3, x3)));
}

/**
 * Decodes one frame of n = nb·Z float32 LLRs at `llr` (quantised as minsum.ts does: nearest of
 * llr·scale, clamped to ±127; Z ≥ 16). entries = Σ_b ⌈Z/16⌉·deg[b] table entries; P:
 * nb·(Z+16) bytes; R: entries·16 bytes. Writes the hard bits of variables 0..outN−1 to outBits,
 * the iterations run to outIter (i32) and 1 to outConv when all checks hold, and returns 0; or,
 * when an input LLR is NaN, returns 1 having written nothing to the outputs (firstNaN finds it).
 */
export function qcLayeredDecode(
  llr: usize, nb: i32, mb: i32, Z: i32, tab: usize, fix: usize, deg: usize, entries: i32,
  scale: f32, maxIter: i32, earlyStop: i32, mode: i32, param: i32,
  P: usize, R: usize, outBits: usize, outN: i32, outIter: usize, outConv: usize,
): i32 {
  const W = stride(Z);
  const sc = f32x4.splat(scale);
  let nan = i32x4.splat(0);
  for (let j = 0; j < nb; j++) {
    const B = P + <usize>j * W;
    const src = llr + ((<usize>j * <usize>Z) << 2);
    // 16 values per step; the last step ends at Z (overlapping the one before when 16 ∤ Z).
    for (let x = 0; ; x += 16) {
      const at = min(x, Z - 16);
      nan = v128.or(nan, quantise16(src + (<usize>at << 2), B + <usize>at, sc));
      if (at == Z - 16) break;
    }
    v128.store(B + <usize>Z, v128.load(B));
  }
  if (v128.any_true(nan)) return 1;
  memory.fill(R, 0, <usize>entries << 4);
  let it = 0;
  let ok = false;
  while (true) {
    qcPass(R, tab, fix, deg, mb, Z, mode, param);
    it++;
    if (earlyStop || it >= maxIter) {
      ok = qcSyndromeOk(tab, deg, mb, Z);
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
  return 0;
}
