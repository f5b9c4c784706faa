import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/channel/index.js';
import { BitSource } from '../../src/sim/index.js';

describe('BitSource', () => {
  it('bits are the generator outputs, least significant bit first', () => {
    const r = new Rng(42);
    const words = [r.nextU32(), r.nextU32(), r.nextU32()];
    const bits = new BitSource(42).fill(new Uint8Array(96));
    for (let i = 0; i < 96; i++) expect(bits[i]).toBe((words[i >> 5] >>> (i & 31)) & 1);
  });

  it('long fills (expanded in WASM) are the generator outputs too', () => {
    const r = new Rng(43);
    const bits = new BitSource(43).fill(new Uint8Array(100003));
    for (let w = 0; w * 32 < bits.length; w++) {
      const x = r.nextU32();
      for (let j = 0; j < 32 && w * 32 + j < bits.length; j++) {
        if (bits[w * 32 + j] !== ((x >>> j) & 1)) throw new Error(`bit ${w * 32 + j} differs`);
      }
    }
  });

  it('the stream continues across calls of any size', () => {
    const whole = new BitSource(7).fill(new Uint8Array(71004));
    const s = new BitSource(7);
    const parts = [1, 30, 33, 0, 64, 5, 867, 70001, 3].map((n) => Array.from(s.fill(new Uint8Array(n))));
    expect(parts.flat()).toEqual(Array.from(whole));
  });

  it('is balanced (within 4 standard deviations) and seed-dependent', () => {
    const n = 1 << 20;
    const bits = new BitSource(3).fill(new Uint8Array(n));
    let ones = 0;
    for (let i = 0; i < n; i++) ones += bits[i];
    expect(Math.abs(ones - n / 2)).toBeLessThan(4 * Math.sqrt(n / 4));
    expect(Array.from(new BitSource(4).fill(new Uint8Array(64)))).not.toEqual(Array.from(bits.subarray(0, 64)));
  });
});
