// Σ over heads of per-head matrix products on backend `wmoe`, as ONE GEMM per group whose
// reduction runs over the heads' concatenated inner dimensions: Σ_h A_h·B_h = [A_0 … A_{H−1}]·
// [B_0; …; B_{H−1}]. The rows of A come through the GEMM's indirection table (one pointer per
// row and head, no copy), and each head's B is packed into its rows of one packed matrix. It
// replaces H products of a short reduction, a [H, …] intermediate and its Sum (and, in the
// gradient, the Multiply that broadcasts dy over the heads): the ViT's attention output
// projection and the input gradient of its per-head q, k, v projections.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { MR, indirectionBytes, packedBytes } from '../wasm/gemm_layout.js';
import { inputOf, outputF32, readPtr, wmoeOf, type KernelArgs } from './wasm_io.js';
import { HEADS_MATMUL, type HeadsMatMulAttrs } from './kernel_names.js';

/** Shapes of a [H, G, m, k] and b [H, Gb, k, n] (transposed: [H, Gb, n, k]); throws a one-line error when they do not fit. */
function dims(a: TensorInfo, b: TensorInfo, transposeB: boolean) {
  const [H, G, m, k] = a.shape as number[];
  const [Hb, Gb, b2, b3] = b.shape as number[];
  const [kb, n] = transposeB ? [b3, b2] : [b2, b3];
  const ok = a.shape.length === 4 && b.shape.length === 4 && a.dtype === 'float32' && b.dtype === 'float32' &&
    Hb === H && (Gb === 1 || Gb === G) && kb === k;
  if (!ok) {
    throw new Error(`wireless-moe: ${HEADS_MATMUL}: a [${a.shape}] and b [${b.shape}] (transposeB ${transposeB}) must be float32 [H, G, m, k] and [H, 1 or G, k, n]`);
  }
  return { H: H!, G: G!, Gb: Gb!, m: m!, k: k!, n: n! };
}

function headsMatMul(args: KernelArgs): TensorInfo {
  const { transposeB } = args.attrs as unknown as HeadsMatMulAttrs;
  const a = inputOf(args, HEADS_MATMUL, 'a'), b = inputOf(args, HEADS_MATMUL, 'b');
  const { H, G, Gb, m, k, n } = dims(a, b, transposeB);
  const backend = wmoeOf(args);
  const { exports: ex, arena } = backend.nn;
  arena.reset();
  const pa = readPtr(backend, backend.f32(a)), pb = readPtr(backend, backend.f32(b));
  const c = outputF32(backend, G * m * n);
  if (G * m * n > 0) {
    const pbp = arena.alloc(packedBytes(H * k, n));
    const pind = arena.alloc(indirectionBytes(m, H));
    const rs = transposeB ? 1 : n, cs = transposeB ? k : 1;
    for (let g = 0; g < G; g++) {
      // Each head's B_h into rows h·k … h·k + k − 1 of one packed [H·k, n].
      for (let h = 0; h < H; h++) ex.gemmPackBRows(pb + (h * Gb + (Gb === 1 ? 0 : g)) * k * n * 4, k, n, rs, cs, pbp, H * k, h * k);
      // Indirection [tiles][H][MR]: row i of tap h is A_h's row i (rows past m repeat the last).
      ex.headsRowPointers(pa + g * m * k * 4, m, k * 4, H, G * m * k * 4, MR, pind);
      ex.gemmIndirect(m, n, H, k, pind, 4, pbp, c.ptr + g * m * n * 4, n, 0, 0);
    }
  }
  return backend.output([G, m, n], c.values());
}

/** The heads-sum matmul kernel of backend `wmoe`. */
export const headsMatMulKernels: KernelConfig[] = [
  { kernelName: HEADS_MATMUL, backendName: 'wmoe', kernelFunc: headsMatMul as unknown as KernelConfig['kernelFunc'] },
];
