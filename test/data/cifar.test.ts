import { describe, expect, it } from 'vitest';
import { renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCifar10, loadCifar100 } from '../../src/data/cifar.js';
import { loadDataset } from '../../src/data/index.js';
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
    const img0 = train.images.subarray(0, 3072);
    for (let p = 0; p < 1024; p++) {
      expect([img0[3 * p], img0[3 * p + 1], img0[3 * p + 2]]).toEqual([f32(10 / 255), f32(20 / 255), f32(30 / 255)]);
    }
    const img1 = train.images.subarray(3072, 6144);
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
      expect(ds.images.length).toBe(recs.length * 3072);
      recs.forEach((r, i) => expect(ds.images.subarray(i * 3072, (i + 1) * 3072)).toEqual(hwcReference(r.pixels)));
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

  it('loads 60000 full-size records (the official layout); its speed is bench/data-load.mjs\'s (vs numpy)', async () => {
    const dir = tempDir();
    const pixels = randomBytes(3072, 9);
    const file = (n: number, salt: number) =>
      cifarFileBytes(Array.from({ length: n }, (_, i) => ({ label: (i + salt) % 10, pixels })));
    for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), file(10000, b));
    writeFileSync(join(dir, 'test_batch.bin'), file(10000, 0));
    const data = await loadDataset('cifar10', { dataDir: dir });
    expect([data.name, data.train.n, data.test.n]).toEqual(['cifar10', 50000, 10000]);
    expect(data.train.labels[49999]).toBe((9999 + 5) % 10);
    const ref = hwcReference(pixels);
    expect(data.train.images.subarray(49999 * 3072)).toEqual(ref);
    expect(data.test.images.subarray(0, 3072)).toEqual(ref);
    rmSync(dir, { recursive: true });
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
    train.forEach((r, i) => expect(fine.train.images.subarray(i * 3072, (i + 1) * 3072)).toEqual(hwcReference(r.pixels)));
    expect(fine.train.classNames?.length).toBe(100);
    const coarse = loadCifar100(dir, { ...opts, labels: 'coarse' });
    expect(coarse.train.classes).toBe(20);
    expect(coarse.train.classNames?.length).toBe(20);
    expect(Array.from(coarse.train.labels)).toEqual(train.map((r) => r.coarse));
    expect(coarse.train.images).toEqual(fine.train.images);
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
