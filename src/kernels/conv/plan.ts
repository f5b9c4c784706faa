// THE conv planner: for each pass (forward, input gradient, filter gradient) one function that
// picks a strategy by shape and returns its name and runner, and a record of the strategy each
// conv call ran (for profiles). The strategies, in the order each planner tries them:
//   forward        'direct' (stride 1, few channels: LeNet 1→6) | 'winograd4' and 'winograd'
//                  (3×3 stride 1, see below) | 'gemm-filter-rows' (ci < 8: GEMM over whole filter
//                  rows of a zero-padded copy) | 'gemm-indirect' (ci ≥ 8: GEMM through a per-tap
//                  indirection table); neither GEMM builds im2col;
//   input grad     'single-channel' (one input channel at stride 1: conv_single_channel.ts) |
//                  'scatter' (fw·ci filling 8-float passes: LeNet 6→16) | 'direct-rotated',
//                  'winograd4' and 'gemm-rotated' (stride 1: forward conv of dy with the filter
//                  rotated by 180°) | 'gemm-col2im' (stride > 1: cols = dy · Wᵀ, then col2im, in chunks);
//   filter grad    'empty' | 'winograd4' and 'winograd' (3×3 stride 1, see below) | 'row-gemm'
//                  (no padding, ci < 8, co filling 8-column panels) | 'direct' (stride 1, ci < 8) |
//                  'gemm-1x1' | 'gemm-few-pixels' (pixels < co) | 'gemm-many-pixels'.
//
// Winograd (conv/winograd.ts). 'winograd4', F(4×4, 3×3) (4× fewer multiplies than the direct
// conv), runs a 3×3 stride-1 conv's forward pass and input gradient when both channel counts of
// that pass's conv are ≥ 32 and it has ≥ 4 output tiles of 4×4 pixels. Measured against
// 'winograd', F(2×2, 3×3) (2.25× fewer), which it replaced there (1 thread, relaxed build, medians
// of 7–41 calls, alternating builds; the filter a new tensor every call, as in training, unless
// said): ResNet-18 at batch 32, 32x32·64 … 4x4·512, forward 1.2–1.9×, input gradient 1.3–1.8×;
// Fashion-MNIST's ResNet-18 at batch 64 (28x28·64, 14x14·128, 7x7·256) 1.1–2.6×; batch 8,
// 16x16·32 and 8x8·32→64, 1.4–2.8×; batch 1 with the filter kept (inference) 32x32·64 1.4–1.6×,
// 16x16·128 1.5–1.8×, 8x8·256 (4 tiles) 0.8–2.3× (about 1× in the quieter run), 4x4·512 at
// batch 4 (4 tiles) 1.0–1.5×. On fewer tiles its 36 GEMMs stream 36/16 as many filter bytes as
// F(2×2)'s 16 for as few rows: 4x4·512 at batch 1 (one tile) 0.6–0.85×, batch 2 about 1×. The
// transforms' rounding grows with the larger interpolation points: errors up to 64·eps·Σ|w||x|
// against F(2×2)'s 3.6 (test/kernels/conv_winograd.test.ts), still ~4e-6 of that sum.
// 'winograd' (F(2×2)) keeps the forward pass from 4 tiles of 2×2 pixels when both channel counts
// are ≥ 256 (a batch-1 inference on ResNet's 4x4 maps): earlier measured (relaxed build, kept
// filter) 1.03–1.26× the GEMM on 4x4·512, 1.47× on 256→256, 1.28× 256→512; 128→128 0.96× (hence
// 256); 2x2 maps (1 tile) 0.63×. Kept filter forms (packed_filter_cache.ts) stay in WASM memory,
// read in place, so repeated inference calls pay neither the filter transform nor its copy.
// The filter gradient takes 'winograd4' from 32 channels each way and 32 tiles of 4×4 pixels:
// against F(2×2) (measured as above) 1.2–1.9× on ResNet-18 at batch 32 and Fashion-MNIST's at
// batch 64, about 1× at batch 8 on 16x16·32 (128 tiles); 1.28× on 8x8·256 at batch 8 (32 tiles;
// bench/kernels.mjs, plain build, 65.6 against 51.4 GFLOP/s). On fewer tiles its 36 GEMMs reduce
// over as few rows as there are tiles: 4x4·512 at batch 8 (8 tiles) 0.81×, 8x8·256 at batch 2
// and 4 (8 and 16 tiles) 0.75–0.85×, 4x4·512 at batch 16 about 1×; on 16 channels 0.5–0.85×
// (tiny calls). Else 'winograd' from 8 channels each way and 32 tiles of 2×2 pixels: measured
// earlier 1.65–1.85× the GEMM on ResNet-18 at batch 32, 1.8–2.2× on 32→32, 16→16 and 8→16
// channels, 1.02× on 4x4·512 at batch 4.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../../backend/backend.js';
import type { KernelArgs } from '../wasm_io.js';
import { singleChannelInputGrad } from '../conv_single_channel.js';
import type { Conv2DInfo } from './geometry.js';
import { directForwardFits, forwardDirect, inputGradDirect } from './direct.js';
import { filterRowsFits, forwardGemm, inputGradCol2im, inputGradRotated } from './gemm.js';
import { inputGradScatter, scatterFits } from './scatter.js';
import { filterGradWinograd, filterGradWinograd4, forwardWinograd, forwardWinograd4, inputGradWinograd4 } from './winograd.js';
import {
  directFilterGradFits, filterGrad1x1, filterGrad1x1Fits, filterGradDirect, filterGradFewPixels, filterGradManyPixels,
  filterGradRowGemm, rowGemmFilterGradFits,
} from './filter_grad.js';
import { type FilterGradAt, type ForwardCall, type InputGradAt, filterGradIn, inputGradIn } from './pass_io.js';

export type ForwardStrategy = 'direct' | 'winograd4' | 'winograd' | 'gemm-filter-rows' | 'gemm-indirect';
export type InputGradStrategy = 'single-channel' | 'scatter' | 'direct-rotated' | 'winograd4' | 'gemm-rotated' | 'gemm-col2im';
export type FilterGradStrategy = 'empty' | 'winograd4' | 'winograd' | 'row-gemm' | 'direct' | 'gemm-1x1' | 'gemm-few-pixels' | 'gemm-many-pixels';

/** Forward plan: out [n, oh, ow, co] values of a call by `run`. */
export interface ForwardPlan {
  name: ForwardStrategy;
  run: (call: ForwardCall) => Float32Array;
}

/** Input-gradient plan: dx [n, h, w, ci] (attrs.inputShape) of a Conv2DBackpropInput call by `run`. */
export interface InputGradPlan {
  name: InputGradStrategy;
  run: (args: KernelArgs, info: Conv2DInfo) => TensorInfo;
}

/** Filter-gradient plan: dW [fh, fw, ci, co] values from x and dy values by `run`. */
export interface FilterGradPlan {
  name: FilterGradStrategy;
  run: (backend: WmoeBackend, xv: Float32Array, dyv: Float32Array, info: Conv2DInfo) => Float32Array;
}

/** Winograd's forward pass and input gradient need at least this many input and output channels… */
export const WINOGRAD_MIN_CHANNELS = 32;
/** …and F(4×4, 3×3) ('winograd4') at least this many 4×4 output tiles. */
export const WINOGRAD4_MIN_TILES = 4;
/** With fewer, the forward pass takes F(2×2, 3×3) ('winograd') from this many 2×2 tiles when both channel counts are at least… */
export const WINOGRAD_FORWARD_FEW_TILES = 4;
/** …this many (few tiles: the GEMM streams the large filter for few pixels; see the header). */
export const WINOGRAD_FORWARD_FEW_TILES_MIN_CHANNELS = 256;
/** The filter gradient takes F(4×4, 3×3) from WINOGRAD_MIN_CHANNELS each way and this many 4×4 tiles… */
export const WINOGRAD4_FILTER_GRAD_MIN_TILES = 32;
/** …else F(2×2, 3×3) from this many channels each way and 2×2 tiles. */
export const WINOGRAD_FILTER_GRAD_MIN_CHANNELS = 8;
export const WINOGRAD_FILTER_GRAD_MIN_TILES = 32;

/**
 * Whether a Winograd transform with `tile`×`tile` output tiles runs a 3×3 stride-1 conv with `c`
 * input and `k` output channels onto an oh × ow output of batch n: at least `minChannels`
 * channels each way and `minTiles` tiles (see the file header for the measurements).
 */
export function winogradFits(
  info: Conv2DInfo, c: number, k: number, n: number, oh: number, ow: number, minChannels: number, minTiles: number, tile = 2,
): boolean {
  if (info.filterHeight !== 3 || info.filterWidth !== 3 || info.strideHeight !== 1 || info.strideWidth !== 1) return false;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return false;
  const tiles = n * Math.ceil(oh / tile) * Math.ceil(ow / tile);
  return c >= minChannels && k >= minChannels && tiles >= minTiles;
}

/** Whether 'winograd4' (F(4×4, 3×3)) runs a forward or input-gradient pass of that shape. */
export function winograd4Fits(info: Conv2DInfo, c: number, k: number, n: number, oh: number, ow: number): boolean {
  return winogradFits(info, c, k, n, oh, ow, WINOGRAD_MIN_CHANNELS, WINOGRAD4_MIN_TILES, 4);
}

/** The forward strategy for conv geometry `info`. */
export function planForward(info: Conv2DInfo): ForwardPlan {
  if (directForwardFits(info.strideHeight, info.strideWidth, info.inChannels, info.outChannels, info.outWidth)) {
    return { name: 'direct', run: forwardDirect };
  }
  const { inChannels: ci, outChannels: co, batchSize: n, outHeight: oh, outWidth: ow } = info;
  if (winograd4Fits(info, ci, co, n, oh, ow)) return { name: 'winograd4', run: forwardWinograd4 };
  if (winogradFits(info, ci, co, n, oh, ow, WINOGRAD_FORWARD_FEW_TILES_MIN_CHANNELS, WINOGRAD_FORWARD_FEW_TILES)) {
    return { name: 'winograd', run: forwardWinograd };
  }
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  return { name: filterRowsFits(info.inChannels, k) ? 'gemm-filter-rows' : 'gemm-indirect', run: forwardGemm };
}

/** Runs input-gradient strategy `body` in the arena and wraps dx as the kernel's output. */
function inArena(body: (at: InputGradAt) => void): InputGradPlan['run'] {
  return (args, info) => {
    const backend = args.backend as WmoeBackend;
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const inputShape = (args.attrs as { inputShape: number[] }).inputShape;
    const dx = inputGradIn(backend, backend.f32(dy), backend.f32(filter), info, body);
    return backend.output(inputShape.slice(), dx);
  };
}

/**
 * The input-gradient strategy for conv geometry `info`; `singleChannel` says whether
 * singleChannelInputGradFits accepted the call (it reads the call's attrs, not only its shape).
 */
export function planInputGrad(info: Conv2DInfo, singleChannel = false): InputGradPlan {
  if (singleChannel) return { name: 'single-channel', run: (args) => singleChannelInputGrad(args) };
  if (scatterFits(info)) return { name: 'scatter', run: inArena(inputGradScatter) };
  const { strideHeight: sh, strideWidth: sw } = info;
  if (directForwardFits(sh, sw, info.outChannels, info.inChannels, info.inWidth)) {
    return { name: 'direct-rotated', run: inArena(inputGradDirect) };
  }
  if (winograd4Fits(info, info.outChannels, info.inChannels, info.batchSize, info.inHeight, info.inWidth)) {
    return { name: 'winograd4', run: inputGradWinograd4 };
  }
  if (sh === 1 && sw === 1) return { name: 'gemm-rotated', run: inArena(inputGradRotated) };
  return { name: 'gemm-col2im', run: inArena(inputGradCol2im) };
}

/** Runs filter-gradient strategy `body` in the arena. */
const inFilterArena = (body: (at: FilterGradAt) => void): FilterGradPlan['run'] =>
  (backend, xv, dyv, info) => filterGradIn(backend, xv, dyv, info, body);

/** The filter-gradient strategy for conv geometry `info`. */
export function planFilterGrad(info: Conv2DInfo): FilterGradPlan {
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  const k = fh * fw * ci;
  const m = info.batchSize * info.outHeight * info.outWidth;
  if (m === 0 || k === 0 || co === 0) return { name: 'empty', run: () => new Float32Array(k * co) };
  const { batchSize: n, outHeight: oh, outWidth: ow } = info;
  if (winogradFits(info, ci, co, n, oh, ow, WINOGRAD_MIN_CHANNELS, WINOGRAD4_FILTER_GRAD_MIN_TILES, 4)) {
    return { name: 'winograd4', run: filterGradWinograd4 };
  }
  if (winogradFits(info, ci, co, n, oh, ow, WINOGRAD_FILTER_GRAD_MIN_CHANNELS, WINOGRAD_FILTER_GRAD_MIN_TILES)) {
    return { name: 'winograd', run: filterGradWinograd };
  }
  if (rowGemmFilterGradFits(info)) return { name: 'row-gemm', run: inFilterArena(filterGradRowGemm) };
  if (directFilterGradFits(info)) return { name: 'direct', run: inFilterArena(filterGradDirect) };
  if (filterGrad1x1Fits(info)) return { name: 'gemm-1x1', run: inFilterArena(filterGrad1x1) };
  if (m < co) return { name: 'gemm-few-pixels', run: inFilterArena(filterGradFewPixels) };
  return { name: 'gemm-many-pixels', run: inFilterArena(filterGradManyPixels) };
}

/** A conv pass, as the strategy record names it. */
export type ConvPass = 'forward' | 'inputGrad' | 'filterGrad';
/** One conv call's strategy: its pass and the planner's strategy name. */
export interface ConvStrategyRecord {
  pass: ConvPass;
  strategy: string;
}

const lastByPass = new Map<ConvPass, string>();
let log: ConvStrategyRecord[] | undefined;

/** Notes that a conv call of `pass` ran `strategy` (kernels.ts calls this for every WASM conv call). */
export function noteConvStrategy(pass: ConvPass, strategy: string): void {
  lastByPass.set(pass, strategy);
  log?.push({ pass, strategy });
}

/** The strategy the last WASM conv call of `pass` ran (undefined before any). */
export function lastConvStrategy(pass: ConvPass): string | undefined {
  return lastByPass.get(pass);
}

/**
 * Starts (`on`, with an empty log) or stops collecting the strategy of every WASM conv call;
 * returns the records collected since the log was last started (empty when starting).
 */
export function convStrategyLog(on: boolean): ConvStrategyRecord[] {
  const collected = log ?? [];
  log = on ? [] : undefined;
  return on ? [] : collected;
}
