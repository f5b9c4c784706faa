import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { loadMnist } from '../../src/data/mnist.js';
import { channelStatistics } from '../../src/data/normalise.js';
import { imageValues } from '../../src/data/pixels.js';
import { prepareData } from '../../src/train/data_prep.js';
import { DEFAULT_TRAIN_CONFIG } from '../../src/train/config.js';
import { imageArray } from '../../src/train/features.js';
import { SeededRandom } from '../../src/random/seeded.js';
import { expectSameFloats } from '../helpers/datasets.js';

/**
 * The old path, verbatim: the package's float values, each digit padded into a float32 32x32
 * image, train/test split by i % 5 == 4, class-interleaved.
 */
function oldMnist(): { train: { images: Float32Array; labels: number[] }; test: { images: Float32Array; labels: number[] } } {
  const require = createRequire(import.meta.url);
  const perClass = Array.from({ length: 10 }, (_, c) => Float32Array.from((require(`mnist/src/digits/${c}.json`) as { data: number[] }).data));
  const items: { train: number[][]; test: number[][] } = { train: [], test: [] };
  const counts = perClass.map((a) => a.length / 784);
  for (let i = 0; i < Math.max(...counts); i++) for (let c = 0; c < 10; c++) if (i < counts[c]) items[i % 5 === 4 ? 'test' : 'train'].push([c, i]);
  const build = (list: number[][]) => {
    const images = new Float32Array(list.length * 1024);
    list.forEach(([c, i], s) => {
      for (let y = 0; y < 28; y++) images.set(perClass[c].subarray(i * 784 + y * 28, i * 784 + y * 28 + 28), s * 1024 + (y + 2) * 32 + 2);
    });
    return { images, labels: list.map(([c]) => c) };
  };
  return { train: build(items.train), test: build(items.test) };
}

describe('loadMnist', () => {
  it('holds one byte per pixel, and every image reads back as exactly the package\'s float32 values', async () => {
    const data = await loadMnist();
    const old = oldMnist();
    for (const part of ['train', 'test'] as const) {
      const ds = data[part];
      expect(ds.pixels).toBeInstanceOf(Uint8Array);
      expect(ds.pixels.length).toBe(ds.n * 1024);
      expect(Array.from(ds.labels)).toEqual(old[part].labels);
      expectSameFloats(imageValues(ds, 0, ds.n), old[part].images, part);
    }
    expect([data.train.n, data.test.n]).toEqual([8004, 1996]);
  });

  it('gives a training run the batches, views and input statistics of the old float32 path, bit for bit', async () => {
    const data = await loadMnist();
    const old = oldMnist();
    const cfg = { ...DEFAULT_TRAIN_CONFIG, inputShape: [32, 32, 1] as [number, number, number], classes: 10, trainSamples: 3000, validationFraction: 0.1 };
    const { train, validation, normalisation } = prepareData(cfg, data);
    expect(train.pixels).toBe(data.train.pixels); // views: no image copied
    expect(validation.pixels).toBe(data.train.pixels);
    // The old path copied each part's images out of the float32 set: rebuild those copies.
    const copy = (idx: ArrayLike<number>) => {
      const out = new Float32Array(idx.length * 1024);
      for (let i = 0; i < idx.length; i++) out.set(old.train.images.subarray(idx[i] * 1024, (idx[i] + 1) * 1024), i * 1024);
      return out;
    };
    const trainIdx = Array.from(train.index!);
    const oldTrain = copy(trainIdx);
    expect(normalisation).toEqual(channelStatistics({ images: oldTrain, channels: 1 }));
    expect(Array.from(train.labels)).toEqual(trainIdx.map((j) => old.train.labels[j]));
    const order = new SeededRandom(3).permutation(train.n);
    for (const start of [0, 64, train.n - 50]) {
      const count = Math.min(64, train.n - start);
      const want = new Float32Array(count * 1024);
      for (let i = 0; i < count; i++) want.set(oldTrain.subarray(order[start + i] * 1024, (order[start + i] + 1) * 1024), i * 1024);
      expectSameFloats(imageArray(train, order, start, count), want, `batch at ${start}`);
    }
    expectSameFloats(imageValues(validation, 0, validation.n), copy(validation.index!), 'validation');
  });
});
