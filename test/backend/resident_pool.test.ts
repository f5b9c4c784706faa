// Tensors that live in WASM memory (backend wmoe with threads: ResidentPool): kernel outputs
// stay there and the next kernel reads them in place; values handed out, and tensors that
// would share a block, get JS copies that later kernels cannot overwrite; blocks are freed
// with their tensors, so a training loop's memory stays flat; Adam's moments live there too.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tf } from '../../src/backend/init.js';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { ResidentPool } from '../../src/backend/resident_pool.js';
import { FusedAdam } from '../../src/train/adam.js';
import { LinearHeap } from '../../src/wasm/heap.js';
import { rand } from '../helpers/tf.js';
import { failingAfterTake } from '../helpers/memory.js';
import { WasmMemoryError } from '../../src/errors.js';

let backend: WmoeBackend;

beforeAll(async () => {
  backend = await init({ threads: 2 });
});

/** The values array a tensor holds in the backend (no copy, no eviction). */
const held = (t: tf.Tensor) => backend.data.get(t.dataId).values as Float32Array;
const resident = (t: tf.Tensor) => backend.outputs.pointerOf(held(t)) !== undefined;
const pool = () => backend.outputs as ResidentPool;

describe('ResidentPool on backend wmoe with threads', () => {
  test('a kernel output lives in WASM memory and the next kernel reads it without a copy', () => {
    const x = rand([64, 256], 1);
    expect(resident(x)).toBe(false); // made from a JS array
    const y = tf.relu(x);
    expect(resident(y)).toBe(true);
    const arena = backend.nn.arena;
    const put = arena.put;
    let copied = 0;
    arena.put = function (this: typeof arena, data) {
      copied += data.byteLength;
      return put.call(this, data);
    };
    let z: tf.Tensor;
    try {
      z = tf.relu(y);
    } finally {
      arena.put = put;
    }
    expect(copied).toBe(0);
    expect(resident(z)).toBe(true);
    expect(Array.from(z.dataSync())).toEqual(Array.from(x.dataSync()).map((v) => Math.max(v, 0)));
    tf.dispose([x, y, z]);
  });

  test('dataSync hands out a JS copy; the block is freed and reusing it leaves the copy alone', () => {
    const y = tf.relu(rand([1000], 2));
    const bytes = pool().residentBytes;
    const out = y.dataSync() as Float32Array;
    expect(out.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(resident(y)).toBe(false); // the tensor now holds the copy
    expect(held(y)).toBe(out);
    expect(pool().residentBytes).toBeLessThan(bytes);
    const expected = out.slice();
    const others = Array.from({ length: 4 }, (_, i) => tf.relu(rand([1000], 10 + i)));
    expect(out).toEqual(expected);
    expect(y.dataSync()).toEqual(expected);
    tf.dispose([y, ...others]);
  });

  test('a slice viewing a resident tensor gets values of its own, which outlive the source', () => {
    const x = tf.relu(rand([8, 100], 3));
    const expected = tf.tidy(() => tf.slice(x, [2, 0], [3, 100]).arraySync());
    const s = tf.slice(x, [2, 0], [3, 100]); // cpu's Slice: a subarray of x's values when contiguous
    expect(held(s).buffer).not.toBe(held(x).buffer);
    x.dispose();
    const others = Array.from({ length: 4 }, (_, i) => tf.relu(rand([8, 100], 20 + i)));
    expect(s.arraySync()).toEqual(expected);
    tf.dispose([s, ...others]);
  });

  test('disposing frees blocks: repeated training steps keep the heap flat', () => {
    const w = tf.variable(rand([3, 3, 8, 16], 4));
    const x = rand([4, 12, 12, 8], 5);
    const opt = new FusedAdam(0.01);
    const step = () => {
      const loss = opt.minimize(() => tf.sum(tf.square(tf.relu(tf.conv2d(x, w, 1, 'same')))), true)!;
      loss.dispose();
    };
    step();
    step();
    const heap = backend.nn.heap!;
    const inUse = heap.inUseBytes;
    const bytes = pool().residentBytes;
    for (let i = 0; i < 5; i++) step();
    expect(heap.inUseBytes).toBe(inUse);
    expect(pool().residentBytes).toBe(bytes);
    expect(resident(w)).toBe(true); // Adam's new values stay in WASM memory
    const moments = 2 * w.size * 4;
    opt.dispose();
    expect(heap.inUseBytes).toBe(inUse - moments);
    tf.dispose([w, x]);
  });

  test("Adam's getWeights returns copies that the next step does not change", async () => {
    const w = tf.variable(rand([64], 6));
    const opt = new FusedAdam(0.1);
    const step = () => opt.minimize(() => tf.sum(tf.square(w)), false);
    step();
    const weights = await opt.getWeights();
    const before = weights.map((x) => x.tensor.dataSync().slice());
    step();
    weights.forEach((x, i) => expect(x.tensor.dataSync()).toEqual(before[i]));
    opt.dispose();
    tf.dispose([w, ...weights.map((x) => x.tensor)]);
  });

  test("an Adam step that throws after taking the new values' block gives it back", () => {
    const w = tf.variable(tf.relu(rand([4096], 7)), true, 'adam-oom');
    const opt = new FusedAdam(0.01);
    const grad = () => ({ 'adam-oom': rand([4096], 8) }); // a JS array: copied into the arena after the take
    const g0 = grad();
    opt.applyGradients(g0); // the moments now exist
    const heap = backend.nn.heap!;
    const before = heap.inUseBytes;
    const g1 = grad();
    const { error, takes } = failingAfterTake(backend, () => opt.applyGradients(g1));
    expect(takes).toBe(1);
    expect(error).toBeInstanceOf(WasmMemoryError);
    expect(heap.inUseBytes).toBe(before);
    opt.dispose();
    tf.dispose([w, g0['adam-oom'], g1['adam-oom']]);
  });

  test('beyond its cap, or when memory cannot grow, the pool hands out JS arrays', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const heap = new LinearHeap(memory, 1024, 4 * 65536);
    const small = new ResidentPool(heap, 4096);
    const a = small.take(512); // 2 KiB: resident, a view of its block
    const ptr = small.pointerOf(a)!;
    expect(heap.sizeOf(ptr)).toBe(2048);
    expect(a.buffer).toBe(memory.buffer);
    expect(a.byteOffset).toBe(ptr);
    expect(small.pointerOf(small.take(1024))).toBeUndefined(); // past the 4 KiB cap
    // No cap: only memory limits it. 400 kB is past the 256 KiB maximum, so the heap's alloc
    // throws, and the pool falls back to a JS array, changing nothing.
    const roomy = new ResidentPool(heap, 2 ** 40);
    const alloc = heap.alloc;
    let tried = 0;
    heap.alloc = function (this: LinearHeap, bytes: number) {
      tried++;
      return alloc.call(this, bytes);
    };
    const inUse = heap.inUseBytes;
    let big: Float32Array;
    try {
      big = roomy.take(100_000);
    } finally {
      heap.alloc = alloc;
    }
    expect(tried).toBe(1);
    expect(roomy.pointerOf(big)).toBeUndefined();
    expect(big.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(big.length).toBe(100_000);
    expect(heap.inUseBytes).toBe(inUse);
    expect(roomy.residentBytes).toBe(0);
    // Below the maximum, the same pool hands out resident blocks again.
    const c = roomy.take(1000);
    expect(roomy.pointerOf(c)).toBe(c.byteOffset);
    expect(roomy.pointerOf(c)).not.toBe(ptr);
    small.adopt(a);
    small.release(a);
    expect(small.residentBytes).toBe(0);
    expect(heap.sizeOf(ptr)).toBeUndefined();
  });
});
