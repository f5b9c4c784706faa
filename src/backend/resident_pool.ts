import type { LinearHeap } from '../wasm/heap.js';
import type { OutputStore } from './output_pool.js';

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
  /** Bytes of live blocks. */
  residentBytes = 0;

  constructor(
    private readonly heap: LinearHeap,
    readonly capBytes = (heap.maxBytes ?? 2 ** 31) / 2,
  ) {}

  /** A Float32Array of `length` values in a new block (a JS array beyond the cap); contents arbitrary. */
  take(length: number): Float32Array {
    const bytes = length * 4;
    if (this.residentBytes + bytes > this.capBytes) return new Float32Array(length);
    let ptr: number;
    try {
      ptr = this.heap.alloc(bytes);
    } catch {
      return new Float32Array(length); // memory cannot grow: the kernel's scratch comes first
    }
    const buffer = this.heap.memory.buffer;
    const view = new Float32Array(buffer, ptr, length);
    this.buffers.add(buffer);
    this.blocks.set(view, ptr);
    this.taken.set(view, this.takes++);
    this.residentBytes += this.heap.sizeOf(ptr)!;
    return view;
  }

  adopt<V>(values: V): V {
    if (!ArrayBuffer.isView(values)) return values;
    const v = values as unknown as Float32Array;
    if (this.taken.delete(v)) return values;
    // A second tensor on resident memory, or a view into it: it gets values of its own.
    if (this.buffers.has(v.buffer)) return v.slice() as unknown as V;
    return values;
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
    return values instanceof Float32Array ? this.blocks.get(values) : undefined;
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
