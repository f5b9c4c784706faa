// BatchMatMul and _FusedMatMul on backend `wmoe`: the register-blocked SIMD GEMM of
// assembly/nn/gemm.ts, with NumPy-style broadcasting of the batch dimensions, transposes
// handled by strides (no copies; a long-reduction Aᵀ is transposed once per distinct batch of A
// and then read row by row, see TRANSPOSE_A_MIN_K), and bias + relu/relu6/leaky-relu fused into
// one epilogue. A B used again (a weight) is packed once and kept (packed_b_cache.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import type { NnExports } from './nn_exports.js';
import { applyCpuActivation, biasVector, indirectionBytes, packedBytes, wasmActivationCode } from './conv_support.js';
import { type KernelArgs as GemmKernelArgs, cpuKernel, outputF32, readPtr, runChunked, wmoeKernel } from './wasm_io.js';
import { CHUNKS_PER_THREAD } from '../wasm/parallel_gemm.js';
import { cachedPackedB } from './packed_b_cache.js';

/** Index into a batch of `inShape` (right-aligned, size-1 dims broadcast) for output batch index `flat`. */
function broadcastIndex(flat: number, outShape: number[], inShape: number[]): number {
  let index = 0;
  let stride = 1;
  for (let d = outShape.length - 1, e = inShape.length - 1; d >= 0; d--, e--) {
    const coord = flat % outShape[d];
    flat = Math.floor(flat / outShape[d]);
    if (e >= 0) {
      if (inShape[e] !== 1) index += coord * stride;
      stride *= inShape[e];
    }
  }
  return index;
}

/**
 * From this reduction length on, a transposed A (op(A) = Aᵀ) is transposed into a row-major
 * copy before the GEMM instead of read with strides. Measured (one thread, CPU time, ViT shapes):
 * k = 2080 gains 1.11–1.23×; k = 65 (attention) loses 0.92×.
 */
export const TRANSPOSE_A_MIN_K = 256;

/**
 * dst = the transpose of src (rows×cols, row-major) as cols×rows, by assembly/nn/matrix_transpose.ts
 * in 4×4 SIMD blocks; large ones in chunks of source rows over the module's threads (a copy: the
 * same bits on any number of threads).
 */
function transposeInto(backend: WmoeBackend, src: number, rows: number, cols: number, dst: number): void {
  const threads = rows * cols < 1 << 16 ? 1 : (backend.nn.pool?.active ?? 1);
  const per = Math.max(4, threads < 2 ? rows : Math.ceil(rows / (CHUNKS_PER_THREAD * threads) / 4) * 4);
  runChunked(backend, 'matrixTranspose', {
    base: [src, rows, cols, dst, rows], stride: [per * cols * 4, 0, 0, per * 4, 0],
    countIndex: 1, total: rows, per, chunks: Math.max(1, Math.ceil(rows / per)),
  });
}

/**
 * The batch dimensions of a bias that adds one row of n values per output batch: shape
 * [...batchBias, 1, n] (float32, rank at least 3) with batchBias broadcasting to `batchOut`.
 * Undefined for any other bias (left to the broadcasting Add).
 */
function perBatchBias(bias: TensorInfo, batchOut: number[], n: number): number[] | undefined {
  const s = bias.shape;
  if (bias.dtype !== 'float32' || s.length < 3 || s.length - 2 > batchOut.length || s[s.length - 1] !== n || s[s.length - 2] !== 1) {
    return undefined;
  }
  const batchBias = s.slice(0, -2);
  const offset = batchOut.length - batchBias.length;
  return batchBias.every((d, i) => d === 1 || d === batchOut[offset + i]) ? batchBias : undefined;
}

/** Epilogue of a fused matmul: what the WASM pass does and what is left to cpu kernels. */
export interface MatMulEpilogue {
  bias?: TensorInfo;
  activation?: string;
  preluWeights?: TensorInfo;
  leakyreluAlpha?: number;
}

/**
 * out [...batch, m, n] = op(a) · op(b) (+ bias, activation) with a [...batchA, m, k] (or
 * [..., k, m] when transposeA) and b [...batchB, k, n] (or [..., n, k] when transposeB); the
 * batch dimensions broadcast. float32 only; throws on mismatched inner or batch dimensions.
 */
export function wasmMatMul(
  backend: WmoeBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean,
  epilogue: MatMulEpilogue = {},
): TensorInfo {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) throw new Error(`wireless-moe matMul: operands need rank >= 2, got shapes [${a.shape}] and [${b.shape}]`);
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new Error(
      `wireless-moe matMul: inner dimensions ${k} and ${kb} differ (shapes [${a.shape}] and [${b.shape}], ` +
        `transposeA=${transposeA}, transposeB=${transposeB})`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batchOut = tf.backend_util.assertAndGetBroadcastShape(batchA, batchB);
  const batches = batchOut.reduce((x, y) => x * y, 1);
  const outShape = [...batchOut, m, n];

  const act = wasmActivationCode(epilogue.activation);
  const biasVals = epilogue.bias ? biasVector(backend, epilogue.bias, n, outShape.length) : undefined;
  const av = backend.f32(a);
  const bv = backend.f32(b);

  const nn = backend.nn;
  const ex = nn.exports as NnExports;
  const arena = nn.arena;
  arena.reset();
  const pa = readPtr(backend, av);
  // B packed for every batch of B: from the cache (a weight used again), packed into the cache
  // now (its second use), or -1: packed batch by batch into pbp below.
  const packedB = cachedPackedB(backend, b, bv, transposeB, k, n);
  const pb = packedB < 0 ? readPtr(backend, bv) : 0;
  const pbp = packedB < 0 ? arena.alloc(packedBytes(k, n)) : 0;
  const pind = arena.alloc(indirectionBytes(m, 1));
  const c = outputF32(backend, batches * m * n);
  const pc = c.ptr;
  const pbias = biasVals ? readPtr(backend, biasVals) : 0;

  // Element strides of op(A) (m×k) and op(B) (k×n) inside one batch.
  // A long-reduction Aᵀ (a weight gradient xᵀ·dy) runs 1.1–1.25× faster on a transposed copy:
  // the strided A reads of the tile kernel cost more than one transpose pass (TRANSPOSE_A_MIN_K).
  const flipA = transposeA && k >= TRANSPOSE_A_MIN_K;
  const rsA = transposeA && !flipA ? 1 : k;
  const csA = transposeA && !flipA ? m : 1;
  const rsB = transposeB ? 1 : n;
  const csB = transposeB ? k : 1;
  // Transposed copies of A's batches, made on first use (broadcasts may cycle through them); no
  // map on the common path without a transposed A.
  const flipped = flipA ? new Map<number, number>() : undefined;
  let packed = -1;
  for (let bi = 0; bi < batches; bi++) {
    const ia = broadcastIndex(bi, batchOut, batchA);
    const ib = broadcastIndex(bi, batchOut, batchB);
    if (packedB >= 0) packed = ib;
    else if (ib !== packed) {
      ex.gemmPackB(pb + ib * k * n * 4, k, n, rsB, csB, pbp);
      packed = ib;
    }
    let aPtr = pa + ia * m * k * 4;
    if (flipped) {
      let copy = flipped.get(ia);
      if (copy === undefined) {
        copy = arena.alloc(m * k * 4);
        transposeInto(backend, aPtr, k, m, copy);
        flipped.set(ia, copy);
      }
      aPtr = copy;
    }
    ex.gemm(m, n, k, aPtr, rsA, csA, packedB >= 0 ? packedB + ib * packedBytes(k, n) : pbp, pc + bi * m * n * 4, n, 0, pind);
  }
  const alpha = epilogue.leakyreluAlpha ?? 0.2;
  // A bias per batch ([...batch, 1, n], the MoE experts' [K, 1, n]): the epilogue batch by batch.
  const biasBatch = epilogue.bias !== undefined && biasVals === undefined ? perBatchBias(epilogue.bias, batchOut, n) : undefined;
  const wasmBias = biasVals !== undefined || biasBatch !== undefined;
  const wasmAct = act >= 0 && (wasmBias || epilogue.bias === undefined) ? act : 0;
  if (biasBatch !== undefined) {
    const pb0 = readPtr(backend, backend.f32(epilogue.bias!));
    for (let bi = 0; bi < batches; bi++) {
      ex.gemmBiasActivation(pc + bi * m * n * 4, m, n, n, pb0 + broadcastIndex(bi, batchOut, biasBatch) * n * 4, wasmAct, alpha);
    }
  } else if (pbias !== 0 || wasmAct !== 0) ex.gemmBiasActivation(pc, batches * m, n, n, pbias, wasmAct, alpha);
  let out = backend.output(outShape, c.values());

  // Whatever the WASM epilogue could not do: a broadcast bias of another shape (through the
  // backend's own broadcasting Add), other activations.
  if (epilogue.bias !== undefined && !wasmBias) {
    const sum = wmoeKernel(tf.Add, { inputs: { a: out, b: epilogue.bias }, backend }) as TensorInfo;
    backend.disposeIntermediateTensorInfo(out);
    out = sum;
  }
  const activation = epilogue.activation ?? 'linear';
  if (activation !== 'linear' && wasmAct === 0) {
    out = applyCpuActivation(backend, out, activation, epilogue.preluWeights, epilogue.leakyreluAlpha);
  }
  return out;
}

function batchMatMul(args: GemmKernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return cpuKernel(tf.BatchMatMul, args) as TensorInfo;
  return wasmMatMul(backend, a, b, !!transposeA, !!transposeB);
}

function fusedMatMul(args: GemmKernelArgs): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { a, b, bias, preluActivationWeights } = args.inputs as {
    a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo;
  };
  const { transposeA, transposeB, activation, leakyreluAlpha } = (args.attrs ?? {}) as {
    transposeA?: boolean; transposeB?: boolean; activation?: string; leakyreluAlpha?: number;
  };
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return cpuKernel(tf._FusedMatMul, args) as TensorInfo;
  return wasmMatMul(backend, a, b, !!transposeA, !!transposeB, {
    bias, activation, preluWeights: preluActivationWeights, leakyreluAlpha,
  });
}

/** BatchMatMul and _FusedMatMul for backend `wmoe`. */
export const matMulKernels: KernelConfig[] = [
  { kernelName: tf.BatchMatMul, backendName: 'wmoe', kernelFunc: batchMatMul as KernelConfig['kernelFunc'] },
  { kernelName: tf._FusedMatMul, backendName: 'wmoe', kernelFunc: fusedMatMul as KernelConfig['kernelFunc'] },
];
