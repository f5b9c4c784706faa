import { describe, expect, it } from 'vitest';
import { tf, wmoe, runOn, maxRelError, rand } from '../helpers/tf.js';
import { singleChannelInputGradFits } from '../../src/kernels/conv_single_channel.js';


type Case = { n: number; h: number; w: number; co: number; fh: number; fw: number; pad: 'same' | 'valid' | number };

/** Conv2DBackpropInput of a one-input-channel conv on `backend`, as plain values. */
async function backpropInput(backend: 'cpu' | 'wmoe', c: Case, seed: number) {
  const [out] = await runOn(backend, () => {
    const w = rand([c.fh, c.fw, 1, c.co], seed + 1);
    const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, 1], [c.fh, c.fw, 1, c.co], 1, 1, c.pad);
    const dy = rand(info.outShape, seed);
    return tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, {
      strides: 1, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.n, c.h, c.w, 1],
    }) as tf.Tensor;
  });
  return out;
}

// Batch 1 and more, odd and even sizes (tiles of 3 rows × 8 pixels cut at both edges), 'same',
// 'valid' and explicit padding (also beyond the filter), filters 1–5 (also non-square; 5 rows
// take the 5-row kernel), 1/6/8 output channels, and the
// exact LeNet-5 c1 shape (dx [64,32,32,1] from dy [64,28,28,6], filter 5x5x1x6).
const cases: Case[] = [
  { n: 1, h: 7, w: 9, co: 1, fh: 3, fw: 3, pad: 'same' },
  { n: 1, h: 11, w: 13, co: 6, fh: 5, fw: 5, pad: 'valid' },
  { n: 2, h: 9, w: 7, co: 8, fh: 3, fw: 3, pad: 'valid' },
  { n: 3, h: 13, w: 17, co: 6, fh: 5, fw: 5, pad: 'same' },
  { n: 2, h: 8, w: 16, co: 8, fh: 5, fw: 5, pad: 'same' },
  { n: 1, h: 5, w: 6, co: 6, fh: 2, fw: 4, pad: 'same' },
  { n: 2, h: 10, w: 3, co: 1, fh: 1, fw: 1, pad: 'valid' },
  { n: 1, h: 6, w: 5, co: 8, fh: 3, fw: 3, pad: 4 },
  { n: 1, h: 4, w: 4, co: 6, fh: 5, fw: 5, pad: 'same' },
  { n: 64, h: 32, w: 32, co: 6, fh: 5, fw: 5, pad: 'valid' },
  { n: 2, h: 10, w: 11, co: 6, fh: 5, fw: 3, pad: 1 },
  { n: 1, h: 7, w: 9, co: 8, fh: 5, fw: 5, pad: 6 },
  { n: 1, h: 8, w: 8, co: 1, fh: 5, fw: 2, pad: 'same' },
];

describe('Conv2DBackpropInput with one input channel on wmoe', () => {
  it('matches tfjs-backend-cpu to 1e-4 relative', async () => {
    await wmoe();
    let seed = 500;
    for (const c of cases) {
      const s = (seed += 7);
      const ref = await backpropInput('cpu', c, s);
      const got = await backpropInput('wmoe', c, s);
      expect(got.shape, JSON.stringify(c)).toEqual([c.n, c.h, c.w, 1]);
      expect(maxRelError(got.data, ref.data), JSON.stringify(c)).toBeLessThan(1e-4);
    }
  });

  it('gives the input gradient of a 1-channel conv through tf.grad', async () => {
    await wmoe();
    for (const [pad, co, f] of [['valid', 6, 5], ['same', 8, 3]] as const) {
      const grad = () => {
        const x = rand([2, 12, 10, 1], 41);
        const w = rand([f, f, 1, co], 42);
        const g = rand([2, pad === 'same' ? 12 : 12 - f + 1, pad === 'same' ? 10 : 10 - f + 1, co], 43);
        return tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, w as tf.Tensor4D, 1, pad), g)))(x);
      };
      const [ref] = await runOn('cpu', grad);
      const [got] = await runOn('wmoe', grad);
      expect(got.shape).toEqual([2, 12, 10, 1]);
      expect(maxRelError(got.data, ref.data), `${pad} co=${co} f=${f}`).toBeLessThan(1e-4);
    }
  });

  it('is bit-identical across calls and leaves other calls to the general kernel', async () => {
    await wmoe();
    const c: Case = { n: 2, h: 13, w: 11, co: 6, fh: 5, fw: 5, pad: 'same' };
    const a = await backpropInput('wmoe', c, 9);
    const b = await backpropInput('wmoe', c, 9);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const dy = { dtype: 'float32', shape: [1, 8, 8, 6] } as tf.TensorInfo;
    const filter = { dtype: 'float32', shape: [3, 3, 1, 6] } as tf.TensorInfo;
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 8, 8, 1] };
    const fits = (inputs: object, at: object) => singleChannelInputGradFits({ inputs, backend: null, attrs: at } as never);
    expect(fits({ dy, filter }, attrs)).toBe(true);
    expect(fits({ dy, filter }, { ...attrs, strides: [1, 2] })).toBe(false);
    expect(fits({ dy, filter }, { ...attrs, dataFormat: 'NCHW' })).toBe(false);
    expect(fits({ dy, filter: { ...filter, shape: [3, 3, 2, 6] } }, { ...attrs, inputShape: [1, 8, 8, 2] })).toBe(false);
    expect(fits({ dy: { ...dy, dtype: 'int32' }, filter }, attrs)).toBe(false);
  });

  it('rejects a dy whose shape does not match the convolution with a one-line error', async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    const dy = tf.zeros([1, 6, 6, 6]);
    const w = tf.zeros([3, 3, 1, 6]);
    expect(() => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, {
      strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 8, 8, 1],
    })).toThrow(/dy has shape \[1,6,6,6\], expected \[1,8,8,6\]/);
    tf.dispose([dy, w]);
  });
});
