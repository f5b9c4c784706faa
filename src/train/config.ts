import { positiveInt, validateMoeConfig, type MoeConfig } from '../moe/config.js';
import { InputError } from '../errors.js';

/** Everything `wmoe train` needs. */
export interface TrainConfig extends MoeConfig {
  seed: number;
  batchSize: number;
  stage1Epochs: number;
  stage2Epochs: number;
  /** Adam learning rates of the two stages. */
  stage1LearningRate: number;
  stage2LearningRate: number;
  /** Stage 1: weight of the Switch load-balancing loss K·Σ fᵢPᵢ. */
  stage1LoadBalance: number;
  /**
   * Stage 1: weight of the experts' own loss (mean over experts of each expert's NLL on its
   * own), which keeps every expert competent on every input so that a gate can switch away from
   * an expert with a bad link. 0 gives a plain MoE.
   */
  stage1ExpertLoss: number;
  /** Stage 2 regulariser: load balancing weight and importance (CV²) weight. */
  stage2LoadBalance: number;
  stage2Importance: number;
  /** Use only the first N training / test samples (0 = all); for tests and quick runs. */
  trainSamples: number;
  testSamples: number;
}

export type { MoeConfig };

export const DEFAULT_TRAIN_CONFIG: Omit<TrainConfig, 'inputShape' | 'classes'> = {
  model: 'lenet5',
  dataset: 'mnist',
  experts: 4,
  topK: 2,
  snrRange: [-10, 20],
  seed: 1,
  batchSize: 64,
  stage1Epochs: 4,
  stage2Epochs: 4,
  stage1LearningRate: 2e-3,
  stage2LearningRate: 3e-3,
  stage1LoadBalance: 1,
  stage1ExpertLoss: 0.3,
  stage2LoadBalance: 0.5,
  stage2Importance: 0.1,
  trainSamples: 0,
  testSamples: 0,
};

function fail(message: string): never {
  throw new InputError(message);
}

/** Checks a training config; throws a one-line error naming the first bad value. */
export function validateTrainConfig(c: TrainConfig): void {
  validateMoeConfig(c);
  positiveInt('seed', c.seed, 0);
  positiveInt('batch size', c.batchSize);
  positiveInt('stage-1 epochs', c.stage1Epochs, 0);
  positiveInt('stage-2 epochs', c.stage2Epochs, 0);
  positiveInt('train samples', c.trainSamples, 0);
  positiveInt('test samples', c.testSamples, 0);
  for (const [name, v] of [
    ['stage-1 learning rate', c.stage1LearningRate],
    ['stage-2 learning rate', c.stage2LearningRate],
  ] as const) {
    if (!Number.isFinite(v) || v <= 0) fail(`${name} must be a positive number, got ${v}`);
  }
  for (const [name, v] of [
    ['stage-1 load-balance weight', c.stage1LoadBalance],
    ['stage-1 expert-loss weight', c.stage1ExpertLoss],
    ['stage-2 load-balance weight', c.stage2LoadBalance],
    ['stage-2 importance weight', c.stage2Importance],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) fail(`${name} must be a number ≥ 0, got ${v}`);
  }
}
