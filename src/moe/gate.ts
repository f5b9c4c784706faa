import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '../models/params.js';

/** The two gates the package compares. */
export const GATE_KINDS = ['naive', 'channel-aware'] as const;
export type GateKind = (typeof GATE_KINDS)[number];

/**
 * Naive gate: logits = features·W + b over the clean features on the server. In training it is
 * the noisy top-k gate of Shazeer et al.: N(0,1)·softplus(features·W_noise) is added to the
 * logits so that routing explores.
 */
export class NaiveGate {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  readonly wNoise: tf.Variable;

  constructor(params: ParamStore, featureDim: number, experts: number) {
    this.w = params.add('gate/naive/kernel', [featureDim, experts], 'glorot');
    this.b = params.add('gate/naive/bias', [experts], 'zeros');
    this.wNoise = params.add('gate/naive/noise_kernel', [featureDim, experts], 'zeros');
  }

  /** features [batch, d] → logits [batch, K]; `noise` is a [batch, K] N(0,1) sample in training. */
  logits(features: tf.Tensor2D, noise?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const clean = tf.add(tf.matMul(features, this.w), this.b) as tf.Tensor2D;
      if (!noise) return clean;
      const scale = tf.softplus(tf.matMul(features, this.wNoise));
      return tf.add(clean, tf.mul(noise, scale)) as tf.Tensor2D;
    });
  }
}

/**
 * Maps per-expert SNRs in dB to the gate's input scale: the training range [lo, hi] maps
 * linearly to [−1, 1]; values outside are clipped to [−1.5, 1.5]. A perfect link (+∞) maps to
 * 1.5, "better than anything seen in training".
 */
export function normaliseSnr(snrDb: tf.Tensor2D, range: [number, number]): tf.Tensor2D {
  const [lo, hi] = range;
  return tf.tidy(() =>
    tf.clipByValue(tf.div(tf.sub(snrDb, (lo + hi) / 2), (hi - lo) / 2), -1.5, 1.5) as tf.Tensor2D,
  );
}

/**
 * Channel-aware gate: scores experts from the clean features *and* every expert's link SNR.
 *
 *   logitₖ = naiveₖ(features)                      the stage-1 naive gate's score (frozen)
 *          + q(snrₖ)                               link quality: one small MLP (1 → 16 → 1,
 *                                                  ReLU) shared by all experts, applied to each
 *                                                  expert's own SNR
 *          + Mₖ(features, snr) − Mₖ(features, s̄)   feature/SNR interactions: an MLP over
 *                                                  [features/rms(features), snr₁..snr_K] with
 *                                                  64 ReLU units, minus the same MLP with every
 *                                                  link at the sample's mean SNR s̄
 *
 * Both added terms are equal across experts when all links have the same SNR, so the gate then
 * routes exactly like the naive gate; they learn (stage 2) how to move traffic away from bad
 * links. The MLPs' output layers start at zero. SNRs come in dB, normalised by
 * {@link normaliseSnr}.
 */
export class ChannelAwareGate {
  static readonly HIDDEN = 64;
  static readonly SNR_HIDDEN = 16;
  private readonly w1: tf.Variable;
  private readonly b1: tf.Variable;
  private readonly w2: tf.Variable;
  private readonly s1: tf.Variable;
  private readonly sb1: tf.Variable;
  private readonly s2: tf.Variable;

  constructor(params: ParamStore, featureDim: number, experts: number) {
    this.w1 = params.add('gate/channel/mlp1/kernel', [featureDim + experts, ChannelAwareGate.HIDDEN], 'he');
    this.b1 = params.add('gate/channel/mlp1/bias', [ChannelAwareGate.HIDDEN], 'zeros');
    this.w2 = params.add('gate/channel/mlp2/kernel', [ChannelAwareGate.HIDDEN, experts], 'zeros');
    this.s1 = params.add('gate/channel/snr1/kernel', [1, ChannelAwareGate.SNR_HIDDEN], 'he');
    this.sb1 = params.add('gate/channel/snr1/bias', [ChannelAwareGate.SNR_HIDDEN], 'zeros');
    this.s2 = params.add('gate/channel/snr2/kernel', [ChannelAwareGate.SNR_HIDDEN, 1], 'zeros');
  }

  /**
   * naiveLogits [batch, K] (the naive gate's clean scores), features [batch, d], snrNorm
   * [batch, K] (see normaliseSnr) → logits [batch, K].
   */
  logits(naiveLogits: tf.Tensor2D, features: tf.Tensor2D, snrNorm: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, K] = snrNorm.shape;
      const perLink = tf.relu(tf.add(tf.matMul(tf.reshape(snrNorm, [batch * K, 1]), this.s1), this.sb1));
      const quality = tf.reshape(tf.matMul(perLink, this.s2), [batch, K]);
      const rms = tf.sqrt(tf.add(tf.mean(tf.square(features), 1, true), 1e-8));
      const scaled = tf.div(features, rms);
      const mlp = (snr: tf.Tensor) =>
        tf.matMul(tf.relu(tf.add(tf.matMul(tf.concat([scaled, snr], 1), this.w1), this.b1)), this.w2);
      const equal = tf.tile(tf.mean(snrNorm, 1, true), [1, K]);
      const interaction = tf.sub(mlp(snrNorm), mlp(equal));
      return tf.addN([naiveLogits, quality, interaction]) as tf.Tensor2D;
    });
  }

  /** Variables trained in stage 2. */
  variables(): tf.Variable[] {
    return [this.w1, this.b1, this.w2, this.s1, this.sb1, this.s2];
  }
}
