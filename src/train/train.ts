import type { DatasetSplit } from '../data/dataset.js';
import type { ChannelStatistics } from '../data/normalise.js';
import { prepareData } from './data_prep.js';
import { DistributedMoE } from '../moe/model.js';
import { perfectLink } from '../link/perfect.js';
import type { Link } from '../link/link.js';
import { resolveTrainConfig, type MoeConfig, type ResolvedTrainConfig, type TrainConfig } from './config.js';
import { extractFeatures, type FeatureSet } from './features.js';
import { evaluate, expertSoloAccuracy } from './evaluate.js';
import { trainStage1, type Stage1Epoch } from './stage1.js';
import { trainStage2, type Stage2Epoch } from './stage2.js';
import type { ProgressFn } from './progress.js';

/** What training measured; deterministic for a seed (no timings here). */
export interface TrainMetrics {
  /** The config as trained: every model-dependent setting filled in (see {@link resolveTrainConfig}). */
  config: ResolvedTrainConfig;
  stage1: {
    epochs: Stage1Epoch[];
    /** After stage 1, perfect links, naive gate: share of routing slots per expert. */
    selection: number[];
    /** Each expert's accuracy alone on the test set (perfect link): shows collapse. */
    expertSoloAccuracy: number[];
    testAccuracy: number;
  };
  /** Sizes of the three sets, after truncation and the validation split. */
  samples: { train: number; validation: number; test: number };
  stage2: {
    link: string;
    epochs: Stage2Epoch[];
  };
}

/**
 * The architecture part of a training config, with the input normalisation the model applies
 * (the training set's per-channel statistics; none when omitted).
 */
export function moeConfigOf(cfg: TrainConfig, normalisation?: ChannelStatistics): MoeConfig {
  const { model, dataset, inputShape, classes, experts, topK, snrRange, modelOptions } = cfg;
  return {
    model,
    dataset,
    inputShape,
    classes,
    experts,
    topK,
    snrRange,
    ...(modelOptions ? { modelOptions } : {}),
    ...(normalisation ? { inputNormalisation: { mean: normalisation.mean, std: normalisation.std } } : {}),
  };
}

/**
 * Two-stage training of a distributed MoE on `data`: stage 1 over perfect links (backbone,
 * experts, naive gate), stage 2 over `link` (channel-aware gate only), monitored each epoch on
 * a validation split held out from the training samples (see {@link prepareData}); the test
 * set is left for the final tables. Settings `config` leaves out are its model's (see
 * {@link resolveTrainConfig}); metrics.config records them filled in. Also returns the frozen backbone's features of the three
 * sets.
 */
export function trainMoe(
  config: TrainConfig,
  data: DatasetSplit,
  link: Link,
  progress?: ProgressFn,
): { model: DistributedMoE; metrics: TrainMetrics; features: { train: FeatureSet; validation: FeatureSet; test: FeatureSet } } {
  const cfg = resolveTrainConfig(config);
  const { train, validation, test, normalisation } = prepareData(cfg, data);
  const model = new DistributedMoE(moeConfigOf(cfg, normalisation), cfg.seed);
  const stage1 = trainStage1(model, train, validation, cfg, progress);
  const testFeatures = extractFeatures(model, test, { progress, label: 'features (test)' });
  const trainFeatures = extractFeatures(model, train, { progress, label: 'features (train)' });
  const validationFeatures = extractFeatures(model, validation, { progress, label: 'features (validation)' });
  const perfect = evaluate(model, testFeatures, { gate: 'naive', link: perfectLink, snr: { kind: 'perfect' }, seed: cfg.seed });
  const solo = expertSoloAccuracy(model, testFeatures);
  const stage2 = trainStage2(model, trainFeatures, validationFeatures, link, cfg, progress);
  return {
    model,
    metrics: {
      config: cfg,
      samples: { train: train.n, validation: validation.n, test: test.n },
      stage1: { epochs: stage1, selection: perfect.selection, expertSoloAccuracy: solo, testAccuracy: perfect.accuracy },
      stage2: { link: link.kind, epochs: stage2 },
    },
    // The backbone is frozen after stage 1: these are the features every later stage sees.
    features: { train: trainFeatures, validation: validationFeatures, test: testFeatures },
  };
}
