import * as tf from '@tensorflow/tfjs-core';
import type { Link } from './link.js';
import { DigitalCodec, type DigitalLinkOptions, type DigitalStats } from './digital_codec.js';

/** A digital {@link Link} plus the running totals of what it sent. */
export interface DigitalLink extends Link {
  readonly codec: DigitalCodec;
  /** Totals over every transmit call so far. */
  readonly totals: DigitalStats;
}

/**
 * Digital downlink: per sample and per chosen expert (all experts when no mask is given), the
 * feature vector goes through {@link DigitalCodec} at that expert's SNR, taken as Es/N0 in dB
 * per modulation symbol. Not differentiable: the gradient is straight-through (identity from
 * each expert's received features to the clean features).
 */
export function digitalLink(options: DigitalLinkOptions): DigitalLink {
  const codec = new DigitalCodec(options);
  const totals: DigitalStats = { vectors: 0, frames: 0, failedFrames: 0, bitErrors: 0, infoBits: 0, encodeMs: 0, channelMs: 0, decodeMs: 0, quantiseMs: 0 };
  const send = (features: tf.Tensor2D, snrDb: tf.Tensor2D, seed: number, mask?: tf.Tensor2D): tf.Tensor3D => {
    const [batch, d] = features.shape;
    const K = snrDb.shape[1];
    const f = features.dataSync() as Float32Array;
    const snr = snrDb.dataSync() as Float32Array;
    const m = mask ? (mask.dataSync() as Float32Array) : undefined;
    const pairs: number[] = [];
    for (let k = 0; k < K; k++) for (let b = 0; b < batch; b++) if (!m || m[b * K + k] > 0) pairs.push(k * batch + b);
    const vectors = new Float32Array(pairs.length * d);
    const esn0 = new Float32Array(pairs.length);
    pairs.forEach((p, i) => {
      const b = p % batch;
      vectors.set(f.subarray(b * d, (b + 1) * d), i * d);
      esn0[i] = snr[b * K + Math.floor(p / batch)];
    });
    const { received, stats } = codec.transmit(vectors, d, esn0, seed);
    for (const key of Object.keys(totals) as (keyof DigitalStats)[]) totals[key] += stats[key];
    const out = new Float32Array(K * batch * d);
    pairs.forEach((p, i) => out.set(received.subarray(i * d, (i + 1) * d), p * d));
    return tf.tensor3d(out, [K, batch, d]);
  };
  return {
    kind: 'digital',
    codec,
    totals,
    transmit(features, snrDb, seed, mask) {
      const straightThrough = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const x = args[0] as tf.Tensor2D;
        const value = send(x, snrDb, seed, mask);
        return { value, gradFunc: (dy: tf.Tensor) => tf.sum(dy, 0) };
      });
      return straightThrough(features) as tf.Tensor3D;
    },
  };
}
