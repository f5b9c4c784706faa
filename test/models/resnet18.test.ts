import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelError, randomValues, runOn, tf, wmoe } from '../helpers/tf.js';
import { DistributedMoE } from '../../src/moe/model.js';
import type { MoeConfig } from '../../src/moe/config.js';
import { InputError } from '../../src/errors.js';
import { DEFAULT_TRAIN_CONFIG } from '../../src/train/config.js';
import { stage1Step } from '../../src/train/stage1.js';

/** A narrow ResNet-18 MoE on 16x16x3 images (stage 3 at 4x4, stage 4 at 2x2): fast enough for tests. */
const small: MoeConfig = {
  model: 'resnet18', dataset: 'cifar10', inputShape: [16, 16, 3], classes: 10, experts: 3, topK: 2,
  snrRange: [-10, 20], modelOptions: { width: 8 },
};

const images = (batch: number, [h, w, c]: [number, number, number], seed: number) =>
  tf.tensor4d(Float32Array.from(randomValues(batch * h * w * c, seed), (v) => (v + 1) / 2), [batch, h, w, c]);

/** The ParamStore's count of values under `prefix`, trainable ones or all. */
const count = (model: DistributedMoE, prefix: string, trainableOnly = true) => model.params.size(prefix, trainableOnly);

/**
 * max |a − b| / rms(b): float32 rounding through ~20 layers leaves ~1e-6 of the typical
 * magnitude, and entries near zero (where a relative error means nothing) do not dominate.
 */
function errorOverRms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0, square = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    square += b[i] * b[i];
  }
  return worst / Math.sqrt(square / b.length);
}

function inputError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('no error thrown');
}

describe('resnet18', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('as one network (backbone + one expert without the bottleneck pair) has ResNet-18\'s 11 173 962 parameters', () => {
    const model = new DistributedMoE({ ...small, inputShape: [32, 32, 3], experts: 1, topK: 1, modelOptions: {} }, 1);
    const plain = count(model, 'backbone/') - count(model, 'backbone/bottleneck/') + count(model, 'experts/0/') - count(model, 'experts/0/expand/');
    expect(plain).toBe(11_173_962);
    // Hand counts: stem 3·3·3·64 + BN 2·64; stages 1–3 (convs + 1x1 shortcuts + BN γ, β).
    const stem = 3 * 3 * 3 * 64 + 2 * 64;
    const stage1 = 4 * 9 * 64 * 64 + 4 * 2 * 64;
    const stage2 = 9 * 64 * 128 + 3 * 9 * 128 * 128 + 64 * 128 + 5 * 2 * 128;
    const stage3 = 9 * 128 * 256 + 3 * 9 * 256 * 256 + 128 * 256 + 5 * 2 * 256;
    const stage4 = 9 * 256 * 512 + 3 * 9 * 512 * 512 + 256 * 512 + 5 * 2 * 512;
    expect(count(model, 'backbone/bottleneck/')).toBe(256 * 32 + 2 * 32);
    expect(count(model, 'backbone/')).toBe(stem + stage1 + stage2 + stage3 + 256 * 32 + 2 * 32);
    expect(count(model, 'backbone/')).toBe(2_783_360);
    expect(count(model, 'experts/0/expand/')).toBe(32 * 256 + 2 * 256);
    expect(count(model, 'experts/0/')).toBe(32 * 256 + 2 * 256 + stage4 + 512 * 10 + 10);
    expect(count(model, 'experts/0/')).toBe(8_407_562);
    // Running mean and variance of every BN layer: not trainable, but in the checkpoint.
    expect(count(model, 'backbone/', false) - count(model, 'backbone/')).toBe(2 * (64 + 4 * 64 + 5 * 128 + 5 * 256 + 32));
    expect(count(model, 'experts/0/', false) - count(model, 'experts/0/')).toBe(2 * (256 + 5 * 512));
    expect(model.backbone.featureDim).toBe(2048);
    model.dispose();
  });

  it('sends d = bottleneck·(H/4)·(W/4) features and returns [K, batch, classes] logits', () => {
    const model = new DistributedMoE({ ...small, inputShape: [32, 32, 3] }, 1);
    expect(model.backbone.featureDim).toBe(2048);
    tf.tidy(() => {
      const f = model.features(images(2, [32, 32, 3], 1));
      expect(f.shape).toEqual([2, 2048]);
      expect(model.experts.logits(tf.stack([f, f, f]) as tf.Tensor3D).shape).toEqual([3, 2, 10]);
    });
    model.dispose();
    const gray = new DistributedMoE({ ...small, inputShape: [8, 24, 1], classes: 7, experts: 2, modelOptions: { width: 4, bottleneck: 5 } }, 1);
    expect(gray.backbone.featureDim).toBe(5 * 2 * 6);
    tf.tidy(() => {
      const f = gray.features(images(3, [8, 24, 1], 2), true);
      expect(f.shape).toEqual([3, 60]);
      expect(gray.experts.logits(tf.stack([f, f]) as tf.Tensor3D, true).shape).toEqual([2, 3, 7]);
    });
    gray.dispose();
  });

  it('forward and gradients on backend wmoe equal tfjs-backend-cpu within float32 tolerance', async () => {
    const run = (training: boolean) => {
      const model = new DistributedMoE(small, 5);
      const x = images(4, [16, 16, 3], 3);
      const f = model.features(x, training);
      const logits = model.experts.logits(tf.stack([f, tf.mul(f, 0.5), tf.neg(f)]) as tf.Tensor3D, training);
      const out: tf.Tensor[] = [f, logits];
      if (training) {
        const w = tf.tensor(randomValues(3 * 4 * 10, 4), [3, 4, 10]);
        const { grads } = tf.variableGrads(() => {
          const g = model.features(x, true);
          return tf.sum(tf.mul(model.experts.logits(tf.stack([g, g, g]) as tf.Tensor3D, true), w)) as tf.Scalar;
        }, [...model.params.group('backbone/'), ...model.params.group('experts/')]);
        for (const name of ['backbone/stem/kernel', 'backbone/stage2/block1/conv1/kernel', 'backbone/stage3/block1/shortcut/kernel',
          'backbone/bottleneck/bn/gamma', 'experts/1/stage4/block1/conv1/kernel', 'experts/2/dense/kernel']) {
          out.push(grads[model.params.get(name).name] as tf.Tensor);
        }
      }
      model.dispose();
      return out;
    };
    for (const training of [false, true]) {
      const ref = await runOn('cpu', () => run(training));
      const got = await runOn('wmoe', () => run(training));
      expect(got.map((t) => t.shape)).toEqual(ref.map((t) => t.shape));
      for (let i = 0; i < ref.length; i++) expect(errorOverRms(got[i].data, ref[i].data), `output ${i}, training ${training}`).toBeLessThan(1e-4);
    }
    await tf.setBackend('wmoe');
  });

  it('a few stage-1 steps on a fixed batch decrease the loss', () => {
    const model = new DistributedMoE(small, 2);
    const step = stage1Step(model, { ...DEFAULT_TRAIN_CONFIG, ...small });
    const xs = images(8, [16, 16, 3], 5);
    const ys = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const losses: number[] = [];
    for (let s = 0; s < 6; s++) {
      const loss = step(xs, ys, s);
      losses.push(loss.dataSync()[0] as number);
      loss.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[5]).toBeLessThan(losses[0] * 0.8);
    step.dispose();
    model.dispose();
  });

  it('training mode differs from eval mode; running statistics change in training and survive toFlat/fromFlat', () => {
    const model = new DistributedMoE(small, 3);
    const x = images(6, [16, 16, 3], 6);
    const state = ['backbone/stem/bn/moving_mean', 'backbone/bottleneck/bn/moving_variance', 'experts/2/stage4/block2/conv2/bn/moving_mean'];
    const before = state.map((n) => model.params.get(n).dataSync().slice());
    const evalFeatures = tf.tidy(() => model.features(x).dataSync());
    const trainFeatures = tf.tidy(() => model.features(x, true).dataSync());
    expect(maxRelError(trainFeatures, evalFeatures)).toBeGreaterThan(0.1);
    // Eval mode left the state alone; the training-mode backbone pass moved the backbone's.
    expect(model.params.get(state[2]!).dataSync()).toEqual(before[2]);
    expect(model.params.get(state[0]!).dataSync()).not.toEqual(before[0]);
    expect(model.params.get(state[1]!).dataSync()).not.toEqual(before[1]);
    tf.tidy(() => model.experts.logits(tf.stack([model.features(x), model.features(x), model.features(x)]) as tf.Tensor3D, true));
    expect(model.params.get(state[2]!).dataSync()).not.toEqual(before[2]);
    // Eval mode now uses the moved statistics.
    expect(maxRelError(tf.tidy(() => model.features(x).dataSync()), evalFeatures)).toBeGreaterThan(1e-3);

    const restored = new DistributedMoE(small, 4);
    restored.params.fromFlat(model.params.toFlat());
    for (const n of state) expect(restored.params.get(n).dataSync()).toEqual(model.params.get(n).dataSync());
    const logits = (m: DistributedMoE) => tf.tidy(() => {
      const f = m.features(x);
      return m.experts.logits(tf.stack([f, f, f]) as tf.Tensor3D).dataSync();
    });
    expect(logits(restored)).toEqual(logits(model));
    model.dispose();
    restored.dispose();
  });

  it('rejects bad options and image sizes with an InputError naming the value', () => {
    const build = (patch: Partial<MoeConfig>) => () => new DistributedMoE({ ...small, ...patch }, 1);
    expect(inputError(build({ modelOptions: { bottleneck: 0 } }))).toBe("model 'resnet18' option bottleneck = 0 must be an integer in 1…256");
    expect(inputError(build({ modelOptions: { bottleneck: 257 } }))).toBe("model 'resnet18' option bottleneck = 257 must be an integer in 1…256");
    expect(inputError(build({ modelOptions: { width: 3.5 } }))).toBe("model 'resnet18' option width = 3.5 must be an integer in 1…64");
    expect(inputError(build({ modelOptions: { depth: 34 } }))).toBe("model 'resnet18' has no option 'depth' (known: bottleneck, width)");
    expect(inputError(build({ inputShape: [30, 30, 3] }))).toBe('resnet18 needs height and width that are multiples of 8 (at least 8), got 30x30');
    expect(inputError(build({ inputShape: [32, 4, 1] }))).toBe('resnet18 needs height and width that are multiples of 8 (at least 8), got 32x4');
    expect(inputError(build({ inputShape: [32, 32, 2] }))).toBe('resnet18 needs 1 or 3 input channels, got 2');
  });
});
