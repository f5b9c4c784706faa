// The packed form (gemmPackB layout) of matmul B operands that are used again and again —
// weights, by inference at small batch — kept between calls, so that a batch-1 forward does not
// repack a layer's whole weight matrix to multiply one row by it (issue 19: repacking was ~30 % of
// the LeNet-5 experts' time). Keyed by the tensor's data id and the transpose flag; a B is cached
// on its second use with the same flag (a training step uses each weight once per flag, so it
// caches nothing), checked against the tensor's values array on every hit, freed when its tensor
// is gone (swept every SWEEP_EVERY lookups and on every insert), and bounded by bytes (least
// recently used first out).
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import type { NnExports } from './nn_exports.js';
import { readPtr } from './wasm_io.js';
import { packedBytes } from '../wasm/gemm_layout.js';
import type { LinearHeap } from '../wasm/heap.js';

/** One cached B: where its packed batches live (a heap block, or a JS copy when there is no heap). */
export interface PackedBEntry {
  /** The tensor's data id. */
  dataId: object;
  /** Its key in the cache's map: the data id, or the data id's alias for the transposed packing. */
  key: object;
  values: Float32Array;
  bytes: number;
  ptr: number;
  copy: Float32Array | undefined;
}

/** Default bound of a backend's cache, bytes (a ViT's or ResNet's expert heads fit several times). */
export const PACKED_B_CACHE_BYTES = 64 * 1024 * 1024;
/** Lookups between sweeps for entries whose tensor was disposed. */
const SWEEP_EVERY = 512;

/**
 * Packed B operands of one backend's matmuls. `lookup` is the hot path (one Map read); `insert`
 * runs on a B's second use. Entries are freed when their tensor's data is gone from the backend.
 */
export class PackedBCache {
  /** Entries by key, least recently used first. */
  private readonly map = new Map<object, PackedBEntry>();
  /** Per data id, the key of its transposed packing. */
  private readonly aliases = new WeakMap<object, object>();
  /** Keys seen once and not cached yet. */
  private readonly seen = new WeakSet<object>();
  private lookups = 0;
  /** Bytes held by the entries. */
  bytes = 0;

  constructor(private readonly backend: WmoeBackend, readonly capBytes = PACKED_B_CACHE_BYTES) {}

  private get heap(): LinearHeap | undefined {
    return this.backend.nn.heap;
  }

  private keyOf(dataId: object, tb: boolean): object {
    if (!tb) return dataId;
    let a = this.aliases.get(dataId);
    if (a === undefined) this.aliases.set(dataId, (a = {}));
    return a;
  }

  /**
   * Byte address (in the nn module's memory) of the packed batches of B (data id `dataId`, values
   * `values`, op(B) packed with transpose flag `tb`), or undefined when not cached. With no heap
   * the cached copy is written into the arena (call after arena.reset()).
   */
  lookup(dataId: object, values: Float32Array, tb: boolean): number | undefined {
    if (++this.lookups >= SWEEP_EVERY) this.sweep();
    const key = this.keyOf(dataId, tb);
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (e.values !== values) {
      this.drop(e); // same tensor, values moved (e.g. into WASM memory): repack
      return undefined;
    }
    this.map.delete(key); // most recently used last
    this.map.set(key, e);
    return e.copy !== undefined ? this.backend.nn.arena.put(e.copy) : e.ptr;
  }

  /**
   * Records a use of B (`dataId`, `values`, flag `tb`) that missed the cache. On its second use
   * returns a new entry of `bytes` bytes for its packed batches: pack into `entry.ptr` when it has
   * no `copy`, else into arena scratch and call {@link kept}. Undefined on the first use, or
   * when it does not fit (over a quarter of the bound, or no memory).
   */
  insert(dataId: object, values: Float32Array, tb: boolean, bytes: number): PackedBEntry | undefined {
    const key = this.keyOf(dataId, tb);
    if (!this.seen.has(key)) {
      this.seen.add(key);
      return undefined;
    }
    if (bytes > this.capBytes / 4) return undefined;
    this.sweep();
    while (this.bytes + bytes > this.capBytes) this.drop(this.map.values().next().value as PackedBEntry);
    const heap = this.heap;
    let ptr = 0;
    if (heap) {
      try {
        ptr = heap.alloc(bytes);
      } catch {
        return undefined; // no room to grow: run uncached
      }
    }
    const e: PackedBEntry = { dataId, key, values, bytes, ptr, copy: heap ? undefined : new Float32Array(bytes / 4) };
    this.map.set(key, e);
    this.bytes += bytes;
    return e;
  }

  /** Copies the packed data at `scratch` into a no-heap entry's JS copy (heap entries are packed in place). */
  kept(e: PackedBEntry, scratch: number): void {
    if (e.copy !== undefined) e.copy.set(this.backend.nn.arena.f32(scratch, e.copy.length));
  }

  /** Frees every entry whose tensor data is no longer held by the backend. */
  sweep(): void {
    this.lookups = 0;
    for (const e of this.map.values()) if (!this.backend.data.has(e.dataId)) this.drop(e);
  }

  /** Frees every entry. */
  clear(): void {
    for (const e of this.map.values()) this.drop(e);
  }

  /** Number of cached B operands. */
  get size(): number {
    return this.map.size;
  }

  private drop(e: PackedBEntry): void {
    this.map.delete(e.key);
    this.bytes -= e.bytes;
    if (e.copy === undefined) this.heap!.free(e.ptr);
  }
}

const caches = new WeakMap<WmoeBackend, PackedBCache>();

/** The packed-B cache of `backend`, made on first use. */
export function packedBCacheOf(backend: WmoeBackend): PackedBCache {
  let c = caches.get(backend);
  if (c === undefined) caches.set(backend, (c = new PackedBCache(backend)));
  return c;
}

/**
 * Byte address of op(b)'s batches packed (gemmPackB layout, packedBytes(k, n) bytes each) when
 * the packed-B cache holds them or takes them now (see PackedBCache), else -1. Call after
 * arena.reset(). The same packing as the uncached path: the same bits.
 */
export function cachedPackedB(backend: WmoeBackend, b: TensorInfo, bv: Float32Array, tb: boolean, k: number, n: number): number {
  const cache = packedBCacheOf(backend);
  const hit = cache.lookup(b.dataId, bv, tb);
  if (hit !== undefined) return hit;
  const bytes = packedBytes(k, n);
  const batches = bv.length / (k * n);
  const entry = cache.insert(b.dataId, bv, tb, bytes * batches);
  if (entry === undefined) return -1;
  const ex = backend.nn.exports as NnExports;
  const pb = readPtr(backend, bv);
  const dst = entry.copy !== undefined ? backend.nn.arena.alloc(bytes * batches) : entry.ptr;
  for (let ib = 0; ib < batches; ib++) ex.gemmPackB(pb + ib * k * n * 4, k, n, tb ? 1 : n, tb ? k : 1, dst + ib * bytes);
  cache.kept(entry, dst);
  return dst;
}
