import { hasWasmSimd } from './simd.js';
import { WasmMemoryError } from '../errors.js';
import type { ThreadPool } from './thread_pool.js';

/** Where a WASM module's bytes come from: inlined base64 (the default), raw bytes, or a URL. */
export type WasmSource = string | ArrayBuffer | Uint8Array | URL;

/** A compiled and instantiated AssemblyScript module with its linear memory. */
export interface WasmModule<E> {
  exports: E & { memory: WebAssembly.Memory };
  arena: WasmArena;
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

const PAGE = 65536;

/**
 * A bump allocator over a module's linear memory. Each kernel call does `reset()`, then
 * `alloc()`s its operands; memory grows only when a call needs more than any call before it,
 * so repeated calls reuse the same bytes. `peakBytes` is the size of linear memory.
 */
export class WasmArena {
  private top: number;
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
    this.top = (ptr + bytes + 63) & ~63;
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) {
      const have = this.memory.buffer.byteLength;
      try {
        this.memory.grow(Math.ceil(need / PAGE));
      } catch {
        const mib = (b: number) => (b / 2 ** 20).toFixed(1);
        const wanted = this.top;
        this.top = ptr;
        throw new WasmMemoryError(
          `wireless-moe: out of WASM memory: a kernel needs ${mib(wanted)} MiB of linear memory, ` +
            `it has ${mib(have)} MiB and cannot grow to that` +
            (this.maxBytes !== undefined ? ` (maximum ${mib(this.maxBytes)} MiB)` : ' (the engine refused)') +
            '; use smaller batches',
          wanted,
          this.maxBytes ?? have,
        );
      }
    }
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
