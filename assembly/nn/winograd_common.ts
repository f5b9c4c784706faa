// What the two Winograd convolutions share (conv_winograd.ts: F(2×2, 3×3); conv_winograd4.ts:
// F(4×4, 3×3)): the packed layout of the transformed filters U[ξ] (gemm.ts's packed B, one matrix
// per ξ, PAD bytes apart), partial loads and stores of the last c mod 4 channels, reads of input
// pixels with zeros outside the image.

/** Bytes of one packed row of a GEMM panel (gemm.ts: NR = 16 floats). */
// @ts-ignore: decorator
@inline export const ROW_BYTES: usize = 64;
/**
 * Bytes added to the stride between the matrices of U, V and M: the transforms read or write
 * all of them at once, and 16 or 36 streams a multiple of 4 KiB apart share one L1 set (8 ways)
 * and alias in the store buffer; one cache line more spreads them over the sets.
 */
// @ts-ignore: decorator
@inline export const PAD: usize = 64;

/** Bytes between the packed matrices U[ξ] of k rows and nc columns. */
// @ts-ignore: decorator
@inline export function filterStride(k: i32, nc: i32): usize {
  return <usize>((nc + 15) >> 4) * <usize>k * ROW_BYTES + PAD;
}

/** The first `n` (1–3) floats at p in lanes 0…n−1, zero elsewhere. */
// @ts-ignore: decorator
@inline export function loadPartial(p: usize, n: i32): v128 {
  let v = v128.load32_zero(p);
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores lanes 0…n−1 of v at p (all four when n ≥ 4). */
// @ts-ignore: decorator
@inline export function storePartial(p: usize, v: v128, n: i32): void {
  if (n >= 4) { v128.store(p, v); return; }
  v128.store32_lane(p, v, 0);
  if (n > 1) v128.store32_lane(p, v, 1, 4);
  if (n > 2) v128.store32_lane(p, v, 2, 8);
}

/** Four channels (or `n` < 4) at p. */
// @ts-ignore: decorator
@inline export function loadN(p: usize, n: i32): v128 {
  return n >= 4 ? v128.load(p) : loadPartial(p, n);
}

/**
 * Stores U[ξ] values v of w's channel row r, columns q … q+nq−1, into packed matrix ξ (matrices
 * `mat` bytes apart from dst, k packed rows): unrotated at packed (row r, columns q…); rotated
 * (`flip`) at packed (rows q…, column r).
 */
// @ts-ignore: decorator
@inline export function storeU(dst: usize, mat: usize, xi: i32, k: i32, r: i32, q: i32, nq: i32, flip: bool, v: v128): void {
  const m = dst + <usize>xi * mat;
  if (!flip) {
    storePartial(m + (<usize>(q >> 4) * <usize>k + <usize>r) * ROW_BYTES + (<usize>(q & 15) << 2), v, nq);
    return;
  }
  const p = m + (<usize>(r >> 4) * <usize>k + <usize>q) * ROW_BYTES + (<usize>(r & 15) << 2);
  v128.store32_lane(p, v, 0);
  if (nq > 1) v128.store32_lane(p, v, 1, ROW_BYTES);
  if (nq > 2) v128.store32_lane(p, v, 2, 2 * ROW_BYTES);
  if (nq > 3) v128.store32_lane(p, v, 3, 3 * ROW_BYTES);
}

/** min(max(i, 0), n − 1): a row or column index clamped into the image (its value unused when outside). */
// @ts-ignore: decorator
@inline export function clampi(i: i32, n: i32): i32 {
  return min(max(i, 0), n - 1);
}

/** Whether index i lies in 0 … n−1. */
// @ts-ignore: decorator
@inline export function inside(i: i32, n: i32): bool {
  return <u32>i < <u32>n;
}

/** The nq (`full`: 4) channels at p (an in-image address); with `edge`, zeros unless `ok` (the pixel is inside). */
// @ts-ignore: decorator
@inline export function pix(full: bool, edge: bool, p: usize, ok: bool, nq: i32): v128 {
  const v = full ? v128.load(p) : loadPartial(p, nq);
  if (!edge) return v;
  return ok ? v : f32x4.splat(0);
}

/** Stores the nq (`full`: 4) lanes of v at p. */
// @ts-ignore: decorator
@inline export function put(full: bool, p: usize, v: v128, nq: i32): void {
  if (full) v128.store(p, v);
  else storePartial(p, v, nq);
}
