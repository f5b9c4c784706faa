// A small LeNet-5 MoE after stage 1 on the first MNIST images, with the frozen backbone's features:
// the starting point of the stage-2, evaluation and sweep tests.
import { tf, wmoe } from './tf.js';
import { loadMnist } from '../../src/data/mnist.js';
import { head, subset } from '../../src/data/dataset.js';
import { DistributedMoE } from '../../src/moe/model.js';
import type { TrainConfig } from '../../src/train/config.js';
import { moeConfigOf } from '../../src/train/train.js';
import { trainStage1 } from '../../src/train/stage1.js';
import { extractFeatures, type FeatureSet } from '../../src/train/features.js';

/** What {@link tinyMoe} gives. */
export interface TinyMoe {
  model: DistributedMoE;
  /** The weights after stage 1 (ParamStore.toFlat): restore them before each stage 2. */
  stage1: Float32Array;
  features: { train: FeatureSet; validation: FeatureSet; test: FeatureSet };
}

/**
 * Stage 1 of `cfg` (LeNet-5-sized) on the first `trainN` MNIST training images (validated on the first
 * `testN` test images), then features of the first `featureTrainN` training images (default trainN),
 * of test images testN…testN+validationN−1 as the validation set, and of the first testN test images.
 * Backend wmoe is made current.
 */
export async function tinyMoe(cfg: TrainConfig, sizes: { trainN: number; testN: number; featureTrainN?: number; validationN?: number }): Promise<TinyMoe> {
  await wmoe();
  await tf.setBackend('wmoe');
  const data = await loadMnist();
  const { trainN, testN } = sizes;
  const model = new DistributedMoE(moeConfigOf(cfg), cfg.seed);
  trainStage1(model, head(data.train, trainN), head(data.test, testN), cfg);
  const validationN = sizes.validationN ?? 64;
  return {
    model,
    stage1: model.params.toFlat(),
    features: {
      train: extractFeatures(model, head(data.train, sizes.featureTrainN ?? trainN)),
      validation: extractFeatures(model, subset(data.test, Array.from({ length: validationN }, (_, i) => testN + i))),
      test: extractFeatures(model, head(data.test, testN)),
    },
  };
}
