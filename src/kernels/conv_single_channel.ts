// Conv2DBackpropInput on backend `wmoe` for convolutions with ONE input channel (LeNet-5's first
// layer, 5x5 1→6) at stride 1: a dedicated kernel (assembly/nn/conv_single.ts) whose every
// multiply is a useful filter tap, instead of the general route (a forward conv of dy with the
// rotated filter, tiled for 6 output channels, of which only 1 is real here). conv/plan.ts picks
// singleChannelInputGrad when singleChannelInputGradFits says the call is covered.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import type { NnSingleChannelExports } from './nn_exports.js';
import { outputF32, readPtr, type KernelArgs } from './wasm_io.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
interface Attrs {
  strides?: number | number[];
  pad: Pad;
  dataFormat?: string;
  dilations?: number | number[];
  dimRoundingMode?: Rounding;
  inputShape?: number[];
}

/** dx rows × pixels of one register tile of convSingleInputGrad (the plane sizes round up to these). */
const TILE_ROWS = 3;
const TILE_COLS = 8;

const isOnes = (v: unknown) => v === undefined || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

/**
 * True when a Conv2DBackpropInput call (inputs dy, filter; attrs strides, pad, dataFormat,
 * inputShape) is one that singleChannelInputGrad covers: one input channel (inputShape [n, h, w, 1],
 * filter [fh, fw, 1, co]), stride 1, no dilation, NHWC, float32, no empty dimension. Malformed
 * calls answer false, so that the general kernel reports them.
 */
export function singleChannelInputGradFits(args: KernelArgs): boolean {
  const { dy, filter } = args.inputs as { dy?: TensorInfo; filter?: TensorInfo };
  const a = (args.attrs ?? {}) as unknown as Attrs;
  if (dy === undefined || filter === undefined || dy.dtype !== 'float32' || filter.dtype !== 'float32') return false;
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') return false;
  if (!isOnes(a.strides ?? 1) || !isOnes(a.dilations)) return false;
  const xs = a.inputShape;
  if (!Array.isArray(xs) || xs.length !== 4 || xs[3] !== 1) return false;
  if (filter.shape.length !== 4 || filter.shape[2] !== 1 || dy.shape.length !== 4) return false;
  return [...xs, ...filter.shape, ...dy.shape].every((d) => Number.isInteger(d) && d > 0);
}

/**
 * Input gradient dx [n, h, w, 1] of a stride-1 convolution with one input channel from
 * dy [n, oh, ow, co] and filter [fh, fw, 1, co] ('same', 'valid' or explicit padding), for a call
 * that singleChannelInputGradFits accepted. Throws a one-line error when dy's shape does not
 * match the convolution's output shape (before any WASM call).
 */
export function singleChannelInputGrad(args: KernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = (args.attrs ?? {}) as unknown as Attrs;
  const xShape = (a.inputShape as number[]).slice() as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    xShape, filter.shape as [number, number, number, number], 1, 1, a.pad, a.dimRoundingMode, false, 'channelsLast',
  );
  if (!tf.util.arraysEqual(dy.shape, info.outShape)) {
    throw new Error(`wireless-moe Conv2DBackpropInput: dy has shape [${dy.shape}], expected [${info.outShape}]`);
  }
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const wv = backend.f32(filter);
  // Filter rotated by 180°: wr[kh][c][kw] = W[fh−1−kh][fw−1−kw][0][c].
  const wr = new Float32Array(fh * co * fw);
  for (let kh = 0; kh < fh; kh++) {
    for (let c = 0; c < co; c++) {
      for (let kw = 0; kw < fw; kw++) wr[(kh * co + c) * fw + kw] = wv[((fh - 1 - kh) * fw + (fw - 1 - kw)) * co + c];
    }
  }
  const hp = Math.ceil(h / TILE_ROWS) * TILE_ROWS + fh - 1;
  const wp = Math.ceil(w / TILE_COLS) * TILE_COLS + fw - 1;
  const ex = backend.nn.exports as unknown as NnSingleChannelExports;
  const arena = backend.nn.arena;
  arena.reset();
  const pdy = readPtr(backend, backend.f32(dy));
  const pwr = arena.put(wr);
  const dx = outputF32(backend, n * h * w);
  const pdx = dx.ptr;
  const pscratch = arena.alloc(hp * co * wp * 4);
  ex.convSingleInputGrad(pdy, n, oh, ow, co, pwr, fh, fw, fh - 1 - info.padInfo.top, fw - 1 - info.padInfo.left, h, w, pdx, pscratch, hp, wp);
  return backend.output(xShape, dx.values());
}
