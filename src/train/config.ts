import { positiveInt, validateMoeConfig, type MoeConfig } from '../moe/config.js';
import { InputError } from '../errors.js';
import { isSeed } from '../random/hash.js';

/** Everything `wmoe train` needs. */
export interface TrainConfig extends MoeConfig {
  /** An integer in [0, 2^31): every run's randomness derives from it. */
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
  /**
   * Share of the training samples held out (class-stratified, seeded) as the validation set
   * that per-epoch accuracy is measured on, in [0, 0.5]; 0 = none. The test set is only for
   * the final tables.
   */
  validationFraction: number;
  /**
   * Stage-1 augmentation of training images; 'auto' = crop-flip for CIFAR, none for the
   * centred, padded 28x28 sets (MNIST, Fashion-MNIST), where it pays off only in long runs.
   */
  augment: Augmentation | 'auto';
  /** Per-channel input normalisation by the training set's statistics (stored in the model). */
  normalise: boolean;
  /** Where the dataset's files are (see `loadDataset`); recorded so that eval reloads them. */
  dataDir?: string;
  /** CIFAR-100's label set. */
  labels?: 'fine' | 'coarse';
}

/** Stage-1 augmentations: none, random 4-pixel crop, crop plus horizontal flip. */
export const AUGMENTATIONS = ['none', 'crop', 'crop-flip'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

/** The augmentation of cfg.augment, resolving 'auto' by dataset (see {@link TrainConfig.augment}). */
export function augmentationOf(cfg: Pick<TrainConfig, 'augment' | 'dataset'>): Augmentation {
  if (cfg.augment !== 'auto') return cfg.augment;
  return cfg.dataset === 'cifar10' || cfg.dataset === 'cifar100' ? 'crop-flip' : 'none';
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
  validationFraction: 0.1,
  augment: 'auto',
  normalise: true,
};

function fail(message: string): never {
  throw new InputError(message);
}

/** Checks a training config; throws a one-line error naming the first bad value. */
export function validateTrainConfig(c: TrainConfig): void {
  validateMoeConfig(c);
  if (!isSeed(c.seed)) fail(`seed must be an integer in [0, 2147483647], got ${c.seed}`);
  positiveInt('batch size', c.batchSize);
  positiveInt('stage-1 epochs', c.stage1Epochs, 0);
  positiveInt('stage-2 epochs', c.stage2Epochs, 0);
  positiveInt('train samples', c.trainSamples, 0);
  positiveInt('test samples', c.testSamples, 0);
  if (!(c.validationFraction >= 0 && c.validationFraction <= 0.5)) fail(`validation fraction must be in [0, 0.5], got ${c.validationFraction}`);
  if (c.augment !== 'auto' && !(AUGMENTATIONS as readonly string[]).includes(c.augment)) {
    fail(`unknown augmentation '${c.augment}' (known: auto, ${AUGMENTATIONS.join(', ')})`);
  }
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
