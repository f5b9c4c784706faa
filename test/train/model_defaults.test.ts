// The library applies each model's training defaults from the registry: a config that leaves
// them out (as DEFAULT_TRAIN_CONFIG does) trains exactly as one that spells out the registry's.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe, randomValues } from '../helpers/tf.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { modelSpec } from '../../src/models/registry.js';
import { MODEL_NAMES } from '../../src/models/backbone.js';
import { stage1Step } from '../../src/train/stage1.js';
import { DEFAULT_TRAIN_CONFIG, modelTrainDefaults, resolveTrainConfig, type TrainConfig } from '../../src/train/config.js';

const small: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  model: 'resnet18', dataset: 'cifar10', inputShape: [16, 16, 3], classes: 10, experts: 2, topK: 1,
  modelOptions: { width: 4, bottleneck: 4 },
};

/** The model's parameters after two stage-1 steps on a fixed batch under `cfg`. */
function twoSteps(cfg: TrainConfig): Float32Array {
  const model = new DistributedMoE(cfg, 5);
  const step = stage1Step(model, cfg);
  const xs = tf.tensor4d(randomValues(4 * 16 * 16 * 3, 9), [4, 16, 16, 3]);
  const ys = tf.tensor1d([0, 1, 2, 3], 'int32');
  for (let s = 0; s < 2; s++) step(xs, ys, s).dispose();
  const flat = model.params.toFlat();
  xs.dispose();
  ys.dispose();
  step.dispose();
  model.dispose();
  return flat;
}

describe("each model's training defaults", () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it.each(MODEL_NAMES)('resolveTrainConfig fills in the registry entry of %s (DEFAULT_TRAIN_CONFIG carries none)', (model) => {
    const spec = modelSpec(model);
    const cfg = resolveTrainConfig({ ...DEFAULT_TRAIN_CONFIG, model, inputShape: [32, 32, 3], classes: 10 });
    expect(cfg.stage1LearningRate).toBe(spec.stage1LearningRate ?? 2e-3);
    expect(cfg.stage1ExpertLoss).toBe(spec.stage1ExpertLoss ?? 0.3);
    expect(cfg).toMatchObject(modelTrainDefaults(model));
    // A value given wins over the model's.
    expect(resolveTrainConfig({ ...cfg, stage1LearningRate: 7e-4 }).stage1LearningRate).toBe(7e-4);
  });

  it("stage1Step on { ...DEFAULT_TRAIN_CONFIG, model: 'resnet18' } trains at the registry's learning rate and expert-loss weight", () => {
    const spec = modelSpec('resnet18');
    expect(spec.stage1LearningRate).toBe(1e-3);
    expect(spec.stage1ExpertLoss).toBe(1);
    const implicit = twoSteps(small);
    const explicit = twoSteps({ ...small, stage1LearningRate: 1e-3, stage1ExpertLoss: 1 });
    const packageDefaults = twoSteps({ ...small, stage1LearningRate: 2e-3, stage1ExpertLoss: 0.3 });
    expect(Buffer.compare(Buffer.from(implicit.buffer), Buffer.from(explicit.buffer))).toBe(0);
    expect(Buffer.compare(Buffer.from(implicit.buffer), Buffer.from(packageDefaults.buffer))).not.toBe(0);
  });
});
