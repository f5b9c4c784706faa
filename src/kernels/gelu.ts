// GELU (exact erf form) and its gradient on backend `wmoe`, run by assembly/nn/gelu.ts instead
// of tfjs-backend-cpu's Erf, Exp and five elementwise kernels in JS loops. src/models/gelu.ts
// calls them when the backend has them. Large tensors run in fixed chunks of elements over the
// module's threads; every element depends on itself alone, so any thread count gives the same bits.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import { inputOf, outputF32, readPtr, runChunked, sizeOf, wmoeOf, type KernelArgs } from './wasm_io.js';
import { GELU, GELU_GRAD } from './kernel_names.js';

/** Elements per chunk (a multiple of 4): ~0.1 ms of work, well above a thread hand-off. */
export const GELU_CHUNK = 1 << 15;

/** Runs export `name` over n elements; `pointers`: the argument indices that advance with the elements. */
function runElements(backend: WmoeBackend, name: string, base: number[], pointers: number[], countIndex: number, n: number): void {
  const stride = base.map((_, j) => (pointers.includes(j) ? GELU_CHUNK * 4 : 0));
  runChunked(backend, name, { base, stride, countIndex, total: n, per: GELU_CHUNK, chunks: Math.max(1, Math.ceil(n / GELU_CHUNK)) });
}

/** Throws a one-line error unless t is float32. */
function checkFloat(kernel: string, name: string, t: TensorInfo): void {
  if (t.dtype !== 'float32') throw new Error(`wireless-moe: ${kernel} needs float32 input '${name}', got ${t.dtype}`);
}

function forward(args: KernelArgs): TensorInfo {
  const x = inputOf(args, GELU, 'x');
  checkFloat(GELU, 'x', x);
  const backend = wmoeOf(args);
  const n = sizeOf(x.shape);
  backend.nn.arena.reset();
  const xp = readPtr(backend, backend.f32(x));
  const y = outputF32(backend, n);
  if (n > 0) runElements(backend, 'gelu', [xp, y.ptr, n], [0, 1], 2, n);
  return backend.output(x.shape.slice(), y.values());
}

function gradient(args: KernelArgs): TensorInfo {
  const x = inputOf(args, GELU_GRAD, 'x');
  const dy = inputOf(args, GELU_GRAD, 'dy');
  checkFloat(GELU_GRAD, 'x', x);
  checkFloat(GELU_GRAD, 'dy', dy);
  const n = sizeOf(x.shape);
  if (sizeOf(dy.shape) !== n) throw new Error(`wireless-moe: ${GELU_GRAD}: dy [${dy.shape}] and x [${x.shape}] differ in size`);
  const backend = wmoeOf(args);
  backend.nn.arena.reset();
  const xp = readPtr(backend, backend.f32(x));
  const dyp = readPtr(backend, backend.f32(dy));
  const dx = outputF32(backend, n);
  if (n > 0) runElements(backend, 'geluGrad', [xp, dyp, dx.ptr, n], [0, 1, 2], 3, n);
  return backend.output(x.shape.slice(), dx.values());
}

/** The GELU kernels of backend `wmoe`. */
export const geluKernels: KernelConfig[] = [
  { kernelName: GELU, backendName: 'wmoe', kernelFunc: forward as unknown as KernelConfig['kernelFunc'] },
  { kernelName: GELU_GRAD, backendName: 'wmoe', kernelFunc: gradient as unknown as KernelConfig['kernelFunc'] },
];
