// Training-mode batch normalisation of backend `wmoe`, fused with the ReLU and residual add
// that follow it in ResNet-18 (src/models/batch_norm.ts calls these kernels when the backend
// has them, and composes tfjs-core ops elsewhere). Run by assembly/nn/batch_norm.ts in fixed
// chunks of rows, split over the module's threads; the per-channel arithmetic on [C] vectors
// is done here in the float32 operations of the op composition (Math.fround after each).
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import { inputOf, outputF32, readPtr, runChunked, sizeOf, wmoeOf, type KernelArgs } from './wasm_io.js';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, type BatchNormTrainAttrs } from './kernel_names.js';

/**
 * About this many floats per chunk of rows. Fixed, not derived from the thread count, so the
 * f64 partial sums, and hence every result, are the same bits on any number of threads.
 */
const CHUNK_FLOATS = 1 << 16;

const RESIDUAL = 1;
const RELU = 2;

/** Rows, channels and the fixed chunking of a [.., C] tensor. */
function layout(x: TensorInfo) {
  const C = x.shape[x.shape.length - 1] as number;
  const n = sizeOf(x.shape);
  const rows = C === 0 ? 0 : n / C;
  const per = Math.max(1, Math.floor(CHUNK_FLOATS / Math.max(C, 1)));
  return { C, n, rows, per, chunks: Math.max(1, Math.ceil(rows / per)) };
}

/**
 * Runs a per-row-chunk export whose pointer arguments at `rowPointers` advance by one chunk of
 * rows each chunk and whose partial-sum pointer (at `partIndex`) advances by `partBytes`.
 */
function runRows(backend: WmoeBackend, name: string, base: number[], rowPointers: number[], partIndex: number,
  partBytes: number, countIndex: number, L: ReturnType<typeof layout>): void {
  const stride = base.map((_, j) => (rowPointers.includes(j) ? L.per * L.C * 4 : j === partIndex ? partBytes : 0));
  runChunked(backend, name, { base, stride, countIndex, total: L.rows, per: L.per, chunks: L.chunks });
}

/** Σ over chunks (in chunk order) of `width` f64 partials per chunk at `part`, column `offset`. */
function combine(backend: WmoeBackend, part: number, chunks: number, width: number, offset: number, C: number): Float64Array {
  const all = backend.nn.arena.f64(part, chunks * width);
  const out = new Float64Array(C);
  for (let k = 0; k < chunks; k++) for (let c = 0; c < C; c++) out[c]! += all[k * width + offset + c]!;
  return out;
}

const fr = Math.fround;

function forward(args: KernelArgs): TensorInfo[] {
  const { relu, residual, epsilon } = args.attrs as unknown as BatchNormTrainAttrs;
  const x = inputOf(args, BATCH_NORM_TRAIN, 'x');
  const backend = wmoeOf(args);
  const gamma = backend.f32(inputOf(args, BATCH_NORM_TRAIN, 'gamma'));
  const beta = backend.f32(inputOf(args, BATCH_NORM_TRAIN, 'beta'));
  const L = layout(x);
  const { C, n, rows } = L;
  const { arena } = backend.nn;
  arena.reset();
  const xp = readPtr(backend, backend.f32(x));
  const rp = residual ? readPtr(backend, backend.f32(inputOf(args, BATCH_NORM_TRAIN, 'residual'))) : 0;
  const y = outputF32(backend, n);
  const meanp = arena.alloc(C * 4), scalep = arena.alloc(C * 4), betap = arena.put(beta);
  const part = arena.alloc(L.chunks * C * 8);
  // mean = Σx / M, then variance = Σ (x − mean)² / M (both f64 sums rounded once to f32)
  const sums = (centred: number) => {
    runRows(backend, 'bnSums', [xp, meanp, part, rows, C, centred], [0], 2, C * 8, 3, L);
    return combine(backend, part, L.chunks, C, 0, C);
  };
  const mean = new Float32Array(C), variance = new Float32Array(C), inv = new Float32Array(C);
  const s1 = sums(0);
  for (let c = 0; c < C; c++) mean[c] = s1[c]! / rows;
  arena.f32(meanp, C).set(mean);
  const s2 = sums(1);
  const eps = fr(epsilon);
  const scale = arena.f32(scalep, C);
  for (let c = 0; c < C; c++) {
    variance[c] = s2[c]! / rows;
    inv[c] = 1 / Math.sqrt(fr(variance[c]! + eps));
    scale[c] = gamma[c]! * inv[c]!;
  }
  const flags = (residual ? RESIDUAL : 0) | (relu ? RELU : 0);
  runRows(backend, 'bnApply', [xp, rp, y.ptr, meanp, scalep, betap, rows, C, flags], residual ? [0, 1, 2] : [0, 2], -1, 0, 6, L);
  return [
    backend.output(x.shape, y.values()),
    backend.output([C], mean),
    backend.output([C], variance),
    backend.output([C], inv),
  ];
}

function gradient(args: KernelArgs): TensorInfo[] {
  const { relu, residual } = args.attrs as unknown as BatchNormTrainAttrs;
  const name = BATCH_NORM_TRAIN_GRAD;
  const dy = inputOf(args, name, 'dy');
  const x = inputOf(args, name, 'x');
  const backend = wmoeOf(args);
  const mean = backend.f32(inputOf(args, name, 'mean'));
  const inv = backend.f32(inputOf(args, name, 'inv'));
  const gamma = backend.f32(inputOf(args, name, 'gamma'));
  const L = layout(x);
  const { C, n, rows } = L;
  const { arena } = backend.nn;
  arena.reset();
  const dyp = readPtr(backend, backend.f32(dy));
  const xp = readPtr(backend, backend.f32(x));
  const yp = relu ? readPtr(backend, backend.f32(inputOf(args, name, 'y'))) : 0;
  const meanp = arena.put(mean);
  const ap = arena.alloc(C * 4), bp = arena.alloc(C * 4), ep = arena.alloc(C * 4);
  const part = arena.alloc(L.chunks * 2 * C * 8);
  const flags = relu ? RELU : 0;
  const rowPointers = relu ? [0, 1, 2] : [0, 1];
  runRows(backend, 'bnGradSums', [dyp, xp, yp, meanp, part, rows, C, flags], rowPointers, 4, 2 * C * 8, 5, L);
  const sg = combine(backend, part, L.chunks, 2 * C, 0, C);
  const sgc = combine(backend, part, L.chunks, 2 * C, C, C);
  // dβ = Σg, dγ = inv·Σ g(x − μ); dx = a·g + b·(x − μ) + e with a = γ·inv,
  // b = (a·inv)·(dγ/−M), e = a·(dβ/−M)  (src/models/batch_norm.ts derives these)
  const dBeta = new Float32Array(C), dGamma = new Float32Array(C);
  const a = arena.f32(ap, C), b = arena.f32(bp, C), e = arena.f32(ep, C);
  const negM = -rows;
  for (let c = 0; c < C; c++) {
    dBeta[c] = sg[c]!;
    dGamma[c] = fr(sgc[c]!) * inv[c]!;
    a[c] = gamma[c]! * inv[c]!;
    b[c] = fr(a[c]! * inv[c]!) * fr(dGamma[c]! / negM);
    e[c] = a[c]! * fr(dBeta[c]! / negM);
  }
  // dx; with a residual and ReLU also g, the masked gradient (the residual's; without ReLU the
  // residual's gradient is dy itself, which the op passes on)
  const withG = residual && relu;
  const dx = outputF32(backend, n);
  const g = withG ? outputF32(backend, n) : undefined;
  const applyFlags = (withG ? RESIDUAL : 0) | (relu ? RELU : 0);
  const applyPointers = [0, 1, ...(relu ? [2] : []), 7, ...(withG ? [8] : [])];
  runRows(backend, 'bnGradApply', [dyp, xp, yp, meanp, ap, bp, ep, dx.ptr, g?.ptr ?? 0, rows, C, applyFlags], applyPointers, -1, 0, 9, L);
  const out = [
    backend.output(x.shape, dx.values()),
    backend.output([C], dGamma),
    backend.output([C], dBeta),
  ];
  if (g) out.push(backend.output(x.shape, g.values()));
  return out;
}

/** The fused batch-norm kernels of backend `wmoe`. */
export const batchNormKernels: KernelConfig[] = [
  { kernelName: BATCH_NORM_TRAIN, backendName: 'wmoe', kernelFunc: forward as unknown as KernelConfig['kernelFunc'] },
  { kernelName: BATCH_NORM_TRAIN_GRAD, backendName: 'wmoe', kernelFunc: gradient as unknown as KernelConfig['kernelFunc'] },
];
