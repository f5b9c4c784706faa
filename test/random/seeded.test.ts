import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/random/seeded.js';

describe('SeededRandom seeds', () => {
  it('rejects seeds that `seed | 0` would alias (1 and 2^32 + 1), negatives and fractions', () => {
    expect(() => new SeededRandom(4294967297)).toThrow('SeededRandom: seed must be an integer in [0, 2^32), got 4294967297');
    for (const bad of [-1, 0.5, NaN, 2 ** 32]) expect(() => new SeededRandom(bad)).toThrow(RangeError);
  });

  it('accepts the whole range and is deterministic', () => {
    for (const seed of [0, 1, 2 ** 31 - 1, 2 ** 32 - 1]) {
      expect(new SeededRandom(seed).next()).toBe(new SeededRandom(seed).next());
    }
    expect(new SeededRandom(1).next()).not.toBe(new SeededRandom(2).next());
  });

  it('fork gives valid generators for every salt, including ones whose product is negative', () => {
    const rng = new SeededRandom(5);
    for (const salt of [0, 1, 2, 3, 0x7fffffff, 123456789]) {
      const x = rng.fork(salt).next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
