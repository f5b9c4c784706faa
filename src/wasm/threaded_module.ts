// Loads the shared-memory build of a WASM module (scripts/build-wasm.mjs, asconfig target
// 'threads') and starts its worker pool: the main thread's instance and every worker's
// instantiate the same compiled module over one shared WebAssembly.Memory, so the arena's
// addresses mean the same bytes everywhere. The GEMM exports are replaced by split versions
// (parallel_gemm.ts), so are Adam and the binary and unary elementwise ops
// (parallel_elementwise.ts); everything else runs on the calling thread as in the one-thread module.
import { bytesOf, wasmEnv, type WasmModule, type WasmSource } from './module.js';
import { HeapArena } from './arena.js';
import { hasWasmSimd } from './simd.js';
import { ThreadPool, nodeWorkerHost, webWorkerHost, type WorkerHost } from './thread_pool.js';
import { parallelGemmExports, type GemmExports } from './parallel_gemm.js';
import { parallelElementwiseExports, type ElementwiseExports } from './parallel_elementwise.js';
import { sharedMemorySupport, threadSupport } from './thread_support.js';
import { LinearHeap } from './heap.js';

const PAGE = 65536;
/** Pages the threaded build declares as its initial and maximum memory (asconfig.json, target 'threads'). */
export const THREADED_INITIAL_PAGES = 16;
export const THREADED_MAX_PAGES = 65536;
/** Bytes of GEMM edge scratch per worker (assembly/nn/gemm.ts: 4×8 floats), rounded to a cache line. */
const SCRATCH_BYTES = 128;
/** Exports the workers may be asked to run. */
const WORKER_EXPORTS = ['gemmIndirect', 'gemmPackBRows', 'gemmTranspose', 'convIm2colPacked', 'adamUpdate', 'binary', 'unary', 'bnSums', 'bnApply', 'bnGradSums', 'bnGradApply', 'gelu', 'geluGrad', 'layerNorm', 'layerNormGrad', 'attentionForward', 'attentionBackward', 'matrixTranspose', 'winogradFilter', 'winogradInput', 'winogradOutput', 'winogradGradOut', 'winogradFilterGrad', 'winograd4Filter', 'winograd4Input', 'winograd4Output', 'winograd4Tiles', 'winograd4GradOut', 'winograd4FilterGrad', 'maxPool', 'avgPool', 'maxPoolGrad', 'avgPoolGrad', 'convPlanarPad', 'convDirectForward', 'convScatterInputGrad', 'convDirectFilterGrad', 'reduceSumColumns'];

/** Options of {@link loadWasmThreaded}. */
export interface ThreadedOptions {
  /** Threads in all, main thread included (≥ 1; 1: no workers, the calling thread alone over the shared memory). */
  threads: number;
  /** Maximum memory in 64 KiB pages (default 65536 = 4 GiB; lower on devices short of address space). */
  maxPages?: number;
  /** How to start workers (default: worker_threads in Node, Web Workers elsewhere). */
  host?: WorkerHost;
  /** Atomics.load polls of an idle worker before it sleeps (default thread_pool.ts DEFAULT_SPIN). */
  spin?: number;
}

/**
 * Instantiates the threaded build `source` of module `name` over a new shared memory and
 * starts `threads − 1` workers (none for threads = 1: a pool of the calling thread alone, whose
 * memory can still hold tensors). Throws when the engine cannot (see threadSupport, and
 * sharedMemorySupport for one thread) or a worker fails to start; callers fall back to the
 * one-thread module.
 */
export async function loadWasmThreaded<E extends GemmExports & ElementwiseExports>(
  name: string, source: WasmSource, options: ThreadedOptions,
): Promise<WasmModule<E>> {
  if (!hasWasmSimd()) throw new Error(`wireless-moe: this JavaScript engine has no WebAssembly SIMD, which the '${name}' kernels need`);
  const support = options.threads > 1 ? threadSupport() : sharedMemorySupport();
  if (!support.ok) throw new Error(`wireless-moe: WASM ${options.threads > 1 ? 'threads' : 'shared memory'} unavailable: ${support.reason}`);
  const maxPages = options.maxPages ?? THREADED_MAX_PAGES;
  const module = await WebAssembly.compile((await bytesOf(source)) as BufferSource);
  const memory = new WebAssembly.Memory({ initial: THREADED_INITIAL_PAGES, maximum: maxPages, shared: true });
  const instance = new WebAssembly.Instance(module, wasmEnv(name, { memory }));
  const raw = instance.exports as unknown as E & { heapBase?: () => number };
  const heap = new LinearHeap(memory, raw.heapBase ? raw.heapBase() : PAGE, maxPages * PAGE);
  const arena = new HeapArena(memory, heap);
  const scratch = Array.from({ length: options.threads - 1 }, () => arena.reserve(SCRATCH_BYTES));
  const pool = await ThreadPool.start({
    threads: options.threads, module, memory, local: raw as unknown as Record<string, unknown>, names: WORKER_EXPORTS,
    scratch: (i) => scratch[i], host: options.host ?? (support.host === 'node' ? nodeWorkerHost : webWorkerHost),
    spin: options.spin,
  });
  const exports = { ...parallelElementwiseExports(parallelGemmExports(raw, pool), pool), memory } as E & { memory: WebAssembly.Memory };
  return {
    exports, arena, heap, pool,
    get threads() {
      return pool.active;
    },
  };
}
