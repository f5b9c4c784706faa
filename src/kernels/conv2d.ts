// Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter on backend `wmoe` (NHWC,
// filter [fh][fw][ci][co]), routed by shape:
//   forward        few channels at stride 1 (LeNet 1→6): direct kernel of conv_direct.ts,
//                  8 pixels × 6 channels per tile on a channel-planar padded copy; other ci < 8:
//                  GEMM over whole filter rows (fw·ci floats) of a zero-padded NHWC copy (no
//                  im2col); ci ≥ 8: GEMM through a per-tap indirection table (no im2col);
//   input grad     one input channel at stride 1 (LeNet 1→6): conv_single_channel.ts; few
//                  input channels with fw·ci filling 8-float passes (LeNet 6→16): row
//                  scatter of conv_scatter.ts, dx row segment += dy pixel · W row (any stride);
//                  else stride 1: the forward conv of dy with the filter rotated by 180° and
//                  ci/co swapped (direct kernel when ci < 8, skipping all-padding filter rows);
//                  stride > 1: cols (M×K) = dy (M×co) · Wᵀ, then col2im, in chunks;
//   filter grad    no padding, ci < 8 and co filling 8-column panels (LeNet 6→16): one GEMM whose
//                  A rows are x's filter rows read through an indirection table (any stride);
//                  else stride 1 with ci < 8: direct kernel (pixel-vectorised reduction); 1x1 without
//                  padding: one GEMM Xᵀ·dy over the pixels read (transposed copy); else reduced over
//                  batch × pixels in chunks: dWᵀ (co×K) = Σ dyᵀ · patches in packed-GEMM layout
//                  (many pixels), or dW = Σ patchesᵀ · dy with transposed patches (deep layers).
// The forward GEMM path keeps the packed form of a large filter tensor used a second time (keyed
// by its data id, as tfjs-backend-wasm keeps XNNPACK's packed weights), so repeated inference
// calls skip copying the raw filter in and repacking it (~2 ms of 21 for ResNet's 3x3 512→512).
// NCHW, dilations > 1, non-float32 inputs and a backprop dy larger than the conv's output (which
// cpu reads as its leading window) run tfjs-backend-cpu's kernels instead.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import type { NnExports } from './nn_exports.js';
import type { WasmArena } from '../wasm/arena.js';
import { MR, NR, applyCpuActivation, biasVector, indirectionBytes, packedBytes, wasmActivationCode } from './conv_support.js';
import { type KernelArgs as GemmKernelArgs, cpuKernel, outputF32, readPtr, wmoeKernel } from './wasm_io.js';
import { singleChannelInputGrad, singleChannelInputGradFits } from './conv_single_channel.js';

type Conv2DInfo = tf.backend_util.Conv2DInfo;
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** Below this many input channels the forward pass reduces over filter rows of a padded copy instead of per-tap indirection. */
const IM2COL_MAX_CHANNELS = 8;
/** Output-channel block of convDirectForward (its weights are packed in blocks of 6). */
const DIRECT_COB = 6;
/** Filter-column block of convDirectForward's padded rows. */
const DIRECT_KWB = 5;
/** Filter-column block of convDirectFilterGrad. */
const DIRECT_FILTER_GRAD_KWB = 4;
/** Direct kernels run when at least this fraction of their padded pixel (and column) lanes is used. */
const DIRECT_MIN_USE = 0.75;

/** The filter-gradient GEMM over x's filter rows runs when at least this fraction of dy's 8-column panel lanes is used. */
const ROW_GEMM_MIN_USE = 0.8;

/** Target bytes of one im2col / col2im chunk (rows are added up to at least MIN_CHUNK_ROWS). */
const CHUNK_BYTES = 1 << 20;
const MIN_CHUNK_ROWS = 96;
/** Filter gradient: bytes of packed patches per chunk (fewer chunks = fewer passes over dW). */
const FILTER_GRAD_CHUNK_BYTES = 8 << 20;
const FILTER_GRAD_MIN_ROWS = 192;

/**
 * Rows per chunk for K-long rows: about `bytes` of rows (at least minRows, at most m), evened
 * out so that the last chunk is not a small remainder (each chunk is a pass over the output).
 */
function chunkRows(m: number, k: number, bytes = CHUNK_BYTES, minRows = MIN_CHUNK_ROWS): number {
  const target = Math.max(minRows, Math.floor(bytes / (4 * Math.max(k, 1))));
  const chunks = Math.max(1, Math.ceil(m / target));
  return Math.max(1, Math.min(m, Math.ceil(m / chunks / MR) * MR));
}

/** (n, h, w, ci, fh, fw, sh, sw, pt, pl, oh, ow) as the conv* exports take them. */
function geometryArgs(c: Conv2DInfo): number[] {
  return [
    c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.filterHeight, c.filterWidth, c.strideHeight,
    c.strideWidth, c.padInfo.top, c.padInfo.left, c.outHeight, c.outWidth,
  ];
}

/** True when the WASM kernels cover this call: NHWC, no dilation, float32 operands. */
function wasmCovers(dataFormat: unknown, dilations: unknown, ...tensors: TensorInfo[]): boolean {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') return false;
  if (dilations !== undefined) {
    const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : (dilations as number[]);
    if (dh !== 1 || dw !== 1) return false;
  }
  return tensors.every((t) => t.dtype === 'float32');
}

/**
 * Runs out (n·oh·ow × co, at pout) = conv(x at px, filter) inside the arena (x already put).
 * Geometry g = (n, h, w, ci, fh, fw, sh, sw, pt, pl, oh, ow); `packFilter(dst)` writes the filter
 * [fh][fw][ci][co] as a packed B of fh·fw·ci rows and co columns (see gemmPackB).
 */
function convForwardAt(
  ex: NnExports, arena: WasmArena, px: number, packFilter: (dst: number) => void, pout: number, g: number[], co: number,
): void {
  const [n, , , ci, fh, fw, , , , , oh, ow] = g;
  const m = n * oh * ow;
  const taps = fh * fw;
  const k = taps * ci;
  const pbp = arena.alloc(packedBytes(k, co));
  packFilter(pbp);
  if (ci >= IM2COL_MAX_CHANNELS || k === 0) {
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

/** Planar padded image size (rows hp, row length wp) that the direct kernels of conv_direct.ts need. */
function directPlane(oh: number, ow: number, fh: number, fw: number): { hp: number; wp: number } {
  return { hp: oh + fh - 1, wp: Math.ceil(ow / 8) * 8 + DIRECT_KWB * Math.ceil(fw / DIRECT_KWB) };
}

/**
 * True when a stride-1 conv with `cin` input and `cout` output channels producing rows of `ow`
 * pixels runs faster on convDirectForward (8 pixels × 6 channels per tile) than on the GEMM: few
 * output or input channels (the GEMM's 8 column lanes or im2col copies are the waste), and
 * rows long enough to fill 8-pixel tiles.
 */
function directForwardFits(sh: number, sw: number, cin: number, cout: number, ow: number): boolean {
  if (sh !== 1 || sw !== 1 || ow === 0) return false;
  if (cin >= IM2COL_MAX_CHANNELS && cout >= IM2COL_MAX_CHANNELS) return false;
  const pixelUse = ow / (Math.ceil(ow / 8) * 8);
  const channelUse = cout / (Math.ceil(cout / DIRECT_COB) * DIRECT_COB);
  return pixelUse >= DIRECT_MIN_USE && channelUse >= DIRECT_MIN_USE * Math.min(1, cout / 8) && cin * cout <= 512;
}

/**
 * True when convDirectFilterGrad covers a filter gradient well (stride 1, few input channels):
 * its 4-pixel lanes mostly used, and most filter columns in its blocks of 4 (the columns past
 * the last block run one at a time, at half the speed).
 */
function directFilterGradFits(c: Conv2DInfo): boolean {
  if (c.strideHeight !== 1 || c.strideWidth !== 1 || c.outWidth === 0) return false;
  if (c.inChannels >= IM2COL_MAX_CHANNELS || c.outChannels > 64) return false;
  const fw = c.filterWidth;
  const use = (c.outWidth / (Math.ceil(c.outWidth / 4) * 4)) * ((fw - (fw % DIRECT_FILTER_GRAD_KWB)) / fw);
  return use >= DIRECT_MIN_USE;
}

/**
 * True when the filter gradient runs as one GEMM whose A rows are read straight from x through
 * convFilterGradIndirection (no im2col, no transposes): no padding, few input channels (a
 * filter row's fw·ci floats lie together in x; LeNet 6→16) and output channels filling dy's
 * 8-column panels.
 */
function rowGemmFilterGradFits(c: Conv2DInfo): boolean {
  const p = c.padInfo;
  if (p.top !== 0 || p.bottom !== 0 || p.left !== 0 || p.right !== 0 || c.outWidth === 0) return false;
  return c.inChannels < IM2COL_MAX_CHANNELS && c.outChannels / (Math.ceil(c.outChannels / NR) * NR) >= ROW_GEMM_MIN_USE;
}

/**
 * Stride-1 conv by convDirectForward: out (n·oh·ow × cout, at pout) from the NHWC image at px
 * ([n][h][w][cin], already in the arena) with padding (pt, pl); `filterAt(kh, kw, c, o)` gives the
 * filter value of input channel c and output channel o at tap (kh, kw).
 */
function directForwardAt(
  ex: NnExports, arena: WasmArena, px: number, n: number, h: number, w: number, cin: number, pt: number, pl: number,
  fh: number, fw: number, oh: number, ow: number, cout: number, filterAt: (kh: number, kw: number, c: number, o: number) => number,
  pout: number,
): void {
  const { hp, wp } = directPlane(oh, ow, fh, fw);
  const blocks = Math.ceil(cout / DIRECT_COB);
  const pxp = arena.alloc(n * cin * hp * wp * 4);
  const pwk = arena.alloc(blocks * fh * cin * fw * DIRECT_COB * 4);
  const wk = arena.f32(pwk, blocks * fh * cin * fw * DIRECT_COB);
  // Weights as [block][kh][c][kw][6], zero past cout.
  let i = 0;
  for (let b = 0; b < blocks; b++) {
    for (let kh = 0; kh < fh; kh++) {
      for (let c = 0; c < cin; c++) {
        for (let kw = 0; kw < fw; kw++) {
          for (let j = 0; j < DIRECT_COB; j++) {
            const o = b * DIRECT_COB + j;
            wk[i++] = o < cout ? filterAt(kh, kw, c, o) : 0;
          }
        }
      }
    }
  }
  ex.convPlanarPad(px, n, h, w, cin, pt, pl, cin, hp, wp, pxp);
  ex.convDirectForward(pxp, n, cin, hp, wp, fh, fw, oh, ow, pwk, cout, pout, Math.max(0, pt), Math.min(hp, pt + h));
}

/** Floats per column pass of convScatterInputGrad (its filter rows are padded to a multiple). */
const SCATTER_PASS = 8;
/** convScatterInputGrad runs when at least this fraction of its padded filter-row floats is used. */
const SCATTER_MIN_USE = 0.8;

/**
 * True when convScatterInputGrad covers an input gradient well: the fw·ci dx floats of a filter
 * row fill its 8-float column passes (few input channels; LeNet's 5x5x6 = 30 of 32) and there
 * are enough output channels to amortise the read-modify-write of dx.
 */
function scatterFits(c: Conv2DInfo): boolean {
  const k = c.filterWidth * c.inChannels;
  if (k === 0 || c.inChannels >= IM2COL_MAX_CHANNELS || c.outChannels < 8 || c.outHeight * c.outWidth === 0) return false;
  return k / (Math.ceil(k / SCATTER_PASS) * SCATTER_PASS) >= SCATTER_MIN_USE;
}

/**
 * Input gradient dx (at pdx, [n][h][w][ci]) by convScatterInputGrad from dy (at pdy, in the arena)
 * and the filter W [fh][fw][ci][co]: every multiply is a real filter tap, any stride and padding.
 * Writes straight into dx when no tap lands in padding, else into a scratch cropped afterwards.
 */
function scatterInputGradAt(ex: NnExports, arena: WasmArena, pdy: number, wv: Float32Array, c: Conv2DInfo, pdx: number): void {
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw, batchSize: n } = c;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = c;
  const { top: pt, left: pl } = c.padInfo;
  const k = fw * ci;
  const kp = Math.ceil(k / SCATTER_PASS) * SCATTER_PASS;
  const hq = Math.max(pt + h, (oh - 1) * sh + fh);
  const wq = Math.max(pl + w, (ow - 1) * sw + fw);
  const direct = pt === 0 && pl === 0 && hq === h && wq === w;
  const pvk = arena.alloc(fh * co * kp * 4);
  const pdxq = direct ? pdx : arena.alloc(n * hq * wq * ci * 4);
  // V [kh][q][o][jj] = W[kh][kw][c][o] with kw·ci + c = 8q + jj (zero past fw·ci).
  const vk = arena.f32(pvk, fh * co * kp);
  vk.fill(0);
  for (let kh = 0; kh < fh; kh++) {
    for (let j = 0; j < k; j++) {
      const q = Math.floor(j / SCATTER_PASS);
      const src = (kh * k + j) * co;
      const dst = (kh * kp + q * SCATTER_PASS) * co + (j - q * SCATTER_PASS);
      for (let o = 0; o < co; o++) vk[dst + o * SCATTER_PASS] = wv[src + o];
    }
  }
  ex.convScatterInputGrad(pdy, n, oh, ow, co, pvk, fh, fw, ci, sh, sw, pdxq, hq, wq);
  if (!direct) ex.convScatterCrop(pdxq, n, hq, wq, ci, pt, pl, h, w, pdx);
}

/** Filters of at least this many floats get their packed form cached once they are used twice. */
const PACK_CACHE_MIN_FLOATS = 1 << 16;
/** Filters (by tensor data id) used once by the forward GEMM path, and the packed B of those used more often. */
const packSeen = new WeakSet<object>();
const packCache = new WeakMap<object, { values: Float32Array; packed: Float32Array }>();

/**
 * The cached packed form (gemmPackB layout) of the filter with data id `key` and values `wv`, or
 * undefined. Tensor values are immutable per data id, so a filter used again (inference, or the
 * bench's repeated calls) need not be repacked; a filter used once (training, new weights every
 * step) costs only a WeakSet entry. As tfjs-backend-wasm caches XNNPACK's packed weights.
 */
function cachedPackedFilter(key: object | undefined, wv: Float32Array): Float32Array | undefined {
  if (key === undefined || wv.length < PACK_CACHE_MIN_FLOATS) return undefined;
  const hit = packCache.get(key);
  return hit !== undefined && hit.values === wv ? hit.packed : undefined;
}

/** Records a forward use of filter `key`; on its second use keeps a copy of its packed form (at pbp in the arena). */
function rememberPackedFilter(key: object | undefined, wv: Float32Array, arena: WasmArena, pbp: number, floats: number): void {
  if (key === undefined || wv.length < PACK_CACHE_MIN_FLOATS) return;
  if (!packSeen.has(key)) {
    packSeen.add(key);
    return;
  }
  packCache.set(key, { values: wv, packed: arena.f32(pbp, floats).slice() });
}

/**
 * Forward convolution: out [n, oh, ow, co] (+ bias [co], then activation code 0–3 of
 * gemmBiasActivation). `filterKey` (the filter tensor's data id) lets the packed filter be reused.
 */
function convForward(
  backend: WmoeBackend, xv: Float32Array, wv: Float32Array, info: Conv2DInfo, bias?: Float32Array,
  act = 0, alpha = 0.2, filterKey?: object,
): Float32Array {
  const ex = backend.nn.exports as NnExports;
  const arena = backend.nn.arena;
  const co = info.outChannels;
  const m = info.batchSize * info.outHeight * info.outWidth;
  const direct = directForwardFits(info.strideHeight, info.strideWidth, info.inChannels, co, info.outWidth);
  const cached = direct ? undefined : cachedPackedFilter(filterKey, wv);
  arena.reset();
  const px = readPtr(backend, xv);
  const pw = direct || cached !== undefined ? 0 : readPtr(backend, wv);
  const out = outputF32(backend, m * co);
  const pout = out.ptr;
  const pbias = bias ? readPtr(backend, bias) : 0;
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const { inChannels: ci, filterHeight: fh, filterWidth: fw } = info;
  if (direct) {
    directForwardAt(
      ex, arena, px, info.batchSize, info.inHeight, info.inWidth, ci, info.padInfo.top, info.padInfo.left, fh, fw,
      info.outHeight, info.outWidth, co, (kh, kw, c, o) => wv[((kh * fw + kw) * ci + c) * co + o], pout,
    );
  } else {
    const floats = packedBytes(k, co) / 4;
    const pack = (dst: number) => {
      if (cached !== undefined) {
        arena.f32(dst, floats).set(cached);
        return;
      }
      ex.gemmPackB(pw, k, co, co, 1, dst);
      rememberPackedFilter(filterKey, wv, arena, dst, floats);
    };
    convForwardAt(ex, arena, px, pack, pout, geometryArgs(info), co);
  }
  if (pbias !== 0 || act !== 0) ex.gemmBiasActivation(pout, m, co, co, pbias, act, alpha);
  return out.values();
}

/** Input gradient dx [n, h, w, ci] of a convolution from dy [n, oh, ow, co] and filter [fh, fw, ci, co]. */
function convBackpropInput(backend: WmoeBackend, dyv: Float32Array, wv: Float32Array, info: Conv2DInfo): Float32Array {
  const ex = backend.nn.exports as NnExports;
  const arena = backend.nn.arena;
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw, batchSize: n } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { top: pt, left: pl } = info.padInfo;
  const k = fh * fw * ci;
  const m = n * oh * ow;
  const dxLen = n * h * w * ci;
  arena.reset();
  const pdy = readPtr(backend, dyv);
  const pw = readPtr(backend, wv);
  const dx = outputF32(backend, dxLen);
  const pdx = dx.ptr;
  if (scatterFits(info)) {
    scatterInputGradAt(ex, arena, pdy, wv, info, pdx);
    return dx.values();
  }
  if (directForwardFits(sh, sw, co, ci, w)) {
    // dx = conv(dy, W') as below, by the direct kernel (few input channels = few outputs here).
    directForwardAt(
      ex, arena, pdy, n, oh, ow, co, fh - 1 - pt, fw - 1 - pl, fh, fw, h, w, ci,
      (kh, kw, c, o) => wv[(((fh - 1 - kh) * fw + (fw - 1 - kw)) * ci + o) * co + c], pdx,
    );
    return dx.values();
  }
  if (sh === 1 && sw === 1) {
    // dx = conv(dy, W') with W'[kh][kw][co][ci] = W[fh-1-kh][fw-1-kw][ci][co], padding fh-1-pt,
    // fw-1-pl. W' is packed tap by tap straight from W: rows t·co… of B' are tap (taps-1-t) of
    // W read transposed (B'(r = co index, j = ci index) = W_tap[j·co + r]).
    const taps = fh * fw;
    const kk = taps * co;
    const pack = (dst: number) => {
      for (let t = 0; t < taps; t++) ex.gemmPackBRows(pw + (taps - 1 - t) * ci * co * 4, co, ci, 1, co, dst, kk, t * co);
    };
    convForwardAt(ex, arena, pdy, pack, pdx, [n, oh, ow, co, fh, fw, 1, 1, fh - 1 - pt, fw - 1 - pl, h, w], ci);
    return dx.values();
  }
  // Strided: cols (M×K) = dy (M×co) · Wᵀ with B(r = co index, j = k) = W[j·co + r], then col2im.
  const pbp = arena.alloc(packedBytes(co, k));
  ex.gemmPackB(pw, co, k, 1, co, pbp);
  arena.f32(pdx, dxLen).fill(0);
  const rows = chunkRows(m, k);
  const pcol = arena.alloc(rows * k * 4);
  const pind = arena.alloc(indirectionBytes(rows, 1));
  for (let m0 = 0; m0 < m; m0 += rows) {
    const count = Math.min(rows, m - m0);
    ex.gemm(count, k, co, pdy + m0 * co * 4, co, 1, pbp, pcol, k, 0, pind);
    ex.convCol2imAdd(pcol, n, h, w, ci, fh, fw, sh, sw, pt, pl, oh, ow, m0, count, pdx);
  }
  return dx.values();
}

/** Where a filter-gradient strategy reads x and dy and writes dW (byte addresses in the nn module's memory). */
interface FilterGradAt {
  ex: NnExports;
  arena: WasmArena;
  info: Conv2DInfo;
  px: number;
  pdy: number;
  pdw: number;
}

/**
 * Filter gradient dW [fh, fw, ci, co] of a convolution from x [n, h, w, ci] and dy [n, oh, ow, co],
 * by the strategy that suits the shape (see the header of this file), each laying out both
 * GEMM operands to stream contiguously.
 */
function convBackpropFilter(backend: WmoeBackend, xv: Float32Array, dyv: Float32Array, info: Conv2DInfo): Float32Array {
  const arena = backend.nn.arena;
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  const k = fh * fw * ci;
  const m = info.batchSize * info.outHeight * info.outWidth;
  if (m === 0 || k === 0 || co === 0) return new Float32Array(k * co);
  arena.reset();
  const px = readPtr(backend, xv);
  const pdy = readPtr(backend, dyv);
  const dw = outputF32(backend, k * co);
  const at: FilterGradAt = { ex: backend.nn.exports as NnExports, arena, info, px, pdy, pdw: dw.ptr };
  if (rowGemmFilterGradFits(info)) filterGradRowGemm(at);
  else if (directFilterGradFits(info)) filterGradDirect(at);
  else if (fh === 1 && fw === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 && ci >= IM2COL_MAX_CHANNELS) filterGrad1x1(at);
  else if (m < co) filterGradFewPixels(at);
  else filterGradManyPixels(at);
  return dw.values();
}

/**
 * dW (K×co) = Σ_pixels patchᵀ · dy: A row (kh, kw, c) of tap (b, oy) is x read along the output
 * row with stride sw·ci; B is dy packed as it is (pixel-major). No padding, ci < 8 (LeNet 6→16).
 */
function filterGradRowGemm({ ex, arena, info, px, pdy, pdw }: FilterGradAt): void {
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

/** Stride 1 with ci < 8: the direct kernel (pixel-vectorised reduction) over channel-planar padded copies. */
function filterGradDirect({ ex, arena, info, px, pdy, pdw }: FilterGradAt): void {
  const { batchSize: n, outHeight: oh, outWidth: ow } = info;
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  const { hp, wp } = directPlane(oh, ow, fh, fw);
  const owp = Math.ceil(ow / 4) * 4;
  const cop = co + (co & 1);
  const pxp = arena.alloc(n * ci * hp * wp * 4);
  const pdyp = arena.alloc(n * cop * oh * owp * 4);
  ex.convPlanarPad(px, n, info.inHeight, info.inWidth, ci, info.padInfo.top, info.padInfo.left, ci, hp, wp, pxp);
  ex.convPlanarPad(pdy, n, oh, ow, co, 0, 0, cop, oh, owp, pdyp);
  ex.convDirectFilterGrad(pxp, pdyp, n, ci, hp, wp, fh, fw, oh, owp, co, cop, pdw);
}

/**
 * 1x1 without padding (ResNet's strided shortcuts, the MoE's bottlenecks): dW (ci×co) = Xᵀ · dy
 * with X (m×ci) the input pixels the conv reads (x itself at stride 1, else a strided copy),
 * transposed so that the GEMM's A rows run contiguously along the pixels.
 */
function filterGrad1x1({ ex, arena, info, px, pdy, pdw }: FilterGradAt): void {
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
 * Few pixels, many filters (deep layers): dW (K×co) = Σ patchesᵀ · dy straight into place, in
 * chunks of pixels, with the patches stored transposed ([K][rows]) and dy packed as B.
 */
function filterGradFewPixels({ ex, arena, info, px, pdy, pdw }: FilterGradAt): void {
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

/** Many pixels: dWᵀ (co×K) = Σ dyᵀ · patches in chunks of pixels, the patches written straight into packed-B layout. */
function filterGradManyPixels({ ex, arena, info, px, pdy, pdw }: FilterGradAt): void {
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

function convInfoOf(
  xShape: number[], filterShape: number[], strides: unknown, pad: Pad, rounding: Rounding,
): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    strides as [number, number] | number, 1, pad, rounding, false, 'channelsLast',
  );
}

function checkRank4(kernel: string, name: string, t: TensorInfo | number[]): void {
  const shape = Array.isArray(t) ? t : t.shape;
  if (shape.length !== 4) throw new Error(`wireless-moe ${kernel}: ${name} must be rank 4, got shape [${shape}]`);
}

function conv2d(args: GemmKernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const a = (args.attrs ?? {}) as { strides: number | number[]; pad: Pad; dataFormat?: string; dilations?: unknown; dimRoundingMode?: Rounding };
  if (!wasmCovers(a.dataFormat, a.dilations, x, filter)) return cpuKernel(tf.Conv2D, args) as TensorInfo;
  checkRank4('Conv2D', 'x', x);
  checkRank4('Conv2D', 'filter', filter);
  if (x.shape[3] !== filter.shape[2]) {
    throw new Error(`wireless-moe Conv2D: x has ${x.shape[3]} channels but filter [${filter.shape}] expects ${filter.shape[2]}`);
  }
  const info = convInfoOf(x.shape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
  const out = convForward(backend, backend.f32(x), backend.f32(filter), info, undefined, 0, 0.2, filter.dataId);
  return backend.output(info.outShape, out);
}

function fusedConv2d(args: GemmKernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { x, filter, bias, preluActivationWeights } = args.inputs as {
    x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo;
  };
  const a = (args.attrs ?? {}) as {
    strides: number | number[]; pad: Pad; dataFormat?: string; dilations?: unknown; dimRoundingMode?: Rounding;
    activation?: string; leakyreluAlpha?: number;
  };
  if (!wasmCovers(a.dataFormat, a.dilations, x, filter)) return cpuKernel(tf.FusedConv2D, args) as TensorInfo;
  checkRank4('FusedConv2D', 'x', x);
  checkRank4('FusedConv2D', 'filter', filter);
  if (x.shape[3] !== filter.shape[2]) {
    throw new Error(`wireless-moe FusedConv2D: x has ${x.shape[3]} channels but filter [${filter.shape}] expects ${filter.shape[2]}`);
  }
  const info = convInfoOf(x.shape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
  const co = info.outChannels;
  const biasVals = bias ? biasVector(backend, bias, co, 4) : undefined;
  const activation = a.activation ?? 'linear';
  const code = wasmActivationCode(activation);
  const wasmAct = code >= 0 && (bias === undefined || biasVals !== undefined) ? code : 0;
  const vals = convForward(backend, backend.f32(x), backend.f32(filter), info, biasVals, wasmAct, a.leakyreluAlpha ?? 0.2, filter.dataId);
  let out = backend.output(info.outShape, vals);
  if (bias !== undefined && biasVals === undefined) {
    const sum = wmoeKernel(tf.Add, { inputs: { a: out, b: bias }, backend }) as TensorInfo;
    backend.disposeIntermediateTensorInfo(out);
    out = sum;
  }
  if (activation !== 'linear' && wasmAct === 0) {
    out = applyCpuActivation(backend, out, activation, preluActivationWeights, a.leakyreluAlpha);
  }
  return out;
}

/**
 * Whether dy of a backprop kernel has the convolution's output shape [n, oh, ow, co] (true: the
 * WASM kernels run). A dy larger in some dims answers false: tfjs-backend-cpu reads its leading
 * [n, oh, ow, co] window through dy's own strides, and tfjs-core lets conv2dTranspose pass such a
 * dy (an outputShape inconsistent with x), so the caller runs the cpu kernel for the same result.
 * A dy smaller in any dim is an error (cpu would read past its end): a one-line error naming it.
 */
function dyMatches(kernel: string, dy: TensorInfo, info: Conv2DInfo): boolean {
  if (tf.util.arraysEqual(dy.shape, info.outShape)) return true;
  if (dy.shape.every((d, i) => d >= (info.outShape[i] as number))) return false;
  throw new Error(`wireless-moe ${kernel}: dy has shape [${dy.shape}], expected [${info.outShape}]`);
}

function conv2dBackpropInput(args: GemmKernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = (args.attrs ?? {}) as { strides: number | number[]; pad: Pad; dataFormat?: string; dimRoundingMode?: Rounding; inputShape: number[] };
  if (!wasmCovers(a.dataFormat, undefined, dy, filter)) return cpuKernel(tf.Conv2DBackpropInput, args) as TensorInfo;
  checkRank4('Conv2DBackpropInput', 'dy', dy);
  checkRank4('Conv2DBackpropInput', 'filter', filter);
  checkRank4('Conv2DBackpropInput', 'inputShape', a.inputShape);
  const info = convInfoOf(a.inputShape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
  if (!dyMatches('Conv2DBackpropInput', dy, info)) return cpuKernel(tf.Conv2DBackpropInput, args) as TensorInfo;
  if (singleChannelInputGradFits(args)) return singleChannelInputGrad(args); // one input channel: conv_single_channel.ts
  const dx = convBackpropInput(backend, backend.f32(dy), backend.f32(filter), info);
  return backend.output(a.inputShape.slice(), dx);
}

function conv2dBackpropFilter(args: GemmKernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const a = (args.attrs ?? {}) as { strides: number | number[]; pad: Pad; dataFormat?: string; dimRoundingMode?: Rounding; filterShape: number[] };
  if (!wasmCovers(a.dataFormat, undefined, x, dy)) return cpuKernel(tf.Conv2DBackpropFilter, args) as TensorInfo;
  checkRank4('Conv2DBackpropFilter', 'x', x);
  checkRank4('Conv2DBackpropFilter', 'dy', dy);
  checkRank4('Conv2DBackpropFilter', 'filterShape', a.filterShape);
  const info = convInfoOf(x.shape, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
  if (!dyMatches('Conv2DBackpropFilter', dy, info)) return cpuKernel(tf.Conv2DBackpropFilter, args) as TensorInfo;
  const dw = convBackpropFilter(backend, backend.f32(x), backend.f32(dy), info);
  return backend.output(a.filterShape.slice(), dw);
}

const kf = (f: (args: GemmKernelArgs) => TensorInfo) => f as unknown as KernelConfig['kernelFunc'];

/** Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter for backend `wmoe`. */
export const convKernels: KernelConfig[] = [
  { kernelName: tf.Conv2D, backendName: 'wmoe', kernelFunc: kf(conv2d) },
  { kernelName: tf.FusedConv2D, backendName: 'wmoe', kernelFunc: kf(fusedConv2d) },
  { kernelName: tf.Conv2DBackpropInput, backendName: 'wmoe', kernelFunc: kf(conv2dBackpropInput) },
  { kernelName: tf.Conv2DBackpropFilter, backendName: 'wmoe', kernelFunc: kf(conv2dBackpropFilter) },
];
