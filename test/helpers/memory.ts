// Fixtures for tests of out-of-memory paths: forcing a kernel's allocations to fail.
import type { WmoeBackend } from '../../src/backend/backend.js';
import { WasmMemoryError } from '../../src/errors.js';

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
