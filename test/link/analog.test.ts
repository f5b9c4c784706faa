import { describe, expect, it, beforeAll } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { analogLink, perfectLink } from '../../src/link/index.js';

describe('analog link', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('adds noise of variance P·10^(−SNR/10) per real value (N0/2 per real dimension at unit symbol energy), per expert', () => {
    const B = 64;
    const d = 400;
    const features = tf.mul(tf.randomUniform([B, d], 0, 3, 'float32', 5), tf.reshape(tf.linspace(0.5, 2, B), [B, 1])) as tf.Tensor2D;
    const snr = [-10, 0, 10, 20];
    const snrDb = tf.tensor2d(Array.from({ length: B }, () => snr).flat(), [B, 4]);
    const rx = analogLink.transmit(features, snrDb, 11);
    expect(rx.shape).toEqual([4, B, d]);
    const power = tf.mean(tf.square(features), 1); // [B]
    snr.forEach((s, k) => {
      const noise = tf.sub(tf.reshape(tf.slice(rx, [k, 0, 0], [1, B, d]), [B, d]), features);
      // Normalised by each sample's own power: should be N(0, 10^(-s/10)).
      const normalised = tf.div(tf.mean(tf.square(noise), 1), power);
      const ratio = tf.mean(normalised).dataSync()[0] / 10 ** (-s / 10);
      // B·d = 25 600 samples: the relative standard error of a variance estimate is √(2/n) ≈ 0.9 %.
      expect(Math.abs(ratio - 1)).toBeLessThan(0.05);
    });
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const f = tf.randomNormal([8, 16], 0, 1, 'float32', 1) as tf.Tensor2D;
    const snr = tf.fill([8, 4], 5) as tf.Tensor2D;
    const a = analogLink.transmit(f, snr, 3).dataSync();
    const b = analogLink.transmit(f, snr, 3).dataSync();
    const c = analogLink.transmit(f, snr, 4).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('seed 0 is a seed like any other (tfjs itself would take 0 as "unseeded")', () => {
    const f = tf.randomNormal([4, 16], 0, 1, 'float32', 1) as tf.Tensor2D;
    const snr = tf.fill([4, 2], 0) as tf.Tensor2D;
    expect(Array.from(analogLink.transmit(f, snr, 0).dataSync())).toEqual(Array.from(analogLink.transmit(f, snr, 0).dataSync()));
  });

  it('passes features exactly at +∞ dB and over the perfect link', () => {
    const f = tf.randomNormal([3, 10], 0, 1, 'float32', 2) as tf.Tensor2D;
    const snr = tf.fill([3, 2], Infinity) as tf.Tensor2D;
    const expected = Array.from(tf.tile(tf.expandDims(f, 0), [2, 1, 1]).dataSync());
    expect(Array.from(analogLink.transmit(f, snr, 1).dataSync())).toEqual(expected);
    expect(Array.from(perfectLink.transmit(f, snr, 1).dataSync())).toEqual(expected);
  });
});
