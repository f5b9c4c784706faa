// Input gradient of a convolution with few input channels by row scatter (no padding multiplies,
// no im2col, no transposed conv). In NHWC the fw taps of one filter row kh hit fw·ci contiguous
// floats of dx, so for each dy pixel (b, y, x) and filter row kh:
//   dx[b][y·sh + kh − pt][x·sw − pl … + fw − 1][0 … ci − 1] (fw·ci floats, flattened index j)
//     += Σ_o dy[b][y][x][o] · V[kh][o][j],   V[kh][o][kw·ci + c] = W[kh][kw][c][o].
// Every multiply is a filter tap (with padding, taps in the border land in a scratch that is
// cropped afterwards); only the zero columns that round fw·ci up to a multiple
// of 8 are wasted (30 of 32 for LeNet's 5x5x6). Tiles of 4 dy pixels × 8 floats of j sum over
// at most 32 output channels in 8 f32x4 registers, then are added into dx (read-modify-write
// of exactly the covered floats).

import { madd } from './madd';

/** Pixels per tile of convScatterInputGrad (8 f32x4 accumulators: 4 pixels × 8 floats; with the
 * 2 filter and 4 dy vectors that V8 loads first they fill its 15 v128 registers — 6 pixels
 * spilled accumulators to the stack in every step). */
// @ts-ignore: decorator
@inline const PX: i32 = 4;
/** Output channels summed in registers before a flush into dx (blocked summation). */
// @ts-ignore: decorator
@inline const OSEG: i32 = 32;

/**
 * Bytes of convScatterInputGrad's scratch: DYT, the dy of a tile's pixels for one segment of
 * output channels, pre-broadcast ([o][4 pixels][4 lanes]), then SLOTS, the dx address (u32) of
 * each pixel slot of a tile at its filter row 0, column 0.
 */
export const SCATTER_SCRATCH_BYTES: i32 = OSEG * PX * 16 + PX * 4;

// @ts-ignore: decorator
@inline
function rmw(p: usize, v: v128): void {
  v128.store(p, f32x4.add(v128.load(p), v));
}

// dst[0 … cnt−1] += the first cnt floats of (a, b) (1 ≤ cnt ≤ 8; floats past cnt untouched).
// @ts-ignore: decorator
@inline
function rmw8(dst: usize, a: v128, b: v128, cnt: i32): void {
  if (cnt == 8) { rmw(dst, a); rmw(dst + 16, b); return; }
  let t = a;
  let p = dst;
  if (cnt >= 4) { rmw(dst, a); t = b; p += 16; }
  const r = cnt & 3;
  if (r > 0) store<f32>(p, load<f32>(p) + f32x4.extract_lane(t, 0));
  if (r > 1) store<f32>(p + 4, load<f32>(p + 4) + f32x4.extract_lane(t, 1));
  if (r > 2) store<f32>(p + 8, load<f32>(p + 8) + f32x4.extract_lane(t, 2));
}

// One tile: for the m ≤ 4 pixel slots, dx[SLOTS[i] + dxOff + 0 … cnt−1] += Σ_{o < ko} DYT[o][i][·] ·
// v[o][0 … 7] (v rows 8 floats apart; slots ≥ m are computed, never stored); DYT at dyt, SLOTS after it.
function scatterTile(m: i32, ko: i32, v: usize, dxOff: usize, cnt: i32, dyt: usize): void {
  const slots = dyt + <usize>(OSEG * PX * 16);
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  let vp = v;
  let g = dyt;
  const end = dyt + <usize>(ko * PX * 16);
  while (g < end) {
    const v0 = v128.load(vp);
    const v1 = v128.load(vp, 16);
    let d = v128.load(g, 0); a00 = madd(d, v0, a00); a01 = madd(d, v1, a01);
    d = v128.load(g, 16); a10 = madd(d, v0, a10); a11 = madd(d, v1, a11);
    d = v128.load(g, 32); a20 = madd(d, v0, a20); a21 = madd(d, v1, a21);
    d = v128.load(g, 48); a30 = madd(d, v0, a30); a31 = madd(d, v1, a31);
    vp += 32;
    g += PX * 16;
  }
  rmw8(<usize>load<u32>(slots, 0) + dxOff, a00, a01, cnt);
  if (m > 1) rmw8(<usize>load<u32>(slots, 4) + dxOff, a10, a11, cnt);
  if (m > 2) rmw8(<usize>load<u32>(slots, 8) + dxOff, a20, a21, cnt);
  if (m > 3) rmw8(<usize>load<u32>(slots, 12) + dxOff, a30, a31, cnt);
}

/**
 * Input gradient by row scatter: dxp [n][hq][wq][ci] (overwritten; dx pixel (iy, ix) at scratch
 * pixel (iy + pt, ix + pl), so hq ≥ (oh − 1)·sh + fh and wq ≥ (ow − 1)·sw + fw) from dy
 * [n][oh][ow][co] (NHWC) and the repacked filter vk [fh][ceil(fw·ci/8)][co][8] floats with
 * vk[kh][q][o][jj] = W[kh][kw][c][o] for 8q + jj = kw·ci + c < fw·ci, else 0. Strides sh, sw.
 * `scratch`: SCATTER_SCRATCH_BYTES of 16-aligned scratch of this call's own (each thread its own).
 * Images are independent and every dx float receives its terms in the same pixel order however
 * the batch is cut: a call on images b0 … b0+n−1 writes the same bits as the whole batch.
 */
export function convScatterInputGrad(
  dy: usize, n: i32, oh: i32, ow: i32, co: i32, vk: usize, fh: i32, fw: i32, ci: i32, sh: i32, sw: i32,
  dxp: usize, hq: i32, wq: i32, scratch: usize,
): void {
  const slots = scratch + <usize>(OSEG * PX * 16);
  const rowBytes = <usize>(wq * ci) << 2;
  memory.fill(dxp, 0, <usize>n * <usize>hq * rowBytes);
  const k = fw * ci;
  const passes = (k + 7) >> 3;
  const vKhBytes = <usize>(passes * co) << 5;
  // Pixels in column-major order per image (p → b, x, y): the 4 pixels of a tile mostly share
  // a dx column and hit different dx rows, so their read-modify-writes never overlap partially.
  const perImage = oh * ow;
  const total = n * perImage;
  for (let p0 = 0; p0 < total; p0 += PX) {
    const m = min(PX, total - p0);
    let g0: usize = 0, g1: usize = 0, g2: usize = 0, g3: usize = 0;
    for (let i = 0; i < PX; i++) {
      const p = p0 + min(i, m - 1);
      const b = p / perImage;
      const r = p - b * perImage;
      const x = r / oh;
      const y = r - x * oh;
      const g = dy + (<usize>((b * oh + y) * ow + x) * <usize>co << 2);
      if (i == 0) g0 = g; else if (i == 1) g1 = g; else if (i == 2) g2 = g; else g3 = g;
      store<u32>(slots + (<usize>i << 2), <u32>(dxp + <usize>(b * hq + y * sh) * rowBytes + (<usize>(x * sw * ci) << 2)));
    }
    for (let o0 = 0; o0 < co; o0 += OSEG) {
      const ko = min(OSEG, co - o0);
      // DYT [o][i][lanes] = dy of slot i, channel o0 + o, in all 4 lanes.
      let t = scratch;
      for (let o = o0; o < o0 + ko; o++) {
        const off = <usize>o << 2;
        v128.store(t, v128.load32_splat(g0 + off), 0); v128.store(t, v128.load32_splat(g1 + off), 16);
        v128.store(t, v128.load32_splat(g2 + off), 32); v128.store(t, v128.load32_splat(g3 + off), 48);
        t += PX * 16;
      }
      for (let kh = 0; kh < fh; kh++) {
        for (let q = 0; q < passes; q++) {
          const cnt = min(8, k - (q << 3));
          const v = vk + <usize>kh * vKhBytes + (<usize>(q * co + o0) << 5);
          scatterTile(m, ko, v, <usize>kh * rowBytes + (<usize>q << 5), cnt, scratch);
        }
      }
    }
  }
}

/** dst [n][h][w][ci] = rows pt … pt + h − 1, columns pl … pl + w − 1 of src [n][hq][wq][ci] (crops convScatterInputGrad's scratch). */
export function convScatterCrop(
  src: usize, n: i32, hq: i32, wq: i32, ci: i32, pt: i32, pl: i32, h: i32, w: i32, dst: usize,
): void {
  const inRow = <usize>(wq * ci) << 2;
  const outRow = <usize>(w * ci) << 2;
  let d = dst;
  for (let b = 0; b < n; b++) {
    let s = src + <usize>(b * hq + pt) * inRow + (<usize>(pl * ci) << 2);
    for (let r = 0; r < h; r++) {
      memory.copy(d, s, outRow);
      s += inRow;
      d += outRow;
    }
  }
}
