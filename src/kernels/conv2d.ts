// Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter on backend `wmoe`, as
// GEMMs on the SIMD micro-kernel of assembly/nn/gemm.ts (NHWC, filter [fh][fw][ci][co]):
//   forward        out (M×co) = patches(x) (M×K) · W (K×co), M = n·oh·ow, K = fh·fw·ci — read
//                  through an indirection table (no im2col) when ci ≥ 8, else through im2col
//                  chunks (contiguous K-long rows keep few-channel layers like 1→6 efficient);
//   input grad     stride 1: the forward conv of dy with the filter rotated by 180° and ci/co
//                  swapped; stride > 1: cols (M×K) = dy (M×co) · Wᵀ, then col2im, in chunks;
//   filter grad    reduced over batch × pixels in chunks: dWᵀ (co×K) = Σ dyᵀ · patches(x) with
//                  patches written in packed-GEMM layout (many pixels), or dW = Σ patchesᵀ · dy
//                  with transposed patches (fewer pixels than filters: deep layers).
// NCHW, dilations > 1 and non-float32 inputs run tfjs-backend-cpu's kernels instead.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import type { NnExports } from './nn_exports.js';
import type { WasmArena } from '../wasm/module.js';
import {
  type GemmKernelArgs, copyOut, MR, applyCpuActivation, biasVector, indirectionBytes, packedBytes, runCpuKernel,
  wasmActivationCode,
} from './conv_support.js';

type Conv2DInfo = tf.backend_util.Conv2DInfo;
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** Below this many input channels the forward pass uses im2col rows instead of indirection. */
const IM2COL_MAX_CHANNELS = 8;
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
    ex.gemmIndirect(m, co, taps, ci, pind, 4, pbp, pout, co, 0);
  } else {
    const rows = chunkRows(m, k);
    const pcol = arena.alloc(rows * k * 4);
    const pind = arena.alloc(indirectionBytes(rows, 1));
    for (let m0 = 0; m0 < m; m0 += rows) {
      const count = Math.min(rows, m - m0);
      ex.convIm2col(px, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], m0, count, pcol);
      ex.gemm(count, co, k, pcol, k, 1, pbp, pout + m0 * co * 4, co, 0, pind);
    }
  }
}

/** Forward convolution: out [n, oh, ow, co] (+ bias [co], then activation code 0–3 of gemmBiasActivation). */
function convForward(
  backend: WmoeBackend, xv: Float32Array, wv: Float32Array, info: Conv2DInfo, bias?: Float32Array,
  act = 0, alpha = 0.2,
): Float32Array {
  const ex = backend.nn.exports as NnExports;
  const arena = backend.nn.arena;
  const co = info.outChannels;
  const m = info.batchSize * info.outHeight * info.outWidth;
  arena.reset();
  const px = arena.put(xv);
  const pw = arena.put(wv);
  const pout = arena.alloc(m * co * 4);
  const pbias = bias ? arena.put(bias) : 0;
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  convForwardAt(ex, arena, px, (dst) => ex.gemmPackB(pw, k, co, co, 1, dst), pout, geometryArgs(info), co);
  if (pbias !== 0 || act !== 0) ex.gemmBiasActivation(pout, m, co, co, pbias, act, alpha);
  return copyOut(arena, pout, m * co);
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
  const pdy = arena.put(dyv);
  const pw = arena.put(wv);
  const pdx = arena.alloc(dxLen * 4);
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
    return copyOut(arena, pdx, dxLen);
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
  return copyOut(arena, pdx, dxLen);
}

/**
 * Filter gradient dW [fh, fw, ci, co] of a convolution from x [n, h, w, ci] and dy [n, oh, ow, co],
 * reduced over batch × pixels in chunks, with both GEMM operands laid out to stream contiguously.
 */
function convBackpropFilter(backend: WmoeBackend, xv: Float32Array, dyv: Float32Array, info: Conv2DInfo): Float32Array {
  const ex = backend.nn.exports as NnExports;
  const arena = backend.nn.arena;
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  const g = geometryArgs(info);
  const k = fh * fw * ci;
  const m = info.batchSize * info.outHeight * info.outWidth;
  if (m === 0 || k === 0 || co === 0) return new Float32Array(k * co);
  arena.reset();
  const px = arena.put(xv);
  const pdy = arena.put(dyv);
  const rows = chunkRows(m, k, FILTER_GRAD_CHUNK_BYTES, FILTER_GRAD_MIN_ROWS);
  const pdw = arena.alloc(k * co * 4);
  if (m < co) {
    // Few pixels, many filters (deep layers): dW (K×co) = Σ patchesᵀ · dy straight into place,
    // with the patches stored transposed ([K][rows]) and dy packed as B.
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
    return copyOut(arena, pdw, k * co);
  }
  // Many pixels: dWᵀ (co×K) = Σ dyᵀ · patches, patches written straight into packed-B layout.
  const pdyT = arena.alloc(co * rows * 4);
  const pcol = arena.alloc(packedBytes(rows, k));
  const prow = arena.alloc(packedBytes(1, k));
  const pdwT = arena.alloc(co * k * 4);
  const pind = arena.alloc(indirectionBytes(co, 1));
  for (let m0 = 0; m0 < m; m0 += rows) {
    const count = Math.min(rows, m - m0);
    ex.gemmTranspose(pdy + m0 * co * 4, count, co, pdyT);
    ex.convIm2colPacked(px, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], m0, count, prow, pcol);
    ex.gemm(co, k, count, pdyT, count, 1, pcol, pdwT, k, m0 > 0 ? 1 : 0, pind);
  }
  ex.gemmTranspose(pdwT, co, k, pdw);
  return copyOut(arena, pdw, k * co);
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
  if (!wasmCovers(a.dataFormat, a.dilations, x, filter)) return runCpuKernel(tf.Conv2D, args);
  checkRank4('Conv2D', 'x', x);
  checkRank4('Conv2D', 'filter', filter);
  if (x.shape[3] !== filter.shape[2]) {
    throw new Error(`wireless-moe Conv2D: x has ${x.shape[3]} channels but filter [${filter.shape}] expects ${filter.shape[2]}`);
  }
  const info = convInfoOf(x.shape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
  const out = convForward(backend, backend.f32(x), backend.f32(filter), info);
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
  if (!wasmCovers(a.dataFormat, a.dilations, x, filter)) return runCpuKernel(tf.FusedConv2D, args);
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
  const vals = convForward(backend, backend.f32(x), backend.f32(filter), info, biasVals, wasmAct, a.leakyreluAlpha ?? 0.2);
  let out = backend.output(info.outShape, vals);
  if (bias !== undefined && biasVals === undefined) {
    const sum = runCpuKernel('Add', { inputs: { a: out, b: bias }, backend });
    backend.disposeIntermediateTensorInfo(out);
    out = sum;
  }
  if (activation !== 'linear' && wasmAct === 0) {
    out = applyCpuActivation(backend, out, activation, preluActivationWeights, a.leakyreluAlpha);
  }
  return out;
}

function conv2dBackpropInput(args: GemmKernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = (args.attrs ?? {}) as { strides: number | number[]; pad: Pad; dataFormat?: string; dimRoundingMode?: Rounding; inputShape: number[] };
  if (!wasmCovers(a.dataFormat, undefined, dy, filter)) return runCpuKernel(tf.Conv2DBackpropInput, args);
  checkRank4('Conv2DBackpropInput', 'dy', dy);
  checkRank4('Conv2DBackpropInput', 'filter', filter);
  checkRank4('Conv2DBackpropInput', 'inputShape', a.inputShape);
  const info = convInfoOf(a.inputShape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
  if (!tf.util.arraysEqual(dy.shape, info.outShape)) {
    throw new Error(`wireless-moe Conv2DBackpropInput: dy has shape [${dy.shape}], expected [${info.outShape}]`);
  }
  const dx = convBackpropInput(backend, backend.f32(dy), backend.f32(filter), info);
  return backend.output(a.inputShape.slice(), dx);
}

function conv2dBackpropFilter(args: GemmKernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const a = (args.attrs ?? {}) as { strides: number | number[]; pad: Pad; dataFormat?: string; dimRoundingMode?: Rounding; filterShape: number[] };
  if (!wasmCovers(a.dataFormat, undefined, x, dy)) return runCpuKernel(tf.Conv2DBackpropFilter, args);
  checkRank4('Conv2DBackpropFilter', 'x', x);
  checkRank4('Conv2DBackpropFilter', 'dy', dy);
  checkRank4('Conv2DBackpropFilter', 'filterShape', a.filterShape);
  const info = convInfoOf(x.shape, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
  if (!tf.util.arraysEqual(dy.shape, info.outShape)) {
    throw new Error(`wireless-moe Conv2DBackpropFilter: dy has shape [${dy.shape}], expected [${info.outShape}]`);
  }
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
