// Stage 2 trains only the channel-aware gate, and what it learns is to route away from bad links.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { loadMnist } from '../../src/data/mnist.js';
import { head } from '../../src/data/dataset.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { moeConfigOf } from '../../src/train/train.js';
import { trainStage1 } from '../../src/train/stage1.js';
import { trainStage2 } from '../../src/train/stage2.js';
import { extractFeatures, featureBatch, type FeatureSet } from '../../src/train/features.js';
import { analogLink } from '../../src/link/analog.js';

const cfg: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  inputShape: [32, 32, 1],
  classes: 10,
  stage1Epochs: 2,
  stage2Epochs: 3,
  batchSize: 32,
};

/** Every parameter under the prefixes, concatenated, as plain numbers. */
function snapshot(model: DistributedMoE, prefixes: string[]): number[] {
  return model.params.specs
    .filter((s) => prefixes.some((p) => s.name.startsWith(p)))
    .flatMap((s) => Array.from(model.params.get(s.name).dataSync()));
}

describe('stage 2', () => {
  let model: DistributedMoE;
  let frozenBefore: number[];
  let gateBefore: number[];
  let test: FeatureSet;

  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    const data = await loadMnist();
    const trainSet = head(data.train, 1024);
    const testSet = head(data.test, 256);
    model = new DistributedMoE(moeConfigOf(cfg), cfg.seed);
    trainStage1(model, trainSet, testSet, cfg);
    const train = extractFeatures(model, trainSet);
    test = extractFeatures(model, testSet);
    frozenBefore = snapshot(model, ['backbone/', 'experts/', 'gate/naive/']);
    gateBefore = snapshot(model, ['gate/channel/']);
    trainStage2(model, train, test, analogLink, cfg);
  }, 120_000);

  it('leaves the backbone, the experts and the naive gate bit-identical, and trains the channel-aware gate', () => {
    expect(snapshot(model, ['backbone/', 'experts/', 'gate/naive/'])).toEqual(frozenBefore);
    expect(snapshot(model, ['gate/channel/'])).not.toEqual(gateBefore);
  });

  it.each([0, 1, 2, 3])('the channel-aware gate moves routing weight away from expert %i as its SNR drops (monotone)', (bad) => {
    const K = cfg.experts;
    const sweep = [20, 15, 10, 5, 0, -5, -10];
    const order = Array.from({ length: test.n }, (_, i) => i);
    const share = sweep.map((db) =>
      tf.tidy(() => {
        const f = featureBatch(test, order, 0, test.n);
        const snr = Array.from({ length: test.n * K }, (_, i) => (i % K === bad ? db : 20));
        const logits = model.gateLogits('channel-aware', f, tf.tensor2d(snr, [test.n, K]));
        return tf.mean(tf.softmax(logits), 0).dataSync()[bad];
      }),
    );
    for (let i = 1; i < share.length; i++) expect(share[i]).toBeLessThanOrEqual(share[i - 1] + 1e-6);
    // And it is a real move, not a flat line: at −10 dB the expert keeps under half its 20 dB share.
    expect(share[share.length - 1]).toBeLessThan(share[0] / 2);
  });
});

describe('stage 2 on ResNet-18 (batch norm: running statistics are state, not trained)', () => {
  const small: TrainConfig = { ...cfg, model: 'resnet18', modelOptions: { width: 4, bottleneck: 4 }, stage1Epochs: 1, stage2Epochs: 2 };
  const frozen = ['backbone/', 'experts/', 'gate/naive/'];

  it('leaves every frozen parameter bit-identical, the BN running statistics included', async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    const data = await loadMnist();
    const trainSet = head(data.train, 128);
    const testSet = head(data.test, 64);
    const model = new DistributedMoE(moeConfigOf(small), small.seed);
    const stats = model.params.specs.filter((s) => !s.trainable && frozen.some((p) => s.name.startsWith(p))).map((s) => s.name);
    // The experts' BN statistics too (they are what stage 2 could move by running experts in training mode).
    expect(stats.some((n) => n.startsWith('experts/') && n.endsWith('/moving_mean'))).toBe(true);
    const initial = snapshot(model, stats);
    trainStage1(model, trainSet, testSet, small);
    const afterStage1 = snapshot(model, stats);
    expect(afterStage1).not.toEqual(initial); // stage 1 moved the statistics: they are live state
    const train = extractFeatures(model, trainSet);
    const validation = extractFeatures(model, testSet);
    const before = snapshot(model, frozen);
    trainStage2(model, train, validation, analogLink, small);
    expect(snapshot(model, stats)).toEqual(afterStage1);
    expect(snapshot(model, frozen)).toEqual(before);
    model.dispose();
  }, 120_000);
});
