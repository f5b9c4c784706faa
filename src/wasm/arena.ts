// The scratch allocators of a WASM module's kernel calls: WasmArena (a bump allocator over the
// module's linear memory, for the one-thread modules) and HeapArena (the same inside blocks of a
// LinearHeap, for the threaded module whose memory also holds tensors). Addresses are plain
// numbers (no 32-bit bitwise arithmetic), so they stay right past 2 GiB.
import { WasmMemoryError } from '../errors.js';
import { MemoryBuffer, alignUp, type LinearHeap } from './heap.js';

/** Smallest heap block a HeapArena takes (bytes). */
const MIN_BLOCK_BYTES = 1 << 20;

/**
 * A bump allocator over a module's linear memory. Each kernel call does `reset()`, then
 * `alloc()`s its operands; memory grows only when a call needs more than any call before it,
 * so repeated calls reuse the same bytes.
 */
export class WasmArena {
  protected top: number;
  /** The memory's buffer, cached (reading `memory.buffer` of a shared memory is slow). */
  private readonly buffer: MemoryBuffer;
  /**
   * `maxBytes` is the memory's maximum size when known (a shared memory's), for the error
   * message when a call needs more.
   */
  constructor(readonly memory: WebAssembly.Memory, public base: number, readonly maxBytes?: number) {
    this.base = alignUp(base);
    this.top = this.base;
    this.buffer = new MemoryBuffer(memory);
  }

  /** Takes `bytes` (aligned to 64) off the bottom of the arena for good (reset() keeps them); returns their address. */
  reserve(bytes: number): number {
    const ptr = this.alloc(bytes);
    this.base = this.top;
    return ptr;
  }

  /** Frees everything allocated since the last reset. */
  reset(): void {
    this.top = this.base;
  }

  /**
   * Reserves `bytes` bytes aligned to 64 and returns their address; throws a WasmMemoryError
   * (changing nothing) when memory cannot grow that far.
   */
  alloc(bytes: number): number {
    const ptr = this.top;
    const top = alignUp(ptr + bytes);
    this.buffer.grow(top, this.maxBytes);
    this.top = top;
    return ptr;
  }

  /** Copies `data` into fresh memory and returns its address. */
  put(data: Float32Array | Int32Array | Uint8Array | Int8Array | Int16Array | Float64Array): number {
    const ptr = this.alloc(data.byteLength);
    const end = ptr + data.byteLength;
    // Into a cached view of the whole memory (ptr is 64-aligned): no view to make per call, and
    // no `data.buffer`, which would move a small array's storage off V8's heap.
    if (data instanceof Float32Array) this.buffer.f32(end).set(data, ptr / 4);
    else if (data instanceof Int32Array) this.buffer.i32(end).set(data, ptr / 4);
    else new Uint8Array(this.buffer.covering(end), ptr, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return ptr;
  }

  /** Copies the `out.length` float32 values at byte address `ptr` into `out`. */
  readF32(ptr: number, out: Float32Array): void {
    const n = out.length;
    const p = ptr / 4;
    out.set(this.buffer.f32(ptr + 4 * n).subarray(p, p + n)); // a typed copy: every bit kept, NaN payloads too
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.buffer.covering(ptr + 4 * length), ptr, length);
  }
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.buffer.covering(ptr + 8 * length), ptr, length);
  }
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.buffer.covering(ptr + 4 * length), ptr, length);
  }
  u8(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.buffer.covering(ptr + length), ptr, length);
  }
  i8(ptr: number, length: number): Int8Array {
    return new Int8Array(this.buffer.covering(ptr + length), ptr, length);
  }
  i16(ptr: number, length: number): Int16Array {
    return new Int16Array(this.buffer.covering(ptr + 2 * length), ptr, length);
  }

  /**
   * Bytes of the module's whole linear memory: its high-water mark, since linear memory never
   * shrinks. It measures everything that memory holds at its peak together, not the kernels'
   * scratch alone: for a one-thread module, the largest call's scratch plus the module's static
   * data; for the threaded module, whose memory also holds the resident tensors and Adam's
   * moments, those too (so it grows with the batch size and the model, not only the kernels).
   */
  get peakBytes(): number {
    return this.memory.buffer.byteLength;
  }
}

/**
 * The arena of a module whose memory it shares with other blocks of a {@link LinearHeap} (the
 * threaded `nn` module, where tensors live too). A call's allocations are bumped within one
 * heap block; when a call needs more, a new block is taken and the old one is kept until
 * `reset()`, which then replaces both by one block as large as that call needed. So after the
 * first calls of a training loop, every call fits one block again.
 */
export class HeapArena extends WasmArena {
  /** The current block ([start, limit)); start = limit = 0 when the arena holds none. */
  private start = 0;
  private limit = 0;
  /** Blocks outgrown during the current call, freed at reset. */
  private retired: number[] = [];
  /** Bytes allocated since the last reset, across blocks. */
  private used = 0;
  /** Memory ran out since the last reset. */
  private failed = false;

  constructor(memory: WebAssembly.Memory, readonly heap: LinearHeap) {
    super(memory, 0, heap.maxBytes);
  }

  /** A heap block of `bytes` kept for good. */
  override reserve(bytes: number): number {
    return this.heap.alloc(bytes);
  }

  /**
   * Frees everything allocated since the last reset. When the last call chained blocks, they
   * are all given back and replaced by one block of what that call used. When memory ran out
   * during the last call, or cannot give that one block, every block is given back and the
   * arena holds none (the next alloc takes one as needed): a call that failed leaves neither a
   * block sized for it (which a smaller retry would then lack) nor a pointer into freed memory.
   */
  override reset(): void {
    if (this.retired.length > 0 || this.failed) {
      const blocks = this.limit > this.start ? [...this.retired, this.start] : this.retired;
      const used = this.failed ? 0 : this.used;
      this.retired = [];
      this.start = this.limit = 0;
      this.failed = false;
      for (const p of blocks) this.heap.free(p);
      if (used > 0) {
        try {
          this.start = this.heap.alloc(used);
          this.limit = this.start + used;
        } catch (e) {
          if (!(e instanceof WasmMemoryError)) throw e;
        }
      }
    }
    this.top = this.start;
    this.used = 0;
  }

  override alloc(bytes: number): number {
    const size = alignUp(bytes);
    if (this.limit === 0 || this.top + size > this.limit) {
      const blockBytes = Math.max(size, 2 * (this.limit - this.start), MIN_BLOCK_BYTES);
      let p: number;
      try {
        p = this.heap.alloc(blockBytes); // throws (changing nothing) when memory cannot grow
      } catch (e) {
        this.failed = true;
        throw e;
      }
      if (this.limit > this.start) this.retired.push(this.start);
      this.start = p;
      this.limit = p + blockBytes;
      this.top = p;
    }
    const ptr = this.top;
    this.top += size;
    this.used += size;
    return ptr;
  }
}
