import { describe, expect, it } from 'vitest';
import { tf, wmoe, runOn, randomValues, maxRelError, rand, expectLikeCpu } from '../helpers/tf.js';


describe('BatchMatMul on wmoe', () => {
  it('matches cpu on random shapes with every transpose combination', async () => {
    await wmoe();
    // (m, k, n): ones, odd sizes, sizes just off the 6x8 tile, a LeNet dense layer.
    const sizes = [[1, 1, 1], [1, 7, 5], [5, 3, 1], [6, 8, 8], [7, 9, 13], [13, 33, 17], [25, 130, 9], [64, 400, 120]];
    let seed = 1;
    for (const [m, k, n] of sizes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const as = ta ? [k, m] : [m, k];
          const bs = tb ? [n, k] : [k, n];
          const s = seed++;
          await expectLikeCpu(() => tf.matMul(rand(as, s), rand(bs, s + 100), ta, tb), `m${m} k${k} n${n} ta${ta} tb${tb}`);
        }
      }
    }
  });

  it('keeps long reductions (several K blocks) within the float32 rounding bound', async () => {
    await wmoe();
    // K = 2000 spans three reduction blocks of the WASM GEMM; compare with exact float64 sums:
    // |error| <= K·2⁻²⁴·Σ|a·b| per entry (the classical bound for recursive summation).
    const [m, k, n] = [13, 2000, 11];
    const a = randomValues(m * k, 70);
    const b = randomValues(k * n, 71);
    const [got] = await runOn('wmoe', () => tf.matMul(tf.tensor(a, [m, k]), tf.tensor(b, [k, n])));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let exact = 0;
        let mag = 0;
        for (let r = 0; r < k; r++) {
          exact += a[i * k + r] * b[r * n + j];
          mag += Math.abs(a[i * k + r] * b[r * n + j]);
        }
        expect(Math.abs(got.data[i * n + j] - exact)).toBeLessThanOrEqual(k * 2 ** -24 * mag);
      }
    }
  });

  it('a transposed A of a long reduction (copied row-major first): like cpu, and the bits of the untransposed call', async () => {
    await wmoe();
    // k = 300 ≥ TRANSPOSE_A_MIN_K: xᵀ·dy of a weight gradient, x broadcast over 3 heads (one
    // copy for all batches) and x per batch (one copy per batch).
    await expectLikeCpu(() => tf.matMul(rand([1, 1, 300, 24], 31), rand([3, 1, 300, 8], 32), true, false), 'A broadcast');
    await expectLikeCpu(() => tf.matMul(rand([3, 1, 300, 20], 33), rand([3, 1, 300, 17], 34), true, false), 'A per batch');
    // A's batch cycles (g = 0…3 for each of 3 heads): each of its 4 copies made once, reused.
    await expectLikeCpu(() => tf.matMul(rand([1, 4, 300, 24], 41), rand([3, 4, 300, 8], 42), true, false), 'A cycling');
    await expectLikeCpu(() => tf.matMul(rand([2, 300, 19], 35), rand([2, 21, 300], 36), true, true), 'both transposed');
    // Row and column tails of the 4×4 transpose blocks: k = 301 rows of m = 19 columns.
    await expectLikeCpu(() => tf.matMul(rand([301, 19], 39), rand([301, 5], 40), true, false), 'k, m no multiples of 4');
    const x = randomValues(2 * 300 * 19, 37);
    const xt = new Float32Array(x.length); // x [2][300][19] transposed per batch: [2][19][300]
    for (let b = 0; b < 2; b++) for (let r = 0; r < 300; r++) for (let i = 0; i < 19; i++) xt[b * 5700 + i * 300 + r] = x[b * 5700 + r * 19 + i];
    const dy = rand([2, 300, 7], 38);
    const [flipped] = await runOn('wmoe', () => tf.matMul(tf.tensor(x, [2, 300, 19]), dy, true, false));
    const [plain] = await runOn('wmoe', () => tf.matMul(tf.tensor(xt, [2, 19, 300]), dy));
    expect(Buffer.from(flipped.data.buffer).equals(Buffer.from(plain.data.buffer))).toBe(true);
  });

  it('broadcasts batch dimensions', async () => {
    await wmoe();
    await expectLikeCpu(() => tf.matMul(rand([3, 5, 7], 1), rand([3, 7, 4], 2)), 'equal batches');
    await expectLikeCpu(() => tf.matMul(rand([2, 3, 5, 7], 3), rand([7, 9], 4)), 'b broadcast');
    await expectLikeCpu(() => tf.matMul(rand([1, 6, 7], 5), rand([4, 7, 2], 6), false, false), 'a broadcast');
    await expectLikeCpu(() => tf.matMul(rand([2, 7, 5], 7), rand([1, 1, 9, 7], 8), true, true), 'rank 3 with rank 4');
    // [2,1] x [1,3] batches: checked slice by slice against cpu matMul of the matching slices.
    const a = randomValues(2 * 1 * 4 * 5, 9);
    const b = randomValues(1 * 3 * 5 * 6, 10);
    const [got] = await runOn('wmoe', () => tf.matMul(tf.tensor(a, [2, 1, 4, 5]), tf.tensor(b, [1, 3, 5, 6])));
    expect(got.shape).toEqual([2, 3, 4, 6]);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        const [ref] = await runOn('cpu', () =>
          tf.matMul(tf.tensor(a.subarray(i * 20, i * 20 + 20), [4, 5]), tf.tensor(b.subarray(j * 30, j * 30 + 30), [5, 6])),
        );
        const slice = got.data.subarray((i * 3 + j) * 24, (i * 3 + j + 1) * 24);
        expect(maxRelError(slice, ref.data)).toBeLessThan(1e-4);
      }
    }
  });

  it('fuses bias and activations like cpu', async () => {
    await wmoe();
    const cases: [string, number[]][] = [
      ['relu', [9]], ['linear', [9]], ['relu6', [9]], ['leakyrelu', [9]], ['elu', [9]], ['sigmoid', [9]],
      ['relu', []], ['relu', [7, 9]], ['prelu', [9]],
    ];
    let seed = 20;
    for (const [activation, biasShape] of cases) {
      const s = seed++;
      await expectLikeCpu(() => {
        const a = tf.mul(rand([7, 11], s), 3);
        const b = rand([11, 9], s + 1);
        const bias = rand(biasShape, s + 2);
        const preluActivationWeights = activation === 'prelu' ? rand([9], s + 3) : undefined;
        return tf.fused.matMul({ a, b, bias, activation: activation as 'relu', preluActivationWeights, leakyreluAlpha: 0.1 });
      }, `${activation} bias [${biasShape}]`);
    }
    await expectLikeCpu(() => tf.fused.matMul({ a: rand([3, 5, 6], 40), b: rand([3, 8, 6], 41), transposeB: true, activation: 'relu' }), 'no bias');
    // A bias per batch ([K, 1, n]: the MoE experts') runs in the WASM epilogue batch by batch:
    // like cpu, and (ReLU, linear) the bits of matMul + add + activation.
    for (const [activation, as, bs, biasShape] of [
      ['relu', [4, 7, 11], [4, 11, 9], [4, 1, 9]], ['leakyrelu', [3, 5, 6], [3, 6, 8], [3, 1, 8]], ['linear', [4, 7, 11], [4, 11, 9], [4, 1, 9]],
    ] as const) {
      const s = seed++;
      const fused = () => tf.fused.matMul({
        a: tf.mul(rand([...as], s), 3) as tf.Tensor3D, b: rand([...bs], s + 1) as tf.Tensor3D, bias: rand([...biasShape], s + 2),
        activation, leakyreluAlpha: 0.1,
      });
      await expectLikeCpu(fused, `${activation} bias [${biasShape}]`);
      // Leaky ReLU: the epilogue multiplies by alpha in float32, tfjs's kernel in float64.
      if (activation === 'leakyrelu') continue;
      const [got] = await runOn('wmoe', fused);
      const [ref] = await runOn('wmoe', () => {
        const sum = tf.add(tf.matMul(tf.mul(rand([...as], s), 3), rand([...bs], s + 1)), rand([...biasShape], s + 2));
        return activation === 'relu' ? tf.relu(sum) : sum;
      });
      expect(Buffer.from(got!.data.buffer).equals(Buffer.from(ref!.data.buffer)), `${activation} bias [${biasShape}]`).toBe(true);
    }
  });

  it('computes matMul gradients like cpu', async () => {
    await wmoe();
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      await expectLikeCpu(() => {
        const a = rand(ta ? [13, 10] : [10, 13], 50);
        const b = rand(tb ? [7, 13] : [13, 7], 51);
        const r = rand([10, 7], 52);
        return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), r)))([a, b]);
      }, `grads ta${ta} tb${tb}`);
    }
    await expectLikeCpu(() => {
      const a = rand([6, 5], 53);
      const b = rand([5, 4], 54);
      const bias = rand([4], 55);
      return tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, bias: z, activation: 'relu' }))),
      )([a, b, bias]);
    }, 'fused grads');
  });

  it('registers its own kernels, not the cpu ones', async () => {
    await wmoe();
    for (const name of ['BatchMatMul', '_FusedMatMul']) {
      expect(tf.getKernel(name, 'wmoe')?.kernelFunc, name).not.toBe(tf.getKernel(name, 'cpu')?.kernelFunc);
    }
  });

  it('is deterministic, keeps WASM memory flat on repeats, and rejects bad shapes before running', async () => {
    const backend = await wmoe();
    const f = () => tf.matMul(rand([64, 400], 60), rand([400, 120], 61));
    const first = await runOn('wmoe', f);
    const peak = backend.wasmPeakBytes();
    for (let i = 0; i < 5; i++) {
      const again = await runOn('wmoe', f);
      expect(again[0].data).toEqual(first[0].data);
    }
    expect(backend.wasmPeakBytes()).toBe(peak);
    await tf.setBackend('wmoe');
    const a = tf.ones([3, 4]);
    const b = tf.ones([5, 2]);
    expect(() => tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false })).toThrow(
      /inner dimensions 4 and 5/,
    );
    tf.dispose([a, b]);
  });
});

describe('heads-summed matmul (WmoeHeadsMatMul) on wmoe', () => {
  const headsMatMul = (a: tf.Tensor, b: tf.Tensor, transposeB: boolean) =>
    tf.engine().runKernel('WmoeHeadsMatMul', { a, b }, { transposeB }) as tf.Tensor;

  it('equals Σ_h a_h·op(b_h) on cpu: per-copy and shared b, transposed b, odd sizes (edge tiles and panels)', async () => {
    await wmoe();
    // [H, G, m, k] with b [H, Gb, k, n]
    const cases: [number[], number[], boolean][] = [
      [[3, 1, 37, 20], [3, 1, 20, 19], false],
      [[3, 2, 9, 64], [3, 1, 64, 33], false],
      [[2, 3, 11, 7], [2, 3, 5, 7], true],
      [[3, 1, 65, 64], [3, 1, 192, 64], true],
    ];
    let seed = 40;
    for (const [as, bs, tb] of cases) {
      const s = seed++;
      // b tiled to [H, G, …] first: tfjs-backend-cpu broadcasts flattened batch indices, which is
      // wrong for a [H, 1] batch against [H, G].
      const [ref] = await runOn('cpu', () => tf.sum(tf.matMul(rand(as, s), tf.tile(rand(bs, s + 50), [1, as[1]! / bs[1]!, 1, 1]), false, tb), 0));
      const [got] = await runOn('wmoe', () => headsMatMul(rand(as, s), rand(bs, s + 50), tb));
      expect(got.shape).toEqual(ref.shape);
      expect(maxRelError(got.data, ref.data), `${as} ${bs} ${tb}`).toBeLessThan(1e-4);
    }
  });

  it('rejects operands that do not fit with a one-line error', async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    expect(() => headsMatMul(tf.zeros([3, 2, 4, 5]), tf.zeros([2, 1, 5, 6]), false)).toThrow(
      /WmoeHeadsMatMul: a \[3,2,4,5\] and b \[2,1,5,6\] \(transposeB false\) must be float32/,
    );
    expect(() => headsMatMul(tf.zeros([3, 2, 4, 5]), tf.zeros([3, 3, 5, 6]), false)).toThrow(/must be float32 \[H, G, m, k\]/);
    expect(() => headsMatMul(tf.zeros([3, 2, 4, 5]), tf.zeros([3, 1, 5, 6]), true)).toThrow(/transposeB true/);
  });
});
