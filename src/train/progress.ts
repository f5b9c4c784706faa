/** What a training loop reports after each step. */
export interface StepInfo {
  stage: 1 | 2;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  /** Mean loss over the epoch so far. */
  loss: number;
  /** Last measured accuracy (test set, or NaN before the first measurement). */
  accuracy: number;
}

export type ProgressFn = (info: StepInfo) => void;
