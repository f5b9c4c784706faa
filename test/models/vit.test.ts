import { beforeAll, describe, expect, it } from 'vitest';
import { copyModeBackend, maxRelError, randomValues, runOn, tf, wmoe } from '../helpers/tf.js';
import { DistributedMoE } from '../../src/moe/model.js';
import type { MoeConfig } from '../../src/moe/config.js';
import { vit } from '../../src/models/vit.js';
import { modelSpec } from '../../src/models/registry.js';
import type { ModelOptions } from '../../src/models/model_spec.js';
import { InputError } from '../../src/errors.js';
import { stage1Step } from '../../src/train/stage1.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/config.js';

const config = (inputShape: [number, number, number], modelOptions?: ModelOptions, experts = 4): MoeConfig => ({
  model: 'vit',
  dataset: 'cifar10',
  inputShape,
  classes: 10,
  experts,
  topK: 2,
  snrRange: [-10, 20],
  modelOptions,
});

/** A ViT small enough for a float64 reference: 16x16x1, patch 8 (4 patches + CLS), width 8, 2 heads, 1 server block, 2 expert blocks. */
const TINY = { patch: 8, width: 8, depth: 3, heads: 2, mlpRatio: 2, expertBlocks: 2, bottleneck: 3 };

// ---- float64 reference of the whole model, written from the definitions, not from vit.ts ----

type Mat = number[][];
const matmul = (a: Mat, b: Mat): Mat => a.map((row) => b[0].map((_, j) => row.reduce((s, v, i) => s + v * b[i][j], 0)));
const addRow = (a: Mat, r: number[]): Mat => a.map((row) => row.map((v, j) => v + r[j]));
const addMat = (a: Mat, b: Mat): Mat => a.map((row, i) => row.map((v, j) => v + b[i][j]));
const erf = (x: number) => {
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
};
const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
const ln = (a: Mat, g: number[], b: number[]): Mat =>
  a.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, j) => ((v - mean) / Math.sqrt(variance + 1e-5)) * g[j] + b[j]);
  });

/**
 * Parameter values as nested arrays; for stacked experts, copy k (per-head attention tensors
 * are stored [heads, K, …], every other expert tensor [K, …]).
 */
function reader(model: DistributedMoE, k?: number) {
  return (name: string): any => {
    const v = model.params.get(name).arraySync() as any;
    if (k === undefined) return v;
    return /attention\/(query|key|value|proj\/kernel)/.test(name) ? v.map((head: any) => head[k]) : v[k];
  };
}
const vec = (v: any): number[] => (Array.isArray(v[0]) ? vec(v[0]) : v); // [1, 1, n] → [n]

/** One pre-norm block on tokens x [n, w] (all rows, or only row 0 as query when clsOnly). */
function refBlock(x: Mat, p: (name: string) => any, prefix: string, heads: number, clsOnly: boolean): Mat {
  const h = ln(x, vec(p(`${prefix}norm1/gamma`)), vec(p(`${prefix}norm1/beta`)));
  const dh = x[0].length / heads;
  const rows = clsOnly ? [h[0]] : h;
  let out: Mat = rows.map(() => Array(x[0].length).fill(0));
  for (let head = 0; head < heads; head++) {
    const proj = (name: string, input: Mat) => addRow(matmul(input, p(`${prefix}attention/${name}/kernel`)[head]), vec(p(`${prefix}attention/${name}/bias`)[head]));
    const q = proj('query', rows);
    const key = proj('key', h);
    const value = proj('value', h);
    const mixed = q.map((qi) => {
      const s = key.map((kj) => qi.reduce((a, v, d) => a + v * kj[d], 0) / Math.sqrt(dh));
      const m = Math.max(...s);
      const e = s.map((v) => Math.exp(v - m));
      const z = e.reduce((a, v) => a + v, 0);
      return Array.from({ length: dh }, (_, d) => e.reduce((a, w, j) => a + (w / z) * value[j][d], 0));
    });
    out = addMat(out, matmul(mixed, p(`${prefix}attention/proj/kernel`)[head]));
  }
  out = addRow(out, vec(p(`${prefix}attention/proj/bias`)));
  const y = addMat(clsOnly ? [x[0]] : x, out);
  const h2 = ln(y, vec(p(`${prefix}norm2/gamma`)), vec(p(`${prefix}norm2/beta`)));
  const hidden = addRow(matmul(h2, p(`${prefix}mlp/fc1/kernel`)), vec(p(`${prefix}mlp/fc1/bias`))).map((r) => r.map(gelu));
  return addMat(y, addRow(matmul(hidden, p(`${prefix}mlp/fc2/kernel`)), vec(p(`${prefix}mlp/fc2/bias`))));
}

/** Reference features [d] and expert logits [K][classes] of one image [H, W, C] (flat, NHWC). */
function reference(model: DistributedMoE, image: Float32Array, o: typeof TINY) {
  const [H, W, C] = model.config.inputShape;
  const b = reader(model);
  const kernel = b('backbone/patch_embed/kernel'); // [p, p, C, w]
  const cols = W / o.patch;
  const patches: Mat = [];
  for (let py = 0; py < H / o.patch; py++) {
    for (let px = 0; px < cols; px++) {
      patches.push(
        Array.from({ length: o.width }, (_, out) => {
          let s = b('backbone/patch_embed/bias')[out];
          for (let i = 0; i < o.patch; i++)
            for (let j = 0; j < o.patch; j++)
              for (let c = 0; c < C; c++) s += image[((py * o.patch + i) * W + px * o.patch + j) * C + c] * kernel[i][j][c][out];
          return s;
        }),
      );
    }
  }
  let x = addMat([vec(b('backbone/cls_token')), ...patches], b('backbone/pos_embed'));
  for (let i = 0; i < o.depth - o.expertBlocks; i++) x = refBlock(x, b, `backbone/block${i}/`, o.heads, false);
  const features = addRow(matmul(ln(x, b('backbone/bottleneck/norm/gamma'), b('backbone/bottleneck/norm/beta')), b('backbone/bottleneck/dense/kernel')), b('backbone/bottleneck/dense/bias')).flat();
  const logits = Array.from({ length: model.config.experts }, (_, k) => {
    const e = reader(model, k);
    const tokens = Array.from({ length: features.length / o.bottleneck }, (_, t) => features.slice(t * o.bottleneck, (t + 1) * o.bottleneck));
    let z = addRow(matmul(tokens, e('experts/embed/kernel')), vec(e('experts/embed/bias')));
    for (let i = o.depth - o.expertBlocks; i < o.depth; i++) z = refBlock(z, e, `experts/block${i}/`, o.heads, i === o.depth - 1);
    const cls = ln([z[0]], vec(e('experts/norm/gamma')), vec(e('experts/norm/beta')));
    return addRow(matmul(cls, e('experts/head/kernel')), vec(e('experts/head/bias')))[0];
  });
  return { features, logits };
}

/** Sets every parameter under `prefix` to random values (so gammas, biases and embeddings matter). */
function randomise(model: DistributedMoE, prefix: string, seed: number, scale = 0.5) {
  model.params.specs
    .filter((s) => s.name.startsWith(prefix))
    .forEach((s, i) => {
      const n = s.shape.reduce((a, c) => a * c, 1);
      const v = Array.from(randomValues(n, seed + i), (r) => (s.name.endsWith('gamma') ? 1 + r * scale : r * scale));
      model.params.get(s.name).assign(tf.tensor(v, s.shape));
    });
}

describe('ViT model (--model vit)', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('defaults: parameter counts from the formula, d = 65·16 = 1040, same seed → same weights', () => {
    const [w, r, depth, E, b, p, K, classes] = [192, 2, 6, 1, 16, 4, 4, 10];
    const tokens = (32 / p) ** 2 + 1; // 64 patches + CLS
    // Per block: q, k, v, proj (w² + w each) = 4w² + 4w; MLP w → rw → w = 2·w·rw + rw + w; two LayerNorms = 4w.
    const block = 4 * w * w + 4 * w + (2 * w * (r * w) + r * w + w) + 4 * w;
    expect(block).toBe(297_024);
    for (const channels of [3, 1]) {
      const embed = p * p * channels * w + w; // conv kernel p·p·C·w + bias
      const bottleneck = 2 * w + w * b + b; // LayerNorm + per-token linear w → b
      const backbone = embed + w /* CLS */ + tokens * w /* positions */ + (depth - E) * block + bottleneck;
      const expert = b * w + w /* lift b → w */ + E * block + 2 * w /* final LN */ + w * classes + classes;
      const model = new DistributedMoE(config([32, 32, channels]), 1);
      expect(model.backbone.featureDim).toBe(tokens * b);
      expect(model.backbone.featureDim).toBe(1040);
      expect(model.params.size('backbone/bottleneck/')).toBe(bottleneck);
      expect(model.params.size('backbone/')).toBe(backbone);
      expect(model.params.size('experts/')).toBe(K * expert);
      if (channels === 3) {
        expect([backbone, bottleneck, expert]).toEqual([1_510_672, 3_472, 302_602]);
        const again = new DistributedMoE(config([32, 32, 3]), 1);
        expect(Buffer.from(again.params.toFlat().buffer).equals(Buffer.from(model.params.toFlat().buffer))).toBe(true);
        again.dispose();
      }
      model.dispose();
    }
  });

  it('default shapes: features [batch, 1040], logits [K, batch, classes], CLS and positions start at std 0.02', () => {
    const model = new DistributedMoE(config([32, 32, 3]), 2);
    const images = tf.tensor4d(randomValues(2 * 32 * 32 * 3, 3), [2, 32, 32, 3]);
    const features = model.features(images);
    expect(features.shape).toEqual([2, 1040]);
    const logits = model.experts.logits(tf.stack([features, features, features, features]) as tf.Tensor3D);
    expect(logits.shape).toEqual([4, 2, 10]);
    expect(Array.from(logits.dataSync()).every(Number.isFinite)).toBe(true);
    const pos = model.params.get('backbone/pos_embed').dataSync();
    const std = Math.sqrt(pos.reduce((a, v) => a + v * v, 0) / pos.length);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    model.dispose();
  });

  it('matches a float64 reference written from the definitions (patch embedding, MHSA, MLP, LayerNorms, CLS head)', () => {
    const model = new DistributedMoE(config([16, 16, 1], TINY, 2), 4);
    randomise(model, 'backbone/', 10);
    randomise(model, 'experts/', 200);
    const images = randomValues(2 * 16 * 16, 5);
    const features = model.features(tf.tensor4d(images, [2, 16, 16, 1]));
    const logits = model.experts.logits(tf.stack([features, features]) as tf.Tensor3D).arraySync() as number[][][];
    const got = features.arraySync() as number[][];
    for (let s = 0; s < 2; s++) {
      const ref = reference(model, images.subarray(s * 256, (s + 1) * 256), TINY);
      expect(got[s].length).toBe(5 * 3);
      ref.features.forEach((v, i) => expect(Math.abs(got[s][i] - v)).toBeLessThan(1e-4 * (1 + Math.abs(v))));
      ref.logits.forEach((row, k) => row.forEach((v, c) => expect(Math.abs(logits[k][s][c] - v)).toBeLessThan(1e-4 * (1 + Math.abs(v)))));
    }
    model.dispose();
  });

  it('gradients (including the custom ones of the shared-rows matmul and GELU) match central differences of the float64 reference', () => {
    const model = new DistributedMoE(config([16, 16, 1], TINY, 2), 14);
    randomise(model, 'backbone/', 40);
    randomise(model, 'experts/', 400);
    const images = randomValues(2 * 16 * 16, 15);
    const wf = randomValues(2 * 15, 16); // loss = Σ wf·features + Σ wl·logits
    const wl = randomValues(2 * 2 * 10, 17);
    const loss64 = () => {
      let total = 0;
      for (let s = 0; s < 2; s++) {
        const ref = reference(model, images.subarray(s * 256, (s + 1) * 256), TINY);
        ref.features.forEach((v, i) => (total += wf[s * 15 + i] * v));
        ref.logits.forEach((row, k) => row.forEach((v, c) => (total += wl[(k * 2 + s) * 10 + c] * v)));
      }
      return total;
    };
    const picks: [string, number][] = [
      ['backbone/patch_embed/kernel', 37],
      ['backbone/cls_token', 3],
      ['backbone/pos_embed', 17],
      ['backbone/block0/attention/query/kernel', 21],
      ['backbone/block0/attention/key/bias', 5],
      ['backbone/block0/attention/value/kernel', 40],
      ['backbone/block0/attention/proj/kernel', 9],
      ['backbone/block0/mlp/fc1/kernel', 50],
      ['backbone/bottleneck/norm/gamma', 2],
      ['experts/embed/kernel', 30],
      ['experts/block1/attention/query/kernel', 70],
      ['experts/block2/attention/key/kernel', 100],
      ['experts/block2/attention/value/bias', 11],
      ['experts/block2/norm1/gamma', 12],
      ['experts/norm/beta', 9],
      ['experts/head/kernel', 101],
    ];
    const vars = picks.map(([name]) => model.params.get(name));
    const { grads } = tf.variableGrads(() => {
      const features = model.features(tf.tensor4d(images, [2, 16, 16, 1]));
      const logits = model.experts.logits(tf.stack([features, features]) as tf.Tensor3D);
      return tf.add(tf.sum(tf.mul(features, tf.tensor2d(wf, [2, 15]))), tf.sum(tf.mul(logits, tf.tensor3d(wl, [2, 2, 10])))) as tf.Scalar;
    }, vars);
    for (const [name, index] of picks) {
      const v = model.params.get(name);
      const values = v.dataSync().slice();
      const at = (x: number) => {
        values[index] = x;
        v.assign(tf.tensor(values, v.shape));
        return [v.dataSync()[index], loss64()]; // the float32 value actually stored
      };
      const x0 = values[index];
      const [up, lossUp] = at(x0 + 1e-2);
      const [down, lossDown] = at(x0 - 1e-2);
      at(x0);
      const fd = (lossUp - lossDown) / (up - down);
      const g = grads[v.name].dataSync()[index];
      expect(Math.abs(g - fd), `${name}[${index}]: ${g} vs ${fd}`).toBeLessThan(2e-3 * (1 + Math.abs(fd)));
    }
    model.dispose();
  });

  it('with zero position embeddings, permuting the patches permutes the token map and leaves the logits unchanged', () => {
    const opts = { patch: 4, width: 12, depth: 3, heads: 3, expertBlocks: 2, bottleneck: 2 };
    const model = new DistributedMoE(config([16, 16, 3], opts, 2), 6);
    randomise(model, 'backbone/block', 20);
    const images = randomValues(16 * 16 * 3, 7);
    // Patch (py, px) of the 4x4 grid moves to (px, 3 − py): a 90° rotation of the patch grid (pixels inside a patch stay).
    const dest = (t: number) => (t % 4) * 4 + (3 - Math.floor(t / 4));
    const moved = new Float32Array(images.length);
    for (let t = 0; t < 16; t++) {
      const [sy, sx, dy, dx] = [Math.floor(t / 4), t % 4, Math.floor(dest(t) / 4), dest(t) % 4];
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let c = 0; c < 3; c++) {
        moved[((dy * 4 + i) * 16 + dx * 4 + j) * 3 + c] = images[((sy * 4 + i) * 16 + sx * 4 + j) * 3 + c];
      }
    }
    const run = (pixels: Float32Array) => {
      const f = model.features(tf.tensor4d(pixels, [1, 16, 16, 3]));
      return { tokens: f.reshape([17, 2]).arraySync() as number[][], logits: Array.from(model.experts.logits(tf.stack([f, f]) as tf.Tensor3D).dataSync()) };
    };
    const pos = model.params.get('backbone/pos_embed');
    const learned = pos.clone();
    pos.assign(tf.zerosLike(pos));
    const a = run(images);
    const b = run(moved);
    // Equal up to float32 summation order (the permuted keys sum in other SIMD lanes): within
    // 5e-5 on O(1) values, where a position-dependent model differs by O(0.1).
    for (let c = 0; c < 2; c++) expect(b.tokens[0][c]).toBeCloseTo(a.tokens[0][c], 4); // CLS
    for (let t = 0; t < 16; t++) for (let c = 0; c < 2; c++) expect(b.tokens[1 + dest(t)][c]).toBeCloseTo(a.tokens[1 + t][c], 4);
    a.logits.forEach((v, i) => expect(b.logits[i]).toBeCloseTo(v, 4));
    // With the learned positions the model does see where patches are.
    pos.assign(learned);
    const a2 = run(images);
    const b2 = run(moved);
    expect(Math.max(...a2.logits.map((v, i) => Math.abs(v - b2.logits[i])))).toBeGreaterThan(1e-4);
    model.dispose();
  });

  it('forward and gradients on backend wmoe equal backend cpu to float32 accuracy', async () => {
    const opts = { patch: 8, width: 24, depth: 3, heads: 3, expertBlocks: 2, bottleneck: 4 };
    const model = new DistributedMoE(config([32, 32, 3], opts, 3), 8);
    randomise(model, 'backbone/', 30, 0.3);
    const names = ['backbone/patch_embed/kernel', 'backbone/cls_token', 'backbone/block0/attention/query/kernel', 'experts/block2/attention/key/kernel', 'experts/block1/mlp/fc1/kernel'];
    const vars = names.map((n) => model.params.get(n));
    const f = () => {
      const images = tf.tensor4d(randomValues(4 * 32 * 32 * 3, 9), [4, 32, 32, 3]);
      const features = model.features(images);
      const logits = model.experts.logits(tf.stack([features, features, features]) as tf.Tensor3D);
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(model.experts.logits(tf.stack([model.features(images), features, features]) as tf.Tensor3D))) as tf.Scalar, vars);
      return [features, logits, ...names.map((n) => grads[model.params.get(n).name])];
    };
    const cpu = await runOn('cpu', f);
    const ours = await runOn('wmoe', f);
    // Summation order differs (blocked SIMD GEMM vs cpu loops): every value within 2e-5 of the
    // output's largest magnitude (measured: ≤ 4.4e-6; a wrong index or a missing term is O(1)).
    cpu.forEach((ref, i) => {
      expect(ours[i].shape).toEqual(ref.shape);
      const peak = Math.max(...Array.from(ref.data, Math.abs));
      const worst = Math.max(...Array.from(ref.data, (v, j) => Math.abs(v - ours[i].data[j])));
      expect(worst, `output ${i}`).toBeLessThan(2e-5 * peak);
    });
    model.dispose();
  });

  it('a few stage-1 steps of a tiny ViT MoE lower the loss on a fixed batch', () => {
    const cfg: TrainConfig = {
      ...DEFAULT_TRAIN_CONFIG,
      ...config([16, 16, 1], { width: 16, depth: 2, heads: 2 }),
      batchSize: 16,
    };
    const model = new DistributedMoE(cfg, 11);
    const step = stage1Step(model, cfg);
    const xs = tf.tensor4d(Array.from(randomValues(16 * 256, 12), (v) => (v + 1) / 2), [16, 16, 16, 1]);
    const ys = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), 'int32');
    const losses: number[] = [];
    for (let s = 0; s < 12; s++) {
      const l = step(xs, ys, s);
      losses.push(l.dataSync()[0]);
      l.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[11]).toBeLessThan(losses[0] * 0.8);
    step.dispose();
    model.dispose();
  });

  it('stage-1 training on backend wmoe (GELU, LayerNorm and attention kernels) follows backend cpu (op compositions): same losses over 4 steps', async () => {
    const cfg: TrainConfig = {
      ...DEFAULT_TRAIN_CONFIG,
      ...config([16, 16, 1], { patch: 4, width: 24, depth: 2, heads: 3 }, 3),
      batchSize: 8,
    };
    const lossesOn = async (backend: string) => {
      await tf.setBackend(backend);
      const model = new DistributedMoE(cfg, 5);
      const step = stage1Step(model, cfg);
      const xs = tf.tensor4d(Array.from(randomValues(8 * 256, 6), (v) => (v + 1) / 2), [8, 16, 16, 1]);
      const ys = tf.tensor1d(Array.from({ length: 8 }, (_, i) => i % 10), 'int32');
      const losses: number[] = [];
      for (let s = 0; s < 4; s++) {
        const l = step(xs, ys, s);
        losses.push(l.dataSync()[0]);
        l.dispose();
      }
      step.dispose();
      model.dispose();
      return losses;
    };
    const cpu = await lossesOn('cpu');
    const ours = await lossesOn('wmoe');
    // The steps move the loss (so they are compared after real updates), and the two backends
    // stay within float32 summation-order noise of each other.
    expect(Math.abs(cpu[3] - cpu[0])).toBeGreaterThan(1e-2);
    ours.forEach((l, i) => expect(Math.abs(l - cpu[i]), `step ${i}`).toBeLessThan(2e-5 * Math.abs(cpu[i])));
  });

  it('the copy-mode backend (no shared memory: operands copied in, outputs out) runs the ViT kernels with the same bits', async () => {
    await copyModeBackend();
    const opts = { patch: 8, width: 24, depth: 3, heads: 3, expertBlocks: 2, bottleneck: 4 };
    const model = new DistributedMoE(config([32, 32, 3], opts, 3), 8);
    const vars = ['backbone/block0/attention/query/kernel', 'backbone/block0/norm1/gamma', 'experts/block2/mlp/fc1/kernel']
      .map((n) => model.params.get(n));
    const f = () => {
      const images = tf.tensor4d(randomValues(2 * 32 * 32 * 3, 9), [2, 32, 32, 3]);
      const loss = () => tf.sum(tf.square(model.experts.logits(tf.stack([model.features(images), model.features(images), model.features(images)]) as tf.Tensor3D))) as tf.Scalar;
      const { value, grads } = tf.variableGrads(loss, vars);
      return [value, ...vars.map((v) => grads[v.name])];
    };
    const resident = await runOn('wmoe', f);
    const copied = await runOn('wmoe-copy', f);
    // The copy-mode backend loads the plain SIMD build: bit for bit when wmoe did too, else
    // (the relaxed build's fused multiply-adds) within float32 rounding.
    const sameBuild = (await wmoe()).nn.simd !== 'relaxed';
    resident.forEach((r, i) => {
      if (sameBuild) expect(Buffer.from(copied[i].data.buffer).equals(Buffer.from(r.data.buffer)), `output ${i}`).toBe(true);
      else expect(maxRelError(copied[i].data, r.data), `output ${i}`).toBeLessThan(1e-4);
    });
    await tf.setBackend('wmoe');
    model.dispose();
  });

  it('rejects an option that cannot work with a one-line InputError naming the values', () => {
    const bad: [ModelOptions, [number, number, number], string][] = [
      [{ patch: 5 }, [32, 32, 3], "model 'vit': patch 5 does not divide the 32x32 input"],
      [{ patch: 8 }, [32, 36, 1], "model 'vit': patch 8 does not divide the 32x36 input"],
      [{ width: 100 }, [32, 32, 3], "model 'vit': width 100 is not divisible by heads 3"],
      [{ expertBlocks: 6 }, [32, 32, 3], "model 'vit': expertBlocks 6 must be an integer in 1…5 (depth 6: at least one block stays on the server)"],
      [{ expertBlocks: 0 }, [32, 32, 3], "model 'vit': expertBlocks 0 must be an integer in 1…5 (depth 6: at least one block stays on the server)"],
      [{ expertBlocks: 1.5 }, [32, 32, 3], "model 'vit': expertBlocks 1.5 must be an integer in 1…5 (depth 6: at least one block stays on the server)"],
      [{ mlpRatio: 0.3 }, [32, 32, 3], "model 'vit': mlpRatio 0.3 must be positive with width·mlpRatio an integer (width 192)"],
      [{ mlpRatio: -2 }, [32, 32, 3], "model 'vit': mlpRatio -2 must be positive with width·mlpRatio an integer (width 192)"],
      [{ patch: 2.5 }, [32, 32, 3], "model 'vit' option patch = 2.5 must be an integer in 1…32"],
      [{ width: 0 }, [32, 32, 3], "model 'vit' option width = 0 must be an integer in 1…4096"],
      [{ heads: 2.5 }, [32, 32, 3], "model 'vit' option heads = 2.5 must be an integer in 1…192"],
      [{ depth: 1 }, [32, 32, 3], "model 'vit' option depth = 1 must be an integer in 2…64"],
      [{ bottleneck: 0 }, [32, 32, 3], "model 'vit' option bottleneck = 0 must be an integer in 1…4096"],
      [{ dropout: 0.1 }, [32, 32, 3], "model 'vit' has no option 'dropout' (known: patch, width, depth, heads, mlpRatio, expertBlocks, bottleneck)"],
      [{ width: Number.NaN }, [32, 32, 3], "model 'vit' option width = NaN is not a finite number"],
    ];
    for (const [options, shape, message] of bad) {
      const attempt = () => modelSpec('vit').resolveOptions(options, shape);
      expect(attempt, message).toThrow(InputError);
      expect(attempt, message).toThrow(message);
      expect(() => new DistributedMoE(config(shape, options), 1)).toThrow(message);
    }
    // Non-square inputs and other channel counts are fine when the patch divides both sides.
    expect(vit.resolveOptions({ patch: 8, width: 96, heads: 4, mlpRatio: 1.5 }, [32, 48, 1])).toEqual({ ...vit.defaults, patch: 8, width: 96, heads: 4, mlpRatio: 1.5 });
    const wide = new DistributedMoE(config([32, 48, 1], { patch: 8, width: 24, heads: 2 }), 1);
    expect(wide.backbone.featureDim).toBe((4 * 6 + 1) * 16);
    wide.dispose();
  });
});
