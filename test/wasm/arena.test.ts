// The scratch allocators of the kernels' calls: HeapArena (a call's blocks inside a LinearHeap
// shared with tensors) chains blocks and merges them at reset, never points into freed memory
// after an out-of-memory error, and both arenas keep their addresses right past 2 GiB.
import { describe, expect, test } from 'vitest';
import { HeapArena, WasmArena } from '../../src/wasm/arena.js';
import { WasmMemoryError } from '../../src/errors.js';
import type { WmoeBackend } from '../../src/backend/backend.js';
import type { LinearHeap } from '../../src/wasm/heap.js';
import { init, tf } from '../../src/backend/init.js';
import { FusedAdam } from '../../src/train/adam.js';
import { cappedBackend, heapOf, removeCappedBackend } from '../helpers/memory.js';
import { randomValues } from '../helpers/tf.js';

const PAGE = 65536;
const MIB = 2 ** 20;

/** [start, end) spans of heap blocks or arena allocations; throws unless pairwise disjoint. */
function expectDisjoint(spans: (readonly [number, number])[]): void {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  for (let j = 1; j < sorted.length; j++) expect(sorted[j]![0]).toBeGreaterThanOrEqual(sorted[j - 1]![1]);
}

describe('HeapArena', () => {
  test('a call that outgrows its block chains a new one; reset then keeps one block that fits the whole call', () => {
    const heap = heapOf(1, 1024);
    const arena = new HeapArena(heap.memory, heap);
    const call = () => {
      arena.reset();
      const ptrs = [arena.alloc(PAGE * 10), arena.alloc(PAGE * 20), arena.alloc(PAGE * 5)];
      const bytes = [PAGE * 10, PAGE * 20, PAGE * 5];
      // The call's own blocks never overlap.
      const spans = ptrs.map((p, i) => [p, p + bytes[i]!] as const).sort((a, b) => a[0] - b[0]);
      for (let j = 1; j < spans.length; j++) expect(spans[j]![0]).toBeGreaterThanOrEqual(spans[j - 1]![1]);
      return ptrs;
    };
    call();
    arena.reset();
    const settled = heap.inUseBytes;
    expect(settled).toBe(PAGE * 35);
    const second = call();
    expect(second[1]).toBe(second[0]! + PAGE * 10); // one block now: contiguous
    expect(heap.inUseBytes).toBe(settled);
    const size = heap.memory.buffer.byteLength;
    for (let i = 0; i < 5; i++) call();
    expect(heap.memory.buffer.byteLength).toBe(size);
  });

  test('reserve takes a block for good; the scratch block and other heap blocks never overlap it', () => {
    const heap = heapOf(1, 64);
    const arena = new HeapArena(heap.memory, heap);
    const r = arena.reserve(128);
    arena.reset();
    const s = arena.alloc(1000); // the start of the arena's block
    const other = heap.alloc(1000);
    arena.reset();
    const spans = [r, s, other].map((p) => [p, p + heap.sizeOf(p)!] as const).sort((a, b) => a[0] - b[0]);
    for (let j = 1; j < spans.length; j++) expect(spans[j]![0]).toBeGreaterThanOrEqual(spans[j - 1]![1]);
    expect(heap.sizeOf(r)).toBe(128);
  });

  test('reset after memory ran out leaves no block pointing into freed memory', () => {
    // 4 MiB of memory: arena block A (1 MiB), a tensor's block, arena block B (2 MiB). Merging
    // A and B at reset needs 2.5 MiB in one piece, which the heap cannot give.
    const heap = heapOf(1, 64, 1000);
    const arena = new HeapArena(heap.memory, heap);
    arena.reset();
    arena.alloc(MIB);
    const tensor = heap.alloc(0.75 * MIB);
    arena.alloc(1.5 * MIB);
    try {
      arena.reset();
    } catch (e) {
      expect(e).toBeInstanceOf(WasmMemoryError); // a user who catches it and retries smaller
    }
    const next = heap.alloc(1.5 * MIB); // the next tensor: where B was
    const scratch = arena.alloc(MIB); // the next kernel's scratch
    const live = [tensor, next].map((p) => [p, p + heap.sizeOf(p)!] as const);
    expectDisjoint([...live, [scratch, scratch + MIB]]);
    // The scratch lies inside a live heap block (the arena's own).
    expect(heap.inUseBytes).toBe(heap.sizeOf(tensor)! + heap.sizeOf(next)! + MIB);
    arena.reset();
    expect(arena.alloc(MIB)).toBe(scratch);
  });

  test('a request of 2 GiB or more gets a block that large', () => {
    const heap = heapOf(1, 2 ** 15 + 64, 1000);
    const arena = new HeapArena(heap.memory, heap);
    arena.reset();
    const p = arena.alloc(2 ** 31);
    expect(heap.sizeOf(p)).toBeGreaterThanOrEqual(2 ** 31);
    expect(heap.memory.buffer.byteLength).toBeGreaterThanOrEqual(p + 2 ** 31);
    const size = heap.memory.buffer.byteLength;
    arena.reset();
    expect(arena.alloc(2 ** 31 - 100)).toBe(p); // the same block again, memory unchanged
    expect(heap.memory.buffer.byteLength).toBe(size);
  });
});

describe('WasmArena', () => {
  test('past 2 GiB: addresses stay positive and aligned, and memory grows to hold them', () => {
    const memory = new WebAssembly.Memory({ initial: 2 ** 15 - 1, maximum: 2 ** 15 + 64 });
    const arena = new WasmArena(memory, 2 ** 31 - PAGE - 1000);
    const a = arena.alloc(3 * MIB);
    expect(a % 64).toBe(0);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(a + 3 * MIB);
    const b = arena.alloc(100);
    expect(b).toBe(a + 3 * MIB);
    arena.f32(b, 25).fill(7); // inside memory
    expect(arena.f32(b, 25)[24]).toBe(7);
  });

  test('past its maximum near 2 GiB: a WasmMemoryError, not a negative address', () => {
    const memory = new WebAssembly.Memory({ initial: 2 ** 15 - 1, maximum: 2 ** 15 + 16 });
    const arena = new WasmArena(memory, 2 ** 31 - PAGE, (2 ** 15 + 16) * PAGE);
    expect(() => arena.alloc(2 * MIB)).toThrow(WasmMemoryError);
    expect(arena.alloc(64)).toBe(2 ** 31 - PAGE);
  });
});

describe('training after a caught out-of-memory error', () => {
  /** Two 3×3 conv layers (8 → 16 → 16 channels) with deterministic weights named after `tag`. */
  const weights = (tag: string) => [
    tf.variable(tf.tensor(randomValues(3 * 3 * 8 * 16, 1).map((v) => v * 0.2), [3, 3, 8, 16]), true, `${tag}/w1`),
    tf.variable(tf.tensor(randomValues(3 * 3 * 16 * 16, 2).map((v) => v * 0.2), [3, 3, 16, 16]), true, `${tag}/w2`),
  ];
  /** One Adam step on a [batch, 16, 16, 8] input batch (seeded by step). */
  function step(opt: FusedAdam, w: tf.Variable[], batch: number, seed: number): void {
    const x = tf.tensor(randomValues(batch * 16 * 16 * 8, seed), [batch, 16, 16, 8]) as tf.Tensor4D;
    const loss = opt.minimize(() => {
      const h = tf.relu(tf.conv2d(x, w[0] as tf.Variable<tf.Rank.R4>, 1, 'same'));
      return tf.mean(tf.square(tf.conv2d(h, w[1] as tf.Variable<tf.Rank.R4>, 1, 'same')));
    }, true, w);
    tf.dispose([x, loss!]);
  }
  /** Weights after `steps` steps at batch 8 on a fresh backend capped at `pages`, after `before` (which may throw). */
  async function train(
    name: string, pages: number, before: (opt: FusedAdam, w: tf.Variable[], b: WmoeBackend) => void,
  ): Promise<Float32Array[]> {
    const backend = await cappedBackend(name, pages);
    await tf.setBackend(name);
    const w = weights(name);
    const opt = new FusedAdam(0.01);
    try {
      before(opt, w, backend);
      for (let s = 0; s < 3; s++) step(opt, w, 8, 10 + s);
      return w.map((v) => v.dataSync().slice() as Float32Array);
    } finally {
      opt.dispose();
      tf.dispose(w);
      await tf.setBackend('cpu');
      removeCappedBackend(name);
    }
  }

  test('a smaller batch then trains bit-identically to a fresh backend', async () => {
    await init({ threads: 2, setBackend: false });
    const fresh = await train('wmoe-fresh', 256, () => {});
    const errors: unknown[] = [];
    const retried = await train('wmoe-retry', 256, (opt, w, backend) => {
      // As a kernel call whose scratch chained two blocks around a tensor's block, with the
      // rest of memory taken: the next reset cannot merge the two.
      const { arena, heap } = backend.nn as { arena: HeapArena; heap: LinearHeap };
      arena.reset();
      arena.alloc(MIB);
      const between = heap.alloc(0.75 * MIB);
      arena.alloc(1.5 * MIB);
      const filler = heap.alloc(heap.maxBytes! - heap.memory.buffer.byteLength - 2 * PAGE);
      try {
        step(opt, w, 64, 9); // ~36 MiB at batch 64: does not fit 16 MiB anyway
      } catch (e) {
        errors.push(e);
      }
      heap.free(filler);
      heap.alloc(MIB); // kept, as is `between`: the smallest free block fits it, so tensors go where the arena's blocks were
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(WasmMemoryError);
    expect(retried.map((v) => Buffer.from(v.buffer))).toEqual(fresh.map((v) => Buffer.from(v.buffer)));
  });
});
