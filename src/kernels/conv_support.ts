// Plumbing shared by the GEMM (matmul) and convolution kernels of backend `wmoe`: the kernel
// argument type, the fallback to tfjs-backend-cpu, fused activations, and the WASM-side
// packing of a GEMM right operand.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import type { WasmArena } from '../wasm/module.js';

/** What tfjs-core passes to a kernel function. */
export interface GemmKernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}

/** Columns per packed panel of B in assembly/nn/gemm.ts. */
export const NR = 8;
/** Rows per micro-tile (and per indirection group) in assembly/nn/gemm.ts. */
export const MR = 6;

/** Runs tfjs-backend-cpu's kernel `name` on the wmoe backend (a cpu backend underneath). */
export function runCpuKernel(name: string, args: GemmKernelArgs): TensorInfo {
  const k = tf.getKernel(name, 'cpu');
  if (k === undefined) throw new Error(`wireless-moe: no cpu kernel '${name}' to fall back to`);
  return k.kernelFunc(args as Parameters<typeof k.kernelFunc>[0]) as TensorInfo;
}

/** Bytes of a packed B with k rows and n columns. */
export function packedBytes(k: number, n: number): number {
  return Math.ceil(n / NR) * NR * k * 4;
}

/** Bytes of an indirection table for m rows and `taps` pointers per row. */
export function indirectionBytes(m: number, taps: number): number {
  return Math.ceil(Math.max(m, 1) / MR) * MR * taps * 4;
}

/** Activation code understood by gemmBiasActivation, or -1 for activations done with cpu kernels. */
export function wasmActivationCode(activation: string | undefined): number {
  switch (activation ?? 'linear') {
    case 'linear':
      return 0;
    case 'relu':
      return 1;
    case 'relu6':
      return 2;
    case 'leakyrelu':
      return 3;
    default:
      return -1;
  }
}

/**
 * Applies a fused activation that the WASM epilogue does not implement ('elu', 'sigmoid',
 * 'prelu' with `preluWeights`) with tfjs-backend-cpu kernels; disposes `x` and returns the result.
 */
export function applyCpuActivation(
  backend: WmoeBackend, x: TensorInfo, activation: string, preluWeights?: TensorInfo, alpha?: number,
): TensorInfo {
  let y: TensorInfo;
  if (activation === 'elu') y = runCpuKernel('Elu', { inputs: { x }, backend });
  else if (activation === 'sigmoid') y = runCpuKernel('Sigmoid', { inputs: { x }, backend });
  else if (activation === 'prelu') {
    if (preluWeights === undefined) throw new Error("wireless-moe: fused activation 'prelu' needs preluActivationWeights");
    y = runCpuKernel('Prelu', { inputs: { x, alpha: preluWeights }, backend });
  } else if (activation === 'relu') y = runCpuKernel('Relu', { inputs: { x }, backend });
  else if (activation === 'relu6') y = runCpuKernel('Relu6', { inputs: { x }, backend });
  else if (activation === 'leakyrelu') y = runCpuKernel('LeakyRelu', { inputs: { x }, backend, attrs: { alpha: alpha ?? 0.2 } });
  else if (activation === 'linear') return x;
  else throw new Error(`wireless-moe: unknown fused activation '${activation}'`);
  backend.disposeIntermediateTensorInfo(x);
  return y;
}

/**
 * The bias as `n` floats for the WASM epilogue when it is a per-column vector (size n with last
 * dimension n, or a single value) of rank ≤ outRank, else undefined (the caller adds it with the cpu Add kernel).
 */
export function biasVector(backend: WmoeBackend, bias: TensorInfo, n: number, outRank: number): Float32Array | undefined {
  const size = bias.shape.reduce((a, b) => a * b, 1);
  if (bias.dtype !== 'float32' || bias.shape.length > outRank) return undefined;
  if (size === n && (bias.shape.length === 0 || bias.shape[bias.shape.length - 1] === n)) return backend.f32(bias);
  if (size === 1) return new Float32Array(n).fill(backend.f32(bias)[0]);
  return undefined;
}

/**
 * A fresh copy of `length` floats at byte address `ptr` of the arena's memory (the kernel's
 * output, owned by the caller; the arena is reused by the next call).
 */
export function copyOut(arena: WasmArena, ptr: number, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(arena.f32(ptr, length));
  return out;
}
