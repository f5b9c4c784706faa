import { describe, expect, it } from 'vitest';
import { Rng, dequantize, dequantizeInto, fromBits, fromBitsInto, quantize, quantizeInto, toBits, toBitsInto, type Quantized } from '../../src/channel/index.js';

describe('uniform quantiser', () => {
  const x = new Rng(3).normal(5000).map((v) => v * 3 + 1);

  it('round-trip error is at most half a step for b = 1…16', () => {
    for (let b = 1; b <= 16; b++) {
      const q = quantize(x, b);
      expect(q.bits).toBe(b);
      expect(q.min).toBe(x.reduce((a, v) => Math.min(a, v), Infinity));
      expect(q.max).toBe(x.reduce((a, v) => Math.max(a, v), -Infinity));
      const step = (q.max - q.min) / (2 ** b - 1);
      const y = dequantize(q);
      let worst = 0, topCode = 0;
      for (let i = 0; i < x.length; i++) {
        topCode = Math.max(topCode, q.codes[i]);
        worst = Math.max(worst, Math.abs(y[i] - x[i]));
      }
      expect(topCode).toBe(2 ** b - 1);
      // half a step, plus float32 rounding of the reconstruction
      expect(worst).toBeLessThanOrEqual(step / 2 + 2 ** -23 * Math.max(Math.abs(q.min), Math.abs(q.max)));
      // and the error is not trivially small: codes really are b-bit
      if (b <= 8) expect(worst).toBeGreaterThan(step / 4);
    }
  });

  it('the extremes map to code 0 and 2^b − 1 and reconstruct exactly', () => {
    const v = new Float32Array([-2.5, 0, 0.1, 7.25]);
    const q = quantize(v, 4);
    expect(Array.from(q.codes)).toEqual([0, Math.round(2.5 / (9.75 / 15)), Math.round(2.6 / (9.75 / 15)), 15]);
    const y = dequantize(q);
    expect(y[0]).toBe(-2.5);
    expect(y[3]).toBe(7.25);
  });

  it('a constant vector quantises to zeros and back', () => {
    const q = quantize(new Float32Array(10).fill(0.3), 5);
    expect(Array.from(q.codes)).toEqual(new Array(10).fill(0));
    expect(Array.from(dequantize(q))).toEqual(Array.from(new Float32Array(10).fill(0.3)));
    expect(quantize(new Float32Array(0), 3).codes.length).toBe(0);
  });

  it('toBits/fromBits round-trip exactly, MSB first', () => {
    expect(Array.from(toBits(new Uint16Array([5, 2]), 3))).toEqual([1, 0, 1, 0, 1, 0]);
    expect(Array.from(toBits(new Uint16Array([0x8001]), 16))).toEqual([1, ...new Array(14).fill(0), 1]);
    for (const b of [1, 3, 8, 11, 16]) {
      const q = quantize(x, b);
      const bits = toBits(q.codes, b);
      expect(bits.length).toBe(x.length * b);
      expect(bits.every((v) => v === 0 || v === 1)).toBe(true);
      expect(Array.from(fromBits(bits, b))).toEqual(Array.from(q.codes));
    }
  });

  it('b out of range and other bad inputs → one-line errors naming the value', () => {
    for (const b of [0, 17, 2.5, NaN, -1]) {
      expect(() => quantize(x, b)).toThrow(new RegExp(`^wireless-moe/channel: bits must be an integer in 1…16, got ${b}$`));
      expect(() => toBits(new Uint16Array(1), b)).toThrow(/bits must be an integer in 1…16/);
      expect(() => fromBits(new Uint8Array(4), b)).toThrow(/bits must be an integer in 1…16/);
    }
    expect(() => quantize(new Float32Array([1, NaN]), 4)).toThrow(/x\[1\] = NaN is not finite/);
    expect(() => quantize([1, 2] as unknown as Float32Array, 4)).toThrow(/x must be a Float32Array, got Array/);
    expect(() => toBits(new Uint16Array([8]), 3)).toThrow(/codes\[0\] = 8 does not fit in 3 bits/);
    expect(() => fromBits(new Uint8Array(5), 2)).toThrow(/length 5 is not a multiple of bits = 2/);
    expect(() => fromBits(new Uint8Array([0, 3]), 2)).toThrow(/bitArray\[1\] = 3 is not a bit/);
    expect(() => dequantize({ codes: new Uint16Array([9]), min: 0, max: 1, bits: 3 })).toThrow(/q.codes\[0\] = 9 exceeds 7/);
    expect(() => dequantize({ codes: new Uint16Array(1), min: 2, max: 1, bits: 3 })).toThrow(/min <= max/);
  });

  it('the *Into variants equal the allocating ones and reuse their buffers', () => {
    const q: Quantized = { codes: new Uint16Array(x.length).fill(999), min: 0, max: 0, bits: 1 };
    const bits = new Uint8Array(x.length * 16);
    const back = new Uint16Array(x.length);
    const y = new Float32Array(x.length);
    for (const b of [1, 5, 12, 16]) {
      const want = quantize(x, b);
      expect(quantizeInto(x, b, q)).toBe(q);
      expect([q.min, q.max, q.bits]).toEqual([want.min, want.max, b]);
      expect(Array.from(q.codes)).toEqual(Array.from(want.codes));
      const bv = bits.subarray(0, x.length * b);
      expect(Array.from(toBitsInto(q.codes, b, bv))).toEqual(Array.from(toBits(want.codes, b)));
      expect(Array.from(fromBitsInto(bv, b, back))).toEqual(Array.from(want.codes));
      expect(Array.from(dequantizeInto(q, y))).toEqual(Array.from(dequantize(want)));
    }
    // a constant vector after a varied one: every stale code is cleared
    quantizeInto(new Float32Array(x.length).fill(2), 4, q);
    expect(q.codes.every((c) => c === 0)).toBe(true);
  });

  it('the *Into variants check their output buffers and write nothing on error', () => {
    const q: Quantized = { codes: new Uint16Array(3), min: 0, max: 0, bits: 1 };
    expect(() => quantizeInto(x, 4, q)).toThrow(/q.codes has length 3, expected x.length = 5000/);
    const out = new Uint8Array(6).fill(7);
    expect(() => toBitsInto(new Uint16Array([1, 9]), 3, out)).toThrow(/codes\[1\] = 9 does not fit in 3 bits/);
    expect(Array.from(out)).toEqual([7, 7, 7, 7, 7, 7]);
    expect(() => toBitsInto(new Uint16Array(2), 3, new Uint8Array(5))).toThrow(/6 bytes/);
    const codes = new Uint16Array(2).fill(5);
    expect(() => fromBitsInto(new Uint8Array([0, 1, 2, 0]), 2, codes)).toThrow(/bitArray\[2\] = 2 is not a bit/);
    expect(Array.from(codes)).toEqual([5, 5]);
    expect(() => fromBitsInto(new Uint8Array(4), 2, new Uint16Array(3))).toThrow(/2 codes/);
    expect(() => dequantizeInto({ codes: new Uint16Array(2), min: 0, max: 1, bits: 3 }, new Float32Array(3))).toThrow(/out has length 3/);
  });

  it('codes and reconstructions equal the defining JavaScript formulas exactly (halves round up)', () => {
    const cases = [x, new Float32Array([0, 0.5, 1]), new Float32Array([-1, -1, -1]), new Float32Array(0), new Rng(4).uniform(3001)];
    for (const v of cases) {
      for (const b of [1, 2, 7, 8, 13, 16]) {
        const q = quantize(v, b);
        const levels = 2 ** b - 1;
        let lo = Infinity, hi = -Infinity;
        for (const e of v) { lo = Math.min(lo, e); hi = Math.max(hi, e); }
        if (v.length === 0) lo = hi = 0;
        expect([q.min, q.max]).toEqual([lo, hi]);
        const k = levels / (hi - lo);
        for (let i = 0; i < v.length; i++) {
          const want = hi > lo ? Math.min(levels, Math.round((v[i] - lo) * k)) : 0;
          if (q.codes[i] !== want) throw new Error(`b ${b}: code ${i} is ${q.codes[i]}, want ${want}`);
        }
        const y = dequantize(q);
        const step = (hi - lo) / levels;
        for (let i = 0; i < v.length; i++) {
          if (y[i] !== Math.fround(lo + q.codes[i] * step)) throw new Error(`b ${b}: value ${i} is ${y[i]}`);
        }
      }
    }
    expect(Array.from(quantize(new Float32Array([0, 0.5, 1]), 1).codes)).toEqual([0, 1, 1]); // 0.5 rounds up
  });
});
