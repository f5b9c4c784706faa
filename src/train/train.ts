import type { DatasetSplit } from '../data/dataset.js';
import { head } from '../data/dataset.js';
import { DistributedMoE } from '../moe/model.js';
import { perfectLink } from '../link/perfect.js';
import type { Link } from '../link/link.js';
import { validateTrainConfig, type MoeConfig, type TrainConfig } from './config.js';
import { extractFeatures, type FeatureSet } from './features.js';
import { evaluate, expertSoloAccuracy } from './evaluate.js';
import { trainStage1, type Stage1Epoch } from './stage1.js';
import { trainStage2, type Stage2Epoch } from './stage2.js';
import type { ProgressFn } from './progress.js';

/** What training measured; deterministic for a seed (no timings here). */
export interface TrainMetrics {
  config: TrainConfig;
  stage1: {
    epochs: Stage1Epoch[];
    /** After stage 1, perfect links, naive gate: share of routing slots per expert. */
    selection: number[];
    /** Each expert's accuracy alone on the test set (perfect link): shows collapse. */
    expertSoloAccuracy: number[];
    testAccuracy: number;
  };
  stage2: {
    link: string;
    epochs: Stage2Epoch[];
  };
}

/** The architecture part of a training config. */
export function moeConfigOf(cfg: TrainConfig): MoeConfig {
  const { model, dataset, inputShape, classes, experts, topK, snrRange } = cfg;
  return { model, dataset, inputShape, classes, experts, topK, snrRange };
}

/**
 * Two-stage training of a distributed MoE on `data`: stage 1 over perfect links (backbone,
 * experts, naive gate), stage 2 over `link` (channel-aware gate only). Also returns the frozen
 * backbone's features of the (possibly truncated) train and test sets.
 */
export function trainMoe(
  cfg: TrainConfig,
  data: DatasetSplit,
  link: Link,
  progress?: ProgressFn,
): { model: DistributedMoE; metrics: TrainMetrics; features: { train: FeatureSet; test: FeatureSet } } {
  validateTrainConfig(cfg);
  const train = cfg.trainSamples > 0 ? head(data.train, cfg.trainSamples) : data.train;
  const test = cfg.testSamples > 0 ? head(data.test, cfg.testSamples) : data.test;
  const model = new DistributedMoE(moeConfigOf(cfg), cfg.seed);
  const stage1 = trainStage1(model, train, test, cfg, progress);
  const testFeatures = extractFeatures(model, test);
  const trainFeatures = extractFeatures(model, train);
  const perfect = evaluate(model, testFeatures, { gate: 'naive', link: perfectLink, snr: { kind: 'perfect' }, seed: cfg.seed });
  const solo = expertSoloAccuracy(model, testFeatures);
  const stage2 = trainStage2(model, trainFeatures, testFeatures, link, cfg, progress);
  return {
    model,
    metrics: {
      config: cfg,
      stage1: { epochs: stage1, selection: perfect.selection, expertSoloAccuracy: solo, testAccuracy: perfect.accuracy },
      stage2: { link: link.kind, epochs: stage2 },
    },
    // The backbone is frozen after stage 1: these are the features every later stage sees.
    features: { train: trainFeatures, test: testFeatures },
  };
}
