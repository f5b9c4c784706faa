import { describe, expect, it } from 'vitest';
import { BYTE_TO_UNIT } from '../../src/data/dataset.js';

describe('BYTE_TO_UNIT', () => {
  it('gives float32(b / 255) for every byte, as the loaders promise', () => {
    const viaMul = new Float32Array(256);
    for (let b = 0; b < 256; b++) viaMul[b] = b * BYTE_TO_UNIT;
    expect(Array.from(viaMul)).toEqual(Array.from({ length: 256 }, (_, b) => Math.fround(b / 255)));
    expect([viaMul[0], viaMul[255]]).toEqual([0, 1]);
  });
});
