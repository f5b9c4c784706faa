import { describe, expect, it } from 'vitest';
import { head, imageOf, subset } from '../../src/data/dataset.js';
import { imageValues } from '../../src/data/pixels.js';
import { InputError } from '../../src/errors.js';
import { byteDataset } from '../helpers/datasets.js';

// 4x4x3 images whose bytes all equal the image's index.
const ds = byteDataset(100, [4, 4, 3], 10, (i) => i, (i) => (i * 7) % 10);
const first = (d: typeof ds, i: number) => imageValues(d, i, 1)[0] * 255;

describe('subset and head', () => {
  it('subset is an index view: the same pixel bytes, the samples at the indices in order, their labels', () => {
    const picked = [42, 7, 99, 7, 0];
    const view = subset(ds, picked);
    expect(view.pixels).toBe(ds.pixels); // nothing copied
    expect(view.n).toBe(5);
    expect(Array.from(view.index!)).toEqual(picked);
    expect(picked.map((_, i) => Math.round(first(view, i)))).toEqual(picked);
    expect(Array.from(view.labels)).toEqual(picked.map((j) => ds.labels[j]));
    expect([view.height, view.width, view.channels, view.classes]).toEqual([4, 4, 3, 10]);
  });

  it('a subset of a view refers to the stored images, not to positions in the view', () => {
    const view = subset(subset(ds, [90, 80, 70, 60]), [3, 1]);
    expect(view.pixels).toBe(ds.pixels);
    expect([imageOf(view, 0), imageOf(view, 1)]).toEqual([60, 80]);
    expect(Array.from(view.labels)).toEqual([ds.labels[60], ds.labels[80]]);
  });

  it('head copies nothing, of a whole dataset or of a view, and is the dataset itself for n ≥ its size', () => {
    const h = head(ds, 10);
    expect([h.n, h.pixels, h.index, h.labels.buffer]).toEqual([10, ds.pixels, undefined, ds.labels.buffer]);
    expect(h.labels.buffer).toBe(ds.labels.buffer);
    const view = subset(ds, [5, 6, 7, 8]);
    const hv = head(view, 2);
    expect(hv.index!.buffer).toBe(view.index!.buffer);
    expect([Math.round(first(hv, 0)), Math.round(first(hv, 1)), hv.n]).toEqual([5, 6, 2]);
    expect(head(ds, 100)).toBe(ds);
    expect(head(ds, 0).n).toBe(0);
  });

  it('refuses an index outside the dataset', () => {
    expect(() => subset(ds, [1, 100])).toThrow(new InputError('subset: index 100 (position 1) is outside the dataset\'s 100 samples'));
    expect(() => subset(head(ds, 3), [3])).toThrow(InputError);
    expect(() => subset(ds, [1.5])).toThrow(InputError);
  });
});
