import { describe, expect, it } from 'vitest';
import { prepareData, augmenter } from '../../src/train/data_prep.js';
import { augmentationOf, DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { moeConfigOf } from '../../src/train/train.js';
import { channelStatistics } from '../../src/data/normalise.js';
import { SeededRandom } from '../../src/random/seeded.js';
import type { Dataset } from '../../src/data/dataset.js';
import { imageValues } from '../../src/data/pixels.js';
import { InputError } from '../../src/errors.js';
import { byteDataset } from '../helpers/datasets.js';

/** n 2x2x1 images whose pixel bytes all equal the sample index (n ≤ 256), labels i % classes. */
function toySet(n: number, classes = 4): Dataset {
  return byteDataset(n, [2, 2, 1], classes, (i) => i);
}

const cfg: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, inputShape: [2, 2, 1], classes: 4, trainSamples: 80, testSamples: 10 };

describe('training data preparation', () => {
  it('truncates, then holds out a stratified validation split disjoint from train, and leaves test alone', () => {
    const data = { name: 'toy', train: toySet(200), test: toySet(40) };
    const { train, validation, test, normalisation } = prepareData(cfg, data);
    expect([train.n, validation.n, test.n]).toEqual([72, 8, 10]);
    const ids = (ds: Dataset) => Array.from({ length: ds.n }, (_, i) => Math.round(imageValues(ds, i, 1)[0] * 255));
    const all = [...ids(train), ...ids(validation)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 80 }, (_, i) => i)); // the first 80, each exactly once
    expect(Array.from(validation.labels).sort()).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(normalisation).toEqual(channelStatistics(train));
    // Every set is a view of the loaded bytes: nothing is copied.
    for (const part of [train, validation]) expect(part.pixels).toBe(data.train.pixels);
    expect(test.pixels).toBe(data.test.pixels);
    expect(moeConfigOf(cfg, normalisation).inputNormalisation).toEqual({ mean: normalisation!.mean, std: normalisation!.std });
  });

  it('is deterministic for the seed and differs across seeds; fraction 0 keeps every sample for training', () => {
    const data = { name: 'toy', train: toySet(200), test: toySet(40) };
    const images = (c: TrainConfig) => Array.from(imageValues(prepareData(c, data).validation, 0, 8));
    const a = images(cfg);
    expect(images(cfg)).toEqual(a);
    expect(images({ ...cfg, seed: 2 })).not.toEqual(a);
    const none = prepareData({ ...cfg, validationFraction: 0, normalise: false }, data);
    expect([none.train.n, none.validation.n, none.normalisation]).toEqual([80, 0, undefined]);
  });

  it('refuses a run with no training sample left after the validation split', () => {
    const data = { name: 'toy', train: toySet(200), test: toySet(40) };
    const run = () => prepareData({ ...cfg, trainSamples: 1, validationFraction: 0.5 }, data);
    expect(run).toThrow(InputError);
    expect(run).toThrow('no training samples left: validation fraction 0.5 holds out all 1 of them');
  });

  it('augments CIFAR by crop and flip and the padded 28x28 sets not at all, unless told', () => {
    expect(augmentationOf({ augment: 'auto', dataset: 'mnist' })).toBe('none');
    expect(augmentationOf({ augment: 'auto', dataset: 'fashion-mnist' })).toBe('none');
    expect(augmentationOf({ augment: 'auto', dataset: 'cifar100' })).toBe('crop-flip');
    expect(augmentationOf({ augment: 'none', dataset: 'cifar10' })).toBe('none');
    expect(augmentationOf({ augment: 'crop', dataset: 'mnist' })).toBe('crop');
    expect(augmenter('none', new SeededRandom(1))).toBeUndefined();
    // A one-row image under crop-flip: every output is a shifted and/or mirrored copy (zeros entering).
    const image = Float32Array.from({ length: 16 }, (_, i) => i + 1);
    const out = augmenter('crop-flip', new SeededRandom(1))!(image, [1, 4, 4, 1]);
    expect(out).toHaveLength(16);
    expect(Array.from(out)).not.toEqual(Array.from(image));
  });
});
