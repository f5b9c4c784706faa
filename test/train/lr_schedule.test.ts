import { describe, expect, it } from 'vitest';
import { learningRateAt, stageSchedule } from '../../src/train/lr_schedule.js';

describe('learning-rate schedule', () => {
  it('constant without warm-up is the peak at every step', () => {
    const s = stageSchedule('constant', 3e-3, 4, 10, 0);
    for (let t = 0; t < 40; t++) expect(learningRateAt(s, t)).toBe(3e-3);
  });

  it('warms up linearly, reaching the peak at the last warm-up step', () => {
    const s = stageSchedule('constant', 1e-3, 4, 10, 1);
    expect(s.warmupSteps).toBe(10);
    expect(learningRateAt(s, 0)).toBeCloseTo(1e-4, 15);
    expect(learningRateAt(s, 4)).toBeCloseTo(5e-4, 15);
    expect(learningRateAt(s, 9)).toBe(1e-3);
    expect(learningRateAt(s, 10)).toBe(1e-3);
  });

  it('cosine after warm-up matches the closed form η(t) = η·(1 + cos(π(t − W)/(T − W)))/2', () => {
    const peak = 2e-3, T = 5 * 8, W = Math.round(0.5 * 8);
    const s = stageSchedule('cosine', peak, 5, 8, 0.5);
    expect(s).toMatchObject({ totalSteps: T, warmupSteps: W });
    for (let t = W; t < T; t++) {
      const closed = (peak / 2) * (1 + Math.cos((Math.PI * (t - W)) / (T - W)));
      expect(learningRateAt(s, t)).toBeCloseTo(closed, 15);
    }
    expect(learningRateAt(s, W)).toBe(peak);
    // Halfway through the decay: half the peak; the last step: just above 0; monotone down.
    expect(learningRateAt(s, W + (T - W) / 2)).toBeCloseTo(peak / 2, 15);
    expect(learningRateAt(s, T - 1)).toBeGreaterThan(0);
    expect(learningRateAt(s, T - 1)).toBeLessThan(peak * 0.01);
    for (let t = W + 1; t < T; t++) expect(learningRateAt(s, t)).toBeLessThan(learningRateAt(s, t - 1));
  });

  it('caps the warm-up at the stage (a warm-up longer than the stage only warms up)', () => {
    const s = stageSchedule('cosine', 1e-3, 2, 5, 3);
    expect(s.warmupSteps).toBe(10);
    expect(learningRateAt(s, 9)).toBe(1e-3);
    expect(learningRateAt(s, 4)).toBeCloseTo(5e-4, 15);
  });
});
