import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, runOn, tf, wmoe } from '../helpers/tf.js';
import { conv2dBiasRelu, matMulBiasRelu, setFusedTraining } from '../../src/models/fused_train.js';
import { InputError } from '../../src/errors.js';
import { DistributedMoE } from '../../src/moe/model.js';
import type { MoeConfig } from '../../src/moe/config.js';
import { DEFAULT_TRAIN_CONFIG } from '../../src/train/config.js';
import { stage1Step } from '../../src/train/stage1.js';

const BACKENDS = ['cpu', 'wmoe'] as const;

let seed = 100;
const rand = (shape: number[], scale = 1) =>
  tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed++).map((v) => v * scale), shape);

/** The bits of a float32 result, so that equality is bit equality (+0 ≠ −0, NaN = same NaN). */
const bits = (v: { data: Float32Array }) => Array.from(new Uint32Array(v.data.buffer, v.data.byteOffset, v.data.length));

/** Asserts two runOn results are the same shapes and the same float32 bits, output by output. */
function expectSameBits(got: { shape: number[]; data: Float32Array }[], want: { shape: number[]; data: Float32Array }[], what: string) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(got[i]!.shape, `${what} output ${i}`).toEqual(want[i]!.shape);
    expect(bits(got[i]!), `${what} output ${i}`).toEqual(bits(want[i]!));
  }
}

/** [value, ...d(Σ value·r)/d inputs] of `f` at `inputs`, with r a fixed random cotangent. */
function valueAndGrads(f: (...t: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], r: tf.Tensor): tf.Tensor[] {
  const y = f(...inputs);
  const { grads } = tf.valueAndGrads((...t: tf.Tensor[]) => tf.sum(tf.mul(f(...t), r)) as tf.Scalar)(inputs);
  return [y, ...grads];
}

/**
 * The central difference of `lossAt` (the loss with one entry moved by d) at step eps, or
 * undefined where the ReLU switches inside [−eps, eps] (the two one-sided slopes differ: the
 * loss is piecewise linear there, and a difference across a kink is no derivative).
 */
function centralDifference(lossAt: (d: number) => number, eps: number): number | undefined {
  const [lo, mid, hi] = [lossAt(-eps), lossAt(0), lossAt(eps)];
  if (Math.abs((hi - mid) - (mid - lo)) / eps > 1e-3) return undefined;
  return (hi - lo) / (2 * eps);
}

/** Kernel names run by `f` (tf.profile). */
async function kernelsOf(f: () => tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(() => tf.dispose(f()));
  return info.kernels.map((k) => k.name);
}

const convCases: { name: string; x: number[]; w: number[]; strides: number | [number, number]; pad: 'valid' | 'same' }[] = [
  { name: 'LeNet conv1 (1 channel, 5x5 valid)', x: [4, 16, 16, 1], w: [5, 5, 1, 6], strides: 1, pad: 'valid' },
  { name: 'LeNet conv2 (6 → 16, 5x5 valid)', x: [3, 9, 9, 6], w: [5, 5, 6, 16], strides: 1, pad: 'valid' },
  { name: '3x3 same, stride 2', x: [2, 9, 8, 4], w: [3, 3, 4, 5], strides: 2, pad: 'same' },
  { name: '3x3 same, stride 1 (winograd-sized)', x: [2, 12, 12, 8], w: [3, 3, 8, 8], strides: 1, pad: 'same' },
];

describe('conv2dBiasRelu', () => {
  beforeAll(async () => {
    await wmoe();
  });

  for (const backend of BACKENDS) {
    for (const c of convCases) {
      it(`on ${backend}, ${c.name}: output and x/filter/bias gradients bit-identical to relu(conv2d + bias)`, async () => {
        const [x, w, b] = [rand(c.x), rand(c.w, 0.5), rand([c.w[3]!], 0.5)];
        const outShape = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad).shape);
        const r = rand(outShape);
        const plain = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
          tf.relu(tf.add(tf.conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, c.strides, c.pad), bv));
        const fused = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
          conv2dBiasRelu(xv as tf.Tensor4D, wv as tf.Tensor4D, bv as tf.Tensor1D, c.strides, c.pad);
        const want = await runOn(backend, () => valueAndGrads(plain, [x, w, b], r));
        const got = await runOn(backend, () => valueAndGrads(fused, [x, w, b], r));
        expectSameBits(got, want, c.name);
        // The ReLU both passes and blocks somewhere (else the mask would go untested).
        const y = want[0]!.data;
        expect(y.some((v) => v === 0) && y.some((v) => v > 0)).toBe(true);
        // …and it really ran fused: one FusedConv2D forward under the tape, no Conv2D, Add or Relu.
        const names = await kernelsOf(() => valueAndGrads(fused, [x, w, b], r));
        expect(names).toContain('FusedConv2D');
        expect(names.filter((n) => ['Conv2D', 'Relu', 'Add'].includes(n))).toEqual([]);
        [x, w, b, r].forEach((t) => t.dispose());
      });
    }

    it(`on ${backend}, with inputGrad: false: same filter/bias gradients, no input-gradient kernel, x not differentiable`, async () => {
      const [x, w, b] = [rand([3, 12, 12, 1]), rand([5, 5, 1, 6], 0.5), rand([6], 0.5)];
      const r = rand([3, 8, 8, 6]);
      const loss = (f: (wv: tf.Tensor, bv: tf.Tensor) => tf.Tensor) => () => tf.grads((wv: tf.Tensor, bv: tf.Tensor) => tf.sum(tf.mul(f(wv, bv), r)))([w, b]);
      const want = await runOn(backend, loss((wv, bv) => tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, wv as tf.Tensor4D, 1, 'valid'), bv))));
      const fused = (wv: tf.Tensor, bv: tf.Tensor) => conv2dBiasRelu(x as tf.Tensor4D, wv as tf.Tensor4D, bv as tf.Tensor1D, 1, 'valid', { inputGrad: false });
      expectSameBits(await runOn(backend, loss(fused)), want, 'inputGrad false');
      await tf.setBackend(backend);
      const names = await kernelsOf(loss(fused));
      expect(names).toContain('Conv2DBackpropFilter');
      expect(names).not.toContain('Conv2DBackpropInput');
      // Differentiating with respect to x (a constant to the tape here) is refused, not answered with zeros.
      expect(() => tf.tidy(() => tf.grad((xv: tf.Tensor) => tf.sum(conv2dBiasRelu(xv as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, 1, 'valid', { inputGrad: false })))(x))).toThrow();
      [x, w, b, r].forEach((t) => t.dispose());
    });
  }

  it('leaves no tensors behind, taped or not', async () => {
    await tf.setBackend('wmoe');
    const [x, w, b] = [rand([2, 8, 8, 3]), rand([3, 3, 3, 4]), rand([4])];
    const before = tf.memory().numTensors;
    tf.dispose(tf.grads((xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => tf.sum(conv2dBiasRelu(xv as tf.Tensor4D, wv as tf.Tensor4D, bv as tf.Tensor1D, 1, 'same')))([x, w, b]));
    tf.dispose(conv2dBiasRelu(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, 1, 'same'));
    expect(tf.memory().numTensors).toBe(before);
    [x, w, b].forEach((t) => t.dispose());
  });

  it('filter and bias gradients match central finite differences (cpu)', async () => {
    await tf.setBackend('cpu');
    const [x, w, b] = [rand([2, 6, 6, 2]), rand([3, 3, 2, 3], 0.5), rand([3], 0.5)];
    const r = rand([2, 4, 4, 3]);
    const loss = (wv: tf.Tensor, bv: tf.Tensor) => tf.sum(tf.mul(conv2dBiasRelu(x as tf.Tensor4D, wv as tf.Tensor4D, bv as tf.Tensor1D, 1, 'valid'), r)) as tf.Scalar;
    const [dw, db] = tf.grads(loss)([w, b]).map((g) => g.dataSync());
    /** Central difference of the loss along one entry of `which` (0: filter, 1: bias). */
    const fd = (which: 0 | 1, index: number) => {
      const shift = (t: tf.Tensor, d: number) => {
        const v = t.dataSync().slice();
        v[index]! += d;
        return tf.tensor(v, t.shape);
      };
      return centralDifference((d) => tf.tidy(() => loss(which === 0 ? shift(w, d) : w, which === 1 ? shift(b, d) : b).dataSync()[0]!), 1e-3);
    };
    let checked = 0;
    for (const [which, grad] of [[0, dw!], [1, db!]] as const) {
      for (let i = 0; i < grad.length; i++) {
        const d = fd(which, i);
        if (d === undefined) continue;
        expect(d, `${which === 0 ? 'filter' : 'bias'} entry ${i}`).toBeCloseTo(grad[i]!, 2);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0.8 * (dw!.length + db!.length));
    // The differences are not all trivially zero.
    expect(Math.abs(db![0]!) + Math.abs(db![1]!) + Math.abs(db![2]!)).toBeGreaterThan(0.1);
  });

  it('rejects mismatched shapes with an InputError naming them', () => {
    const x = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    expect(() => conv2dBiasRelu(x, tf.zeros([3, 3, 2, 4]) as tf.Tensor4D, tf.zeros([4]) as tf.Tensor1D, 1, 'same')).toThrow(InputError);
    expect(() => conv2dBiasRelu(x, tf.zeros([3, 3, 3, 4]) as tf.Tensor4D, tf.zeros([5]) as tf.Tensor1D, 1, 'same')).toThrow(/bias \[5\] must be \[4\]/);
  });
});

describe('matMulBiasRelu', () => {
  beforeAll(async () => {
    await wmoe();
  });

  const cases = [
    { name: 'per-expert bias [K, 1, n] (the experts\' dense layers)', a: [3, 6, 10], b: [3, 10, 7], bias: [3, 1, 7] },
    { name: 'per-column bias [n]', a: [2, 5, 9], b: [2, 9, 6], bias: [6] },
  ];
  for (const backend of BACKENDS) {
    for (const c of cases) {
      it(`on ${backend}, ${c.name}: output and a/b/bias gradients bit-identical to relu(matMul + bias)`, async () => {
        const [a, b, bias] = [rand(c.a), rand(c.b, 0.5), rand(c.bias, 0.5)];
        const r = rand([c.a[0]!, c.a[1]!, c.b[2]!]);
        const plain = (av: tf.Tensor, bv: tf.Tensor, cv: tf.Tensor) => tf.relu(tf.add(tf.matMul(av as tf.Tensor3D, bv as tf.Tensor3D), cv));
        const fused = (av: tf.Tensor, bv: tf.Tensor, cv: tf.Tensor) => matMulBiasRelu(av as tf.Tensor3D, bv as tf.Tensor3D, cv);
        const want = await runOn(backend, () => valueAndGrads(plain, [a, b, bias], r));
        expectSameBits(await runOn(backend, () => valueAndGrads(fused, [a, b, bias], r)), want, c.name);
        const y = want[0]!.data;
        expect(y.some((v) => v === 0) && y.some((v) => v > 0)).toBe(true);
        const names = await kernelsOf(() => valueAndGrads(fused, [a, b, bias], r));
        expect(names).toContain('_FusedMatMul');
        expect(names.filter((n) => n === 'Relu')).toEqual([]);
        [a, b, bias, r].forEach((t) => t.dispose());
      });
    }
  }

  it('the bias gradient matches central finite differences (cpu)', async () => {
    await tf.setBackend('cpu');
    const [a, b, bias] = [rand([2, 4, 5]), rand([2, 5, 3], 0.5), rand([2, 1, 3], 0.5)];
    const r = rand([2, 4, 3]);
    const loss = (cv: tf.Tensor) => tf.sum(tf.mul(matMulBiasRelu(a as tf.Tensor3D, b as tf.Tensor3D, cv), r)) as tf.Scalar;
    const db = tf.grad(loss)(bias).dataSync();
    let checked = 0;
    for (let i = 0; i < 6; i++) {
      const d = centralDifference((delta) => tf.tidy(() => {
        const v = bias.dataSync().slice();
        v[i]! += delta;
        return loss(tf.tensor(v, bias.shape)).dataSync()[0]!;
      }), 1e-3);
      if (d === undefined) continue;
      expect(d, `bias entry ${i}`).toBeCloseTo(db[i]!, 2);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('rejects operands and biases that do not fit with an InputError', () => {
    expect(() => matMulBiasRelu(tf.zeros([2, 3, 4]) as tf.Tensor3D, tf.zeros([2, 5, 6]) as tf.Tensor3D, tf.zeros([6]))).toThrow(InputError);
    expect(() => matMulBiasRelu(tf.zeros([2, 3, 4]) as tf.Tensor3D, tf.zeros([2, 4, 6]) as tf.Tensor3D, tf.zeros([2, 3, 7]))).toThrow(/bias \[2,3,7\]/);
  });
});

describe('a LeNet-5 MoE training step with the fused training ops', () => {
  const cfg: MoeConfig = { model: 'lenet5', dataset: 'mnist', inputShape: [32, 32, 1], classes: 10, experts: 3, topK: 2, snrRange: [-10, 20] };

  /** Losses of 2 stage-1 steps and all weights afterwards (seeded model and batch), fused or not. */
  function train(fused: boolean) {
    const was = setFusedTraining(fused);
    try {
      const model = new DistributedMoE(cfg, 1);
      const step = stage1Step(model, { ...DEFAULT_TRAIN_CONFIG, ...cfg });
      const xs = tf.tensor4d(Float32Array.from(randomValues(8 * 32 * 32, 5), (v) => (v + 1) / 2), [8, 32, 32, 1]);
      const ys = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
      const losses = new Float32Array(2);
      for (let s = 0; s < 2; s++) {
        const loss = step(xs, ys, s);
        losses[s] = loss.dataSync()[0]!;
        loss.dispose();
      }
      const weights = model.params.toFlat();
      const names = tf.profile(() => step(xs, ys, 2).dispose()).then((p) => p.kernels.map((k) => k.name));
      return { losses, weights, names, done: () => names.finally(() => (step.dispose(), model.dispose(), xs.dispose(), ys.dispose())) };
    } finally {
      setFusedTraining(was);
    }
  }

  for (const backend of BACKENDS) {
    it(`on ${backend}: losses and updated weights bit-identical to the unfused step, with FusedConv2D in the step`, async () => {
      await wmoe();
      await tf.setBackend(backend);
      const unfused = train(false);
      const unfusedNames = await unfused.names;
      await unfused.done();
      const fused = train(true);
      const fusedNames = await fused.names;
      await fused.done();
      expect(bits({ data: fused.losses })).toEqual(bits({ data: unfused.losses }));
      expect(bits({ data: fused.weights })).toEqual(bits({ data: unfused.weights }));
      expect(unfused.losses.every(Number.isFinite) && unfused.losses[1]! !== unfused.losses[0]!).toBe(true);
      // The fused step ran both convolutions and the experts' two hidden layers fused (no Relu
      // kernel left of the unfused step's four), and the conv1 input gradient not at all.
      const count = (names: string[], k: string) => names.filter((n) => n === k).length;
      expect(count(unfusedNames, 'Conv2D')).toBe(2);
      expect(count(fusedNames, 'FusedConv2D')).toBe(2);
      expect(count(fusedNames, 'Conv2D')).toBe(0);
      expect([count(unfusedNames, 'Relu'), count(fusedNames, 'Relu')]).toEqual([4, 0]);
      expect(count(fusedNames, 'Conv2DBackpropInput')).toBe(1);
    });
  }
});
