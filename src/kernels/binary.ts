// Broadcasting float32 arithmetic (Add, Sub, Multiply, RealDiv) run by
// assembly/nn/elementwise.ts. Equal shapes, a scalar (size-1) operand and an operand whose
// shape is a trailing part of the other's (a bias [C] against [N, H, W, C]) take one flat
// SIMD pass; any other broadcast ([B, E, 1] against [B, E, C], outer products...) that
// merges into at most 4 dims runs strided. Non-float32 dtypes run the cpu kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuKernel, inputOf, outputF32, readPtr, sizeOf, wmoeOf, type KernelArgs } from './wasm_io.js';

const OPS = { [tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2, [tf.RealDiv]: 3 } as Record<string, number>;
/** Op code of `small OP full` written as `full OP' small` (assembly/nn/elementwise.ts). */
const REVERSED = [0, 4, 2, 5];

/** True when `small`'s shape, without leading 1s, is the trailing part of `out`. */
function isTrailing(small: readonly number[], out: readonly number[]): boolean {
  let s = 0;
  while (s < small.length && small[s] === 1) s++;
  const k = small.length - s;
  if (k > out.length) return false;
  for (let i = 0; i < k; i++) if (small[s + i] !== out[out.length - k + i]) return false;
  return true;
}

/**
 * The broadcast of a and b to `out` as at most 4 merged dims [n0..n3] with element strides
 * of a and b (0 along broadcast dims), or null if more dims are needed.
 */
export function stridedPlan(aShape: readonly number[], bShape: readonly number[], out: readonly number[]) {
  const r = out.length;
  const pad = (s: readonly number[]) => [...new Array(r - s.length).fill(1), ...s] as number[];
  const A = pad(aShape), B = pad(bShape);
  // Dims of size > 1 with their broadcast flags; neighbours with equal flags merge.
  const dims: { n: number; ba: boolean; bb: boolean }[] = [];
  for (let d = 0; d < r; d++) {
    const n = out[d] as number;
    if (n === 1) continue;
    const ba = A[d] === 1, bb = B[d] === 1;
    const last = dims[dims.length - 1];
    if (last && last.ba === ba && last.bb === bb) last.n *= n;
    else dims.push({ n, ba, bb });
  }
  if (dims.length > 4) return null;
  while (dims.length < 4) dims.unshift({ n: 1, ba: true, bb: true });
  const sa = [0, 0, 0, 0], sb = [0, 0, 0, 0];
  let ka = 1, kb = 1;
  for (let d = 3; d >= 0; d--) {
    const { n, ba, bb } = dims[d]!;
    if (!ba) { sa[d] = ka; ka *= n; }
    if (!bb) { sb[d] = kb; kb *= n; }
  }
  return { n: dims.map((d) => d.n), sa, sb };
}

function binaryKernel(name: string) {
  const code = OPS[name] as number;
  return (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const a = inputOf(args, name, 'a');
    const b = inputOf(args, name, 'b');
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return cpuKernel(name, args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = sizeOf(outShape);
    const na = sizeOf(a.shape), nb = sizeOf(b.shape);
    let full: TensorInfo, per: TensorInfo, op: number;
    if (na === n && (nb === n || isTrailing(b.shape, outShape))) {
      [full, per, op] = [a, b, code];
    } else if (nb === n && isTrailing(a.shape, outShape)) {
      [full, per, op] = [b, a, REVERSED[code] as number];
    } else {
      return strided(args, name, code, a, b, outShape);
    }
    const backend = wmoeOf(args);
    if (n === 0) return backend.output(outShape, new Float32Array(0));
    const { exports, arena } = backend.nn;
    arena.reset();
    const fp = readPtr(backend, backend.f32(full));
    const pp = readPtr(backend, backend.f32(per));
    const y = outputF32(backend, n);
    exports.binary(op, fp, pp, y.ptr, n, sizeOf(per.shape));
    return backend.output(outShape, y.values());
  };
}

function strided(args: KernelArgs, name: string, code: number, a: TensorInfo, b: TensorInfo, outShape: number[]) {
  const plan = stridedPlan(a.shape, b.shape, outShape);
  if (plan === null) return cpuKernel(name, args);
  const backend = wmoeOf(args);
  const n = sizeOf(outShape);
  const { exports, arena } = backend.nn;
  arena.reset();
  const ap = readPtr(backend, backend.f32(a));
  const bp = readPtr(backend, backend.f32(b));
  const y = outputF32(backend, n);
  const yp = y.ptr;
  const [n0, n1, n2, n3] = plan.n as [number, number, number, number];
  const [a0, a1, a2, a3] = plan.sa as [number, number, number, number];
  const [b0, b1, b2, b3] = plan.sb as [number, number, number, number];
  exports.binaryStrided(code, ap, bp, yp, n0, n1, n2, n3, a0, a1, a2, a3, b0, b1, b2, b3);
  return backend.output(outShape, y.values());
}

/** The broadcasting arithmetic kernels of backend `wmoe`. */
export const binaryKernels: KernelConfig[] = [tf.Add, tf.Sub, tf.Multiply, tf.RealDiv].map((name) => ({
  kernelName: name, backendName: 'wmoe', kernelFunc: binaryKernel(name) as KernelConfig['kernelFunc'],
}));
