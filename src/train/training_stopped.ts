/**
 * Thrown by {@link trainMoe} when its `stopRequested` option asked it to stop: the run's state
 * was handed to `onCheckpoint` just before, so the run continues from there (`resume`),
 * bit-identical to one that never stopped. Not an error of the run: the CLI reports it as a stop.
 */
export class TrainingStopped extends Error {
  override name = 'TrainingStopped';

  /**
   * `stage`, `epochs`: the stage and its whole epochs done when it stopped; `step`: the steps of
   * the next epoch done too, when it stopped inside an epoch (stage 1).
   */
  constructor(
    readonly stage: 1 | 2,
    readonly epochs: number,
    readonly step?: number,
  ) {
    super(`training stopped ${TrainingStopped.where(stage, epochs, step)}`);
  }

  /** Where a run stopped: 'after epoch 3 of stage 2', or 'at step 40 of epoch 4 of stage 1'. */
  get at(): string {
    return TrainingStopped.where(this.stage, this.epochs, this.step);
  }

  private static where(stage: 1 | 2, epochs: number, step: number | undefined): string {
    return step ? `at step ${step} of epoch ${epochs + 1} of stage ${stage}` : `after epoch ${epochs} of stage ${stage}`;
  }
}
