// The digital link's bookkeeping: which (sample, expert) pairs it sends, at whose SNR, and where
// each received vector lands in the [K, batch, d] output.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { digitalLink } from '../../src/link/digital.js';
import { awgnLinkBatch } from '../../src/link/channel_model.js';

const B = 6;
const d = 50;
const BITS = 8;

/** Largest |received − sent| over expert k's slice, for the samples in `rows`. */
function maxError(received: Float32Array, sent: Float32Array, k: number, rows: number[]): number {
  let worst = 0;
  for (const b of rows) {
    for (let j = 0; j < d; j++) worst = Math.max(worst, Math.abs(received[(k * B + b) * d + j] - sent[b * d + j]));
  }
  return worst;
}

describe('digital link: pairs, mask and per-expert SNR', () => {
  let features: tf.Tensor2D;
  let sent: Float32Array;
  /** Half a quantisation step of the widest vector: the error of an error-free link. */
  let halfStep: number;

  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    features = tf.randomNormal([B, d], 0, 1, 'float32', 4) as tf.Tensor2D;
    sent = features.dataSync() as Float32Array;
    let widest = 0;
    for (let b = 0; b < B; b++) {
      const row = sent.subarray(b * d, (b + 1) * d);
      widest = Math.max(widest, Math.max(...row) - Math.min(...row));
    }
    halfStep = widest / (2 ** BITS - 1) / 2 + 1e-6;
  });

  it.each([
    [0, 1],
    [1, 0],
  ])('expert %i at +∞ dB receives every vector exactly (up to quantisation), expert %i at −20 dB receives garbage', (good, bad) => {
    const link = digitalLink({ code: '80211n:648:1/2', modulation: 'bpsk', bits: BITS });
    const snr = Array.from({ length: B * 2 }, (_, i) => (i % 2 === good ? Infinity : -20));
    const rx = link.transmit(features, awgnLinkBatch(snr, B, 2, 3)).dataSync() as Float32Array;
    const all = Array.from({ length: B }, (_, b) => b);
    expect(maxError(rx, sent, good, all)).toBeLessThan(halfStep);
    // At −20 dB nearly half the decoded bits are wrong: every vector is far off.
    for (const b of all) expect(maxError(rx, sent, bad, [b])).toBeGreaterThan(0.5);
    expect(link.totals.vectors).toBe(2 * B);
  });

  it('sends only the pairs the mask chooses, each at its own expert SNR', () => {
    const link = digitalLink({ code: '80211n:648:1/2', modulation: 'bpsk', bits: BITS });
    // Expert 0 perfect, expert 1 hopeless; sample b chooses expert b % 2 only.
    const snr = awgnLinkBatch(Array.from({ length: B * 2 }, (_, i) => (i % 2 === 0 ? Infinity : -20)), B, 2, 3);
    const mask = tf.tensor2d(Array.from({ length: B * 2 }, (_, i) => (i % 2 === Math.floor(i / 2) % 2 ? 1 : 0)), [B, 2]);
    const rx = link.transmit(features, snr, mask).dataSync() as Float32Array;
    expect(link.totals.vectors).toBe(B);
    expect(maxError(rx, sent, 0, [0, 2, 4])).toBeLessThan(halfStep);
    for (const b of [1, 3, 5]) expect(maxError(rx, sent, 1, [b])).toBeGreaterThan(0.5);
  });

  it('the same seed gives the same received features', () => {
    const snr = awgnLinkBatch(new Float32Array(2 * B), B, 2, 9);
    const a = digitalLink({ code: '80211n:648:3/4', modulation: 'qpsk', bits: BITS }).transmit(features, snr).dataSync();
    const b = digitalLink({ code: '80211n:648:3/4', modulation: 'qpsk', bits: BITS }).transmit(features, snr).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
