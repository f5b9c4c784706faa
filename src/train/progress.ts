import * as tf from '@tensorflow/tfjs-core';

/** What a training loop reports after each step. */
export interface StepInfo {
  stage: 1 | 2;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  /** Mean loss over the epoch so far. */
  loss: number;
  /** Last measured accuracy (validation set; NaN before the first measurement or without one). */
  accuracy: number;
}

export type ProgressFn = (info: StepInfo) => void;

/**
 * Sums an epoch's step losses on the backend (no readback per step) and reports their mean;
 * `mean()` reads back one scalar.
 */
export class EpochLoss {
  private sum = tf.scalar(0);

  /** Adds a step's loss and disposes it. */
  add(cost: tf.Scalar): void {
    const next = tf.add(this.sum, cost) as tf.Scalar;
    this.sum.dispose();
    cost.dispose();
    this.sum = next;
  }

  /** The mean over the first `steps` steps. */
  mean(steps: number): number {
    return this.sum.dataSync()[0] / steps;
  }

  dispose(): void {
    this.sum.dispose();
  }
}
