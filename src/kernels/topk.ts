// Top-k along the last axis (float32), run by assembly/nn/topk.ts. Values come out sorted
// descending with ties broken by lower index, which is tfjs-backend-cpu's order for
// sorted = true; for sorted = false (order unspecified) the same sorted result is returned.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TopKAttrs } from '@tensorflow/tfjs-core';
import { cpuKernel, inputOf, readPtr, sizeOf, takeF32, takeI32, wmoeOf, type KernelArgs } from './wasm_io.js';

/** TopK: x [..., n] → values [..., k] (dtype of x) and indices [..., k] int32. */
function topK(args: KernelArgs) {
  const x = inputOf(args, tf.TopK, 'x');
  const { k } = args.attrs as unknown as TopKAttrs;
  if (x.dtype !== 'float32' || x.shape.length === 0) return cpuKernel(tf.TopK, args);
  const n = x.shape[x.shape.length - 1];
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new Error(`wireless-moe: TopK k must be an integer in [0, ${n}], got ${k}`);
  }
  const backend = wmoeOf(args);
  const outShape = [...x.shape.slice(0, -1), k];
  const count = sizeOf(outShape);
  if (count === 0) return [backend.output(outShape, new Float32Array(0)), backend.output(outShape, new Int32Array(0), 'int32')];
  const rows = sizeOf(x.shape) / n;
  const { exports, arena } = backend.nn;
  arena.reset();
  const xp = readPtr(backend, backend.f32(x));
  const vp = arena.alloc(count * 4);
  const ip = arena.alloc(count * 4);
  const scratch = arena.alloc(n * 8);
  exports.topK(xp, vp, ip, rows, n, k, scratch);
  return [backend.output(outShape, takeF32(backend, vp, count)), backend.output(outShape, takeI32(backend, ip, count), 'int32')];
}

/** The top-k kernels of backend `wmoe`. */
export const topKKernels: KernelConfig[] = [
  { kernelName: tf.TopK, backendName: 'wmoe', kernelFunc: topK as KernelConfig['kernelFunc'] },
];
