import { describe, expect, it } from 'vitest';
import { renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCifar10, loadCifar100 } from '../../src/data/cifar.js';
import { loadDataset } from '../../src/data/index.js';
import { channelStatistics } from '../../src/data/normalise.js';
import { imageValues } from '../../src/data/pixels.js';
import { head, subset } from '../../src/data/dataset.js';
import { imageArray } from '../../src/train/features.js';
import { SeededRandom } from '../../src/random/seeded.js';
import { InputError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';
import {
  cifarFileBytes,
  cifarPixels,
  randomBytes,
  writeCifar10,
  writeCifar100,
  type Cifar10Record,
  type Cifar100Record,
} from '../helpers/datasets.js';

const f32 = Math.fround;
const small = { recordsPerFile: { train: 2, test: 3 } };

/** Independent reference: CHW bytes → HWC floats, pixel by pixel. */
function hwcReference(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(3072);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      for (let c = 0; c < 3; c++) out[(y * 32 + x) * 3 + c] = pixels[c * 1024 + y * 32 + x] / 255;
    }
  }
  return out;
}

function cifar10Records(n: number, seed: number): Cifar10Record[] {
  return Array.from({ length: n }, (_, i) => ({ label: (i * 3 + seed) % 10, pixels: randomBytes(3072, seed * 1000 + i) }));
}

function expectInputError(f: () => unknown, message: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  expect((err as Error).message).toBe(message);
}

describe('CIFAR-10 binary loader', () => {
  it('converts CHW planes to HWC pixels / 255', () => {
    const flat: Cifar10Record = { label: 7, pixels: cifarPixels((c) => [10, 20, 30][c]) };
    const dot: Cifar10Record = { label: 2, pixels: cifarPixels((c, y, x) => (c === 1 && y === 3 && x === 5 ? 200 : 0)) };
    const dir = writeCifar10(tempDir(), { train: [flat, dot, ...cifar10Records(8, 1)], test: cifar10Records(3, 2) });
    const { train } = loadCifar10(dir, small);
    expect(train.pixels).toBeInstanceOf(Uint8Array);
    expect(train.pixels.length).toBe(10 * 3072); // one byte per pixel value
    const img0 = imageValues(train, 0, 1);
    for (let p = 0; p < 1024; p++) {
      expect([img0[3 * p], img0[3 * p + 1], img0[3 * p + 2]]).toEqual([f32(10 / 255), f32(20 / 255), f32(30 / 255)]);
    }
    const img1 = imageValues(train, 1, 1);
    const at = (3 * 32 + 5) * 3 + 1;
    expect(img1[at]).toBe(f32(200 / 255));
    expect(Array.from(img1).filter((v, i) => i !== at && v !== 0)).toEqual([]);
  });

  it('keeps file order, labels and every pixel across the five batches and the test file', () => {
    const trainRecs = cifar10Records(10, 3);
    const testRecs = cifar10Records(3, 4);
    const dir = writeCifar10(tempDir(), { train: trainRecs, test: testRecs });
    const data = loadCifar10(dir, small);
    expect(data.name).toBe('cifar10');
    for (const [ds, recs] of [[data.train, trainRecs], [data.test, testRecs]] as const) {
      expect([ds.n, ds.height, ds.width, ds.channels, ds.classes]).toEqual([recs.length, 32, 32, 3, 10]);
      expect(Array.from(ds.labels)).toEqual(recs.map((r) => r.label));
      expect(ds.pixels.length).toBe(recs.length * 3072);
      recs.forEach((r, i) => expect(imageValues(ds, i, 1)).toEqual(hwcReference(r.pixels)));
    }
    expect(data.train.classNames?.[0]).toBe('airplane');
    expect(data.train.classNames?.[9]).toBe('truck');
  });

  it('accepts the parent folder holding cifar-10-batches-bin', () => {
    const parent = tempDir();
    const recs = cifar10Records(10, 5);
    writeCifar10(join(parent, 'cifar-10-batches-bin'), { train: recs, test: recs.slice(0, 3) });
    expect(Array.from(loadCifar10(parent, small).train.labels)).toEqual(recs.map((r) => r.label));
  });

  it('expects the official 10000 records per file by default', () => {
    const dir = writeCifar10(tempDir(), { train: cifar10Records(10, 6), test: cifar10Records(3, 6) });
    expectInputError(
      () => loadCifar10(dir),
      `${join(dir, 'data_batch_1.bin')} has 6146 bytes; expected 30730000 (10000 records of 3073 bytes)`,
    );
  });

  it('names a truncated file, an out-of-range label and a missing file', () => {
    const dir = writeCifar10(tempDir(), { train: cifar10Records(10, 7), test: cifar10Records(3, 7) });
    truncateSync(join(dir, 'data_batch_3.bin'), 2 * 3073 - 1);
    expectInputError(
      () => loadCifar10(dir, small),
      `${join(dir, 'data_batch_3.bin')} has 6145 bytes; expected 6146 (2 records of 3073 bytes)`,
    );
    const bad = cifar10Records(3, 8);
    bad[2].label = 10;
    writeFileSync(join(dir, 'data_batch_3.bin'), cifarFileBytes(cifar10Records(2, 8)));
    writeFileSync(join(dir, 'test_batch.bin'), cifarFileBytes(bad));
    expectInputError(() => loadCifar10(dir, small), `${join(dir, 'test_batch.bin')} record 2 has label 10; expected < 10`);
    rmSync(join(dir, 'data_batch_5.bin'));
    expectInputError(
      () => loadCifar10(dir, small),
      `${join(dir, 'data_batch_5.bin')} is missing (CIFAR-10 needs data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin)`,
    );
  });

  it('refuses an empty file (0 records), naming it, in the training batches and the test file', () => {
    const dir = writeCifar10(tempDir(), { train: cifar10Records(10, 13), test: cifar10Records(3, 13) });
    writeFileSync(join(dir, 'test_batch.bin'), Buffer.alloc(0));
    expectInputError(() => loadCifar10(dir, small), `${join(dir, 'test_batch.bin')} is empty (0 records); expected 3 records of 3073 bytes`);
    writeFileSync(join(dir, 'data_batch_4.bin'), Buffer.alloc(0));
    expectInputError(() => loadCifar10(dir, small), `${join(dir, 'data_batch_4.bin')} is empty (0 records); expected 2 records of 3073 bytes`);
    const c100 = writeCifar100(tempDir(), { train: [], test: [] });
    expectInputError(() => loadCifar100(c100), `${join(c100, 'train.bin')} is empty (0 records); expected 50000 records of 3074 bytes`);
    expectInputError(() => loadCifar10(dir, { recordsPerFile: { train: 0, test: 3 } }), 'records per training file must be an integer ≥ 1, got 0');
  });

  it('says how to get the files when the folder holds none, and names a missing folder', () => {
    const dir = tempDir();
    expectInputError(
      () => loadCifar10(dir),
      `--data-dir ${dir} holds neither the CIFAR-10 binary files (data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, ` +
        `data_batch_4.bin, data_batch_5.bin, test_batch.bin) nor a cifar-10-batches-bin folder; ` +
        `download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and unpack it there`,
    );
    expectInputError(() => loadCifar10(join(dir, 'nope')), `--data-dir ${join(dir, 'nope')} does not exist`);
    expectInputError(() => loadCifar10(dir, { labels: 'coarse' }), '--labels coarse: cifar10 has only one label set');
  });

  it('loads 60000 full-size records (the official layout), each its own pixels, in order across the six files', async () => {
    // Record i (train 0..49999, then test 0..9999 as i = 50000..59999) has pixels that vary with i:
    // its first three CHW bytes spell i, the rest a pattern shifted by i.
    const patterns = Array.from({ length: 256 }, (_, s) => Uint8Array.from({ length: 3072 }, (_, k) => (k * 17 + s) & 255));
    const pixelsOf = (i: number) => {
      const p = patterns[(i * 31) & 255].slice();
      for (let k = 0; k < 3; k++) p[k] = (i >> (8 * k)) & 255;
      return p;
    };
    const labelOf = (i: number) => (i * 7 + (i >> 10)) % 10;
    const file = (first: number) => cifarFileBytes(Array.from({ length: 10000 }, (_, r) => ({ label: labelOf(first + r), pixels: pixelsOf(first + r) })));
    const dir = tempDir();
    for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), file((b - 1) * 10000));
    writeFileSync(join(dir, 'test_batch.bin'), file(50000));
    const data = await loadDataset('cifar10', { dataDir: dir });
    rmSync(dir, { recursive: true });
    expect([data.name, data.train.n, data.test.n]).toEqual(['cifar10', 50000, 10000]);
    const check = (ds: typeof data.train, i: number, record: number) => {
      expect(ds.labels[i], `record ${record}`).toBe(labelOf(record));
      expect(imageValues(ds, i, 1), `record ${record}`).toEqual(hwcReference(pixelsOf(record)));
    };
    // Both ends of every file, and records inside them.
    for (const i of [0, 1, 4321, 9999, 10000, 10001, 19999, 20000, 29999, 30000, 33333, 39999, 40000, 45678, 49998, 49999]) check(data.train, i, i);
    for (const i of [0, 1, 5000, 9998, 9999]) check(data.test, i, 50000 + i);
  });
});

describe('CIFAR batches are the float32 values the loaders used to store', () => {
  it('batch by batch, in a shuffled order, through subset views, and so are the channel statistics', () => {
    const trainRecs = cifar10Records(50, 11);
    const dir = writeCifar10(tempDir(), { train: trainRecs, test: cifar10Records(3, 12) });
    const { train } = loadCifar10(dir, { recordsPerFile: { train: 10, test: 3 } });
    // The old path, verbatim: every record decoded once into one float32 array, byte · (1/255).
    const old = new Float32Array(50 * 3072);
    trainRecs.forEach((r, i) => {
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) old[i * 3072 + 3 * p + c] = r.pixels[c * 1024 + p] * (1 / 255);
    });
    const order = new SeededRandom(5).permutation(50);
    for (let start = 0; start < 50; start += 16) {
      const count = Math.min(16, 50 - start);
      const want = new Float32Array(count * 3072);
      for (let i = 0; i < count; i++) want.set(old.subarray(order[start + i] * 3072, (order[start + i] + 1) * 3072), i * 3072);
      expect(imageArray(train, order, start, count)).toEqual(want);
    }
    expect(channelStatistics(train)).toEqual(channelStatistics({ images: old, channels: 3 }));
    const picked = Array.from(order.slice(0, 20)).sort((a, b) => a - b);
    const view = head(subset(train, picked), 15);
    const oldView = new Float32Array(15 * 3072);
    picked.slice(0, 15).forEach((j, i) => oldView.set(old.subarray(j * 3072, (j + 1) * 3072), i * 3072));
    expect(channelStatistics(view)).toEqual(channelStatistics({ images: oldView, channels: 3 }));
  });
});

describe('CIFAR-100 binary loader', () => {
  const records = (n: number, seed: number): Cifar100Record[] =>
    Array.from({ length: n }, (_, i) => ({ coarse: (i * 7 + seed) % 20, fine: (i * 13 + seed) % 100, pixels: randomBytes(3072, seed * 100 + i) }));

  it('reads fine labels by default and coarse ones on request, pixels HWC', () => {
    const train = records(4, 1);
    const test = records(3, 2);
    const dir = writeCifar100(tempDir(), { train, test });
    const opts = { recordsPerFile: { train: 4, test: 3 } };
    const fine = loadCifar100(dir, opts);
    expect(fine.name).toBe('cifar100');
    expect([fine.train.classes, fine.train.n, fine.test.n, fine.train.channels]).toEqual([100, 4, 3, 3]);
    expect(Array.from(fine.train.labels)).toEqual(train.map((r) => r.fine));
    expect(Array.from(fine.test.labels)).toEqual(test.map((r) => r.fine));
    train.forEach((r, i) => expect(imageValues(fine.train, i, 1)).toEqual(hwcReference(r.pixels)));
    expect(fine.train.classNames?.length).toBe(100);
    const coarse = loadCifar100(dir, { ...opts, labels: 'coarse' });
    expect(coarse.train.classes).toBe(20);
    expect(coarse.train.classNames?.length).toBe(20);
    expect(Array.from(coarse.train.labels)).toEqual(train.map((r) => r.coarse));
    expect(coarse.train.pixels).toEqual(fine.train.pixels);
  });

  it('accepts the parent folder holding cifar-100-binary and checks sizes and both label ranges', () => {
    const parent = tempDir();
    const dir = join(parent, 'cifar-100-binary');
    const train = records(4, 3);
    writeCifar100(dir, { train, test: records(3, 4) });
    const opts = { recordsPerFile: { train: 4, test: 3 } };
    expect(Array.from(loadCifar100(parent, opts).train.labels)).toEqual(train.map((r) => r.fine));
    expectInputError(
      () => loadCifar100(parent),
      `${join(dir, 'train.bin')} has 12296 bytes; expected 153700000 (50000 records of 3074 bytes)`,
    );
    train[1].coarse = 20;
    writeFileSync(join(dir, 'train.bin'), cifarFileBytes(train));
    expectInputError(() => loadCifar100(dir, opts), `${join(dir, 'train.bin')} record 1 has coarse label 20; expected < 20`);
    train[1].coarse = 19;
    train[3].fine = 100;
    writeFileSync(join(dir, 'train.bin'), cifarFileBytes(train));
    expectInputError(() => loadCifar100(dir, opts), `${join(dir, 'train.bin')} record 3 has fine label 100; expected < 100`);
    renameSync(join(dir, 'test.bin'), join(dir, 'test.bin.old'));
    expectInputError(() => loadCifar100(dir, opts), `${join(dir, 'test.bin')} is missing (CIFAR-100 needs train.bin, test.bin)`);
  });
});
