import { describe, expect, it } from 'vitest';
import { Rng, addNoise, awgn, awgnComplex } from '../../src/channel/index.js';

function variance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

describe('awgn / awgnComplex', () => {
  const n = 1 << 20;
  const signal = new Rng(1).uniform(n).map((u) => (u < 0.5 ? -1 : 1));

  it('real AWGN: noise variance 10^(−SNR/10) per sample', () => {
    for (const snr of [-3, 0, 10, 20]) {
      const v = variance(awgn(signal, snr, 11), signal);
      const s2 = 10 ** (-snr / 10);
      expect(Math.abs(v / s2 - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    }
  });

  it('complex AWGN: 10^(−SNR/10)/2 per real dimension (Es/N0 with Es = 1)', () => {
    for (const snr of [0, 7]) {
      const v = variance(awgnComplex(signal, snr, 12), signal);
      const s2 = 10 ** (-snr / 10) / 2;
      expect(Math.abs(v / s2 - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    }
  });

  it('noise is σ times the seed’s normal stream, bit for bit, for any length', () => {
    for (const len of [0, 1, 7, 8, 9, 16385, 40001]) {
      const x = signal.subarray(0, len);
      const y = awgn(x, 5, 77);
      const z = new Rng(77).normal(len);
      const sigma = Math.fround(Math.sqrt(10 ** -0.5));
      for (let i = 0; i < len; i++) {
        if (y[i] !== Math.fround(x[i] + Math.fround(sigma * z[i]))) throw new Error(`len ${len}: mismatch at ${i}`);
      }
    }
  });

  it('same seed → bit-identical output; different seeds differ; input untouched', () => {
    const copy = signal.slice();
    const a = awgn(signal, 3, 5), b = awgn(signal, 3, 5), c = awgn(signal, 3, 6);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
    expect(Buffer.from(signal.buffer).equals(Buffer.from(copy.buffer))).toBe(true);
  });

  it('an Rng source continues its stream across calls', () => {
    const x = new Float32Array(1000);
    const r = new Rng(9);
    const first = addNoise(x.subarray(0, 333), 1, r);
    const second = addNoise(x.subarray(333), 1, r);
    const whole = new Rng(9).normal(1000);
    expect(Array.from(first)).toEqual(Array.from(whole.subarray(0, 333)));
    expect(Array.from(second)).toEqual(Array.from(whole.subarray(333)));
  });

  it('bad inputs → one-line errors naming the value', () => {
    const x = new Float32Array([1, -1, 1, -1]);
    const oneLine = /^[^\n]+$/;
    expect(() => awgn(x, NaN, 1)).toThrow(/snrDb must be a finite number, got NaN/);
    expect(() => awgn(x, Infinity, 1)).toThrow(/snrDb must be a finite number, got Infinity/);
    expect(() => awgn(x, -Infinity, 1)).toThrow(oneLine);
    expect(() => awgn(new Float32Array([1, NaN]), 0, 1)).toThrow(/signal\[1\] = NaN is not finite/);
    expect(() => awgn(new Float32Array(40000).fill(1).fill(Infinity, 39999), 0, 1)).toThrow(/signal\[39999\] = Infinity/);
    expect(() => awgnComplex(new Float32Array(3), 0, 1)).toThrow(/odd length 3/);
    expect(() => awgnComplex(new Float32Array([0, -Infinity]), 0, 1)).toThrow(/iq\[1\] = -Infinity/);
    expect(() => awgn([1, 2] as unknown as Float32Array, 0, 1)).toThrow(/signal must be a Float32Array, got Array/);
    expect(() => awgn(x, 0, -2)).toThrow(/seed must be .* got -2/);
    expect(() => awgn(x, -1000, 1)).toThrow(/snrDb = -1000 .*float32/);
    expect(() => addNoise(x, -1, 1)).toThrow(/sigma .* -1/);
  });
});
