import * as tf from '@tensorflow/tfjs-core';

/**
 * What a training loop reports: `kind: 'step'` after each optimisation step, and
 * `kind: 'epoch'` once an epoch is over and its validation accuracy measured.
 */
export interface StepInfo {
  kind: 'step' | 'epoch';
  stage: 1 | 2;
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** Steps done in this epoch (1-based; `steps` at the end of the epoch). */
  step: number;
  steps: number;
  /** Samples (images) done in this epoch, including this step's batch. */
  samples: number;
  /** Samples in this step's batch (an epoch event: in the epoch's last batch). */
  batch: number;
  /** Samples in one epoch (the training set's size). */
  samplesPerEpoch: number;
  /** Mean loss over the epoch so far. */
  loss: number;
  /** Last measured accuracy (validation set; NaN before the first measurement or without one). */
  accuracy: number;
}

/**
 * A phase of work that is not a training step: feature extraction, an evaluation. Reported
 * with done = 0 when it starts, then as it goes, and with done = total when it ends.
 */
export interface PhaseInfo {
  kind: 'phase';
  /** What is being done, e.g. "features (train)" or "evaluate naive, perfect links". */
  label: string;
  /** Units done so far. */
  done: number;
  total: number;
  /** What is counted, plural: "images", "evaluations". */
  unit: string;
}

/** One progress event. */
export type ProgressEvent = StepInfo | PhaseInfo;

/** Receives progress events; it must not throw. */
export type ProgressFn = (event: ProgressEvent) => void;

/**
 * Sums an epoch's step losses on the backend and reports their mean; `mean()` reads back one
 * scalar (reading does not change the sum, so reading every step gives the same final mean).
 */
export class EpochLoss {
  private total: tf.Scalar;

  /** Starts from `initial` (a sum saved inside an epoch; float32). */
  constructor(initial = 0) {
    this.total = tf.scalar(initial);
  }

  /** Adds a step's loss and disposes it. */
  add(cost: tf.Scalar): void {
    const next = tf.add(this.total, cost) as tf.Scalar;
    this.total.dispose();
    cost.dispose();
    this.total = next;
  }

  /** The mean over the first `steps` steps. */
  mean(steps: number): number {
    return this.total.dataSync()[0] / steps;
  }

  /** The sum of the losses added so far (float32). */
  sum(): number {
    return this.total.dataSync()[0];
  }

  dispose(): void {
    this.total.dispose();
  }
}
