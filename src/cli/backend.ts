import { availableParallelism } from 'node:os';
import { init, simdBuildFor, tf, type SimdChoice } from '../backend/init.js';
import type { WmoeBackend } from '../backend/backend.js';
import type { SimdBuild } from '../wasm/module.js';
import { InputError } from '../errors.js';
import { clampThreads } from '../wasm/thread_support.js';
import { parseIntFlag } from './args.js';

/** Backends the package itself provides; any other registered tfjs backend works too. */
export const BACKENDS = ['wmoe', 'cpu'] as const;
export type BackendName = string;

/** Packages that register a tfjs backend, by backend name (tried when it is not registered yet). */
const BACKEND_PACKAGES: Record<string, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgl: '@tensorflow/tfjs-backend-webgl',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
};

/** Checks a `--backend` value's spelling (it is resolved later by {@link useBackend}). */
export function parseBackend(text: string | undefined): BackendName {
  if (text === undefined) return 'wmoe';
  if (!/^[a-z][a-z0-9_-]*$/i.test(text)) throw new InputError(`--backend '${text}' is not a backend name`);
  return text;
}

/**
 * `--threads N|auto` (N in 1–64; default auto): threads of backend wmoe's kernels, main thread
 * included. auto is this machine's logical CPUs (os.availableParallelism(), at most 64) with
 * wmoe, and 1 with any other backend, which manages its own threads (so N > 1 with one is an
 * error). `hardware` is the CPU count that auto stands for (a parameter for tests).
 */
export function parseThreads(text: string | undefined, backend: BackendName, hardware = availableParallelism()): number {
  if (text === undefined || text.trim() === 'auto') return backend === 'wmoe' ? clampThreads(hardware) : 1;
  const threads = parseIntFlag('threads', text, 1, 1);
  if (threads > 1 && backend !== 'wmoe') throw new InputError(`--threads ${threads} applies to backend wmoe only, not '${backend}'`);
  return threads;
}

/**
 * `--spin N` (an integer ≥ 0; default: init's, 200 000 polls): how long an idle worker of
 * backend wmoe polls for the next kernel before it sleeps. Lower it (e.g. 2000) on a machine
 * where other processes compete for the cores. undefined when absent; an error with another backend.
 */
export function parseSpin(text: string | undefined, backend: BackendName): number | undefined {
  if (text === undefined) return undefined;
  const spin = parseIntFlag('spin', text, 0, 0);
  if (backend !== 'wmoe') throw new InputError(`--spin ${spin} applies to backend wmoe only, not '${backend}'`);
  return spin;
}

/** Values of `--simd`. */
const SIMD_CHOICES: readonly SimdChoice[] = ['auto', 'relaxed', 'plain'];
/** The `--simd` of this process's command line (taken by {@link takeSimdFlag}); undefined: auto. */
let simdFlag: SimdChoice | undefined;

/**
 * Removes `--simd auto|relaxed|plain` (or `--simd=VALUE`) from a command's arguments, wherever it
 * stands, and keeps the value for {@link useBackend}: which SIMD build of backend wmoe's kernels
 * to load (init's InitOptions.simd). The CLI entry calls it for every command. A missing or
 * unknown value is an InputError naming it.
 */
export function takeSimdFlag(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a !== '--simd' && !a.startsWith('--simd=')) {
      rest.push(a);
      continue;
    }
    const value = a === '--simd' ? argv[++i] : a.slice('--simd='.length);
    if (!SIMD_CHOICES.includes(value as SimdChoice)) throw new InputError(`--simd must be auto, relaxed or plain, got '${value ?? ''}'`);
    simdFlag = value as SimdChoice;
  }
  return rest;
}

/**
 * The SIMD build a resumed run must load: the one it `recorded` (runs from before the relaxed build
 * existed record none and ran the plain one). An InputError when this command line's --simd asks
 * for another, since the run would no longer be bit-identical to one that never stopped.
 */
export function resumeSimdBuild(recorded: unknown, where: string): SimdBuild {
  const build: SimdBuild = recorded === 'relaxed' ? 'relaxed' : 'plain';
  if (simdFlag !== undefined && simdFlag !== 'auto' && simdFlag !== build) {
    throw new InputError(`${where} ran on the ${build} SIMD build: it continues on that build only (bit-identical to a run that never stopped), not --simd ${simdFlag}`);
  }
  return build;
}

/** The SIMD build backend wmoe loads in this process with this command line's --simd (see init's InitOptions.simd). */
export function simdBuildOfFlag(): SimdBuild {
  return simdBuildFor(simdFlag ?? 'auto');
}

/** The SIMD build of backend wmoe's kernels if it is loaded (for run records), else undefined. */
export function loadedSimdBuild(): SimdBuild | undefined {
  return (tf.findBackend('wmoe') as unknown as WmoeBackend | null)?.nn.simd;
}

/**
 * Makes `name` the current tfjs backend: 'wmoe' loads the WASM module (with `threads` threads,
 * whose idle workers poll `spin` times before sleeping, see init's InitOptions; when the engine
 * cannot share memory it runs on one thread and says so on stderr); 'cpu' is built in; any
 * other name must be registered in the same @tensorflow/tfjs-core, or come from its package
 * (tensorflow → @tensorflow/tfjs-node, webgpu → @tensorflow/tfjs-backend-webgpu, …), which is
 * imported when installed. An unknown or unavailable backend is an InputError naming it, and so
 * is `--simd relaxed|plain` with another backend. wmoe loads the SIMD build of `--simd`
 * ({@link takeSimdFlag}; default auto), or `simd` when given (a resumed run: the build it started on).
 */
export async function useBackend(name: BackendName, threads = 1, spin?: number, simd: SimdChoice | undefined = simdFlag): Promise<void> {
  if (name === 'wmoe') {
    const backend = await init({ threads, spin, ...(simd !== undefined ? { simd } : {}) });
    const why = backend.nn.threadsUnavailable;
    if (threads > 1 && why) process.stderr.write(`wmoe: running on one thread: ${why}\n`);
    return;
  }
  if (simdFlag !== undefined && simdFlag !== 'auto') throw new InputError(`--simd ${simdFlag} applies to backend wmoe only, not '${name}'`);
  if (!tf.findBackendFactory(name) && BACKEND_PACKAGES[name]) {
    try {
      await import(BACKEND_PACKAGES[name]);
    } catch {
      // reported below
    }
  }
  if (!tf.findBackendFactory(name)) {
    const pkg = BACKEND_PACKAGES[name];
    throw new InputError(
      `backend '${name}' is not registered` + (pkg ? ` (npm install ${pkg} next to @tensorflow/tfjs-core)` : ` (known here: ${['wmoe', ...Object.keys(tf.engine().registryFactory).filter((b) => b !== 'wmoe')].join(', ')})`),
    );
  }
  if (!(await tf.setBackend(name))) throw new InputError(`backend '${name}' failed to initialise in this environment`);
}
