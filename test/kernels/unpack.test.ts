import { describe, expect, it } from 'vitest';
import { randomValues } from '../helpers/tf.js';
import { unpackKernels } from '../../src/kernels/unpack.js';
import { wmoeVsCpu } from './against-cpu.js';

describe('Unpack kernel of wmoe matches tfjs-backend-cpu', () => {
  it('float32 and int32, every axis', async () => {
    const shape = [6, 4, 5];
    for (const dtype of ['float32', 'int32'] as const) {
      const f = randomValues(120, 3);
      const values = dtype === 'float32' ? f : Int32Array.from(f, (v) => Math.round(v * 100));
      for (const axis of [0, 1, 2, -1]) {
        const { got, ref } = await wmoeVsCpu(unpackKernels[0]!, { value: { shape, values, dtype } }, { axis });
        expect(got, `${dtype} axis ${axis}`).toEqual(ref);
      }
    }
  });

  it('rejects an out-of-range axis with a one-line error', async () => {
    await expect(wmoeVsCpu(unpackKernels[0]!, { value: { shape: [2, 3], values: new Float32Array(6) } }, { axis: 2 }))
      .rejects.toThrow(/Unpack axis 2 is out of range for rank 2/);
  });
});
