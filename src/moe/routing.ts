import * as tf from '@tensorflow/tfjs-core';

/**
 * The top-k selection mask [batch, K] (1 for chosen experts) of gate logits [batch, K].
 * It is detached from the gradient tape (tfjs has no TopK gradient; the gradient reaches the
 * gate through the renormalised weights of the chosen experts instead).
 */
export function topKMask(logits: tf.Tensor2D, k: number): tf.Tensor2D {
  const detached = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const { indices } = tf.topk(x, k, true);
    const mask = tf.sum(tf.oneHot(indices as tf.Tensor2D, x.shape[1]), 1);
    return { value: mask, gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  });
  return detached(logits) as tf.Tensor2D;
}

/** Softmax of the logits restricted to the chosen experts: weights [batch, K] summing to 1. */
export function routeWeights(logits: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(tf.add(logits, tf.mul(tf.sub(mask, 1), 1e9))) as tf.Tensor2D);
}

/**
 * The MoE prediction: the weighted mean of the experts' class probabilities.
 * probs [K, batch, classes], weights [batch, K] → [batch, classes].
 * (Mixing probabilities, not logits, keeps one garbled expert from dominating with huge logits.)
 */
export function mixProbabilities(probs: tf.Tensor3D, weights: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.sum(tf.mul(probs, tf.expandDims(tf.transpose(weights), 2)), 0) as tf.Tensor2D);
}

/**
 * Switch-Transformer load-balancing loss K·Σᵢ fᵢ·Pᵢ, with fᵢ the fraction of routing slots
 * given to expert i (from the mask, constant) and Pᵢ the mean gate probability of expert i.
 * Equals 1 when routing is uniform.
 */
export function loadBalancingLoss(logits: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const K = logits.shape[1];
    const f = tf.div(tf.mean(mask, 0), tf.sum(tf.mean(mask, 0)));
    const p = tf.mean(tf.softmax(logits), 0);
    return tf.mul(tf.sum(tf.mul(f, p)), K) as tf.Scalar;
  });
}

/**
 * Importance regulariser (Shazeer et al.): squared coefficient of variation of the total
 * routing weight each expert receives in the batch. 0 when balanced.
 */
export function importanceLoss(weights: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const importance = tf.sum(weights, 0);
    const { mean, variance } = tf.moments(importance);
    return tf.div(variance, tf.add(tf.square(mean), 1e-10)) as tf.Scalar;
  });
}

/** Mean negative log-likelihood of integer labels [batch] under probabilities [batch, classes]. */
export function nllLoss(probs: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const picked = tf.sum(tf.mul(probs, tf.oneHot(labels, probs.shape[1])), 1);
    return tf.neg(tf.mean(tf.log(tf.add(picked, 1e-7)))) as tf.Scalar;
  });
}
