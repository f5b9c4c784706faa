// Input gradient of a stride-1 convolution with ONE input channel (LeNet-5's first layer,
// 5x5 1→6): dx[b][y][x] = Σ_{kh,c,kw} Wr[kh][c][kw] · P[y+kh][c][x+kw], where P is dy of image b
// rewritten row-interleaved with zero borders (P[r][c][·] = dy row r − ty of channel c, shifted
// right by tx; ty = fh−1−pt, tx = fw−1−pl) and Wr the filter rotated by 180°
// (Wr[kh][c][kw] = W[fh−1−kh][fw−1−kw][0][c]). Every multiply is a useful filter tap.
// In this layout the (kh, c) pairs of one dx row are consecutive rows of P (t = kh·co + c), so a
// tile reduces over t in one long loop, one filter column kw at a time: per step one weight
// splat feeds 3 dx rows × 8 pixels (6 f32x4 accumulators). One image's P (hp·co·wp floats) is
// rebuilt in a scratch buffer whose zero borders are written once, so it stays in cache.

import { transposePixels } from './transpose';

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
      for (let x0 = 0; x0 < w; x0 += TC) {
        singleTile(
          scratch + <usize>y0 * rowBytes + (<usize>x0 << 2), rowBytes, chanBytes, kh0 * co, kh1 * co, fw, wr,
          img + (<usize>(y0 * w + x0) << 2), <usize>w << 2, rows, min(TC, w - x0),
        );
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

// acc + (vector at q + off) · v.
// @ts-ignore: decorator
@inline function madd(acc: v128, q: usize, off: usize, v: v128): v128 {
  return f32x4.add(acc, f32x4.mul(v128.load(q + off), v));
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
        a00 = madd(a00, q, 0, v); a01 = madd(a01, q, 16, v);
        a10 = madd(a10, q + rowBytes, 0, v); a11 = madd(a11, q + rowBytes, 16, v);
        a20 = madd(a20, q + 2 * rowBytes, 0, v); a21 = madd(a21, q + 2 * rowBytes, 16, v);
        q += chanBytes;
        wp += wStep;
      }
    }
    v128.store(TOT, f32x4.add(v128.load(TOT, 0), a00), 0); v128.store(TOT, f32x4.add(v128.load(TOT, 16), a01), 16);
    v128.store(TOT, f32x4.add(v128.load(TOT, 32), a10), 32); v128.store(TOT, f32x4.add(v128.load(TOT, 48), a11), 48);
    v128.store(TOT, f32x4.add(v128.load(TOT, 64), a20), 64); v128.store(TOT, f32x4.add(v128.load(TOT, 80), a21), 80);
  }
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
