import { describe, expect, it } from 'vitest';
import { Rng, countBitErrors } from '../../src/channel/index.js';

describe('countBitErrors', () => {
  const n = 5003;
  const a = Uint8Array.from(new Rng(1).uniform(n), (u) => (u < 0.5 ? 1 : 0));
  const b = Uint8Array.from(a, (v, i) => (i % 7 === 3 || i % 97 === 0 ? v ^ 1 : v));

  it('equals the naive count for every alignment of start and of the arrays', () => {
    for (const [start, len] of [[0, n], [1, 1000], [2, 3], [4, 4096], [7, 0], [n - 5, 5]]) {
      let want = 0;
      for (let j = start; j < start + len; j++) if (a[j] !== b[j]) want++;
      expect(countBitErrors(a, b, start, len)).toBe(want);
    }
    // views at different byte offsets: the word path applies only when both are aligned
    const bufA = new Uint8Array(n + 8);
    bufA.set(a, 3);
    const va = bufA.subarray(3, 3 + n);
    expect(countBitErrors(va, b)).toBe(countBitErrors(a, b));
    expect(countBitErrors(a, a)).toBe(0);
    expect(countBitErrors(a, Uint8Array.from(a, (v) => v ^ 1))).toBe(n);
  });

  it('rejects ranges outside the arrays and non-Uint8Arrays', () => {
    expect(() => countBitErrors(a, b, 5000, 10)).toThrow(/\[5000, 5010\) is outside/);
    expect(() => countBitErrors(a, b.subarray(0, 10))).toThrow(/outside arrays of length 5003 and 10/);
    expect(() => countBitErrors(a, [0] as unknown as Uint8Array)).toThrow(/two Uint8Arrays/);
  });
});
