// A pool of worker threads that run exports of one WASM module over one shared memory, driven
// synchronously from the main thread (tfjs kernels are synchronous): the main thread posts a
// job (one export over `chunks` chunks of independent work, see worker_source.ts), wakes the
// workers (Atomics.store + Atomics.notify), takes chunks itself until none are left, then waits
// for the workers still inside the job (Atomics.wait where the agent may block — Node's main
// thread, any worker — else a spin on Atomics.load, as a browser's main thread must). Chunks
// are claimed dynamically, so a worker the OS schedules late only means fewer chunks for it.
// Workers start asynchronously (in init()); Node's are unref()'d, so they never keep a process
// alive; dispose() stops them. The host seam (Node worker_threads / Web Workers) is WorkerHost.
import {
  ACTIVE, ARGS_OFFSET, CHUNKS, CLOSED, COUNT_ALSO, COUNT_INDEX, COUNT_PER, COUNT_TOTAL, ERR, ERRLEN, EXIT, JOB_BYTES, JOINED,
  MAX_ARGS, MSG_CHARS, MSG_OFFSET, NARGS, NEXT, NODE_WORKER_SOURCE, OP, SEATS, SEQ, STRIDES_OFFSET, WEB_WORKER_SOURCE,
  WORKER_CHUNKS,
} from './worker_source.js';
import { canBlock } from './thread_support.js';

/** What a worker needs to start: the compiled module, the shared memory, the job block and its scratch. */
export interface WorkerSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The job block (worker_source.ts). */
  control: SharedArrayBuffer;
  /** Byte address in `memory` of this worker's GEMM edge scratch (gemmSetScratch). */
  scratch: number;
  /** Export names, indexed by the OP of a job. */
  names: string[];
  /** Atomics.load polls of SEQ before the worker sleeps in Atomics.wait. */
  spin: number;
}

/**
 * One call of an export split into chunks: chunk i (0 … chunks − 1) gets the arguments
 * base[j] + i·stride[j], except argument countIndex (and countAlso, if given), which gets
 * min(per, total − i·per).
 */
export interface ChunkedJob {
  base: number[];
  stride: number[];
  countIndex: number;
  /** A second argument that gets the chunk's count too (binary's pattern length for same-shape operands). */
  countAlso?: number;
  total: number;
  per: number;
  chunks: number;
}

/** The arguments of chunk `i` of `job` (what every thread computes). */
export function chunkArgs(job: ChunkedJob, i: number): number[] {
  const args = job.base.map((b, j) => b + i * job.stride[j]);
  args[job.countIndex] = Math.min(job.per, job.total - i * job.per);
  if (job.countAlso !== undefined) args[job.countAlso] = args[job.countIndex]!;
  return args;
}

/** A started worker. */
export interface WorkerHandle {
  terminate(): void;
}

/** Starts workers on one platform: resolves once the worker has instantiated the module and reported ready. */
export type WorkerHost = (setup: WorkerSetup) => Promise<WorkerHandle>;

function readyOrError(on: (f: (m: unknown) => void) => void, onError: (f: (e: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    on((m) => {
      if (m === 'ready') resolve();
      else reject(new Error(`wireless-moe: WASM worker failed to start: ${(m as { error?: string }).error ?? String(m)}`));
    });
    onError((e) => reject(new Error(`wireless-moe: WASM worker failed to start: ${(e as Error)?.message ?? String(e)}`)));
  });
}

/** Node host: worker_threads from source text, unref()'d so that it never holds the process open. */
export const nodeWorkerHost: WorkerHost = async (setup) => {
  const specifier = 'node:worker_threads';
  const { Worker } = (await import(/* @vite-ignore */ specifier)) as typeof import('node:worker_threads');
  const worker = new Worker(NODE_WORKER_SOURCE, { eval: true });
  worker.unref();
  const ready = readyOrError((f) => worker.once('message', f), (f) => worker.once('error', f));
  worker.postMessage(setup);
  try {
    await ready;
  } catch (e) {
    void worker.terminate();
    throw e;
  }
  return { terminate: () => void worker.terminate() };
};

/**
 * Browser host: a classic Web Worker from a Blob URL of the worker source (no file to serve,
 * any bundler). Needs a cross-origin isolated page (COOP/COEP) for the shared memory, and a
 * Content-Security-Policy that allows blob: workers.
 */
export const webWorkerHost: WorkerHost = async (setup) => {
  const url = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(url);
  const ready = readyOrError(
    (f) => { worker.onmessage = (ev) => f(ev.data); },
    (f) => { worker.onerror = (ev) => f(new Error(ev.message)); },
  );
  worker.postMessage(setup);
  try {
    await ready;
  } catch (e) {
    worker.terminate();
    throw e;
  } finally {
    URL.revokeObjectURL(url);
  }
  worker.onmessage = null;
  return { terminate: () => worker.terminate() };
};

/**
 * Polls of a control word before a thread sleeps in Atomics.wait (a few tenths of a ms). Kernels
 * of a training step follow each other within a fraction of a millisecond, and waking a sleeping
 * worker costs more than that on a virtual machine: with 2 000 polls the worker started late and
 * ran 20–38 % of the chunks of a 2-thread conv, with 200 000 about half (bench/threads.mjs,
 * "worker share"); a ResNet-18 step on 2 threads went from 1.60× to 1.72× one thread in one
 * back-to-back comparison (rough: this machine's speed drifts by up to 30 % from run to run),
 * and the LeNet-5 step got faster at both thread counts. On a machine where other processes compete for the cores the polling worker takes their time
 * (under load 7, 100 000 polls made the LeNet-5 step 0.77× one thread): `init({ spin })` lowers it.
 */
export const DEFAULT_SPIN = 200_000;

/**
 * The workers of a threaded WASM module plus the main thread: `threads` in all. `run()` calls
 * one export over the chunks of a job on every active thread and returns when all are done.
 */
export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly base: Float64Array;
  private readonly stride: Float64Array;
  private readonly msg: Uint16Array;
  private readonly ops: Map<string, number>;
  private readonly blocking = canBlock();
  private workers: WorkerHandle[];
  private used: number;

  private constructor(private readonly local: Record<string, unknown>, control: SharedArrayBuffer, workers: WorkerHandle[], names: string[],
    private readonly spin: number) {
    this.workers = workers;
    this.used = workers.length + 1;
    this.ops = new Map(names.map((n, i) => [n, i]));
    this.ctl = new Int32Array(control, 0, ARGS_OFFSET / 4);
    this.base = new Float64Array(control, ARGS_OFFSET, MAX_ARGS);
    this.stride = new Float64Array(control, STRIDES_OFFSET, MAX_ARGS);
    this.msg = new Uint16Array(control, MSG_OFFSET, MSG_CHARS);
    this.ctl[NEXT] = CLOSED;
  }

  /**
   * Starts `threads − 1` workers over `memory`, each instantiating `module` (whose exports on
   * this thread are `local`) with its edge scratch at `scratch(i)`. If any worker fails to
   * start, the others are terminated and the error is thrown.
   */
  static async start(options: {
    threads: number; module: WebAssembly.Module; memory: WebAssembly.Memory; local: Record<string, unknown>;
    names: string[]; scratch: (worker: number) => number; host: WorkerHost; spin?: number;
  }): Promise<ThreadPool> {
    const control = new SharedArrayBuffer(JOB_BYTES);
    const spin = options.spin ?? DEFAULT_SPIN;
    const started = await Promise.allSettled(
      Array.from({ length: options.threads - 1 }, (_, i) => options.host({
        module: options.module, memory: options.memory, control, scratch: options.scratch(i),
        names: options.names, spin,
      })),
    );
    const failed = started.find((r) => r.status === 'rejected');
    if (failed !== undefined) {
      for (const r of started) if (r.status === 'fulfilled') r.value.terminate();
      throw (failed as PromiseRejectedResult).reason;
    }
    const workers = started.map((r) => (r as PromiseFulfilledResult<WorkerHandle>).value);
    return new ThreadPool(options.local, control, workers, options.names, spin);
  }

  /** Threads started (workers + this one); 1 after dispose(). */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Threads that run a job (1 … threads; default all), a hard limit: at most active − 1 workers
   * join each job (they take seats, see worker_source.ts), however many are awake. Set it to 1
   * to measure scaling. Values above `threads` are kept and mean all threads.
   */
  get active(): number {
    return Math.min(this.used, this.threads);
  }
  set active(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`wireless-moe: active threads must be an integer >= 1, got ${n}`);
    this.used = n;
  }

  /** Chunks run on worker threads so far (a diagnostic for benches and tests). */
  get workerChunks(): number {
    return Atomics.load(this.ctl, WORKER_CHUNKS);
  }
  /** Chunks of the jobs run on more than one thread so far, on any thread (a diagnostic). */
  totalChunks = 0;
  /** Jobs run on more than one thread so far (a diagnostic). */
  splitJobs = 0;
  /** Workers that ran at least one chunk of the last job (0 when it ran on this thread alone; a diagnostic). */
  lastJobWorkers = 0;

  /**
   * Runs export `name` over every chunk of `job`, on this thread and the workers at once;
   * returns when every chunk is done, or throws the first error (once no worker still runs).
   * With one active thread it runs the chunks here, in order.
   */
  run(name: string, job: ChunkedJob): void {
    const op = this.ops.get(name);
    if (op === undefined) throw new Error(`wireless-moe: '${name}' is not an export the pool's workers run`);
    const n = job.base.length;
    if (n > MAX_ARGS || job.stride.length !== n) throw new Error(`wireless-moe: a job takes at most ${MAX_ARGS} arguments and one stride each`);
    const f = this.local[name] as (...args: number[]) => void;
    if (this.active < 2 || job.chunks < 2) {
      this.lastJobWorkers = 0;
      for (let i = 0; i < job.chunks; i++) f(...chunkArgs(job, i));
      return;
    }
    const ctl = this.ctl;
    for (let j = 0; j < n; j++) {
      this.base[j] = job.base[j];
      this.stride[j] = job.stride[j];
    }
    ctl[OP] = op;
    ctl[NARGS] = n;
    ctl[COUNT_INDEX] = job.countIndex;
    ctl[COUNT_ALSO] = job.countAlso ?? -1;
    ctl[COUNT_TOTAL] = job.total;
    ctl[COUNT_PER] = job.per;
    ctl[ERR] = 0;
    this.totalChunks += job.chunks;
    this.splitJobs++;
    Atomics.store(ctl, JOINED, 0);
    Atomics.store(ctl, CHUNKS, job.chunks);
    Atomics.store(ctl, NEXT, 0);
    Atomics.store(ctl, SEATS, this.active - 1);
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ, this.active - 1);
    let error: unknown;
    try {
      for (let i = Atomics.add(ctl, NEXT, 1); i < job.chunks; i = Atomics.add(ctl, NEXT, 1)) f(...chunkArgs(job, i));
    } catch (e) {
      error = e;
    }
    Atomics.store(ctl, NEXT, CLOSED);
    Atomics.store(ctl, SEATS, 0);
    this.waitIdle();
    this.lastJobWorkers = Atomics.load(ctl, JOINED);
    if (error === undefined && Atomics.load(ctl, ERR) !== 0) {
      const text = String.fromCharCode(...this.msg.subarray(0, Atomics.load(ctl, ERRLEN)));
      error = new Error(`wireless-moe: '${name}' failed on a worker thread: ${text}`);
    }
    if (error !== undefined) throw error;
  }

  /** Waits until no worker is inside a job. */
  private waitIdle(): void {
    const ctl = this.ctl;
    for (let i = 0; i < this.spin; i++) if (Atomics.load(ctl, ACTIVE) === 0) return;
    for (;;) {
      const active = Atomics.load(ctl, ACTIVE);
      if (active === 0) return;
      if (this.blocking) Atomics.wait(ctl, ACTIVE, active, 1000);
    }
  }

  /** Stops the workers (they leave their loop, then are terminated); kernels then run on one thread. */
  dispose(): void {
    if (this.workers.length === 0) return;
    Atomics.store(this.ctl, EXIT, 1);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}
