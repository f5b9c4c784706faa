import { describe, expect, it } from 'vitest';
import { deriveSeed, fmix32, isSeed, murmur3Words, SEED_LIMIT } from '../../src/random/hash.js';

/** Little-endian 32-bit words of a 4·n-byte ASCII string. */
function words(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 4) {
    out.push((text.charCodeAt(i) | (text.charCodeAt(i + 1) << 8) | (text.charCodeAt(i + 2) << 16) | (text.charCodeAt(i + 3) << 24)) >>> 0);
  }
  return out;
}

describe('murmur3Words', () => {
  // Reference values of MurmurHash3_x86_32 (SMHasher; the table on Wikipedia's MurmurHash page).
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['\0\0\0\0', 0, 0x2362f9de],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['abcd', 0x9747b28c, 0xf0478627],
    ['test', 0, 0xba6bd213],
  ])('%j with seed %d', (text, seed, expected) => {
    expect(murmur3Words(words(text), seed)).toBe(expected);
  });

  it('fmix32 is a bijection on a sample (no two of 2^16 consecutive words collide)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 65536; i++) seen.add(fmix32(i * 65537));
    expect(seen.size).toBe(65536);
  });
});

describe('deriveSeed', () => {
  it('is MurmurHash3 of [seed, ...parts] shifted into [0, 2^31)', () => {
    expect(deriveSeed(7, 1, 2, 3)).toBe(murmur3Words([7, 1, 2, 3]) >>> 1);
    expect(deriveSeed(0)).toBe(0x2362f9de >>> 1);
  });

  it('neighbouring steps get different seeds, all valid seeds', () => {
    for (const seed of [0, 1, 2, SEED_LIMIT - 1]) {
      const derived = Array.from({ length: 10000 }, (_, s) => deriveSeed(seed, 1, 0, s));
      expect(derived.every(isSeed)).toBe(true);
      expect(new Set(derived).size).toBe(derived.length);
      // Not a shifted copy of the step index: consecutive differences vary.
      expect(new Set(derived.slice(1).map((d, i) => d - derived[i])).size).toBeGreaterThan(9990);
    }
  });

  it('separates purposes, seeds and argument lists', () => {
    expect(deriveSeed(1, 1, 0, 5)).not.toBe(deriveSeed(1, 2, 0, 5));
    expect(deriveSeed(1, 1, 0, 5)).not.toBe(deriveSeed(2, 1, 0, 5));
    expect(deriveSeed(1, 0)).not.toBe(deriveSeed(1, 0, 0));
  });

  it('uses its whole range: the top bit of 31 is set in about half the outputs', () => {
    let high = 0;
    for (let s = 0; s < 4000; s++) high += deriveSeed(3, s) >= 2 ** 30 ? 1 : 0;
    expect(high).toBeGreaterThan(1800);
    expect(high).toBeLessThan(2200);
  });

  it.each([-1, 0.5, 2 ** 32, NaN, Infinity])('rejects %d', (bad) => {
    expect(() => deriveSeed(bad)).toThrow(RangeError);
    expect(() => deriveSeed(1, bad)).toThrow(`deriveSeed: ${String(bad)} is not an integer in [0, 2^32)`);
  });
});

describe('isSeed', () => {
  it('accepts integers in [0, 2^31) only', () => {
    expect([0, 1, 2 ** 31 - 1].every(isSeed)).toBe(true);
    expect([-1, 2 ** 31, 4294967297, 1.5, NaN, '1'].some(isSeed)).toBe(false);
  });
});
