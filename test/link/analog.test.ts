import { describe, expect, it, beforeAll } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { analogLink, perfectLink, awgnLinkBatch } from '../../src/link/index.js';

/** AWGN link batch of B samples × K experts, every sample at the SNRs `row` (dB, length K). */
const awgn = (row: number[], B: number, seed: number) => awgnLinkBatch(Array.from({ length: B }, () => row).flat(), B, row.length, seed);

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
    const rx = analogLink.transmit(features, awgn(snr, B, 11));
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
    const a = analogLink.transmit(f, awgn([5, 5, 5, 5], 8, 3)).dataSync();
    const b = analogLink.transmit(f, awgn([5, 5, 5, 5], 8, 3)).dataSync();
    const c = analogLink.transmit(f, awgn([5, 5, 5, 5], 8, 4)).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('seed 0 is a seed like any other (tfjs itself would take 0 as "unseeded")', () => {
    const f = tf.randomNormal([4, 16], 0, 1, 'float32', 1) as tf.Tensor2D;
    expect(Array.from(analogLink.transmit(f, awgn([0, 0], 4, 0)).dataSync())).toEqual(Array.from(analogLink.transmit(f, awgn([0, 0], 4, 0)).dataSync()));
  });

  it('passes features exactly at +∞ dB and over the perfect link', () => {
    const f = tf.randomNormal([3, 10], 0, 1, 'float32', 2) as tf.Tensor2D;
    const expected = Array.from(tf.tile(tf.expandDims(f, 0), [2, 1, 1]).dataSync());
    expect(Array.from(analogLink.transmit(f, awgn([Infinity, Infinity], 3, 1)).dataSync())).toEqual(expected);
    expect(Array.from(perfectLink.transmit(f, awgn([Infinity, Infinity], 3, 1)).dataSync())).toEqual(expected);
  });
});
