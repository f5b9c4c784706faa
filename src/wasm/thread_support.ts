/**
 * Whether this JavaScript engine can run the threaded WASM kernels: a shared WebAssembly.Memory
 * (SharedArrayBuffer), Atomics, workers (worker_threads in Node, Web Workers in browsers) and,
 * in a browser, cross-origin isolation (COOP/COEP headers), without which browsers hide
 * SharedArrayBuffer.
 */
export interface ThreadSupport {
  /** True when init({ threads: N > 1 }) can start workers (sharedMemorySupport: when the shared-memory build can load). */
  ok: boolean;
  /** Why not, when ok is false (one line). */
  reason?: string;
  /** 'node' (worker_threads) or 'web' (Web Workers). */
  host?: 'node' | 'web';
}

/** The globals that {@link threadSupport} reads; a parameter so that tests can take some away. */
export interface ThreadGlobals {
  SharedArrayBuffer?: unknown;
  Atomics?: unknown;
  WebAssembly?: unknown;
  Worker?: unknown;
  crossOriginIsolated?: unknown;
  process?: unknown;
}

/** True when running under Node (worker_threads available through a dynamic import). */
export function isNode(env: ThreadGlobals = globalThis as ThreadGlobals): boolean {
  const p = env.process as { versions?: { node?: string } } | undefined;
  return typeof p === 'object' && p !== null && typeof p.versions?.node === 'string';
}

/** Checks what the threaded kernels need, in `env` (default: this realm's globals). */
export function threadSupport(env: ThreadGlobals = globalThis as ThreadGlobals): ThreadSupport {
  const shared = sharedMemorySupport(env);
  if (!shared.ok) return shared;
  if (isNode(env)) return { ok: true, host: 'node' };
  if (env.crossOriginIsolated === false) {
    return { ok: false, reason: 'the page is not cross-origin isolated (serve it with COOP/COEP headers)' };
  }
  if (typeof env.Worker !== 'function') return { ok: false, reason: 'no Web Workers' };
  return { ok: true, host: 'web' };
}

/**
 * True when this agent may block in Atomics.wait (Node's main thread, any worker); false on a
 * browser's main thread, where waiting must spin on Atomics.load instead.
 */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the engine can hold tensors in a shared WebAssembly.Memory (the shared-memory build
 * run on the calling thread alone, init's default when possible): SharedArrayBuffer, Atomics and
 * a shared WebAssembly.Memory, but no workers. Its `reason` says what is missing.
 */
export function sharedMemorySupport(env: ThreadGlobals = globalThis as ThreadGlobals): ThreadSupport {
  if (typeof env.SharedArrayBuffer !== 'function') {
    const hint = env.crossOriginIsolated === false ? ' (the page is not cross-origin isolated: serve it with COOP/COEP headers)' : '';
    return { ok: false, reason: `no SharedArrayBuffer${hint}` };
  }
  if (typeof env.Atomics !== 'object' || env.Atomics === null) return { ok: false, reason: 'no Atomics' };
  try {
    new (env.WebAssembly as typeof WebAssembly).Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return { ok: false, reason: 'no shared WebAssembly.Memory' };
  }
  return { ok: true };
}

/** Largest thread count init() accepts. */
export const MAX_THREADS = 64;

/** `hardware` (a count of logical CPUs; anything not a positive integer counts as 1) clamped to 1 … MAX_THREADS. */
export function clampThreads(hardware: unknown): number {
  return typeof hardware === 'number' && Number.isInteger(hardware) && hardware >= 1 ? Math.min(hardware, MAX_THREADS) : 1;
}

/**
 * The thread count of `threads: 'auto'`: os.availableParallelism() in Node; in a browser,
 * navigator.hardwareConcurrency when the page is cross-origin isolated (else 1: workers could
 * not share memory); 1 when neither is known. Clamped to 1 … MAX_THREADS.
 */
export async function autoThreads(env: ThreadGlobals & { navigator?: unknown } = globalThis as ThreadGlobals): Promise<number> {
  if (isNode(env)) {
    const specifier = 'node:os';
    const os = (await import(/* @vite-ignore */ specifier)) as typeof import('node:os');
    return clampThreads(typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  }
  if (env.crossOriginIsolated !== true) return 1;
  return clampThreads((env.navigator as { hardwareConcurrency?: unknown } | undefined)?.hardwareConcurrency);
}
