// Loading the AssemblyScript WASM modules (the one-thread builds; the shared-memory build is
// threaded_module.ts): their bytes, their imports, and the arena over their memory.
import { hasWasmSimd } from './simd.js';
import { WasmArena } from './arena.js';
import type { LinearHeap } from './heap.js';
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
  /**
   * Which SIMD build of the module this is (the nn module, see src/backend/init.ts): 'relaxed'
   * (fused multiply-adds, f32x4.relaxed_madd) or 'plain' (f32x4.mul + f32x4.add).
   */
  simd?: SimdBuild;
}

/** The two SIMD builds of the nn module: plain 128-bit SIMD, or with relaxed SIMD's fused multiply-add. */
export type SimdBuild = 'plain' | 'relaxed';

/**
 * The `env` imports of an AssemblyScript module `name` compiled with the stub runtime: its
 * `abort` (a failed assertion or an out-of-bounds access) throws a one-line error naming the
 * module and the source position; `extra` adds imports (the threaded build's shared memory).
 */
export function wasmEnv(name: string, extra: Record<string, WebAssembly.ImportValue> = {}): WebAssembly.Imports {
  return {
    env: {
      ...extra,
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`wireless-moe: WASM module '${name}' aborted at ${line}:${col}`);
      },
    },
  };
}

/** The bytes of base64 text `b64`. */
export function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The bytes of a module from `source` (fetched when it is a URL; throws naming the URL on an HTTP error). */
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
  const { instance } = await WebAssembly.instantiate(bytes as BufferSource, wasmEnv(name));
  const exports = instance.exports as E & { memory: WebAssembly.Memory; heapBase?: () => number };
  return { exports, arena: new WasmArena(exports.memory, exports.heapBase ? exports.heapBase() : 65536) };
}

/** Same as {@link loadWasm}, synchronously; for modules small enough to compile on the main thread. */
export function loadWasmSync<E>(name: string, b64: string): WasmModule<E> {
  if (!hasWasmSimd()) {
    throw new Error(`wireless-moe: this JavaScript engine has no WebAssembly SIMD, which the '${name}' kernels need`);
  }
  const module = new WebAssembly.Module(decodeBase64(b64) as BufferSource);
  const instance = new WebAssembly.Instance(module, wasmEnv(name));
  const exports = instance.exports as E & { memory: WebAssembly.Memory; heapBase?: () => number };
  return { exports, arena: new WasmArena(exports.memory, exports.heapBase ? exports.heapBase() : 65536) };
}
