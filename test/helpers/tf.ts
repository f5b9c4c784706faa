// Shared fixtures for tests that run tfjs: the wmoe backend, the cpu reference, seeded
// random tensors and a relative-error comparison.
import { expect } from 'vitest';
import { init, tf } from '../../src/backend/init.js';
import { WmoeBackend } from '../../src/backend/backend.js';
import { wmoeKernels } from '../../src/kernels/index.js';
import type { NnExports } from '../../src/kernels/nn_exports.js';
import { loadWasm } from '../../src/wasm/module.js';
import nnWasm from '../../src/wasm/generated/nn.js';

export { tf };

/** The cpu reference backend prints an "install tfjs-node" banner on first use; not for tests. */
function quietCpu(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

/** Loads backend `wmoe` once (without making it current) and returns it. */
export async function wmoe() {
  const backend = await init({ setBackend: false });
  quietCpu();
  return backend;
}

/**
 * Loads backend `wmoe` with `threads` threads (the first init() of the test file decides; so that
 * a test can compare pool.active = 1 and 2 on one module) and returns it; with `current`, also
 * makes it the current backend.
 */
export async function wmoeWithThreads(threads: number, current = false) {
  const backend = await init({ threads, setBackend: false });
  quietCpu();
  if (current) await tf.setBackend('wmoe');
  return backend;
}

/**
 * Registers (once) and returns backend `name` on the one-thread nn build in copy mode (kernels
 * copy operands in and outputs out, into an OutputPool): the path init() takes where the engine
 * has no SharedArrayBuffer. For comparing with the default (resident) path bit for bit.
 */
export async function copyModeBackend(name = 'wmoe-copy'): Promise<WmoeBackend> {
  const existing = tf.findBackend(name);
  if (existing) return existing as unknown as WmoeBackend;
  await wmoe();
  const backend = new WmoeBackend(await loadWasm<NnExports>('nn', nnWasm));
  const ours = new Set(wmoeKernels.map((k) => k.kernelName));
  for (const k of tf.getKernelsForBackend('cpu')) if (!ours.has(k.kernelName)) tf.registerKernel({ ...k, backendName: name });
  for (const k of wmoeKernels) tf.registerKernel({ ...k, backendName: name });
  tf.registerBackend(name, () => backend, 0);
  return backend;
}

/** Runs `f` on backend `name` and returns its result as plain arrays (tensors disposed). */
export async function runOn<T extends tf.Tensor | tf.Tensor[]>(name: string, f: () => T) {
  await tf.setBackend(name);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => ({ shape: t.shape, data: t.dataSync().slice() as Float32Array }));
  list.forEach((t) => t.dispose());
  return values;
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32). */
export function randomValues(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Max of |a-b| / (|b| + scale), with scale = max|b| * 1e-3 guarding near-zero entries. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let peak = 0;
  for (let i = 0; i < b.length; i++) peak = Math.max(peak, Math.abs(b[i]));
  const floor = peak * 1e-3 + 1e-12;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + floor));
  return worst;
}

/**
 * Central differences (f(v + h·eᵢ) − f(v − h·eᵢ)) / 2h of a float64 function `at` in each entry
 * of `values`.
 */
export function centralDifferences(values: ArrayLike<number>, at: (v: Float64Array) => number, h: number): Float64Array {
  return Float64Array.from(values, (_, i) => {
    const up = Float64Array.from(values), down = Float64Array.from(values);
    up[i] += h;
    down[i] -= h;
    return (at(up) - at(down)) / (2 * h);
  });
}

/** A tensor of the given shape filled with {@link randomValues}(size, seed). */
export function rand(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/**
 * Runs f on cpu and on wmoe and expects equal shapes and values within `tol` relative (1e-4 by
 * default; cpu accumulates in float64, wmoe in float32 blocks of assembly/nn/gemm.ts's SEG).
 */
export async function expectLikeCpu(f: () => tf.Tensor | tf.Tensor[], label: string, tol = 1e-4): Promise<void> {
  const ref = await runOn('cpu', f);
  const got = await runOn('wmoe', f);
  expect(got.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    expect(got[i].shape, label).toEqual(ref[i].shape);
    expect(maxRelError(got[i].data, ref[i].data), label).toBeLessThan(tol);
  }
}
