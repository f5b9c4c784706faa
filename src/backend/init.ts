import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './generated/gradients.js';
import './generated/chained_ops.js';
import nnWasm from '../wasm/generated/nn.js';
import nnThreadedWasm from '../wasm/generated/nn_mt.js';
import { loadWasm, type WasmModule, type WasmSource } from '../wasm/module.js';
import { loadWasmThreaded } from '../wasm/threaded_module.js';
import { threadSupport } from '../wasm/thread_support.js';
import { InputError } from '../errors.js';
import type { NnExports } from '../kernels/nn_exports.js';
import { wmoeKernels } from '../kernels/index.js';
import { WmoeBackend } from './backend.js';

/** Name under which the WASM SIMD backend is registered with tfjs-core. */
export const BACKEND_NAME = 'wmoe';

export interface InitOptions {
  /** Bytes or URL of nn.wasm; defaults to the copy inlined in the package. */
  wasm?: WasmSource;
  /** Make `wmoe` the current backend (default true). */
  setBackend?: boolean;
  /**
   * Threads for the GEMM-based kernels (matmul, convolutions and their gradients), main thread
   * included: an integer 1–64, default 1. More than 1 loads the shared-memory build of nn.wasm
   * and starts threads − 1 workers, when the engine allows (see below); otherwise it falls back
   * to one thread and says why in `backend.nn.threadsUnavailable`.
   */
  threads?: number;
  /**
   * With threads > 1: polls of a shared word an idle thread makes before it sleeps (default
   * thread_pool.ts DEFAULT_SPIN, a few tenths of a millisecond). Lower it (e.g. 2000) when
   * other processes compete for the cores: a polling worker takes their CPU time.
   */
  spin?: number;
  /** Bytes or URL of nn_mt.wasm (the shared-memory build, for threads > 1); defaults to the inlined copy. */
  threadedWasm?: WasmSource;
}

/** Largest `threads` that init accepts. */
const MAX_THREADS = 64;

let loaded: Promise<WmoeBackend> | undefined;
let loadedThreads: number | undefined;

/** The nn module: the threaded build with its worker pool when asked for and possible, else the one-thread build. */
async function loadNn(options: InitOptions, threads: number): Promise<WasmModule<NnExports>> {
  let why: string | undefined;
  if (threads > 1) {
    const support = threadSupport();
    if (support.ok) {
      try {
        return await loadWasmThreaded<NnExports>('nn', options.threadedWasm ?? nnThreadedWasm, { threads, spin: options.spin });
      } catch (e) {
        why = (e as Error).message;
      }
    } else {
      why = support.reason;
    }
  }
  const nn = await loadWasm<NnExports>('nn', options.wasm ?? nnWasm);
  return why === undefined ? { ...nn, threads: 1 } : { ...nn, threads: 1, threadsUnavailable: why };
}

/**
 * Loads the `nn` WASM module and registers backend `wmoe` into the application's
 * `@tensorflow/tfjs-core`: every kernel of tfjs-backend-cpu, with the hot ones replaced by
 * WASM SIMD kernels. Then makes it current (unless `setBackend: false`). Idempotent: the first
 * call decides the module; a later call asking for another `threads` throws.
 * Throws if the engine lacks WebAssembly SIMD.
 *
 * Threads (`init({ threads: 2 })`, opt-in): the GEMMs inside matmul and the convolutions (and
 * the packing and transposes of their operands) split their output rows or columns over the
 * threads; so do Adam, the training batch norm, and large elementwise ops. Every split is over
 * independent outputs or fixed chunks, so results are bit-identical to one thread; the other
 * kernels run on the calling thread. Needs
 * SharedArrayBuffer and Atomics: Node ≥ 20 (worker_threads, unref()'d: they never keep the
 * process alive; `backend.nn.pool.dispose()` stops them), or a browser page that is
 * cross-origin isolated (COOP/COEP headers) and allows blob: workers. A browser's main thread
 * may not block, so there it spin-waits for the workers; running tfjs inside a Web Worker
 * avoids that. `backend.nn.threads` is the number in use; `backend.nn.pool.active = 1` runs
 * on one thread again (for measuring scaling).
 */
export async function init(options: InitOptions = {}): Promise<WmoeBackend> {
  const t = options.threads;
  if (t !== undefined && (!Number.isInteger(t) || t < 1 || t > MAX_THREADS)) {
    throw new InputError(`init: threads must be an integer from 1 to ${MAX_THREADS}, got ${t}`);
  }
  if (options.spin !== undefined && (!Number.isInteger(options.spin) || options.spin < 0)) {
    throw new InputError(`init: spin must be an integer >= 0, got ${options.spin}`);
  }
  if (t !== undefined && loadedThreads !== undefined && t !== loadedThreads) {
    throw new InputError(`init: threads ${t} asked for, but backend wmoe was already loaded with threads ${loadedThreads}`);
  }
  loadedThreads ??= t ?? 1;
  const threads = loadedThreads;
  loaded ??= (async () => {
    const nn = await loadNn(options, threads);
    const backend = new WmoeBackend(nn);
    const ours = new Set(wmoeKernels.map((k) => k.kernelName));
    for (const k of tf.getKernelsForBackend('cpu')) {
      if (!ours.has(k.kernelName)) tf.registerKernel({ ...k, backendName: BACKEND_NAME });
    }
    for (const k of wmoeKernels) tf.registerKernel({ ...k, backendName: BACKEND_NAME });
    tf.registerBackend(BACKEND_NAME, () => backend, 1);
    return backend;
  })();
  const backend = await loaded;
  if (options.setBackend !== false) await tf.setBackend(BACKEND_NAME);
  return backend;
}

/** The tfjs-core instance that backend `wmoe` registered into. */
export { tf };
