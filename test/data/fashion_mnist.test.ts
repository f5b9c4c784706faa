// Reads the real Fashion-MNIST from Debian's package dataset-fashion-mnist (.ci/run installs
// it): without the package these tests fail, saying how to install it.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FASHION_MNIST_DEBIAN_DIR, loadFashionMnist } from '../../src/data/fashion_mnist.js';
import { loadDataset } from '../../src/data/index.js';
import { channelStatistics } from '../../src/data/normalise.js';
import { InputError } from '../../src/errors.js';
import { imageValues } from '../../src/data/pixels.js';
import { tempDir } from '../helpers/cli.js';
import { writeIdxDataset } from '../helpers/datasets.js';

const histogram = (labels: Int32Array) => {
  const h = new Array(10).fill(0);
  for (const l of labels) h[l]++;
  return h;
};

describe('Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  it('is the real 60000/10000 set with 6000/1000 images of each of 10 classes', async () => {
    const data = await loadDataset('fashion-mnist');
    expect(data.name).toBe('fashion-mnist');
    const { train, test } = data;
    expect([train.n, test.n, train.classes, train.height, train.width, train.channels]).toEqual([60000, 10000, 10, 32, 32, 1]);
    expect(histogram(train.labels)).toEqual(new Array(10).fill(6000));
    expect(histogram(test.labels)).toEqual(new Array(10).fill(1000));
    // The first labels of the official files (train starts with an ankle boot, so does test).
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    expect(train.classNames?.[9]).toBe('Ankle boot');
    // The widely quoted 28x28 training statistics, mean 0.2860406 and std 0.3530242, recovered from
    // the padded 32x32 images (padding adds zeros: a fraction r = 784/1024 of pixels are real).
    const { mean, std } = channelStatistics(train);
    const r = 784 / 1024;
    const m28 = mean[0] / r;
    const s28 = Math.sqrt((std[0] ** 2 + mean[0] ** 2) / r - m28 ** 2);
    expect(m28).toBeCloseTo(0.2860406, 5);
    expect(s28).toBeCloseTo(0.3530242, 5);
    // The padding border is zero in every image.
    let border = 0;
    for (let i = 0; i < train.n; i++) {
      const img = imageValues(train, i, 1);
      for (let x = 0; x < 32; x++) border += img[x] + img[32 + x] + img[30 * 32 + x] + img[31 * 32 + x] + img[x * 32] + img[x * 32 + 31];
    }
    expect(border).toBe(0);
  });

  it('reads --data-dir instead of the Debian copy when given', async () => {
    const one = { images: new Uint8Array(784).fill(7), labels: Uint8Array.of(8) };
    const dir = writeIdxDataset(tempDir(), { train: one, test: one }, { gzip: true });
    const data = await loadDataset('fashion-mnist', { dataDir: dir });
    expect([data.train.n, data.train.labels[0], data.train.classNames?.[8]]).toEqual([1, 8, 'Bag']);
  });

  it('says how to install it when Debian\'s copy is absent', () => {
    const missing = join(tempDir(), 'fashion-mnist');
    let err: unknown;
    try {
      loadFashionMnist(undefined, missing);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(
      `fashion-mnist: no --data-dir given and ${missing} does not exist; install Debian's copy ` +
        `(apt-get install dataset-fashion-mnist) or pass --data-dir DIR holding train-images-idx3-ubyte[.gz], ` +
        `train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]`,
    );
    expect(FASHION_MNIST_DEBIAN_DIR).toBe('/usr/share/datasets/fashion-mnist');
  });
});
