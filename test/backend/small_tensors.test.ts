// The small-tensor fast path of backend wmoe with threads (issue 19, batch-1 latency): tiny
// kernel outputs (at most 64 bytes) are JS arrays instead of WASM-memory blocks, JS weights read again and again
// move into WASM memory once, tiny ops never hand work to the thread pool, and none of it
// changes a bit: a LeNet-5 MoE forward at batch 1 and a training step give the same bits with
// and without the fast path, on 1 and 2 threads and in copy mode.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { init, tf } from '../../src/backend/init.js';
import { WmoeBackend } from '../../src/backend/backend.js';
import { RESIDENT_MIN_FLOATS, ResidentPool } from '../../src/backend/resident_pool.js';
import type { NnExports } from '../../src/kernels/nn_exports.js';
import { loadWasmThreaded } from '../../src/wasm/threaded_module.js';
import nnThreadedWasm from '../../src/wasm/generated/nn_mt.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { moeConfigOf } from '../../src/train/train.js';
import { stage1Step } from '../../src/train/stage1.js';
import { perfectLink } from '../../src/link/perfect.js';
import { awgnLinkBatch } from '../../src/link/channel_model.js';
import { copyModeBackend, rand, randomValues } from '../helpers/tf.js';

/** A backend like wmoe with threads, on its own module, whose every output is a block and which never promotes. */
const ALL_RESIDENT = 'wmoe-all-resident';
let backend: WmoeBackend;
let allResident: WmoeBackend;

beforeAll(async () => {
  backend = await init({ threads: 2, setBackend: false });
  const nn = await loadWasmThreaded<NnExports>('nn', nnThreadedWasm, { threads: 2, maxPages: 8192 });
  allResident = new WmoeBackend(nn, new ResidentPool(nn.heap!, nn.heap!.maxBytes! / 2, 0, false));
  for (const k of tf.getKernelsForBackend('wmoe')) tf.registerKernel({ ...k, backendName: ALL_RESIDENT });
  tf.registerBackend(ALL_RESIDENT, () => allResident, 0);
  await copyModeBackend();
  await tf.setBackend('wmoe');
});

afterAll(() => {
  allResident.nn.pool?.dispose();
  tf.removeBackend(ALL_RESIDENT);
});

const held = (t: tf.Tensor) => backend.data.get(t.dataId).values as Float32Array;
const resident = (t: tf.Tensor) => backend.outputs.pointerOf(held(t)) !== undefined;

/** Bytes that arena.put copies while `f` runs, one entry per call. */
function puts(f: () => void): number[] {
  const arena = backend.nn.arena;
  const put = arena.put;
  const sizes: number[] = [];
  arena.put = function (this: typeof arena, data) {
    sizes.push(data.byteLength);
    return put.call(this, data);
  };
  try {
    f();
  } finally {
    arena.put = put;
  }
  return sizes;
}

describe('small tensors on backend wmoe with threads', () => {
  test('a kernel output below RESIDENT_MIN_FLOATS is a JS array, one at it a block of WASM memory', async () => {
    await tf.setBackend('wmoe');
    const n = RESIDENT_MIN_FLOATS;
    const [x, y] = [rand([n - 1], 1), rand([n], 2)];
    const [small, large] = [tf.relu(x), tf.relu(y)];
    expect(resident(small)).toBe(false);
    expect(held(small).byteOffset).toBe(0);
    expect(resident(large)).toBe(true);
    // Both read right by the next kernel and handed out right.
    const expected = (v: Float32Array) => Array.from(v, (a) => Math.max(2 * a, 0));
    expect(Array.from(tf.add(small, small).dataSync())).toEqual(expected(x.dataSync() as Float32Array));
    expect(Array.from(tf.add(large, large).dataSync())).toEqual(expected(y.dataSync() as Float32Array));
    tf.dispose([x, y, small, large]);
  });

  test('JS weights read a second time move into WASM memory once; later calls copy none of them in', async () => {
    await tf.setBackend('wmoe');
    const w = tf.tensor2d(randomValues(64 * 64, 3), [64, 64]); // a JS array, as a checkpoint's weights are
    const x = tf.tensor2d(randomValues(64, 4), [1, 64]);
    const wBytes = 64 * 64 * 4;
    const first = tf.matMul(x, w).dataSync().slice();
    expect(resident(w)).toBe(false); // read once: an input batch would stay where it is
    const pool = backend.outputs as ResidentPool;
    const promoted = pool.promotions;
    const second = puts(() => tf.matMul(x, w).dispose());
    expect(pool.promotions).toBe(promoted + 1);
    expect(resident(w)).toBe(true);
    expect(second).not.toContain(wBytes); // moved, not copied into the arena
    const third = puts(() => {
      const y = tf.matMul(x, w);
      expect(y.dataSync()).toEqual(first);
      y.dispose();
    });
    expect(third).not.toContain(wBytes);
    expect(pool.promotions).toBe(promoted + 1);
    expect(resident(x)).toBe(false); // read three times, but below PROMOTE_MIN_FLOATS
    // Handing the values out moves them back to a JS copy, with the same bits.
    expect(w.dataSync()).toEqual(randomValues(64 * 64, 3));
    expect(resident(w)).toBe(false);
    tf.dispose([w, x]);
  });

  test('JS values are read without touching their buffer (which moves a small array off V8\'s heap)', () => {
    let reads = 0;
    class Watched extends Float32Array {
      override get buffer(): ArrayBufferLike {
        reads++;
        return super.buffer;
      }
    }
    const values = new Watched(8).fill(1.5);
    const pool = backend.outputs as ResidentPool;
    expect(pool.adopt(values)).toBe(values);
    backend.nn.arena.reset();
    const ptr = backend.nn.arena.put(values);
    expect(Array.from(backend.nn.arena.f32(ptr, 8))).toEqual(new Array(8).fill(1.5));
    expect(reads).toBe(0);
  });
});

/** Seeded LeNet-5 MoE (DEFAULT_TRAIN_CONFIG) made on the current backend. */
function lenetMoe(): { model: DistributedMoE; cfg: TrainConfig } {
  const cfg: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, model: 'lenet5', dataset: 'mnist', inputShape: [32, 32, 1], classes: 10 };
  return { model: new DistributedMoE(moeConfigOf(cfg), 1), cfg };
}

/** On backend `name`: the MoE's inference probabilities at batch 1 (three calls) and the loss bits of two training steps at batch 8. */
async function lenetBits(name: string): Promise<{ forward: number[]; losses: number[] }> {
  await tf.setBackend(name);
  const { model, cfg } = lenetMoe();
  const K = model.config.experts;
  const x1 = tf.tensor4d(randomValues(32 * 32, 5).map((v) => (v + 1) / 2), [1, 32, 32, 1]);
  const batch = awgnLinkBatch(new Float32Array(K).fill(Infinity), 1, K, 1);
  const forward: number[] = [];
  for (let i = 0; i < 3; i++) {
    const p = tf.tidy(() => model.route(model.features(x1), { gate: 'naive', link: perfectLink, batch, sparse: true }).probs);
    forward.push(...new Uint32Array(Float32Array.from(p.dataSync()).buffer));
    p.dispose();
  }
  const step = stage1Step(model, cfg);
  const x8 = tf.tensor4d(randomValues(8 * 32 * 32, 6).map((v) => (v + 1) / 2), [8, 32, 32, 1]);
  const y8 = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
  const losses: number[] = [];
  for (let i = 1; i <= 2; i++) {
    const l = step(x8, y8, i);
    losses.push(new Uint32Array(Float32Array.from(l.dataSync()).buffer)[0]!);
    l.dispose();
  }
  step.dispose();
  model.dispose();
  tf.dispose([x1, x8, y8]);
  return { forward, losses };
}

describe('tiny ops and the thread pool', () => {
  test('a LeNet-5 MoE forward at batch 1 on 2 threads hands no job to the workers; a large op does', async () => {
    const pool = backend.nn.pool!;
    expect(pool.threads).toBe(2);
    await lenetBits('wmoe'); // warm-up
    await tf.setBackend('wmoe');
    const { model } = lenetMoe();
    const K = model.config.experts;
    const x = tf.tensor4d(randomValues(32 * 32, 7).map((v) => (v + 1) / 2), [1, 32, 32, 1]);
    const batch = awgnLinkBatch(new Float32Array(K).fill(Infinity), 1, K, 1);
    const [jobs, chunks] = [pool.splitJobs, pool.workerChunks];
    for (let i = 0; i < 5; i++) {
      tf.tidy(() => model.route(model.features(x), { gate: 'naive', link: perfectLink, batch, sparse: true }).probs.dataSync());
    }
    expect(pool.splitJobs).toBe(jobs);
    expect(pool.workerChunks).toBe(chunks);
    // The counter counts: an op over 2^21 elements is split.
    const big = rand([1 << 21], 8);
    tf.tidy(() => tf.relu(big).dataSync());
    expect(pool.splitJobs).toBeGreaterThan(jobs);
    tf.dispose([x, big]);
    model.dispose();
  });

  test('with and without the fast path, on 1 and 2 threads and in copy mode: the same bits', async () => {
    const fast = await lenetBits('wmoe');
    const pool = backend.nn.pool!;
    pool.active = 1;
    let oneThread;
    try {
      oneThread = await lenetBits('wmoe');
    } finally {
      pool.active = 2;
    }
    const everyOutputResident = await lenetBits(ALL_RESIDENT);
    const copyMode = await lenetBits('wmoe-copy');
    expect(fast.forward.length).toBe(30);
    expect(oneThread).toEqual(fast);
    expect(everyOutputResident).toEqual(fast);
    expect(copyMode).toEqual(fast);
    await tf.setBackend('wmoe');
  }, 60_000);
});
