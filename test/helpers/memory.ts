// Fixtures for tests of out-of-memory paths: forcing a kernel's allocations to fail, and a
// backend whose WASM memory is capped small.
import { tf } from '../../src/backend/init.js';
import { WmoeBackend } from '../../src/backend/backend.js';
import type { NnExports } from '../../src/kernels/nn_exports.js';
import { loadWasmThreaded } from '../../src/wasm/threaded_module.js';
import nnThreadedWasm from '../../src/wasm/generated/nn_mt.js';
import { WasmMemoryError } from '../../src/errors.js';
import { LinearHeap } from '../../src/wasm/heap.js';

/** A LinearHeap from `base` over a new shared memory of `initialPages`, growable to `maxPages` 64 KiB pages. */
export function heapOf(initialPages: number, maxPages: number, base = 1000): LinearHeap {
  const memory = new WebAssembly.Memory({ initial: initialPages, maximum: maxPages, shared: true });
  return new LinearHeap(memory, base, maxPages * 65536);
}

/**
 * Runs `f` with every arena allocation made after an output was taken failing as out of memory;
 * returns what `f` threw and how many outputs were taken.
 */
export function failingAfterTake(b: WmoeBackend, f: () => unknown): { error: unknown; takes: number } {
  const arena = b.nn.arena;
  const outputs = b.outputs;
  const alloc = arena.alloc;
  const take = outputs.take;
  let takes = 0;
  outputs.take = function (this: typeof outputs, length: number) {
    takes++;
    return take.call(this, length);
  };
  arena.alloc = function (this: typeof arena, bytes: number) {
    if (takes > 0) throw new WasmMemoryError('forced', bytes, 0);
    return alloc.call(this, bytes);
  };
  try {
    f();
    return { error: undefined, takes };
  } catch (e) {
    return { error: e, takes };
  } finally {
    arena.alloc = alloc;
    outputs.take = take;
  }
}

/**
 * A backend `name` like wmoe with threads, on its own threaded nn module whose memory may grow to
 * `maxPages` 64 KiB pages only (the kernels are wmoe's: call init first). Dispose with
 * {@link removeCappedBackend}.
 */
export async function cappedBackend(name: string, maxPages: number, threads = 2): Promise<WmoeBackend> {
  const nn = await loadWasmThreaded<NnExports>('nn', nnThreadedWasm, { threads, maxPages });
  const backend = new WmoeBackend(nn);
  for (const k of tf.getKernelsForBackend('wmoe')) tf.registerKernel({ ...k, backendName: name });
  tf.registerBackend(name, () => backend, 0);
  return backend;
}

/** Stops the workers of a backend made by {@link cappedBackend} and unregisters it. */
export function removeCappedBackend(name: string): void {
  const backend = tf.findBackend(name) as WmoeBackend | null;
  backend?.nn.pool?.dispose();
  for (const k of tf.getKernelsForBackend(name)) tf.unregisterKernel(k.kernelName, name);
  tf.removeBackend(name);
}
