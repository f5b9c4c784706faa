// FLOPs of what a tfjs computation runs, counted from the kernels it dispatched (tf.profile):
// the multiply-adds of its convolutions (forward, input gradient, filter gradient) and matrix
// products (the package's head-summed products and attention cores among them), 2 FLOP each,
// from the kernels' input and output shapes. Element-wise kernels, pooling, reductions and batch
// norm are not counted (they are memory-bound and small in FLOPs), so a bench's GFLOP/s is that
// of the dense arithmetic, comparable to a peer's on the same network.
// The count is nominal: a convolution counts its direct multiply-adds whatever algorithm the
// backend runs (Winograd does fewer), as the FLOPs of a network usually are.
// No import of the package: pass its `tf`.

const size = (shape) => (shape ?? []).reduce((a, b) => a * b, 1);

/**
 * FLOPs (2 per multiply-add) of one kernel call `{ name, inputShapes, outputShapes }` (a
 * tf.profile record), 0 for kernels that are not convolutions or matrix products. NHWC tensors,
 * filters [h, w, in, out].
 */
export function kernelFlops({ name, inputShapes, outputShapes }) {
  const out = outputShapes?.[0];
  switch (name) {
    case 'Conv2D':
    case 'FusedConv2D': { // x, filter, …: every output value is a dot product of h·w·in
      const [fh, fw, ci] = inputShapes[1];
      return 2 * size(out) * fh * fw * ci;
    }
    case 'Conv2DBackpropInput': { // dy, filter: the forward's multiply-adds again
      const [fh, fw, ci] = inputShapes[1];
      return 2 * size(inputShapes[0]) * fh * fw * ci;
    }
    case 'Conv2DBackpropFilter': { // x, dy → filter [h, w, in, out]: each dy value meets h·w·in inputs
      const [fh, fw, ci] = out;
      return 2 * size(inputShapes[1]) * fh * fw * ci;
    }
    case 'BatchMatMul':
    case '_FusedMatMul': { // a, b, …: out [..., M, N], K from a (transposed or not) = its size / (batch·M)
      const a = inputShapes[0];
      const m = out[out.length - 2];
      const k = size(a) / (size(a.slice(0, -2)) * m);
      return 2 * size(out) * k;
    }
    case 'WmoeHeadsMatMul': { // a [H, G, m, k], b [H, Gb, k, n] → Σ over heads [G, m, n]: H·G·m·k·n
      return 2 * size(inputShapes[0]) * out[out.length - 1];
    }
    case 'WmoeAttention': { // q [B, nq, dh], k [B, nk, dh], v [B, nk, dv]: q·kᵀ, then p·v
      const [b, nq, dh] = inputShapes[0];
      const [, nk, dv] = inputShapes[2];
      return 2 * b * nq * nk * (dh + dv);
    }
    case 'WmoeAttentionGrad': { // dy, q, k, v, p: dp = dy·vᵀ and dv = pᵀ·dy, dq = ds·k and dk = dsᵀ·q
      const [b, nq, dh] = inputShapes[1];
      const [, nk, dv] = inputShapes[3];
      return 4 * b * nq * nk * (dh + dv);
    }
    default:
      return 0;
  }
}

/**
 * Runs `fn` under tf.profile and counts the FLOPs of the convolutions and matrix products it
 * dispatched: `{ flops, byKernel: { name: flops } }`. `fn` runs inside tf.tidy; what it returns is disposed.
 */
export async function countFlops(tf, fn) {
  const info = await tf.profile(() => tf.tidy(fn));
  const byKernel = {};
  let flops = 0;
  for (const k of info.kernels) {
    const f = kernelFlops(k);
    if (f > 0) {
      byKernel[k.name] = (byKernel[k.name] ?? 0) + f;
      flops += f;
    }
  }
  tf.dispose(info.result);
  return { flops, byKernel };
}
