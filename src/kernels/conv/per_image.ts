// Runs a conv export whose images are independent (convDirectForward, convScatterInputGrad,
// convPlanarPad) over the batch: one call on one thread for small work, else cut into chunks of
// whole images on the backend's active threads, each chunk with its own scratch. A chunk writes
// the same bits as the whole-batch call, so 1 and 2 threads agree bit for bit. A reduction over
// the images (convDirectFilterGrad) runs as partial sums of a fixed number of images instead.
import type { WmoeBackend } from '../../backend/backend.js';
import { unitsPerChunk } from '../../wasm/parallel_gemm.js';
import { runChunked } from '../wasm_io.js';

/**
 * Below this many multiply-adds a per-image conv runs on one thread, without handing a job to
 * the pool: LeNet-5's convs at batch 1 (0.1–0.25 M) stay put; at batch 64 (7.5 M and 15 M) they split.
 */
export const PER_IMAGE_MIN_MACS = 1 << 21;

/** The scratch bytes convDirectForward needs per call (the module's global DIRECT_TILE_BYTES: 8 pixels × 6 channels; tested equal). */
export const DIRECT_TILE_BYTES = 8 * 6 * 4;
/** The scratch bytes convScatterInputGrad needs per call (the module's global SCATTER_SCRATCH_BYTES; tested equal). */
export const SCATTER_SCRATCH_BYTES = 32 * 4 * 16 + 4 * 4;

/** A per-image export call: its arguments for the whole batch and where the batch cuts. */
export interface PerImageCall {
  /** The export's arguments for all n images. */
  args: number[];
  /** Index of the image count n in args. */
  countIndex: number;
  /** Bytes argument j advances per image (0 for a non-pointer). */
  imageBytes: number[];
  /** Index of the scratch pointer in args (−1: none), and the bytes each call needs there. */
  scratchIndex: number;
  scratchBytes: number;
  /** Multiply-adds of the whole call (decides whether it splits). */
  macs: number;
}

/**
 * Images per partial sum of a per-image reduction (runPerImageSum): a fixed count, so that the
 * partial sums, and the bits of their total, do not depend on the number of threads.
 */
export const IMAGES_PER_PARTIAL = 8;

/** Runs export `name` of the nn module as `call` describes (scratch allocated here in the arena). */
export function runPerImage(backend: WmoeBackend, name: string, call: PerImageCall): void {
  const n = call.args[call.countIndex]!;
  const threads = backend.nn.pool?.active ?? 1;
  const per = threads < 2 || n < 2 || call.macs < PER_IMAGE_MIN_MACS ? n : unitsPerChunk(n, threads);
  const chunks = Math.max(1, Math.ceil(n / per));
  const args = call.args.slice();
  const stride = call.imageBytes.map((b) => b * per);
  if (call.scratchIndex >= 0) {
    const bytes = Math.ceil(call.scratchBytes / 16) * 16;
    args[call.scratchIndex] = backend.nn.arena.alloc(chunks * bytes);
    stride[call.scratchIndex] = bytes;
  }
  if (chunks === 1) {
    (backend.nn.exports as unknown as Record<string, (...a: number[]) => void>)[name]!(...args);
    return;
  }
  runChunked(backend, name, { base: args, stride, countIndex: call.countIndex, total: n, per, chunks });
}

/**
 * Runs export `name`, which writes the sum over its images of a `size`-float result at the
 * argument `outIndex` (convDirectFilterGrad's dW), as partial sums over IMAGES_PER_PARTIAL
 * images each (split over the active threads when `macs` reaches PER_IMAGE_MIN_MACS), then adds
 * the partials in image order into `out` in float32. One partial (a small batch or little work)
 * is the export's own single call, the same bits as before it could split.
 */
export function runPerImageSum(
  backend: WmoeBackend, name: string, call: Omit<PerImageCall, 'scratchIndex' | 'scratchBytes'>, outIndex: number, size: number,
): void {
  const n = call.args[call.countIndex]!;
  const out = call.args[outIndex]!;
  if (n <= IMAGES_PER_PARTIAL || call.macs < PER_IMAGE_MIN_MACS) {
    (backend.nn.exports as unknown as Record<string, (...a: number[]) => void>)[name]!(...call.args);
    return;
  }
  const arena = backend.nn.arena;
  const per = IMAGES_PER_PARTIAL;
  const chunks = Math.ceil(n / per);
  const partials = arena.alloc(chunks * size * 4);
  const args = call.args.slice();
  args[outIndex] = partials;
  const stride = call.imageBytes.map((b) => b * per);
  stride[outIndex] = size * 4;
  runChunked(backend, name, { base: args, stride, countIndex: call.countIndex, total: n, per, chunks });
  const parts = arena.f32(partials, chunks * size);
  const total = arena.f32(out, size);
  for (let i = 0; i < size; i++) {
    let s = parts[i]!;
    for (let c = 1; c < chunks; c++) s = Math.fround(s + parts[c * size + i]!);
    total[i] = s;
  }
}
