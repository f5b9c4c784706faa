import { describe, expect, it } from 'vitest';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { tf, wmoe, runOn, randomValues, maxRelError } from '../helpers/tf.js';
import { binaryKernels } from '../../src/kernels/binary.js';
import { unaryKernels } from '../../src/kernels/unary.js';
import { reduceKernels } from '../../src/kernels/reduce.js';
import { unpackKernels } from '../../src/kernels/unpack.js';

/** Makes sure backend wmoe runs these kernels (whether or not src/kernels/index.ts lists them yet). */
function use(configs: KernelConfig[]) {
  for (const k of configs) {
    if (tf.getKernel(k.kernelName, 'wmoe')?.kernelFunc === k.kernelFunc) continue;
    tf.unregisterKernel(k.kernelName, 'wmoe');
    tf.registerKernel(k);
  }
}

describe('a small mixture-of-experts training step on wmoe', () => {
  it('gives the gradients cpu gives (conv, relu, pools, bias, softmax gate, top-2, stack, mean)', async () => {
    await wmoe();
    use([...binaryKernels, ...unaryKernels, ...reduceKernels, ...unpackKernels]);
    const B = 6, E = 3, C = 5;
    let seed = 1;
    const t = (shape: number[], scale = 0.5) => tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed++).map((v) => v * scale), shape);
    const data = { x: t([B, 11, 11, 2], 1), w: t([3, 3, 2, 4]), b: t([4]), g: t([4 * 4 * 4, E]), experts: [0, 1, 2].map(() => [t([64, 7]), t([7]), t([7, C])]) };
    // Top-2 routing mask; a hard choice, so no gradient (TopK has none in tfjs).
    const routeMask = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const probs = args[0] as tf.Tensor;
      return { value: tf.sum(tf.oneHot(tf.topk(probs, 2).indices, E), 1), gradFunc: () => tf.zerosLike(probs) };
    });
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32'), C);
    const f = () => {
      const params = [data.w, data.b, data.g, ...data.experts.flat()];
      const vars = params.map((p) => tf.clone(p));
      const loss = (...p: tf.Tensor[]) => {
        const [w, b, g] = p as [tf.Tensor4D, tf.Tensor, tf.Tensor2D];
        // [B,11,11,2] → conv same [B,11,11,4] → maxPool 3/2 same [B,6,6,4] → avgPool 3/1 valid [B,4,4,4]
        const conv = tf.relu(tf.add(tf.conv2d(data.x as tf.Tensor4D, w, 1, 'same'), b)) as tf.Tensor4D;
        const h = tf.avgPool(tf.maxPool(conv, 3, 2, 'same'), 3, 1, 'valid');
        const feat = tf.reshape(h, [B, 64]) as tf.Tensor2D;
        const probs = tf.softmax(tf.matMul(feat, g));
        const mask = routeMask(probs);
        const chosen = tf.mul(probs, mask);
        const gates = tf.div(chosen, tf.sum(chosen, 1, true));
        const outs = [0, 1, 2].map((e) => {
          const [w1, b1, w2] = p.slice(3 + 3 * e, 6 + 3 * e) as [tf.Tensor2D, tf.Tensor, tf.Tensor2D];
          return tf.matMul(tf.relu(tf.add(tf.matMul(feat, w1), b1)) as tf.Tensor2D, w2);
        });
        const logits = tf.sum(tf.mul(tf.stack(outs, 1), tf.expandDims(gates, 2)), 1);
        const lb = tf.sum(tf.mul(tf.mean(mask, 0), tf.mean(probs, 0)));
        return tf.add(tf.losses.softmaxCrossEntropy(labels, logits), tf.mul(0.5, lb)) as tf.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(loss)(vars);
      return [value, ...grads];
    };
    const ref = await runOn('cpu', f);
    const got = await runOn('wmoe', f);
    expect(got.length).toBe(ref.length);
    for (let i = 0; i < ref.length; i++) {
      expect(got[i]!.shape).toEqual(ref[i]!.shape);
      expect(maxRelError(got[i]!.data, ref[i]!.data), `output ${i}`).toBeLessThan(1e-4);
    }
  });
});
