// Input gradient of a stride-1 convolution with ONE input channel (LeNet-5's first layer,
// 5x5 1→6): dx[b][y][x] = Σ_{kh,c,kw} Wr[kh][c][kw] · P[y+kh][c][x+kw], where P is dy of image b
// rewritten row-interleaved with zero borders (P[r][c][·] = dy row r − ty of channel c, shifted
// right by tx; ty = fh−1−pt, tx = fw−1−pl) and Wr the filter rotated by 180°
// (Wr[kh][c][kw] = W[fh−1−kh][fw−1−kw][0][c]). Every multiply is a useful filter tap.
// Tiles of 3 dx rows × 8 pixels (6 f32x4 accumulators). For 5 filter rows (LeNet) singleTile5
// loads each P row once per (c, kw) and feeds it to every dx row of the tile it reaches; other
// filter heights go through singleTile, which uses that in this layout the (kh, c) pairs of one
// dx row are consecutive rows of P (t = kh·co + c) and reduces over t in one long loop, one
// filter column at a time. One image's P (hp·co·wp floats) is rebuilt in a scratch buffer whose
// zero borders are written once, so it stays in cache.

import { transposePixels } from './transpose';
import { madd } from './madd';

/** dx rows per register tile. */
// @ts-ignore: decorator
@inline const TR: i32 = 3;
/** dx pixels per register tile row (two f32x4). */
// @ts-ignore: decorator
@inline const TC: i32 = 8;
/** Terms per lane summed in registers before they are added into TOT (blocked summation). */
// @ts-ignore: decorator
@inline const SEG: i32 = 64;

/** The running TR×TC tile of sums. */
const TOT: usize = memory.data(TR * TC * 4, 16);

// TOT += the 3×8 tile held in a00 … a21 (row r in ar0, ar1).
// @ts-ignore: decorator
@inline function addToTile(a00: v128, a01: v128, a10: v128, a11: v128, a20: v128, a21: v128): void {
  v128.store(TOT, f32x4.add(v128.load(TOT, 0), a00), 0); v128.store(TOT, f32x4.add(v128.load(TOT, 16), a01), 16);
  v128.store(TOT, f32x4.add(v128.load(TOT, 32), a10), 32); v128.store(TOT, f32x4.add(v128.load(TOT, 48), a11), 48);
  v128.store(TOT, f32x4.add(v128.load(TOT, 64), a20), 64); v128.store(TOT, f32x4.add(v128.load(TOT, 80), a21), 80);
}

/**
 * dx [n][h][w] (= NHWC with one channel, overwritten) from dy [n][oh][ow][co] (NHWC) and the
 * rotated filter wr [fh][co][fw]; dy pixel (oy, ox) meets dx pixel (oy + ty − kh, ox + tx − kw)
 * through wr[kh][c][kw]. scratch: hp·co·wp floats with hp ≥ ceil(h/3)·3 + fh − 1 and
 * wp ≥ ceil(w/8)·8 + fw − 1. ty and tx may be negative (explicit padding beyond the filter).
 */
export function convSingleInputGrad(
  dy: usize, n: i32, oh: i32, ow: i32, co: i32, wr: usize, fh: i32, fw: i32, ty: i32, tx: i32,
  h: i32, w: i32, dx: usize, scratch: usize, hp: i32, wp: i32,
): void {
  const chanBytes = <usize>wp << 2;
  const rowBytes = <usize>co * chanBytes;
  memory.fill(scratch, 0, <usize>hp * rowBytes);
  // dy rows/columns that land inside the scratch.
  const oy0 = max(0, -ty);
  const oy1 = min(oh, hp - ty);
  const ox0 = max(0, -tx);
  const ox1 = min(ow, wp - tx);
  // Scratch rows r0 … r1−1 hold dy; a tile skips the filter rows that only meet zero rows.
  const r0 = oy0 + ty;
  const r1 = oy1 + ty;
  for (let b = 0; b < n; b++) {
    if (oy0 < oy1 && ox0 < ox1) {
      singleRows(dy + (<usize>(b * oh) * <usize>ow * <usize>co << 2), ow, co, oy0, oy1, ox0, ox1, ty, tx, scratch, rowBytes, chanBytes);
    }
    const img = dx + (<usize>(b * h) * <usize>w << 2);
    for (let y0 = 0; y0 < h; y0 += TR) {
      const rows = min(TR, h - y0);
      const kh0 = max(0, r0 - y0 - TR + 1);
      const kh1 = max(kh0, min(fh, r1 - y0));
      const mask = rowMask(y0, r0, r1);
      for (let x0 = 0; x0 < w; x0 += TC) {
        const tile = scratch + <usize>y0 * rowBytes + (<usize>x0 << 2);
        const dst = img + (<usize>(y0 * w + x0) << 2);
        if (fh == 5) singleTile5(tile, rowBytes, chanBytes, co, fw, wr, dst, <usize>w << 2, rows, min(TC, w - x0), mask);
        else singleTile(tile, rowBytes, chanBytes, kh0 * co, kh1 * co, fw, wr, dst, <usize>w << 2, rows, min(TC, w - x0));
      }
    }
  }
}

/**
 * Writes the dy pixels oy0…oy1−1 × ox0…ox1−1 of one image (NHWC, at src) into the scratch
 * [hp][co][wp] at row oy + ty, column ox + tx: 4 pixels × 4 channels per transpose where co ≥ 4.
 */
function singleRows(
  src: usize, ow: i32, co: i32, oy0: i32, oy1: i32, ox0: i32, ox1: i32, ty: i32, tx: i32,
  scratch: usize, rowBytes: usize, chanBytes: usize,
): void {
  const pixBytes = <usize>co << 2;
  for (let oy = oy0; oy < oy1; oy++) {
    const s0 = src + (<usize>(oy * ow + ox0) * pixBytes);
    const d0 = scratch + <usize>(oy + ty) * rowBytes + (<usize>(ox0 + tx) << 2);
    const done = co >= 4 ? transposePixels(s0, co, ox1 - ox0, d0, chanBytes) : 0;
    for (let c = 0; c < co; c++) {
      let s = s0 + (<usize>(done * co + c) << 2);
      let d = d0 + <usize>c * chanBytes + (<usize>done << 2);
      for (let ox = ox0 + done; ox < ox1; ox++) {
        store<f32>(d, load<f32>(s));
        s += pixBytes;
        d += 4;
      }
    }
  }
}

// One tile of TR dx rows × TC pixels at dst (row stride dstRow bytes; `rows` × `cols` of it
// stored): Σ over t = kh·co + c in [t0, t1) (the filter rows kh outside only meet zero rows) and
// filter columns kw of wr[t][kw] · P row t (+ dx row) at column kw. p: scratch address of the
// tile's first dx row at t = 0 (row r of the tile is rowBytes further, t steps chanBytes).
// Sized for V8, which loads every value of a loop body first: 6 accumulators, 6 data vectors
// and one weight splat fit its 15 v128 registers. The sums of at most SEG terms per lane are
// added into TOT.
function singleTile(
  p: usize, rowBytes: usize, chanBytes: usize, t0: i32, t1: i32, fw: i32, wr: usize,
  dst: usize, dstRow: usize, rows: i32, cols: i32,
): void {
  const terms = t1 - t0;
  const kwSeg = max(1, SEG / max(1, terms));
  const wStep = <usize>fw << 2;
  memory.fill(TOT, 0, TR * TC * 4);
  for (let kw0 = 0; kw0 < fw; kw0 += kwSeg) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
    let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
    const kw1 = min(fw, kw0 + kwSeg);
    for (let kw = kw0; kw < kw1; kw++) {
      let q = p + <usize>t0 * chanBytes + (<usize>kw << 2);
      let wp = wr + <usize>t0 * wStep + (<usize>kw << 2);
      const end = q + <usize>terms * chanBytes;
      while (q < end) {
        const v = v128.load32_splat(wp);
        a00 = madd(v128.load(q), v, a00); a01 = madd(v128.load(q, 16), v, a01);
        a10 = madd(v128.load(q + rowBytes), v, a10); a11 = madd(v128.load(q + rowBytes, 16), v, a11);
        a20 = madd(v128.load(q + 2 * rowBytes), v, a20); a21 = madd(v128.load(q + 2 * rowBytes, 16), v, a21);
        q += chanBytes;
        wp += wStep;
      }
    }
    addToTile(a00, a01, a10, a11, a20, a21);
  }
  storeTile(dst, dstRow, rows, cols);
}

// Stores `rows` × `cols` of the TOT tile at dst (row stride dstRow bytes).
// @ts-ignore: decorator
@inline
function storeTile(dst: usize, dstRow: usize, rows: i32, cols: i32): void {
  if (cols == TC) {
    for (let r = 0; r < rows; r++) {
      v128.store(dst, v128.load(TOT + (<usize>(r * TC) << 2)));
      v128.store(dst, v128.load(TOT + (<usize>(r * TC) << 2), 16), 16);
      dst += dstRow;
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + <usize>r * dstRow, TOT + (<usize>(r * TC) << 2), <usize>cols << 2);
  }
}

// Bit j set when scratch row y0 + j (j < 7) lies in [r0, r1), the rows that hold dy.
// @ts-ignore: decorator
@inline function rowMask(y0: i32, r0: i32, r1: i32): i32 {
  let mask = 0;
  for (let j = 0; j < 7; j++) if (y0 + j >= r0 && y0 + j < r1) mask |= 1 << j;
  return mask;
}


// singleTile for 5 filter rows: per (c, kw) the 5 weights wr[0…4][c][kw] stay in registers and
// each of the 7 scratch rows the tile's 3 dx rows meet is loaded once and used for every dx row
// it reaches (row j feeds dx row r through filter row j − r): 14 loads for 30 vector
// multiply-adds instead of 35. Bit j of `mask` says whether scratch row j holds dy (else it is
// zero and skipped); the tests also keep each row's loads in its own block, since V8 would
// otherwise load all 14 first and spill.
function singleTile5(
  p: usize, rowBytes: usize, chanBytes: usize, co: i32, fw: i32, wr: usize,
  dst: usize, dstRow: usize, rows: i32, cols: i32, mask: i32,
): void {
  const khStride = <usize>(co * fw) << 2;
  memory.fill(TOT, 0, TR * TC * 4);
  for (let c = 0; c < co; c++) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
    let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
    let q = p + <usize>c * chanBytes;
    let wp = wr + (<usize>(c * fw) << 2);
    for (let kw = 0; kw < fw; kw++) {
      const w0 = v128.load32_splat(wp);
      const w1 = v128.load32_splat(wp + khStride);
      const w2 = v128.load32_splat(wp + 2 * khStride);
      const w3 = v128.load32_splat(wp + 3 * khStride);
      const w4 = v128.load32_splat(wp + 4 * khStride);
      let x: v128, y: v128;
      if (mask & 1) {
        x = v128.load(q); y = v128.load(q, 16);
        a00 = madd(x, w0, a00); a01 = madd(y, w0, a01);
      }
      if (mask & 2) {
        x = v128.load(q + rowBytes); y = v128.load(q + rowBytes, 16);
        a00 = madd(x, w1, a00); a01 = madd(y, w1, a01); a10 = madd(x, w0, a10); a11 = madd(y, w0, a11);
      }
      if (mask & 4) {
        x = v128.load(q + 2 * rowBytes); y = v128.load(q + 2 * rowBytes, 16);
        a00 = madd(x, w2, a00); a01 = madd(y, w2, a01); a10 = madd(x, w1, a10); a11 = madd(y, w1, a11);
        a20 = madd(x, w0, a20); a21 = madd(y, w0, a21);
      }
      if (mask & 8) {
        x = v128.load(q + 3 * rowBytes); y = v128.load(q + 3 * rowBytes, 16);
        a00 = madd(x, w3, a00); a01 = madd(y, w3, a01); a10 = madd(x, w2, a10); a11 = madd(y, w2, a11);
        a20 = madd(x, w1, a20); a21 = madd(y, w1, a21);
      }
      if (mask & 16) {
        x = v128.load(q + 4 * rowBytes); y = v128.load(q + 4 * rowBytes, 16);
        a00 = madd(x, w4, a00); a01 = madd(y, w4, a01); a10 = madd(x, w3, a10); a11 = madd(y, w3, a11);
        a20 = madd(x, w2, a20); a21 = madd(y, w2, a21);
      }
      if (mask & 32) {
        x = v128.load(q + 5 * rowBytes); y = v128.load(q + 5 * rowBytes, 16);
        a10 = madd(x, w4, a10); a11 = madd(y, w4, a11); a20 = madd(x, w3, a20); a21 = madd(y, w3, a21);
      }
      if (mask & 64) {
        x = v128.load(q + 6 * rowBytes); y = v128.load(q + 6 * rowBytes, 16);
        a20 = madd(x, w4, a20); a21 = madd(y, w4, a21);
      }
      q += 4;
      wp += 4;
    }
    addToTile(a00, a01, a10, a11, a20, a21);
  }
  storeTile(dst, dstRow, rows, cols);
}
