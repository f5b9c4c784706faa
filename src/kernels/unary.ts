// Float32 unary kernels of a training step (Relu, Step — which is Relu's gradient —, Sqrt,
// Square — both in Adam), run by assembly/nn/elementwise.ts. Other dtypes run the cpu kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuKernel, inputOf, outputF32, readPtr, sizeOf, wmoeOf, type KernelArgs } from './wasm_io.js';

const CODES: Record<string, number> = { [tf.Relu]: 0, [tf.Step]: 1, [tf.Sqrt]: 2, [tf.Square]: 3 };

function unaryKernel(name: string) {
  const code = CODES[name] as number;
  return (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const x = inputOf(args, name, 'x');
    if (x.dtype !== 'float32') return cpuKernel(name, args);
    const alpha = name === tf.Step ? Number((args.attrs as { alpha?: number } | undefined)?.alpha ?? 0) : 0;
    const backend = wmoeOf(args);
    const n = sizeOf(x.shape);
    if (n === 0) return backend.output(x.shape.slice(), new Float32Array(0));
    const { exports, arena } = backend.nn;
    arena.reset();
    const xp = readPtr(backend, backend.f32(x));
    const y = outputF32(backend, n);
    exports.unary(code, xp, y.ptr, n, alpha);
    return backend.output(x.shape.slice(), y.values());
  };
}

/** The unary kernels of backend `wmoe`: Relu (max(x,0)), Step (x > 0 ? 1 : alpha), Sqrt, Square. */
export const unaryKernels: KernelConfig[] = [tf.Relu, tf.Step, tf.Sqrt, tf.Square].map((name) => ({
  kernelName: name, backendName: 'wmoe', kernelFunc: unaryKernel(name) as KernelConfig['kernelFunc'],
}));
