import type { LinearHeap } from '../wasm/heap.js';
import type { OutputStore } from './output_pool.js';

/**
 * Outputs of fewer floats than this (16 floats, 64 bytes) are plain JS arrays, not blocks: V8
 * keeps a typed array of at most 64 bytes inside its own heap, which costs less to make than a
 * block's bookkeeping (heap allocation, maps, freeing), and a batch-1 forward makes many such
 * outputs. A larger JS array gets a buffer allocated apart (1.5–4 µs each, measured on the 2-core
 * build machine), which costs more than a block.
 */
export const RESIDENT_MIN_FLOATS = 17;

/**
 * Floats from which JS values that kernels read again and again (weights made from JS arrays,
 * a checkpoint's variables) move into WASM memory (see {@link ResidentPool.promote}): below it,
 * copying them into the arena on every read costs less than tracking their reads.
 */
export const PROMOTE_MIN_FLOATS = 1024;

/**
 * The output store of a backend whose nn module has a shared linear memory (the threaded
 * build): a WASM kernel's float32 output is a block of that memory, and the tensor's values are
 * a Float32Array view of it. A kernel that reads such a tensor passes the block's address
 * instead of copying the values in ({@link pointerOf}); one that writes an output writes it in
 * place. Shared memory is what makes this safe: growing it never detaches the views.
 *
 * A block is freed when its one tensor's data is freed. Values that would outlive that or be
 * shared are moved to the JS heap first:
 *  - values handed out of the backend (readSync, read, bufferSync) are replaced by a JS copy
 *    ({@link evict}), so user code never holds a view of memory that is reused later;
 *  - a second tensor on the same memory (a cpu kernel returning its input's values, or a
 *    subarray of them) gets a JS copy ({@link adopt}).
 * JS values that kernels read a second time (weights, inputs reused across calls) move into a
 * block ({@link promote}), so that later kernels read them in place instead of copying them in.
 * Beyond `capBytes` of live blocks (half the memory's maximum by default, so that the kernels'
 * scratch still fits), outputs are plain JS arrays again.
 */
export class ResidentPool implements OutputStore {
  /** Address of every view handed out by take() whose block is live. */
  private readonly blocks = new WeakMap<Float32Array, number>();
  /** Views taken but not yet the data of a tensor, with their take sequence number (see mark). */
  private readonly taken = new Map<Float32Array, number>();
  /** Takes so far. */
  private takes = 0;
  /** The memory's buffers that views were made on (a shared memory's buffer changes as it grows). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  /** The buffer last added to `buffers`. */
  private lastBuffer: ArrayBufferLike | undefined;
  /** JS values read once by a kernel (see promote). */
  private readonly readOnce = new WeakSet<Float32Array>();
  /** Bytes of live blocks. */
  residentBytes = 0;
  /** JS values moved into blocks by promote() so far (a diagnostic). */
  promotions = 0;

  constructor(
    private readonly heap: LinearHeap,
    readonly capBytes = (heap.maxBytes ?? 2 ** 31) / 2,
    /** Outputs of fewer floats are JS arrays (0: every output is a block). */
    readonly minFloats = RESIDENT_MIN_FLOATS,
    /** Whether JS values read twice move into blocks (see promote). */
    readonly promotes = true,
  ) {}

  /**
   * A Float32Array of `length` values in a new block (a JS array below `minFloats`, beyond the
   * cap, or when memory cannot grow); contents arbitrary.
   */
  take(length: number): Float32Array {
    if (length < this.minFloats) return new Float32Array(length);
    const view = this.block(length);
    if (view === undefined) return new Float32Array(length);
    this.taken.set(view, this.takes++);
    return view;
  }

  /** A view of a new block of `length` floats, or undefined beyond the cap or when memory cannot grow. */
  private block(length: number): Float32Array | undefined {
    const bytes = length * 4;
    if (this.residentBytes + bytes > this.capBytes) return undefined;
    let ptr: number;
    try {
      ptr = this.heap.alloc(bytes);
    } catch {
      return undefined; // memory cannot grow: the kernel's scratch comes first
    }
    const view = this.heap.view(ptr, length);
    if (view.buffer !== this.lastBuffer) {
      this.lastBuffer = view.buffer;
      this.buffers.add(view.buffer);
    }
    this.blocks.set(view, ptr);
    this.residentBytes += this.heap.sizeOf(ptr)!;
    return view;
  }

  adopt<V>(values: V): V {
    if (!ArrayBuffer.isView(values)) return values;
    const v = values as unknown as Float32Array;
    // A view at offset 0 is no view into the memory (address 0 is below the heap): a JS array,
    // which stays as it is (and reading its `buffer` would move a small array off V8's heap).
    if (v.byteOffset === 0) return values;
    if (this.taken.delete(v)) return values;
    // A second tensor on resident memory, or a view into it: it gets values of its own.
    if (this.buffers.has(v.buffer)) return v.slice() as unknown as V;
    return values;
  }

  /**
   * A kernel reads the JS values `values` of a tensor: on their second read, when they hold
   * at least PROMOTE_MIN_FLOATS floats, a resident copy for the tensor to hold from now on (already
   * adopted); else undefined (the kernel copies them into the arena). Values read once (a
   * batch of input) never take a block.
   */
  promote(values: Float32Array): Float32Array | undefined {
    if (!this.promotes || values.length < PROMOTE_MIN_FLOATS || this.pointerOf(values) !== undefined) return undefined;
    if (!this.readOnce.has(values)) {
      this.readOnce.add(values);
      return undefined;
    }
    const view = this.block(values.length);
    if (view === undefined) return undefined;
    view.set(values);
    this.readOnce.delete(values);
    this.promotions++;
    return view;
  }

  expose(): void {}

  evict(values: unknown): Float32Array | undefined {
    const ptr = this.pointerOf(values);
    if (ptr === undefined) return undefined;
    const copy = (values as Float32Array).slice();
    this.freeBlock(values as Float32Array, ptr);
    return copy;
  }

  release(values: unknown): void {
    const ptr = this.pointerOf(values);
    if (ptr !== undefined) this.freeBlock(values as Float32Array, ptr);
  }

  pointerOf(values: unknown): number | undefined {
    // byteOffset 0: a JS array (every block lies above address 0), without a WeakMap lookup.
    return values instanceof Float32Array && values.byteOffset !== 0 ? this.blocks.get(values) : undefined;
  }

  mark(): number {
    return this.takes;
  }

  /** Frees the blocks of the views taken since `mark` that no tensor adopted. */
  discardSince(mark: number): void {
    for (const [view, seq] of [...this.taken]) {
      if (seq >= mark) this.freeBlock(view, this.blocks.get(view)!);
    }
  }

  private freeBlock(view: Float32Array, ptr: number): void {
    this.blocks.delete(view);
    this.taken.delete(view);
    this.residentBytes -= this.heap.sizeOf(ptr)!;
    this.heap.free(ptr);
  }
}
