import { hasWasmSimd } from './simd.js';
import { growMemoryTo, type LinearHeap } from './heap.js';
import type { ThreadPool } from './thread_pool.js';

/** Where a WASM module's bytes come from: inlined base64 (the default), raw bytes, or a URL. */
export type WasmSource = string | ArrayBuffer | Uint8Array | URL;

/** A compiled and instantiated AssemblyScript module with its linear memory. */
export interface WasmModule<E> {
  exports: E & { memory: WebAssembly.Memory };
  arena: WasmArena;
  /**
   * The allocator of a module whose linear memory also holds tensors (the threaded build): the
   * arena then takes its blocks from it. Absent for the one-thread modules.
   */
  heap?: LinearHeap;
  /** Threads its kernels may use (1 unless loaded by loadWasmThreaded with a pool). */
  threads?: number;
  /** The worker pool of a threaded module (src/wasm/threaded_module.ts). */
  pool?: ThreadPool;
  /** Why a request for threads fell back to one thread (one line), if it did. */
  threadsUnavailable?: string;
}

export function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function bytesOf(source: WasmSource): Promise<Uint8Array | ArrayBuffer> {
  if (source instanceof URL) {
    const res = await fetch(source);
    if (!res.ok) throw new Error(`wireless-moe: fetching WASM from ${source.href} failed: HTTP ${res.status}`);
    return res.arrayBuffer();
  }
  if (typeof source === 'string') return decodeBase64(source);
  return source;
}

/**
 * Instantiates an AssemblyScript module compiled with the stub runtime. Throws a clear error
 * when the engine lacks WebAssembly SIMD, which every module here needs.
 */
export async function loadWasm<E>(name: string, source: WasmSource): Promise<WasmModule<E>> {
  if (!hasWasmSimd()) {
    throw new Error(
      `wireless-moe: this JavaScript engine has no WebAssembly SIMD, which the '${name}' kernels need ` +
        '(Node >= 16.4, Chrome >= 91, Firefox >= 89, Safari >= 16.4)',
    );
  }
  const bytes = await bytesOf(source);
  const { instance } = await WebAssembly.instantiate(bytes as BufferSource, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`wireless-moe: WASM module '${name}' aborted at ${line}:${col}`);
      },
    },
  });
  const exports = instance.exports as E & { memory: WebAssembly.Memory; heapBase?: () => number };
  return { exports, arena: new WasmArena(exports.memory, exports.heapBase ? exports.heapBase() : 65536) };
}

/** Same as {@link loadWasm}, synchronously; for modules small enough to compile on the main thread. */
export function loadWasmSync<E>(name: string, b64: string): WasmModule<E> {
  if (!hasWasmSimd()) {
    throw new Error(`wireless-moe: this JavaScript engine has no WebAssembly SIMD, which the '${name}' kernels need`);
  }
  const module = new WebAssembly.Module(decodeBase64(b64) as BufferSource);
  const instance = new WebAssembly.Instance(module, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`wireless-moe: WASM module '${name}' aborted at ${line}:${col}`);
      },
    },
  });
  const exports = instance.exports as E & { memory: WebAssembly.Memory; heapBase?: () => number };
  return { exports, arena: new WasmArena(exports.memory, exports.heapBase ? exports.heapBase() : 65536) };
}

/**
 * A bump allocator over a module's linear memory. Each kernel call does `reset()`, then
 * `alloc()`s its operands; memory grows only when a call needs more than any call before it,
 * so repeated calls reuse the same bytes. `peakBytes` is the size of linear memory.
 */
export class WasmArena {
  protected top: number;
  /**
   * `maxBytes` is the memory's maximum size when known (a shared memory's), for the error
   * message when a call needs more.
   */
  constructor(readonly memory: WebAssembly.Memory, public base: number, readonly maxBytes?: number) {
    this.base = (base + 63) & ~63;
    this.top = this.base;
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

  /** Reserves `bytes` bytes aligned to 64 and returns their address. */
  alloc(bytes: number): number {
    const ptr = this.top;
    const top = (ptr + bytes + 63) & ~63;
    growMemoryTo(this.memory, top, this.maxBytes);
    this.top = top;
    return ptr;
  }

  /** Copies `data` into fresh memory and returns its address. */
  put(data: Float32Array | Int32Array | Uint8Array | Int8Array | Int16Array | Float64Array): number {
    const ptr = this.alloc(data.byteLength);
    new Uint8Array(this.memory.buffer, ptr, data.byteLength).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    return ptr;
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length);
  }
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }
  u8(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, length);
  }
  i8(ptr: number, length: number): Int8Array {
    return new Int8Array(this.memory.buffer, ptr, length);
  }
  i16(ptr: number, length: number): Int16Array {
    return new Int16Array(this.memory.buffer, ptr, length);
  }

  /** Bytes of linear memory: the peak that any call so far has needed. */
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
  private start = 0;
  private limit = 0;
  /** Blocks outgrown during the current call, freed at reset. */
  private retired: number[] = [];
  /** Bytes allocated since the last reset, across blocks. */
  private used = 0;

  constructor(memory: WebAssembly.Memory, readonly heap: LinearHeap) {
    super(memory, 0, heap.maxBytes);
  }

  /** A heap block of `bytes` kept for good. */
  override reserve(bytes: number): number {
    return this.heap.alloc(bytes);
  }

  override reset(): void {
    if (this.retired.length > 0) {
      for (const p of this.retired) this.heap.free(p);
      this.retired = [];
      this.heap.free(this.start);
      this.start = this.heap.alloc(this.used);
      this.limit = this.start + this.used;
    }
    this.top = this.start;
    this.used = 0;
  }

  override alloc(bytes: number): number {
    const size = (bytes + 63) & ~63;
    if (this.top + size > this.limit || this.limit === 0) {
      const blockBytes = Math.max(size, 2 * (this.limit - this.start), 1 << 20);
      const p = this.heap.alloc(blockBytes); // throws (changing nothing) when memory cannot grow
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
