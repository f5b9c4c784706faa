// Direct (GEMM-free) stride-1 convolution for layers with few channels (LeNet: 1→6 and 6→16,
// 5x5), vectorised over output pixels instead of over channels, so that co = 6 or ci = 1 wastes
// no SIMD lanes and no im2col copy is made. Images are first rewritten channel-planar and
// zero-padded: xp [n][cp][hp][wp] (convPlanarPad), so that 4 or 8 consecutive output pixels read
// one contiguous run of input per filter tap, with no bounds checks in the inner loops.
//   - convDirectForward: out [n][oh][ow][co] = Σ_{kh,kw,c} xp[b][c][oy+kh][ox+kw] · W[kh][kw][c][co],
//     tiles of 8 pixels × 6 output channels, each half (4 pixels) in 6 f32x4 accumulators;
//   - convDirectFilterGrad: dW[kh][kw][c][co] = Σ_{b,oy,ox} xp[b][c][oy+kh][ox+kw] · dyp[b][co][oy][ox],
//     4 filter columns × 2 output channels in 8 f32x4 accumulators (then single columns),
//     reduced over pixels.
// The input gradient of a stride-1 conv is convDirectForward of dy with the rotated filter.
// Register sums are cut into segments of at most ~64 terms per lane (blocked summation).

import { transposePixels } from './transpose';
import { madd } from './madd';

/** Output-channel block of convDirectForward (weights packed by the caller in blocks of 6). */
// @ts-ignore: decorator
@inline const COB: i32 = 6;
/** Filter-column block of convDirectFilterGrad (columns past the last block go one at a time). */
// @ts-ignore: decorator
@inline const KWB: i32 = 4;
/** Lane terms summed in registers before a flush (blocked summation). */
// @ts-ignore: decorator
@inline const SEG: i32 = 64;

/** Bytes of convDirectForward's scratch `tile`: one 8×6 output tile, [co][pixels 0–7]. */
export const DIRECT_TILE_BYTES: i32 = COB * 8 * 4;

/**
 * dst [n][cp][hp][wp] floats with dst[b][c][y][x] = src[b][y − pt][x − pl][c] for c < ci and the
 * source pixel inside the h×w image, else 0 (src is NHWC [n][h][w][ci]; cp ≥ ci).
 */
export function convPlanarPad(
  src: usize, n: i32, h: i32, w: i32, ci: i32, pt: i32, pl: i32, cp: i32, hp: i32, wp: i32, dst: usize,
): void {
  const y0 = max(0, pt);
  const y1 = min(hp, h + pt);
  const x0 = max(0, pl);
  const x1 = min(wp, w + pl);
  zeroBorders(dst, n, cp, ci, hp, wp, y0, y1, x0, x1);
  for (let b = 0; b < n; b++) {
    for (let y = y0; y < y1; y++) {
      const rowIn = src + (<usize>((b * h + y - pt) * w) * <usize>ci << 2);
      if (ci == 1) {
        const d = dst + (<usize>((b * cp) * hp + y) * <usize>wp << 2);
        memory.copy(d + (<usize>x0 << 2), rowIn + (<usize>(x0 - pl) << 2), <usize>(x1 - x0) << 2);
        continue;
      }
      const planeBytes = <usize>hp * <usize>wp << 2;
      const xv = x0 + (ci >= 4 ? transposePixels(
        rowIn + (<usize>((x0 - pl) * ci) << 2), ci, x1 - x0, dst + (<usize>((b * cp) * hp + y) * <usize>wp + <usize>x0 << 2), planeBytes,
      ) : 0);
      for (let c = 0; c < ci; c++) {
        const d = dst + (<usize>((b * cp + c) * hp + y) * <usize>wp << 2);
        let s = rowIn + (<usize>((xv - pl) * ci + c) << 2);
        const step = <usize>ci << 2;
        for (let x = xv; x < x1; x++) {
          store<f32>(d + (<usize>x << 2), load<f32>(s));
          s += step;
        }
      }
    }
  }
}

// Zeroes what convPlanarPad does not copy into the planes dst [n][cp][hp][wp]: in channel
// planes c < ci the rows outside [y0, y1) and the columns outside [x0, x1); planes c ≥ ci whole.
function zeroBorders(dst: usize, n: i32, cp: i32, ci: i32, hp: i32, wp: i32, y0: i32, y1: i32, x0: i32, x1: i32): void {
  const rowBytes = <usize>wp << 2;
  const planeBytes = <usize>hp * rowBytes;
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < cp; c++) {
      const base = dst + <usize>(b * cp + c) * planeBytes;
      if (c >= ci || y0 >= y1 || x0 >= x1) {
        memory.fill(base, 0, planeBytes);
        continue;
      }
      memory.fill(base, 0, <usize>y0 * rowBytes);
      memory.fill(base + <usize>y1 * rowBytes, 0, <usize>(hp - y1) * rowBytes);
      if (x0 == 0 && x1 == wp) continue;
      for (let y = y0; y < y1; y++) {
        const row = base + <usize>y * rowBytes;
        memory.fill(row, 0, <usize>x0 << 2);
        memory.fill(row + (<usize>x1 << 2), 0, <usize>(wp - x1) << 2);
      }
    }
  }
}

// Σ over filter rows kh0 … kh1−1 of one half tile: 4 output pixels starting at xrow (address of
// xp[b][0][oy][ox]) × 6 output channels, weights at wb ([fh][ci][fw][6] of this channel block).
// Stores the sums of channel j at tile + 32·j (acc = false) or adds them (acc = true). Six
// accumulators, not twelve: with the operands they stay in registers (a 12-accumulator tile
// spilled in V8 and ran 2× slower); each lane sums its terms in the same order either way.
function directHalfTile(
  xrow: usize, plane: usize, rowBytes: usize, ci: i32, fw: i32, kh0: i32, kh1: i32, wb: usize, tile: usize, acc: bool,
): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
  let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
  let wp = wb + <usize>(kh0 * ci * fw * COB) * 4;
  for (let kh = kh0; kh < kh1; kh++) {
    let xc = xrow + <usize>kh * rowBytes;
    for (let c = 0; c < ci; c++) {
      let xp = xc;
      for (let kw = 0; kw < fw; kw++) {
        const x = v128.load(xp);
        c0 = madd(x, v128.load32_splat(wp, 0), c0);
        c1 = madd(x, v128.load32_splat(wp, 4), c1);
        c2 = madd(x, v128.load32_splat(wp, 8), c2);
        c3 = madd(x, v128.load32_splat(wp, 12), c3);
        c4 = madd(x, v128.load32_splat(wp, 16), c4);
        c5 = madd(x, v128.load32_splat(wp, 20), c5);
        wp += 24;
        xp += 4;
      }
      xc += plane;
    }
  }
  if (acc) {
    c0 = f32x4.add(v128.load(tile, 0), c0); c1 = f32x4.add(v128.load(tile, 32), c1);
    c2 = f32x4.add(v128.load(tile, 64), c2); c3 = f32x4.add(v128.load(tile, 96), c3);
    c4 = f32x4.add(v128.load(tile, 128), c4); c5 = f32x4.add(v128.load(tile, 160), c5);
  }
  v128.store(tile, c0, 0); v128.store(tile, c1, 32); v128.store(tile, c2, 64);
  v128.store(tile, c3, 96); v128.store(tile, c4, 128); v128.store(tile, c5, 160);
}

// Writes 4 pixels × 6 channels of a tile (channel j's 4 pixels at s + 32·j) to NHWC rows: pixel p's
// 6 values at d + p·pixBytes, plus the 6 biases at bias (none if 0), then ReLU'd if relu (the
// epilogue gemmBiasActivation would apply, with the same float ops). A 4×4 transpose for
// channels 0–3 and pairs for 4–5.
// @ts-ignore: decorator
@inline
function storeQuad6(s: usize, d: usize, pixBytes: usize, bias: usize, relu: bool): void {
  const a0 = v128.load(s, 0), a1 = v128.load(s, 32), a2 = v128.load(s, 64);
  const a3 = v128.load(s, 96), a4 = v128.load(s, 128), a5 = v128.load(s, 160);
  const t0 = v128.shuffle<i32>(a0, a1, 0, 4, 1, 5), t1 = v128.shuffle<i32>(a2, a3, 0, 4, 1, 5);
  const t2 = v128.shuffle<i32>(a0, a1, 2, 6, 3, 7), t3 = v128.shuffle<i32>(a2, a3, 2, 6, 3, 7);
  let u0 = v128.shuffle<i32>(a4, a5, 0, 4, 1, 5), u1 = v128.shuffle<i32>(a4, a5, 2, 6, 3, 7);
  let p0 = v128.shuffle<i32>(t0, t1, 0, 1, 4, 5), p1 = v128.shuffle<i32>(t0, t1, 2, 3, 6, 7);
  let p2 = v128.shuffle<i32>(t2, t3, 0, 1, 4, 5), p3 = v128.shuffle<i32>(t2, t3, 2, 3, 6, 7);
  if (bias != 0) {
    const b = v128.load(bias);
    const b45 = v128.load64_splat(bias + 16);
    p0 = f32x4.add(p0, b); p1 = f32x4.add(p1, b); p2 = f32x4.add(p2, b); p3 = f32x4.add(p3, b);
    u0 = f32x4.add(u0, b45); u1 = f32x4.add(u1, b45);
  }
  if (relu) {
    const z = f32x4.splat(0);
    p0 = f32x4.max(p0, z); p1 = f32x4.max(p1, z); p2 = f32x4.max(p2, z); p3 = f32x4.max(p3, z);
    u0 = f32x4.max(u0, z); u1 = f32x4.max(u1, z);
  }
  v128.store(d, p0);
  v128.store64_lane(d + 16, u0, 0);
  d += pixBytes;
  v128.store(d, p1);
  v128.store64_lane(d + 16, u0, 1);
  d += pixBytes;
  v128.store(d, p2);
  v128.store64_lane(d + 16, u1, 0);
  d += pixBytes;
  v128.store(d, p3);
  v128.store64_lane(d + 16, u1, 1);
}

/**
 * Stride-1 convolution out [n][oh][ow][co] (NHWC) of the planar padded image xp [n][ci][hp][wp]
 * (hp ≥ oh + fh − 1, wp ≥ ceil(ow/8)·8 + fw − 1) with weights wpk packed as
 * [ceil(co/6)][fh][ci][fw][6] floats (zero-padded output channels). Rows of xp outside
 * [r0, r1) must be zero: filter rows that only meet them are skipped (padding costs nothing).
 * `tile`: DIRECT_TILE_BYTES of 16-aligned scratch of this call's own (each thread its own).
 * Epilogue: out += bias [co] (none if bias = 0), then ReLU if relu ≠ 0, as gemmBiasActivation
 * would apply it afterwards (same float ops, same bits).
 * Images are independent: a call on images b0 … b0+n−1 writes the same bits as the whole batch.
 */
export function convDirectForward(
  xp: usize, n: i32, ci: i32, hp: i32, wp: i32, fh: i32, fw: i32, oh: i32, ow: i32, wpk: usize, co: i32, out: usize,
  r0: i32, r1: i32, tile: usize, bias: usize, relu: i32,
): void {
  const blocks = (co + COB - 1) / COB;
  const rowBytes = <usize>wp << 2;
  const plane = <usize>hp * rowBytes;
  const blockBytes = <usize>(fh * ci * fw * COB) << 2;
  // Filter rows per register segment: at most SEG / 2 terms per lane (the tile flush is cheap
  // next to a filter row, and K = fh·fw·ci sums here reach 400 with no pixel-sum averaging).
  const khSeg = max(1, (SEG >> 1) / max(1, ci * fw));
  for (let b = 0; b < n; b++) {
    const img = xp + <usize>(b * ci) * plane;
    for (let oy = 0; oy < oh; oy++) {
      const orow = out + (<usize>((b * oh + oy) * ow) * <usize>co << 2);
      for (let ox0 = 0; ox0 < ow; ox0 += 8) {
        const xrow = img + <usize>oy * rowBytes + (<usize>ox0 << 2);
        const px = min(8, ow - ox0);
        for (let cb = 0; cb < blocks; cb++) {
          const wb = wpk + <usize>cb * blockBytes;
          const khLo = max(0, r0 - oy);
          const khHi = min(fh, r1 - oy);
          if (khLo >= khHi) memory.fill(tile, 0, DIRECT_TILE_BYTES);
          for (let half = 0; half < px; half += 4) {
            for (let kh0 = khLo; kh0 < khHi; kh0 += khSeg) {
              directHalfTile(
                xrow + (<usize>half << 2), plane, rowBytes, ci, fw, kh0, min(khHi, kh0 + khSeg), wb, tile + (<usize>half << 2), kh0 > khLo,
              );
            }
          }
          const o0 = cb * COB;
          const nc = min(COB, co - o0);
          if (nc == COB && px == 8) {
            const d = orow + (<usize>(ox0 * co + o0) << 2);
            const pixBytes = <usize>co << 2;
            const bp = bias != 0 ? bias + (<usize>o0 << 2) : 0;
            storeQuad6(tile, d, pixBytes, bp, relu != 0);
            storeQuad6(tile + 16, d + (pixBytes << 2), pixBytes, bp, relu != 0);
            continue;
          }
          for (let p = 0; p < px; p++) {
            const d = orow + (<usize>((ox0 + p) * co + o0) << 2);
            const s = tile + (<usize>p << 2);
            for (let j = 0; j < nc; j++) {
              let v = load<f32>(s + (<usize>j << 5));
              if (bias != 0) v += load<f32>(bias + (<usize>(o0 + j) << 2));
              if (relu != 0) v = max(v, 0);
              store<f32>(d + (<usize>j << 2), v);
            }
          }
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  const s = f32x4.add(v, v128.shuffle<i32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(s, v128.shuffle<i32>(s, s, 1, 0, 3, 2)), 0);
}

// @ts-ignore: decorator
@inline
function addTo(p: usize, v: f32): void {
  store<f32>(p, load<f32>(p) + v);
}

// Σ over output rows oy0 … oy1−1 and pixels 0 … owp−1 of one (b, c, kh) for filter columns
// kw0 … kw0+3 and output channels co0, co0+1; adds the lane sums into dW (skipping channel
// co0+1 when con = 1). xrow: address of xp[b][c][kh][kw0]; d0/d1: dyp[b][co0|co0+1][0][0].
// 8 accumulators: with the 2 dy and 4 x vectors that V8 loads at the top of the loop body they
// fill its 15 allocatable v128 registers; 5 columns (10 accumulators) spilled two of them to
// the stack and put a store-to-load round trip on their dependency chains.
function filterGradBlock(
  xrow: usize, d0: usize, d1: usize, rowBytes: usize, dyRowBytes: usize, owp: i32, oy0: i32, oy1: i32,
  dw: usize, tapStride: usize, con: i32,
): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
  let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
  let a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  for (let oy = oy0; oy < oy1; oy++) {
    let xp = xrow + <usize>oy * rowBytes;
    let p0 = d0 + <usize>oy * dyRowBytes;
    let p1 = d1 + <usize>oy * dyRowBytes;
    for (let ox = 0; ox < owp; ox += 4) {
      const g0 = v128.load(p0);
      const g1 = v128.load(p1);
      let x = v128.load(xp, 0); a00 = madd(x, g0, a00); a01 = madd(x, g1, a01);
      x = v128.load(xp, 4); a10 = madd(x, g0, a10); a11 = madd(x, g1, a11);
      x = v128.load(xp, 8); a20 = madd(x, g0, a20); a21 = madd(x, g1, a21);
      x = v128.load(xp, 12); a30 = madd(x, g0, a30); a31 = madd(x, g1, a31);
      xp += 16; p0 += 16; p1 += 16;
    }
  }
  // dW address of (kw0 + k, co0 + j) = dw + k·tapStride + 4j.
  addTo(dw, hsum(a00));
  addTo(dw + tapStride, hsum(a10));
  addTo(dw + 2 * tapStride, hsum(a20));
  addTo(dw + 3 * tapStride, hsum(a30));
  if (con > 1) {
    addTo(dw + 4, hsum(a01));
    addTo(dw + tapStride + 4, hsum(a11));
    addTo(dw + 2 * tapStride + 4, hsum(a21));
    addTo(dw + 3 * tapStride + 4, hsum(a31));
  }
}

// As filterGradBlock for the single filter column kw0 (the columns past the last block of 4).
function filterGradColumn(
  xrow: usize, d0: usize, d1: usize, rowBytes: usize, dyRowBytes: usize, owp: i32, oy0: i32, oy1: i32,
  dw: usize, con: i32,
): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0);
  for (let oy = oy0; oy < oy1; oy++) {
    let xp = xrow + <usize>oy * rowBytes;
    let p0 = d0 + <usize>oy * dyRowBytes;
    let p1 = d1 + <usize>oy * dyRowBytes;
    let ox = 0;
    for (; ox + 8 <= owp; ox += 8) {
      let x = v128.load(xp);
      a0 = madd(x, v128.load(p0), a0); a1 = madd(x, v128.load(p1), a1);
      x = v128.load(xp, 16);
      b0 = madd(x, v128.load(p0, 16), b0); b1 = madd(x, v128.load(p1, 16), b1);
      xp += 32; p0 += 32; p1 += 32;
    }
    if (ox < owp) {
      const x = v128.load(xp);
      a0 = madd(x, v128.load(p0), a0); a1 = madd(x, v128.load(p1), a1);
    }
  }
  addTo(dw, hsum(f32x4.add(a0, b0)));
  if (con > 1) addTo(dw + 4, hsum(f32x4.add(a1, b1)));
}

/**
 * Filter gradient dW [fh][fw][ci][co] (overwritten) of a stride-1 convolution from the planar
 * padded input xp [n][ci][hp][wp] (hp ≥ oh + fh − 1, wp ≥ owp + fw − 1) and the planar
 * output gradient dyp [n][cop][oh][owp] (owp a multiple of 4 and ≥ ow, cop even and ≥ co, zero
 * in the padding columns and channels).
 */
export function convDirectFilterGrad(
  xp: usize, dyp: usize, n: i32, ci: i32, hp: i32, wp: i32, fh: i32, fw: i32, oh: i32, owp: i32, co: i32, cop: i32,
  dw: usize,
): void {
  memory.fill(dw, 0, <usize>(fh * fw * ci * co) << 2);
  const rowBytes = <usize>wp << 2;
  const plane = <usize>hp * rowBytes;
  const dyRowBytes = <usize>owp << 2;
  const dyPlane = <usize>oh * dyRowBytes;
  const tapStride = <usize>(ci * co) << 2;
  // Output rows per register segment: at most SEG terms per lane, in segments of equal size.
  const segs = (oh + max(1, (SEG * 4) / owp) - 1) / max(1, (SEG * 4) / owp);
  const rowsPerSeg = (oh + segs - 1) / segs;
  const fw4 = fw & ~3;
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < ci; c++) {
      const xc = xp + <usize>(b * ci + c) * plane;
      for (let kh = 0; kh < fh; kh++) {
        const xk = xc + <usize>kh * rowBytes;
        for (let o0 = 0; o0 < co; o0 += 2) {
          const d0 = dyp + <usize>(b * cop + o0) * dyPlane;
          const con = min(2, co - o0);
          for (let oy0 = 0; oy0 < oh; oy0 += rowsPerSeg) {
            const oy1 = min(oh, oy0 + rowsPerSeg);
            for (let kw = 0; kw < fw; kw += kw < fw4 ? KWB : 1) {
              const dwp = dw + (<usize>(((kh * fw + kw) * ci + c) * co + o0) << 2);
              const xrow = xk + (<usize>kw << 2);
              if (kw < fw4) filterGradBlock(xrow, d0, d0 + dyPlane, rowBytes, dyRowBytes, owp, oy0, oy1, dwp, tapStride, con);
              else filterGradColumn(xrow, d0, d0 + dyPlane, rowBytes, dyRowBytes, owp, oy0, oy1, dwp, con);
            }
          }
        }
      }
    }
  }
}
