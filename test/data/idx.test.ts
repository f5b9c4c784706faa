import { describe, expect, it } from 'vitest';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadIdxDirectory } from '../../src/data/idx.js';
import { loadDataset } from '../../src/data/index.js';
import { InputError } from '../../src/errors.js';
import { imageValues } from '../../src/data/pixels.js';
import { tempDir } from '../helpers/cli.js';
import { idxBytes, randomBytes, writeIdx, writeIdxDataset, type IdxSplit } from '../helpers/datasets.js';

function split(n: number, seed: number): IdxSplit {
  return { images: randomBytes(n * 784, seed), labels: Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10) };
}

/** Independent reference: a 28x28 byte image placed in the middle of a zero 32x32 float image. */
function padded(image: Uint8Array): Float32Array {
  const out = new Float32Array(32 * 32);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const sy = y - 2;
      const sx = x - 2;
      out[y * 32 + x] = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? image[sy * 28 + sx] / 255 : 0;
    }
  }
  return out;
}

async function expectInputError(f: () => unknown, message: string): Promise<void> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  expect((err as Error).message).toBe(message);
}

describe('IDX loader', () => {
  it('pads each 28x28 image with 2 zero pixels per side into 32x32x1, labels in order', () => {
    const data = { train: split(5, 1), test: split(3, 2) };
    const dir = writeIdxDataset(tempDir(), data);
    const ds = loadIdxDirectory('mnist-idx', dir, 10);
    for (const [got, want] of [[ds.train, data.train], [ds.test, data.test]] as const) {
      const n = want.labels.length;
      expect([got.n, got.height, got.width, got.channels, got.classes]).toEqual([n, 32, 32, 1, 10]);
      expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
      for (let i = 0; i < n; i++) {
        expect(imageValues(got, i, 1)).toEqual(padded(want.images.subarray(i * 784, (i + 1) * 784)));
      }
    }
  });

  it('puts pixel (y, x) of an all-255 image at (y + 2, x + 2) and leaves the 2-pixel border zero', () => {
    const dir = writeIdxDataset(tempDir(), {
      train: { images: new Uint8Array(784).fill(255), labels: Uint8Array.of(3) },
      test: { images: new Uint8Array(784).fill(255), labels: Uint8Array.of(4) },
    });
    const img = imageValues(loadIdxDirectory('x', dir, 10).train, 0, 1);
    let inside = 0;
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const isInside = y >= 2 && y < 30 && x >= 2 && x < 30;
        expect(img[y * 32 + x]).toBe(isInside ? 1 : 0);
        inside += isInside ? 1 : 0;
      }
    }
    expect(inside).toBe(784);
  });

  it('reads gzipped files (.gz) and the dotted .idx spelling the same as plain ones', () => {
    const data = { train: split(4, 3), test: split(2, 4) };
    const plain = loadIdxDirectory('x', writeIdxDataset(tempDir(), data), 10);
    const gz = loadIdxDirectory('x', writeIdxDataset(tempDir(), data, { gzip: true }), 10);
    expect(gz.train.pixels).toEqual(plain.train.pixels);
    expect(gz.test.labels).toEqual(plain.test.labels);
    const dotted = writeIdxDataset(tempDir(), data);
    renameSync(join(dotted, 'train-images-idx3-ubyte'), join(dotted, 'train-images.idx3-ubyte'));
    expect(loadIdxDirectory('x', dotted, 10).train.pixels).toEqual(plain.train.pixels);
  });

  it('names the file and what was expected for each kind of bad file', async () => {
    const dir = writeIdxDataset(tempDir(), { train: split(4, 5), test: split(2, 6) });
    const images = join(dir, 'train-images-idx3-ubyte');
    const labels = join(dir, 'train-labels-idx1-ubyte');
    const load = () => loadIdxDirectory('x', dir, 10);
    const good = split(4, 5);

    writeIdx(images, [4, 28, 28], good.images, { magic: 0x801 });
    await expectInputError(load, `${images} has magic number 0x00000801; expected 0x00000803 (IDX unsigned-byte images, 3-D)`);
    writeIdx(images, [4, 28, 28], good.images.subarray(1));
    await expectInputError(load, `${images} has 3151 bytes; expected 3152 (16-byte header + 4x28x28 bytes)`);
    writeFileSync(images, idxBytes([4, 28, 28], good.images).subarray(0, 10));
    await expectInputError(load, `${images} has 10 bytes; too short for an IDX images header (16 bytes)`);
    writeIdx(images, [1, 30, 30], new Uint8Array(900));
    await expectInputError(load, `${images} holds images of 30x30; expected 28x28`);
    writeIdx(images, [3, 28, 28], good.images.subarray(0, 3 * 784));
    await expectInputError(load, `${labels} holds 4 labels but ${images} holds 3 images`);
    writeIdx(images, [4, 28, 28], good.images);

    writeIdx(labels, [4], good.labels, { magic: 0x803 });
    await expectInputError(load, `${labels} has magic number 0x00000803; expected 0x00000801 (IDX unsigned-byte labels, 1-D)`);
    writeIdx(labels, [4], Uint8Array.of(1, 2, 10, 3), { gzip: true });
    await expectInputError(load, `${labels} label 2 is 10; expected < 10`);
    writeIdx(labels, [5], good.labels, { gzip: true });
    await expectInputError(load, `${labels} (gunzipped) has 12 bytes; expected 13 (8-byte header + 5 bytes)`);
    const gz = gzipSync(idxBytes([4], good.labels));
    writeFileSync(labels, gz.subarray(0, gz.length - 6));
    await expectInputError(load, `${labels} is not valid gzip data: unexpected end of file`);
    rmSync(labels);
    await expectInputError(load, `${labels} is missing (gzipped or not)`);
    await expectInputError(() => loadIdxDirectory('x', join(dir, 'nope'), 10), `--data-dir ${join(dir, 'nope')} does not exist`);
  });

  it('refuses an empty training or test split, naming its file, for mnist-idx and fashion-mnist alike', async () => {
    const none: IdxSplit = { images: new Uint8Array(0), labels: new Uint8Array(0) };
    for (const gzip of [false, true]) {
      const gz = gzip ? '.gz' : '';
      const emptyTrain = writeIdxDataset(tempDir(), { train: none, test: split(2, 9) }, { gzip });
      const trainFile = join(emptyTrain, `train-images-idx3-ubyte${gz}`);
      await expectInputError(() => loadIdxDirectory('x', emptyTrain, 10), `${trainFile} holds 0 images; a dataset split needs at least one`);
      await expectInputError(() => loadDataset('mnist-idx', { dataDir: emptyTrain }), `${trainFile} holds 0 images; a dataset split needs at least one`);
      const emptyTest = writeIdxDataset(tempDir(), { train: split(2, 10), test: none }, { gzip });
      const testFile = join(emptyTest, `t10k-images-idx3-ubyte${gz}`);
      await expectInputError(() => loadDataset('fashion-mnist', { dataDir: emptyTest }), `${testFile} holds 0 images; a dataset split needs at least one`);
    }
  });

  it('is --dataset mnist-idx, which needs --data-dir', async () => {
    const data = { train: split(4, 7), test: split(2, 8) };
    const dir = writeIdxDataset(tempDir(), data, { gzip: true });
    const ds = await loadDataset('mnist-idx', { dataDir: dir });
    expect(ds.name).toBe('mnist-idx');
    expect(Array.from(ds.test.labels)).toEqual(Array.from(data.test.labels));
    await expectInputError(() => loadDataset('mnist-idx'), '--dataset mnist-idx needs --data-dir DIR (the folder holding its files)');
  });
});
