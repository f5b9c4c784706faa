import { describe, expect, it, beforeAll } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { loadMnist } from '../../src/data/mnist.js';
import { trainMoe } from '../../src/train/train.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { analogLink } from '../../src/link/analog.js';
import { writeRunDirectory, loadCheckpoint } from '../../src/train/checkpoint.js';
import { tempDir } from '../helpers/cli.js';
import { join } from 'node:path';

const cfg: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  inputShape: [32, 32, 1],
  classes: 10,
  trainSamples: 1024,
  testSamples: 256,
  stage1Epochs: 2,
  stage2Epochs: 1,
  batchSize: 32,
};

describe('two-stage training', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('learns MNIST well above chance, logs selection and solo accuracy, and round-trips a checkpoint', async () => {
    const data = await loadMnist();
    expect(data.train.n + data.test.n).toBe(10_000);
    const { model, metrics } = trainMoe(cfg, data, analogLink);
    expect(metrics.stage1.epochs).toHaveLength(2);
    expect(metrics.stage1.epochs[1].loss).toBeLessThan(metrics.stage1.epochs[0].loss);
    expect(metrics.stage1.testAccuracy).toBeGreaterThan(0.6);
    expect(metrics.stage1.selection.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(metrics.stage1.expertSoloAccuracy).toHaveLength(4);
    expect(metrics.stage2.epochs[0].validationAccuracy).toBeGreaterThan(0.5);

    const dir = join(tempDir(), 'ckpt');
    writeRunDirectory(dir, model, { train: cfg }, { 'metrics.json': JSON.stringify(metrics) });
    const { model: loaded } = loadCheckpoint(dir);
    expect(Array.from(loaded.params.toFlat())).toEqual(Array.from(model.params.toFlat()));
    loaded.dispose();
    model.dispose();
  });
});
