// THE conv planner: for each pass (forward, input gradient, filter gradient) one function that
// picks a strategy by shape and returns its name and runner, and a record of the strategy each
// conv call ran (for profiles). The strategies, in the order each planner tries them:
//   forward        'direct' (stride 1, few channels: LeNet 1→6) | 'winograd' (3×3 stride 1, see
//                  below) | 'gemm-filter-rows' (ci < 8: GEMM over whole filter rows of a
//                  zero-padded copy) | 'gemm-indirect' (ci ≥ 8: GEMM through a per-tap
//                  indirection table); neither GEMM builds im2col;
//   input grad     'single-channel' (one input channel at stride 1: conv_single_channel.ts) |
//                  'scatter' (fw·ci filling 8-float passes: LeNet 6→16) | 'direct-rotated',
//                  'winograd' and 'gemm-rotated' (stride 1: forward conv of dy with the filter
//                  rotated by 180°) | 'gemm-col2im' (stride > 1: cols = dy · Wᵀ, then col2im, in chunks);
//   filter grad    'empty' | 'winograd' (3×3 stride 1, see below) | 'row-gemm' (no padding, ci < 8,
//                  co filling 8-column panels) |
//                  'direct' (stride 1, ci < 8) | 'gemm-1x1' | 'gemm-few-pixels' (pixels < co) |
//                  'gemm-many-pixels'.
//
// 'winograd' (F(2×2, 3×3), conv/winograd.ts; 2.25× fewer multiplies) runs a 3×3 stride-1 conv's
// forward pass and input gradient when both channel counts of that pass's conv are ≥ 32 and it
// has ≥ 16 output tiles of 2×2 pixels, and its filter gradient from 8 channels each way and 32
// tiles. Measured per shape against the strategies it replaces (1 thread, CPU time, medians of
// 5–9 alternating calls, load ~9; the scratch bench is described in the issue-19 report):
//   ResNet-18 batch 32 (32x32·64 … 4x4·512): forward and input gradient 1.6–1.9×, filter
//   gradient 1.65–1.85×; batch 1, 32x32·64 … 8x8·256: 1.25–1.9× (filter gradient at 8x8·256,
//   16 tiles: 1.05×); 32→32 channels 1.2–1.35×, 16→16 0.82–1.0× and 8→16 0.75–0.9× (the
//   transforms cost as much as the GEMMs save) but their filter gradient 1.8–2.2×; 4x4·512 at
//   batch 1 (4 tiles) 0.67–0.9× (16 GEMMs of 4 rows read 16/9 as many filter bytes), at batch 4
//   (16 tiles) 1.06× forward (1.35× with the transformed filter cached), filter gradient 1.02×.
// Kept filter forms (packed_filter_cache.ts) now stay in WASM memory, read in place with no copy
// per call, so repeated inference calls on few tiles pay neither the filter transform nor its
// copy: the forward pass also takes 'winograd' from 4 tiles when both channel counts are ≥ 256.
// Measured (1 thread, relaxed build, medians of 32 calls, load 3–4.5; kept / fresh filter):
// batch 1 on 4x4 (4 tiles) 512→512 1.03–1.26× / 0.74–0.98×, 256→256 1.47× / 0.70×, 256→512
// 1.28× / 0.49×, 128→128 0.96× / 0.97× (hence 256), batch 2 (8 tiles) 512→512 1.3× kept; 2x2
// maps (1 tile) 0.63× kept. ResNet-18 batch-1 forward (3 of its convs) 20.4 → 19.9 ms. The fresh
// filter's loss falls on training at batch 1–3 only (ResNet's 4x4 maps at batch 4 have 16 tiles).
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../../backend/backend.js';
import type { KernelArgs } from '../wasm_io.js';
import { singleChannelInputGrad } from '../conv_single_channel.js';
import type { Conv2DInfo } from './geometry.js';
import { directForwardFits, forwardDirect, inputGradDirect } from './direct.js';
import { filterRowsFits, forwardGemm, inputGradCol2im, inputGradRotated } from './gemm.js';
import { inputGradScatter, scatterFits } from './scatter.js';
import { filterGradWinograd, forwardWinograd, inputGradWinograd } from './winograd.js';
import {
  directFilterGradFits, filterGrad1x1, filterGrad1x1Fits, filterGradDirect, filterGradFewPixels, filterGradManyPixels,
  filterGradRowGemm, rowGemmFilterGradFits,
} from './filter_grad.js';
import { type FilterGradAt, type ForwardCall, type InputGradAt, filterGradIn, inputGradIn } from './pass_io.js';

export type ForwardStrategy = 'direct' | 'winograd' | 'gemm-filter-rows' | 'gemm-indirect';
export type InputGradStrategy = 'single-channel' | 'scatter' | 'direct-rotated' | 'winograd' | 'gemm-rotated' | 'gemm-col2im';
export type FilterGradStrategy = 'empty' | 'winograd' | 'row-gemm' | 'direct' | 'gemm-1x1' | 'gemm-few-pixels' | 'gemm-many-pixels';

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

/** Winograd (forward, input gradient) needs at least this many input and output channels… */
export const WINOGRAD_MIN_CHANNELS = 32;
/** …and at least this many 2×2 output tiles. */
export const WINOGRAD_MIN_TILES = 16;
/** The forward pass also takes Winograd from this many tiles when both channel counts are at least… */
export const WINOGRAD_FORWARD_FEW_TILES = 4;
/** …this many (few tiles: the GEMM streams the large filter for few pixels; see the header). */
export const WINOGRAD_FORWARD_FEW_TILES_MIN_CHANNELS = 256;
/** The filter gradient's Winograd needs at least this many channels each way and tiles. */
export const WINOGRAD_FILTER_GRAD_MIN_CHANNELS = 8;
export const WINOGRAD_FILTER_GRAD_MIN_TILES = 32;

/**
 * Whether 'winograd' runs a 3×3 stride-1 conv with `c` input and `k` output channels onto an
 * oh × ow output of batch n: at least `minChannels` channels each way and `minTiles` 2×2 output
 * tiles (see the file header for the measurements).
 */
export function winogradFits(
  info: Conv2DInfo, c: number, k: number, n: number, oh: number, ow: number,
  minChannels = WINOGRAD_MIN_CHANNELS, minTiles = WINOGRAD_MIN_TILES,
): boolean {
  if (info.filterHeight !== 3 || info.filterWidth !== 3 || info.strideHeight !== 1 || info.strideWidth !== 1) return false;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return false;
  const tiles = n * Math.ceil(oh / 2) * Math.ceil(ow / 2);
  return c >= minChannels && k >= minChannels && tiles >= minTiles;
}

/** The forward strategy for conv geometry `info`. */
export function planForward(info: Conv2DInfo): ForwardPlan {
  if (directForwardFits(info.strideHeight, info.strideWidth, info.inChannels, info.outChannels, info.outWidth)) {
    return { name: 'direct', run: forwardDirect };
  }
  const { inChannels: ci, outChannels: co, batchSize: n, outHeight: oh, outWidth: ow } = info;
  if (
    winogradFits(info, ci, co, n, oh, ow) ||
    winogradFits(info, ci, co, n, oh, ow, WINOGRAD_FORWARD_FEW_TILES_MIN_CHANNELS, WINOGRAD_FORWARD_FEW_TILES)
  ) {
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
  if (winogradFits(info, info.outChannels, info.inChannels, info.batchSize, info.inHeight, info.inWidth)) {
    return { name: 'winograd', run: inputGradWinograd };
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
