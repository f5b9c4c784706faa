// Winograd F(2×2, 3×3) convolution (stride 1, 3×3 filter, any padding) for NHWC images: the
// transforms around 16 independent GEMMs (src/kernels/conv/winograd.ts runs them):
//   winogradFilter     U[ξ] = G g Gᵀ for every (input, output) channel pair, written straight
//                      into the packed-B layout of gemm.ts (one packed K×N matrix per ξ = 4·i + j);
//   winogradInput      V[ξ][t][c] = (Bᵀ d B)[i][j] for every 4×4 input tile d of output tile t;
//   winogradOutput     out = Aᵀ M A for every tile, M[ξ] = V[ξ]·U[ξ] (edge tiles cropped);
//   winogradGradOut,   the filter gradient: Ŷ = A dy Aᵀ per tile (packed for the GEMM), and
//   winogradFilterGrad dW = Gᵀ Z G from Z[ξ] = V[ξ]ᵀ·Ŷ[ξ].
// Output tile t = (b·th + ty)·tw + tx covers output pixels (2ty…2ty+1, 2tx…2tx+1) and reads
// input rows 2ty − pt … 2ty − pt + 3 and columns 2tx − pl … 2tx − pl + 3 (zero outside).
// All work on 4 channels at a time (SIMD over the innermost NHWC axis), with partial vectors
// for the last c mod 4 channels. Tiles (and rows of the filter) are independent, so the TS side
// splits every step over threads by them (bit-identical).
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
//   Aᵀ = [1 1 1 0; 0 1 −1 −1].
import { madd } from './madd';
import { clampi, filterStride, inside, loadN, pix, put, ROW_BYTES, storePartial, storeU } from './winograd_common';

// ---- filter ----------------------------------------------------------------------------------

/**
 * Packed Winograd filters for a GEMM with B (k×nc) per ξ: dst holds 16 packed matrices
 * ([ceil(nc/16)][k][16] floats each, zero-padded; matrix ξ at dst + ξ·(ceil(nc/16)·k·64 + 64) bytes),
 * U[ξ] = (G g Gᵀ)[ξ] of the filter w [3][3][ci][co].
 *   rotated = 0: the forward conv, k = ci, nc = co, g(r, q) = w[·][·][r][q];
 *   rotated = 1: the input gradient's conv of dy with the filter rotated by 180°, ci and co
 *                swapped: k = co, nc = ci, g'(q, r)[kh][kw] = w[2−kh][2−kw][r][q].
 * Rows r0 … r0+rows−1 of w's ci axis only (for splitting over threads; dst is zero-filled by
 * the caller, once).
 */
export function winogradFilter(w: usize, ci: i32, co: i32, rotated: i32, r0: i32, rows: i32, dst: usize): void {
  const k = rotated != 0 ? co : ci;
  const nc = rotated != 0 ? ci : co;
  const mat = filterStride(k, nc);
  const tap = <usize>ci * <usize>co << 2;
  const half = f32x4.splat(0.5);
  const nhalf = f32x4.splat(-0.5);
  if (rotated == 0) {
    // Blocks of 16 columns of w (one packed panel) outside, rows inside: each matrix ξ is
    // written along its rows, not k·64 bytes apart every 4 columns (TLB misses at 512 channels).
    for (let q0 = 0; q0 < co; q0 += 16) {
      for (let r = r0; r < r0 + rows; r++) {
        for (let q = q0; q < min(co, q0 + 16); q += 4) filterVec(false, w, co, tap, r, q, min(4, co - q), dst, mat, k, half, nhalf);
      }
    }
    return;
  }
  // Rotated: packed rows are w's columns q, packed columns its rows r. Blocks of 16 rows (one
  // panel) outside, columns in order inside: the lanes written fill whole 64-byte rows in order.
  for (let rb = r0; rb < r0 + rows; rb += 16) {
    for (let q = 0; q < co; q += 4) {
      for (let r = rb; r < min(r0 + rows, rb + 16); r++) filterVec(true, w, co, tap, r, q, min(4, co - q), dst, mat, k, half, nhalf);
    }
  }
}

/** U of w's row r, columns q … q+nq−1 (all 16 ξ) into the packed matrices (see winogradFilter). */
// @ts-ignore: decorator
@inline
function filterVec(
  flip: bool, w: usize, co: i32, tap: usize, r: i32, q: i32, nq: i32, dst: usize, mat: usize, k: i32, half: v128, nhalf: v128,
): void {
  const p = w + ((<usize>r * <usize>co + <usize>q) << 2);
  // Taps in reading order (rotated: the 180° turn, tap 8 − t).
  const g0 = loadN(p + (flip ? 8 : 0) * tap, nq), g1 = loadN(p + (flip ? 7 : 1) * tap, nq), g2 = loadN(p + (flip ? 6 : 2) * tap, nq);
  const g3 = loadN(p + (flip ? 5 : 3) * tap, nq), g4 = loadN(p + 4 * tap, nq), g5 = loadN(p + (flip ? 3 : 5) * tap, nq);
  const g6 = loadN(p + (flip ? 2 : 6) * tap, nq), g7 = loadN(p + (flip ? 1 : 7) * tap, nq), g8 = loadN(p + (flip ? 0 : 8) * tap, nq);
  // G along kh (per kw column), then along kw (per row i): 4 rows × 4 columns.
  const s0 = f32x4.mul(f32x4.add(g0, g6), half), s1 = f32x4.mul(f32x4.add(g1, g7), half), s2 = f32x4.mul(f32x4.add(g2, g8), half);
  const a10 = madd(g3, half, s0), a11 = madd(g4, half, s1), a12 = madd(g5, half, s2);
  const a20 = madd(g3, nhalf, s0), a21 = madd(g4, nhalf, s1), a22 = madd(g5, nhalf, s2);
  // Row i of U from the row's three kw values, stored as ξ = 4i … 4i+3.
  storeFilterRow(g0, g1, g2, 0, half, nhalf, dst, mat, k, r, q, nq, flip);
  storeFilterRow(a10, a11, a12, 1, half, nhalf, dst, mat, k, r, q, nq, flip);
  storeFilterRow(a20, a21, a22, 2, half, nhalf, dst, mat, k, r, q, nq, flip);
  storeFilterRow(g6, g7, g8, 3, half, nhalf, dst, mat, k, r, q, nq, flip);
}

/** G along kw of one row i (x0, x1, x2 → 4 values) and their stores as ξ = 4i … 4i+3. */
// @ts-ignore: decorator
@inline
function storeFilterRow(
  x0: v128, x1: v128, x2: v128, i: i32, half: v128, nhalf: v128, dst: usize, mat: usize, k: i32, r: i32, q: i32, nq: i32,
  flip: bool,
): void {
  const s = f32x4.mul(f32x4.add(x0, x2), half);
  storeU(dst, mat, 4 * i, k, r, q, nq, flip, x0);
  storeU(dst, mat, 4 * i + 1, k, r, q, nq, flip, madd(x1, half, s));
  storeU(dst, mat, 4 * i + 2, k, r, q, nq, flip, madd(x1, nhalf, s));
  storeU(dst, mat, 4 * i + 3, k, r, q, nq, flip, x2);
}

// ---- input -----------------------------------------------------------------------------------

/**
 * V[ξ][t − t0][c] (at dst; matrix ξ at dst + ξ·ldm·4 bytes, rows of c floats) = (Bᵀ d B)[ξ] of
 * the 4×4 input tile d of output tiles t = t0 … t0+count−1 (count·c ≤ ldm), from x [n][h][w][c]
 * read with padding (pt, pl); th × tw tiles per image.
 */
export function winogradInput(
  x: usize, h: i32, w: i32, c: i32, pt: i32, pl: i32, th: i32, tw: i32, ldm: i32, t0: i32, count: i32, dst: usize,
): void {
  const per = th * tw;
  const cb = <usize>c << 2;
  const mat = <usize>ldm << 2;
  const zero = f32x4.splat(0);
  for (let t = t0; t < t0 + count; t++) {
    const b = t / per;
    const ty = (t - b * per) / tw;
    const tx = t - b * per - ty * tw;
    const iy0 = 2 * ty - pt;
    const ix0 = 2 * tx - pl;
    const img = x + <usize>b * <usize>h * <usize>w * cb;
    // Per row and column of the tile: clamped address and whether it lies inside the image.
    const r0 = img + <usize>clampi(iy0, h) * <usize>w * cb, r1 = img + <usize>clampi(iy0 + 1, h) * <usize>w * cb;
    const r2 = img + <usize>clampi(iy0 + 2, h) * <usize>w * cb, r3 = img + <usize>clampi(iy0 + 3, h) * <usize>w * cb;
    const v0 = inside(iy0, h), v1 = inside(iy0 + 1, h), v2 = inside(iy0 + 2, h), v3 = inside(iy0 + 3, h);
    const c0 = <usize>clampi(ix0, w) * cb, c1 = <usize>clampi(ix0 + 1, w) * cb;
    const c2 = <usize>clampi(ix0 + 2, w) * cb, c3 = <usize>clampi(ix0 + 3, w) * cb;
    const u0 = inside(ix0, w), u1 = inside(ix0 + 1, w), u2 = inside(ix0 + 2, w), u3 = inside(ix0 + 3, w);
    const all = v0 && v1 && v2 && v3 && u0 && u1 && u2 && u3;
    const o = dst + <usize>(t - t0) * cb;
    // Four variants of one body (constant flags fold away): full vectors or the last c mod 4
    // channels, tiles inside the image or meeting its border (zeros read through selects).
    const c4 = c & ~3;
    if (all) {
      for (let q = 0; q < c4; q += 4) {
        inputVec(true, false, r0, r1, r2, r3, c0, c1, c2, c3, v0, v1, v2, v3, u0, u1, u2, u3, q, o, mat, 4);
      }
      if (c4 < c) inputVec(false, false, r0, r1, r2, r3, c0, c1, c2, c3, v0, v1, v2, v3, u0, u1, u2, u3, c4, o, mat, c - c4);
    } else {
      for (let q = 0; q < c4; q += 4) {
        inputVec(true, true, r0, r1, r2, r3, c0, c1, c2, c3, v0, v1, v2, v3, u0, u1, u2, u3, q, o, mat, 4);
      }
      if (c4 < c) inputVec(false, true, r0, r1, r2, r3, c0, c1, c2, c3, v0, v1, v2, v3, u0, u1, u2, u3, c4, o, mat, c - c4);
    }
  }
}

/**
 * Bᵀ d B of channels q … q+nq−1 of one tile: d from rows r0…r3 (addresses) and columns c0…c3
 * (byte offsets), zero where row i or column j lies outside (vi, uj false) when `edge`; V rows at
 * o + q·4 (+ ξ·mat). `full`: nq = 4.
 */
// @ts-ignore: decorator
@inline
function inputVec(
  full: bool, edge: bool, r0: usize, r1: usize, r2: usize, r3: usize, c0: usize, c1: usize, c2: usize, c3: usize,
  v0: bool, v1: bool, v2: bool, v3: bool, u0: bool, u1: bool, u2: bool, u3: bool, q: i32, o: usize, mat: usize, nq: i32,
): void {
  const qb = <usize>q << 2;
  const oq = o + qb;
  // Rows 1 and 2 of d (each used by three rows of Bᵀd), then rows 0 and 3.
  const d10 = pix(full, edge, r1 + c0 + qb, v1 && u0, nq), d11 = pix(full, edge, r1 + c1 + qb, v1 && u1, nq);
  const d12 = pix(full, edge, r1 + c2 + qb, v1 && u2, nq), d13 = pix(full, edge, r1 + c3 + qb, v1 && u3, nq);
  const d20 = pix(full, edge, r2 + c0 + qb, v2 && u0, nq), d21 = pix(full, edge, r2 + c1 + qb, v2 && u1, nq);
  const d22 = pix(full, edge, r2 + c2 + qb, v2 && u2, nq), d23 = pix(full, edge, r2 + c3 + qb, v2 && u3, nq);
  // Rows 1 and 2 of Bᵀd: d1 + d2 and d2 − d1; row 0: d0 − d2; row 3: d1 − d3.
  storeInputRow(full, f32x4.add(d10, d20), f32x4.add(d11, d21), f32x4.add(d12, d22), f32x4.add(d13, d23), oq + mat * 4, mat, nq);
  storeInputRow(full, f32x4.sub(d20, d10), f32x4.sub(d21, d11), f32x4.sub(d22, d12), f32x4.sub(d23, d13), oq + mat * 8, mat, nq);
  const d00 = pix(full, edge, r0 + c0 + qb, v0 && u0, nq), d01 = pix(full, edge, r0 + c1 + qb, v0 && u1, nq);
  const d02 = pix(full, edge, r0 + c2 + qb, v0 && u2, nq), d03 = pix(full, edge, r0 + c3 + qb, v0 && u3, nq);
  storeInputRow(full, f32x4.sub(d00, d20), f32x4.sub(d01, d21), f32x4.sub(d02, d22), f32x4.sub(d03, d23), oq, mat, nq);
  const d30 = pix(full, edge, r3 + c0 + qb, v3 && u0, nq), d31 = pix(full, edge, r3 + c1 + qb, v3 && u1, nq);
  const d32 = pix(full, edge, r3 + c2 + qb, v3 && u2, nq), d33 = pix(full, edge, r3 + c3 + qb, v3 && u3, nq);
  storeInputRow(full, f32x4.sub(d10, d30), f32x4.sub(d11, d31), f32x4.sub(d12, d32), f32x4.sub(d13, d33), oq + mat * 12, mat, nq);
}

/** Bᵀ-transformed row (e0 … e3) times B: stores ξ = 4i … 4i+3 at o, o + mat, o + 2mat, o + 3mat. */
// @ts-ignore: decorator
@inline
function storeInputRow(full: bool, e0: v128, e1: v128, e2: v128, e3: v128, o: usize, mat: usize, nq: i32): void {
  put(full, o, f32x4.sub(e0, e2), nq);
  put(full, o + mat, f32x4.add(e1, e2), nq);
  put(full, o + 2 * mat, f32x4.sub(e2, e1), nq);
  put(full, o + 3 * mat, f32x4.sub(e1, e3), nq);
}

// ---- output ----------------------------------------------------------------------------------

/**
 * out [n][oh][ow][co] pixels of output tiles t0 … t0+count−1 = Aᵀ M A, where M[ξ][t − t0][co]
 * (matrix ξ at m + ξ·ldm·4 bytes) are the GEMM products; pixels past oh or ow are not written.
 */
export function winogradOutput(
  m: usize, co: i32, oh: i32, ow: i32, th: i32, tw: i32, ldm: i32, t0: i32, count: i32, out: usize,
): void {
  const per = th * tw;
  const cb = <usize>co << 2;
  const mat = <usize>ldm << 2;
  for (let t = t0; t < t0 + count; t++) {
    const b = t / per;
    const ty = (t - b * per) / tw;
    const tx = t - b * per - ty * tw;
    const oy = 2 * ty;
    const ox = 2 * tx;
    const down = oy + 1 < oh;
    const right = ox + 1 < ow;
    const o = out + (<usize>(b * oh + oy) * <usize>ow + <usize>ox) * cb;
    const rowStep = <usize>ow * cb;
    const sm = m + <usize>(t - t0) * cb;
    const c4 = co & ~3;
    for (let q = 0; q < c4; q += 4) outputVec(true, sm, o, q, mat, rowStep, cb, right, down, 4);
    if (c4 < co) outputVec(false, sm, o, c4, mat, rowStep, cb, right, down, co - c4);
  }
}

/**
 * Aᵀ M A of channels q … q+nq−1 (`full`: nq = 4) of one tile: M rows at sm + q·4 (+ ξ·mat),
 * pixels at o + q·4 (right: + cb, down: + rowStep), the right column and lower row only if inside.
 */
// @ts-ignore: decorator
@inline
function outputVec(full: bool, sm: usize, o: usize, q: i32, mat: usize, rowStep: usize, cb: usize, right: bool, down: bool, nq: i32): void {
  const qb = <usize>q << 2;
  const s = sm + qb;
  const p = o + qb;
  // Aᵀ along i per column j: rows x = m0 + m1 + m2 and z = m1 − m2 − m3 (m_i = row i, ξ = 4i + j).
  const a0 = pix(full, false, s, true, nq), a1 = pix(full, false, s + mat, true, nq);
  const a2 = pix(full, false, s + 2 * mat, true, nq), a3 = pix(full, false, s + 3 * mat, true, nq);
  const b0 = pix(full, false, s + 4 * mat, true, nq), b1 = pix(full, false, s + 5 * mat, true, nq);
  const b2 = pix(full, false, s + 6 * mat, true, nq), b3 = pix(full, false, s + 7 * mat, true, nq);
  const e0 = pix(full, false, s + 8 * mat, true, nq), e1 = pix(full, false, s + 9 * mat, true, nq);
  const e2 = pix(full, false, s + 10 * mat, true, nq), e3 = pix(full, false, s + 11 * mat, true, nq);
  const x0 = f32x4.add(f32x4.add(a0, b0), e0), x1 = f32x4.add(f32x4.add(a1, b1), e1);
  const x2 = f32x4.add(f32x4.add(a2, b2), e2), x3 = f32x4.add(f32x4.add(a3, b3), e3);
  put(full, p, f32x4.add(f32x4.add(x0, x1), x2), nq);
  if (right) put(full, p + cb, f32x4.sub(f32x4.sub(x1, x2), x3), nq);
  if (down) {
    const f0 = pix(full, false, s + 12 * mat, true, nq), f1 = pix(full, false, s + 13 * mat, true, nq);
    const f2 = pix(full, false, s + 14 * mat, true, nq), f3 = pix(full, false, s + 15 * mat, true, nq);
    const z0 = f32x4.sub(f32x4.sub(b0, e0), f0), z1 = f32x4.sub(f32x4.sub(b1, e1), f1);
    const z2 = f32x4.sub(f32x4.sub(b2, e2), f2), z3 = f32x4.sub(f32x4.sub(b3, e3), f3);
    put(full, p + rowStep, f32x4.add(f32x4.add(z0, z1), z2), nq);
    if (right) put(full, p + rowStep + cb, f32x4.sub(f32x4.sub(z1, z2), z3), nq);
  }
}

// ---- filter gradient -------------------------------------------------------------------------
// dW = Gᵀ Z G with Z[ξ] (ci × co) = Σ_t V[ξ][t]ᵀ Ŷ[ξ][t], V the input transform of the forward
// pass and Ŷ = A dy Aᵀ the adjoint of its output transform on each 2×2 tile of dy (zero past
// oh, ow): the GEMMs reduce over tiles. A = Aᵀᵀ = [1 0; 1 1; 1 −1; 0 −1].

/**
 * Ŷ[ξ] = (A dy Aᵀ)[ξ] of output tiles t0 … t0+count−1 of dy [n][oh][ow][co], written as rows t
 * of 16 packed B matrices for a GEMM of k = ldk rows and co columns ([ceil(co/16)][ldk][16]
 * floats each, matrix ξ at dst + ξ·(ceil(co/16)·ldk·64 + 64) bytes); panel columns past co are
 * written as zeros.
 */
export function winogradGradOut(
  dy: usize, oh: i32, ow: i32, co: i32, th: i32, tw: i32, ldk: i32, t0: i32, count: i32, dst: usize,
): void {
  const per = th * tw;
  const cb = <usize>co << 2;
  const mat = filterStride(ldk, co);
  const panel = <usize>ldk * ROW_BYTES;
  const cp = (co + 15) & ~15;
  for (let t = t0; t < t0 + count; t++) {
    const b = t / per;
    const ty = (t - b * per) / tw;
    const tx = t - b * per - ty * tw;
    const oy = 2 * ty;
    const ox = 2 * tx;
    const down = oy + 1 < oh;
    const right = ox + 1 < ow;
    const p = dy + (<usize>(b * oh + oy) * <usize>ow + <usize>ox) * cb;
    const rowStep = <usize>ow * cb;
    const row = dst + <usize>t * ROW_BYTES;
    for (let q = 0; q < cp; q += 4) {
      const nq = min(4, co - q);
      const qb = <usize>q << 2;
      // dY = [a b; c d] (zero outside dy or past co); along rows (A·dY): (a, b), (a + c, b + d),
      // (a − c, b − d), (−c, −d); then along columns: (p, q) → (p, p + q, p − q, −q).
      let a = f32x4.splat(0), bb = a, c = a, d = a;
      if (nq > 0) {
        a = loadN(p + qb, nq);
        if (right) bb = loadN(p + cb + qb, nq);
        if (down) c = loadN(p + rowStep + qb, nq);
        if (down && right) d = loadN(p + rowStep + cb + qb, nq);
      }
      const o = row + <usize>(q >> 4) * panel + (<usize>(q & 15) << 2);
      storeGradRow(a, bb, o, mat);
      storeGradRow(f32x4.add(a, c), f32x4.add(bb, d), o + 4 * mat, mat);
      storeGradRow(f32x4.sub(a, c), f32x4.sub(bb, d), o + 8 * mat, mat);
      storeGradRow(f32x4.neg(c), f32x4.neg(d), o + 12 * mat, mat);
    }
  }
}

/** (p, q) → (p, p + q, p − q, −q) as ξ = 4i … 4i+3 at o, o + mat, o + 2mat, o + 3mat. */
// @ts-ignore: decorator
@inline
function storeGradRow(p: v128, q: v128, o: usize, mat: usize): void {
  v128.store(o, p);
  v128.store(o + mat, f32x4.add(p, q));
  v128.store(o + 2 * mat, f32x4.sub(p, q));
  v128.store(o + 3 * mat, f32x4.neg(q));
}

/**
 * dW [3][3][ci][co] rows r0 … r0+rows−1 of ci = Gᵀ Z G, Z[ξ] (ci × co, rows of co floats) at
 * z + ξ·ldz·4 bytes. Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1].
 */
export function winogradFilterGrad(z: usize, ci: i32, co: i32, ldz: i32, r0: i32, rows: i32, dw: usize): void {
  const mat = <usize>ldz << 2;
  const tap = <usize>ci * <usize>co << 2;
  const half = f32x4.splat(0.5);
  const nhalf = f32x4.splat(-0.5);
  for (let r = r0; r < r0 + rows; r++) {
    for (let q = 0; q < co; q += 4) {
      const nq = min(4, co - q);
      const off = (<usize>r * <usize>co + <usize>q) << 2;
      const s = z + off;
      // Z[i][j] = matrix 4i + j. Gᵀ along i per column j (t[k][j]), then along j per row kh.
      for (let kh = 0; kh < 3; kh++) {
        const t0 = gtRow(loadN(s, nq), loadN(s + 4 * mat, nq), loadN(s + 8 * mat, nq), loadN(s + 12 * mat, nq), kh, half, nhalf);
        const t1 = gtRow(loadN(s + mat, nq), loadN(s + 5 * mat, nq), loadN(s + 9 * mat, nq), loadN(s + 13 * mat, nq), kh, half, nhalf);
        const t2 = gtRow(loadN(s + 2 * mat, nq), loadN(s + 6 * mat, nq), loadN(s + 10 * mat, nq), loadN(s + 14 * mat, nq), kh, half, nhalf);
        const t3 = gtRow(loadN(s + 3 * mat, nq), loadN(s + 7 * mat, nq), loadN(s + 11 * mat, nq), loadN(s + 15 * mat, nq), kh, half, nhalf);
        const o = dw + off + <usize>(3 * kh) * tap;
        storePartial(o, gtRow(t0, t1, t2, t3, 0, half, nhalf), nq);
        storePartial(o + tap, gtRow(t0, t1, t2, t3, 1, half, nhalf), nq);
        storePartial(o + 2 * tap, gtRow(t0, t1, t2, t3, 2, half, nhalf), nq);
      }
    }
  }
}

/** Row k (0–2) of Gᵀ times (z0, z1, z2, z3): z0 + ½(z1 + z2), ½(z1 − z2), ½(z1 + z2) + z3. */
// @ts-ignore: decorator
@inline
function gtRow(z0: v128, z1: v128, z2: v128, z3: v128, k: i32, half: v128, nhalf: v128): v128 {
  if (k == 1) return madd(z2, nhalf, f32x4.mul(z1, half));
  const s = f32x4.mul(f32x4.add(z1, z2), half);
  return k == 0 ? f32x4.add(z0, s) : f32x4.add(s, z3);
}
