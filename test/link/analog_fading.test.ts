// The analog link over fading and with estimated receiver CSI: the MMSE receiver r = √(2P)·w·(h·x + n),
// w = conj(ĥ)/(|ĥ|² + N0 + σe²), checked against linear-MMSE theory rather than against its own formula.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { analogLink, analogRepetitionLink, ChannelModel, awgnLinkBatch, channelModelSpecOf } from '../../src/link/index.js';

const K = 3;

/** Features [B, d] with unequal per-sample power, seeded. */
function features(B: number, d: number, seed: number): tf.Tensor2D {
  return tf.mul(tf.randomNormal([B, d], 0.3, 1, 'float32', seed), tf.reshape(tf.linspace(0.5, 2, B), [B, 1])) as tf.Tensor2D;
}

/** Per pair (b, k): mean over uses of |x̂ − x|² in symbol units (divided by 2P of the vector): [B·K]. */
function symbolMse(f: tf.Tensor2D, rx: tf.Tensor3D): Float64Array {
  const [B, d] = f.shape;
  const x = f.dataSync();
  const r = rx.dataSync();
  const out = new Float64Array(B * K);
  for (let b = 0; b < B; b++) {
    let p = 0;
    for (let j = 0; j < d; j++) p += x[b * d + j] ** 2;
    const twoP = (2 * p) / d;
    for (let k = 0; k < K; k++) {
      let e = 0;
      for (let j = 0; j < d; j++) e += (r[(k * B + b) * d + j] - x[b * d + j]) ** 2;
      out[b * K + k] = e / twoP / (d / 2); // per complex use
    }
  }
  return out;
}

describe('analog link over fading (MMSE receiver)', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('AWGN with perfect CSI keeps the identity receiver, bit for bit (a ChannelModel batch = awgnLinkBatch)', () => {
    const f = features(8, 20, 1);
    const snr = Array.from({ length: 8 * K }, (_, i) => -5 + i);
    const model = new ChannelModel(channelModelSpecOf({ channel: 'awgn', csi: 'stale:1' }), K, 9);
    const a = analogLink.transmit(f, model.realise(snr, 8, 100, 4)).dataSync();
    const b = analogLink.transmit(f, awgnLinkBatch(snr, 8, K, 4)).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('Rayleigh at +∞ dB with perfect receiver CSI delivers the features exactly (w·h = 1)', () => {
    const f = features(6, 15, 2);
    const model = new ChannelModel(channelModelSpecOf({ channel: 'rayleigh' }), K, 3);
    const rx = analogLink.transmit(f, model.realise(new Float32Array(6 * K).fill(Infinity), 6, 0, 1)).dataSync();
    const x = f.dataSync();
    for (let k = 0; k < K; k++) for (let i = 0; i < x.length; i++) expect(rx[k * x.length + i]).toBeCloseTo(x[i], 4);
  });

  it('Rayleigh with perfect CSI: per-pair MSE per complex use = N0/(|h|² + N0), the linear-MMSE error', () => {
    const B = 40, d = 2000, snrDb = 3;
    const f = features(B, d, 3);
    const batch = new ChannelModel(channelModelSpecOf({ channel: 'rayleigh' }), K, 5).realise(new Float32Array(B * K).fill(snrDb), B, 0, 7);
    const mse = symbolMse(f, analogLink.transmit(f, batch));
    const n0 = 10 ** (-snrDb / 10);
    let ratio = 0;
    for (let i = 0; i < B * K; i++) {
      const g = batch.channel.h[2 * i] ** 2 + batch.channel.h[2 * i + 1] ** 2;
      ratio += mse[i] / (n0 / (g + n0));
    }
    // 120 pairs × 1000 uses: the mean ratio's standard error is well under 1 %.
    expect(ratio / (B * K)).toBeGreaterThan(0.97);
    expect(ratio / (B * K)).toBeLessThan(1.03);
  });

  it('receiver pilots: the estimate error raises the MSE above the perfect-CSI receiver, and the pilots are counted', () => {
    const B = 40, d = 400, snrDb = 0;
    const f = features(B, d, 4);
    const snr = new Float32Array(B * K).fill(snrDb);
    const perfect = new ChannelModel(channelModelSpecOf({ channel: 'rayleigh' }), K, 5).realise(snr, B, 0, 7);
    const pilots = new ChannelModel(channelModelSpecOf({ channel: 'rayleigh', 'rx-csi': 'pilots:1' }), K, 5).realise(snr, B, 0, 7);
    expect(Array.from(pilots.channel.h)).toEqual(Array.from(perfect.channel.h)); // same fading, different ĥ
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(symbolMse(f, analogLink.transmit(f, pilots)))).toBeGreaterThan(1.2 * mean(symbolMse(f, analogLink.transmit(f, perfect))));
    expect(Array.from(analogLink.channelUses(d, pilots))).toEqual(new Array(B * K).fill(d / 2 + 1));
    expect(Array.from(analogLink.channelUses(d, perfect))).toEqual(new Array(B * K).fill(d / 2));
  });

  it('odd d: the last value rides alone on the real part of its use', () => {
    const f = features(4, 7, 5);
    const batch = new ChannelModel(channelModelSpecOf({ channel: 'rayleigh' }), K, 5).realise(new Float32Array(4 * K).fill(Infinity), 4, 0, 7);
    const rx = analogLink.transmit(f, batch);
    expect(rx.shape).toEqual([K, 4, 7]);
    const x = f.dataSync(), r = rx.dataSync();
    for (let i = 0; i < x.length; i++) expect(r[i]).toBeCloseTo(x[i], 4);
  });
});

describe('analog repetition', () => {
  it('r repeated uses combined coherently = analogLink at +10·log10(r) dB, for r times the channel uses', () => {
    const f = features(6, 20, 9);
    const snr = Array.from({ length: 6 * K }, (_, i) => -5 + 2 * i);
    const model = new ChannelModel(channelModelSpecOf({ channel: 'rayleigh', 'rx-csi': 'pilots:2' }), K, 3);
    const batch = model.realise(snr, 6, 0, 5);
    const boostedBatch = { ...batch, channel: { ...batch.channel, meanSnrDb: Float32Array.from(batch.channel.meanSnrDb, (s) => s + 10 * Math.log10(4)) } };
    const four = analogRepetitionLink(4);
    expect(Array.from(four.transmit(f, batch).dataSync())).toEqual(Array.from(analogLink.transmit(f, boostedBatch).dataSync()));
    expect(Array.from(four.channelUses(20, batch))).toEqual(new Array(6 * K).fill(4 * 10 + 2));
    expect(Array.from(analogRepetitionLink(1).transmit(f, batch).dataSync())).toEqual(Array.from(analogLink.transmit(f, batch).dataSync()));
    expect(() => analogRepetitionLink(0)).toThrow(/repetitions 0/);
    expect(() => analogRepetitionLink(1.5)).toThrow(/repetitions 1.5/);
  });
});
