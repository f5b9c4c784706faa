// The relaxed-SIMD build of the nn module (init's `simd` option), in a Node that validates relaxed
// SIMD: this file runs in vitest project 'relaxed-simd' (vitest.config.ts), whose forks get
// --experimental-wasm-relaxed-simd. The relaxed build agrees with the plain one within float32
// rounding on GEMM and convolutions, differs from it in the last bits where the engine fuses
// (so its multiply-adds really are fused), and is bit-identical run to run and on 1 or 2 threads.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tf } from '../../src/backend/init.js';
import { WmoeBackend } from '../../src/backend/backend.js';
import { wmoeKernels } from '../../src/kernels/index.js';
import type { NnExports } from '../../src/kernels/nn_exports.js';
import { loadWasmThreaded } from '../../src/wasm/threaded_module.js';
import { hasWasmRelaxedSimd } from '../../src/wasm/simd.js';
import { InputError } from '../../src/errors.js';
import nnThreadedWasm from '../../src/wasm/generated/nn_mt.js';
import { rand } from '../helpers/tf.js';

/** The plain build (threaded, 2 threads) as a second backend. */
const PLAIN = 'wmoe-plain';
let relaxed: WmoeBackend;
let plain: WmoeBackend;

/**
 * `f32x4.relaxed_madd(a, b, c)` lane 0 for f32 a, b, c: a module of one function, built with
 * binaryen's wasm-as from
 * (func (export "m") (param f32 f32 f32) (result f32) (f32x4.extract_lane 0 (f32x4.relaxed_madd
 *   (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1)) (f32x4.splat (local.get 2))))).
 */
function relaxedMadd(): (a: number, b: number, c: number) => number {
  const bytes = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 125, 125, 125, 1, 125, 3, 2, 1, 0, 7, 5, 1, 1, 109, 0, 0, 10, 22, 1, 20, 0,
    32, 0, 253, 19, 32, 1, 253, 19, 32, 2, 253, 19, 253, 133, 2, 253, 31, 0, 11,
  ]);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.m as (a: number, b: number, c: number) => number;
}

/**
 * True when this engine fuses relaxed_madd (one rounding): (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴ rounds
 * to 1 + 2⁻¹¹ in float32, so minus that is 0 unfused and 2⁻²⁴ fused.
 */
function engineFuses(): boolean {
  const a = 1 + 2 ** -12;
  return relaxedMadd()(a, a, -(1 + 2 ** -11)) !== 0;
}

beforeAll(async () => {
  relaxed = await init({ threads: 2, setBackend: false });
  plain = new WmoeBackend({ ...(await loadWasmThreaded<NnExports>('nn', nnThreadedWasm, { threads: 2 })), simd: 'plain' });
  const ours = new Set(wmoeKernels.map((k) => k.kernelName));
  for (const k of tf.getKernelsForBackend('cpu')) if (!ours.has(k.kernelName)) tf.registerKernel({ ...k, backendName: PLAIN });
  for (const k of wmoeKernels) tf.registerKernel({ ...k, backendName: PLAIN });
  tf.registerBackend(PLAIN, () => plain, 0);
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
});

/** Values of f's tensors on backend `name` with `threads` threads active. */
async function valuesOn(name: string, threads: number, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  const backend = name === 'wmoe' ? relaxed : plain;
  backend.nn.pool!.active = threads;
  await tf.setBackend(name);
  const ys = tf.tidy(f);
  const values = ys.map((y) => y.dataSync().slice() as Float32Array);
  ys.forEach((y) => y.dispose());
  backend.nn.pool!.active = 2;
  return values;
}

/** All bytes of a list of arrays, for bit-for-bit comparison (NaN-safe, −0 ≠ +0). */
const bits = (list: Float32Array[]) => Buffer.concat(list.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));

/** max |a − b| / max |b|: the error relative to the tensor's scale (sums with cancellation have small entries). */
function normwiseError(a: Float32Array, b: Float32Array): number {
  let diff = 0, peak = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    peak = Math.max(peak, Math.abs(b[i]));
  }
  return diff / peak;
}

/** Kernels of both builds: the GEMM, the GEMM convolutions and the direct ones (LeNet), with gradients. */
const CASES: Record<string, () => tf.Tensor[]> = {
  'matMul 64×576 · 576×80 (GEMM)': () => [tf.matMul(rand([64, 576], 1), rand([576, 80], 2))],
  'conv2d 3x3 16→24 and its gradients (GEMM conv)': () => {
    const g = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))));
    const x = rand([2, 12, 12, 16], 3), w = rand([3, 3, 16, 24], 4);
    return [tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), ...g([x, w])];
  },
  'conv2d 5x5 1→6 and 6→16 and their gradients (direct conv, LeNet)': () => {
    const x = rand([4, 32, 32, 1], 5), w1 = rand([5, 5, 1, 6], 6), w2 = rand([5, 5, 6, 16], 7);
    const net = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.square(tf.conv2d(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid')), c as tf.Tensor4D, 1, 'valid')));
    return [tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'valid'), ...tf.grads(net)([x, w1, w2])];
  },
};

describe("init() in an engine with relaxed SIMD (simd: 'auto')", () => {
  test('validates the relaxed-SIMD probe and loads the relaxed build', () => {
    expect(hasWasmRelaxedSimd()).toBe(true);
    expect(relaxed.nn.simd).toBe('relaxed');
    expect(relaxed.nn.threads).toBe(2);
  });

  test("keeps the loaded build: 'auto' and 'relaxed' again are fine, 'plain' now is an InputError", async () => {
    await expect(init({ setBackend: false })).resolves.toBe(relaxed);
    await expect(init({ simd: 'relaxed', setBackend: false })).resolves.toBe(relaxed);
    await expect(init({ simd: 'plain', setBackend: false })).rejects.toThrow(InputError);
    await expect(init({ simd: 'plain', setBackend: false })).rejects.toThrow(/simd 'plain' asked for, but backend wmoe was already loaded with the relaxed build/);
  });
});

describe('the relaxed build against the plain one', () => {
  for (const [name, f] of Object.entries(CASES)) {
    test(`${name}: within a few float32 roundings (2e-6 of the scale) of the plain build, and not the same bits where the engine fuses`, async () => {
      const r = await valuesOn('wmoe', 2, f);
      const p = await valuesOn(PLAIN, 2, f);
      expect(r.length).toBe(p.length);
      for (let i = 0; i < p.length; i++) {
        expect(normwiseError(r[i], p[i]), `tensor ${i}`).toBeLessThan(2e-6);
      }
      if (engineFuses()) expect(bits(r).equals(bits(p)), 'relaxed and plain builds give the same bits: nothing fused').toBe(false);
    });

    test(`${name}: each build bit-identical run to run and on 1 or 2 threads`, async () => {
      for (const backend of ['wmoe', PLAIN]) {
        const two = await valuesOn(backend, 2, f);
        expect(bits(await valuesOn(backend, 2, f)).equals(bits(two)), `${backend}: run to run`).toBe(true);
        expect(bits(await valuesOn(backend, 1, f)).equals(bits(two)), `${backend}: 1 vs 2 threads`).toBe(true);
      }
    });
  }

  test('this engine fuses relaxed_madd on this machine (x86-64 with FMA3 or arm64), so the tests above compare fused with unfused', () => {
    // Documents the machine rather than the package: where it fails, the relaxed build is only
    // a second copy of the plain one and the "not the same bits" checks above are skipped.
    expect(engineFuses()).toBe(true);
  });
});
