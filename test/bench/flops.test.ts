// bench/lib/flops.mjs: a kernel's FLOPs from its shapes (2 per multiply-add), for convolutions
// forward and both gradients, and for matrix products, transposed or batched.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM bench helper without type declarations
import { kernelFlops } from '../../bench/lib/flops.mjs';

describe('kernelFlops', () => {
  // a 3x3 conv 64→128, stride 2, on [8, 32, 32, 64] → [8, 16, 16, 128]: 8·16·16·128 outputs of 3·3·64 multiply-adds each
  const macs = 8 * 16 * 16 * 128 * 3 * 3 * 64;

  it('counts a convolution the same forward, as input gradient and as filter gradient', () => {
    expect(kernelFlops({ name: 'Conv2D', inputShapes: [[8, 32, 32, 64], [3, 3, 64, 128]], outputShapes: [[8, 16, 16, 128]] })).toBe(2 * macs);
    expect(kernelFlops({ name: 'FusedConv2D', inputShapes: [[8, 32, 32, 64], [3, 3, 64, 128], [128], null], outputShapes: [[8, 16, 16, 128]] })).toBe(2 * macs);
    expect(kernelFlops({ name: 'Conv2DBackpropInput', inputShapes: [[8, 16, 16, 128], [3, 3, 64, 128]], outputShapes: [[8, 32, 32, 64]] })).toBe(2 * macs);
    expect(kernelFlops({ name: 'Conv2DBackpropFilter', inputShapes: [[8, 32, 32, 64], [8, 16, 16, 128]], outputShapes: [[3, 3, 64, 128]] })).toBe(2 * macs);
  });

  it('counts a matrix product whatever the transposes, per batch', () => {
    const mm = (a: number[], b: number[], out: number[]) => kernelFlops({ name: 'BatchMatMul', inputShapes: [a, b], outputShapes: [out] });
    expect(mm([4, 32, 400], [4, 400, 120], [4, 32, 120])).toBe(2 * 4 * 32 * 400 * 120);
    expect(mm([4, 400, 32], [4, 400, 120], [4, 32, 120])).toBe(2 * 4 * 32 * 400 * 120); // a transposed
    expect(kernelFlops({ name: '_FusedMatMul', inputShapes: [[32, 512], [512, 10], [10]], outputShapes: [[32, 10]] })).toBe(2 * 32 * 512 * 10);
  });

  it("counts the ViT's head-summed products and its attention core, forward and gradient", () => {
    // 3 heads of [1, 2080, 64] · [64, 192], summed over the heads
    expect(kernelFlops({ name: 'WmoeHeadsMatMul', inputShapes: [[3, 1, 2080, 64], [3, 1, 64, 192]], outputShapes: [[1, 2080, 192]] })).toBe(2 * 3 * 2080 * 64 * 192);
    // 96 (head, image) pairs of 65 queries against 65 keys, dh = 64: q·kᵀ and p·v
    const att = 2 * 96 * 65 * 65 * (64 + 64);
    expect(kernelFlops({ name: 'WmoeAttention', inputShapes: [[96, 65, 64], [96, 65, 64], [96, 65, 64]], outputShapes: [[96, 65, 64], [96, 65, 65]] })).toBe(att);
    const shapes = [[96, 65, 64], [96, 65, 64], [96, 65, 64], [96, 65, 64], [96, 65, 65]];
    expect(kernelFlops({ name: 'WmoeAttentionGrad', inputShapes: shapes, outputShapes: shapes.slice(1, 4) })).toBe(2 * att);
    // the CLS-only last block: one query per (head, image)
    expect(kernelFlops({ name: 'WmoeAttention', inputShapes: [[384, 1, 64], [384, 65, 64], [384, 65, 64]], outputShapes: [[384, 1, 64], [384, 1, 65]] })).toBe(2 * 384 * 65 * 128);
  });

  it('counts nothing for element-wise, pooling and batch-norm kernels', () => {
    for (const name of ['Add', 'Relu', 'MaxPool', 'Mean', 'WmoeBatchNormTrain', 'fusedConv2d__op']) {
      expect(kernelFlops({ name, inputShapes: [[8, 16, 16, 128]], outputShapes: [[8, 16, 16, 128]] })).toBe(0);
    }
  });
});
