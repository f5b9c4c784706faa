// Stacked dense experts (LeNet-5's heads) run on the host side for prediction: each expert only
// on the rows routed to it, through its slice of the stacked kernels, with no tensor ops
// (src/kernels/dense_rows.ts). At batch 1 with top-2 of 4 this does half the experts' arithmetic
// and none of the dozen tfjs ops (stack, gathers, batched matmuls, adds) of routedExpertLogits.
import type { WmoeBackend } from '../backend/backend.js';
import { denseRowsForward, type DenseRowsLayer } from '../kernels/dense_rows.js';
import type { HostRouting } from './host_routing.js';

/** Stacked dense experts as layers, input first: kernels [K, in, out], biases [K, 1, out]. */
export type DenseExpertLayers = readonly { w: DenseRowsLayer['w']; b: DenseRowsLayer['b'] }[];

/**
 * Expert logits [K·batch·classes] (row-major [K, batch, classes]) of the routed (sample, expert)
 * pairs; the others are left 0 (hostMixture does not read them). `row(k, b)` gives the d floats
 * expert k receives for sample b. Hidden layers use ReLU, the last none (StackedDenseExperts).
 * The bits routedExpertLogits gives for the routed pairs (the same GEMMs).
 */
export function routedDenseLogits(
  backend: WmoeBackend, experts: DenseExpertLayers, row: (k: number, b: number) => Float32Array,
  routing: HostRouting, batch: number, K: number, classes: number,
): Float32Array {
  const out = new Float32Array(K * batch * classes);
  const layers: DenseRowsLayer[] = experts.map(({ w, b }, i) => ({ w, b, relu: i < experts.length - 1 }));
  const rows: number[] = [];
  for (let k = 0; k < K; k++) {
    rows.length = 0;
    for (let b = 0; b < batch; b++) if (routing.mask[b * K + k] !== 0) rows.push(b);
    if (rows.length === 0) continue;
    const first = row(k, rows[0]);
    const d = first.length;
    const input = rows.length === 1 ? first : new Float32Array(rows.length * d);
    if (rows.length > 1) rows.forEach((b, j) => input.set(row(k, b), j * d));
    const logits = denseRowsForward(backend, input, rows.length, layers, k);
    rows.forEach((b, j) => out.set(logits.subarray(j * classes, (j + 1) * classes), (k * batch + b) * classes));
  }
  return out;
}
