// LayerNorm over the last axis on backend `wmoe`, forward and gradient, run by
// assembly/nn/layer_norm.ts in one pass over each row (two for the gradient) instead of the
// ~10 tfjs kernels each way of the op composition (src/models/layer_norm.ts calls these when
// the backend has them). x is [G·R, C] rows in G groups of R rows that share one gamma/beta row
// ([C]: G = 1; [G, 1, …, 1, C]: G stacked copies). Rows run in fixed chunks over the module's
// threads; the gradient's column sums come back as one f32 partial per chunk, added in chunk
// order in float64 here, so any thread count gives the same bits.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import { inputOf, outputF32, readPtr, runChunked, sizeOf, wmoeOf, type KernelArgs } from './wasm_io.js';
import { LAYER_NORM, LAYER_NORM_GRAD, type LayerNormAttrs } from './kernel_names.js';

/** About this many floats per chunk of rows (fixed: the partial sums do not depend on threads). */
const CHUNK_FLOATS = 1 << 14;

/** Rows, groups and chunking of x against gamma; throws a one-line error when they do not fit. */
function layout(kernel: string, x: TensorInfo, gamma: TensorInfo) {
  const rank = x.shape.length;
  const C = rank === 0 ? 1 : (x.shape[rank - 1] as number);
  const n = sizeOf(x.shape);
  const rows = C === 0 ? 0 : n / C;
  const groups = C === 0 ? 1 : sizeOf(gamma.shape) / C;
  const g = gamma.shape;
  const fits = rank >= 1 && g[g.length - 1] === C &&
    (groups === 1 || (g[0] === groups && x.shape[0] === groups && g.slice(1, -1).every((d) => d === 1)));
  if (!fits) throw new Error(`wireless-moe: ${kernel}: gamma [${g}] does not fit x [${x.shape}] (want [C] or [G, 1, …, C])`);
  const perGroup = rows / groups;
  const per = Math.max(1, Math.floor(CHUNK_FLOATS / Math.max(C, 1)));
  return { C, n, rows, groups, perGroup, per, chunks: Math.max(1, Math.ceil(perGroup / per)) };
}

/** Runs export `name` over the rows of group `g` in chunks; `rowPointers` advance by rows of C floats, `rowScalars` by rows of 1. */
function runGroup(backend: WmoeBackend, name: string, base: number[], rowPointers: number[], rowScalars: number[], partIndex: number,
  countIndex: number, L: ReturnType<typeof layout>): void {
  const stride = base.map((_, j) =>
    rowPointers.includes(j) ? L.per * L.C * 4 : rowScalars.includes(j) ? L.per * 4 : j === partIndex ? 2 * L.C * 4 : 0);
  runChunked(backend, name, { base, stride, countIndex, total: L.perGroup, per: L.per, chunks: L.chunks });
}

function forward(args: KernelArgs): TensorInfo[] {
  const { epsilon } = args.attrs as unknown as LayerNormAttrs;
  const x = inputOf(args, LAYER_NORM, 'x');
  const gamma = inputOf(args, LAYER_NORM, 'gamma');
  const beta = inputOf(args, LAYER_NORM, 'beta');
  const L = layout(LAYER_NORM, x, gamma);
  const backend = wmoeOf(args);
  backend.nn.arena.reset();
  const xp = readPtr(backend, backend.f32(x));
  const gp = readPtr(backend, backend.f32(gamma));
  const bp = readPtr(backend, backend.f32(beta));
  const y = outputF32(backend, L.n);
  const mean = outputF32(backend, L.rows);
  const rstd = outputF32(backend, L.rows);
  const { C, perGroup } = L;
  for (let g = 0; g < L.groups && perGroup > 0; g++) {
    const rowOff = g * perGroup;
    runGroup(backend, 'layerNorm',
      [xp + rowOff * C * 4, gp + g * C * 4, bp + g * C * 4, y.ptr + rowOff * C * 4, mean.ptr + rowOff * 4, rstd.ptr + rowOff * 4, 0, C, epsilon],
      [0, 3], [4, 5], -1, 6, L);
  }
  const rowShape = x.shape.slice(0, -1);
  return [backend.output(x.shape.slice(), y.values()), backend.output(rowShape, mean.values()), backend.output(rowShape.slice(), rstd.values())];
}

function gradient(args: KernelArgs): TensorInfo[] {
  const name = LAYER_NORM_GRAD;
  const dy = inputOf(args, name, 'dy');
  const x = inputOf(args, name, 'x');
  const gamma = inputOf(args, name, 'gamma');
  const L = layout(name, x, gamma);
  const backend = wmoeOf(args);
  const { arena } = backend.nn;
  arena.reset();
  const dyp = readPtr(backend, backend.f32(dy));
  const xp = readPtr(backend, backend.f32(x));
  const mp = readPtr(backend, backend.f32(inputOf(args, name, 'mean')));
  const sp = readPtr(backend, backend.f32(inputOf(args, name, 'rstd')));
  const gp = readPtr(backend, backend.f32(gamma));
  const { C, perGroup, chunks } = L;
  const part = arena.alloc(chunks * 2 * C * 4);
  const dx = outputF32(backend, L.n);
  const dGamma = new Float32Array(L.groups * C), dBeta = new Float32Array(L.groups * C);
  for (let g = 0; g < L.groups && perGroup > 0; g++) {
    const rowOff = g * perGroup;
    runGroup(backend, 'layerNormGrad',
      [dyp + rowOff * C * 4, xp + rowOff * C * 4, mp + rowOff * 4, sp + rowOff * 4, gp + g * C * 4, dx.ptr + rowOff * C * 4, part, 0, C],
      [0, 1, 5], [2, 3], 6, 7, L);
    // Σ over chunks in chunk order, in float64, rounded once.
    const all = arena.f32(part, chunks * 2 * C);
    for (let c = 0; c < C; c++) {
      let sg = 0, sb = 0;
      for (let k = 0; k < chunks; k++) {
        sg += all[k * 2 * C + c]!;
        sb += all[k * 2 * C + C + c]!;
      }
      dGamma[g * C + c] = sg;
      dBeta[g * C + c] = sb;
    }
  }
  return [backend.output(x.shape.slice(), dx.values()), backend.output(gamma.shape.slice(), dGamma), backend.output(gamma.shape.slice(), dBeta)];
}

/** The LayerNorm kernels of backend `wmoe`. */
export const layerNormKernels: KernelConfig[] = [
  { kernelName: LAYER_NORM, backendName: 'wmoe', kernelFunc: forward as unknown as KernelConfig['kernelFunc'] },
  { kernelName: LAYER_NORM_GRAD, backendName: 'wmoe', kernelFunc: gradient as unknown as KernelConfig['kernelFunc'] },
];
