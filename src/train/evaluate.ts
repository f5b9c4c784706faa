import * as tf from '@tensorflow/tfjs-core';
import type { DistributedMoE } from '../moe/model.js';
import type { GateKind } from '../moe/gate.js';
import type { Link } from '../link/link.js';
import { drawSnrs, type SnrSpec } from '../link/snr.js';
import { SeededRandom } from '../random/seeded.js';
import { deriveSeed } from '../random/hash.js';
import type { ChannelModel } from '../link/channel_model.js';
import { ChannelUseTally, type ChannelUseSummary } from '../link/channel_uses.js';
import { channelModelFor, type ChannelSettings } from '../link/channel_settings.js';
import { featureBatch, type FeatureSet } from './features.js';
import type { ProgressFn } from './progress.js';

/** Test accuracy of one gate over one link condition. */
export interface EvalResult {
  accuracy: number;
  samples: number;
  /** Fraction of routing slots that went to each expert (sums to 1). */
  selection: number[];
  /**
   * Channel uses (complex symbols) per sample, summed over the links of its chosen experts,
   * receiver pilots included: mean and nearest-rank 95th percentile (0 on the perfect link).
   */
  channelUses: ChannelUseSummary;
}

export interface EvalOptions {
  gate: GateKind;
  link: Link;
  /** The mean SNRs of the links (per sample and expert). */
  snr: SnrSpec;
  /** Fading and CSI of the links (flag texts); absent: AWGN with perfect CSI. */
  channel?: ChannelSettings;
  seed: number;
  batchSize?: number;
  /** Receives a phase event (unit "images") at the start and after each batch. */
  progress?: ProgressFn;
  /** The phase's label (default "evaluate <gate> gate, <link> link"). */
  label?: string;
}

/**
 * The channel model an evaluation with `seed` realises its batches from: the same for every gate
 * and link evaluated with that seed, so that they see the same fading and CSI.
 */
export function evalChannelModel(model: DistributedMoE, channel: ChannelSettings | undefined, seed: number): ChannelModel {
  return channelModelFor(channel, model.config.experts, seed, 3, model.config.snrRange);
}

/**
 * Accuracy of the MoE on precomputed backbone features, routing with `gate` and sending the
 * features over `link` at mean SNRs drawn from `snr`, through the fading and CSI of `channel`
 * (sample i of the set is at time slot i). Deterministic for a given seed.
 */
export function evaluate(model: DistributedMoE, data: FeatureSet, opts: EvalOptions): EvalResult {
  const K = model.config.experts;
  const batchSize = opts.batchSize ?? 250;
  const rng = new SeededRandom(opts.seed);
  const channel = evalChannelModel(model, opts.channel, opts.seed);
  const order = Array.from({ length: data.n }, (_, i) => i);
  let correct = 0;
  const slots = new Float64Array(K);
  const tally = new ChannelUseTally();
  const phase = (done: number) =>
    opts.progress?.({ kind: 'phase', label: opts.label ?? `evaluate ${opts.gate} gate, ${opts.link.kind} link`, done, total: data.n, unit: 'images' });
  phase(0);
  for (let start = 0, b = 0; start < data.n; start += batchSize, b++) {
    const count = Math.min(batchSize, data.n - start);
    const snr = drawSnrs(opts.snr, count, K, rng);
    const batch = channel.realise(snr, count, start, deriveSeed(opts.seed, 3, b));
    const uses = opts.link.channelUses(data.d, batch); // before sending: an adaptive link's outer loop learns from it
    const [hits, mask] = tf.tidy(() => {
      const out = model.route(featureBatch(data, order, start, count), { gate: opts.gate, link: opts.link, batch, sparse: true });
      const labels = tf.tensor1d(data.labels.subarray(start, start + count), 'int32');
      return [tf.sum(tf.cast(tf.equal(tf.argMax(out.probs, 1), labels), 'int32')), out.mask];
    });
    correct += hits.dataSync()[0];
    const chosen = mask.dataSync() as Float32Array;
    chosen.forEach((v, i) => (slots[i % K] += v));
    tally.add(uses, chosen, count, K);
    hits.dispose();
    mask.dispose();
    phase(start + count);
  }
  const total = slots.reduce((a, v) => a + v, 0);
  return {
    accuracy: correct / data.n,
    samples: data.n,
    selection: Array.from(slots, (v) => v / total),
    channelUses: tally.summary(),
  };
}

/** Accuracy of each expert alone (perfect link), on precomputed features: [K]. */
export function expertSoloAccuracy(model: DistributedMoE, data: FeatureSet, batchSize = 250): number[] {
  const K = model.config.experts;
  const correct = new Float64Array(K);
  const order = Array.from({ length: data.n }, (_, i) => i);
  for (let start = 0; start < data.n; start += batchSize) {
    const count = Math.min(batchSize, data.n - start);
    const hits = tf.tidy(() => {
      const f = featureBatch(data, order, start, count);
      const logits = model.experts.logits(tf.tile(tf.expandDims(f, 0), [K, 1, 1]) as tf.Tensor3D);
      const labels = tf.tensor1d(data.labels.subarray(start, start + count), 'int32');
      return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 2), tf.expandDims(labels, 0)), 'int32'), 1);
    });
    (hits.dataSync() as Int32Array).forEach((v, k) => (correct[k] += v));
    hits.dispose();
  }
  return Array.from(correct, (v) => v / data.n);
}
