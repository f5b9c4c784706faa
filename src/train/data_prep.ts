import { InputError } from '../errors.js';
import type { Dataset, DatasetSplit } from '../data/dataset.js';
import { head } from '../data/dataset.js';
import { splitValidation } from '../data/split.js';
import { channelStatistics, type ChannelStatistics } from '../data/normalise.js';
import { augmentBatch } from '../data/augment.js';
import type { SeededRandom } from '../random/seeded.js';
import { deriveSeed } from '../random/hash.js';
import type { Augmentation, TrainConfig } from './config.js';

/** The three sets a training run uses: train (stage 1 and 2), validation (per-epoch monitoring), test (final tables only). */
export interface PreparedData {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
  /** Per-channel statistics of `train`, which the model applies to its input (absent when cfg.normalise is off). */
  normalisation?: ChannelStatistics;
}

/**
 * Truncates train and test to cfg.trainSamples / cfg.testSamples (0 = all), holds out a
 * class-stratified validation split of cfg.validationFraction from the training samples
 * (seeded by cfg.seed), and measures the per-channel input statistics on what remains for
 * training. The sets are views of `data` (no image is copied). Deterministic for the config.
 * InputError when no training sample is left.
 */
export function prepareData(cfg: TrainConfig, data: DatasetSplit): PreparedData {
  const all = cfg.trainSamples > 0 ? head(data.train, cfg.trainSamples) : data.train;
  const test = cfg.testSamples > 0 ? head(data.test, cfg.testSamples) : data.test;
  const { train, validation } =
    cfg.validationFraction > 0 ? splitValidation(all, cfg.validationFraction, deriveSeed(cfg.seed, 0x7a11d)) : { train: all, validation: head(all, 0) };
  if (train.n === 0) {
    throw new InputError(`no training samples left: validation fraction ${cfg.validationFraction} holds out all ${all.n} of them`);
  }
  return { train, validation, test, normalisation: cfg.normalise ? channelStatistics(train) : undefined };
}

/**
 * The augmentation stage 1 applies to a batch of training images [n, H, W, C] (in place of
 * the batch array), or undefined for none: 'crop' is a random crop after 4-pixel zero
 * padding, 'crop-flip' adds a left-right mirror with probability 1/2. Draws from `rng`.
 */
export function augmenter(kind: Augmentation, rng: SeededRandom): ((images: Float32Array, shape: [number, number, number, number]) => Float32Array) | undefined {
  if (kind === 'none') return undefined;
  return (images, shape) => augmentBatch(images, shape, rng, { pad: 4, flip: kind === 'crop-flip' });
}
