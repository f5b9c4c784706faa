import { describe, expect, it } from 'vitest';
import { formatLinearTick, formatLogTick, formatRate, linearTicks, logMinorTicks, logTicks, niceStep } from '../../src/plot/axis_ticks.js';

describe('niceStep', () => {
  it('is 1, 2 or 5 times a power of ten, the smallest that splits the span into at most `count` intervals', () => {
    expect(niceStep(30, 6)).toBe(5);
    expect(niceStep(31.8, 6)).toBe(10);
    expect(niceStep(3, 6)).toBe(0.5);
    expect(niceStep(3.24, 6)).toBe(1);
    expect(niceStep(15, 6)).toBe(5);
    expect(niceStep(12, 6)).toBe(2);
    expect(niceStep(0.07, 7)).toBe(0.01);
    for (const span of [0.013, 0.7, 1, 9.99, 47, 120, 3.3e5]) {
      const s = niceStep(span, 6);
      expect(span / s).toBeLessThanOrEqual(6 + 1e-9);
      const mantissa = s / 10 ** Math.floor(Math.log10(s));
      expect([1, 2, 5]).toContain(Number(mantissa.toPrecision(6)));
    }
  });

  it('refuses a span that is not finite and positive', () => {
    expect(() => niceStep(0)).toThrow(/span/);
    expect(() => niceStep(Number.NaN)).toThrow(/span/);
  });
});

describe('linearTicks', () => {
  it('gives the multiples of the step inside the range, without float noise', () => {
    expect(linearTicks(-10.9, 20.9, 7)).toEqual([-10, -5, 0, 5, 10, 15, 20]);
    expect(linearTicks(-10.9, 20.9, 6)).toEqual([-10, 0, 10, 20]);
    expect(linearTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(linearTicks(75, 95, 4)).toEqual([75, 80, 85, 90, 95]);
  });

  it('refuses an empty range', () => {
    expect(() => linearTicks(2, 2)).toThrow(/lo < hi/);
  });
});

describe('logTicks', () => {
  it('gives the powers of ten inside the range', () => {
    expect(logTicks(3e-4, 1.3)).toEqual([1e-3, 1e-2, 1e-1, 1]);
    expect(logTicks(1e-3, 1)).toEqual([1e-3, 1e-2, 1e-1, 1]);
  });

  it('falls back to 1-2-5 ticks when fewer than two decades lie inside', () => {
    expect(logTicks(0.15, 0.9)).toEqual([0.2, 0.5]);
    expect(logTicks(0.3, 3)).toEqual([0.5, 1, 2]);
  });

  it('minor ticks are 2..9 times a power of ten, inside, and not on a major tick', () => {
    const major = logTicks(3e-3, 0.2);
    expect(major).toEqual([1e-2, 1e-1]);
    const minor = logMinorTicks(3e-3, 0.2, major);
    expect(minor).toEqual([3e-3, 4e-3, 5e-3, 6e-3, 7e-3, 8e-3, 9e-3, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.2]);
  });
});

describe('tick labels', () => {
  it('linear: the decimals the step needs, and a typographic minus', () => {
    expect(formatLinearTick(-10, 5)).toBe('\u221210');
    expect(formatLinearTick(0.5, 0.5)).toBe('0.5');
    expect(formatLinearTick(1, 0.25)).toBe('1.00');
    expect(formatLinearTick(82.5, 2.5)).toBe('82.5');
    expect(formatLinearTick(80, 2.5)).toBe('80.0');
    expect(formatLinearTick(-1e-17, 0.1)).toBe('0.0');
  });

  it('log: superscript powers of ten, with a mantissa when it is not 1', () => {
    expect(formatLogTick(1e-3)).toBe('10⁻³');
    expect(formatLogTick(1)).toBe('10⁰');
    expect(formatLogTick(10)).toBe('10¹');
    expect(formatLogTick(0.2)).toBe('2·10⁻¹');
    expect(formatLogTick(5e-5)).toBe('5·10⁻⁵');
  });

  it('rates in notes: 3 significant digits, powers of ten below 0.01', () => {
    expect(formatRate(0.0074614)).toBe('7.46·10⁻³');
    expect(formatRate(0.0099999)).toBe('0.01');
    expect(formatRate(0.125)).toBe('0.125');
    expect(formatRate(0)).toBe('0');
  });
});
