// Geometry helpers that turn a 2-D convolution (NHWC input x [n][h][w][ci], filter
// [fh][fw][ci][co], output [n][oh][ow][co], output pixel (oy, ox) reading input pixel
// (oy·sh + kh − pt, ox·sw + kw − pl)) into the GEMMs of gemm.ts:
//   - convIndirection: pointer table for gemmIndirect (forward pass without im2col),
//   - convIm2col: explicit patch rows (for few input channels, and for the filter gradient),
//   - convCol2imAdd: scatter-add of patch rows back into an image (the input gradient).
// Output pixel index m = (b·oh + oy)·ow + ox; patch column index = (kh·fw + kw)·ci + c.

// @ts-ignore: decorator
@inline const MR: i32 = 2;

/** Scratch for convIndirection: per row of a tile, image base, first input row and column. */
const ROWS: usize = memory.data(3 * MR * 4, 16);

/** True when every row of a tile (first input rows at iy0, columns at ix0) reads only inside the h×w image. */
// @ts-ignore: decorator
@inline
function tileInside(iy0: usize, ix0: usize, fh: i32, fw: i32, h: i32, w: i32): bool {
  let inside = true;
  for (let r = 0; r < MR; r++) {
    const iy = load<i32>(iy0 + (<usize>r << 2));
    const ix = load<i32>(ix0 + (<usize>r << 2));
    inside = inside && iy >= 0 && iy + fh <= h && ix >= 0 && ix + fw <= w;
  }
  return inside;
}

/**
 * Fills `ind` ([ceil(M/2)][fh·fw][2] u32 byte addresses, M = n·oh·ow) for gemmIndirect: the
 * address of input pixel (b, iy, ix)'s ci channels, or `zero` (ci zero floats) outside the image.
 */
export function convIndirection(
  ind: usize, zero: usize, x: usize, n: i32, h: i32, w: i32, ci: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const m = n * oh * ow;
  const tiles = (m + MR - 1) / MR;
  const rowBytes = <usize>ci << 2;
  // Per row of a tile: image base address and top-left input corner.
  const base = ROWS;
  const iy0 = ROWS + MR * 4;
  const ix0 = ROWS + 2 * MR * 4;
  // Pixel (b, oy, ox) of row mi, stepped along without divisions (rows past m repeat m − 1).
  let b = 0, oy = 0, ox = 0;
  let p = ind;
  for (let t = 0; t < tiles; t++) {
    for (let r = 0; r < MR; r++) {
      store<u32>(base + (<usize>r << 2), <u32>(x + <usize>(b * h * w) * rowBytes));
      store<i32>(iy0 + (<usize>r << 2), oy * sh - pt);
      store<i32>(ix0 + (<usize>r << 2), ox * sw - pl);
      if (t * MR + r + 1 < m && ++ox == ow) {
        ox = 0;
        if (++oy == oh) {
          oy = 0;
          b++;
        }
      }
    }
    if (tileInside(iy0, ix0, fh, fw, h, w)) {
      // No tap of this tile meets padding: row addresses plus one offset per tap, all rows at once.
      for (let r = 0; r < MR; r++) {
        const q = base + (<usize>r << 2);
        store<u32>(q, load<u32>(q) + <u32>((load<i32>(iy0 + (<usize>r << 2)) * w + load<i32>(ix0 + (<usize>r << 2))) * <i32>rowBytes));
      }
      const rows = v128.load(base);
      const rowStep = w * <i32>rowBytes;
      for (let kh = 0; kh < fh; kh++) {
        for (let kw = 0; kw < fw; kw++) {
          // The MR = 2 row addresses (lanes 0–1) as one 8-byte store.
          store<u64>(p, i64x2.extract_lane(i32x4.add(rows, i32x4.splat(kh * rowStep + kw * <i32>rowBytes)), 0));
          p += MR * 4;
        }
      }
      continue;
    }
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        for (let r = 0; r < MR; r++) {
          const iy = load<i32>(iy0 + (<usize>r << 2)) + kh;
          const ix = load<i32>(ix0 + (<usize>r << 2)) + kw;
          let a = zero;
          if (<u32>iy < <u32>h && <u32>ix < <u32>w) {
            a = <usize>load<u32>(base + (<usize>r << 2)) + <usize>(iy * w + ix) * rowBytes;
          }
          store<u32>(p, <u32>a);
          p += 4;
        }
      }
    }
  }
}

/**
 * Fills `ind` ([ceil(K/2)][n·oh][2] u32 byte addresses, K = fh·fw·ci) for gemmIndirect to compute
 * the filter gradient dW (K×co) = Σ_pixels patchᵀ · dy of a convolution that reads no padding:
 * row (kh·fw + kw)·ci + c of tap (b, oy) points at x[b][oy·sh + kh][kw][c], and the tap's ow
 * steps (output columns) are sw·ci floats apart. B is then dy (n·oh·ow × co) packed as is.
 */
export function convFilterGradIndirection(ind: usize, x: usize, n: i32, h: i32, w: i32, ci: i32, fh: i32, fw: i32, sh: i32, oh: i32): void {
  const k = fh * fw * ci;
  const tiles = (k + MR - 1) / MR;
  const rowLen = fw * ci;
  const base = ROWS;
  let p = ind;
  for (let t = 0; t < tiles; t++) {
    // Offsets of the tile's MR rows inside a tap (rows past K repeat the last one).
    for (let r = 0; r < MR; r++) {
      const row = min(t * MR + r, k - 1);
      const kh = row / rowLen;
      store<u32>(base + (<usize>r << 2), <u32>(x + (<usize>(kh * w * ci + row - kh * rowLen) << 2)));
    }
    const rows = v128.load(base);
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < oh; oy++) {
        store<u64>(p, i64x2.extract_lane(i32x4.add(rows, i32x4.splat(((b * h + oy * sh) * w * ci) << 2)), 0));
        p += MR * 4;
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function copyFloats(dst: usize, src: usize, len: i32): void {
  let j = 0;
  for (; j + 4 <= len; j += 4) v128.store(dst + (<usize>j << 2), v128.load(src + (<usize>j << 2)));
  for (; j < len; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
}

// @ts-ignore: decorator
@inline
function addFloats(dst: usize, src: usize, len: i32): void {
  let j = 0;
  for (; j + 4 <= len; j += 4) {
    const p = dst + (<usize>j << 2);
    v128.store(p, f32x4.add(v128.load(p), v128.load(src + (<usize>j << 2))));
  }
  for (; j < len; j++) {
    const p = dst + (<usize>j << 2);
    store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>j << 2)));
  }
}

/**
 * Writes patch rows m0 … m0+count−1 of x into out (count × fh·fw·ci floats, row-major),
 * zeros where the filter overhangs the image.
 */
export function convIm2col(
  x: usize, n: i32, h: i32, w: i32, ci: i32, fh: i32, fw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
  oh: i32, ow: i32, m0: i32, count: i32, out: usize,
): void {
  const kdim = fh * fw * ci;
  const runBytes = <usize>(fw * ci) << 2;
  for (let i = 0; i < count; i++) {
    const mi = m0 + i;
    const ox = mi % ow;
    const q = mi / ow;
    const oy = q % oh;
    const b = q / oh;
    const ix0 = ox * sw - pl;
    const rowOut = out + (<usize>i * <usize>kdim << 2);
    for (let kh = 0; kh < fh; kh++) {
      const iy = oy * sh + kh - pt;
      const dst = rowOut + (<usize>(kh * fw * ci) << 2);
      if (<u32>iy >= <u32>h) {
        memory.fill(dst, 0, runBytes);
        continue;
      }
      const rowIn = x + (<usize>((b * h + iy) * w) * <usize>ci << 2);
      if (ix0 >= 0 && ix0 + fw <= w) {
        copyFloats(dst, rowIn + (<usize>(ix0 * ci) << 2), fw * ci);
      } else {
        for (let kw = 0; kw < fw; kw++) {
          const ix = ix0 + kw;
          const d = dst + (<usize>(kw * ci) << 2);
          if (<u32>ix < <u32>w) copyFloats(d, rowIn + (<usize>(ix * ci) << 2), ci);
          else memory.fill(d, 0, <usize>ci << 2);
        }
      }
    }
  }
}

/**
 * Adds patch rows m0 … m0+count−1 (cols: count × fh·fw·ci floats) into image dx [n][h][w][ci]
 * at the pixels they were taken from (the adjoint of convIm2col); overhanging parts are dropped.
 */
export function convCol2imAdd(
  cols: usize, n: i32, h: i32, w: i32, ci: i32, fh: i32, fw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
  oh: i32, ow: i32, m0: i32, count: i32, dx: usize,
): void {
  const kdim = fh * fw * ci;
  for (let i = 0; i < count; i++) {
    const mi = m0 + i;
    const ox = mi % ow;
    const q = mi / ow;
    const oy = q % oh;
    const b = q / oh;
    const ix0 = ox * sw - pl;
    const rowIn = cols + (<usize>i * <usize>kdim << 2);
    for (let kh = 0; kh < fh; kh++) {
      const iy = oy * sh + kh - pt;
      if (<u32>iy >= <u32>h) continue;
      const src = rowIn + (<usize>(kh * fw * ci) << 2);
      const rowOut = dx + (<usize>((b * h + iy) * w) * <usize>ci << 2);
      if (ix0 >= 0 && ix0 + fw <= w) {
        // The taps of one filter row read fw consecutive pixels: one contiguous run.
        addFloats(rowOut + (<usize>(ix0 * ci) << 2), src, fw * ci);
        continue;
      }
      for (let kw = 0; kw < fw; kw++) {
        const ix = ix0 + kw;
        if (<u32>ix < <u32>w) addFloats(rowOut + (<usize>(ix * ci) << 2), src + (<usize>(kw * ci) << 2), ci);
      }
    }
  }
}

/**
 * Patch rows m0 … m0+count−1 of x written straight into the packed-B layout of gemm.ts:
 * [ceil(K/16)][panelRows][16] floats at dst (K = fh·fw·ci; lanes past K zero-filled), rows at
 * 0 … count−1 of each panel, so that patches can be the right operand of a GEMM reducing over
 * pixels (the filter gradient). panelRows ≥ count is the packed block's row count: a caller
 * that splits the rows (src/wasm/parallel_gemm.ts) writes each part at its row offset.
 */
export function convIm2colPacked(
  x: usize, n: i32, h: i32, w: i32, ci: i32, fh: i32, fw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
  oh: i32, ow: i32, m0: i32, count: i32, dst: usize, panelRows: i32,
): void {
  const kdim = fh * fw * ci;
  const kpad = ((kdim + 15) >> 4) << 4;
  const panelBytes = <usize>panelRows << 6;
  // With ci a multiple of 4, every tap's channel run starts on a lane multiple of 4, so each
  // group of 4 channels lands inside one panel row: one f32x4 store.
  const vec = (ci & 3) == 0;
  const zero = f32x4.splat(0);
  for (let i = 0; i < count; i++) {
    const mi = m0 + i;
    const ox = mi % ow;
    const q = mi / ow;
    const oy = q % oh;
    const b = q / oh;
    const rowDst = dst + (<usize>i << 6);
    for (let kh = 0; kh < fh; kh++) {
      const iy = oy * sh + kh - pt;
      for (let kw = 0; kw < fw; kw++) {
        const ix = ox * sw + kw - pl;
        const inside = <u32>iy < <u32>h && <u32>ix < <u32>w;
        const src = inside ? x + (<usize>((b * h + iy) * w + ix) * <usize>ci << 2) : 0;
        const pos0 = (kh * fw + kw) * ci;
        if (vec) {
          for (let c = 0; c < ci; c += 4) {
            const pos = pos0 + c;
            const d = rowDst + <usize>(pos >> 4) * panelBytes + (<usize>(pos & 15) << 2);
            v128.store(d, inside ? v128.load(src + (<usize>c << 2)) : zero);
          }
        } else {
          for (let c = 0; c < ci; c++) {
            const pos = pos0 + c;
            const d = rowDst + <usize>(pos >> 4) * panelBytes + (<usize>(pos & 15) << 2);
            store<f32>(d, inside ? load<f32>(src + (<usize>c << 2)) : 0);
          }
        }
      }
    }
    for (let pos = kdim; pos < kpad; pos++) {
      store<f32>(rowDst + <usize>(pos >> 4) * panelBytes + (<usize>(pos & 15) << 2), 0);
    }
  }
}

/**
 * Patch rows m0 … m0+count−1 of x stored transposed: dst [K][count] floats (K = fh·fw·ci), so
 * that patch columns are contiguous rows of a GEMM's left operand. `rows` is scratch for 4·K
 * floats: four patch rows at a time are transposed in 4×4 SIMD blocks.
 */
export function convIm2colTransposed(
  x: usize, n: i32, h: i32, w: i32, ci: i32, fh: i32, fw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
  oh: i32, ow: i32, m0: i32, count: i32, rows: usize, dst: usize,
): void {
  const kdim = fh * fw * ci;
  const stride = <usize>count << 2;
  const rb = <usize>kdim << 2;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    convIm2col(x, n, h, w, ci, fh, fw, sh, sw, pt, pl, oh, ow, m0 + i, 4, rows);
    let j = 0;
    for (; j + 4 <= kdim; j += 4) {
      const s = rows + (<usize>j << 2);
      const r0 = v128.load(s);
      const r1 = v128.load(s + rb);
      const r2 = v128.load(s + 2 * rb);
      const r3 = v128.load(s + 3 * rb);
      const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
      const t2 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7);
      const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
      const d = dst + <usize>j * stride + (<usize>i << 2);
      v128.store(d, v128.shuffle<i64>(t0, t1, 0, 2));
      v128.store(d + stride, v128.shuffle<i64>(t0, t1, 1, 3));
      v128.store(d + 2 * stride, v128.shuffle<i64>(t2, t3, 0, 2));
      v128.store(d + 3 * stride, v128.shuffle<i64>(t2, t3, 1, 3));
    }
    for (; j < kdim; j++) {
      for (let r = 0; r < 4; r++) {
        store<f32>(dst + <usize>j * stride + (<usize>(i + r) << 2), load<f32>(rows + <usize>r * rb + (<usize>j << 2)));
      }
    }
  }
  for (; i < count; i++) {
    convIm2col(x, n, h, w, ci, fh, fw, sh, sw, pt, pl, oh, ow, m0 + i, 1, rows);
    let d = dst + (<usize>i << 2);
    for (let j = 0; j < kdim; j++) {
      store<f32>(d, load<f32>(rows + (<usize>j << 2)));
      d += stride;
    }
  }
}

/**
 * dst [n][hp][wp][ci] = src [n][h][w][ci] shifted down by pt rows and right by pl columns, zero
 * elsewhere: a padded image whose filter-row runs (fw·ci floats) are contiguous and in bounds,
 * so that gemmIndirect can reduce over whole filter rows (taps = fh, kt = fw·ci).
 */
export function convPadNHWC(
  src: usize, n: i32, h: i32, w: i32, ci: i32, pt: i32, pl: i32, hp: i32, wp: i32, dst: usize,
): void {
  const y0 = max(0, pt);
  const y1 = min(hp, h + pt);
  const x0 = max(0, pl);
  const x1 = min(wp, w + pl);
  const rowBytes = <usize>(wp * ci) << 2;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < hp; y++) {
      const d = dst + <usize>(b * hp + y) * rowBytes;
      if (y < y0 || y >= y1 || x1 <= x0) {
        memory.fill(d, 0, rowBytes);
        continue;
      }
      memory.fill(d, 0, <usize>(x0 * ci) << 2);
      copyFloats(d + (<usize>(x0 * ci) << 2), src + (<usize>(((b * h + y - pt) * w + x0 - pl) * ci) << 2), (x1 - x0) * ci);
      memory.fill(d + (<usize>(x1 * ci) << 2), 0, <usize>((wp - x1) * ci) << 2);
    }
  }
}

// Direct stride-1 kernels for few-channel layers (channel-planar, vectorised over pixels).
export * from './conv_direct';
// Row-scatter input gradient for few input channels (fw·ci contiguous dx floats per filter row).
export * from './conv_scatter';
