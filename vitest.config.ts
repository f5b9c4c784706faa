import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests of the relaxed-SIMD build of the nn module (src/backend/init.ts, InitOptions.simd). Node 20
 * validates relaxed SIMD only with --experimental-wasm-relaxed-simd, so these files run in their
 * own project whose forks get that flag; every other test runs without it (init() then loads the
 * plain build, which their bit-identity checks against copy mode and tfjs rely on).
 */
const RELAXED = 'test/**/*.relaxed.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the CPUs: one on a 2-core machine, where the files
    // then ran one at a time (the suite in ~10 min, against ~6 with two workers).
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, RELAXED] } },
      { extends: true, test: { name: 'relaxed-simd', include: [RELAXED], execArgv: ['--experimental-wasm-relaxed-simd'] } },
    ],
  },
});
