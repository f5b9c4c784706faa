// Plumbing shared by every WASM kernel of backend `wmoe` (GEMM, convolution, pooling, softmax,
// top-k, elementwise, reduce): the kernel argument type, the fallback to tfjs-backend-cpu and
// copying results out of WASM memory. GEMM-specific layout helpers are in conv_support.ts.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import { chunkArgs, type ChunkedJob } from '../wasm/thread_pool.js';

/** What tfjs-core passes to a kernel function. */
export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}

/** The `wmoe` backend a kernel runs on. */
export function wmoeOf(args: KernelArgs): WmoeBackend {
  return args.backend as WmoeBackend;
}

/**
 * Runs tfjs-backend-cpu's kernel `name` on the wmoe backend (which is a cpu backend), for
 * dtypes and attribute combinations that the WASM kernels do not cover.
 */
export function cpuKernel(name: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const k = tf.getKernel(name, 'cpu');
  if (k === undefined) throw new Error(`wireless-moe: no cpu kernel '${name}' to fall back to`);
  return k.kernelFunc(args as Parameters<typeof k.kernelFunc>[0]);
}

/**
 * Runs the kernel `name` that backend `wmoe` registered (a WASM one where there is one, else
 * the inherited cpu kernel): for kernels that finish their work with another op, such as the
 * broadcast bias add after a GEMM.
 */
export function wmoeKernel(name: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const k = tf.getKernel(name, 'wmoe');
  return k === undefined ? cpuKernel(name, args) : k.kernelFunc(args as Parameters<typeof k.kernelFunc>[0]);
}

/**
 * A copy of `length` float32 values at byte address `ptr` of the nn module's memory, in an
 * array from the backend's output pool (recycled when possible; the arena itself is reused by
 * the next kernel call). The caller must make it a tensor's values (backend.output).
 */
export function takeF32(backend: WmoeBackend, ptr: number, length: number): Float32Array {
  const out = backend.outputs.take(length);
  backend.nn.arena.readF32(ptr, out);
  return out;
}

/**
 * Byte address in the nn module's memory of float32 `values` that a kernel only reads: where
 * they already live when they are a resident tensor's (see ResidentPool), else a copy in the
 * arena. A kernel that writes into its operand must use `arena.put` instead.
 */
export function readPtr(backend: WmoeBackend, values: Float32Array): number {
  return backend.outputs.pointerOf(values) ?? backend.nn.arena.put(values);
}

/**
 * An output of `length` float32 values that a kernel writes at byte address `ptr`; after the
 * kernel, `values()` gives them as the new tensor's values. Resident outputs are written in
 * place; otherwise `ptr` is in the arena and `values()` copies them out. Call after
 * `arena.reset()`, and call `values()` exactly once (it hands the array to the tensor).
 */
export function outputF32(backend: WmoeBackend, length: number): { ptr: number; values(): Float32Array } {
  const out = backend.outputs.take(length);
  const resident = backend.outputs.pointerOf(out);
  if (resident !== undefined) return { ptr: resident, values: () => out };
  const ptr = backend.nn.arena.alloc(length * 4);
  return {
    ptr,
    values: () => {
      backend.nn.arena.readF32(ptr, out);
      return out;
    },
  };
}

/**
 * Runs `body(arg)`, a kernel's work that takes outputs (outputF32, takeF32, `outputs.take`): when it
 * throws (say a WasmMemoryError from a scratch allocation after the output was taken), every
 * output it took that did not become a tensor's values is given back (a resident one's block is
 * freed), and every value it wrote into the backend (intermediate results, which no tensor will
 * own) is disposed; then the error propagates. Nests: an inner call gives back only its own.
 */
export function releasingOutputsOnThrow<T, A = undefined>(backend: WmoeBackend, body: (arg: A) => T, arg?: A): T {
  const mark = backend.outputs.mark();
  try {
    return backend.disposingWritesOnThrow(body, arg);
  } catch (e) {
    backend.outputs.discardSince(mark);
    throw e;
  }
}

/** Kernel `config` whose function gives back the outputs it took when it throws ({@link releasingOutputsOnThrow}). */
export function releasingOutputs(config: KernelConfig): KernelConfig {
  const f = config.kernelFunc;
  // f and the kernel's args passed through, not wrapped in a closure per call.
  const kernelFunc: KernelConfig['kernelFunc'] = (args) => releasingOutputsOnThrow(args.backend as WmoeBackend, f, args);
  return { ...config, kernelFunc };
}

/** A fresh copy of `length` int32 values at byte address `ptr` of the nn module's memory. */
export function takeI32(backend: WmoeBackend, ptr: number, length: number): Int32Array {
  return backend.nn.arena.i32(ptr, length).slice();
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Input `name` of a kernel call; throws a one-line error naming it when it is missing. */
export function inputOf(args: KernelArgs, kernel: string, name: string): TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`wireless-moe: ${kernel} called without input '${name}'`);
  return t;
}

/**
 * Runs export `name` of the nn module over every chunk of `job` (see ChunkedJob): split over
 * the module's threads when it has a pool, else in order on this thread.
 */
export function runChunked(backend: WmoeBackend, name: string, job: ChunkedJob): void {
  const nn = backend.nn;
  if (nn.pool) {
    nn.pool.run(name, job);
    return;
  }
  const f = (nn.exports as unknown as Record<string, (...args: number[]) => void>)[name]!;
  for (let i = 0; i < job.chunks; i++) f(...chunkArgs(job, i));
}
