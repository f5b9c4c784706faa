// Softmax over the last axis (float32), run by assembly/nn/softmax.ts in one pass per row
// instead of cpu's five kernels (max, sub, exp, sum, div).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, SoftmaxAttrs } from '@tensorflow/tfjs-core';
import { cpuKernel, inputOf, outputF32, readPtr, sizeOf, wmoeOf, type KernelArgs } from './wasm_io.js';

/** Softmax: logits [..., n] → probabilities [..., n] along the last axis (attr dim = -1 or rank-1). */
function softmax(args: KernelArgs) {
  const logits = inputOf(args, tf.Softmax, 'logits');
  const { dim } = args.attrs as unknown as SoftmaxAttrs;
  const rank = logits.shape.length;
  if (logits.dtype !== 'float32' || rank === 0) return cpuKernel(tf.Softmax, args);
  if (dim !== -1 && dim !== rank - 1) {
    throw new Error(`wireless-moe: Softmax supports only the last axis, got dim ${dim} for rank ${rank}`);
  }
  const backend = wmoeOf(args);
  const total = sizeOf(logits.shape);
  const n = logits.shape[rank - 1];
  if (total === 0) return backend.output(logits.shape.slice(), new Float32Array(0));
  const { exports, arena } = backend.nn;
  arena.reset();
  const xp = readPtr(backend, backend.f32(logits));
  const y = outputF32(backend, total);
  exports.softmax(xp, y.ptr, total / n, n);
  return backend.output(logits.shape.slice(), y.values());
}

/** The softmax kernels of backend `wmoe`. */
export const softmaxKernels: KernelConfig[] = [
  { kernelName: tf.Softmax, backendName: 'wmoe', kernelFunc: softmax as KernelConfig['kernelFunc'] },
];
