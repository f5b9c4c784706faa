// One SNR convention for both links: at the same "x dB" (Es/N0 per complex channel use, Es = 1),
// every real dimension either link sends carries noise of variance N0/2, N0 = 10^(−x/10).
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { analogLink, analogChannelUses, awgnLinkBatch } from '../../src/link/index.js';
import { getModem } from '../../src/channel/modems.js';
import { Rng } from '../../src/channel/rng.js';
import { DigitalCodec } from '../../src/link/digital_codec.js';

const X_DB = [-5, 3, 10];
const halfN0 = (db: number) => 10 ** (-db / 10) / 2;

/** Sample variance of the values. */
function variance(values: ArrayLike<number>): number {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    sq += values[i] * values[i];
  }
  const mean = sum / values.length;
  return sq / values.length - mean * mean;
}

describe('one SNR convention for the analog and the digital link', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it.each(X_DB)('analog at %s dB: noise N0/2 per real dimension of the unit-energy symbols', (db) => {
    const B = 32;
    const d = 1000;
    const features = tf.mul(tf.randomNormal([B, d], 0.5, 2, 'float32', 3), tf.reshape(tf.linspace(0.2, 3, B), [B, 1])) as tf.Tensor2D;
    const rx = analogLink.transmit(features, awgnLinkBatch(new Float32Array(B).fill(db), B, 1, 7));
    // Back in the channel's own units: symbols of unit energy per complex use, i.e. each real
    // value divided by √(2P) of its vector.
    const toSymbols = tf.sqrt(tf.mul(tf.mean(tf.square(features), 1, true), 2));
    const noise = tf.div(tf.sub(tf.squeeze(rx, [0]), features), toSymbols).dataSync();
    const symbolEnergy = tf.mean(tf.sum(tf.reshape(tf.square(tf.div(features, toSymbols)), [B, d / 2, 2]), 2)).dataSync()[0];
    expect(symbolEnergy).toBeCloseTo(1, 5);
    // 32 000 samples: relative standard error of the variance √(2/n) ≈ 0.8 %.
    expect(variance(noise) / halfN0(db)).toBeGreaterThan(0.96);
    expect(variance(noise) / halfN0(db)).toBeLessThan(1.04);
  });

  it.each(X_DB)('digital at %s dB: noise N0/2 per real dimension (BPSK and QPSK, recovered from exact LLRs)', (db) => {
    const n = 40000;
    const bits = new Uint8Array(n);
    const rng = new Rng(5);
    for (let i = 0; i < n; i++) bits[i] = rng.nextU32() & 1;
    const n0 = 2 * halfN0(db);
    // Exact BPSK and QPSK LLRs are linear in y: BPSK 4y/N0 (symbol ±1), QPSK per dimension
    // 2√2·y/N0 (symbols ±1/√2). Invert them to get each real dimension's received value.
    for (const [name, amplitude, gain] of [['bpsk', 1, 4], ['qpsk', Math.SQRT1_2, 2 * Math.SQRT2]] as const) {
      const llr = new Float32Array(n);
      getModem(name).llrOverAwgn(bits, db, new Rng(9), llr);
      const noise = Array.from(llr, (l, i) => (l * n0) / gain - (bits[i] ? -amplitude : amplitude));
      expect(variance(noise) / halfN0(db)).toBeGreaterThan(0.96);
      expect(variance(noise) / halfN0(db)).toBeLessThan(1.04);
    }
  });

  it('counts complex channel uses the same way: two real values per analog use, one symbol per digital use', () => {
    expect(analogChannelUses(400)).toBe(200);
    expect(analogChannelUses(401)).toBe(201);
    // 400 values · 8 bits = 3200 bits → 10 codewords of 648 R1/2 (k = 324) → 6480 BPSK or 3240 QPSK symbols.
    expect(new DigitalCodec({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 8 }).channelUses(400)).toBe(6480);
    expect(new DigitalCodec({ code: '80211n:648:1/2', modulation: 'qpsk', bits: 8 }).channelUses(400)).toBe(3240);
  });
});
