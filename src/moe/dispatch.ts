import * as tf from '@tensorflow/tfjs-core';
import type { ExpertStack } from '../models/backbone.js';

/**
 * Below this share of the dense work (rows each expert would run / batch) sparse dispatch
 * pays for its gathers; above it the experts run densely.
 */
const SPARSE_MAX_SHARE = 0.85;

/**
 * Expert logits [K, batch, classes] computed only where `mask` [batch, K] routes a sample,
 * for inference (experts in eval mode, so each sample's logits depend on that sample alone):
 * expert k runs on its routed rows of `received` [K, batch, d], the K row lists padded to the
 * longest one with a repeat of a routed row, so the stacked experts still run as one batch.
 * Entries of unrouted (sample, expert) pairs are 0 (their softmax is uniform); the mixture
 * gives them weight 0, so the mixture is what the dense experts give. Falls back to the dense
 * experts when the longest list is near the whole batch. Top-k of K does about k/K of the work.
 */
export function routedExpertLogits(experts: ExpertStack, received: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
  const [K, batch, d] = received.shape;
  const m = mask.dataSync();
  const rows: number[][] = Array.from({ length: K }, () => []);
  for (let b = 0; b < batch; b++) for (let k = 0; k < K; k++) if (m[b * K + k] !== 0) rows[k].push(b);
  const longest = Math.max(1, ...rows.map((r) => r.length));
  if (longest > SPARSE_MAX_SHARE * batch) return experts.logits(received, false);
  return tf.tidy(() => {
    // Gather: slot (k, j) of the compact batch reads row rows[k][j] of expert k's copy.
    const gatherIndex = new Int32Array(K * longest);
    // Scatter back: pair (k, b) reads its slot, or the zero row K·longest when unrouted.
    const scatterIndex = new Int32Array(K * batch).fill(K * longest);
    for (let k = 0; k < K; k++) {
      const r = rows[k];
      for (let j = 0; j < longest; j++) gatherIndex[k * longest + j] = k * batch + (r.length ? r[Math.min(j, r.length - 1)] : 0);
      r.forEach((b, j) => (scatterIndex[k * batch + b] = k * longest + j));
    }
    const flat = tf.reshape(received, [K * batch, d]);
    const compact = tf.reshape(tf.gather(flat, tf.tensor1d(gatherIndex, 'int32')), [K, longest, d]) as tf.Tensor3D;
    const logits = experts.logits(compact, false);
    const classes = logits.shape[2];
    const withZero = tf.concat([tf.reshape(logits, [K * longest, classes]), tf.zeros([1, classes])], 0);
    return tf.reshape(tf.gather(withZero, tf.tensor1d(scatterIndex, 'int32')), [K, batch, classes]) as tf.Tensor3D;
  });
}
