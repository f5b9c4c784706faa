import * as tf from '@tensorflow/tfjs-core';
import type { Link } from './link.js';
import type { LinkBatch } from './link_batch.js';
import { DigitalCodec, type DigitalLinkOptions, type DigitalStats, type FlatVectorGains } from './digital_codec.js';

/** A digital {@link Link} plus the running totals of what it sent. */
export interface DigitalLink extends Link {
  readonly codec: DigitalCodec;
  /** Totals over every transmit call so far. */
  readonly totals: DigitalStats;
}

/** The pairs a transmit call sends, in [K, B] order (p = k·B + b), and what each one carries. */
interface Pairs {
  /** p = k·B + b of each pair sent. */
  index: number[];
  vectors: Float32Array;
  /** Mean Es/N0 of each pair's link, dB. */
  esn0: Float32Array;
  /** Per pair: true gain, receiver's estimate, its error variance; null on AWGN with perfect CSI. */
  flat: FlatVectorGains | null;
}

/** The (sample, expert) pairs that `mask` [B·K] chose (all without a mask) and their vectors and channel. */
function gatherPairs(f: Float32Array, d: number, batch: LinkBatch, m: Float32Array | undefined): Pairs {
  const { batch: B, experts: K, meanSnrDb, h, faded } = batch.channel;
  const index: number[] = [];
  for (let k = 0; k < K; k++) for (let b = 0; b < B; b++) if (!m || m[b * K + k] > 0) index.push(k * B + b);
  const n = index.length;
  const vectors = new Float32Array(n * d);
  const esn0 = new Float32Array(n);
  const flat = faded || !batch.rx.perfect ? { h: new Float32Array(2 * n), hHat: new Float32Array(2 * n), errVar: new Float32Array(n) } : null;
  index.forEach((p, i) => {
    const b = p % B, pair = b * K + Math.floor(p / B);
    vectors.set(f.subarray(b * d, (b + 1) * d), i * d);
    esn0[i] = meanSnrDb[pair];
    if (flat) {
      flat.h.set(h.subarray(2 * pair, 2 * pair + 2), 2 * i);
      flat.hHat.set(batch.rx.hHat.subarray(2 * pair, 2 * pair + 2), 2 * i);
      flat.errVar[i] = batch.rx.errVar[pair];
    }
  });
  return { index, vectors, esn0, flat };
}

/**
 * Digital downlink: per sample and per chosen expert (all experts when no mask is given), the
 * feature vector goes through {@link DigitalCodec} at that pair's mean SNR, taken as Es/N0 in dB
 * per modulation symbol. On AWGN with perfect receiver CSI it takes the codec's AWGN path (as
 * before fading existed); otherwise every codeword of a pair sees the pair's gain h (block fading
 * per vector), and the receiver equalises with its estimate ĥ and demaps with N̂0_eff =
 * (N0 + σe²)/|ĥ|². Not differentiable: the gradient is straight-through (identity from each
 * expert's received features to the clean features).
 */
export function digitalLink(options: DigitalLinkOptions): DigitalLink {
  const codec = new DigitalCodec(options);
  const totals: DigitalStats = { vectors: 0, frames: 0, failedFrames: 0, frameErrors: 0, bitErrors: 0, infoBits: 0, encodeMs: 0, channelMs: 0, decodeMs: 0, quantiseMs: 0 };
  const send = (features: tf.Tensor2D, batch: LinkBatch, mask?: tf.Tensor2D): tf.Tensor3D => {
    const [B, d] = features.shape;
    const K = batch.channel.experts;
    if (batch.channel.batch !== B) throw new RangeError(`digital link: features have ${B} samples but the link batch has ${batch.channel.batch}`);
    const pairs = gatherPairs(features.dataSync() as Float32Array, d, batch, mask ? (mask.dataSync() as Float32Array) : undefined);
    const { received, stats } = codec.transmit(pairs.vectors, d, pairs.esn0, batch.channel.noiseSeed, pairs.flat ?? undefined);
    for (const key of Object.keys(totals) as (keyof DigitalStats)[]) totals[key] += stats[key];
    const out = new Float32Array(K * B * d);
    pairs.index.forEach((p, i) => out.set(received.subarray(i * d, (i + 1) * d), p * d));
    return tf.tensor3d(out, [K, B, d]);
  };
  return {
    kind: 'digital',
    codec,
    totals,
    transmit(features, batch, mask) {
      const straightThrough = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const x = args[0] as tf.Tensor2D;
        const value = send(x, batch, mask);
        return { value, gradFunc: (dy: tf.Tensor) => tf.sum(dy, 0) };
      });
      return straightThrough(features) as tf.Tensor3D;
    },
    channelUses(d, batch) {
      return new Float32Array(batch.channel.batch * batch.channel.experts).fill(codec.channelUses(d) + batch.rx.pilotUses);
    },
  };
}
