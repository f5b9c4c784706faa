// predict(): the predictions evaluate() makes on the same samples (accuracy and expert selection,
// over a noisy analog link too), every input form alike, and one-line errors for bad input.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { expectInputError } from '../helpers/errors.js';
import { byteDataset } from '../helpers/datasets.js';
import { loadMnist } from '../../src/data/mnist.js';
import { head } from '../../src/data/dataset.js';
import { imageValues } from '../../src/data/pixels.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { analogLink } from '../../src/link/analog.js';
import { perfectLink } from '../../src/link/perfect.js';
import { awgnLinkBatch } from '../../src/link/channel_model.js';
import { extractFeatures } from '../../src/train/features.js';
import { evaluate } from '../../src/train/evaluate.js';
import { predict, releasePredictState, type PredictResult } from '../../src/infer/predict.js';
import type { Dataset } from '../../src/data/dataset.js';

const K = 4;
const lenet = () => new DistributedMoE({
  model: 'lenet5', dataset: 'mnist', inputShape: [32, 32, 1], classes: 10, experts: K, topK: 2, snrRange: [-10, 20],
  inputNormalisation: { mean: [0.13], std: [0.31] },
}, 11);

/** Accuracy and selection (share of routing slots per expert) of a prediction, as evaluate reports them. */
function summary(r: PredictResult, labels: Int32Array) {
  const slots = new Array<number>(K).fill(0);
  r.predictions.forEach((p) => p.experts.forEach((k) => slots[k]++));
  const total = slots.reduce((a, v) => a + v, 0);
  return {
    accuracy: r.predictions.filter((p, i) => p.label === labels[i]).length / r.predictions.length,
    selection: slots.map((v) => v / total),
  };
}

describe('predict', () => {
  let test: Dataset;
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    test = head((await loadMnist()).test, 300);
  });

  it('makes the predictions evaluate makes: perfect link, analog over random and over equal SNRs (same seed, two batches)', () => {
    const moe = lenet();
    const features = extractFeatures(moe, test);
    const conditions = [
      [perfectLink, { kind: 'perfect' }],
      [analogLink, { kind: 'range', min: -5, max: 5 }],
      [analogLink, { kind: 'fixed', db: [3, 3, 3, 3] }], // one SNR on every link: the channel-aware gate routes as the naive one
    ] as const;
    for (const [link, snr] of conditions) {
      for (const gate of ['naive', 'channel-aware'] as const) {
        const want = evaluate(moe, features, { gate, link, snr, seed: 4 });
        const got = summary(predict(moe, test, { gate, link, snr, seed: 4 }), test.labels);
        expect(got.accuracy, `${gate} ${link.kind} ${snr.kind}`).toBe(want.accuracy);
        got.selection.forEach((s, k) => expect(s, `${gate} ${link.kind} expert ${k}`).toBeCloseTo(want.selection[k], 12));
      }
    }
    releasePredictState(moe);
    moe.dispose();
  });

  it('each image: top-k experts by decreasing weight, weights and probabilities summing to 1, label the argmax', () => {
    const moe = lenet();
    const { predictions, timing } = predict(moe, head(test, 40), { batchSize: 16 });
    expect(predictions).toHaveLength(40);
    for (const p of predictions) {
      expect(p.experts).toHaveLength(2);
      expect(p.weights[0]).toBeGreaterThanOrEqual(p.weights[1]);
      expect(p.weights[0] + p.weights[1]).toBeCloseTo(1, 6);
      expect(p.probabilities.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
      expect(p.probabilities[p.label]).toBe(Math.max(...p.probabilities));
    }
    expect(timing.batchMs).toHaveLength(3);
    expect(timing.medianBatchMs).toBeGreaterThan(0);
    expect(timing.imagesPerSecond).toBeGreaterThan(0);
    releasePredictState(moe);
    moe.dispose();
  });

  it('a Dataset, a Float32Array and a tensor of the same images give the same predictions', () => {
    const moe = lenet();
    const ds = head(test, 20);
    const values = imageValues(ds, 0, 20);
    const a = predict(moe, ds, { batchSize: 8 }).predictions;
    const b = predict(moe, values, { batchSize: 8 }).predictions;
    const c = predict(moe, tf.tensor4d(values, [20, 32, 32, 1]), { batchSize: 8 }).predictions;
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    releasePredictState(moe);
    moe.dispose();
  });

  for (const [name, options, channels] of [['lenet5', undefined, 1], ['resnet18', { width: 8, bottleneck: 4 }, 3], ['vit', { width: 24, heads: 2, depth: 2 }, 3]] as const) {
    it(`${name}: probabilities and experts of DistributedMoE.route (sparse, unfolded) on the same images`, () => {
      const moe = new DistributedMoE({ model: name, dataset: 'cifar10', inputShape: [32, 32, channels], classes: 10, experts: K, topK: 2, snrRange: [-10, 20], modelOptions: options }, 12);
      const images = tf.randomUniform([9, 32, 32, channels], 0, 1, 'float32', 13) as tf.Tensor4D;
      const got = predict(moe, images, { foldBatchNorm: false, gate: 'naive' }).predictions;
      const want = moe.route(moe.features(images), { gate: 'naive', link: perfectLink, batch: awgnLinkBatch(new Float32Array(9 * K).fill(Infinity), 9, K, 1), sparse: true });
      const [probs, mask, weights] = [want.probs.arraySync(), want.mask.arraySync(), want.weights.arraySync()];
      got.forEach((p, i) => {
        p.probabilities.forEach((v, c) => expect(v).toBeCloseTo(probs[i][c], 6));
        expect([...p.experts].sort()).toEqual(mask[i].flatMap((m, k) => (m ? [k] : [])));
        p.experts.forEach((k, j) => expect(p.weights[j]).toBeCloseTo(weights[i][k], 6));
      });
      releasePredictState(moe);
      moe.dispose();
    });
  }

  it('LeNet-5 on wmoe: gate and experts run on the host side (no matmul, stack or gather kernels), with the probabilities of route', async () => {
    const moe = lenet();
    const images = tf.randomUniform([1, 32, 32, 1], 0, 1, 'float32', 14) as tf.Tensor4D;
    predict(moe, images); // first call: folds the batch norms
    let got: PredictResult | undefined;
    const { kernels } = await tf.profile(() => {
      got = predict(moe, images);
    });
    const names = new Set(kernels.map((k) => k.name));
    for (const name of ['_FusedMatMul', 'BatchMatMul', 'Pack', 'GatherV2', 'Add']) expect(names.has(name), name).toBe(false);
    const want = moe.route(moe.features(images), { gate: 'naive', link: perfectLink, batch: awgnLinkBatch(new Float32Array(K).fill(Infinity), 1, K, 1), sparse: true });
    const probs = want.probs.dataSync();
    got!.predictions[0].probabilities.forEach((v, c) => expect(v).toBeCloseTo(probs[c], 6));
    tf.dispose([images, want.probs, want.mask, want.weights]);
    releasePredictState(moe);
    moe.dispose();
  });

  it('bad input: one-line InputErrors naming the value', () => {
    const moe = lenet();
    const size = 32 * 32;
    expectInputError(() => predict(moe, new Float32Array(size + 5)), `images: ${size + 5} values are not a whole number of [32, 32, 1] images (${size} values each)`);
    expectInputError(() => predict(moe, new Float32Array(0)), `images: 0 values are not a whole number of [32, 32, 1] images (${size} values each)`);
    expectInputError(() => predict(moe, byteDataset(2, [28, 28, 1], 10, () => 0)), 'images are [28, 28, 1] but the model takes [32, 32, 1]');
    expectInputError(() => predict(moe, tf.zeros([2, 32, 32, 3]) as tf.Tensor4D), 'images tensor has shape [2, 32, 32, 3] but the model takes [n, 32, 32, 1]');
    expectInputError(() => predict(moe, head(test, 0)), 'images: no images to predict on');
    expectInputError(() => predict(moe, test, { batchSize: 0 }), 'batch size must be an integer ≥ 1, got 0');
    expectInputError(() => predict(moe, test, { batchSize: 2.5 }), 'batch size must be an integer ≥ 1, got 2.5');
    expectInputError(() => predict(moe, test, { gate: 'best' as never }), "unknown gate 'best' (known: naive, channel-aware)");
    expectInputError(() => predict(moe, test, { snr: { kind: 'fixed', db: [1, 2, 3, 4] } }), 'a perfect link takes no SNR');
    expectInputError(() => predict(moe, test, { seed: -1 }), 'seed must be an integer in [0, 2^32), got -1');
    releasePredictState(moe);
    moe.dispose();
  });
});
