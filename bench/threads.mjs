// 1 → 2 thread scaling of backend `wmoe` (init({ threads: 2 })): the ResNet-18 conv shapes
// (forward, input gradient, filter gradient) and the LeNet-5 (batch 64) and ResNet-18 (batch
// 32) MoE training steps (stage 1, Adam), with the target for the ResNet-18 step
// (2 threads ≥ 1.7× one). One threaded backend; its pool's `active` threads alternate between
// 1 and 2 call by call and step by step, after untimed warm-up calls: both see the same machine
// (separate processes here differ by up to 30 % in speed). Medians; the load average is
// recorded before and after. Writes bench/results/threads.json (full runs only).
//
//   npm run build && node bench/threads.mjs [--calls=N] [--steps=N] [--resnet-steps=N] [--only=substring]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { init, tf, SeededRandom, imageValues } from '../dist/index.mjs';
import { DistributedMoE, DEFAULT_TRAIN_CONFIG, moeConfigOf, stage1Step, loadMnist } from '../dist/node.mjs';
import { machineLoad, median } from './lib/timing.mjs';
import { buildOf } from './lib/wmoe-step.mjs';

const { values } = parseArgs({ options: { calls: { type: 'string' }, steps: { type: 'string' }, 'resnet-steps': { type: 'string' }, only: { type: 'string' } } });
const CALLS = Number(values.calls ?? 9);
const STEPS = Number(values.steps ?? 15);
const RESNET_STEPS = Number(values['resnet-steps'] ?? 7);
const only = values.only;

const loadStart = machineLoad();
const loadBefore = loadStart.loadavg;
const backend = await init({ threads: 2 });
if (backend.nn.threads !== 2) throw new Error(`threads unavailable: ${backend.nn.threadsUnavailable}`);
const pool = backend.nn.pool;
const cpu = tf.findBackend('cpu');
if (cpu) cpu.firstUse = false;

function randomTensor(shape, seed) {
  const rng = new SeededRandom(seed);
  const v = new Float32Array(shape.reduce((x, y) => x * y, 1));
  for (let i = 0; i < v.length; i++) v[i] = rng.next() * 2 - 1;
  return tf.tensor(v, shape);
}

const convs = [
  { name: 'R18 3x3 64→64 32x32', n: 8, h: 32, w: 32, ci: 64, co: 64, f: 3, s: 1 },
  { name: 'R18 3x3 64→128 s2 32x32', n: 4, h: 32, w: 32, ci: 64, co: 128, f: 3, s: 2 },
  { name: 'R18 3x3 128→128 16x16', n: 4, h: 16, w: 16, ci: 128, co: 128, f: 3, s: 1 },
  { name: 'R18 3x3 256→256 8x8', n: 8, h: 8, w: 8, ci: 256, co: 256, f: 3, s: 1 },
  { name: 'R18 3x3 512→512 4x4', n: 8, h: 4, w: 4, ci: 512, co: 512, f: 3, s: 1 },
  // the experts' last stage at the training step's batch (stage 1 runs every expert on all 32)
  { name: 'R18 3x3 512→512 4x4', n: 32, h: 4, w: 4, ci: 512, co: 512, f: 3, s: 1 },
  { name: 'R18 3x3 256→512 s2 8x8', n: 32, h: 8, w: 8, ci: 256, co: 512, f: 3, s: 2 },
];

/**
 * Times `run` (returns a tensor) with 1 and 2 active threads alternating; medians in ms. The
 * kernels are synchronous, so the output is complete when `run` returns; it is not read back
 * (with threads it stays in WASM memory, as a training step's activations do, and dataSync
 * would time a copy to JS).
 */
function timeBoth(run) {
  const times = { 1: [], 2: [] };
  for (const t of [1, 2]) {
    pool.active = t;
    run().dispose(); // untimed
  }
  for (let i = 0; i < CALLS; i++) {
    for (const t of i % 2 ? [2, 1] : [1, 2]) {
      pool.active = t;
      const t0 = performance.now();
      const y = run();
      times[t].push(performance.now() - t0);
      y.dispose();
    }
  }
  return { ms1: median(times[1]), ms2: median(times[2]), times };
}

/** Share of the chunks of 2-thread jobs that the worker ran while `f` ran. */
function workerShare(f) {
  const w0 = pool.workerChunks;
  const t0 = pool.totalChunks;
  const r = f();
  const total = pool.totalChunks - t0;
  return { ...r, workerShare: total > 0 ? (pool.workerChunks - w0) / total : null };
}

const rows = [];
for (const c of convs) {
  const oh = Math.ceil(c.h / c.s);
  const ow = Math.ceil(c.w / c.s);
  const flops = 2 * c.n * oh * ow * c.f * c.f * c.ci * c.co;
  const x = randomTensor([c.n, c.h, c.w, c.ci], 1);
  const w = randomTensor([c.f, c.f, c.ci, c.co], 2);
  const dy = randomTensor([c.n, oh, ow, c.co], 3);
  const attrs = { strides: [c.s, c.s], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
  const ops = {
    Conv2D: () => tf.conv2d(x, w, c.s, 'same'),
    Conv2DBackpropInput: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }),
    Conv2DBackpropFilter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }),
  };
  for (const [op, run] of Object.entries(ops)) {
    const label = `${op} n${c.n} ${c.name}`;
    if (only !== undefined && !label.includes(only)) continue;
    const r = workerShare(() => timeBoth(run));
    const row = {
      op, shape: `n${c.n} ${c.name}`, flops,
      ms1: r.ms1, ms2: r.ms2, gflops1: flops / r.ms1 / 1e6, gflops2: flops / r.ms2 / 1e6, scaling: r.ms1 / r.ms2,
      workerShare: r.workerShare,
    };
    rows.push(row);
    console.log(`${op.padEnd(21)} ${row.shape.padEnd(30)} 1T ${row.gflops1.toFixed(1).padStart(5)}  2T ${row.gflops2.toFixed(1).padStart(5)} GFLOP/s  ×${row.scaling.toFixed(2)}  worker ran ${(100 * (row.workerShare ?? 0)).toFixed(0)}% of chunks`);
  }
  x.dispose(); w.dispose(); dy.dispose();
}

/**
 * Median ms of a stage-1 MoE training step (as bench/train-step.mjs: DEFAULT_TRAIN_CONFIG, K = 4,
 * top-2, Adam) with 1 and 2 active threads alternating step by step (1 2 2 1 1 2 …), after
 * `warmup` untimed steps of each.
 */
function stepScaling(bench, cfg, xs, ys, steps, warmup) {
  const model = new DistributedMoE(moeConfigOf(cfg), 1);
  const train = stage1Step(model, cfg);
  const times = { 1: [], 2: [] };
  for (let i = 0; i < 2 * (steps + warmup); i++) {
    const t = i % 4 < 2 ? 1 + (i % 2) : 2 - (i % 2);
    pool.active = t;
    const t0 = performance.now();
    const loss = train(xs, ys, i + 1);
    loss.dataSync();
    loss.dispose();
    if (i >= 2 * warmup) times[t].push(performance.now() - t0);
  }
  train.dispose?.();
  model.dispose();
  const r = { bench, ms1: median(times[1]), ms2: median(times[2]), times };
  r.scaling = r.ms1 / r.ms2;
  console.log(`${bench}: 1T ${r.ms1.toFixed(1)} ms  2T ${r.ms2.toFixed(1)} ms  ×${r.scaling.toFixed(2)}`);
  return r;
}

let step = null;
if (only === undefined || 'LeNet-5 training step'.includes(only)) {
  const BATCH = 64;
  const data = await loadMnist();
  const cfg = { ...DEFAULT_TRAIN_CONFIG, inputShape: [32, 32, 1], classes: 10 };
  const xs = tf.tensor4d(imageValues(data.train, 0, BATCH), [BATCH, 32, 32, 1]);
  const ys = tf.tensor1d(data.train.labels.subarray(0, BATCH), 'int32');
  step = stepScaling('LeNet-5 MoE training step (K=4, top-2, batch 64, Adam)', cfg, xs, ys, STEPS, 1);
  xs.dispose(); ys.dispose();
}
// ResNet-18 at batch 32 on seeded random 32x32x3 images (the target: 2 threads ≥ 1.7x).
let resnetStep = null;
if (only === undefined || 'ResNet-18 training step'.includes(only)) {
  const BATCH = 32;
  const rng = new SeededRandom(7);
  const images = new Float32Array(BATCH * 32 * 32 * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng.next();
  const labels = Int32Array.from({ length: BATCH }, () => Math.floor(rng.next() * 10));
  const cfg = { ...DEFAULT_TRAIN_CONFIG, model: 'resnet18', dataset: 'cifar10', inputShape: [32, 32, 3], classes: 10 };
  const xs = tf.tensor4d(images, [BATCH, 32, 32, 3]);
  const ys = tf.tensor1d(labels, 'int32');
  resnetStep = stepScaling('ResNet-18 MoE training step (K=4, top-2, batch 32, Adam)', cfg, xs, ys, RESNET_STEPS, 1);
  resnetStep.target = 1.7;
  resnetStep.pass = resnetStep.scaling >= 1.7;
  console.log(`${resnetStep.pass ? 'PASS' : 'FAIL'}  ResNet-18 step batch 32: 2 threads >= 1.7x 1 thread: x${resnetStep.scaling.toFixed(2)}`);
  xs.dispose(); ys.dispose();
}
pool.active = 2;

const result = {
  bench: '1 → 2 thread scaling of backend wmoe (init({ threads: 2 }), pool.active alternating 1/2)',
  date: new Date().toISOString(),
  node: process.version,
  loadavgBefore: loadBefore,
  loadavgAfter: loadavg(),
  load: { start: loadStart, end: machineLoad() },
  // both thread counts run on this one build (the pool's active threads switch)
  build: buildOf(backend.nn, 2),
  calls: CALLS,
  kernels: rows,
  trainStep: step,
  resnetStep,
};
console.log(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${result.loadavgAfter.map((l) => l.toFixed(2)).join(' ')}`);
if (only === undefined) {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/threads.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
}
