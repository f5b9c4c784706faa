// bench/lib/simd-limit.mjs: a row's share of the WASM SIMD limit is its GFLOP/s over threads x
// the limit per core, for the plain and the relaxed limits; unknown when either is missing.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM bench helper without type declarations
import { FLOP_PER_ITERATION, simdShare } from '../../bench/lib/simd-limit.mjs';

describe('simdShare', () => {
  const limit = { plain: { gflops: 40 }, relaxed: { gflops: 64 } };

  it('divides by threads x the limit per core', () => {
    expect(simdShare(20, 1, limit)).toEqual({ plain: 0.5, relaxed: 20 / 64 });
    expect(simdShare(40, 2, limit)).toEqual({ plain: 0.5, relaxed: 40 / 128 });
  });

  it('is null where the rate or a limit is unknown', () => {
    expect(simdShare(20, 1, { plain: { gflops: 40 }, relaxed: { gflops: null, why: 'no flag' } })).toEqual({ plain: 0.5, relaxed: null });
    expect(simdShare(null, 1, limit)).toEqual({ plain: null, relaxed: null });
  });

  it('counts 12 accumulators x 4 lanes x 2 FLOP per loop iteration', () => {
    expect(FLOP_PER_ITERATION).toBe(96);
  });
});
