// The attention core of multi-head self-attention on backend `wmoe`: scores, scale, softmax and
// the product with the values in one kernel, and its gradient in another, run by
// assembly/nn/attention.ts (per batch: GEMMs on the operands in place, the softmax and its
// gradient in SIMD), instead of ~10 tfjs kernels each way (matMul, mul, softmax, and the
// softmax gradient's mul, sum, sub). src/models/vit.ts calls them when the backend has them.
// The N batches (heads × images) run in chunks over the module's threads, each batch with its
// own operands and scratch, so any thread count gives the same bits — and the small per-head
// GEMMs, each below the GEMM's own threading threshold, do run on every thread.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import { CHUNKS_PER_THREAD } from '../wasm/parallel_gemm.js';
import { indirectionBytes, packedBytes } from '../wasm/gemm_layout.js';
import { inputOf, outputF32, readPtr, runChunked, wmoeOf, type KernelArgs } from './wasm_io.js';
import { ATTENTION, ATTENTION_GRAD, type AttentionAttrs } from './kernel_names.js';

/** Multiple of 64 bytes at or above `bytes` (keeps every chunk's scratch aligned). */
const align64 = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Shapes of q [N, tq, dh] and k, v [N, tk, dh]; throws a one-line error when they disagree. */
function dims(kernel: string, q: TensorInfo, k: TensorInfo, v: TensorInfo) {
  const ok = [q, k, v].every((t) => t.shape.length === 3 && t.dtype === 'float32') &&
    k.shape[0] === q.shape[0] && v.shape[0] === q.shape[0] && k.shape[2] === q.shape[2] &&
    v.shape[1] === k.shape[1] && v.shape[2] === q.shape[2];
  if (!ok) throw new Error(`wireless-moe: ${kernel}: q [${q.shape}], k [${k.shape}], v [${v.shape}] must be float32 [N, Tq, dh], [N, Tk, dh], [N, Tk, dh]`);
  const [N, tq, dh] = q.shape as [number, number, number];
  return { N, tq, tk: k.shape[1] as number, dh };
}

/** Batches per chunk and chunk count for N batches on the module's active threads. */
function chunking(backend: WmoeBackend, N: number) {
  const threads = backend.nn.pool?.active ?? 1;
  const per = threads < 2 ? Math.max(N, 1) : Math.max(1, Math.ceil(N / (CHUNKS_PER_THREAD * threads)));
  return { per, chunks: Math.max(1, Math.ceil(N / per)) };
}

/** Per-chunk scratch: a packed B for any of the products, the GEMM row pointers, and (backward) dS. */
function scratch(backend: WmoeBackend, tq: number, tk: number, dh: number, chunks: number, withDs: boolean) {
  const pbBytes = align64(Math.max(packedBytes(dh, tk), packedBytes(tk, dh), packedBytes(tq, dh)));
  const indBytes = align64(indirectionBytes(Math.max(tq, tk), 1));
  const dsBytes = withDs ? align64(tq * tk * 4) : 0;
  const { arena } = backend.nn;
  return { pb: arena.alloc(pbBytes * chunks), pbBytes, ind: arena.alloc(indBytes * chunks), indBytes, ds: withDs ? arena.alloc(dsBytes * chunks) : 0, dsBytes };
}

function forward(args: KernelArgs): TensorInfo[] {
  const { scale } = args.attrs as unknown as AttentionAttrs;
  const q = inputOf(args, ATTENTION, 'q'), k = inputOf(args, ATTENTION, 'k'), v = inputOf(args, ATTENTION, 'v');
  const { N, tq, tk, dh } = dims(ATTENTION, q, k, v);
  const backend = wmoeOf(args);
  backend.nn.arena.reset();
  const qp = readPtr(backend, backend.f32(q)), kp = readPtr(backend, backend.f32(k)), vp = readPtr(backend, backend.f32(v));
  const o = outputF32(backend, N * tq * dh);
  const p = outputF32(backend, N * tq * tk);
  const { per, chunks } = chunking(backend, N);
  const s = scratch(backend, tq, tk, dh, chunks, false);
  if (N > 0) {
    const qs = per * tq * dh * 4, ks = per * tk * dh * 4;
    runChunked(backend, 'attentionForward', {
      base: [qp, kp, vp, o.ptr, p.ptr, 0, tq, tk, dh, scale, s.pb, s.ind],
      stride: [qs, ks, ks, qs, per * tq * tk * 4, 0, 0, 0, 0, 0, s.pbBytes, s.indBytes],
      countIndex: 5, total: N, per, chunks,
    });
  }
  return [backend.output([N, tq, dh], o.values()), backend.output([N, tq, tk], p.values())];
}

function gradient(args: KernelArgs): TensorInfo[] {
  const { scale } = args.attrs as unknown as AttentionAttrs;
  const name = ATTENTION_GRAD;
  const q = inputOf(args, name, 'q'), k = inputOf(args, name, 'k'), v = inputOf(args, name, 'v');
  const dy = inputOf(args, name, 'dy'), p = inputOf(args, name, 'p');
  const { N, tq, tk, dh } = dims(name, q, k, v);
  if (dy.shape.join() !== q.shape.join() || p.shape.join() !== [N, tq, tk].join()) {
    throw new Error(`wireless-moe: ${name}: dy [${dy.shape}] must be q's shape [${q.shape}] and p [${p.shape}] [${N},${tq},${tk}]`);
  }
  const backend = wmoeOf(args);
  backend.nn.arena.reset();
  const ptr = (t: TensorInfo) => readPtr(backend, backend.f32(t));
  const [dyp, qp, kp, vp, pp] = [dy, q, k, v, p].map(ptr) as [number, number, number, number, number];
  const dq = outputF32(backend, N * tq * dh), dk = outputF32(backend, N * tk * dh), dv = outputF32(backend, N * tk * dh);
  const { per, chunks } = chunking(backend, N);
  const s = scratch(backend, tq, tk, dh, chunks, true);
  if (N > 0) {
    const qs = per * tq * dh * 4, ks = per * tk * dh * 4;
    runChunked(backend, 'attentionBackward', {
      base: [dyp, qp, kp, vp, pp, dq.ptr, dk.ptr, dv.ptr, 0, tq, tk, dh, scale, s.pb, s.ind, s.ds],
      stride: [qs, qs, ks, ks, per * tq * tk * 4, qs, ks, ks, 0, 0, 0, 0, 0, s.pbBytes, s.indBytes, s.dsBytes],
      countIndex: 8, total: N, per, chunks,
    });
  }
  return [backend.output([N, tq, dh], dq.values()), backend.output([N, tk, dh], dk.values()), backend.output([N, tk, dh], dv.values())];
}

/** The attention kernels of backend `wmoe`. */
export const attentionKernels: KernelConfig[] = [
  { kernelName: ATTENTION, backendName: 'wmoe', kernelFunc: forward as unknown as KernelConfig['kernelFunc'] },
  { kernelName: ATTENTION_GRAD, backendName: 'wmoe', kernelFunc: gradient as unknown as KernelConfig['kernelFunc'] },
];
