// The forms of a filter tensor that a conv strategy prepares before its GEMMs (the packed B of
// the GEMM path, the transformed U of Winograd), kept per filter tensor once it is used a second
// time (keyed by its data id, as tfjs-backend-wasm keeps XNNPACK's packed weights): repeated
// inference calls skip repacking. With a module whose memory has a heap (the shared-memory
// build, Node's default even at one thread) the form lives in a heap block that the GEMMs read
// in place: no copy per call (a copy was ~1 ms of the 2.5 ms of ResNet's 3x3 512→512 at batch
// 1); the block is freed when the filter tensor's data is disposed (the backend's disposeData
// calls forgetFilterForms), or else when its data id is garbage collected. Without a heap the
// form is kept in JS and copied into the arena per call.
import type { WmoeBackend } from '../../backend/backend.js';
import type { LinearHeap } from '../../wasm/heap.js';

/** Filters of at least this many floats get their form cached once they are used twice. */
export const FORM_CACHE_MIN_FLOATS = 1 << 12;

/** A kept form: the filter values it was made from, and where it is (heap block) or its values (JS). */
interface Entry {
  values: Float32Array;
  heap?: LinearHeap;
  ptr: number;
  copy?: Float32Array;
}

/** Frees a kept form's heap block once its filter's data id is collected. */
const freeing = new FinalizationRegistry<{ heap: LinearHeap; ptr: number }>(({ heap, ptr }) => heap.free(ptr));

/** Every cache made, so that a disposed filter's forms are dropped from all of them. */
const caches: FilterFormCache[] = [];
/** Data ids that some cache has recorded: every disposal asks, and only these reach the caches. */
const recorded = new WeakSet<object>();

/**
 * Drops every kept form of the tensor data `key` (a data id the backend is disposing) and frees
 * their heap blocks now, not when the data id is collected: a disposed filter's forms held its
 * memory until a later GC (F(4×4)'s two forms of a 3x3 512→512 filter are 75 MiB). One WeakSet
 * lookup for data no cache has seen (nearly every disposal).
 */
export function forgetFilterForms(key: object): void {
  if (!recorded.delete(key)) return;
  for (const cache of caches) cache.forget(key);
}

/** One kind of prepared filter form (the packed B, or a Winograd orientation's U), per filter tensor. */
export class FilterFormCache {
  /** Filters (by data id) used once, and the kept forms of those used more often. */
  private readonly seen = new WeakSet<object>();
  private readonly entries = new WeakMap<object, Entry>();

  constructor() {
    caches.push(this);
  }

  /** Drops filter `key`'s use record and kept form, freeing its heap block. */
  forget(key: object): void {
    this.seen.delete(key);
    this.dropForm(key);
  }

  /** Drops filter `key`'s kept form, if any, freeing its heap block now. */
  private dropForm(key: object): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.entries.delete(key);
    if (old.heap !== undefined) {
      freeing.unregister(old);
      old.heap.free(old.ptr);
    }
  }

  /**
   * Byte address of the kept form of filter `key` (values `wv`, the form `floats` floats) for a
   * kernel call on `backend`, or undefined (not kept). A heap-held form is read in place; a
   * JS-held one is copied into a fresh arena block (call after the call's `arena.reset()`).
   */
  lookup(backend: WmoeBackend, key: object | undefined, wv: Float32Array, floats: number): number | undefined {
    if (key === undefined || wv.length < FORM_CACHE_MIN_FLOATS) return undefined;
    const hit = this.entries.get(key);
    if (hit === undefined || hit.values !== wv) return undefined;
    if (hit.copy === undefined) return hit.heap === backend.nn.heap ? hit.ptr : undefined;
    const dst = backend.nn.arena.alloc(floats * 4);
    backend.nn.arena.f32(dst, floats).set(hit.copy);
    return dst;
  }

  /**
   * Records a use of filter `key` (values `wv`) whose form was just written at `ptr` (`floats`
   * floats, in the arena); on its second use keeps a copy (in a heap block when the module has
   * a heap and room for it, else in JS).
   */
  remember(backend: WmoeBackend, key: object | undefined, wv: Float32Array, ptr: number, floats: number): void {
    if (key === undefined || wv.length < FORM_CACHE_MIN_FLOATS) return;
    recorded.add(key);
    if (!this.seen.has(key)) {
      this.seen.add(key);
      return;
    }
    this.dropForm(key);
    const heap = backend.nn.heap;
    if (heap === undefined) {
      this.entries.set(key, { values: wv, ptr: 0, copy: backend.nn.arena.f32(ptr, floats).slice() });
      return;
    }
    let block: number;
    try {
      block = heap.alloc(floats * 4);
    } catch {
      return; // no room: the form is made per call, as before it was kept
    }
    heap.view(block, floats).set(backend.nn.arena.f32(ptr, floats));
    const entry: Entry = { values: wv, heap, ptr: block };
    this.entries.set(key, entry);
    freeing.register(key, { heap, ptr: block }, entry);
  }
}
