import { intAtLeast, validateMoeConfig, type MoeConfig } from '../moe/config.js';
import { fail } from '../errors.js';
import { isSeed } from '../random/hash.js';
import { modelSpec } from '../models/registry.js';
import type { ModelName } from '../models/backbone.js';
import { channelModelSpecOf, type ChannelSettings } from '../link/channel_settings.js';

/** Everything `wmoe train` needs. */
export interface TrainConfig extends MoeConfig {
  /** An integer in [0, 2^31): every run's randomness derives from it. */
  seed: number;
  batchSize: number;
  stage1Epochs: number;
  stage2Epochs: number;
  /**
   * Adam learning rates of the two stages (peak rates under a schedule). Stage 1's, when left
   * out, is the model's (its registry entry; see {@link modelTrainDefaults}).
   */
  stage1LearningRate?: number;
  stage2LearningRate: number;
  /**
   * How each stage's learning rate moves over its steps: 'constant', or 'cosine' (from the peak
   * to 0 over the steps after the warm-up). Left out: the model's.
   */
  lrSchedule?: LrScheduleKind;
  /** Linear warm-up from 0 to the peak over this many epochs of each stage (≥ 0; fractions allowed). Left out: the model's. */
  warmupEpochs?: number;
  /**
   * Decoupled (AdamW) weight decay: each step, p ← p − lr·wd·p for the weights (kernels,
   * embeddings; not biases, norm scales and shifts, nor BN statistics). Left out: the model's.
   */
  weightDecay?: number;
  /**
   * What each stage ends with: the weights of its 'best' epoch by validation accuracy (the
   * earliest of equals; the last epoch when there is no validation set), or of its 'last'.
   * Default 'best'.
   */
  keepEpoch?: KeepEpoch;
  /** Stage 1: weight of the Switch load-balancing loss K·Σ fᵢPᵢ. */
  stage1LoadBalance: number;
  /**
   * Stage 1: weight of the experts' own loss (mean over experts of each expert's NLL on its
   * own), which keeps every expert competent on every input so that a gate can switch away from
   * an expert with a bad link. 0 gives a plain MoE. Left out: the model's.
   */
  stage1ExpertLoss?: number;
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
  /**
   * The channel model stage 2 trains under (and evaluation defaults to), as the texts of the
   * flags --channel, --coherence, --doppler, --csi, --rx-csi; absent: AWGN with perfect CSI.
   */
  channel?: ChannelSettings;
  /**
   * Stage 2: weight λ of the expected channel uses of the chosen experts (in units of one analog
   * vector, ⌈d/2⌉ uses) added to the loss; 0 or absent: none.
   */
  channelUseWeight?: number;
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

/** Learning-rate schedules (see {@link TrainConfig.lrSchedule}). */
export const LR_SCHEDULES = ['cosine', 'constant'] as const;
export type LrScheduleKind = (typeof LR_SCHEDULES)[number];

/** Which epoch's weights a stage ends with (see {@link TrainConfig.keepEpoch}). */
export const KEEP_EPOCHS = ['best', 'last'] as const;
export type KeepEpoch = (typeof KEEP_EPOCHS)[number];

/** The training settings that depend on the model: its registry entry's, else these. */
export interface ModelTrainDefaults {
  stage1LearningRate: number;
  stage1ExpertLoss: number;
  lrSchedule: LrScheduleKind;
  warmupEpochs: number;
  weightDecay: number;
}

/** The settings of a model whose registry entry gives none (LeNet-5's). */
export const PACKAGE_TRAIN_DEFAULTS: Readonly<ModelTrainDefaults> = {
  stage1LearningRate: 2e-3,
  stage1ExpertLoss: 0.3,
  lrSchedule: 'constant',
  warmupEpochs: 0,
  weightDecay: 0,
};

/** The training settings `model` trains at by default (its registry entry over {@link PACKAGE_TRAIN_DEFAULTS}). */
export function modelTrainDefaults(model: ModelName | string): ModelTrainDefaults {
  const spec = modelSpec(model);
  const out = { ...PACKAGE_TRAIN_DEFAULTS };
  for (const key of Object.keys(out) as (keyof ModelTrainDefaults)[]) {
    if (spec[key] !== undefined) (out as Record<string, unknown>)[key] = spec[key];
  }
  return out;
}

/** A training config with every model-dependent setting filled in. */
export type ResolvedTrainConfig = TrainConfig & ModelTrainDefaults & { keepEpoch: KeepEpoch };

/**
 * `cfg` with each setting it leaves out (undefined) taken from its model's defaults
 * ({@link modelTrainDefaults}), and keepEpoch 'best'; validated (a one-line InputError names
 * the first bad value). Idempotent: what trainMoe, the stages and metrics.json use.
 */
export function resolveTrainConfig(cfg: TrainConfig): ResolvedTrainConfig {
  const defaults = modelTrainDefaults(cfg.model);
  const out = { ...cfg } as ResolvedTrainConfig;
  for (const key of Object.keys(defaults) as (keyof ModelTrainDefaults)[]) {
    if (out[key] === undefined) (out as unknown as Record<string, unknown>)[key] = defaults[key];
  }
  if (out.keepEpoch === undefined) out.keepEpoch = 'best';
  validateTrainConfig(out);
  return out;
}

/**
 * The package's defaults for everything but the data's shape. The model-dependent settings
 * (stage-1 learning rate, expert-loss weight, schedule, warm-up, weight decay) are left out, so
 * that `{ ...DEFAULT_TRAIN_CONFIG, model: 'vit' }` trains at the ViT's (see {@link resolveTrainConfig}).
 */
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
  stage2LearningRate: 3e-3,
  stage1LoadBalance: 1,
  stage2LoadBalance: 0.5,
  stage2Importance: 0.1,
  trainSamples: 0,
  testSamples: 0,
  validationFraction: 0.1,
  augment: 'auto',
  normalise: true,
};

/** Checks a training config; throws a one-line error naming the first bad value. */
export function validateTrainConfig(c: TrainConfig): void {
  validateMoeConfig(c);
  if (!isSeed(c.seed)) fail(`seed must be an integer in [0, 2147483647], got ${c.seed}`);
  intAtLeast('batch size', c.batchSize, 1);
  intAtLeast('stage-1 epochs', c.stage1Epochs, 0);
  intAtLeast('stage-2 epochs', c.stage2Epochs, 0);
  intAtLeast('train samples', c.trainSamples, 0);
  intAtLeast('test samples', c.testSamples, 0);
  if (!(c.validationFraction >= 0 && c.validationFraction <= 0.5)) fail(`validation fraction must be in [0, 0.5], got ${c.validationFraction}`);
  if (c.augment !== 'auto' && !(AUGMENTATIONS as readonly string[]).includes(c.augment)) {
    fail(`unknown augmentation '${c.augment}' (known: auto, ${AUGMENTATIONS.join(', ')})`);
  }
  // Settings left out (undefined) are the model's, checked once resolved.
  for (const [name, v] of [
    ['stage-1 learning rate', c.stage1LearningRate],
    ['stage-2 learning rate', c.stage2LearningRate],
  ] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v <= 0)) fail(`${name} must be a positive number, got ${v}`);
  }
  if (c.lrSchedule !== undefined && !(LR_SCHEDULES as readonly string[]).includes(c.lrSchedule)) {
    fail(`unknown learning-rate schedule '${c.lrSchedule}' (known: ${LR_SCHEDULES.join(', ')})`);
  }
  if (c.keepEpoch !== undefined && !(KEEP_EPOCHS as readonly string[]).includes(c.keepEpoch)) {
    fail(`unknown keep-epoch '${c.keepEpoch}' (known: ${KEEP_EPOCHS.join(', ')})`);
  }
  for (const [name, v] of [
    ['warm-up epochs', c.warmupEpochs],
    ['weight decay', c.weightDecay],
    ['stage-1 load-balance weight', c.stage1LoadBalance],
    ['stage-1 expert-loss weight', c.stage1ExpertLoss],
    ['stage-2 load-balance weight', c.stage2LoadBalance],
    ['stage-2 importance weight', c.stage2Importance],
    ['channel-use weight', c.channelUseWeight],
  ] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) fail(`${name} must be a number ≥ 0, got ${v}`);
  }
  if (c.channel !== undefined) channelModelSpecOf(c.channel);
}
