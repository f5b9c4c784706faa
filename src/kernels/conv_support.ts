// Support shared by the GEMM (matmul) and convolution kernels of backend `wmoe`: sizes of the
// packed and indirection layouts of assembly/nn/gemm.ts, and fused bias/activation handling.
// The cpu fallback and copy-out helpers they share with the other kernels are in wasm_io.ts.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import { cpuKernel } from './wasm_io.js';

/** Runs tfjs-backend-cpu's single-output kernel `name` (see cpuKernel in wasm_io.ts). */
function cpu1(name: string, args: Parameters<typeof cpuKernel>[1]): TensorInfo {
  return cpuKernel(name, args) as TensorInfo;
}

export { MR, NR, packedBytes, indirectionBytes } from '../wasm/gemm_layout.js';

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
  if (activation === 'elu') y = cpu1('Elu', { inputs: { x }, backend });
  else if (activation === 'sigmoid') y = cpu1('Sigmoid', { inputs: { x }, backend });
  else if (activation === 'prelu') {
    if (preluWeights === undefined) throw new Error("wireless-moe: fused activation 'prelu' needs preluActivationWeights");
    y = cpu1('Prelu', { inputs: { x, alpha: preluWeights }, backend });
  } else if (activation === 'relu') y = cpu1('Relu', { inputs: { x }, backend });
  else if (activation === 'relu6') y = cpu1('Relu6', { inputs: { x }, backend });
  else if (activation === 'leakyrelu') y = cpu1('LeakyRelu', { inputs: { x }, backend, attrs: { alpha: alpha ?? 0.2 } });
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
