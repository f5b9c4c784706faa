// A stage ends on its best epoch's weights (by validation accuracy), and metrics say which.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { loadMnist } from '../../src/data/mnist.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { DEFAULT_TRAIN_CONFIG, type KeepEpoch, type TrainConfig } from '../../src/train/config.js';
import { prepareData, type PreparedData } from '../../src/train/data_prep.js';
import { moeConfigOf } from '../../src/train/train.js';
import { trainStage1, type Stage1Epoch } from '../../src/train/stage1.js';
import { keptEpochOf } from '../../src/train/stage_run.js';

const cfg: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  inputShape: [32, 32, 1],
  classes: 10,
  trainSamples: 256,
  testSamples: 64,
  stage1Epochs: 4,
  batchSize: 32,
  seed: 3,
  augment: 'crop-flip',
  lrSchedule: 'cosine',
  warmupEpochs: 1,
  weightDecay: 0.01,
};

const rec = (epoch: number, validationAccuracy: number) => ({ epoch, loss: 1, validationAccuracy });

describe('keeping the best epoch', () => {
  it('keptEpochOf: the earliest epoch of the highest accuracy under best; the last under last or without accuracies', () => {
    const h = [rec(1, 0.5), rec(2, 0.7), rec(3, 0.7), rec(4, 0.6)];
    expect(keptEpochOf(h, 'best')).toBe(2);
    expect(keptEpochOf(h, 'last')).toBe(4);
    expect(keptEpochOf([rec(1, NaN), rec(2, NaN)], 'best')).toBe(2);
    expect(keptEpochOf([], 'best')).toBe(0);
  });

  describe('stage 1', () => {
    let data: PreparedData;
    const run = (keep: KeepEpoch) => {
      const model = new DistributedMoE(moeConfigOf(cfg, data.normalisation), cfg.seed);
      const perEpoch: Float32Array[] = [];
      const history: Stage1Epoch[] = trainStage1(model, data.train, data.validation, { ...cfg, keepEpoch: keep }, undefined, {
        onEpoch: () => perEpoch.push(model.params.toFlat()),
      });
      const final = model.params.toFlat();
      model.dispose();
      return { history, perEpoch, final };
    };

    beforeAll(async () => {
      await wmoe();
      await tf.setBackend('wmoe');
      data = prepareData(cfg, await loadMnist());
    });

    it("ends on the best epoch's weights (every parameter) under 'best', on the last epoch's under 'last'", () => {
      const last = run('last');
      const best = run('best');
      expect(best.history).toEqual(last.history);
      const kept = keptEpochOf(best.history, 'best');
      // The fixture is chosen so that the best epoch is not the last one.
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(cfg.stage1Epochs);
      expect(Buffer.from(best.final.buffer)).toEqual(Buffer.from(last.perEpoch[kept - 1].buffer));
      expect(Buffer.from(last.final.buffer)).toEqual(Buffer.from(last.perEpoch[cfg.stage1Epochs - 1].buffer));
      expect(Buffer.from(best.final.buffer)).not.toEqual(Buffer.from(last.final.buffer));
    }, 120_000);
  });
});
