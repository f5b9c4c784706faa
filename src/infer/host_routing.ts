// The [batch, K] and [K, batch, classes] arithmetic of MoE inference, done in JS (float64) on values
// read back once per batch: a handful of numbers per sample, which as tensor ops would cost a kernel
// dispatch each (top-k, one-hot, masks, two softmaxes, a transpose, a weighted sum). Same routing as
// DistributedMoE.route: the top-k experts by gate logit, weights = softmax over the chosen logits,
// probabilities = the weighted mean of the chosen experts' softmax (routing.ts).

/** One batch's routing: mask (1 = chosen) and weights (0 outside the chosen), each [batch·K] row-major. */
export interface HostRouting {
  mask: Float32Array;
  weights: Float32Array;
}

/**
 * Top-k routing of gate logits [batch·K] (row-major): the k largest logits of each sample (ties to
 * the lower index) get mask 1 and weight exp(l − max)/Σ over the chosen; the rest 0.
 */
export function hostTopK(logits: ArrayLike<number>, batch: number, K: number, k: number): HostRouting {
  const mask = new Float32Array(batch * K);
  const weights = new Float32Array(batch * K);
  const order = Array.from({ length: K }, (_, j) => j);
  for (let b = 0; b < batch; b++) {
    const row = b * K;
    order.sort((i, j) => logits[row + j] - logits[row + i] || i - j);
    const top = logits[row + order[0]];
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits[row + order[j]] - top);
    for (let j = 0; j < k; j++) {
      const e = order[j];
      mask[row + e] = 1;
      weights[row + e] = Math.exp(logits[row + e] - top) / sum;
    }
  }
  return { mask, weights };
}

/**
 * Mixture probabilities [batch·classes]: Σ over the chosen experts of weight·softmax(expert logits),
 * from expert logits [K·batch·classes] (row-major [K, batch, classes]; unchosen pairs are not read).
 */
export function hostMixture(expertLogits: ArrayLike<number>, routing: HostRouting, batch: number, K: number, classes: number): Float32Array {
  const out = new Float32Array(batch * classes);
  const acc = new Float64Array(classes);
  for (let b = 0; b < batch; b++) {
    acc.fill(0);
    for (let k = 0; k < K; k++) {
      const w = routing.weights[b * K + k];
      if (routing.mask[b * K + k] === 0) continue;
      const at = (k * batch + b) * classes;
      let top = -Infinity;
      for (let c = 0; c < classes; c++) top = Math.max(top, expertLogits[at + c]);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(expertLogits[at + c] - top);
      for (let c = 0; c < classes; c++) acc[c] += (w * Math.exp(expertLogits[at + c] - top)) / sum;
    }
    for (let c = 0; c < classes; c++) out[b * classes + c] = acc[c];
  }
  return out;
}
