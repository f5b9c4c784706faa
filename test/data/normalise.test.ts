import { describe, expect, it } from 'vitest';
import { channelStatistics, normaliseImages } from '../../src/data/normalise.js';
import { SeededRandom } from '../../src/random/seeded.js';
import { InputError } from '../../src/errors.js';
import { head } from '../../src/data/dataset.js';
import { byteDataset } from '../helpers/datasets.js';

describe('channelStatistics', () => {
  it('matches a direct per-channel computation', () => {
    const c = 3;
    const rng = new SeededRandom(1);
    const images = Float32Array.from({ length: 5 * 4 * 4 * c }, (_, i) => rng.next() * (1 + (i % c)) * 0.3);
    const { mean, std } = channelStatistics({ images, channels: c });
    for (let k = 0; k < c; k++) {
      const values = Array.from(images).filter((_, i) => i % c === k);
      const m = values.reduce((a, b) => a + b, 0) / values.length;
      const v = values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length;
      expect(mean[k]).toBeCloseTo(m, 12);
      expect(std[k]).toBeCloseTo(Math.sqrt(v), 12);
    }
  });

  it('gives closed forms: a constant channel (std 0) and a half-0 half-1 channel (mean = std = 1/2)', () => {
    const images = new Float32Array(2 * 100);
    for (let p = 0; p < 100; p++) {
      images[2 * p] = 0.25;
      images[2 * p + 1] = p % 2;
    }
    expect(channelStatistics({ images, channels: 2 })).toEqual({ mean: [0.25, 0.5], std: [0, 0.5] });
  });

  it('reads a dataset\'s samples (a view: only its own) as byte / 255, and refuses one with no image', () => {
    // 1x2x2 images: channel 0 is 0 or 255 by sample parity, channel 1 is 51 (0.2).
    const ds = byteDataset(5, [1, 2, 2], 2, (i, p) => (p % 2 ? 51 : (i % 2) * 255));
    const { mean, std } = channelStatistics(head(ds, 4));
    expect(mean[0]).toBe(0.5);
    expect(std[0]).toBe(0.5);
    expect(mean[1]).toBeCloseTo(0.2, 7);
    expect(std[1]).toBeLessThan(1e-7);
    expect(() => channelStatistics(head(ds, 0))).toThrow(new InputError('channel statistics: the dataset has no images'));
  });
});

describe('normaliseImages', () => {
  it('maps each channel to mean 0 and std 1 with its own statistics, per (x − mean) / std', () => {
    const c = 3;
    const rng = new SeededRandom(2);
    const images = Float32Array.from({ length: 64 * c }, (_, i) => 0.2 * (i % c) + rng.next() * 0.5);
    const stats = channelStatistics({ images, channels: c });
    const out = normaliseImages(images, stats);
    const after = channelStatistics({ images: out, channels: c });
    after.mean.forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-6));
    after.std.forEach((s) => expect(s).toBeCloseTo(1, 6));
    const hand = normaliseImages(Float32Array.of(0.5, 1, 0), { mean: [0.5, 0.25, 0.1], std: [0.1, 0.5, 0.2] });
    expect(Array.from(hand)).toEqual([0, 1.5, -0.5]);
  });

  it('works in place and rejects std ≤ 0 and mismatched statistics', () => {
    const images = Float32Array.of(1, 3);
    expect(normaliseImages(images, { mean: [1], std: [2] }, images)).toBe(images);
    expect(Array.from(images)).toEqual([0, 1]);
    expect(() => normaliseImages(images, { mean: [0], std: [0] })).toThrow(new InputError('normalise: std[0] = 0; must be finite and > 0'));
    expect(() => normaliseImages(images, { mean: [0, 0], std: [1] })).toThrow('normalise: mean has 2 channels but std has 1');
  });
});
