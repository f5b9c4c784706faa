import type { LrScheduleKind } from './config.js';

/** A stage's learning-rate schedule: its peak rate, its length and warm-up in steps, and its shape. */
export interface LrSchedule {
  kind: LrScheduleKind;
  /** The peak rate (the stage's configured learning rate). */
  peak: number;
  /** Steps in the whole stage (epochs · steps per epoch). */
  totalSteps: number;
  /** Steps of linear warm-up at the start (≤ totalSteps). */
  warmupSteps: number;
}

/**
 * The schedule of a stage of `epochs` epochs of `stepsPerEpoch` steps at peak rate `peak`, with
 * `warmupEpochs` (≥ 0, fractions allowed) of warm-up rounded to whole steps and capped at the stage.
 */
export function stageSchedule(kind: LrScheduleKind, peak: number, epochs: number, stepsPerEpoch: number, warmupEpochs: number): LrSchedule {
  const totalSteps = epochs * stepsPerEpoch;
  return { kind, peak, totalSteps, warmupSteps: Math.min(totalSteps, Math.round(warmupEpochs * stepsPerEpoch)) };
}

/**
 * The learning rate of 0-based step t: during warm-up (t < W) it rises linearly,
 * peak·(t + 1)/W, reaching the peak at the warm-up's last step; after it, 'constant' stays at
 * the peak and 'cosine' follows peak·(1 + cos(π·(t − W)/(T − W)))/2 from the peak at t = W
 * towards 0 at t = T (T = totalSteps; the last step, t = T − 1, is just above 0).
 */
export function learningRateAt(s: LrSchedule, t: number): number {
  if (t < s.warmupSteps) return (s.peak * (t + 1)) / s.warmupSteps;
  if (s.kind === 'constant') return s.peak;
  const span = s.totalSteps - s.warmupSteps;
  return span > 0 ? (s.peak * (1 + Math.cos((Math.PI * (t - s.warmupSteps)) / span))) / 2 : s.peak;
}
