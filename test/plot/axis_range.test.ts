import { describe, expect, it } from 'vitest';
import { paddedRange } from '../../src/plot/axis_range.js';

describe('paddedRange, linear', () => {
  it('puts the extreme values strictly inside the range (92.5 % is not on the top border)', () => {
    const values = [78.3, 84, 90.1, 92.5];
    const r = paddedRange(values);
    expect(r.lo).toBeLessThan(78.3);
    expect(r.hi).toBeGreaterThan(92.5);
    // Padded by at least 6 % of the span on each side, then rounded out to a tick step.
    const span = 92.5 - 78.3;
    expect(78.3 - r.lo).toBeGreaterThanOrEqual(0.06 * span - 1e-9);
    expect(r.hi - 92.5).toBeGreaterThanOrEqual(0.06 * span - 1e-9);
    expect(r).toEqual({ lo: 75, hi: 95 });
  });

  it('without rounding: exactly the data extent plus the fraction on each side', () => {
    expect(paddedRange([-10, 20], { fraction: 0.05, nice: false })).toEqual({ lo: -11.5, hi: 21.5 });
  });

  it('rounding never crosses natural limits, but the padding may (data at 0 % or 100 % stays off the frame)', () => {
    // 28..94: the nice bottom (20) is above 0, the nice top would be 100: both allowed.
    expect(paddedRange([28, 94], { limits: { lo: 0, hi: 100 } })).toEqual({ lo: 20, hi: 100 });
    // Data at 100: rounding out would give 110 > 100; the padded top (106) is kept instead.
    const top = paddedRange([0, 100], { limits: { lo: 0, hi: 100 } });
    expect(top.lo).toBeCloseTo(-6, 9);
    expect(top.hi).toBeCloseTo(106, 9);
  });

  it('a single value (or equal values) gets a span around it', () => {
    expect(paddedRange([50, 50], { nice: false })).toEqual({ lo: 50 - 5 - 0.6, hi: 50 + 5 + 0.6 });
    const zero = paddedRange([0], { nice: false });
    expect(zero.lo).toBeLessThan(0);
    expect(zero.hi).toBeGreaterThan(0);
  });

  it('ignores non-finite values and refuses when none is left', () => {
    expect(paddedRange([1, Number.NaN, 3, Infinity], { nice: false, fraction: 0 })).toEqual({ lo: 1, hi: 3 });
    expect(() => paddedRange([Number.NaN])).toThrow(/no finite value among 1/);
    expect(() => paddedRange([])).toThrow(/no finite value/);
  });
});

describe('paddedRange, log', () => {
  it('FER = 1 lies below the top of the frame, and the smallest rate above its bottom', () => {
    const r = paddedRange([1, 0.47, 0.035, 1.7e-1, 3.9e-2, 1.0e-3], { log: true });
    expect(r.hi).toBeGreaterThan(1);
    expect(r.lo).toBeLessThan(1e-3);
    // At least 0.12 decade on each side.
    expect(Math.log10(r.hi)).toBeGreaterThanOrEqual(0.12 - 1e-12);
    expect(Math.log10(r.lo)).toBeLessThanOrEqual(-3 - 0.12 + 1e-12);
    // ... and 5 % of the span when that is more.
    const wide = paddedRange([1e-8, 1], { log: true });
    expect(Math.log10(wide.hi)).toBeCloseTo(0.4, 9);
    expect(Math.log10(wide.lo)).toBeCloseTo(-8.4, 9);
  });

  it('drops zeros and negatives (they have no place on a log axis); refuses when nothing is left', () => {
    const r = paddedRange([0, 0.1, -1, 0.01], { log: true });
    expect(r.lo).toBeLessThan(0.01);
    expect(r.lo).toBeGreaterThan(0);
    expect(() => paddedRange([0, 0], { log: true })).toThrow(/no positive finite value among 2/);
  });

  it('a single value gets a decade around it', () => {
    const r = paddedRange([1e-3], { log: true });
    expect(Math.log10(r.lo)).toBeCloseTo(-3.5 - 0.12, 9);
    expect(Math.log10(r.hi)).toBeCloseTo(-2.5 + 0.12, 9);
  });
});
