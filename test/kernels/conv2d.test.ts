import { describe, expect, it } from 'vitest';
import { tf, wmoe, runOn, randomValues, maxRelError, rand, expectLikeCpu } from '../helpers/tf.js';
import { lastConvStrategy } from '../../src/kernels/conv2d.js';


type Case = {
  n: number; h: number; w: number; ci: number; co: number; fh: number; fw: number;
  stride: number | [number, number]; pad: 'same' | 'valid' | number;
};

/** Seeded random geometries: batch 1–3, odd sizes, 1–13 input channels, strides 1/2, all paddings. */
function randomCases(count: number, seed: number): Case[] {
  const r = randomValues(count * 9, seed).map((v) => (v + 1) / 2);
  const pick = <T>(xs: T[], u: number) => xs[Math.min(xs.length - 1, Math.floor(u * xs.length))];
  const out: Case[] = [];
  for (let i = 0; i < count; i++) {
    const u = r.subarray(i * 9, i * 9 + 9);
    out.push({
      n: pick([1, 2, 3], u[0]), h: pick([5, 7, 8, 11], u[1]), w: pick([4, 6, 9, 13], u[2]),
      ci: pick([1, 3, 6, 8, 13], u[3]), co: pick([1, 6, 9, 16, 17], u[4]),
      fh: pick([1, 2, 3, 5], u[5]), fw: pick([1, 3, 4], u[6]),
      stride: pick<number | [number, number]>([1, 2, [1, 2], [2, 1]], u[7]), pad: pick<'same' | 'valid' | number>(['same', 'valid', 1], u[8]),
    });
  }
  return out;
}

// Hand-picked geometries: the 1x1 and stride-2 ResNet shortcuts, LeNet's layers, wide channel
// counts that take the indirect (no im2col) and transposed-conv input-gradient paths, and
// fewer pixels than filters (the transposed-patches filter gradient, with odd remainders).
const fixed: Case[] = [
  { n: 2, h: 8, w: 8, ci: 16, co: 24, fh: 1, fw: 1, stride: 2, pad: 'valid' },
  { n: 1, h: 9, w: 9, ci: 16, co: 16, fh: 3, fw: 3, stride: 2, pad: 'same' },
  { n: 2, h: 12, w: 12, ci: 1, co: 6, fh: 5, fw: 5, stride: 1, pad: 'valid' },
  { n: 2, h: 7, w: 7, ci: 6, co: 16, fh: 5, fw: 5, stride: 1, pad: 'valid' },
  { n: 1, h: 6, w: 5, ci: 20, co: 12, fh: 3, fw: 3, stride: 1, pad: 'same' },
  { n: 2, h: 5, w: 5, ci: 33, co: 10, fh: 2, fw: 2, stride: 1, pad: 'same' },
  { n: 1, h: 4, w: 4, ci: 70, co: 9, fh: 3, fw: 3, stride: 1, pad: 'valid' },
  { n: 1, h: 5, w: 5, ci: 7, co: 40, fh: 3, fw: 3, stride: 1, pad: 'valid' },
];

const label = (c: Case) => JSON.stringify(c);
const cases = [...fixed, ...randomCases(24, 7)];

function inputs(c: Case, seed: number) {
  return { x: rand([c.n, c.h, c.w, c.ci], seed), w: rand([c.fh, c.fw, c.ci, c.co], seed + 1) };
}

describe('Conv2D kernels on wmoe', () => {
  it('forward matches cpu', async () => {
    await wmoe();
    let seed = 100;
    for (const c of cases) {
      const s = (seed += 3);
      await expectLikeCpu(() => {
        const { x, w } = inputs(c, s);
        return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
      }, label(c));
    }
  });

  it('fused bias + activation matches cpu', async () => {
    await wmoe();
    const c: Case = { n: 2, h: 7, w: 9, ci: 10, co: 11, fh: 3, fw: 3, stride: 2, pad: 'same' };
    const small: Case = { n: 1, h: 6, w: 6, ci: 3, co: 5, fh: 3, fw: 3, stride: 1, pad: 'valid' };
    // Strategy 'direct', whose kernel adds the bias and applies ReLU itself: 6 channels in a full
    // and a half pixel tile (its SIMD and scalar stores), and 9 channels (a second, partial block).
    const direct6: Case = { n: 2, h: 12, w: 16, ci: 1, co: 6, fh: 5, fw: 5, stride: 1, pad: 'valid' };
    const direct9: Case = { n: 1, h: 10, w: 20, ci: 2, co: 9, fh: 5, fw: 5, stride: 1, pad: 'valid' };
    let seed = 300;
    for (const g of [c, small, direct6, direct9]) {
      for (const activation of ['relu', 'linear', 'relu6', 'leakyrelu', 'elu', 'sigmoid', 'prelu'] as const) {
        const s = (seed += 4);
        await expectLikeCpu(() => {
          const { x, w } = inputs(g, s);
          const bias = rand([g.co], s + 2);
          const preluActivationWeights = activation === 'prelu' ? rand([g.co], s + 3) : undefined;
          return tf.fused.conv2d({
            x: tf.mul(x, 2) as tf.Tensor4D, filter: w as tf.Tensor4D, strides: g.stride, pad: g.pad, bias,
            activation, preluActivationWeights, leakyreluAlpha: 0.3,
          });
        }, `${activation} ${label(g)}`);
        if (g === direct6 || g === direct9) expect(lastConvStrategy('forward'), label(g)).toBe('direct');
      }
    }
    await expectLikeCpu(() => {
      const { x, w } = inputs(c, 400);
      return tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'valid', activation: 'relu' });
    }, 'relu without bias');
  });

  it('input and filter gradients match cpu (Conv2DBackpropInput, Conv2DBackpropFilter)', async () => {
    await wmoe();
    let seed = 500;
    for (const c of cases) {
      const s = (seed += 3);
      await expectLikeCpu(() => {
        const { x, w } = inputs(c, s);
        const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
        const r = rand(y.shape, s + 2);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)),
        )([x, w]);
      }, `grads ${label(c)}`);
    }
  });

  it('few-channel and 1x1 routes match cpu (direct, padded-row GEMM, 1x1 filter gradient)', async () => {
    await wmoe();
    // Direct stride-1 kernels (ci < 8, rows of ≥ 8 output pixels mostly filled): forward,
    // input gradient (few input channels = few outputs of the transposed conv, up to K = 16·25
    // with segmented register sums) and filter gradient (fw 4–5), batch 1 and odd sizes.
    // Padded-row GEMM: few channels with stride 2 or short rows. 1x1 filter gradient: ci ≥ 8.
    // Filter-row GEMM filter gradient: no padding, ci < 8, co filling 8-column panels, any stride.
    const routes: Case[] = [
      { n: 1, h: 13, w: 17, ci: 1, co: 6, fh: 5, fw: 5, stride: 1, pad: 'valid' },
      { n: 3, h: 11, w: 21, ci: 1, co: 6, fh: 5, fw: 5, stride: 1, pad: 'same' },
      { n: 1, h: 15, w: 19, ci: 6, co: 16, fh: 5, fw: 5, stride: 1, pad: 'valid' },
      { n: 2, h: 9, w: 12, ci: 6, co: 16, fh: 5, fw: 5, stride: 1, pad: 'same' },
      { n: 1, h: 9, w: 20, ci: 3, co: 7, fh: 3, fw: 4, stride: 1, pad: 'same' },
      { n: 2, h: 10, w: 17, ci: 5, co: 9, fh: 2, fw: 5, stride: 1, pad: 1 },
      { n: 1, h: 14, w: 14, ci: 6, co: 16, fh: 5, fw: 5, stride: 2, pad: 'same' },
      { n: 2, h: 11, w: 13, ci: 3, co: 5, fh: 3, fw: 3, stride: [2, 1], pad: 'valid' },
      { n: 1, h: 9, w: 9, ci: 16, co: 24, fh: 1, fw: 1, stride: 2, pad: 'same' },
      { n: 2, h: 7, w: 11, ci: 13, co: 10, fh: 1, fw: 1, stride: [1, 2], pad: 'valid' },
      { n: 1, h: 6, w: 5, ci: 70, co: 9, fh: 1, fw: 1, stride: 1, pad: 'valid' },
      { n: 2, h: 11, w: 13, ci: 3, co: 16, fh: 3, fw: 3, stride: [2, 1], pad: 'valid' },
      { n: 1, h: 9, w: 10, ci: 7, co: 8, fh: 5, fw: 2, stride: [1, 2], pad: 'valid' },
    ];
    let seed = 1000;
    for (const c of routes) {
      const s = (seed += 3);
      await expectLikeCpu(() => {
        const { x, w } = inputs(c, s);
        return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
      }, `forward ${label(c)}`);
      await expectLikeCpu(() => {
        const { x, w } = inputs(c, s);
        const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
        const r = rand(y.shape, s + 2);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)),
        )([x, w]);
      }, `grads ${label(c)}`);
    }
  });

  it('row-scatter input gradient matches cpu (few input channels, fw·ci filling 8-float passes)', async () => {
    await wmoe();
    // convScatterInputGrad: LeNet c2 exactly (batch 64), batch 1, odd sizes, 'same' / 'valid' /
    // explicit padding (scratch + crop), strides 2 and (2, 1), more than 32 output channels
    // (two register segments), fw·ci not a multiple of 8 (exact tail lanes) and of 4.
    const routes: Case[] = [
      { n: 64, h: 14, w: 14, ci: 6, co: 16, fh: 5, fw: 5, stride: 1, pad: 'valid' },
      { n: 1, h: 14, w: 14, ci: 6, co: 16, fh: 5, fw: 5, stride: 1, pad: 'valid' },
      { n: 1, h: 13, w: 11, ci: 6, co: 16, fh: 5, fw: 5, stride: 1, pad: 'same' },
      { n: 3, h: 9, w: 15, ci: 6, co: 9, fh: 3, fw: 5, stride: 1, pad: 'valid' },
      { n: 2, h: 11, w: 9, ci: 6, co: 40, fh: 5, fw: 5, stride: 2, pad: 'same' },
      { n: 1, h: 10, w: 13, ci: 7, co: 12, fh: 2, fw: 3, stride: [2, 1], pad: 'valid' },
      { n: 2, h: 7, w: 9, ci: 4, co: 8, fh: 3, fw: 2, stride: 1, pad: 1 },
      { n: 1, h: 5, w: 17, ci: 1, co: 10, fh: 1, fw: 8, stride: [1, 3], pad: 'same' },
    ];
    let seed = 1200;
    for (const c of routes) {
      const s = (seed += 3);
      await expectLikeCpu(() => {
        const w = rand([c.fh, c.fw, c.ci, c.co], s + 1);
        const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
        const yShape = tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad).shape;
        const dy = rand(yShape, s + 2);
        return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, {
          strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: xShape,
        }) as tf.Tensor;
      }, `dx ${label(c)}`);
    }
  });

  it('gradients of a fused conv with bias and relu match cpu', async () => {
    await wmoe();
    const c: Case = { n: 2, h: 8, w: 8, ci: 9, co: 12, fh: 3, fw: 3, stride: 1, pad: 'same' };
    await expectLikeCpu(() => {
      const { x, w } = inputs(c, 600);
      const bias = rand([c.co], 602);
      return tf.grads((a: tf.Tensor, b: tf.Tensor, z: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 1, pad: 'same', bias: z, activation: 'relu' }))),
      )([x, w, bias]);
    }, 'fused grads');
  });

  it('falls back to cpu for dilations and NCHW, and conv2dTranspose uses the input-gradient kernel', async () => {
    await wmoe();
    await expectLikeCpu(() => {
      const { x, w } = inputs({ n: 1, h: 9, w: 9, ci: 4, co: 5, fh: 3, fw: 3, stride: 1, pad: 'same' }, 700);
      return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2);
    }, 'dilation 2');
    await expectLikeCpu(() => {
      const x = rand([2, 3, 6, 7], 705);
      const w = rand([3, 3, 3, 4], 706);
      return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NCHW');
    }, 'NCHW');
    await expectLikeCpu(() => {
      const dy = rand([2, 4, 4, 16], 710);
      const w = rand([3, 3, 8, 16], 711);
      return tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 8, 8], 2, 'same');
    }, 'conv2dTranspose');
  });

  it('a dy larger than the conv output reads its leading window, as cpu does (conv2dTranspose with an outputShape inconsistent with x)', async () => {
    // tfjs-core's own conv2dTranspose spec "input=8x8x8,output=4x4x8,f=8,s=1,inDepth=8,p=same vec4".
    await wmoe();
    await expectLikeCpu(() => {
      const dy = rand([1, 8, 8, 8], 720);
      const w = rand([8, 8, 8, 8], 721);
      return tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [1, 4, 4, 8], 1, 'same');
    }, 'conv2dTranspose 8x8 dy for a 4x4 output');
    await expectLikeCpu(() => {
      const dy = rand([1, 6, 7, 6], 722);
      const w = rand([3, 3, 1, 6], 723);
      return tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [1, 4, 5, 1], 1, 'same');
    }, 'one input channel');
    await expectLikeCpu(() => {
      const x = rand([1, 5, 5, 3], 724);
      const dy = rand([2, 6, 6, 4], 725);
      return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
        strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 2],
      }) as tf.Tensor;
    }, 'filter gradient, dy larger in every dim');
  });

  it('splits large problems into chunks correctly (im2col, col2im and filter-gradient passes)', async () => {
    await wmoe();
    // 100x100x3 input: the im2col forward path runs in several row chunks.
    await expectLikeCpu(() => {
      const x = rand([1, 100, 100, 3], 900);
      const w = rand([3, 3, 3, 2], 901);
      return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
    }, 'forward chunks');
    // 300 channels, 3x3: K = 2700, so the filter gradient reduces 784 pixels in two chunks and
    // the stride-2 input gradient runs col2im in three chunks. Tolerance 2e-4: float32 sums of
    // 784 and 2700 terms in register blocks of 128 (measured against a float64 sum: at most
    // 7.7e-5 of the peak-floored relative error on the filter gradient, 1.2e-4 against cpu).
    for (const stride of [1, 2]) {
      await expectLikeCpu(() => {
        const x = rand([1, 28, 28, 300], 902);
        const w = rand([3, 3, 300, 2], 903);
        const r = rand([1, 28 / stride, 28 / stride, 2], 904);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same'), r)),
        )([x, w]);
      }, `gradient chunks, stride ${stride}`, 2e-4);
    }
  });

  it('registers its own kernels, not the cpu ones', async () => {
    await wmoe();
    for (const name of ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']) {
      expect(tf.getKernel(name, 'wmoe')?.kernelFunc, name).not.toBe(tf.getKernel(name, 'cpu')?.kernelFunc);
    }
  });

  it('reuses the packed form of a filter used repeatedly, and never for another filter', async () => {
    await wmoe();
    // 3·3·96·96 = 82944 floats: above the packed-filter cache threshold; stride 2: the GEMM route.
    const xv = randomValues(2 * 6 * 6 * 96, 810);
    const wv1 = randomValues(3 * 3 * 96 * 96, 811);
    const wv2 = randomValues(3 * 3 * 96 * 96, 812);
    const onBackend = async (name: 'cpu' | 'wmoe', wv: Float32Array, calls: number) => {
      await tf.setBackend(name);
      const x = tf.tensor4d(xv, [2, 6, 6, 96]);
      const w = tf.tensor4d(wv, [3, 3, 96, 96]);
      const outs: Float32Array[] = [];
      for (let i = 0; i < calls; i++) {
        const y = tf.conv2d(x, w, 2, 'same');
        if (name === 'wmoe') expect(lastConvStrategy('forward')).toBe('gemm-indirect');
        outs.push(y.dataSync() as Float32Array);
        y.dispose();
      }
      tf.dispose([x, w]);
      return outs;
    };
    const ref1 = (await onBackend('cpu', wv1, 1))[0];
    const ref2 = (await onBackend('cpu', wv2, 1))[0];
    const got1 = await onBackend('wmoe', wv1, 4); // packs, packs and caches, then hits twice
    // 864-term float32 sums: agreement with cpu to 5e-4; cached and freshly packed runs bit-identical.
    for (const g of got1) expect(maxRelError(g, ref1)).toBeLessThan(5e-4);
    for (const g of got1) expect(g).toEqual(got1[0]);
    const got2 = await onBackend('wmoe', wv2, 3); // a new filter tensor: no stale packed filter
    for (const g of got2) expect(maxRelError(g, ref2)).toBeLessThan(5e-4);
  });

  it('keeps WASM memory flat on repeated calls and rejects inconsistent shapes before running', async () => {
    const backend = await wmoe();
    const f = () => {
      const x = rand([2, 10, 10, 16], 800);
      const w = rand([3, 3, 16, 16], 801);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, w]);
    };
    const first = await runOn('wmoe', f);
    const peak = backend.wasmPeakBytes();
    for (let i = 0; i < 4; i++) {
      const again = await runOn('wmoe', f);
      for (let j = 0; j < first.length; j++) expect(again[j].data).toEqual(first[j].data);
    }
    expect(backend.wasmPeakBytes()).toBe(peak);
    await tf.setBackend('wmoe');
    const x = tf.ones([1, 5, 5, 3]);
    const w = tf.ones([3, 3, 4, 2]);
    const dy = tf.ones([1, 4, 4, 2]);
    expect(() => tf.engine().runKernel('Conv2D', { x, filter: w }, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 }))
      .toThrow(/x has 3 channels but filter \[3,3,4,2\] expects 4/);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 2] }))
      .toThrow(/dy has shape \[1,4,4,2\], expected \[1,5,5,2\]/);
    tf.dispose([x, w, dy]);
  });
});
