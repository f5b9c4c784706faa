import { describe, expect, it } from 'vitest';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { randomValues } from '../helpers/tf.js';
import { binaryKernels, stridedPlan } from '../../src/kernels/binary.js';
import { unaryKernels } from '../../src/kernels/unary.js';
import { wmoeVsCpu, type Operand } from './against-cpu.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const f32 = (shape: number[], seed: number, scale = 1): Operand => ({ shape, values: randomValues(size(shape), seed).map((v) => v * scale) });

// [a shape, b shape]: equal shapes with SIMD tails, scalars on either side, trailing (bias)
// operands on either side, strided broadcasts on either side (inner dim broadcast or not),
// and one needing 5 merged dims (cpu fallback).
const pairs: [number[], number[]][] = [
  [[3, 5, 7], [3, 5, 7]], [[400, 120], []], [[], [400, 121]], [[1], [9]], [[2, 5, 5, 6], [6]], [[64, 10, 10, 16], [1, 16]],
  [[7], [3, 7]], [[2, 3, 5], [3, 5]], [[64, 4], [64, 1]], [[64, 1], [64, 10]], [[64, 1, 10], [64, 4, 10]],
  [[64, 4, 10], [64, 4, 1]], [[4, 1], [1, 3]], [[5, 1, 3, 1], [1, 6, 1, 7]], [[2, 1, 2, 1, 2], [1, 3, 1, 3, 1]],
];

describe('broadcasting arithmetic kernels of wmoe are bit-identical to tfjs-backend-cpu', () => {
  for (const config of binaryKernels) {
    it(config.kernelName, async () => {
      for (const [i, [as, bs]] of pairs.entries()) {
        // Divisors kept away from 0 so the quotients stay finite.
        const b = f32(bs, 20 + i);
        if (config.kernelName === 'RealDiv') b.values = b.values.map((v) => v + Math.sign(v || 1) * 0.25);
        const { got, ref } = await wmoeVsCpu(config, { a: f32(as, 10 + i, 3), b });
        expect(got[0].shape, `${as} ${bs}`).toEqual(ref[0].shape);
        expect(got[0].dtype).toBe('float32');
        expect(got[0].data, `${as} ${bs}`).toEqual(ref[0].data);
      }
    });
  }

  it('merges broadcast dims into at most 4 strided dims', () => {
    expect(stridedPlan([64, 4, 10], [64, 4, 1], [64, 4, 10])).toEqual({ n: [1, 1, 256, 10], sa: [0, 0, 10, 1], sb: [0, 0, 1, 0] });
    expect(stridedPlan([1, 6], [5, 1], [5, 6])).toEqual({ n: [1, 1, 5, 6], sa: [0, 0, 0, 1], sb: [0, 0, 1, 0] });
    expect(stridedPlan([2, 1, 2, 1, 2], [1, 3, 1, 3, 1], [2, 3, 2, 3, 2])).toBeNull();
  });

  it('int32 operands run the cpu kernel', async () => {
    const a: Operand = { shape: [5], values: Int32Array.from([1, -2, 3, 4, 5]), dtype: 'int32' };
    const { got, ref } = await wmoeVsCpu(binaryKernels[0]!, { a, b: a });
    expect(got).toEqual(ref);
  });
});

describe('unary kernels of wmoe are bit-identical to tfjs-backend-cpu', () => {
  const shapes = [[1], [3], [64, 28, 28, 6], [5, 7], [400, 120]];
  for (const config of unaryKernels) {
    it(config.kernelName, async () => {
      for (const [i, shape] of shapes.entries()) {
        const x = f32(shape, 30 + i, 2);
        if (config.kernelName === 'Sqrt') x.values = x.values.map(Math.abs);
        x.values[0] = 0; // Step's boundary
        if (x.values.length > 2) x.values[1] = NaN;
        for (const attrs of (config.kernelName === 'Step' ? [{ alpha: 0 }, { alpha: 0.25 }] : [{}]) as NamedAttrMap[]) {
          const { got, ref } = await wmoeVsCpu(config, { x }, attrs);
          expect(got[0].shape).toEqual(ref[0].shape);
          expect(got[0].data, `${shape}`).toEqual(ref[0].data);
        }
      }
    });
  }
});
