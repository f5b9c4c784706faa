import * as tf from '@tensorflow/tfjs-core';
import type { DistributedMoE } from '../moe/model.js';
import type { GateKind } from '../moe/gate.js';
import type { Link } from '../link/link.js';
import { drawSnrs, type SnrSpec } from '../link/snr.js';
import { SeededRandom } from '../random/seeded.js';
import { deriveSeed } from '../random/hash.js';
import { featureBatch, type FeatureSet } from './features.js';
import type { ProgressFn } from './progress.js';

/** Test accuracy of one gate over one link condition. */
export interface EvalResult {
  accuracy: number;
  samples: number;
  /** Fraction of routing slots that went to each expert (sums to 1). */
  selection: number[];
}

export interface EvalOptions {
  gate: GateKind;
  link: Link;
  snr: SnrSpec;
  seed: number;
  batchSize?: number;
  /** Receives a phase event (unit "images") at the start and after each batch. */
  progress?: ProgressFn;
  /** The phase's label (default "evaluate <gate> gate, <link> link"). */
  label?: string;
}

/**
 * Accuracy of the MoE on precomputed backbone features, routing with `gate` and sending the
 * features over `link` at SNRs drawn from `snr`. Deterministic for a given seed.
 */
export function evaluate(model: DistributedMoE, data: FeatureSet, opts: EvalOptions): EvalResult {
  const K = model.config.experts;
  const batchSize = opts.batchSize ?? 250;
  const rng = new SeededRandom(opts.seed);
  const order = Array.from({ length: data.n }, (_, i) => i);
  let correct = 0;
  const slots = new Float64Array(K);
  const phase = (done: number) =>
    opts.progress?.({ kind: 'phase', label: opts.label ?? `evaluate ${opts.gate} gate, ${opts.link.kind} link`, done, total: data.n, unit: 'images' });
  phase(0);
  for (let start = 0, b = 0; start < data.n; start += batchSize, b++) {
    const count = Math.min(batchSize, data.n - start);
    const snr = drawSnrs(opts.snr, count, K, rng);
    const [hits, used] = tf.tidy(() => {
      const out = model.route(featureBatch(data, order, start, count), {
        gate: opts.gate,
        link: opts.link,
        snrDb: tf.tensor2d(snr, [count, K]),
        seed: deriveSeed(opts.seed, 3, b),
        sparse: true,
      });
      const labels = tf.tensor1d(data.labels.subarray(start, start + count), 'int32');
      return [tf.sum(tf.cast(tf.equal(tf.argMax(out.probs, 1), labels), 'int32')), tf.sum(out.mask, 0)];
    });
    correct += hits.dataSync()[0];
    (used.dataSync() as Float32Array).forEach((v, k) => (slots[k] += v));
    hits.dispose();
    used.dispose();
    phase(start + count);
  }
  const total = slots.reduce((a, v) => a + v, 0);
  return {
    accuracy: correct / data.n,
    samples: data.n,
    selection: Array.from(slots, (v) => v / total),
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
