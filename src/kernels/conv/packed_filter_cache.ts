// The forward GEMM path keeps the packed form of a large filter tensor used a second time (keyed
// by its data id, as tfjs-backend-wasm keeps XNNPACK's packed weights), so repeated inference
// calls skip copying the raw filter in and repacking it (~2 ms of 21 for ResNet's 3x3 512→512).
import type { WasmArena } from '../../wasm/arena.js';

/** Filters of at least this many floats get their packed form cached once they are used twice. */
const PACK_CACHE_MIN_FLOATS = 1 << 16;
/** Filters (by tensor data id) used once by the forward GEMM path, and the packed B of those used more often. */
const packSeen = new WeakSet<object>();
const packCache = new WeakMap<object, { values: Float32Array; packed: Float32Array }>();

/**
 * The cached packed form (gemmPackB layout) of the filter with data id `key` and values `wv`, or
 * undefined. Tensor values are immutable per data id, so a filter used again (inference, or the
 * bench's repeated calls) need not be repacked; a filter used once (training, new weights every
 * step) costs only a WeakSet entry. As tfjs-backend-wasm caches XNNPACK's packed weights.
 */
export function cachedPackedFilter(key: object | undefined, wv: Float32Array): Float32Array | undefined {
  if (key === undefined || wv.length < PACK_CACHE_MIN_FLOATS) return undefined;
  const hit = packCache.get(key);
  return hit !== undefined && hit.values === wv ? hit.packed : undefined;
}

/** Records a forward use of filter `key`; on its second use keeps a copy of its packed form (at pbp in the arena). */
export function rememberPackedFilter(key: object | undefined, wv: Float32Array, arena: WasmArena, pbp: number, floats: number): void {
  if (key === undefined || wv.length < PACK_CACHE_MIN_FLOATS) return;
  if (!packSeen.has(key)) {
    packSeen.add(key);
    return;
  }
  packCache.set(key, { values: wv, packed: arena.f32(pbp, floats).slice() });
}
