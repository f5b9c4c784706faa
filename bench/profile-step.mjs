// Profiles one stage-1 training step of the package's own mixture-of-experts
// (`DistributedMoE` and `stage1Step` from the built package, the step `wmoe train` runs; the same
// step bench/train-step.mjs times) on backend `wmoe`, and compares the step time and the losses
// with tfjs-backend-cpu.
//
//   npm run build && node bench/profile-step.mjs [--steps 5] [--cpu-steps 3] [--no-cpu] [--backend wmoe]
//        [--profile-steps 3] [--by-shape] [--model lenet5|resnet18|vit] [--batch 64] [--threads 1] [--simd auto|relaxed|plain]
//
// Model and step: DEFAULT_TRAIN_CONFIG (4 experts, top-2, Adam, load balancing and the experts'
// own loss) with the chosen backbone (default LeNet-5 at batch 64 on the first MNIST training
// images; ResNet-18 and ViT take seeded random 32x32x3 images, batch 32 unless --batch).
//
// Prints the per-kernel time of one step on the profiled backend (tf.profile, kernels summed
// by name, sorted by total ms) and the median step time (ms) on wmoe and cpu, and writes
// bench/results/profile-step.json (profile-step-MODEL.json for the other models).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { median } from './lib/timing.mjs';
// --simd plain|relaxed|auto (default auto): the build of backend wmoe, as the CLI's --simd; like
// the CLI, this turns on Node 20's relaxed SIMD (V8 flag) first, so auto loads the relaxed build.
if (!process.argv.includes('plain')) setFlagsFromString('--experimental-wasm-relaxed-simd');
// WMOE_DIST: path of another build of the package's Node entry to profile (default ../dist/node.mjs).
const { init, tf, DistributedMoE, DEFAULT_TRAIN_CONFIG, moeConfigOf, stage1Step, loadMnist, SeededRandom, imageValues, convStrategyLog } = await import(
  process.env.WMOE_DIST ?? '../dist/node.mjs'
);

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const STEPS = opt('steps', 5);
const CPU_STEPS = args.includes('--no-cpu') ? 0 : opt('cpu-steps', 3);
const PROFILED = args.includes('--backend') ? args[args.indexOf('--backend') + 1] : 'wmoe';
const PROFILE_STEPS = opt('profile-steps', 3);
const MODEL = args.includes('--model') ? args[args.indexOf('--model') + 1] : 'lenet5';
const BATCH = opt('batch', MODEL === 'lenet5' ? 64 : 32);
const THREADS = opt('threads', 1);
const SIMD = args.includes('--simd') ? args[args.indexOf('--simd') + 1] : 'auto';
const SHAPE = MODEL === 'lenet5' ? [32, 32, 1] : [32, 32, 3];
const cfg = { ...DEFAULT_TRAIN_CONFIG, model: MODEL, dataset: MODEL === 'lenet5' ? 'mnist' : 'cifar10', inputShape: SHAPE, classes: 10 };
const { xsData, ysData } = await batchOf(MODEL, BATCH);

/** The first MNIST training images (LeNet-5), else seeded random images in [0, 1) and labels. */
async function batchOf(model, batch) {
  if (model === 'lenet5') {
    const data = await loadMnist();
    return { xsData: imageValues(data.train, 0, batch), ysData: data.train.labels.subarray(0, batch) };
  }
  const rng = new SeededRandom(7);
  const xs = new Float32Array(batch * 32 * 32 * 3);
  for (let i = 0; i < xs.length; i++) xs[i] = rng.uniform(0, 1);
  return { xsData: xs, ysData: Int32Array.from({ length: batch }, () => Math.floor(rng.uniform(0, 10))) };
}

/** The package's model (seed 1), its stage-1 step and one batch, on the current backend. */
function makeModel() {
  const model = new DistributedMoE(moeConfigOf(cfg), 1);
  const step = stage1Step(model, cfg);
  const x = tf.tensor4d(xsData, [BATCH, ...SHAPE]);
  const y = tf.tensor1d(ysData, 'int32');
  return { model, step, x, y, count: 0 };
}

/**
 * One Adam step; returns the loss value. Step seeds are 1, 2, 3, ...: tfjs's randomNormal
 * treats seed 0 as "no seed" (Math.random), which would make the gate noise of the first step,
 * and so every loss after it, differ between runs and between backends.
 */
function step(m) {
  const l = m.step(m.x, m.y, ++m.count);
  const v = l.dataSync()[0];
  l.dispose();
  return v;
}

/** Median step ms over `steps` steps after two warm-up steps; then, if `profile`, per-kernel
 * times averaged over PROFILE_STEPS further steps. Also the loss trajectory. */
async function timeSteps(backend, steps, profile) {
  await tf.setBackend(backend);
  tf.backend().firstUse = false; // silence tfjs-backend-cpu's "install tfjs-node" banner
  const model = makeModel();
  const losses = [step(model), step(model)]; // warm-up (JIT, WASM tier-up, memory growth)
  const times = [], faults = [], sysMs = [];
  for (let i = 0; i < steps; i++) {
    const r0 = process.resourceUsage();
    const t0 = performance.now();
    losses.push(step(model));
    times.push(performance.now() - t0);
    const r1 = process.resourceUsage();
    faults.push(r1.minorPageFault - r0.minorPageFault);
    sysMs.push((r1.systemCPUTime - r0.systemCPUTime) / 1e3);
  }
  let kernels;
  if (profile) {
    const all = [];
    convStrategyLog?.(true);
    for (let i = 0; i < PROFILE_STEPS; i++) {
      const info = await tf.profile(() => { losses.push(step(model)); });
      all.push(...info.kernels);
    }
    // The conv strategy each pass ran (src/kernels/conv/plan.ts), calls per step.
    const strategies = {};
    for (const r of convStrategyLog?.(false) ?? []) {
      const key = `${r.pass} ${r.strategy}`;
      strategies[key] = (strategies[key] ?? 0) + 1 / PROFILE_STEPS;
    }
    model.strategies = strategies;
    kernels = summarize(all, (k) => k.name);
    if (args.includes('--by-shape')) {
      for (const e of summarize(all, (k) => `${k.name} ${JSON.stringify(k.inputShapes)}`).slice(0, 40)) {
        console.log(`${e.ms.toFixed(2).padStart(8)} ms ${String(Math.round(e.calls)).padStart(4)}×  ${e.name}`);
      }
    }
  }
  tf.dispose([model.x, model.y]);
  model.step.dispose();
  model.model.dispose();
  return { ms: median(times), times, losses, kernels, strategies: model.strategies, faults: median(faults), sysMs: median(sysMs) };
}

/** Kernel records grouped by `key`: per-step ms and calls, sorted by ms. */
function summarize(records, key) {
  const groups = new Map();
  for (const k of records) {
    const name = key(k);
    const e = groups.get(name) ?? { name, ms: 0, calls: 0, outMB: 0 };
    e.ms += k.kernelTimeMs / PROFILE_STEPS;
    e.calls += 1 / PROFILE_STEPS;
    e.outMB += k.outputShapes.reduce((a, sh) => a + 4 * sh.reduce((x, y) => x * y, 1), 0) / 2 ** 20 / PROFILE_STEPS;
    groups.set(name, e);
  }
  return [...groups.values()].sort((a, b) => b.ms - a.ms);
}

await init({ setBackend: false, threads: THREADS, simd: SIMD });
const prof = await timeSteps(PROFILED, STEPS, true);
// Records that are no registered kernel (customGrad scopes such as `forward`,
// softmaxCrossEntropy__op) time their nested kernels again: listed apart, not in the total.
const isKernel = (k) => tf.getKernel(k.name, PROFILED) !== undefined;
const scopes = prof.kernels.filter((k) => !isKernel(k));
prof.kernels = prof.kernels.filter(isKernel);
const total = prof.kernels.reduce((a, k) => a + k.ms, 0);
console.log(`kernel time per step on ${PROFILED} (tf.profile, mean of ${PROFILE_STEPS} steps): ${total.toFixed(1)} ms in ${Math.round(prof.kernels.reduce((a, k) => a + k.calls, 0))} calls, ${prof.kernels.reduce((a, k) => a + k.outMB, 0).toFixed(1)} MB of outputs`);
console.log('kernel'.padEnd(28) + 'ms'.padStart(9) + 'calls'.padStart(7) + 'share'.padStart(8) + 'out MB'.padStart(8));
for (const k of prof.kernels) {
  if (k.ms < total * 0.002) continue;
  console.log(k.name.padEnd(28) + k.ms.toFixed(2).padStart(9) + String(Math.round(k.calls)).padStart(7) + `${((100 * k.ms) / total).toFixed(1)}%`.padStart(8) + k.outMB.toFixed(2).padStart(8));
}
if (prof.strategies && Object.keys(prof.strategies).length) {
  console.log(`conv strategies per step: ${Object.entries(prof.strategies).map(([k, n]) => `${k} ${Math.round(n)}×`).join(', ')}`);
}
console.log(`(scopes, not counted: ${scopes.map((k) => `${k.name} ${k.ms.toFixed(2)} ms`).join(', ')})`);
console.log(`${PROFILED} step: median ${prof.ms.toFixed(1)} ms over ${STEPS} steps (${prof.times.map((t) => t.toFixed(0)).join(' ')}); per step (median): ${prof.faults} minor page faults, ${prof.sysMs.toFixed(0)} ms system CPU time`);
let cpu;
if (CPU_STEPS > 0 && PROFILED !== 'cpu') {
  cpu = await timeSteps('cpu', CPU_STEPS, false);
  console.log(`cpu step:  median ${cpu.ms.toFixed(1)} ms over ${CPU_STEPS} steps (${cpu.times.map((t) => t.toFixed(0)).join(' ')})`);
  console.log(`speed-up ${PROFILED} vs cpu: ${(cpu.ms / prof.ms).toFixed(1)}x`);
  const drift = Math.max(...cpu.losses.map((l, i) => Math.abs(l - prof.losses[i]) / Math.abs(l)));
  console.log(`losses wmoe ${prof.losses.slice(0, cpu.losses.length).map((l) => l.toPrecision(8)).join(' ')}`);
  console.log(`losses cpu  ${cpu.losses.map((l) => l.toPrecision(8)).join(' ')}`);
  console.log(`loss ${prof.losses[0].toFixed(5)} → ${prof.losses.at(-1).toFixed(5)}; max relative loss difference vs cpu over common steps: ${drift.toExponential(2)}`);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/profile-step${MODEL === 'lenet5' ? '' : `-${MODEL}`}.json`, import.meta.url), JSON.stringify({
  date: new Date().toISOString(), node: process.version, loadavg: loadavg(),
  model: `DistributedMoE + stage1Step (DEFAULT_TRAIN_CONFIG: ${MODEL}, K=4, top-2, Adam), ${MODEL === 'lenet5' ? 'MNIST' : 'random'} batch`, batch: BATCH, threads: THREADS, backend: PROFILED,
  simd: tf.findBackend('wmoe')?.nn?.simd ?? null, convStrategies: prof.strategies ?? null,
  stepMs: { [PROFILED]: prof.ms, cpu: cpu?.ms ?? null },
  speedup: cpu ? cpu.ms / prof.ms : null,
  losses: { [PROFILED]: prof.losses, cpu: cpu?.losses ?? null },
  kernels: prof.kernels,
}, null, 2) + '\n');
