import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { splitValidation, validationIndices } from '../../src/data/split.js';
import { InputError } from '../../src/errors.js';
import { imageOf } from '../../src/data/dataset.js';
import { imageValues } from '../../src/data/pixels.js';
import { byteDataset } from '../helpers/datasets.js';

/**
 * A dataset whose class sizes are `counts` (classes interleaved) and whose 2x2x1 image i has
 * bytes i mod 256 and i div 256 (so its pixels say which image it is).
 */
function dataset(counts: number[]): Dataset {
  const labels: number[] = [];
  const left = counts.slice();
  while (left.some((c) => c > 0)) left.forEach((c, k) => c > 0 && (labels.push(k), left[k]--));
  return byteDataset(labels.length, [2, 2, 1], counts.length, (i, p) => (p % 2 ? i >> 8 : i), (i) => labels[i]);
}

/** Which image each sample of `ds` shows, read from its pixel values. */
const ids = (ds: Dataset) =>
  Array.from({ length: ds.n }, (_, i) => {
    const v = imageValues(ds, i, 1);
    return Math.round(v[0] * 255) + 256 * Math.round(v[1] * 255);
  });
const perClass = (ds: Dataset) => {
  const h = new Array(ds.classes).fill(0);
  for (const l of ds.labels) h[l]++;
  return h;
};

describe('splitValidation', () => {
  const counts = [100, 50, 7, 0, 33];

  it('holds out round(f·n) samples, each class its largest-remainder share, and partitions the set in order', () => {
    const ds = dataset(counts);
    const { train, validation } = splitValidation(ds, 0.1, 1);
    // exact shares 10, 5, 0.7, 0, 3.3 → floors 10, 5, 0, 0, 3 (18) + the one left to class 2 → 19 = round(19.0)
    expect(perClass(validation)).toEqual([10, 5, 1, 0, 3]);
    expect(perClass(train)).toEqual([90, 45, 6, 0, 30]);
    const a = ids(train);
    const b = ids(validation);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(b).toEqual([...b].sort((x, y) => x - y));
    expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: ds.n }, (_, i) => i));
    // Labels travel with their images.
    for (const part of [train, validation]) part.labels.forEach((l, i) => expect(l).toBe(ds.labels[ids(part)[i]]));
    expect([train.height, train.width, train.channels, train.classes]).toEqual([2, 2, 1, 5]);
    // Both parts are index views of the one set of pixel bytes.
    expect(train.pixels).toBe(ds.pixels);
    expect(validation.pixels).toBe(ds.pixels);
    expect(Array.from({ length: validation.n }, (_, i) => imageOf(validation, i))).toEqual(b);
  });

  it('is deterministic for the seed and differs across seeds', () => {
    const ds = dataset(counts);
    const once = ids(splitValidation(ds, 0.2, 7).validation);
    expect(ids(splitValidation(ds, 0.2, 7).validation)).toEqual(once);
    expect(ids(splitValidation(ds, 0.2, 8).validation)).not.toEqual(once);
  });

  it('picks each member of a class uniformly (every sample held out about f of the time)', () => {
    const labels = new Int32Array(100); // one class of 100
    const hits = new Array(100).fill(0);
    const seeds = 2000;
    for (let s = 0; s < seeds; s++) for (const i of validationIndices(labels, 1, 0.1, s)) hits[i]++;
    // Expected 200 each, binomial sd ≈ 13.4; ±70 is > 5 sd.
    expect(Math.min(...hits)).toBeGreaterThan(130);
    expect(Math.max(...hits)).toBeLessThan(270);
  });

  it('holds out nothing for fraction 0 and rejects a fraction outside [0, 1)', () => {
    const ds = dataset(counts);
    const { train, validation } = splitValidation(ds, 0, 3);
    expect([train.n, validation.n]).toEqual([ds.n, 0]);
    for (const f of [1, -0.1, NaN]) {
      expect(() => splitValidation(ds, f, 1)).toThrow(InputError);
      expect(() => splitValidation(ds, f, 1)).toThrow(`validation fraction must be in [0, 1), got ${f}`);
    }
    expect(() => splitValidation(ds, 0.1, 1.5)).toThrow('validation seed must be an integer in [0, 2^32), got 1.5');
    expect(() => splitValidation(ds, 0.1, -1)).toThrow('validation seed must be an integer in [0, 2^32), got -1');
  });
});
