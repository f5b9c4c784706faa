import { describe, expect, it } from 'vitest';
import { head, subset } from '../../src/data/dataset.js';
import { BYTE_TO_UNIT, UNIT_LEVELS, imageValues, quantiseImages } from '../../src/data/pixels.js';
import { InputError } from '../../src/errors.js';
import { byteDataset } from '../helpers/datasets.js';

describe('BYTE_TO_UNIT and UNIT_LEVELS', () => {
  it('give float32(b / 255) for every byte, as the loaders promise', () => {
    const viaMul = new Float32Array(256);
    for (let b = 0; b < 256; b++) viaMul[b] = b * BYTE_TO_UNIT;
    const want = Array.from({ length: 256 }, (_, b) => Math.fround(b / 255));
    expect(Array.from(viaMul)).toEqual(want);
    expect(Array.from(UNIT_LEVELS)).toEqual(want);
    expect([viaMul[0], viaMul[255]]).toEqual([0, 1]);
  });
});

describe('imageValues', () => {
  // 2x3x2 images; byte p of image i is 40·i + p.
  const ds = byteDataset(6, [2, 3, 2], 3, (i, p) => 40 * i + p);
  const size = 12;
  const expected = (i: number) => Array.from({ length: size }, (_, p) => Math.fround((40 * i + p) / 255));

  it('reads samples start..start+count, or order[start..], as float32 byte / 255 in NHWC order', () => {
    expect(Array.from(imageValues(ds, 2, 3))).toEqual([...expected(2), ...expected(3), ...expected(4)]);
    const order = [5, 0, 3, 1];
    expect(Array.from(imageValues(ds, 1, 2, order))).toEqual([...expected(0), ...expected(3)]);
    const out = new Float32Array(size);
    expect(imageValues(ds, 4, 1, undefined, out)).toBe(out);
    expect(Array.from(out)).toEqual(expected(4));
  });

  it('reads a view\'s samples from the shared bytes, and a dataset\'s own levels', () => {
    const view = head(subset(ds, [4, 1, 5]), 2);
    expect(Array.from(imageValues(view, 0, 2))).toEqual([...expected(4), ...expected(1)]);
    const levels = Float32Array.from({ length: 256 }, (_, b) => b * 10);
    expect(Array.from(imageValues({ ...view, levels }, 1, 1))).toEqual(Array.from({ length: size }, (_, p) => (40 + p) * 10));
  });

  it('refuses samples outside the dataset instead of reading other memory', () => {
    expect(() => imageValues(head(ds, 3), 2, 2)).toThrow('imageValues: sample 3 is outside the dataset\'s 3 samples');
    expect(() => imageValues(ds, 0, 1, [-1])).toThrow(RangeError);
    expect(() => imageValues(ds, 0, 2, undefined, new Float32Array(size))).toThrow('imageValues: out has 12 values; expected 24');
  });
});

describe('quantiseImages', () => {
  it('turns values of at most 256 levels back into bytes and levels, losslessly', () => {
    // The mnist package's values: round(b / 255, 3) (not float32(b / 255)).
    const values = Float32Array.from([0, 1, 0.2, 0.624, 0.2, 0.992, 0.004], (v) => v);
    const { pixels, levels } = quantiseImages(values, 'x');
    expect(Array.from(pixels)).toEqual([0, 255, 51, 159, 51, 253, 1]);
    const ds = { pixels, levels, labels: new Int32Array(7), n: 7, height: 1, width: 1, channels: 1, classes: 2 };
    expect(imageValues(ds, 0, 7)).toEqual(values);
    expect(levels[2]).toBe(UNIT_LEVELS[2]); // a byte that does not occur keeps b / 255
  });

  it('names the values that are not 8-bit levels in [0, 1]', () => {
    expect(() => quantiseImages(Float32Array.of(0.5, 1.5), 'img.f32')).toThrow(new InputError('img.f32: value 1.5 at 1 is outside [0, 1]'));
    const close = Float32Array.of(0.5, Math.fround(0.5 + 1e-4));
    expect(() => quantiseImages(close, 'img.f32')).toThrow(
      new InputError(`img.f32: values 0.5 and ${close[1]} (at 1) are both pixel level 128; the images are not 8-bit`),
    );
  });
});
