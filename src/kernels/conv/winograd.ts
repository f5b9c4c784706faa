// Winograd strategies of a 3×3 stride-1 conv, for all three passes: 'winograd', F(2×2, 3×3),
// and 'winograd4', F(4×4, 3×3):
//   forward        per output tile of m×m pixels (m = 2 or 4) the (m+2)×(m+2) input tile is
//                  transformed (V = Bᵀ d B), the filter once per call (U = G g Gᵀ, packed for the
//                  GEMM, cached per filter tensor like the packed filters of the GEMM path),
//                  (m+2)² independent GEMMs M[ξ] (tiles × co) = V[ξ] (tiles × ci) · U[ξ] (ci × co)
//                  replace the 9 taps' reduction, and the output transform Aᵀ M A writes the
//                  pixels: 16·ci·co multiplies per 4 pixels instead of 36·ci·co (2.25× fewer),
//                  or 36·ci·co per 16 pixels instead of 144·ci·co (4× fewer);
//   input grad     the forward conv of dy with the filter turned by 180° (as 'gemm-rotated');
//   filter grad    dW = Gᵀ Z[ξ] G with Z[ξ] (ci × co) = V[ξ]ᵀ · Ŷ[ξ], Ŷ = A dy Aᵀ per tile (the
//                  adjoint of the output transform): (m+2)² GEMMs reducing over the tiles.
// F(4×4) calls with many tiles run block by block (winograd4Tiles), each block's V and M in
// cache (F(2×2) runs its forward pass only on few tiles, plan.ts); the blocks, the transforms
// (by tiles, or filter rows) and the GEMMs (parallel_gemm.ts) split over threads into
// independent chunks, so 1 and 2 threads give bit-identical results. Kernels:
// assembly/nn/conv_winograd.ts and conv_winograd4.ts. Which shapes take which: plan.ts.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../../backend/backend.js';
import type { NnExports } from '../nn_exports.js';
import { indirectionBytes, packedBytes } from '../conv_support.js';
import { type KernelArgs, outputF32, readPtr, runChunked } from '../wasm_io.js';
import { unitsPerChunk } from '../../wasm/parallel_gemm.js';
import type { Conv2DInfo } from './geometry.js';
import { FilterFormCache } from './packed_filter_cache.js';
import { type FilterGradAt, type ForwardCall, filterGradIn, forwardEpilogue, inputGradIn } from './pass_io.js';

/**
 * One Winograd transform F(m×m, 3×3): output tiles of m×m pixels, xi = (m+2)² transformed values
 * (ξ = (m+2)·i + j) per tile, its kernels (assembly/nn), and its block-by-block kernel with the
 * tiles per block (the kernel's BLOCK constant), if it has one.
 */
export interface WinogradTransform {
  m: 2 | 4;
  xi: number;
  filter: string;
  input: string;
  output: string;
  /** The filter gradient's kernels: Ŷ = A dy Aᵀ, and dW = Gᵀ Z G. */
  gradOut: string;
  filterGrad: string;
  blocked?: { kernel: string; tiles: number };
  /** Per orientation (0 forward, 1 rotated for the input gradient): the transformed filters kept per filter tensor. */
  kept: [FilterFormCache, FilterFormCache];
}

/** F(2×2, 3×3): its forward pass runs on few tiles only (plan.ts), so it needs no blocks. */
export const F2: WinogradTransform = {
  m: 2, xi: 16, filter: 'winogradFilter', input: 'winogradInput', output: 'winogradOutput',
  gradOut: 'winogradGradOut', filterGrad: 'winogradFilterGrad', kept: [new FilterFormCache(), new FilterFormCache()],
};

/**
 * F(4×4, 3×3). Blocks of 32 tiles: 36 matrices of 32 rows, about what F(2×2)'s blocks of 64 tiles
 * held when it had them (64 of 32, 64 and 128 ran within 2 % on ResNet-18 at batch 32: a block's
 * V and M are 0.5–4 MiB, in L2 or L3 between the steps).
 */
export const F4: WinogradTransform = {
  m: 4, xi: 36, filter: 'winograd4Filter', input: 'winograd4Input', output: 'winograd4Output',
  gradOut: 'winograd4GradOut', filterGrad: 'winograd4FilterGrad', blocked: { kernel: 'winograd4Tiles', tiles: 32 },
  kept: [new FilterFormCache(), new FilterFormCache()],
};

/** Below this many tiles·channels a transform runs on one thread (waking a worker costs ~10–50 µs). */
const PARALLEL_MIN_TRANSFORM = 1 << 14;

/** One Winograd conv in the arena: x [n][h][w][c] at px (padding pt, pl) into out [n][oh][ow][co] at pout. */
interface WinogradGeometry {
  n: number; h: number; w: number; c: number; pt: number; pl: number; oh: number; ow: number; co: number;
}

/**
 * Bytes added between the matrices of U, V and M (assembly/nn/winograd_common.ts PAD): 16 or 36
 * streams a multiple of 4 KiB apart would share one L1 set.
 */
const PAD = 64;

/** Bytes between the packed transformed filters U[ξ] for a GEMM with k rows and nc columns. */
function filterStride(k: number, nc: number): number {
  return packedBytes(k, nc) + PAD;
}

/** Bytes of the packed transformed filters of `f`. */
function transformedBytes(f: WinogradTransform, k: number, nc: number): number {
  return f.xi * filterStride(k, nc);
}

/** Bytes of `f`'s block-by-block kernel's scratch for a block of `count` tiles. */
function blockScratchBytes(f: WinogradTransform, count: number, c: number, co: number): number {
  return f.xi * (count * (c + co) * 4 + 2 * PAD) + indirectionBytes(count, 1);
}

/**
 * Runs export `name` over `total` units (tiles, or filter rows) in chunks of `per` units
 * (default: all on one thread below PARALLEL_MIN_TRANSFORM of `work`, else a share of the
 * active threads): chunk i gets args[j] + i·stride(per)[j], and args[countIndex] its count.
 */
function splitUnits(
  backend: WmoeBackend, name: string, args: number[], stride: (per: number) => number[], countIndex: number, total: number,
  work: number, per?: number,
): void {
  const threads = backend.nn.pool?.active ?? 1;
  const p = per ?? (threads < 2 || work < PARALLEL_MIN_TRANSFORM ? total : unitsPerChunk(total, threads));
  runChunked(backend, name, { base: args, stride: stride(p), countIndex, total, per: p, chunks: Math.ceil(total / p) });
}

/**
 * Writes the packed U[ξ] of `f` for filter w [3][3][ci][co] (at pw) to pu: for the forward conv
 * (rotated false: ci × co) or the input gradient's conv (rotated: co × ci, filter turned by 180°).
 */
function transformFilter(backend: WmoeBackend, f: WinogradTransform, pw: number, ci: number, co: number, rotated: boolean, pu: number): void {
  const nc = rotated ? ci : co;
  const k = rotated ? co : ci;
  // Only panel columns past nc are never written by the kernel.
  if (nc % 16 !== 0) backend.nn.arena.f32(pu, transformedBytes(f, k, nc) / 4).fill(0);
  splitUnits(backend, f.filter, [pw, ci, co, rotated ? 1 : 0, 0, ci, pu], (p) => [0, 0, 0, 0, p, 0, 0], 5, ci, ci * co);
}

/**
 * Byte address of `f`'s transformed filter (values wv, tensor data id `key`): kept (read in
 * place, or copied into the arena; packed_filter_cache.ts), or transformed from W (copied into
 * the arena when `pw` is 0) into a fresh arena block and kept on a second use.
 */
function filterAt(
  backend: WmoeBackend, f: WinogradTransform, key: object | undefined, wv: Float32Array, pw: number, ci: number, co: number, rotated: boolean,
): number {
  const cache = f.kept[rotated ? 1 : 0];
  const floats = transformedBytes(f, rotated ? co : ci, rotated ? ci : co) / 4;
  const hit = cache.lookup(backend, key, wv, floats);
  if (hit !== undefined) return hit;
  const pu = backend.nn.arena.alloc(floats * 4);
  transformFilter(backend, f, pw !== 0 ? pw : readPtr(backend, wv), ci, co, rotated, pu);
  cache.remember(backend, key, wv, pu, floats);
  return pu;
}

/**
 * Whether a call of `f` with `tiles` output tiles runs block by block: from 8 blocks on, enough
 * for 2 threads to share evenly; fewer tiles run each step on all tiles, and the GEMMs split
 * over threads by rows or panels.
 */
export function winogradBlocked(tiles: number, f: WinogradTransform): boolean {
  return f.blocked !== undefined && tiles >= 8 * f.blocked.tiles;
}

/** Tiles per chunk of a block-by-block call on `threads` threads: whole blocks of `block` tiles, a few chunks per thread. */
function tilesPerChunk(block: number, tiles: number, threads: number): number {
  const blocks = Math.ceil(tiles / block);
  return (threads < 2 ? blocks : unitsPerChunk(blocks, threads)) * block;
}

/**
 * The conv of geometry g with `f`'s packed U at pu into pout: block by block (input transform,
 * GEMMs, output transform per block; blocks split over threads) when winogradBlocked, else each
 * step on all tiles (transforms split by tiles, each GEMM by rows or panels). Both give the same
 * bits: every output is the same sums in the same order.
 */
function winogradAt(backend: WmoeBackend, f: WinogradTransform, px: number, g: WinogradGeometry, pu: number, pout: number): void {
  const ex = backend.nn.exports as NnExports;
  const arena = backend.nn.arena;
  const { c, co } = g;
  const th = Math.ceil(g.oh / f.m);
  const tw = Math.ceil(g.ow / f.m);
  const tiles = g.n * th * tw;
  if (tiles === 0 || co === 0) return;
  if (f.blocked && winogradBlocked(tiles, f)) {
    // One block's scratch per chunk, reused for the chunk's blocks (not one per block: memory).
    const per = tilesPerChunk(f.blocked.tiles, tiles, backend.nn.pool?.active ?? 1);
    const bytes = blockScratchBytes(f, f.blocked.tiles, c, co);
    const scratch = arena.alloc(Math.ceil(tiles / per) * bytes);
    const args = [px, g.h, g.w, c, g.pt, g.pl, th, tw, pu, co, g.oh, g.ow, 0, tiles, scratch, pout];
    const stride = (p: number) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, p, 0, bytes, 0];
    splitUnits(backend, f.blocked.kernel, args, stride, 13, tiles, 0, per);
    return;
  }
  // Matrix strides (floats) one cache line longer than the matrices (see PAD).
  const vm = tiles * c + PAD / 4;
  const mm = tiles * co + PAD / 4;
  const pv = arena.alloc(f.xi * vm * 4);
  const pm = arena.alloc(f.xi * mm * 4);
  const pind = arena.alloc(indirectionBytes(tiles, 1));
  const inStride = (p: number) => [0, 0, 0, 0, 0, 0, 0, 0, 0, p, 0, p * c * 4];
  splitUnits(backend, f.input, [px, g.h, g.w, c, g.pt, g.pl, th, tw, vm, 0, tiles, pv], inStride, 10, tiles, tiles * c);
  const ub = filterStride(c, co);
  for (let xi = 0; xi < f.xi; xi++) {
    ex.gemm(tiles, co, c, pv + xi * vm * 4, c, 1, pu + xi * ub, pm + xi * mm * 4, co, 0, pind);
  }
  const outStride = (p: number) => [p * co * 4, 0, 0, 0, 0, 0, 0, p, 0, 0];
  splitUnits(backend, f.output, [pm, co, g.oh, g.ow, th, tw, mm, 0, tiles, pout], outStride, 8, tiles, tiles * co);
}

/** Forward strategy 'winograd' (F(2×2, 3×3); 3×3, stride 1): out [n, oh, ow, co] (+ bias, activation by the epilogue). */
export function forwardWinograd(call: ForwardCall): Float32Array {
  return forwardWith(F2, call);
}

/** Forward strategy 'winograd4' (F(4×4, 3×3)): as forwardWinograd. */
export function forwardWinograd4(call: ForwardCall): Float32Array {
  return forwardWith(F4, call);
}

/** The forward conv of `call` by transform `f`. */
function forwardWith(f: WinogradTransform, call: ForwardCall): Float32Array {
  const { backend, xv, wv, info, bias, filterKey } = call;
  const ex = backend.nn.exports as NnExports;
  const arena = backend.nn.arena;
  const { inChannels: ci, outChannels: co } = info;
  arena.reset();
  const px = readPtr(backend, xv);
  const out = outputF32(backend, info.batchSize * info.outHeight * info.outWidth * co);
  const pbias = bias ? readPtr(backend, bias) : 0;
  const pu = filterAt(backend, f, filterKey, wv, 0, ci, co, false);
  const g = {
    n: info.batchSize, h: info.inHeight, w: info.inWidth, c: ci, pt: info.padInfo.top, pl: info.padInfo.left,
    oh: info.outHeight, ow: info.outWidth, co,
  };
  winogradAt(backend, f, px, g, pu, out.ptr);
  return forwardEpilogue(call, ex, out, pbias);
}

/**
 * Input-gradient strategy 'winograd4' (F(4×4, 3×3); 3×3, stride 1): dx [n, h, w, ci] = conv(dy, W')
 * with W' the filter turned by 180° with ci and co swapped, padding 2 − pt, 2 − pl (as 'gemm-rotated').
 */
export function inputGradWinograd4(args: KernelArgs, info: Conv2DInfo): TensorInfo {
  return inputGradWith(F4, args, info);
}

/** The input gradient of a conv call by transform `f` (the rotated orientation of its kept filters). */
function inputGradWith(f: WinogradTransform, args: KernelArgs, info: Conv2DInfo): TensorInfo {
  const backend = args.backend as WmoeBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = (args.attrs as { inputShape: number[] }).inputShape;
  const wv = backend.f32(filter);
  const { inChannels: ci, outChannels: co } = info;
  const dx = inputGradIn(backend, backend.f32(dy), wv, info, ({ pdy, pw, pdx }) => {
    const pu = filterAt(backend, f, filter.dataId, wv, pw, ci, co, true);
    const g = {
      n: info.batchSize, h: info.outHeight, w: info.outWidth, c: co, pt: 2 - info.padInfo.top, pl: 2 - info.padInfo.left,
      oh: info.inHeight, ow: info.inWidth, co: ci,
    };
    winogradAt(backend, f, pdy, g, pu, pdx);
  });
  return backend.output(inputShape.slice(), dx);
}

/**
 * Filter-gradient strategy 'winograd' (F(2×2, 3×3); 3×3, stride 1): dW [3, 3, ci, co] = Gᵀ Z[ξ] G
 * with the GEMMs Z[ξ] (ci × co) = V[ξ]ᵀ · Ŷ[ξ] reducing over the tiles, V the forward's input
 * transform of x and Ŷ = A dy Aᵀ the adjoint of its output transform (written packed for the GEMM).
 */
export function filterGradWinograd(backend: WmoeBackend, xv: Float32Array, dyv: Float32Array, info: Conv2DInfo): Float32Array {
  return filterGradIn(backend, xv, dyv, info, (at) => filterGradAt(backend, F2, at));
}

/** Filter-gradient strategy 'winograd4' (F(4×4, 3×3)): as filterGradWinograd. */
export function filterGradWinograd4(backend: WmoeBackend, xv: Float32Array, dyv: Float32Array, info: Conv2DInfo): Float32Array {
  return filterGradIn(backend, xv, dyv, info, (at) => filterGradAt(backend, F4, at));
}

/** The filter gradient's steps by transform `f` in the arena: V and Ŷ of all tiles, the GEMMs, Gᵀ Z G. */
function filterGradAt(backend: WmoeBackend, f: WinogradTransform, { ex, arena, info, px, pdy, pdw }: FilterGradAt): void {
  const { inChannels: ci, outChannels: co } = info;
  const th = Math.ceil(info.outHeight / f.m);
  const tw = Math.ceil(info.outWidth / f.m);
  const tiles = info.batchSize * th * tw;
  const vm = tiles * ci + PAD / 4;
  const ys = filterStride(tiles, co);
  const zm = ci * co + PAD / 4;
  const pv = arena.alloc(f.xi * vm * 4);
  const py = arena.alloc(f.xi * ys);
  const pz = arena.alloc(f.xi * zm * 4);
  const pind = arena.alloc(indirectionBytes(ci, 1));
  const geometry = [info.inHeight, info.inWidth, ci, info.padInfo.top, info.padInfo.left, th, tw];
  splitUnits(backend, f.input, [px, ...geometry, vm, 0, tiles, pv], (p) => [0, 0, 0, 0, 0, 0, 0, 0, 0, p, 0, p * ci * 4], 10, tiles, tiles * ci);
  const gradArgs = [pdy, info.outHeight, info.outWidth, co, th, tw, tiles, 0, tiles, py];
  splitUnits(backend, f.gradOut, gradArgs, (p) => [0, 0, 0, 0, 0, 0, 0, p, 0, 0], 8, tiles, tiles * co);
  for (let xi = 0; xi < f.xi; xi++) {
    // A = V[ξ]ᵀ (ci × tiles): row i at column i of V[ξ], ci floats per step.
    ex.gemm(ci, co, tiles, pv + xi * vm * 4, 1, ci, py + xi * ys, pz + xi * zm * 4, co, 0, pind);
  }
  splitUnits(backend, f.filterGrad, [pz, ci, co, zm, 0, ci, pdw], (p) => [0, 0, 0, 0, p, 0, 0], 5, ci, ci * co);
}
