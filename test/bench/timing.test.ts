// bench/lib/timing.mjs: the one median every bench uses (the true median: the mean of the two
// middle values for an even count, where an earlier copy took the upper middle one), and the
// machine-load snapshot every bench records with its results.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM bench helper without type declarations
import { formatLoad, machineLoad, median, medianOfRounds } from '../../bench/lib/timing.mjs';

describe('median', () => {
  it('takes the middle value of an odd count, in any order', () => {
    expect(median([5])).toBe(5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([3, 100, -2, 7, 4])).toBe(4);
  });

  it('takes the mean of the two middle values of an even count (not the upper one)', () => {
    expect(median([1, 2])).toBe(1.5);
    expect(median([10, 40, 20, 30])).toBe(25);
    expect(median([4, 1, 3, 2, 6, 5])).toBe(3.5);
  });

  it('sorts numerically, not as strings, and leaves its input alone', () => {
    const xs = [100, 9, 20];
    expect(median(xs)).toBe(20);
    expect(xs).toEqual([100, 9, 20]);
  });

  it('refuses an empty list and NaN', () => {
    expect(() => median([])).toThrow(/empty/);
    expect(() => median([1, Number.NaN, 2])).toThrow(/non-number/);
  });

  it('of rounds: the median of the round medians', () => {
    // round medians 2, 25, 7 → 7 (the median of all values would be 8.5)
    expect(medianOfRounds([[1, 2, 3], [10, 40, 20, 30], [7]])).toBe(7);
  });
});

describe('machineLoad', () => {
  it('records the load average, uptime and core count', () => {
    const m = machineLoad();
    expect(m.loadavg).toHaveLength(3);
    expect(m.uptimeSeconds).toBeGreaterThan(0);
    expect(m.cores).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(m.at))).toBe(false);
    expect(formatLoad({ ...m, loadavg: [1.234, 0.5, 0], cores: 2 })).toBe('load 1.23 0.50 0.00 (2 cores)');
  });
});
