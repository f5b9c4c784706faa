// bench/lib/wmoe-build.mjs: every wmoe row of the benches says which build of nn.wasm it ran on,
// from the backend's module, so a 1 → 2 thread ratio cannot silently mix two builds.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM bench helper without type declarations
import { buildOf, defaultBuild } from '../../bench/lib/wmoe-build.mjs';

const module = (buffer: ArrayBuffer | SharedArrayBuffer, extra: object = {}) => ({ exports: { memory: { buffer } }, ...extra });

describe('buildOf', () => {
  it('tells the one-thread build in copy mode from the shared-memory build with resident tensors', () => {
    expect(buildOf(module(new ArrayBuffer(8)))).toEqual({
      label: 'one-thread plain-SIMD build, copy mode, 1 of 1 thread', wasm: 'nn.wasm', simd: 'plain', sharedMemory: false, residentTensors: false, poolThreads: 1, activeThreads: 1,
    });
    const threaded = module(new SharedArrayBuffer(8), { heap: {}, threads: 2, pool: { active: 2 } });
    expect(buildOf(threaded)).toMatchObject({ label: 'shared-memory plain-SIMD build, resident tensors, 2 of 2 threads', wasm: 'nn_mt.wasm', poolThreads: 2, activeThreads: 2 });
    expect(buildOf(threaded, 1)).toMatchObject({ label: 'shared-memory plain-SIMD build, resident tensors, 1 of 2 threads', activeThreads: 1 });
    // the relaxed-SIMD build (init's default where the engine validates relaxed SIMD)
    expect(buildOf(module(new SharedArrayBuffer(8), { heap: {}, threads: 2, pool: { active: 2 }, simd: 'relaxed' }))).toMatchObject({
      label: 'shared-memory relaxed-SIMD build, resident tensors, 2 of 2 threads', wasm: 'nn_mt_relaxed.wasm', simd: 'relaxed',
    });
    // the shared-memory build on one thread (no pool), as a plain init() may load it
    expect(buildOf(module(new SharedArrayBuffer(8), { heap: {}, threads: 1 }))).toMatchObject({ wasm: 'nn_mt.wasm', residentTensors: true, poolThreads: 1, activeThreads: 1 });
  });

  it("records what a plain init() loads, from a fresh process (the package's dist/)", () => {
    const b = defaultBuild();
    expect(b.error).toBeUndefined();
    expect(['nn.wasm', 'nn_mt.wasm', 'nn_relaxed.wasm', 'nn_mt_relaxed.wasm']).toContain(b.wasm);
    expect(b.activeThreads).toBe(1);
  });
});
