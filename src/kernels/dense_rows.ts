// Dense layers run on the host side of tfjs for inference at small batch: a few rows through one
// batch (an expert) of stacked [K, in, out] kernels, straight into the WASM GEMM with no tensor
// ops in between (each tfjs op costs a few µs of dispatch, as much as a batch-1 layer's
// arithmetic). Used by predict (src/infer) to run only the experts a sample is routed to.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WmoeBackend } from '../backend/backend.js';
import type { NnExports } from './nn_exports.js';
import { cachedPackedB } from './packed_b_cache.js';
import { readPtr } from './wasm_io.js';
import { indirectionBytes, packedBytes } from '../wasm/gemm_layout.js';

/** One dense layer: kernel w [..., in, out] and bias b (out floats per batch of w: [..., 1, out] or [out]). */
export interface DenseRowsLayer {
  w: TensorInfo;
  b: TensorInfo;
  relu: boolean;
}

/**
 * The rows `a` [m, in] through `layers` in turn, each y = x · w[batch] + b[batch] (then ReLU where
 * asked), with batch `batch` of every kernel and bias: [m, out of the last layer]. The bits of
 * tf.fused.matMul on the same rows (the same GEMM and packed B — cached, see PackedBCache — then
 * the same float32 add and max). Intermediate rows stay in WASM memory. float32 tensors only;
 * throws a RangeError on mismatched sizes.
 */
export function denseRowsForward(backend: WmoeBackend, a: Float32Array, m: number, layers: readonly DenseRowsLayer[], batch: number): Float32Array {
  const ex = backend.nn.exports as NnExports;
  const arena = backend.nn.arena;
  arena.reset();
  let k = a.length / Math.max(m, 1);
  let px = arena.put(a);
  for (const { w, b, relu } of layers) {
    const r = w.shape.length;
    const [rows, n] = [w.shape[r - 2], w.shape[r - 1]];
    const wv = backend.f32(w);
    const bv = backend.f32(b);
    if (rows !== k || (batch + 1) * k * n > wv.length || (batch + 1) * n > bv.length) {
      throw new RangeError(`wireless-moe denseRowsForward: rows of ${k} values do not fit batch ${batch} of kernel [${w.shape}] and bias [${b.shape}]`);
    }
    let pbp = cachedPackedB(backend, w, wv, false, k, n);
    if (pbp >= 0) pbp += batch * packedBytes(k, n);
    else {
      pbp = arena.alloc(packedBytes(k, n));
      ex.gemmPackB(readPtr(backend, wv) + batch * k * n * 4, k, n, n, 1, pbp);
    }
    const pind = arena.alloc(indirectionBytes(m, 1));
    const py = arena.alloc(m * n * 4);
    ex.gemm(m, n, k, px, k, 1, pbp, py, n, 0, pind);
    ex.gemmBiasActivation(py, m, n, n, readPtr(backend, bv) + batch * n * 4, relu ? 1 : 0, 0.2);
    px = py;
    k = n;
  }
  const out = new Float32Array(m * k);
  arena.readF32(px, out);
  return out;
}
