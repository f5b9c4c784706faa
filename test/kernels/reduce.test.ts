import { describe, expect, it } from 'vitest';
import { randomValues, maxRelError } from '../helpers/tf.js';
import { reduceKernels, reductionBlock } from '../../src/kernels/reduce.js';
import { wmoeVsCpu } from './against-cpu.js';

const [sum, mean] = [reduceKernels[0]!, reduceKernels[1]!];
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe('Sum and Mean kernels of wmoe match tfjs-backend-cpu', () => {
  const cases: [number[], number[] | number, boolean][] = [
    [[64, 28, 28, 6], [0, 1, 2], false], // conv bias gradient
    [[64, 10, 10, 16], [0, 1, 2], true],
    [[5, 7], 1, false], [[5, 7], 0, false], [[64, 10], -1, true], [[2, 3, 4, 5], [1, 2], false],
    [[3, 1, 4], [0, 2], false], [[1, 9, 1], [0, 1, 2], true], [[2, 3, 4], [0, 2], false], // last: not one block → cpu
    [[100003], 0, false],
  ];
  it('on contiguous and non-contiguous axis sets, keepDims on and off', async () => {
    for (const config of [sum, mean]) {
      for (const [i, [shape, axis, keepDims]] of cases.entries()) {
        const { got, ref } = await wmoeVsCpu(config, { x: { shape, values: randomValues(size(shape), 90 + i) } }, { axis, keepDims });
        const what = `${config.kernelName} ${shape} ${axis}`;
        expect(got[0].shape, what).toEqual(ref[0].shape);
        expect(maxRelError(got[0].data, ref[0].data), what).toBeLessThan(1e-5);
      }
    }
  });

  it('sums columns in 16-column passes with the same bits as cpu (ViT bias gradients, column tails)', async () => {
    // Inner 384 = 24 passes of 16 columns; 37 = 2 passes, one 4-column group and one single column.
    for (const [i, [shape, axis]] of ([[[32, 65, 384], [0, 1]], [[7, 50, 37], 1], [[2080, 64], 0]] as const).entries()) {
      const { got, ref } = await wmoeVsCpu(sum, { x: { shape: [...shape], values: randomValues(size([...shape]), 70 + i) } }, { axis, keepDims: false });
      expect(Array.from(got[0].data), `${shape}`).toEqual(Array.from(ref[0].data));
    }
  });

  it('keeps cpu-like accuracy on a long sum that cancels', async () => {
    // 2^18 terms of mean ~0 plus an offset of 1000 on every other term: f32 running sums would drift.
    const n = 1 << 18;
    const values = randomValues(n, 5).map((v, j) => v + (j % 2 ? 1000 : -1000));
    const { got, ref } = await wmoeVsCpu(sum, { x: { shape: [n, 1], values } }, { axis: 0, keepDims: false });
    expect(Math.abs(got[0].data[0]! - ref[0].data[0]!)).toBeLessThan(1e-3 * Math.abs(ref[0].data[0]!) + 1e-2);
  });

  it('finds the [outer, reduced, inner] block, ignoring size-1 axes', () => {
    expect(reductionBlock([64, 28, 28, 6], [0, 1, 2])).toEqual([1, 64 * 28 * 28, 6]);
    expect(reductionBlock([3, 1, 4], [0, 2])).toEqual([1, 12, 1]);
    expect(reductionBlock([2, 3, 4], [0, 2])).toBeNull();
  });
});
