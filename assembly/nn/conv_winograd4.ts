// Winograd F(4×4, 3×3) convolution (stride 1, 3×3 filter, any padding) for NHWC images: the
// transforms around 36 independent GEMMs (src/kernels/conv/winograd.ts runs them, as for
// F(2×2, 3×3) in conv_winograd.ts, whose layouts these kernels share):
//   winograd4Filter    U[ξ] = G g Gᵀ (6×6) for every (input, output) channel pair, written
//                      straight into the packed-B layout of gemm.ts (one matrix per ξ = 6·i + j);
//   winograd4Input     V[ξ][t][c] = (Bᵀ d B)[i][j] for every 6×6 input tile d of output tile t;
//   winograd4Output    out = Aᵀ M A (4×4 pixels) for every tile, M[ξ] = V[ξ]·U[ξ] (edge tiles
//                      cropped);
//   winograd4Tiles     all of the forward conv on a block of tiles that stays in cache;
//   winograd4GradOut,  the filter gradient: Ŷ = A dy Aᵀ per tile (packed for the GEMM), and
//   winograd4FilterGrad dW = Gᵀ Z G from Z[ξ] = V[ξ]ᵀ·Ŷ[ξ].
// 36·ci·co multiplies per 16 output pixels instead of 144·ci·co: 4× fewer (F(2×2, 3×3): 2.25×),
// for larger transforms and rounding errors (the interpolation points 0, ±1, ±2, ∞; Lavin and
// Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
// Output tile t = (b·th + ty)·tw + tx covers output pixels (4ty…4ty+3, 4tx…4tx+3) and reads
// input rows 4ty − pt … 4ty − pt + 5 and columns 4tx − pl … 4tx − pl + 5 (zero outside).
// Each transform runs along one axis of the 6×6 tile and then along the other, writing its
// first pass into the rows of V (or M) that its second pass reads. Everything works on 4
// channels at a time (SIMD over NHWC's innermost axis). Tiles and filter rows are independent:
// the TS side splits every step over threads by them (bit-identical).
//   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1],
//   G  = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1],
//   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
import { madd } from './madd';
import { gemm } from './gemm';
import { clampi, filterStride, inside, loadN, pix, put, ROW_BYTES, storePartial, storeU } from './winograd_common';

/** Transformed values per tile: ξ = 6i + j. */
// @ts-ignore: decorator
@inline const XI: i32 = 36;

// ---- filter ----------------------------------------------------------------------------------

/**
 * Packed Winograd filters for a GEMM with B (k×nc) per ξ: dst holds 36 packed matrices (the
 * layout of conv_winograd.ts's winogradFilter, matrix ξ at dst + ξ·filterStride(k, nc) bytes),
 * U[ξ] = (G g Gᵀ)[ξ] of the filter w [3][3][ci][co]; `rotated` as there (0: forward, k = ci;
 * 1: the input gradient's conv, filter turned by 180°, k = co). Rows r0 … r0+rows−1 of w's ci
 * axis only (dst zero-filled by the caller, once).
 */
export function winograd4Filter(w: usize, ci: i32, co: i32, rotated: i32, r0: i32, rows: i32, dst: usize): void {
  const k = rotated != 0 ? co : ci;
  const nc = rotated != 0 ? ci : co;
  const mat = filterStride(k, nc);
  const tap = <usize>ci * <usize>co << 2;
  if (rotated == 0) {
    // Panels of 16 columns outside, rows inside (as winogradFilter: matrices written along rows).
    for (let q0 = 0; q0 < co; q0 += 16) {
      for (let r = r0; r < r0 + rows; r++) {
        for (let q = q0; q < min(co, q0 + 16); q += 4) filterVec4(false, w, co, tap, r, q, min(4, co - q), dst, mat, k);
      }
    }
    return;
  }
  for (let rb = r0; rb < r0 + rows; rb += 16) {
    for (let q = 0; q < co; q += 4) {
      for (let r = rb; r < min(r0 + rows, rb + 16); r++) filterVec4(true, w, co, tap, r, q, min(4, co - q), dst, mat, k);
    }
  }
}

/** Row i (0–5) of G times (x0, x1, x2); i is a constant at every call, so the branches fold. */
// @ts-ignore: decorator
@inline
function gAt(x0: v128, x1: v128, x2: v128, i: i32): v128 {
  if (i == 0) return f32x4.mul(x0, f32x4.splat(0.25));
  if (i == 5) return x2;
  if (i <= 2) {
    // −(x0 + x2)/6 ∓ x1/6
    const a = f32x4.mul(f32x4.add(x0, x2), f32x4.splat(-1.0 / 6.0));
    return madd(x1, f32x4.splat(i == 1 ? -1.0 / 6.0 : 1.0 / 6.0), a);
  }
  // x0/24 + x2/6 ± x1/12
  const s = madd(x0, f32x4.splat(1.0 / 24.0), f32x4.mul(x2, f32x4.splat(1.0 / 6.0)));
  return madd(x1, f32x4.splat(i == 3 ? 1.0 / 12.0 : -1.0 / 12.0), s);
}

/** U of w's row r, columns q … q+nq−1 (all 36 ξ) into the packed matrices (see winograd4Filter). */
// @ts-ignore: decorator
@inline
function filterVec4(flip: bool, w: usize, co: i32, tap: usize, r: i32, q: i32, nq: i32, dst: usize, mat: usize, k: i32): void {
  const p = w + ((<usize>r * <usize>co + <usize>q) << 2);
  // Taps in reading order (rotated: the 180° turn, tap 8 − t).
  const g0 = loadN(p + (flip ? 8 : 0) * tap, nq), g1 = loadN(p + (flip ? 7 : 1) * tap, nq), g2 = loadN(p + (flip ? 6 : 2) * tap, nq);
  const g3 = loadN(p + (flip ? 5 : 3) * tap, nq), g4 = loadN(p + 4 * tap, nq), g5 = loadN(p + (flip ? 3 : 5) * tap, nq);
  const g6 = loadN(p + (flip ? 2 : 6) * tap, nq), g7 = loadN(p + (flip ? 1 : 7) * tap, nq), g8 = loadN(p + (flip ? 0 : 8) * tap, nq);
  // G along kh (per kw column) gives row i of G g; G along kw then gives U[6i … 6i+5].
  filterRow4(gAt(g0, g3, g6, 0), gAt(g1, g4, g7, 0), gAt(g2, g5, g8, 0), 0, dst, mat, k, r, q, nq, flip);
  filterRow4(gAt(g0, g3, g6, 1), gAt(g1, g4, g7, 1), gAt(g2, g5, g8, 1), 1, dst, mat, k, r, q, nq, flip);
  filterRow4(gAt(g0, g3, g6, 2), gAt(g1, g4, g7, 2), gAt(g2, g5, g8, 2), 2, dst, mat, k, r, q, nq, flip);
  filterRow4(gAt(g0, g3, g6, 3), gAt(g1, g4, g7, 3), gAt(g2, g5, g8, 3), 3, dst, mat, k, r, q, nq, flip);
  filterRow4(gAt(g0, g3, g6, 4), gAt(g1, g4, g7, 4), gAt(g2, g5, g8, 4), 4, dst, mat, k, r, q, nq, flip);
  filterRow4(g6, g7, g8, 5, dst, mat, k, r, q, nq, flip);
}

/** G along kw of row i of G g (x0, x1, x2 → 6 values), stored as ξ = 6i … 6i+5. */
// @ts-ignore: decorator
@inline
function filterRow4(x0: v128, x1: v128, x2: v128, i: i32, dst: usize, mat: usize, k: i32, r: i32, q: i32, nq: i32, flip: bool): void {
  storeU(dst, mat, 6 * i, k, r, q, nq, flip, gAt(x0, x1, x2, 0));
  storeU(dst, mat, 6 * i + 1, k, r, q, nq, flip, gAt(x0, x1, x2, 1));
  storeU(dst, mat, 6 * i + 2, k, r, q, nq, flip, gAt(x0, x1, x2, 2));
  storeU(dst, mat, 6 * i + 3, k, r, q, nq, flip, gAt(x0, x1, x2, 3));
  storeU(dst, mat, 6 * i + 4, k, r, q, nq, flip, gAt(x0, x1, x2, 4));
  storeU(dst, mat, 6 * i + 5, k, r, q, nq, flip, x2);
}

// ---- input -----------------------------------------------------------------------------------

/**
 * V[ξ][t − t0][c] (at dst; matrix ξ at dst + ξ·ldm·4 bytes, rows of c floats) = (Bᵀ d B)[ξ] of
 * the 6×6 input tile d of output tiles t = t0 … t0+count−1 (count·c ≤ ldm), from x [n][h][w][c]
 * read with padding (pt, pl); th × tw tiles per image. Per tile: Bᵀ along each column j of d
 * into V[6i + j], then B along each row i of those, in place.
 */
export function winograd4Input(
  x: usize, h: i32, w: i32, c: i32, pt: i32, pl: i32, th: i32, tw: i32, ldm: i32, t0: i32, count: i32, dst: usize,
): void {
  const per = th * tw;
  const cb = <usize>c << 2;
  const mat = <usize>ldm << 2;
  const rowBytes = <usize>w * cb;
  for (let t = t0; t < t0 + count; t++) {
    const b = t / per;
    const ty = (t - b * per) / tw;
    const tx = t - b * per - ty * tw;
    const iy = 4 * ty - pt;
    const ix = 4 * tx - pl;
    const img = x + <usize>b * <usize>h * rowBytes;
    const o = dst + <usize>(t - t0) * cb;
    // Tiles inside the image read straight; those meeting its border read zeros through selects
    // (constant flags fold away).
    const edge = !(iy >= 0 && iy + 6 <= h && ix >= 0 && ix + 6 <= w);
    for (let j = 0; j < 6; j++) {
      const col = ix + j;
      const cj = img + <usize>clampi(col, w) * cb;
      const uj = inside(col, w);
      // Column j's six pixels: addresses (clamped into the image) and whether each is inside.
      const a0 = cj + <usize>clampi(iy, h) * rowBytes, a1 = cj + <usize>clampi(iy + 1, h) * rowBytes;
      const a2 = cj + <usize>clampi(iy + 2, h) * rowBytes, a3 = cj + <usize>clampi(iy + 3, h) * rowBytes;
      const a4 = cj + <usize>clampi(iy + 4, h) * rowBytes, a5 = cj + <usize>clampi(iy + 5, h) * rowBytes;
      const k0 = uj && inside(iy, h), k1 = uj && inside(iy + 1, h), k2 = uj && inside(iy + 2, h);
      const k3 = uj && inside(iy + 3, h), k4 = uj && inside(iy + 4, h), k5 = uj && inside(iy + 5, h);
      const oj = o + <usize>j * mat;
      if (edge) inputColumn(true, a0, a1, a2, a3, a4, a5, k0, k1, k2, k3, k4, k5, c, oj, 6 * mat);
      else inputColumn(false, a0, a1, a2, a3, a4, a5, k0, k1, k2, k3, k4, k5, c, oj, 6 * mat);
    }
    for (let i = 0; i < 6; i++) {
      const p = o + <usize>(6 * i) * mat;
      inputColumn(false, p, p + mat, p + 2 * mat, p + 3 * mat, p + 4 * mat, p + 5 * mat, true, true, true, true, true, true, c, p, mat);
    }
  }
}

/**
 * Bᵀ times the six vectors of channels 0 … c−1 at a0 … a5 (zeros where k_i is false, when
 * `edge`), stored at o, o + step, …, o + 5·step (channel q at + 4q bytes).
 */
// @ts-ignore: decorator
@inline
function inputColumn(
  edge: bool, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize,
  k0: bool, k1: bool, k2: bool, k3: bool, k4: bool, k5: bool, c: i32, o: usize, step: usize,
): void {
  const c4 = c & ~3;
  for (let q = 0; q < c4; q += 4) {
    const qb = <usize>q << 2;
    storeBt(true, pix(true, edge, a0 + qb, k0, 4), pix(true, edge, a1 + qb, k1, 4), pix(true, edge, a2 + qb, k2, 4),
      pix(true, edge, a3 + qb, k3, 4), pix(true, edge, a4 + qb, k4, 4), pix(true, edge, a5 + qb, k5, 4), o + qb, step, 4);
  }
  if (c4 < c) {
    const n = c - c4;
    const qb = <usize>c4 << 2;
    storeBt(false, pix(false, edge, a0 + qb, k0, n), pix(false, edge, a1 + qb, k1, n), pix(false, edge, a2 + qb, k2, n),
      pix(false, edge, a3 + qb, k3, n), pix(false, edge, a4 + qb, k4, n), pix(false, edge, a5 + qb, k5, n), o + qb, step, n);
  }
}

/** Bᵀ times (d0 … d5): its six values stored at p, p + step, …, p + 5·step. */
// @ts-ignore: decorator
@inline
function storeBt(full: bool, d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, p: usize, step: usize, nq: i32): void {
  const four = f32x4.splat(4);
  const two = f32x4.splat(2);
  const five = f32x4.splat(-5);
  const d42 = f32x4.sub(d4, d2);
  const d31 = f32x4.sub(d3, d1);
  put(full, p, madd(d0, four, madd(d2, five, d4)), nq);
  put(full, p + step, madd(f32x4.add(d1, d2), f32x4.splat(-4), f32x4.add(d3, d4)), nq);
  put(full, p + 2 * step, madd(f32x4.sub(d1, d2), four, f32x4.sub(d4, d3)), nq);
  put(full, p + 3 * step, madd(d31, two, d42), nq);
  put(full, p + 4 * step, madd(d31, f32x4.splat(-2), d42), nq);
  put(full, p + 5 * step, madd(d1, four, madd(d3, five, d5)), nq);
}

// ---- output ----------------------------------------------------------------------------------

/**
 * out [n][oh][ow][co] pixels of output tiles t0 … t0+count−1 = Aᵀ M A, where M[ξ][t − t0][co]
 * (matrix ξ at m + ξ·ldm·4 bytes) are the GEMM products; pixels past oh or ow are not written.
 * M is overwritten (rows ξ = 6i + j, i < 4, hold Aᵀ M afterwards).
 */
export function winograd4Output(
  m: usize, co: i32, oh: i32, ow: i32, th: i32, tw: i32, ldm: i32, t0: i32, count: i32, out: usize,
): void {
  const per = th * tw;
  const cb = <usize>co << 2;
  const mat = <usize>ldm << 2;
  const rowStep = <usize>ow * cb;
  const c4 = co & ~3;
  for (let t = t0; t < t0 + count; t++) {
    const b = t / per;
    const ty = (t - b * per) / tw;
    const tx = t - b * per - ty * tw;
    const oy = 4 * ty;
    const ox = 4 * tx;
    const rows = min(4, oh - oy);
    const cols = min(4, ow - ox);
    const o = out + (<usize>(b * oh + oy) * <usize>ow + <usize>ox) * cb;
    const sm = m + <usize>(t - t0) * cb;
    for (let q = 0; q < c4; q += 4) outputVec4(true, sm, o, q, mat, rowStep, cb, rows, cols, 4);
    if (c4 < co) outputVec4(false, sm, o, c4, mat, rowStep, cb, rows, cols, co - c4);
  }
}

/**
 * Aᵀ M A of channels q … q+nq−1 of one tile: Aᵀ along each column j into M[6k + j] (k < 4), then
 * A along each of the first `rows` rows k into the pixels (o + k·rowStep + l·cb, l < cols).
 */
// @ts-ignore: decorator
@inline
function outputVec4(full: bool, sm: usize, o: usize, q: i32, mat: usize, rowStep: usize, cb: usize, rows: i32, cols: i32, nq: i32): void {
  const qb = <usize>q << 2;
  const s = sm + qb;
  for (let j = 0; j < 6; j++) {
    const p = s + <usize>j * mat;
    const step = mat * 6;
    const m0 = pix(full, false, p, true, nq), m1 = pix(full, false, p + step, true, nq), m2 = pix(full, false, p + 2 * step, true, nq);
    const m3 = pix(full, false, p + 3 * step, true, nq), m4 = pix(full, false, p + 4 * step, true, nq), m5 = pix(full, false, p + 5 * step, true, nq);
    storeAt(full, m0, m1, m2, m3, m4, m5, p, step, 4, nq);
  }
  for (let k = 0; k < rows; k++) {
    const p = s + <usize>(6 * k) * mat;
    const m0 = pix(full, false, p, true, nq), m1 = pix(full, false, p + mat, true, nq), m2 = pix(full, false, p + 2 * mat, true, nq);
    const m3 = pix(full, false, p + 3 * mat, true, nq), m4 = pix(full, false, p + 4 * mat, true, nq), m5 = pix(full, false, p + 5 * mat, true, nq);
    storeAt(full, m0, m1, m2, m3, m4, m5, o + qb + <usize>k * rowStep, cb, cols, nq);
  }
}

/** Aᵀ times (m0 … m5): its first n (≤ 4) values stored at p, p + step, … */
// @ts-ignore: decorator
@inline
function storeAt(full: bool, m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, p: usize, step: usize, n: i32, nq: i32): void {
  const s1 = f32x4.add(m1, m2), d1 = f32x4.sub(m1, m2);
  const s2 = f32x4.add(m3, m4), d2 = f32x4.sub(m3, m4);
  put(full, p, f32x4.add(f32x4.add(m0, s1), s2), nq);
  if (n > 1) put(full, p + step, madd(d2, f32x4.splat(2), d1), nq);
  if (n > 2) put(full, p + 2 * step, madd(s2, f32x4.splat(4), s1), nq);
  if (n > 3) put(full, p + 3 * step, f32x4.add(madd(d2, f32x4.splat(8), d1), m5), nq);
}

// ---- all three steps on a block of tiles -----------------------------------------------------

/**
 * Tiles per block of winograd4Tiles (src/kernels/conv/winograd.ts): 36 matrices of 32 rows hold
 * about what conv_winograd.ts's 16 of 64 rows do.
 */
// @ts-ignore: decorator
@inline const BLOCK4: i32 = 32;

/**
 * The whole conv for output tiles t0 … t0+count−1, in blocks of BLOCK4 tiles: per block, input
 * transform into V, the 36 GEMMs M[ξ] = V[ξ]·U[ξ] (U: 36 packed matrices of c × co at u, as
 * winograd4Filter writes them), output transform into out. A block's V, M and GEMM row pointers
 * live at `scratch` (36·(BLOCK4·(c + co)·4 + 128) + 4·BLOCK4 bytes, reused block after block).
 * Calls on disjoint tiles and scratch are independent.
 */
export function winograd4Tiles(
  x: usize, h: i32, w: i32, c: i32, pt: i32, pl: i32, th: i32, tw: i32, u: usize, co: i32, oh: i32, ow: i32,
  t0: i32, count: i32, scratch: usize, out: usize,
): void {
  const ub = filterStride(c, co);
  for (let b0 = t0; b0 < t0 + count; b0 += BLOCK4) {
    const n = min(BLOCK4, t0 + count - b0);
    const vm = (<usize>n * <usize>c << 2) + 64;
    const mm = (<usize>n * <usize>co << 2) + 64;
    const v = scratch;
    const m = v + <usize>XI * vm;
    const ind = m + <usize>XI * mm;
    winograd4Input(x, h, w, c, pt, pl, th, tw, <i32>(vm >> 2), b0, n, v);
    for (let xi = 0; xi < XI; xi++) {
      gemm(n, co, c, v + <usize>xi * vm, c, 1, u + <usize>xi * ub, m + <usize>xi * mm, co, 0, ind);
    }
    winograd4Output(m, co, oh, ow, th, tw, <i32>(mm >> 2), b0, n, out);
  }
}

// ---- filter gradient -------------------------------------------------------------------------
// dW = Gᵀ Z G with Z[ξ] (ci × co) = Σ_t V[ξ][t]ᵀ Ŷ[ξ][t], V the input transform of the forward
// pass and Ŷ = A dy Aᵀ the adjoint of its output transform on each 4×4 tile of dy (zero past
// oh, ow): the GEMMs reduce over tiles.
//   A = Aᵀᵀ = [1 0 0 0; 1 1 1 1; 1 −1 1 −1; 1 2 4 8; 1 −2 4 −8; 0 0 0 1],
//   Gᵀ = [¼ −⅙ −⅙ 1/24 1/24 0; 0 −⅙ ⅙ 1/12 −1/12 0; 0 −⅙ −⅙ ⅙ ⅙ 1].

/**
 * Ŷ[ξ] = (A dy Aᵀ)[ξ] of output tiles t0 … t0+count−1 of dy [n][oh][ow][co], written as rows t
 * of 36 packed B matrices for a GEMM of k = ldk rows and co columns (the layout of
 * conv_winograd.ts's winogradGradOut: matrix ξ at dst + ξ·filterStride(ldk, co) bytes); panel
 * columns past co are written as zeros. A along the tile's columns goes into the rows
 * ξ = 6i + c (c < 4) that A along its rows then reads.
 */
export function winograd4GradOut(
  dy: usize, oh: i32, ow: i32, co: i32, th: i32, tw: i32, ldk: i32, t0: i32, count: i32, dst: usize,
): void {
  const per = th * tw;
  const cb = <usize>co << 2;
  const mat = filterStride(ldk, co);
  const panel = <usize>ldk * ROW_BYTES;
  const cp = (co + 15) & ~15;
  const rowStep = <usize>ow * cb;
  for (let t = t0; t < t0 + count; t++) {
    const b = t / per;
    const ty = (t - b * per) / tw;
    const tx = t - b * per - ty * tw;
    const oy = 4 * ty;
    const ox = 4 * tx;
    const rows = min(4, oh - oy);
    const cols = min(4, ow - ox);
    const p = dy + (<usize>(b * oh + oy) * <usize>ow + <usize>ox) * cb;
    const row = dst + <usize>t * ROW_BYTES;
    for (let q = 0; q < cp; q += 4) {
      const nq = min(4, co - q);
      const qb = <usize>q << 2;
      const o = row + <usize>(q >> 4) * panel + (<usize>(q & 15) << 2);
      // A along each column c of the tile (zero outside dy or past co) into rows 6i + c.
      for (let c = 0; c < 4; c++) {
        const pc = p + <usize>c * cb + qb;
        const ok = nq > 0 && c < cols;
        const d0 = ok ? loadN(pc, nq) : f32x4.splat(0);
        const d1 = ok && rows > 1 ? loadN(pc + rowStep, nq) : f32x4.splat(0);
        const d2 = ok && rows > 2 ? loadN(pc + 2 * rowStep, nq) : f32x4.splat(0);
        const d3 = ok && rows > 3 ? loadN(pc + 3 * rowStep, nq) : f32x4.splat(0);
        storeA(d0, d1, d2, d3, o + <usize>c * mat, mat * 6);
      }
      // A along each row i.
      for (let i = 0; i < 6; i++) {
        const oi = o + <usize>(6 * i) * mat;
        storeA(v128.load(oi), v128.load(oi + mat), v128.load(oi + 2 * mat), v128.load(oi + 3 * mat), oi, mat);
      }
    }
  }
}

/** A times (p0, p1, p2, p3): its six values stored at o, o + step, …, o + 5·step. */
// @ts-ignore: decorator
@inline
function storeA(p0: v128, p1: v128, p2: v128, p3: v128, o: usize, step: usize): void {
  const e = f32x4.add(p0, p2), od = f32x4.add(p1, p3);
  const e4 = madd(p2, f32x4.splat(4), p0), o8 = madd(p3, f32x4.splat(8), f32x4.mul(p1, f32x4.splat(2)));
  v128.store(o, p0);
  v128.store(o + step, f32x4.add(e, od));
  v128.store(o + 2 * step, f32x4.sub(e, od));
  v128.store(o + 3 * step, f32x4.add(e4, o8));
  v128.store(o + 4 * step, f32x4.sub(e4, o8));
  v128.store(o + 5 * step, p3);
}

/**
 * dW [3][3][ci][co] rows r0 … r0+rows−1 of ci = Gᵀ Z G, Z[ξ] (ci × co, rows of co floats) at
 * z + ξ·ldz·4 bytes.
 */
export function winograd4FilterGrad(z: usize, ci: i32, co: i32, ldz: i32, r0: i32, rows: i32, dw: usize): void {
  const mat = <usize>ldz << 2;
  const tap = <usize>ci * <usize>co << 2;
  for (let r = r0; r < r0 + rows; r++) {
    for (let q = 0; q < co; q += 4) {
      const nq = min(4, co - q);
      const off = (<usize>r * <usize>co + <usize>q) << 2;
      const s = z + off;
      // Z[i][j] = matrix 6i + j. Gᵀ along i per column j (t_j), then along j per row kh.
      for (let kh = 0; kh < 3; kh++) {
        const t0 = gtColumn(s, mat, nq, kh), t1 = gtColumn(s + mat, mat, nq, kh), t2 = gtColumn(s + 2 * mat, mat, nq, kh);
        const t3 = gtColumn(s + 3 * mat, mat, nq, kh), t4 = gtColumn(s + 4 * mat, mat, nq, kh), t5 = gtColumn(s + 5 * mat, mat, nq, kh);
        const o = dw + off + <usize>(3 * kh) * tap;
        storePartial(o, gtAt(t0, t1, t2, t3, t4, t5, 0), nq);
        storePartial(o + tap, gtAt(t0, t1, t2, t3, t4, t5, 1), nq);
        storePartial(o + 2 * tap, gtAt(t0, t1, t2, t3, t4, t5, 2), nq);
      }
    }
  }
}

/** Row k of Gᵀ times column j of Z: the six matrices at s, s + 6·mat, … (ξ = 6i + j). */
// @ts-ignore: decorator
@inline
function gtColumn(s: usize, mat: usize, nq: i32, k: i32): v128 {
  const step = mat * 6;
  return gtAt(loadN(s, nq), loadN(s + step, nq), loadN(s + 2 * step, nq), loadN(s + 3 * step, nq), loadN(s + 4 * step, nq),
    loadN(s + 5 * step, nq), k);
}

/**
 * Row k (0–2) of Gᵀ times (z0 … z5): z0/4 − (z1 + z2)/6 + (z3 + z4)/24, (z2 − z1)/6 + (z3 − z4)/12,
 * (z3 + z4 − z1 − z2)/6 + z5.
 */
// @ts-ignore: decorator
@inline
function gtAt(z0: v128, z1: v128, z2: v128, z3: v128, z4: v128, z5: v128, k: i32): v128 {
  const sixth = f32x4.splat(1.0 / 6.0);
  if (k == 1) return madd(f32x4.sub(z3, z4), f32x4.splat(1.0 / 12.0), f32x4.mul(f32x4.sub(z2, z1), sixth));
  const s12 = f32x4.add(z1, z2);
  const s34 = f32x4.add(z3, z4);
  if (k == 0) return madd(s34, f32x4.splat(1.0 / 24.0), madd(s12, f32x4.splat(-1.0 / 6.0), f32x4.mul(z0, f32x4.splat(0.25))));
  return madd(f32x4.sub(s34, s12), sixth, z5);
}
