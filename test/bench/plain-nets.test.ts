// bench/lib/plain-nets.mjs: the inference bench's plain networks have PyTorch's multiply-add
// counts (bench/peers/torch/infer.py counts them with forward hooks: 416 520 for LeNet-5,
// 555 422 720 for the CIFAR ResNet-18), and the FLOP counter of bench/lib/flops.mjs finds the same
// number in the kernels a forward dispatches.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/random/seeded.js';
// @ts-expect-error: plain ESM bench helper without type declarations
import { PLAIN_NETS, buildPlainNet, flopsPerImage } from '../../bench/lib/plain-nets.mjs';
// @ts-expect-error: plain ESM bench helper without type declarations
import { countFlops } from '../../bench/lib/flops.mjs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('plain networks', () => {
  it("LeNet-5 has PyTorch's multiply-adds, in its layers and in the kernels of a forward", async () => {
    const net = buildPlainNet(tf, 'lenet5', new SeededRandom(1));
    expect(net.macsPerImage).toBe(416_520);
    const x = tf.zeros([3, ...PLAIN_NETS.lenet5.inputShape]);
    const y = tf.tidy(() => net.forward(x));
    expect(y.shape).toEqual([3, 10]);
    expect((await countFlops(tf, () => net.forward(x))).flops).toBe(3 * flopsPerImage('lenet5'));
    tf.dispose([x, y]);
    net.dispose();
  });

  it("ResNet-18 has PyTorch's 555 422 720 multiply-adds (1.111 GFLOP per image)", () => {
    const net = buildPlainNet(tf, 'resnet18', new SeededRandom(1));
    expect(net.macsPerImage).toBe(555_422_720);
    expect(flopsPerImage('resnet18') / 1e9).toBeCloseTo(1.111, 3);
    net.dispose();
  });

  it('rejects an unknown model by name', () => {
    expect(() => buildPlainNet(tf, 'vgg', new SeededRandom(1))).toThrow(/unknown model 'vgg'/);
  });
});
