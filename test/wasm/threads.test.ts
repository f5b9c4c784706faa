// Threaded WASM kernels (init({ threads: 2 })): every split kernel equals the one-thread result
// bit for bit — both the threaded module run on one thread and the default (non-shared) module
// — and matches tfjs-backend-cpu; errors on worker threads surface; memory growth and the limit;
// the pool's dispose; bad `threads` values.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { init, tf } from '../../src/backend/init.js';
import { WmoeBackend } from '../../src/backend/backend.js';
import { wmoeKernels } from '../../src/kernels/index.js';
import type { NnExports } from '../../src/kernels/nn_exports.js';
import { loadWasm } from '../../src/wasm/module.js';
import { WasmArena } from '../../src/wasm/arena.js';
import { loadWasmThreaded } from '../../src/wasm/threaded_module.js';
import { chunkArgs } from '../../src/wasm/thread_pool.js';
import { PARALLEL_MIN_FLOPS, splitRows, unitsPerChunk } from '../../src/wasm/parallel_gemm.js';
import { PARALLEL_MIN_ELEMENTS, binaryUnit, chunkLength } from '../../src/wasm/parallel_elementwise.js';
import { indirectionBytes, packedBytes } from '../../src/wasm/gemm_layout.js';
import { InputError } from '../../src/errors.js';
import nnWasm from '../../src/wasm/generated/nn.js';
import nnThreadedWasm from '../../src/wasm/generated/nn_mt.js';
import { maxRelError, rand, randomValues } from '../helpers/tf.js';

/** The one-thread module as a second backend, to compare with bit for bit. */
const SINGLE = 'wmoe-single';
let threaded: WmoeBackend;

beforeAll(async () => {
  threaded = await init({ threads: 2, setBackend: false });
  const single = new WmoeBackend(await loadWasm<NnExports>('nn', nnWasm));
  const ours = new Set(wmoeKernels.map((k) => k.kernelName));
  for (const k of tf.getKernelsForBackend('cpu')) if (!ours.has(k.kernelName)) tf.registerKernel({ ...k, backendName: SINGLE });
  for (const k of wmoeKernels) tf.registerKernel({ ...k, backendName: SINGLE });
  tf.registerBackend(SINGLE, () => single, 0);
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
});

afterAll(() => {
  tf.removeBackend(SINGLE);
});

async function valuesOn(name: string, f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(name);
  const y = tf.tidy(f);
  const v = y.dataSync().slice() as Float32Array;
  y.dispose();
  return v;
}

/**
 * f on 2 threads, on the threaded module at 1 thread, on the default module and (unless tol is
 * null) on cpu, within relative error `tol`: float32 sums of K terms in two orders differ by up
 * to ~K·2⁻²⁴ relative to Σ|terms| (5e-4 for a few hundred terms, 1e-3 for the 4608 of 3x3x512).
 */
async function compare(f: () => tf.Tensor, tol: number | null = 5e-4): Promise<void> {
  const pool = threaded.nn.pool!;
  pool.active = 2;
  const two = await valuesOn('wmoe', f);
  pool.active = 1;
  const one = await valuesOn('wmoe', f);
  pool.active = 2;
  const single = await valuesOn(SINGLE, f);
  // Bit for bit: compare the bytes (NaN-safe, and -0 ≠ +0).
  expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer)), '2 threads vs 1 thread').toBe(true);
  expect(Buffer.from(two.buffer).equals(Buffer.from(single.buffer)), '2 threads vs the one-thread module').toBe(true);
  if (tol !== null) expect(maxRelError(two, await valuesOn('cpu', f))).toBeLessThan(tol);
}

describe('init({ threads: 2 })', () => {
  test('starts one worker over the shared memory', () => {
    expect(threaded.nn.threads).toBe(2);
    expect(threaded.nn.threadsUnavailable).toBeUndefined();
    expect(threaded.nn.exports.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  test('rejects bad thread counts and a change after loading, naming the value', async () => {
    await expect(init({ threads: 0 })).rejects.toThrow(InputError);
    await expect(init({ threads: 1.5 })).rejects.toThrow(/threads must be an integer from 1 to 64 or 'auto', got 1.5/);
    await expect(init({ threads: 65 })).rejects.toThrow(/got 65/);
    await expect(init({ threads: 2, spin: -1 })).rejects.toThrow(/init: spin must be an integer >= 0, got -1/);
    await expect(init({ threads: 1 })).rejects.toThrow(/already loaded with threads 2/);
    expect(await init({ setBackend: false })).toBe(threaded);
  });
});

describe('threaded kernels equal one thread bit for bit and match cpu', () => {
  test.each([
    ['row split, edge tiles', [203, 301], [301, 157], false, false],
    ['column split (few rows)', [12, 512], [512, 520], false, false],
    ['transposed A and B', [301, 203], [157, 301], true, true],
    ['broadcast batch', [3, 64, 200], [200, 136], false, false],
  ] as const)('matMul: %s', async (_label, aShape, bShape, ta, tb) => {
    await compare(() => tf.matMul(rand([...aShape], 1), rand([...bShape], 2), ta, tb));
  });

  test('fused matMul with bias and relu', async () => {
    await compare(() => tf.fused.matMul({ a: rand([128, 256], 3), b: rand([256, 96], 4), bias: rand([96], 5), activation: 'relu' }));
  });

  // ResNet-18 layer shapes (batch 1), forward and both gradients. tfjs-backend-cpu's filter
  // gradient runs at ~0.01 GFLOP/s, so it is the reference only where cheap (`cpuFilter`); the
  // others are held to the one-thread module bit for bit, which test/kernels/conv2d.test.ts
  // checks against cpu.
  const convs = [
    { name: '3x3 64→64 32x32', x: [1, 32, 32, 64], f: [3, 3, 64, 64], s: 1, cpuFilter: true },
    { name: '3x3 64→128 s2 32x32', x: [1, 32, 32, 64], f: [3, 3, 64, 128], s: 2, cpuFilter: false },
    { name: '3x3 128→128 16x16', x: [1, 16, 16, 128], f: [3, 3, 128, 128], s: 1, cpuFilter: false },
    { name: '1x1 64→128 s2 32x32', x: [1, 32, 32, 64], f: [1, 1, 64, 128], s: 2, cpuFilter: true },
    { name: '3x3 256→256 8x8', x: [1, 8, 8, 256], f: [3, 3, 256, 256], s: 1, cpuFilter: false },
    { name: '3x3 512→512 4x4', x: [1, 4, 4, 512], f: [3, 3, 512, 512], s: 1, cpuFilter: false },
  ];
  for (const c of convs) {
    const pad = c.f[0] === 1 ? 'valid' : 'same';
    const oh = pad === 'same' ? Math.ceil(c.x[1] / c.s) : Math.floor((c.x[1] - 1) / c.s) + 1;
    const dyShape = [c.x[0], oh, oh, c.f[3]];
    test(`conv ${c.name}: forward, input gradient, filter gradient`, async () => {
      const x = () => rand(c.x, 6) as tf.Tensor4D;
      const w = () => rand(c.f, 7) as tf.Tensor4D;
      const dy = () => rand(dyShape, 8) as tf.Tensor4D;
      // 3x3 stride 1 runs Winograd F(4×4, 3×3) (F(2×2) on ResNet's 4x4 maps at batch 1), whose
      // transforms round more than plain sums: held to 5e-3 here, and to a bound from the
      // operands' magnitudes in test/kernels/conv_winograd.test.ts.
      const tol = c.f[0] === 3 && c.s === 1 ? 5e-3 : 1e-3;
      await compare(() => tf.conv2d(x(), w(), c.s, pad), tol);
      await compare(() => tf.conv2dTranspose(dy(), w(), c.x as [number, number, number, number], c.s, pad), tol);
      await compare(() =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x: x(), dy: dy() }, {
          strides: [c.s, c.s], pad, dataFormat: 'NHWC', filterShape: c.f,
        }) as tf.Tensor,
        c.cpuFilter ? tol : null,
      );
    }, 60_000);
  }

  /** Elementwise results are the same float32 operations as cpu's: equal up to rounding noise of 0. */
  const EXACT = 1e-12;

  test('elementwise: binary with a full, trailing and scalar operand, and unary ops (split over elements)', async () => {
    expect(5 * 230001).toBeGreaterThanOrEqual(PARALLEL_MIN_ELEMENTS); // large enough to be split
    const n = [5, 230001]; // odd length: chunks end mid-SIMD-vector only at the very end
    await compare(() => tf.add(rand(n, 11), rand(n, 12)), EXACT);
    await compare(() => tf.sub(rand(n, 11), rand(n, 12)), EXACT);
    await compare(() => tf.mul(rand(n, 11), rand(n, 12)), EXACT);
    await compare(() => tf.div(rand(n, 11), rand(n, 12)), EXACT);
    await compare(() => tf.add(rand([2, 600002], 11), rand([600002], 12)), EXACT); // 2 blocks: 2 chunks
    await compare(() => tf.mul(rand([4100, 512], 13), rand([512], 14)), EXACT);
    await compare(() => tf.div(rand([6400, 333], 15), rand([333], 16)), EXACT);
    await compare(() => tf.sub(2.5, rand(n, 17)), EXACT);
    await compare(() => tf.sqrt(tf.abs(rand(n, 18))), EXACT);
    await compare(() => tf.relu(rand(n, 19)), EXACT);
  });

  /**
   * Chunks of split jobs while f runs on 2 threads, and how many of them the worker ran: f is
   * repeated (up to 50 times) until the worker has taken a chunk, since on a busy machine the
   * calling thread may take them all before the worker wakes.
   */
  function chunksOn2Threads(f: () => tf.Tensor): { total: number; worker: number } {
    const pool = threaded.nn.pool!;
    pool.active = 2;
    let total = 0, worker = 0;
    for (let attempt = 0; attempt < 50 && worker === 0; attempt++) {
      const t0 = pool.totalChunks, w0 = pool.workerChunks;
      tf.tidy(() => {
        f().dataSync();
      });
      total = pool.totalChunks - t0;
      worker = pool.workerChunks - w0;
    }
    return { total, worker };
  }

  test('same-shape add, sub, mul and div are split into chunks, and the worker runs some', async () => {
    await tf.setBackend('wmoe');
    const n = 5 * 230001;
    const a = rand([5, 230001], 11), b = rand([5, 230001], 12);
    const chunks = Math.ceil(n / chunkLength(n, 2, 4)); // 8: 4 per thread
    expect(chunks).toBe(8);
    for (const op of [tf.add, tf.sub, tf.mul, tf.div]) {
      const { total, worker } = chunksOn2Threads(() => op(a, b));
      expect(total, op.name).toBe(chunks);
      expect(worker, op.name).toBeGreaterThan(0);
    }
    // A broadcast operand of 600 002 values over 2 blocks: one chunk per block.
    const c = rand([2, 600002], 13), d = rand([600002], 14);
    expect(chunksOn2Threads(() => tf.add(c, d)).total).toBe(2);
    for (const t of [a, b, c, d]) t.dispose();
  });

  test('pooling and its gradients, split over chunks of images, equal one thread (LeNet-5 size and padded windows)', async () => {
    for (const [shape, size, stride, pad] of [[[64, 28, 28, 6], 2, 2, 'valid'], [[9, 61, 57, 5], 3, 2, 'same']] as const) {
      expect(shape.reduce((a, b) => a * b), `${shape}`).toBeGreaterThanOrEqual(PARALLEL_MIN_ELEMENTS); // large enough to be split
      const x = () => rand([...shape], 31) as tf.Tensor4D;
      const seen = (y: tf.Tensor) => tf.sum(tf.mul(y, rand(y.shape, 32)));
      for (const pool of [tf.maxPool, tf.avgPool]) {
        // Bit for bit against one thread; against cpu within float32 rounding (the gradient's sum(y·r) adds in another order).
        await compare(() => pool(x(), size, stride, pad), 1e-4);
        await compare(() => tf.grad((xt: tf.Tensor) => seen(pool(xt as tf.Tensor4D, size, stride, pad)))(x()), 1e-4);
      }
      // The forward pool and its gradient each run as chunks of images, some on the worker.
      await tf.setBackend('wmoe');
      const { total, worker } = chunksOn2Threads(() => tf.grad((xt: tf.Tensor) => seen(tf.maxPool(xt as tf.Tensor4D, size, stride, pad)))(x()));
      expect(total, `${shape}`).toBe(2 * Math.ceil(shape[0] / Math.ceil(shape[0] / Math.min(shape[0], 8))));
      expect(worker, `${shape}`).toBeGreaterThan(0);
    }
  }, 60_000);

  test('a LeNet-5 expert\'s second layer (4 stacked 64×120 · 120×84 GEMMs, 1.3 Mflop each) splits and equals one thread', async () => {
    expect(2 * 64 * 120 * 84).toBeGreaterThanOrEqual(PARALLEL_MIN_FLOPS); // large enough to be split
    const a = () => rand([4, 64, 120], 41), b = () => rand([4, 120, 84], 42);
    await compare(() => tf.matMul(a(), b()));
    await tf.setBackend('wmoe');
    const { total, worker } = chunksOn2Threads(() => tf.matMul(a(), b()));
    expect(total).toBeGreaterThan(0);
    expect(worker).toBeGreaterThan(0);
  });

  test('binary chunk units: a SIMD vector for same shapes and scalars, the pattern length p for a broadcast operand', () => {
    expect(binaryUnit(1150005, 1150005)).toBe(4);
    expect(binaryUnit(1150005, 1)).toBe(4);
    expect(binaryUnit(4100 * 512, 512)).toBe(512);
    expect(binaryUnit(6400 * 333, 333)).toBe(333);
  });

  test('fused Adam (split over elements)', async () => {
    const { FusedAdam } = await import('../../src/train/adam.js');
    let run = 0;
    await compare(() => {
      const p = tf.variable(rand([1, 2300001], 20), true, `adam-thread-${run++}`);
      const target = rand([1, 2300001], 21);
      const opt = new FusedAdam(0.01);
      for (let s = 0; s < 3; s++) opt.minimize(() => tf.sum(tf.square(tf.sub(p, target))) as tf.Scalar, false, [p]);
      opt.dispose();
      const out = tf.clone(p);
      p.dispose();
      return out;
    }, EXACT);
  });

  test('training batch norm + residual + ReLU, forward and gradients (2 chunks of rows)', async () => {
    const { BatchNorm } = await import('../../src/models/batch_norm.js');
    const { ParamStore } = await import('../../src/models/params.js');
    const { SeededRandom } = await import('../../src/random/seeded.js');
    const shape = [3, 20, 20, 64]; // 1200 rows of 64: two of the kernel's fixed 65536-float chunks
    await compare(() => {
      const params = new ParamStore(new SeededRandom(1));
      const bn = new BatchNorm(params, 'bn', 64);
      bn.gamma.assign(tf.add(rand([64], 22), 1.5));
      bn.beta.assign(rand([64], 23));
      const x = tf.add(tf.mul(rand(shape, 24), 3), 1), r = rand(shape, 25), w = rand(shape, 26);
      const f = (xt: tf.Tensor, rt: tf.Tensor) => tf.sum(tf.mul(bn.apply(xt as tf.Tensor4D, true, { residual: rt as tf.Tensor4D, relu: true }), w));
      const { grads } = tf.variableGrads(() => f(x, r) as tf.Scalar, [bn.gamma, bn.beta]);
      const [dx, dr] = tf.grads(f)([x, r]);
      const y = bn.apply(x, true, { residual: r, relu: true });
      const out = tf.concat([y, dx!, dr!, grads[bn.gamma.name]!, grads[bn.beta.name]!, bn.movingMean, bn.movingVariance].map((t) => tf.reshape(t, [-1])));
      params.dispose();
      return out;
    }, 1e-3);
  });

  test('a LeNet-5-like gradient (small kernels stay on one thread)', async () => {
    await compare(() => {
      const w = rand([5, 5, 6, 16], 9) as tf.Tensor4D;
      const x = rand([64, 14, 14, 6], 10) as tf.Tensor4D;
      return tf.grad((wt: tf.Tensor) => tf.conv2d(x, wt as tf.Tensor4D, 1, 'valid').square().sum())(w);
    });
  });
});

describe('splitRows: the GEMM split that re-reads less', () => {
  test('a filter gradient (64 output channels × 576 taps, reduced over 3 641 pixels) splits its panels', () => {
    expect(splitRows(64, 576, 3641, 2)).toBe(false);
    expect(splitRows(256, 2304, 683, 2)).toBe(false);
  });
  test('a forward conv (many pixels, or rows spanning many cache blocks) splits its rows', () => {
    expect(splitRows(32768, 64, 576, 2)).toBe(true);
    expect(splitRows(512, 512, 4608, 2)).toBe(true);
  });
  test('one panel or one row tile leaves only the other split', () => {
    expect(splitRows(4096, 16, 64, 2)).toBe(true);
    expect(splitRows(2, 4096, 64, 2)).toBe(false);
  });
});

describe('pool mechanics', () => {
  test('chunks cover every unit once, the last one short', () => {
    const per = unitsPerChunk(50, 2); // 50 tiles, 8 chunks of ≤ 7 tiles
    expect(per).toBe(7);
    const job = { base: [203, 5, 100], stride: [0, 0, 28 * 4], countIndex: 0, total: 200, per: 28, chunks: Math.ceil(50 / 7) };
    const parts = Array.from({ length: job.chunks }, (_, i) => chunkArgs(job, i));
    expect(parts.map((p) => p[0])).toEqual([28, 28, 28, 28, 28, 28, 28, 4]);
    expect(parts.map((p) => p[2])).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => 100 + i * 112));
  });

  test('an error on the worker thread is thrown on the calling thread, and the pool still works', async () => {
    const pool = threaded.nn.pool!;
    pool.active = 2;
    // Chunk 0 is valid; the later chunks read far past the end of memory and trap, wherever they run.
    const { arena } = threaded.nn;
    arena.reset();
    const pa = arena.alloc(64 * 64 * 4);
    const pc = arena.alloc(64 * 64 * 4);
    const pbp = arena.alloc(64 * 64 * 4);
    const pind = arena.alloc(16 * 4 * 4);
    (threaded.nn.exports as NnExports).gemmRowPointers(pa, 64, 64, pind);
    expect(() => pool.run('gemmIndirect', {
      base: [64, 64, 1, 64, pind, 4, pbp, pc, 64, 0, 0],
      stride: [0, 0, 0, 0, 0, 0, 0x7fff0000, 0, 0, 0, 0],
      countIndex: 0, total: 64, per: 4, chunks: 16,
    })).toThrow(/out of bounds|unreachable|failed on a worker/);
    await compare(() => tf.matMul(rand([256, 256], 11), rand([256, 256], 12)));
  });

  test('memory grown after the workers started is seen by them', async () => {
    const before = threaded.nn.arena.peakBytes;
    // An output larger than the whole memory so far, so it cannot fit a free block and is
    // written (by both threads) above the old end (no cpu reference: too slow).
    const side = Math.ceil(Math.sqrt(before / 4)) + 64;
    await compare(() => tf.matMul(rand([side, 64], 13), rand([64, side], 14)), null);
    expect(threaded.nn.arena.peakBytes).toBeGreaterThan(before);
  }, 60_000);

  test('a call past the memory maximum fails with a clear error, and the arena stays usable', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    const arena = new WasmArena(memory, 1024, 16 * 65536);
    expect(() => arena.alloc(40 * 65536)).toThrow(/out of WASM memory: a kernel needs 2\.5 MiB .*maximum 1\.0 MiB/);
    // Typed, with the sizes, so that training can name a batch size that fits.
    expect(() => arena.alloc(40 * 65536)).toThrow(expect.objectContaining({ neededBytes: 40 * 65536 + 1024, haveBytes: 65536 })); // granted: 1 page
    expect(arena.alloc(2 * 65536)).toBe(1024);
  });

  test('active is a hard limit: with 3 threads and active = 2, at most one worker joins a job', async () => {
    const nn = await loadWasmThreaded<NnExports>('nn', nnThreadedWasm, { threads: 3 });
    const pool = nn.pool!;
    const n = 1 << 22;
    const x = nn.arena.reserve(n * 4);
    // relu over 4 Mi floats in 32 chunks: long enough for every awake worker to claim some.
    const job = { base: [0, x, x, n, 0], stride: [0, (n / 32) * 4, (n / 32) * 4, 0, 0], countIndex: 3, total: n, per: n / 32, chunks: 32 };
    const mostWorkers = (active: number, stopAt: number) => {
      pool.active = active;
      let most = 0;
      for (let i = 0; i < 200 && most < stopAt; i++) {
        pool.run('unary', job);
        most = Math.max(most, pool.lastJobWorkers);
      }
      return most;
    };
    // The counter can see two workers in one job (else the limit below would prove nothing)…
    expect(mostWorkers(3, 2)).toBe(2);
    // …but with active = 2 no job had more than one, though both workers poll for jobs.
    expect(mostWorkers(2, 2)).toBe(1);
    expect(mostWorkers(1, 1)).toBe(0);
    pool.dispose();
  }, 60_000);

  test('dispose stops the workers; kernels then run on one thread with the same results', async () => {
    const nn = await loadWasmThreaded<NnExports>('nn', nnThreadedWasm, { threads: 3 });
    expect(nn.threads).toBe(3);
    const ex = nn.exports;
    const { arena } = nn;
    const m = 300, k = 200, n = 136;
    const run = () => {
      arena.reset();
      const pa = arena.put(randomValues(m * k, 21));
      const pb = arena.put(randomValues(k * n, 22));
      const pbp = arena.alloc(packedBytes(k, n));
      const pind = arena.alloc(indirectionBytes(m, 1));
      const pc = arena.alloc(m * n * 4);
      ex.gemmPackB(pb, k, n, n, 1, pbp);
      ex.gemm(m, n, k, pa, k, 1, pbp, pc, n, 0, pind);
      return arena.f32(pc, m * n).slice();
    };
    const three = run();
    nn.pool!.dispose();
    expect(nn.pool!.threads).toBe(1);
    expect(nn.threads).toBe(1);
    const one = run();
    expect(Buffer.from(three.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  });
});
