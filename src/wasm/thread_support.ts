/**
 * Whether this JavaScript engine can run the threaded WASM kernels: a shared WebAssembly.Memory
 * (SharedArrayBuffer), Atomics, workers (worker_threads in Node, Web Workers in browsers) and,
 * in a browser, cross-origin isolation (COOP/COEP headers), without which browsers hide
 * SharedArrayBuffer.
 */
export interface ThreadSupport {
  /** True when init({ threads: N > 1 }) can start workers. */
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
  if (typeof env.SharedArrayBuffer !== 'function') {
    const hint = env.crossOriginIsolated === false ? ' (the page is not cross-origin isolated: serve it with COOP/COEP headers)' : '';
    return { ok: false, reason: `no SharedArrayBuffer${hint}` };
  }
  if (typeof env.Atomics !== 'object' || env.Atomics === null) return { ok: false, reason: 'no Atomics' };
  if (isNode(env)) return { ok: true, host: 'node' };
  if (env.crossOriginIsolated === false) {
    return { ok: false, reason: 'the page is not cross-origin isolated (serve it with COOP/COEP headers)' };
  }
  if (typeof env.Worker !== 'function') return { ok: false, reason: 'no Web Workers' };
  try {
    new (env.WebAssembly as typeof WebAssembly).Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return { ok: false, reason: 'no shared WebAssembly.Memory' };
  }
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
