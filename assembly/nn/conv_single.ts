// Input gradient of a stride-1 convolution with ONE input channel (LeNet-5's first layer,
// 5x5 1→6): dx[b][y][x] = Σ_{kh,kw,c} Wr[c][kh][kw] · P[c][y+kh][x+kw], where P is dy of image b
// rewritten channel-planar with zero borders (dy pixel (oy, ox) at plane position (oy+ty, ox+tx),
// ty = fh−1−pt, tx = fw−1−pl) and Wr the filter rotated by 180° (Wr[c][kh][kw] = W[fh−1−kh][fw−1−kw][0][c]).
// Every multiply is a useful filter tap. Vectorised over 8 consecutive dx pixels of a row and
// blocked over 2 dx rows (4 f32x4 accumulators), so that each weight splat feeds 4 vector
// multiply-adds. One image's planes (co·hp·wp floats) are rebuilt in a scratch buffer
// whose zero borders are written once, so they stay in cache next to the compute.

/** dx rows per register tile. */
// @ts-ignore: decorator
@inline const TR: i32 = 2;
/** dx pixels per register tile row (two f32x4). */
// @ts-ignore: decorator
@inline const TC: i32 = 8;

/** The running TR×TC tile of sums over channels. */
const TOT: usize = memory.data(TR * TC * 4, 16);

/**
 * dx [n][h][w] (= NHWC with one channel, overwritten) from dy [n][oh][ow][co] (NHWC) and the
 * rotated filter wr [co][fh][fw]; dy pixel (oy, ox) meets dx pixel (oy + ty − kh, ox + tx − kw)
 * through wr[c][kh][kw]. scratch: co·hp·wp floats with hp ≥ ceil(h/2)·2 + fh − 1 and
 * wp ≥ ceil(w/8)·8 + fw − 1. ty and tx may be negative (explicit padding beyond the filter).
 */
export function convSingleInputGrad(
  dy: usize, n: i32, oh: i32, ow: i32, co: i32, wr: usize, fh: i32, fw: i32, ty: i32, tx: i32,
  h: i32, w: i32, dx: usize, scratch: usize, hp: i32, wp: i32,
): void {
  const rowBytes = <usize>wp << 2;
  const planeBytes = <usize>hp * rowBytes;
  memory.fill(scratch, 0, <usize>co * planeBytes);
  // dy rows/columns that land inside the planes.
  const oy0 = max(0, -ty);
  const oy1 = min(oh, hp - ty);
  const ox0 = max(0, -tx);
  const ox1 = min(ow, wp - tx);
  const tapBytes = <usize>fw << 2;
  // Plane rows r0 … r1−1 hold dy; a tile skips the filter rows that only meet zero rows.
  const r0 = oy0 + ty;
  const r1 = oy1 + ty;
  for (let b = 0; b < n; b++) {
    if (oy0 < oy1 && ox0 < ox1) {
      singlePlanes(dy + (<usize>(b * oh) * <usize>ow * <usize>co << 2), ow, co, oy0, oy1, ox0, ox1, ty, tx, scratch, rowBytes, planeBytes);
    }
    const img = dx + (<usize>(b * h) * <usize>w << 2);
    for (let y0 = 0; y0 < h; y0 += TR) {
      const rows = min(TR, h - y0);
      const kh0 = max(0, r0 - y0 - TR + 1);
      const kh1 = max(kh0, min(fh, r1 - y0));
      for (let x0 = 0; x0 < w; x0 += TC) {
        const cols = min(TC, w - x0);
        const dst = img + (<usize>(y0 * w + x0) << 2);
        singleTile(
          scratch + <usize>y0 * rowBytes + (<usize>x0 << 2), rowBytes, planeBytes, co, fh, fw, kh0, kh1, tapBytes, wr, dst,
          <usize>w << 2, rows, cols,
        );
      }
    }
  }
}

/**
 * Writes the dy pixels oy0…oy1−1 × ox0…ox1−1 of one image (NHWC, at src) into the planes
 * [co][hp][wp] at (oy + ty, ox + tx). Four channels at a time are moved as one vector per pixel
 * where co allows (the stores stay scalar: the planes are co apart).
 */
function singlePlanes(
  src: usize, ow: i32, co: i32, oy0: i32, oy1: i32, ox0: i32, ox1: i32, ty: i32, tx: i32,
  planes: usize, rowBytes: usize, planeBytes: usize,
): void {
  const pixBytes = <usize>co << 2;
  for (let oy = oy0; oy < oy1; oy++) {
    const s0 = src + (<usize>(oy * ow + ox0) * pixBytes);
    const d0 = planes + <usize>(oy + ty) * rowBytes + (<usize>(ox0 + tx) << 2);
    let c = 0;
    for (; c + 4 <= co; c += 4) {
      let s = s0 + (<usize>c << 2);
      let d = d0 + <usize>c * planeBytes;
      for (let ox = ox0; ox < ox1; ox++) {
        const v = v128.load(s);
        store<f32>(d, f32x4.extract_lane(v, 0));
        store<f32>(d + planeBytes, f32x4.extract_lane(v, 1));
        store<f32>(d + 2 * planeBytes, f32x4.extract_lane(v, 2));
        store<f32>(d + 3 * planeBytes, f32x4.extract_lane(v, 3));
        s += pixBytes;
        d += 4;
      }
    }
    for (; c < co; c++) {
      let s = s0 + (<usize>c << 2);
      let d = d0 + <usize>c * planeBytes;
      for (let ox = ox0; ox < ox1; ox++) {
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

// acc + ((vector at q + off) · v + (vector at q + off + 4) · u): two filter columns, one add
// on the accumulator's dependency chain (its latency, not the FP units, would bound the loop).
// @ts-ignore: decorator
@inline function madd2(acc: v128, q: usize, off: usize, v: v128, u: v128): v128 {
  return f32x4.add(acc, f32x4.add(f32x4.mul(v128.load(q + off), v), f32x4.mul(v128.load(q + off + 4), u)));
}

// One tile of TR dx rows × TC pixels: Σ over channels, filter rows kh0 … kh1−1 (the others only
// meet zero padding) and filter columns, one
// weight splat per tap feeding 4 vector multiply-adds over rows p and p+1 of the planes, filter
// columns taken two at a time (madd2). Kept this small on purpose: V8 issues a loop body's loads first, so a
// body with more loads or accumulators spills to the stack. Each channel's sum (fh·fw terms per
// lane) is made in registers and then added into the TOT tile (blocked summation: partial sums
// stay small). Stores `rows` × `cols` of the tile at dst (row stride dstRow bytes).
function singleTile(
  p: usize, rowBytes: usize, planeBytes: usize, co: i32, fh: i32, fw: i32, kh0: i32, kh1: i32, tapBytes: usize,
  wr: usize, dst: usize, dstRow: usize, rows: i32, cols: i32,
): void {
  const fw2 = <usize>(fw & ~1) << 2;
  for (let c = 0; c < co; c++) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
    let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let r0 = p + <usize>c * planeBytes + <usize>kh0 * rowBytes;
    let wp = wr + <usize>(c * fh + kh0) * tapBytes;
    for (let kh = kh0; kh < kh1; kh++) {
      let q0 = r0;
      let q1 = r0 + rowBytes;
      const w2 = wp + fw2;
      const wEnd = wp + tapBytes;
      while (wp < w2) {
        const v = v128.load32_splat(wp);
        const u = v128.load32_splat(wp, 4);
        a00 = madd2(a00, q0, 0, v, u); a01 = madd2(a01, q0, 16, v, u);
        a10 = madd2(a10, q1, 0, v, u); a11 = madd2(a11, q1, 16, v, u);
        wp += 8;
        q0 += 8; q1 += 8;
      }
      if (wp < wEnd) {
        const v = v128.load32_splat(wp);
        a00 = madd(a00, q0, 0, v); a01 = madd(a01, q0, 16, v); a10 = madd(a10, q1, 0, v); a11 = madd(a11, q1, 16, v);
        wp += 4;
      }
      r0 += rowBytes;
    }
    if (c == 0) {
      v128.store(TOT, a00, 0); v128.store(TOT, a01, 16); v128.store(TOT, a10, 32); v128.store(TOT, a11, 48);
    } else {
      v128.store(TOT, f32x4.add(v128.load(TOT, 0), a00), 0); v128.store(TOT, f32x4.add(v128.load(TOT, 16), a01), 16);
      v128.store(TOT, f32x4.add(v128.load(TOT, 32), a10), 32); v128.store(TOT, f32x4.add(v128.load(TOT, 48), a11), 48);
    }
  }
  if (rows == TR && cols == TC) {
    v128.store(dst, v128.load(TOT, 0)); v128.store(dst, v128.load(TOT, 16), 16);
    dst += dstRow;
    v128.store(dst, v128.load(TOT, 32)); v128.store(dst, v128.load(TOT, 48), 16);
    return;
  }
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + <usize>r * dstRow, TOT + (<usize>(r * TC) << 2), <usize>cols << 2);
  }
}
