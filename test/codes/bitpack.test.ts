import { describe, expect, it } from 'vitest';
import { BitPacker } from '../../src/codes/bitpack.js';
import { randomBits } from './parity.js';

describe('BitPacker', () => {
  it('packs bit i into word i>>>5, position i&31, and zeros the tail', () => {
    const p = new BitPacker(100);
    for (const count of [1, 5, 31, 32, 33, 64, 81, 100]) {
      const src = randomBits(count + 7, count);
      const dst = new Uint32Array(5).fill(0xffffffff);
      p.pack(src, 7, count, dst);
      for (let i = 0; i < Math.ceil(count / 32) * 32; i++) {
        const want = i < count ? src[7 + i] : 0;
        expect((dst[i >>> 5] >>> (i & 31)) & 1).toBe(want);
      }
    }
  });

  it('uses only the low bit of each byte', () => {
    const p = new BitPacker(8);
    const dst = new Uint32Array(1);
    p.pack(Uint8Array.from([2, 3, 255, 254, 1, 0, 129, 128]), 0, 8, dst);
    expect(dst[0]).toBe(0b01010110);
  });

  it('unpack inverts pack without touching bytes outside the range', () => {
    const p = new BitPacker(500);
    const src = randomBits(500, 3);
    const words = new Uint32Array(16);
    p.pack(src, 0, 500, words);
    const out = new Uint8Array(510).fill(9);
    p.unpack(words, 497, out, 5);
    expect(Array.from(out.subarray(5, 502))).toEqual(Array.from(src.subarray(0, 497)));
    expect(Array.from(out.subarray(0, 5))).toEqual([9, 9, 9, 9, 9]);
    expect(Array.from(out.subarray(502))).toEqual(new Array(8).fill(9));
  });
});
