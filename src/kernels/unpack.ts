// Unpack (tf.unstack, and the gradient of tf.stack): splits a tensor along an axis into
// slices by block copies (TypedArray.set), instead of cpu's element-by-element slice.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo, UnpackAttrs } from '@tensorflow/tfjs-core';
import { cpuKernel, inputOf, sizeOf, wmoeOf, type KernelArgs } from './wasm_io.js';

/** Unpack: x [..., n (axis), ...] → n tensors with that axis removed. */
function unpack(args: KernelArgs): TensorInfo[] {
  const x = inputOf(args, tf.Unpack, 'value');
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return cpuKernel(tf.Unpack, args) as TensorInfo[];
  const { axis } = args.attrs as unknown as UnpackAttrs;
  const rank = x.shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= rank) {
    throw new Error(`wireless-moe: Unpack axis ${axis} is out of range for rank ${rank}`);
  }
  const backend = wmoeOf(args);
  const values = backend.data.get(x.dataId).values as Float32Array | Int32Array;
  const count = x.shape[ax] as number;
  const outer = sizeOf(x.shape.slice(0, ax));
  const inner = sizeOf(x.shape.slice(ax + 1));
  const outShape = x.shape.filter((_, d) => d !== ax);
  const outs: TensorInfo[] = [];
  for (let k = 0; k < count; k++) {
    const out = x.dtype === 'float32' ? new Float32Array(outer * inner) : new Int32Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      const from = (o * count + k) * inner;
      out.set(values.subarray(from, from + inner), o * inner);
    }
    outs.push(backend.output(outShape.slice(), out, x.dtype));
  }
  return outs;
}

/** The Unpack kernel of backend `wmoe`. */
export const unpackKernels: KernelConfig[] = [
  { kernelName: tf.Unpack, backendName: 'wmoe', kernelFunc: unpack as KernelConfig['kernelFunc'] },
];
