import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './generated/gradients.js';
import './generated/chained_ops.js';
import nnWasm from '../wasm/generated/nn.js';
import nnThreadedWasm from '../wasm/generated/nn_mt.js';
import nnRelaxedWasm from '../wasm/generated/nn_relaxed.js';
import nnThreadedRelaxedWasm from '../wasm/generated/nn_mt_relaxed.js';
import { loadWasm, type SimdBuild, type WasmModule, type WasmSource } from '../wasm/module.js';
import { hasWasmRelaxedSimd } from '../wasm/simd.js';
import { THREADED_INITIAL_PAGES, THREADED_MAX_PAGES, loadWasmThreaded } from '../wasm/threaded_module.js';
import { MAX_THREADS, autoThreads, sharedMemorySupport, threadSupport } from '../wasm/thread_support.js';
import { InputError } from '../errors.js';
import type { NnExports } from '../kernels/nn_exports.js';
import { wmoeKernels } from '../kernels/index.js';
import { WmoeBackend } from './backend.js';

/** Name under which the WASM SIMD backend is registered with tfjs-core. */
export const BACKEND_NAME = 'wmoe';

/** Options of {@link init}; every one has a default, so `init()` alone is the usual call. */
export interface InitOptions {
  /**
   * Bytes or URL of nn.wasm, the one-thread build (copy mode; used only when the engine has no
   * SharedArrayBuffer, see `threadedWasm`) of plain SIMD (with relaxed SIMD, see `simd`,
   * `relaxedWasm` is loaded instead); defaults to the copy inlined in the package.
   */
  wasm?: WasmSource;
  /** Make `wmoe` the current tfjs backend (default true); false only registers it. */
  setBackend?: boolean;
  /**
   * Threads for the kernels, main thread included: an integer 1–64, or 'auto' (Node:
   * os.availableParallelism(); a browser: navigator.hardwareConcurrency if the page is
   * cross-origin isolated, else 1). Default 1. More than 1 starts threads − 1 workers, when the
   * engine allows (see {@link init}); otherwise the backend runs on one thread and says why in
   * `backend.nn.threadsUnavailable`. The first init() decides; a later call asking for another
   * count throws.
   */
  threads?: number | 'auto';
  /**
   * With threads > 1: polls of a shared word an idle worker makes before it sleeps, and the
   * main thread before it waits for the workers (an integer ≥ 0; default DEFAULT_SPIN of
   * src/wasm/thread_pool.ts, 200 000 polls, a few tenths of a millisecond). Kernels follow each
   * other faster than a sleeping worker wakes, so polling makes threads pay off; but a polling
   * worker takes CPU time from other processes: on a busy machine lower it (e.g. 2000).
   * Ignored with one thread.
   */
  spin?: number;
  /**
   * Bytes or URL of nn_mt.wasm, the shared-memory build (used whenever the engine has
   * SharedArrayBuffer: on one thread too, where it keeps tensors in WASM memory, saving a copy
   * in and out of every kernel) of plain SIMD (with relaxed SIMD, `threadedRelaxedWasm`);
   * defaults to the copy inlined in the package.
   */
  threadedWasm?: WasmSource;
  /**
   * Maximum size of the shared-memory build's WASM memory, in 64 KiB pages: an integer from 16
   * to 65536 (default 65536 = 4 GiB). A shared memory reserves its maximum address space up
   * front, so lower it on devices short of address space (32-bit browsers). Tensors stay in it
   * up to half of it (further ones are JS arrays), leaving the rest to the kernels' scratch; a
   * kernel that needs more than fits throws WasmMemoryError.
   */
  maxPages?: number;
  /**
   * Which SIMD build of the nn module to load: 'auto' (default) the relaxed-SIMD build when the
   * engine validates relaxed SIMD (Chrome ≥ 114, Node ≥ 22, Node 20 with
   * --experimental-wasm-relaxed-simd), else the plain one; 'relaxed' that build or an InputError
   * if the engine lacks it; 'plain' the plain SIMD build everywhere. The relaxed build computes
   * every multiply-add of its kernels as one f32x4.relaxed_madd, which the engine fuses (one
   * rounding) where the CPU has FMA: faster, and different in the last bits. Results are
   * bit-identical run to run and on any number of threads within one build on one machine; the
   * plain build also gives the same bits in Node and in browsers, so ask for 'plain' when
   * results must match across engines.
   * `backend.nn.simd` says which build loaded.
   */
  simd?: SimdChoice;
  /** Bytes or URL of nn_relaxed.wasm (the one-thread relaxed-SIMD build; like `wasm`); defaults to the inlined copy. */
  relaxedWasm?: WasmSource;
  /** Bytes or URL of nn_mt_relaxed.wasm (the shared-memory relaxed-SIMD build; like `threadedWasm`); defaults to the inlined copy. */
  threadedRelaxedWasm?: WasmSource;
}

/** Values of {@link InitOptions.simd}. */
export type SimdChoice = 'auto' | SimdBuild;
const SIMD_CHOICES: readonly SimdChoice[] = ['auto', 'relaxed', 'plain'];

/**
 * The build `choice` selects in this engine: 'auto' is 'relaxed' when the engine validates
 * relaxed SIMD, else 'plain'. Throws an InputError for 'relaxed' in an engine without it.
 */
export function simdBuildFor(choice: SimdChoice = 'auto'): SimdBuild {
  if (choice === 'plain') return 'plain';
  const relaxed = hasWasmRelaxedSimd();
  if (choice === 'relaxed' && !relaxed) {
    throw new InputError(
      "init: simd 'relaxed' asked for, but this JavaScript engine does not validate WebAssembly relaxed SIMD " +
        "(Chrome >= 114, Node >= 22, or Node 20 run with --experimental-wasm-relaxed-simd); use simd 'auto' or 'plain'",
    );
  }
  return relaxed ? 'relaxed' : 'plain';
}

let loaded: Promise<WmoeBackend> | undefined;
let loadedThreads: number | undefined;
let loadedSimd: SimdBuild | undefined;

/**
 * The nn module: the shared-memory build (with threads − 1 workers) when the engine has
 * SharedArrayBuffer, else the one-thread build. A request for threads that cannot be met falls
 * back to one thread, recording why.
 */
async function loadNn(options: InitOptions, threads: number, simd: SimdBuild): Promise<WasmModule<NnExports>> {
  const module = await loadNnBuild(options, threads, simd);
  return { ...module, simd };
}

/** {@link loadNn} of one SIMD build. */
async function loadNnBuild(options: InitOptions, threads: number, simd: SimdBuild): Promise<WasmModule<NnExports>> {
  let why: string | undefined;
  const relaxed = simd === 'relaxed';
  const threadedSource = relaxed ? (options.threadedRelaxedWasm ?? nnThreadedRelaxedWasm) : (options.threadedWasm ?? nnThreadedWasm);
  const threaded = (t: number) => loadWasmThreaded<NnExports>('nn', threadedSource, { threads: t, spin: options.spin, maxPages: options.maxPages });
  if (threads > 1) {
    const support = threadSupport();
    if (support.ok) {
      try {
        return await threaded(threads);
      } catch (e) {
        why = (e as Error).message;
      }
    } else {
      why = support.reason;
    }
  }
  const because = why === undefined ? {} : { threadsUnavailable: why };
  if (sharedMemorySupport().ok) {
    try {
      return { ...(await threaded(1)), ...because };
    } catch {
      // e.g. no address space for the shared memory's maximum: the one-thread build below
    }
  }
  const nn = await loadWasm<NnExports>('nn', relaxed ? (options.relaxedWasm ?? nnRelaxedWasm) : (options.wasm ?? nnWasm));
  return { ...nn, threads: 1, ...because };
}

/** Checks init's options; throws an InputError naming the first bad value. */
function checkOptions(options: InitOptions): void {
  const t = options.threads;
  if (t !== undefined && t !== 'auto' && (!Number.isInteger(t) || t < 1 || t > MAX_THREADS)) {
    throw new InputError(`init: threads must be an integer from 1 to ${MAX_THREADS} or 'auto', got ${t}`);
  }
  if (options.spin !== undefined && (!Number.isInteger(options.spin) || options.spin < 0)) {
    throw new InputError(`init: spin must be an integer >= 0, got ${options.spin}`);
  }
  const p = options.maxPages;
  if (p !== undefined && (!Number.isInteger(p) || p < THREADED_INITIAL_PAGES || p > THREADED_MAX_PAGES)) {
    throw new InputError(`init: maxPages must be an integer from ${THREADED_INITIAL_PAGES} to ${THREADED_MAX_PAGES}, got ${p}`);
  }
  if (options.simd !== undefined && !SIMD_CHOICES.includes(options.simd)) {
    throw new InputError(`init: simd must be 'auto', 'relaxed' or 'plain', got ${String(options.simd)}`);
  }
}

/**
 * Loads the `nn` WASM module and registers backend `wmoe` into the application's
 * `@tensorflow/tfjs-core`: every kernel of tfjs-backend-cpu, with the hot ones replaced by
 * WASM SIMD kernels. Then makes it current (unless `setBackend: false`). Idempotent: the first
 * call decides the module; a later call asking for another `threads` throws.
 * Throws if the engine lacks WebAssembly SIMD. Options: {@link InitOptions}.
 *
 * Where the engine has SharedArrayBuffer (Node; a cross-origin isolated page), the shared-memory
 * build is loaded, even on one thread: kernels' outputs stay in WASM memory as the tensors'
 * values and the next kernel reads them in place, instead of copying every operand in and out
 * (a ResNet-18 training step took 10–30 % less time in rough measurements on a busy 2-core
 * machine). Without it, the one-thread build copies (same kernels, same results bit for bit).
 *
 * Threads (`init({ threads: 2 })` or `'auto'`, opt-in): the GEMMs inside matmul and the
 * convolutions (and the packing and transposes of their operands) split their output rows or
 * columns over the threads; so do Adam, the training batch norm, and large elementwise ops.
 * Every split is over independent outputs or fixed chunks, so results are bit-identical to one
 * thread; the other kernels run on the calling thread. Needs
 * SharedArrayBuffer and Atomics: Node ≥ 20 (worker_threads, unref()'d: they never keep the
 * process alive; `backend.nn.pool.dispose()` stops them), or a browser page that is
 * cross-origin isolated (COOP/COEP headers) and allows blob: workers. A browser's main thread
 * may not block, so there it spin-waits for the workers; running tfjs inside a Web Worker
 * avoids that. `backend.nn.threads` is the number in use; `backend.nn.pool.active = 1` runs
 * on one thread again (for measuring scaling).
 *
 * SIMD build (`simd`, see {@link InitOptions.simd}): by default the relaxed-SIMD build (fused
 * multiply-adds) where the engine has relaxed SIMD, else the plain SIMD build;
 * `backend.nn.simd` says which loaded. The first init() decides it too.
 */
export async function init(options: InitOptions = {}): Promise<WmoeBackend> {
  checkOptions(options);
  const t = options.threads === 'auto' ? await autoThreads() : options.threads;
  if (t !== undefined && loadedThreads !== undefined && t !== loadedThreads) {
    throw new InputError(`init: threads ${t} asked for, but backend wmoe was already loaded with threads ${loadedThreads}`);
  }
  const simd = simdBuildFor(options.simd);
  if (options.simd !== undefined && options.simd !== 'auto' && loadedSimd !== undefined && simd !== loadedSimd) {
    throw new InputError(`init: simd '${simd}' asked for, but backend wmoe was already loaded with the ${loadedSimd} build`);
  }
  loadedThreads ??= t ?? 1;
  loadedSimd ??= simd;
  const threads = loadedThreads;
  const build = loadedSimd;
  loaded ??= (async () => {
    const nn = await loadNn(options, threads, build);
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
