import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../errors.js';

/**
 * The stage-2 channel-use term (weighted by `--channel-use-weight` λ in the loss):
 *
 *   cost = mean_b[ topK · Σ_k softmax(logits)_bk · u_bk / u_ref ]
 *
 * `logits`: [B, K] gate logits; `uses`: [B, K] channel uses (complex symbols, receiver pilots
 * included) that sending sample b's features over expert k's link costs, constants (a tensor
 * or a row-major Float32Array; no gradient flows into them); `topK`: experts chosen per sample;
 * `reference`: u_ref, the analog cost ⌈d/2⌉ of one vector of d features.
 *
 * Units: the term is the expected channel uses of the chosen experts per sample, in units of
 * one analog vector: topK times the softmax-weighted mean cost of one link, which equals the
 * top-k set's total when the softmax puts its mass evenly on it. It is differentiable through
 * the full softmax (∂/∂z_bj = topK·p_bj·(u_bj − ū_b)/(B·u_ref), ū_b = Σ_k p_bk u_bk), so it moves
 * probability off costly experts and so changes which experts make the top k.
 *
 * Bad input (one-line InputError naming the value): reference not finite or ≤ 0; topK not an
 * integer in 1…K; uses of another shape than logits; a use that is negative, NaN or infinite.
 */
export function channelUseCost(logits: tf.Tensor2D, uses: tf.Tensor2D | Float32Array, topK: number, reference: number): tf.Scalar {
  if (logits.rank !== 2) fail(`channel-use cost: logits must be [batch, experts], got shape [${logits.shape.join(', ')}]`);
  const [batch, experts] = logits.shape;
  if (!Number.isFinite(reference) || reference <= 0) fail(`channel-use cost: reference channel uses must be a finite number > 0, got ${reference}`);
  if (!Number.isInteger(topK) || topK < 1 || topK > experts) fail(`channel-use cost: topK must be an integer in 1…${experts}, got ${topK}`);
  const values = usesValues(uses, batch, experts);
  return tf.tidy(() => {
    const u = tf.tensor2d(values, [batch, experts]);
    const expected = tf.sum(tf.mul(tf.softmax(logits), u), 1);
    return tf.mul(tf.mean(expected), topK / reference) as tf.Scalar;
  });
}

/** The values of `uses`, checked to be [batch, experts] finite numbers ≥ 0. */
function usesValues(uses: tf.Tensor2D | Float32Array, batch: number, experts: number): Float32Array {
  let values: Float32Array;
  if (uses instanceof Float32Array) {
    if (uses.length !== batch * experts) fail(`channel-use cost: uses has ${uses.length} values, expected [${batch}, ${experts}] = ${batch * experts}`);
    values = uses;
  } else {
    if (uses.rank !== 2 || uses.shape[0] !== batch || uses.shape[1] !== experts) {
      fail(`channel-use cost: uses has shape [${uses.shape.join(', ')}], expected [${batch}, ${experts}]`);
    }
    values = Float32Array.from(uses.dataSync());
  }
  for (let i = 0; i < values.length; i++) {
    const u = values[i];
    if (!(u >= 0) || !Number.isFinite(u)) fail(`channel-use cost: uses value ${u} at [${Math.floor(i / experts)}, ${i % experts}] is not a finite number ≥ 0`);
  }
  return values;
}
