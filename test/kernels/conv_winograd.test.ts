// Winograd strategies (src/kernels/conv/winograd.ts; assembly/nn/conv_winograd.ts and
// conv_winograd4.ts): 'winograd4' (F(4×4, 3×3): all three passes) and 'winograd' (F(2×2, 3×3):
// forward on few tiles, filter gradient on few channels) against tfjs-backend-cpu (which sums in
// float64) within an error bound from the operands' magnitudes, on odd output sizes (cropped
// edge tiles), batch 1, channel counts that are not multiples of 4 or 16, 'same', 'valid' and
// explicit padding, block by block and step by step; the plan really ran the strategy named;
// the transformed filter cache; 1 vs 2 threads bit for bit.
import { beforeAll, describe, expect, it } from 'vitest';
import type { WmoeBackend } from '../../src/backend/backend.js';
import { lastConvStrategy } from '../../src/kernels/conv2d.js';
import { F4, winogradBlocked } from '../../src/kernels/conv/winograd.js';
import { tf, rand, runOn, wmoeWithThreads } from '../helpers/tf.js';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

let backend: WmoeBackend;

beforeAll(async () => {
  // Two threads, so that the last test can compare pool.active = 1 and 2 on the same module.
  backend = await wmoeWithThreads(2);
});

const EPS = 2 ** -24;

/**
 * The largest |got − ref| / (eps·S) the F(4×4) cases below measured: 64.3 (forward, ResNet-like
 * 8x8, 64 → 64); input gradients 13–30, filter gradients 14–21.
 */
const BOUND_MEASURED4 = 65;

/**
 * Bound on |got − ref| in units of eps·S, S = Σ|w||x| of each output (the same conv on |x| and
 * |w|, run on cpu), per strategy. Every float32 step (transform sums, GEMM products and sums)
 * rounds by ≤ eps relative to its operands, whose magnitudes S bounds up to the transforms'
 * growth. F(2×2): a V value sums 4 inputs, an output sums 9 M values, a worst case of a few tens
 * of eps·S per rounding chain, but roundings of random data cancel, and these shapes (ci ≤ 64)
 * measured ≤ 3.6·eps·S: 16. F(4×4): its transforms weigh inputs by up to 5 (Bᵀ), 1/4 (G) and 8
 * (Aᵀ) and sum 6×6 of them, so the rounding grows: measured ≤ BOUND_MEASURED4·eps·S; 4× that.
 * Either still fails any lost term, wrong sign, tap or padding (errors of order S) and any step
 * done at lower precision.
 */
const BOUND: Record<string, number> = { winograd: 16, winograd4: 4 * BOUND_MEASURED4 };

/** Expects |got − ref| ≤ c·eps·s elementwise (s: Σ|w||x| of each output); returns max |got − ref| / (eps·s). */
function expectWithinBound(got: Float32Array, ref: Float32Array, s: Float32Array, c: number): number {
  expect(got.length).toBe(ref.length);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const err = Math.abs(got[i]! - ref[i]!);
    const bound = c * EPS * s[i]! + 1e-30;
    worst = Math.max(worst, err / (EPS * s[i]! + 1e-30));
    if (!(err <= bound)) expect.fail(`element ${i}: |${got[i]} − ${ref[i]}| = ${err} > ${c}·eps·${s[i]}`);
  }
  return worst;
}

/** Forward conv on wmoe (expecting strategy 'winograd') and cpu, and the magnitude sum S on cpu. */
async function forwardCase(xShape: number[], fShape: number[], pad: Pad, seed: number) {
  const f = () => tf.conv2d(rand(xShape, seed) as tf.Tensor4D, rand(fShape, seed + 1) as tf.Tensor4D, 1, pad);
  const [got] = await runOn('wmoe', f);
  const strategy = lastConvStrategy('forward');
  const [ref] = await runOn('cpu', f);
  const [s] = await runOn('cpu', () => tf.conv2d(rand(xShape, seed).abs() as tf.Tensor4D, rand(fShape, seed + 1).abs() as tf.Tensor4D, 1, pad));
  expect(got!.shape).toEqual(ref!.shape);
  return { got: got!.data, ref: ref!.data, s: s!.data, strategy };
}

describe("conv strategies 'winograd4' and 'winograd'", () => {
  const shapes: [string, number[], number[], Pad, string][] = [
    ['odd 7x9 output, ci 35, co 34, same', [2, 7, 9, 35], [3, 3, 35, 34], 'same', 'winograd4'],
    ['batch 1, 9x9, ci 32, co 33, same', [1, 9, 9, 32], [3, 3, 32, 33], 'same', 'winograd4'],
    ['valid 10x11 → 8x9, ci 33, co 32', [3, 10, 11, 33], [3, 3, 33, 32], 'valid', 'winograd4'],
    ['explicit padding (2, 0) (1, 2)', [2, 8, 7, 36], [3, 3, 36, 37], [[0, 0], [2, 0], [1, 2], [0, 0]], 'winograd4'],
    ['ResNet-like 8x8, 64 → 64', [4, 8, 8, 64], [3, 3, 64, 64], 'same', 'winograd4'],
    // Fewer than 4 tiles of 4x4 with ≥ 256 channels: F(2×2) by the forward pass's few-tiles rule.
    ['few tiles: batch 1, 4x4, 256 → 260', [1, 4, 4, 256], [3, 3, 256, 260], 'same', 'winograd'],
    ['few tiles: odd 3x3 output, 256 → 257', [1, 3, 3, 256], [3, 3, 256, 257], 'same', 'winograd'],
    ['few tiles: valid 6x5 → 4x3, 258 → 256', [1, 6, 5, 258], [3, 3, 258, 256], 'valid', 'winograd'],
    // 8·7·6 = 336 tiles of 4x4: the block-by-block path (winograd4Tiles), with a short last block.
    ['blocked, odd 25x23 output, ci 33, co 34', [8, 25, 23, 33], [3, 3, 33, 34], 'same', 'winograd4'],
  ];
  const tilesOf = (xs: number[], pad: Pad, m: number) => {
    const [oh, ow] = pad === 'valid' ? [xs[1]! - 2, xs[2]! - 2] : pad === 'same' ? [xs[1]!, xs[2]!]
      : [xs[1]! + pad[1][0] + pad[1][1] - 2, xs[2]! + pad[2][0] + pad[2][1] - 2];
    return xs[0]! * Math.ceil(oh / m) * Math.ceil(ow / m);
  };
  it('the shapes cover both paths of F(4×4): block by block and step by step', () => {
    const blocked = shapes.map(([, xs, , pad, strategy]) => strategy === 'winograd4' && winogradBlocked(tilesOf(xs, pad, 4), F4));
    expect(blocked).toEqual([false, false, false, false, false, false, false, false, true]);
  });
  for (const [label, xs, fs, pad, strategy] of shapes) {
    it(`forward (${strategy}) matches cpu within c·eps·Σ|w||x|: ${label}`, async () => {
      const r = await forwardCase(xs, fs, pad, 11);
      expect(r.strategy).toBe(strategy);
      expectWithinBound(r.got, r.ref, r.s, BOUND[strategy]!);
    });
  }

  it('forward with fused bias and relu matches cpu', async () => {
    const f = () => tf.fused.conv2d({
      x: rand([2, 6, 6, 32], 3) as tf.Tensor4D, filter: rand([3, 3, 32, 36], 4) as tf.Tensor4D, strides: 1, pad: 'same',
      bias: rand([36], 5), activation: 'relu',
    });
    const [got] = await runOn('wmoe', f);
    expect(lastConvStrategy('forward')).toBe('winograd4');
    const [ref] = await runOn('cpu', f);
    let worst = 0;
    for (let i = 0; i < ref!.data.length; i++) worst = Math.max(worst, Math.abs(got!.data[i]! - ref!.data[i]!));
    expect(worst).toBeLessThan(1e-4);
  });

  const grads: [string, number[], number[], Pad][] = [
    ['same, odd 7x5, ci 33, co 36', [2, 7, 5, 33], [3, 3, 33, 36], 'same'],
    ['valid 11x10, ci 32, co 35, batch 1', [1, 11, 10, 32], [3, 3, 32, 35], 'valid'],
    ['explicit padding (0, 2) (2, 1)', [2, 6, 7, 34], [3, 3, 34, 32], [[0, 0], [0, 2], [2, 1], [0, 0]]],
    ['blocked (336 tiles of 4x4), odd 25x21, ci 33, co 32', [8, 25, 21, 33], [3, 3, 33, 32], 'same'],
  ];
  for (const [label, xs, fs, pad] of grads) {
    it(`input gradient (tf.grad, winograd4) matches cpu within c·eps·Σ|w||dy|: ${label}`, async () => {
      const w = () => rand(fs, 7) as tf.Tensor4D;
      const dyOf = (x: tf.Tensor4D) => rand(tf.conv2d(x, w(), 1, pad).shape, 9);
      const dx = (x: tf.Tensor4D, ww: tf.Tensor4D, dy: tf.Tensor) => tf.grad((xx: tf.Tensor4D) => tf.conv2d(xx, ww, 1, pad).mul(dy).sum())(x);
      const f = () => {
        const x = rand(xs, 5) as tf.Tensor4D;
        return dx(x, w(), dyOf(x));
      };
      const [got] = await runOn('wmoe', f);
      expect(lastConvStrategy('inputGrad')).toBe('winograd4');
      const [ref] = await runOn('cpu', f);
      // S = Σ|w||dy| per dx element: the same gradient with |w| and |dy| (it is linear in dy).
      const [s] = await runOn('cpu', () => {
        const x = rand(xs, 5) as tf.Tensor4D;
        return dx(x, w().abs() as tf.Tensor4D, dyOf(x).abs());
      });
      expectWithinBound(got!.data, ref!.data, s!.data, BOUND.winograd4!);
    });
  }

  // F(2×2) from 8 channels and 32 tiles of 2x2, F(4×4) from 32 channels and 32 tiles of 4x4 (cpu's
  // filter gradient runs at ~10 MFLOP/s: small shapes).
  const filterGrads: [string, number[], number[], Pad, string][] = [
    ['same, odd 9x7, ci 13, co 10', [2, 9, 7, 13], [3, 3, 13, 10], 'same', 'winograd'],
    ['valid 15x12 → 13x10, ci 9, co 35, batch 1', [1, 15, 12, 9], [3, 3, 9, 35], 'valid', 'winograd'],
    ['valid 14x13 → 12x11, ci 32, co 32, batch 1 (9 tiles of 4x4: too few for F(4×4))', [1, 14, 13, 32], [3, 3, 32, 32], 'valid', 'winograd'],
    ['explicit padding (0, 2) (2, 1), ci 34, co 32', [8, 8, 7, 34], [3, 3, 34, 32], [[0, 0], [0, 2], [2, 1], [0, 0]], 'winograd4'],
    ['same, odd 11x9, ci 33, co 36', [4, 11, 9, 33], [3, 3, 33, 36], 'same', 'winograd4'],
  ];
  for (const [label, xs, fs, pad, strategy] of filterGrads) {
    it(`filter gradient (tf.grad, ${strategy}) matches cpu within c·eps·Σ|x||dy|: ${label}`, async () => {
      const dyOf = () => rand(tf.conv2d(rand(xs, 5) as tf.Tensor4D, rand(fs, 7) as tf.Tensor4D, 1, pad).shape, 9);
      const dw = (x: tf.Tensor4D, dy: tf.Tensor) => tf.grad((ww: tf.Tensor4D) => tf.conv2d(x, ww, 1, pad).mul(dy).sum())(rand(fs, 7) as tf.Tensor4D);
      const [got] = await runOn('wmoe', () => dw(rand(xs, 5) as tf.Tensor4D, dyOf()));
      expect(lastConvStrategy('filterGrad')).toBe(strategy);
      const [ref] = await runOn('cpu', () => dw(rand(xs, 5) as tf.Tensor4D, dyOf()));
      // S = Σ|x||dy| per dW element: the same gradient of |x| and |dy| (it is bilinear in them).
      const [s] = await runOn('cpu', () => dw(rand(xs, 5).abs() as tf.Tensor4D, dyOf().abs()));
      expectWithinBound(got!.data, ref!.data, s!.data, BOUND[strategy]!);
    });
  }

  // F(4×4) on 2·2·2 tiles; F(2×2) on 4 tiles of 256 channels (3·3·128·64 and 3·3·256·256 floats:
  // large enough to be cached on their second use).
  const cached: [string, number[], number[]][] = [['winograd4', [2, 6, 6, 128], [3, 3, 128, 64]], ['winograd', [1, 4, 4, 256], [3, 3, 256, 256]]];
  for (const [strategy, xs, ws] of cached) {
    it(`${strategy}: a filter used again comes from the cache; a new filter is transformed afresh`, async () => {
      const x = () => rand(xs, 21) as tf.Tensor4D;
      await tf.setBackend('wmoe');
      const w1 = rand(ws, 22) as tf.Tensor4D;
      const w2 = rand(ws, 23) as tf.Tensor4D;
      const runs = [w1, w1, w1, w2].map((w) => {
        const y = tf.tidy(() => tf.conv2d(x(), w, 1, 'same'));
        const v = y.dataSync().slice() as Float32Array;
        y.dispose();
        return v;
      });
      expect(lastConvStrategy('forward')).toBe(strategy);
      expect(Buffer.from(runs[2]!.buffer).equals(Buffer.from(runs[0]!.buffer))).toBe(true);
      expect(Buffer.from(runs[1]!.buffer).equals(Buffer.from(runs[0]!.buffer))).toBe(true);
      const [ref2] = await runOn('cpu', () => tf.conv2d(x(), rand(ws, 23) as tf.Tensor4D, 1, 'same'));
      let worst = 0;
      for (let i = 0; i < ref2!.data.length; i++) worst = Math.max(worst, Math.abs(runs[3]![i]! - ref2!.data[i]!));
      expect(worst).toBeLessThan(1e-3);
      w1.dispose();
      w2.dispose();
    });
  }

  it('1 and 2 threads give bit-identical forward, input and filter gradients, and the worker takes chunks', async () => {
    const pool = backend.nn.pool!;
    expect(pool.threads).toBe(2);
    // F(4×4): 8·8·8 = 512 tiles, block by block (16 blocks); 2·2·2 = 8 tiles × 512 channels, step
    // by step, above the transforms' and the GEMMs' thresholds for splitting; the filter
    // gradients of both. F(2×2): the forward pass on 1·2·2 = 4 tiles × 256 channels (the
    // few-tiles rule), the filter gradient on 16 channels.
    expect([winogradBlocked(512, F4), winogradBlocked(8, F4)]).toEqual([true, false]);
    const f = () => {
      const out: tf.Tensor[] = [];
      for (const [n, s, ci, co] of [[1, 4, 256, 256], [8, 32, 32, 32], [8, 16, 16, 16], [2, 8, 64, 512], [2, 16, 32, 48]]) {
        const x = rand([n!, s!, s!, ci!], 31) as tf.Tensor4D;
        const w = rand([3, 3, ci!, co!], 32) as tf.Tensor4D;
        const dy = rand([n!, s!, s!, co!], 33);
        out.push(tf.conv2d(x, w, 1, 'same'), tf.grad((xx: tf.Tensor4D) => tf.conv2d(xx, w, 1, 'same').mul(dy).sum())(x));
        out.push(tf.grad((ww: tf.Tensor4D) => tf.conv2d(x, ww, 1, 'same').mul(dy).sum())(w));
      }
      return out;
    };
    pool.active = 1;
    const one = await runOn('wmoe', f);
    pool.active = 2;
    const before = pool.workerChunks;
    const two = await runOn('wmoe', f);
    expect(pool.workerChunks).toBeGreaterThan(before);
    expect(lastConvStrategy('forward')).toBe('winograd4');
    expect(lastConvStrategy('inputGrad')).toBe('winograd4');
    expect(lastConvStrategy('filterGrad')).toBe('winograd4');
    expect(two.length).toBe(15); // 5 shapes × (forward, input gradient, filter gradient)
    for (let i = 0; i < two.length; i++) {
      expect(Buffer.from(two[i]!.data.buffer).equals(Buffer.from(one[i]!.data.buffer)), `output ${i}`).toBe(true);
    }
  });
});
