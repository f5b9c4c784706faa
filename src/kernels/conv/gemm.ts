// GEMM strategies of the forward pass and the input gradient, none of which builds a full
// im2col matrix: ci ≥ 8 reads the image through a per-tap indirection table; ci < 8 reduces over
// whole filter rows (fw·ci floats) of a zero-padded NHWC copy; the strided input gradient
// computes cols (M×K) = dy · Wᵀ in chunks and adds them back with col2im.
import type { NnExports } from '../nn_exports.js';
import type { WasmArena } from '../../wasm/arena.js';
import { indirectionBytes, packedBytes } from '../conv_support.js';
import { outputF32, readPtr } from '../wasm_io.js';
import { IM2COL_MAX_CHANNELS, chunkRows, geometryArgs } from './geometry.js';
import { FilterFormCache } from './packed_filter_cache.js';
import { type ForwardCall, type InputGradAt, forwardEpilogue } from './pass_io.js';

/**
 * True when a GEMM conv with `ci` input channels and K = fh·fw·ci reduces over whole filter
 * rows of a padded copy ('gemm-filter-rows'); false: per-tap indirection ('gemm-indirect').
 */
export function filterRowsFits(ci: number, k: number): boolean {
  return ci < IM2COL_MAX_CHANNELS && k !== 0;
}

/**
 * Runs out (n·oh·ow × co, at pout) = conv(x at px, filter) inside the arena (x already put).
 * Geometry g = (n, h, w, ci, fh, fw, sh, sw, pt, pl, oh, ow); the filter [fh][fw][ci][co] as a
 * packed B of fh·fw·ci rows and co columns (see gemmPackB): its byte address, or a function
 * `packFilter(dst)` that writes it.
 */
export function convForwardAt(
  ex: NnExports, arena: WasmArena, px: number, packFilter: number | ((dst: number) => void), pout: number, g: number[], co: number,
): void {
  const [n, , , ci, fh, fw, , , , , oh, ow] = g;
  const m = n * oh * ow;
  const taps = fh * fw;
  const k = taps * ci;
  let pbp: number;
  if (typeof packFilter === 'number') pbp = packFilter;
  else {
    pbp = arena.alloc(packedBytes(k, co));
    packFilter(pbp);
  }
  if (!filterRowsFits(ci, k)) {
    const pzero = arena.alloc(ci * 4);
    const pind = arena.alloc(indirectionBytes(m, taps));
    arena.f32(pzero, ci).fill(0);
    ex.convIndirection(pind, pzero, px, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11]);
    ex.gemmIndirect(m, co, taps, ci, pind, 4, pbp, pout, co, 0, pzero);
  } else {
    // Few channels: reduce over whole filter rows (fw·ci contiguous floats) of a zero-padded
    // copy of the image, so that the GEMM reads fh runs per output pixel and needs no im2col.
    const hp = (oh - 1) * g[6] + fh;
    const wp = (ow - 1) * g[7] + fw;
    // No copy when the image already is its padded form ('valid', no rows or columns left over).
    const asIs = g[8] === 0 && g[9] === 0 && hp === g[1] && wp === g[2];
    const pxp = asIs ? px : arena.alloc(n * hp * wp * ci * 4);
    const pind = arena.alloc(indirectionBytes(m, fh));
    if (!asIs) ex.convPadNHWC(px, n, g[1], g[2], ci, g[8], g[9], hp, wp, pxp);
    ex.convIndirection(pind, pxp, pxp, n, hp, wp, ci, fh, 1, g[6], g[7], 0, 0, oh, ow);
    ex.gemmIndirect(m, co, fh, fw * ci, pind, 4, pbp, pout, co, 0, 0);
  }
}

/** Packed filters (gemmPackB layout) of the forward GEMM path, kept per filter tensor. */
const packedFilters = new FilterFormCache();

/**
 * Forward strategies 'gemm-filter-rows' and 'gemm-indirect' (convForwardAt picks between them as
 * filterRowsFits says): out [n, oh, ow, co], with the filter packed once or kept (packed_filter_cache.ts).
 */
export function forwardGemm(call: ForwardCall): Float32Array {
  const { backend, xv, wv, info, bias, filterKey } = call;
  const ex = backend.nn.exports as NnExports;
  const arena = backend.nn.arena;
  const co = info.outChannels;
  const m = info.batchSize * info.outHeight * info.outWidth;
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const floats = packedBytes(k, co) / 4;
  arena.reset();
  const px = readPtr(backend, xv);
  const kept = packedFilters.lookup(backend, filterKey, wv, floats);
  const pw = kept !== undefined ? 0 : readPtr(backend, wv);
  const out = outputF32(backend, m * co);
  const pbias = bias ? readPtr(backend, bias) : 0;
  const pack = (dst: number) => {
    ex.gemmPackB(pw, k, co, co, 1, dst);
    packedFilters.remember(backend, filterKey, wv, dst, floats);
  };
  convForwardAt(ex, arena, px, kept ?? pack, out.ptr, geometryArgs(info), co);
  return forwardEpilogue(call, ex, out, pbias);
}

/**
 * Input-gradient strategy 'gemm-rotated' (stride 1): dx = conv(dy, W') with
 * W'[kh][kw][co][ci] = W[fh-1-kh][fw-1-kw][ci][co], padding fh-1-pt, fw-1-pl. W' is packed tap by
 * tap straight from W: rows t·co… of B' are tap (taps-1-t) of W read transposed
 * (B'(r = co index, j = ci index) = W_tap[j·co + r]).
 */
export function inputGradRotated({ ex, arena, info, pdy, pw, pdx }: InputGradAt): void {
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw, batchSize: n } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const { top: pt, left: pl } = info.padInfo;
  const taps = fh * fw;
  const kk = taps * co;
  const pack = (dst: number) => {
    for (let t = 0; t < taps; t++) ex.gemmPackBRows(pw + (taps - 1 - t) * ci * co * 4, co, ci, 1, co, dst, kk, t * co);
  };
  convForwardAt(ex, arena, pdy, pack, pdx, [n, oh, ow, co, fh, fw, 1, 1, fh - 1 - pt, fw - 1 - pl, h, w], ci);
}

/** Input-gradient strategy 'gemm-col2im' (stride > 1): cols (M×K) = dy (M×co) · Wᵀ, then col2im, in chunks. */
export function inputGradCol2im({ ex, arena, info, pdy, pw, pdx }: InputGradAt): void {
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw, batchSize: n } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { top: pt, left: pl } = info.padInfo;
  const k = fh * fw * ci;
  const m = n * oh * ow;
  // B(r = co index, j = k) = W[j·co + r].
  const pbp = arena.alloc(packedBytes(co, k));
  ex.gemmPackB(pw, co, k, 1, co, pbp);
  arena.f32(pdx, n * h * w * ci).fill(0);
  const rows = chunkRows(m, k);
  const pcol = arena.alloc(rows * k * 4);
  const pind = arena.alloc(indirectionBytes(rows, 1));
  for (let m0 = 0; m0 < m; m0 += rows) {
    const count = Math.min(rows, m - m0);
    ex.gemm(count, k, co, pdy + m0 * co * 4, co, 1, pbp, pcol, k, 0, pind);
    ex.convCol2imAdd(pcol, n, h, w, ci, fh, fw, sh, sw, pt, pl, oh, ow, m0, count, pdx);
  }
}
