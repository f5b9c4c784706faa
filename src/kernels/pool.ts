// 2-D max/average pooling (NHWC, float32) and their gradients, run by assembly/nn/pool.ts.
// Geometry comes from tfjs's computePool2DInfo, so padding 'same'/'valid'/explicit numbers
// and dimRoundingMode behave exactly as on tfjs-backend-cpu. Non-float32 inputs and the
// 1×1 identity case run the cpu kernel. With a thread pool, large calls split over chunks of
// images (each chunk is the one-thread code on its images: bit-identical to one thread).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import { cpuKernel, inputOf, outputF32, readPtr, sizeOf, wmoeOf, type KernelArgs } from './wasm_io.js';
import { CHUNKS_PER_THREAD } from '../wasm/parallel_gemm.js';
import { PARALLEL_MIN_ELEMENTS } from '../wasm/parallel_elementwise.js';

type PoolInfo = tf.backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function geometry(kernel: string, x: TensorInfo, attrs: PoolAttrs, rounding: boolean): PoolInfo {
  if (x.shape.length !== 4) throw new Error(`wireless-moe: ${kernel} needs a rank-4 NHWC input, got shape [${x.shape}]`);
  return tf.backend_util.computePool2DInfo(
    x.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, rounding ? attrs.dimRoundingMode : undefined,
  );
}

/** (batch, inH, inW, C, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft). */
type Geom = [number, number, number, number, number, number, number, number, number, number, number, number];

/** Per-image strides of the geometry arguments (none advance). */
const NO_STRIDE: readonly number[] = new Array<number>(12).fill(0);

/** The geometry arguments shared by every pool export of the nn module. */
function dims(p: PoolInfo): Geom {
  return [p.batchSize, p.inHeight, p.inWidth, p.inChannels, p.outHeight, p.outWidth, p.filterHeight,
    p.filterWidth, p.strideHeight, p.strideWidth, p.padInfo.top, p.padInfo.left];
}

/**
 * Calls pool export `name` (arguments `args`, the batch size at `batchIndex`), split over
 * chunks of images on the backend's active threads when the input has at least
 * PARALLEL_MIN_ELEMENTS floats; `perImage[j]`: the bytes argument j advances per image (0 for a
 * non-pointer).
 */
function runPool(backend: WmoeBackend, name: 'maxPool' | 'avgPool' | 'maxPoolGrad' | 'avgPoolGrad', args: number[],
  batchIndex: number, perImage: number[], p: PoolInfo): void {
  const pool = backend.nn.pool;
  const batch = p.batchSize;
  const threads = pool?.active ?? 1;
  if (pool === undefined || threads < 2 || batch < 2 || sizeOf(p.inShape) < PARALLEL_MIN_ELEMENTS) {
    (backend.nn.exports[name] as (...a: number[]) => void)(...args);
    return;
  }
  const per = Math.ceil(batch / Math.min(batch, CHUNKS_PER_THREAD * threads));
  pool.run(name, {
    base: args, stride: perImage.map((b) => b * per), countIndex: batchIndex, total: batch, per, chunks: Math.ceil(batch / per),
  });
}

/** Bytes of one image of the pool's input and output. */
const imageBytes = (p: PoolInfo) => [p.inHeight * p.inWidth * p.inChannels * 4, p.outHeight * p.outWidth * p.inChannels * 4];

const isIdentity = (p: PoolInfo) =>
  p.filterHeight === 1 && p.filterWidth === 1 && tf.util.arraysEqual(p.inShape, p.outShape);

function forward(kind: 'max' | 'avg', args: KernelArgs): TensorInfo | TensorInfo[] {
  const name = kind === 'max' ? tf.MaxPool : tf.AvgPool;
  const x = inputOf(args, name, 'x');
  if (x.dtype !== 'float32') return cpuKernel(name, args);
  const p = geometry(name, x, args.attrs as unknown as PoolAttrs, true);
  if (isIdentity(p)) return cpuKernel(name, args);
  const backend = wmoeOf(args);
  backend.nn.arena.reset();
  const xp = readPtr(backend, backend.f32(x));
  const n = sizeOf(p.outShape);
  const y = outputF32(backend, n);
  const [inB, outB] = imageBytes(p);
  runPool(backend, kind === 'max' ? 'maxPool' : 'avgPool', [xp, y.ptr, ...dims(p)], 2, [inB, outB, ...NO_STRIDE], p);
  return backend.output(p.outShape, y.values());
}

/** MaxPool: y = max over each (clipped) window; NaN is ignored as on cpu. */
function maxPool(args: KernelArgs) {
  return forward('max', args);
}

/** AvgPool: y = mean over the in-image cells of each window. */
function avgPool(args: KernelArgs) {
  return forward('avg', args);
}

/** MaxPoolGrad: inputs dy [B,outH,outW,C], input x [B,H,W,C] (output unused); dx like x. */
function maxPoolGrad(args: KernelArgs) {
  const dy = inputOf(args, tf.MaxPoolGrad, 'dy');
  const input = inputOf(args, tf.MaxPoolGrad, 'input');
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') return cpuKernel(tf.MaxPoolGrad, args);
  const p = geometry(tf.MaxPoolGrad, input, args.attrs as unknown as PoolAttrs, true);
  return backward(wmoeOf(args), p, dy, input);
}

/** AvgPoolGrad: inputs dy, input x; each window's dy/(filterH·filterW) spread over its cells. */
function avgPoolGrad(args: KernelArgs) {
  const dy = inputOf(args, tf.AvgPoolGrad, 'dy');
  const input = inputOf(args, tf.AvgPoolGrad, 'input');
  if (dy.dtype !== 'float32') return cpuKernel(tf.AvgPoolGrad, args);
  // Like tfjs-backend-cpu, the gradient ignores dimRoundingMode.
  const p = geometry(tf.AvgPoolGrad, input, args.attrs as unknown as PoolAttrs, false);
  return backward(wmoeOf(args), p, dy, undefined);
}

function backward(backend: WmoeBackend, p: PoolInfo, dy: TensorInfo, x: TensorInfo | undefined): TensorInfo {
  if (!tf.util.arraysEqual(dy.shape, p.outShape)) {
    throw new Error(`wireless-moe: pool gradient dy has shape [${dy.shape}], expected [${p.outShape}]`);
  }
  backend.nn.arena.reset();
  const dyp = readPtr(backend, backend.f32(dy));
  const n = sizeOf(p.inShape);
  const g = dims(p);
  const xp = x !== undefined ? readPtr(backend, backend.f32(x)) : 0;
  const dx = outputF32(backend, n);
  const [inB, outB] = imageBytes(p);
  if (x !== undefined) runPool(backend, 'maxPoolGrad', [xp, dyp, dx.ptr, ...g], 3, [inB, outB, inB, ...NO_STRIDE], p);
  else runPool(backend, 'avgPoolGrad', [dyp, dx.ptr, ...g], 2, [outB, inB, ...NO_STRIDE], p);
  return backend.output(p.inShape.slice(), dx.values());
}

/** The pooling kernels of backend `wmoe`. */
export const poolKernels: KernelConfig[] = [
  { kernelName: tf.MaxPool, backendName: 'wmoe', kernelFunc: maxPool as KernelConfig['kernelFunc'] },
  { kernelName: tf.AvgPool, backendName: 'wmoe', kernelFunc: avgPool as KernelConfig['kernelFunc'] },
  { kernelName: tf.MaxPoolGrad, backendName: 'wmoe', kernelFunc: maxPoolGrad as KernelConfig['kernelFunc'] },
  { kernelName: tf.AvgPoolGrad, backendName: 'wmoe', kernelFunc: avgPoolGrad as KernelConfig['kernelFunc'] },
];
