import { WasmMemoryError } from '../errors.js';

const PAGE = 65536;
/** Every block starts on a cache line and its size is a whole number of them. */
const ALIGN = 64;

const mib = (b: number) => (b / 2 ** 20).toFixed(1);

/**
 * A WebAssembly.Memory's `buffer`, cached: reading `memory.buffer` anew costs V8 more than a
 * small kernel's whole work when the memory is shared, and every kernel call views its memory
 * several times. The cached buffer is read anew when it no longer covers the bytes asked for:
 * after a non-shared memory grew (its old buffer is detached: 0 bytes), or a shared one grew
 * (its old buffer keeps its old length and still views the same memory).
 */
export class MemoryBuffer {
  private cached: ArrayBufferLike;
  /** Float32 and Int32 views of all of `cached` (made when first asked for). */
  private allF32: Float32Array | undefined;
  private allI32: Int32Array | undefined;

  constructor(readonly memory: WebAssembly.Memory) {
    this.cached = memory.buffer;
  }

  /** The memory's buffer, covering its first `end` bytes if the memory has that many. */
  covering(end: number): ArrayBufferLike {
    const b = this.cached;
    if (end <= b.byteLength && b.byteLength !== 0) return b;
    this.allF32 = this.allI32 = undefined;
    return (this.cached = this.memory.buffer);
  }

  /** A Float32Array over the whole memory, covering its first `end` bytes (index = address / 4). */
  f32(end: number): Float32Array {
    const b = this.covering(end);
    return this.allF32 !== undefined && this.allF32.buffer === b ? this.allF32 : (this.allF32 = new Float32Array(b, 0, b.byteLength >>> 2));
  }

  /** An Int32Array over the whole memory, covering its first `end` bytes (index = address / 4). */
  i32(end: number): Int32Array {
    const b = this.covering(end);
    return this.allI32 !== undefined && this.allI32.buffer === b ? this.allI32 : (this.allI32 = new Int32Array(b, 0, b.byteLength >>> 2));
  }

  /** Grows the memory to hold `top` bytes (see growMemoryTo), reading its size from the cache when that suffices. */
  grow(top: number, maxBytes?: number): void {
    if (top <= this.cached.byteLength) return;
    growMemoryTo(this.memory, top, maxBytes);
    this.covering(top);
  }
}

/**
 * A general allocator over a module's linear memory, from `base` upward: blocks of any size
 * are taken (`alloc`) and given back (`free`) in any order; free neighbours merge, and memory
 * grows when no free block is large enough. Best fit over an address-ordered free list (a few
 * hundred entries at most in a training step). Used by the threaded `nn` module, whose memory
 * holds both the kernels' scratch ({@link HeapArena}) and the tensors that live there
 * (src/backend/resident_pool.ts).
 */
export class LinearHeap {
  /** Live blocks: address → bytes. */
  private readonly live = new Map<number, number>();
  /** Free blocks below `end`, ordered by address, never adjacent (merged). */
  private readonly holes: { ptr: number; size: number }[] = [];
  /** First byte past the highest block handed out so far (or the base). */
  private end: number;
  /** Bytes in live blocks. */
  inUseBytes = 0;
  /** The memory's buffer, cached (see {@link view}). */
  private readonly buffer: MemoryBuffer;

  /** `maxBytes`: the memory's maximum size when known (for the error message). */
  constructor(readonly memory: WebAssembly.Memory, base: number, readonly maxBytes?: number) {
    this.end = alignUp(base);
    this.buffer = new MemoryBuffer(memory);
  }

  /** A Float32Array view of `length` floats at byte address `ptr` (of a live block). */
  view(ptr: number, length: number): Float32Array {
    return new Float32Array(this.buffer.covering(ptr + 4 * length), ptr, length);
  }

  /**
   * Address of a new block of at least `bytes` bytes (64-byte aligned). Throws a
   * WasmMemoryError, changing nothing, when memory cannot grow that far.
   */
  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, 1));
    let best = -1;
    for (let i = 0; i < this.holes.length; i++) {
      const h = this.holes[i]!;
      if (h.size >= size && (best < 0 || h.size < this.holes[best]!.size)) best = i;
    }
    let ptr: number;
    if (best >= 0) {
      const h = this.holes[best]!;
      ptr = h.ptr;
      if (h.size === size) this.holes.splice(best, 1);
      else {
        h.ptr += size;
        h.size -= size;
      }
    } else {
      // No hole fits: take the top hole (if it touches the end) plus fresh memory above it.
      const last = this.holes[this.holes.length - 1];
      const extend = last !== undefined && last.ptr + last.size === this.end;
      ptr = extend ? last.ptr : this.end;
      this.buffer.grow(ptr + size, this.maxBytes);
      if (extend) this.holes.pop();
      this.end = ptr + size;
    }
    this.live.set(ptr, size);
    this.inUseBytes += size;
    return ptr;
  }

  /** Gives back the block at `ptr` (an address `alloc` returned and not freed since). */
  free(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`wireless-moe: heap free of ${ptr}, which is not a live block`);
    this.live.delete(ptr);
    this.inUseBytes -= size;
    // Insert in address order, merging with the hole before and the hole after.
    let lo = 0;
    let hi = this.holes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.holes[mid]!.ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    const start = ptr;
    let bytes = size;
    const after = this.holes[lo];
    if (after !== undefined && ptr + size === after.ptr) {
      bytes += after.size;
      this.holes.splice(lo, 1);
    }
    const before = this.holes[lo - 1];
    if (before !== undefined && before.ptr + before.size === start) {
      before.size += bytes;
      return;
    }
    this.holes.splice(lo, 0, { ptr: start, size: bytes });
  }

  /** Bytes of a live block (as rounded up by alloc). */
  sizeOf(ptr: number): number | undefined {
    return this.live.get(ptr);
  }

  /** Free bytes below the high-water mark, in `count` holes. */
  get holeStats(): { bytes: number; count: number } {
    let bytes = 0;
    for (const h of this.holes) bytes += h.size;
    return { bytes, count: this.holes.length };
  }
}

/**
 * Grows `memory` so that it holds `top` bytes; throws a WasmMemoryError naming the sizes when
 * the engine refuses (`maxBytes`: the memory's declared maximum, when known, for the message).
 * The error's figures are measured: `top` needed, and the bytes the memory had when refused.
 */
export function growMemoryTo(memory: WebAssembly.Memory, top: number, maxBytes?: number): void {
  const have = memory.buffer.byteLength;
  if (top <= have) return;
  try {
    memory.grow(Math.ceil((top - have) / PAGE));
  } catch {
    throw new WasmMemoryError(
      `wireless-moe: out of WASM memory: a kernel needs ${mib(top)} MiB of linear memory, ` +
        `it has ${mib(have)} MiB and cannot grow to that` +
        (maxBytes !== undefined ? ` (maximum ${mib(maxBytes)} MiB)` : ' (the engine refused)') +
        '; use smaller batches',
      top,
      have,
    );
  }
}

/** `n` rounded up to a whole number of 64-byte cache lines (plain arithmetic: right past 2 GiB). */
export function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
