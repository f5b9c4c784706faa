// LinearHeap (blocks of a linear memory, any order of alloc and free): no two live blocks
// overlap, free blocks merge and are reused, memory grows only when nothing free fits, and a
// failed growth changes nothing. (HeapArena, a kernel call's scratch inside it: arena.test.ts.)
// MemoryBuffer: the memory's buffer, cached, so that small kernels do not read memory.buffer
// (slow for a shared memory) on every call, and read anew after the memory grew.
import { describe, expect, test } from 'vitest';
import { heapOf } from '../helpers/memory.js';
import { WasmMemoryError } from '../../src/errors.js';
import { MemoryBuffer, growMemoryTo } from '../../src/wasm/heap.js';
import { init, tf } from '../../src/backend/init.js';

const PAGE = 65536;

/** Deterministic integers in [0, n) (an LCG; the test needs variety, not quality). */
function counter(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

describe('LinearHeap', () => {
  test('random allocs and frees: aligned, inside memory, never overlapping; freeing all leaves one free run', () => {
    const heap = heapOf(1, 4096);
    const next = counter(7);
    const live = new Map<number, number>(); // ptr → bytes asked
    for (let i = 0; i < 3000; i++) {
      if (live.size > 0 && next(3) === 0) {
        const ptrs = [...live.keys()];
        const ptr = ptrs[next(ptrs.length)]!;
        heap.free(ptr);
        live.delete(ptr);
      } else {
        const bytes = 1 + next(next(2) === 0 ? 300_000 : 5000);
        const ptr = heap.alloc(bytes);
        expect(ptr % 64).toBe(0);
        expect(ptr).toBeGreaterThanOrEqual(1000);
        expect(ptr + bytes).toBeLessThanOrEqual(heap.memory.buffer.byteLength);
        expect(heap.sizeOf(ptr)).toBeGreaterThanOrEqual(bytes);
        live.set(ptr, bytes);
      }
      if (i % 250 === 0) {
        const spans = [...live].map(([p]) => [p, p + heap.sizeOf(p)!] as const).sort((a, b) => a[0] - b[0]);
        for (let j = 1; j < spans.length; j++) expect(spans[j]![0]).toBeGreaterThanOrEqual(spans[j - 1]![1]);
      }
    }
    let inUse = 0;
    for (const p of live.keys()) inUse += heap.sizeOf(p)!;
    expect(heap.inUseBytes).toBe(inUse);
    for (const p of live.keys()) heap.free(p);
    expect(heap.inUseBytes).toBe(0);
    expect(heap.holeStats.count).toBe(1);
    // Everything merged back: the next block starts at the (aligned) base again.
    expect(heap.alloc(10)).toBe(1024);
  });

  test('a freed block is reused before memory grows', () => {
    const heap = heapOf(1, 64);
    const a = heap.alloc(3 * PAGE);
    heap.alloc(100);
    const size = heap.memory.buffer.byteLength;
    heap.free(a);
    expect(heap.alloc(2 * PAGE)).toBe(a); // best fit: the freed block
    expect(heap.alloc(PAGE / 2)).toBe(a + 2 * PAGE); // the rest of it
    expect(heap.memory.buffer.byteLength).toBe(size);
  });

  test('a free block at the top is extended rather than left behind', () => {
    const heap = heapOf(1, 64);
    heap.alloc(100);
    const top = heap.alloc(PAGE);
    heap.free(top);
    expect(heap.alloc(5 * PAGE)).toBe(top);
  });

  test('past the maximum: a WasmMemoryError naming the sizes, and the heap unchanged', () => {
    const heap = heapOf(1, 16);
    const a = heap.alloc(8 * PAGE);
    heap.free(a);
    const before = { ...heap.holeStats, inUse: heap.inUseBytes };
    let error: unknown;
    try {
      heap.alloc(20 * PAGE);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WasmMemoryError);
    expect((error as Error).message).toMatch(/out of WASM memory: a kernel needs 1\.\d MiB .* \(maximum 1\.0 MiB\); use smaller batches/);
    expect({ ...heap.holeStats, inUse: heap.inUseBytes }).toEqual(before);
    expect(heap.alloc(8 * PAGE)).toBe(a);
  });

  test("when the engine refuses to grow below the maximum, the error's figures are what it granted", () => {
    // A memory whose engine refuses any growth (as one short of address space would), though its
    // declared maximum is 4 GiB.
    const real = new WebAssembly.Memory({ initial: 2, maximum: 16 });
    const memory = { buffer: real.buffer, grow: () => { throw new RangeError('refused'); } } as unknown as WebAssembly.Memory;
    let error: WasmMemoryError | undefined;
    try {
      growMemoryTo(memory, 5 * PAGE + 100, 4 * 2 ** 30);
    } catch (e) {
      error = e as WasmMemoryError;
    }
    expect(error).toBeInstanceOf(WasmMemoryError);
    expect(error!.haveBytes).toBe(2 * PAGE);
    expect(error!.neededBytes).toBe(5 * PAGE + 100);
    expect(error!.shortBytes).toBe(3 * PAGE + 100);
  });

  test('freeing an address that is not a live block throws', () => {
    const heap = heapOf(1, 16);
    const a = heap.alloc(64);
    expect(() => heap.free(a + 64)).toThrow(/heap free of \d+, which is not a live block/);
    heap.free(a);
    expect(() => heap.free(a)).toThrow(/not a live block/);
  });
});

/** Counts reads of `memory.buffer` while `f` runs. */
function bufferReads(memory: WebAssembly.Memory, f: () => void): number {
  const getter = Object.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, 'buffer')!.get!;
  let reads = 0;
  Object.defineProperty(memory, 'buffer', { configurable: true, get: () => (reads++, getter.call(memory)) });
  try {
    f();
  } finally {
    delete (memory as { buffer?: unknown }).buffer;
  }
  return reads;
}

describe('MemoryBuffer', () => {
  test.each([true, false])('shared %s: views stay right after the memory grows', (shared) => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 8, shared });
    const cache = new MemoryBuffer(memory);
    new Float32Array(cache.covering(16), 0, 4).set([1, 2, 3, 4]);
    cache.grow(3 * PAGE);
    expect(memory.buffer.byteLength).toBe(3 * PAGE);
    const far = new Float32Array(cache.covering(3 * PAGE), 2 * PAGE, 2); // past the old buffer's end
    far.set([5, 6]);
    expect(Array.from(cache.f32(16).subarray(0, 4))).toEqual([1, 2, 3, 4]);
    expect(cache.f32(3 * PAGE)[(2 * PAGE) / 4 + 1]).toBe(6);
    // Grown by someone else (memory.grow directly): the cache reads the buffer anew when asked for the new bytes.
    memory.grow(1);
    expect(cache.covering(4 * PAGE).byteLength).toBe(4 * PAGE);
    expect(cache.i32(4 * PAGE).length).toBe(PAGE);
  });

  test('kernel calls on backend wmoe do not read memory.buffer once warmed up', async () => {
    const backend = await init({ threads: 2, setBackend: false });
    await tf.setBackend('wmoe');
    const x = tf.tensor2d(Float32Array.from({ length: 64 }, (_, i) => i - 32), [8, 8]);
    const big = tf.tensor2d(Float32Array.from({ length: 4096 }, (_, i) => i % 7), [64, 64]);
    const ops = () => tf.tidy(() => [tf.sum(tf.relu(tf.add(x, x))), tf.matMul(tf.relu(big), big)].forEach((t) => t.dataSync()));
    // Warm-up: memory grows to what the calls need, and `big`, a matmul weight used twice, gets its
    // packing cached (src/kernels/packed_b_cache.ts).
    ops();
    ops();
    expect(bufferReads(backend.nn.arena.memory, () => { for (let i = 0; i < 10; i++) ops(); })).toBe(0);
    tf.dispose([x, big]);
  });
});
