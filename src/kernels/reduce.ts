// Sum and Mean over a contiguous block of axes (after dropping size-1 axes) of a float32
// tensor, run by assembly/nn/reduce.ts without cpu's transpose (wide ones split by columns over
// the threads). Other axis sets and dtypes run the cpu kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, SumAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuKernel, inputOf, outputF32, readPtr, runChunked, sizeOf, wmoeOf, type KernelArgs } from './wasm_io.js';
import { CHUNKS_PER_THREAD } from '../wasm/parallel_gemm.js';
import { PARALLEL_MIN_ELEMENTS } from '../wasm/parallel_elementwise.js';

/**
 * Columns per unit of a threaded column sum (reduceSumColumns): its 16-column passes. A sum of
 * at least PARALLEL_MIN_ELEMENTS floats and 32 columns (bias gradients: LeNet's conv maps, the
 * ViT's [2080, 192 or 384]) splits its columns over the active threads, the same bits as one thread.
 */
const SPLIT_COLUMNS = 16;

/** [outer, red, inner] of `shape` reduced over `axes`, or null if the axes are not one block. */
export function reductionBlock(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  const reduced = new Set(axes);
  let outer = 1, red = 1, inner = 1;
  let phase = 0; // 0: before the reduced block, 1: inside it, 2: after it
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d] as number;
    if (size === 1) continue;
    if (reduced.has(d)) {
      if (phase === 2) return null;
      phase = 1;
      red *= size;
    } else if (phase === 0) {
      outer *= size;
    } else {
      phase = 2;
      inner *= size;
    }
  }
  return [outer, red, inner];
}

function reduce(name: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const x = inputOf(args, name, 'x');
  if (x.dtype !== 'float32') return cpuKernel(name, args);
  const { axis, keepDims } = args.attrs as unknown as SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const block = reductionBlock(x.shape, axes);
  if (block === null || sizeOf(x.shape) === 0) return cpuKernel(name, args);
  const [outer, red, inner] = block;
  let outShape = x.shape.filter((_, d) => !axes.includes(d));
  if (keepDims) outShape = tf.backend_util.expandShapeToKeepDim(outShape, axes);
  const backend = wmoeOf(args);
  const { exports, arena } = backend.nn;
  arena.reset();
  const xp = readPtr(backend, backend.f32(x));
  const y = outputF32(backend, outer * inner);
  const divisor = name === tf.Mean ? red : 1;
  const threads = backend.nn.pool?.active ?? 1;
  if (threads < 2 || inner < 2 * SPLIT_COLUMNS || outer * red * inner < PARALLEL_MIN_ELEMENTS) {
    exports.reduceSum(xp, y.ptr, outer, red, inner, divisor);
  } else {
    // Blocks of columns (multiples of 16: whole 16-column passes) on the active threads.
    const per = Math.ceil(inner / (CHUNKS_PER_THREAD * threads) / SPLIT_COLUMNS) * SPLIT_COLUMNS;
    runChunked(backend, 'reduceSumColumns', {
      base: [xp, y.ptr, outer, red, inner, inner, divisor], stride: [per * 4, per * 4, 0, 0, 0, 0, 0],
      countIndex: 4, total: inner, per, chunks: Math.ceil(inner / per),
    });
  }
  return backend.output(outShape, y.values());
}

/** Sum: x reduced over attr axis (keepDims as on cpu). */
const sum = (args: KernelArgs) => reduce(tf.Sum, args);

/** Mean: x averaged over attr axis (keepDims as on cpu). */
const mean = (args: KernelArgs) => reduce(tf.Mean, args);

/** The reduction kernels of backend `wmoe`. */
export const reduceKernels: KernelConfig[] = [
  { kernelName: tf.Sum, backendName: 'wmoe', kernelFunc: sum as KernelConfig['kernelFunc'] },
  { kernelName: tf.Mean, backendName: 'wmoe', kernelFunc: mean as KernelConfig['kernelFunc'] },
];
