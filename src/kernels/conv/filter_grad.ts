// Filter-gradient strategies dW [fh, fw, ci, co] from x [n, h, w, ci] and dy [n, oh, ow, co],
// each laying out both GEMM operands to stream contiguously; plan.ts picks one by shape.
import { NR, indirectionBytes, packedBytes } from '../conv_support.js';
import { IM2COL_MAX_CHANNELS, type Conv2DInfo, chunkRows, geometryArgs } from './geometry.js';
import { DIRECT_MIN_USE, directPlane } from './direct.js';
import type { FilterGradAt } from './pass_io.js';
import { runPerImage, runPerImageSum } from './per_image.js';

/** Filter-column block of convDirectFilterGrad. */
const DIRECT_FILTER_GRAD_KWB = 4;
/** The filter-gradient GEMM over x's filter rows runs when at least this fraction of dy's 8-column panel lanes is used. */
const ROW_GEMM_MIN_USE = 0.8;
/** Filter gradient: bytes of packed patches per chunk (fewer chunks = fewer passes over dW). */
const FILTER_GRAD_CHUNK_BYTES = 8 << 20;
const FILTER_GRAD_MIN_ROWS = 192;

/**
 * True when the filter gradient runs as one GEMM whose A rows are read straight from x through
 * convFilterGradIndirection (no im2col, no transposes): no padding, few input channels (a
 * filter row's fw·ci floats lie together in x; LeNet 6→16) and output channels filling dy's
 * 8-column panels.
 */
export function rowGemmFilterGradFits(c: Conv2DInfo): boolean {
  const p = c.padInfo;
  if (p.top !== 0 || p.bottom !== 0 || p.left !== 0 || p.right !== 0 || c.outWidth === 0) return false;
  return c.inChannels < IM2COL_MAX_CHANNELS && c.outChannels / (Math.ceil(c.outChannels / NR) * NR) >= ROW_GEMM_MIN_USE;
}

/**
 * True when convDirectFilterGrad covers a filter gradient well (stride 1, few input channels):
 * its 4-pixel lanes mostly used, and most filter columns in its blocks of 4 (the columns past
 * the last block run one at a time, at half the speed).
 */
export function directFilterGradFits(c: Conv2DInfo): boolean {
  if (c.strideHeight !== 1 || c.strideWidth !== 1 || c.outWidth === 0) return false;
  if (c.inChannels >= IM2COL_MAX_CHANNELS || c.outChannels > 64) return false;
  const fw = c.filterWidth;
  const use = (c.outWidth / (Math.ceil(c.outWidth / 4) * 4)) * ((fw - (fw % DIRECT_FILTER_GRAD_KWB)) / fw);
  return use >= DIRECT_MIN_USE;
}

/** True for a 1x1 conv without padding on ci ≥ 8 channels ('gemm-1x1'). */
export function filterGrad1x1Fits(c: Conv2DInfo): boolean {
  return c.filterHeight === 1 && c.filterWidth === 1 && c.padInfo.top === 0 && c.padInfo.left === 0 && c.inChannels >= IM2COL_MAX_CHANNELS;
}

/**
 * 'row-gemm': dW (K×co) = Σ_pixels patchᵀ · dy: A row (kh, kw, c) of tap (b, oy) is x read along
 * the output row with stride sw·ci; B is dy packed as it is (pixel-major). No padding, ci < 8 (LeNet 6→16).
 */
export function filterGradRowGemm({ ex, arena, info, px, pdy, pdw }: FilterGradAt): void {
  const { batchSize: n, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  const k = fh * fw * ci;
  const m = n * oh * ow;
  const pbp = arena.alloc(packedBytes(m, co));
  const pind = arena.alloc(indirectionBytes(k, n * oh));
  ex.gemmPackB(pdy, m, co, co, 1, pbp);
  ex.convFilterGradIndirection(pind, px, n, info.inHeight, info.inWidth, ci, fh, fw, sh, oh);
  ex.gemmIndirect(k, co, n * oh, ow, pind, sw * ci * 4, pbp, pdw, co, 0, 0);
}

/**
 * 'direct': stride 1 with ci < 8, the direct kernel (pixel-vectorised reduction) over channel-planar
 * padded copies; large batches as partial sums of 8 images, split over threads (runPerImageSum).
 */
export function filterGradDirect({ backend, arena, info, px, pdy, pdw }: FilterGradAt): void {
  const { batchSize: n, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w } = info;
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  const { hp, wp } = directPlane(oh, ow, fh, fw);
  const owp = Math.ceil(ow / 4) * 4;
  const cop = co + (co & 1);
  const pxp = arena.alloc(n * ci * hp * wp * 4);
  const pdyp = arena.alloc(n * cop * oh * owp * 4);
  const macs = n * oh * ow * co * fh * fw * ci;
  const xPlanes = ci * hp * wp * 4, dyPlanes = cop * oh * owp * 4;
  const pad = (args: number[], inBytes: number, outBytes: number) => runPerImage(backend, 'convPlanarPad', {
    args, countIndex: 1, imageBytes: [inBytes, 0, 0, 0, 0, 0, 0, 0, 0, 0, outBytes], scratchIndex: -1, scratchBytes: 0, macs,
  });
  pad([px, n, h, w, ci, info.padInfo.top, info.padInfo.left, ci, hp, wp, pxp], h * w * ci * 4, xPlanes);
  pad([pdy, n, oh, ow, co, 0, 0, cop, oh, owp, pdyp], oh * ow * co * 4, dyPlanes);
  runPerImageSum(backend, 'convDirectFilterGrad', {
    args: [pxp, pdyp, n, ci, hp, wp, fh, fw, oh, owp, co, cop, pdw], countIndex: 2,
    imageBytes: [xPlanes, dyPlanes, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], macs,
  }, 12, fh * fw * ci * co);
}

/**
 * 'gemm-1x1': 1x1 without padding (ResNet's strided shortcuts, the MoE's bottlenecks): dW (ci×co)
 * = Xᵀ · dy with X (m×ci) the input pixels the conv reads (x itself at stride 1, else a strided
 * copy), transposed so that the GEMM's A rows run contiguously along the pixels.
 */
export function filterGrad1x1({ ex, arena, info, px, pdy, pdw }: FilterGradAt): void {
  const g = geometryArgs(info);
  const { inChannels: ci, outChannels: co } = info;
  const m = info.batchSize * info.outHeight * info.outWidth;
  const strided = info.strideHeight !== 1 || info.strideWidth !== 1;
  const pxs = strided ? arena.alloc(m * ci * 4) : px;
  if (strided) ex.convIm2col(px, g[0], g[1], g[2], g[3], 1, 1, g[6], g[7], 0, 0, g[10], g[11], 0, m, pxs);
  const pxT = arena.alloc(m * ci * 4);
  const pbp = arena.alloc(packedBytes(m, co));
  const pind = arena.alloc(indirectionBytes(ci, 1));
  ex.gemmTranspose(pxs, m, ci, pxT, m);
  ex.gemmPackB(pdy, m, co, co, 1, pbp);
  ex.gemm(ci, co, m, pxT, m, 1, pbp, pdw, co, 0, pind);
}

/**
 * 'gemm-few-pixels' (fewer pixels than filters, deep layers): dW (K×co) = Σ patchesᵀ · dy
 * straight into place, in chunks of pixels, with the patches stored transposed ([K][rows]) and dy packed as B.
 */
export function filterGradFewPixels({ ex, arena, info, px, pdy, pdw }: FilterGradAt): void {
  const g = geometryArgs(info);
  const co = info.outChannels;
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const m = info.batchSize * info.outHeight * info.outWidth;
  const rows = chunkRows(m, k, FILTER_GRAD_CHUNK_BYTES, FILTER_GRAD_MIN_ROWS);
  const pcolT = arena.alloc(k * rows * 4);
  const prows = arena.alloc(4 * k * 4);
  const pbp = arena.alloc(packedBytes(rows, co));
  const pind = arena.alloc(indirectionBytes(k, 1));
  for (let m0 = 0; m0 < m; m0 += rows) {
    const count = Math.min(rows, m - m0);
    ex.convIm2colTransposed(px, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], m0, count, prows, pcolT);
    ex.gemmPackB(pdy + m0 * co * 4, count, co, co, 1, pbp);
    ex.gemm(k, co, count, pcolT, count, 1, pbp, pdw, co, m0 > 0 ? 1 : 0, pind);
  }
}

/** 'gemm-many-pixels': dWᵀ (co×K) = Σ dyᵀ · patches in chunks of pixels, the patches written straight into packed-B layout. */
export function filterGradManyPixels({ ex, arena, info, px, pdy, pdw }: FilterGradAt): void {
  const g = geometryArgs(info);
  const co = info.outChannels;
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const m = info.batchSize * info.outHeight * info.outWidth;
  const rows = chunkRows(m, k, FILTER_GRAD_CHUNK_BYTES, FILTER_GRAD_MIN_ROWS);
  const pdyT = arena.alloc(co * rows * 4);
  const pcol = arena.alloc(packedBytes(rows, k));
  const pdwT = arena.alloc(co * k * 4);
  const pind = arena.alloc(indirectionBytes(co, 1));
  for (let m0 = 0; m0 < m; m0 += rows) {
    const count = Math.min(rows, m - m0);
    ex.gemmTranspose(pdy + m0 * co * 4, count, co, pdyT, count);
    ex.convIm2colPacked(px, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], m0, count, pcol, count);
    ex.gemm(co, k, count, pdyT, count, 1, pcol, pdwT, k, m0 > 0 ? 1 : 0, pind);
  }
  ex.gemmTranspose(pdwT, co, k, pdw, co);
}
