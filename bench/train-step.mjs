// One full MoE training step (stage 1: backbone + K = 4 experts + naive noisy top-2 gate, softmax
// mixture NLL + load balancing + the experts' own NLL, Adam), in images/s, for each model,
// measured in the same run on:
//   wmoe               this package's backend, loaded once with init({ threads: 2 }): its 1- and
//                      2-thread rows run on the SAME build (the shared-memory nn_mt.wasm with
//                      resident tensors), the pool's active threads switching between rows, as
//                      bench/threads.mjs does; every row records its build (rows[].build), and
//                      `defaultBuild` records what a plain init() loads. Without threads
//                      (no SharedArrayBuffer) only the 1-thread rows run, on the one-thread build.
//   tfjs-backend-cpu   LeNet-5 at batch 64; ResNet-18 at a small batch (--cpu-resnet-batch, default
//                      2: one step takes minutes), against wmoe at the same batch
//   tfjs-backend-wasm  tried on LeNet-5; it has no Conv2DBackpropFilter kernel, so the step
//                      fails and the error is reported as a note
//   PyTorch CPU        Debian's python3-torch run by /usr/bin/python3 (bench/peers/torch/
//                      moe_step.py: the same layers, batch, loss and Adam), at 1 and 2 threads,
//                      each run in its own process with OPENBLAS_NUM_THREADS = its threads.
//                      The bench installs nothing. For a fair peer install OpenBLAS first:
//                        apt-get install python3-torch libopenblas0-pthread
//                      It prints and records the BLAS torch loaded (/proc/self/maps of the torch
//                      process): on Debian's reference BLAS its matmuls are ~15x slower, so such
//                      rows are recorded but every verdict against them is invalid.
// Rows: LeNet-5 at batch 64 (targets: wmoe ≥ PyTorch at the same thread count, and ≥ 20x
// tfjs-backend-cpu) and at batch 32; ResNet-18 and ViT at batch 32. Inputs are seeded random
// images and labels (step time does not depend on pixel values: all experts run on all samples).
// Every model's rows are timed in --rounds rounds, each running wmoe 1T, wmoe 2T, PyTorch 1T and
// 2T in an order that rotates every round; a figure is the median of its round medians. ResNet-18
// and ViT: within a round wmoe's 1 and 2 threads alternate step by step (1 2 2 1 …).
// Verdicts are met / missed / invalid / skipped (bench/lib/train-step-checks.mjs): invalid when
// a 2-thread row ran slower than its own 1-thread row (another process may have held a core),
// PyTorch ran on a BLAS that is not optimised, or the WASM SIMD limits measured at the start,
// after each model and at the end differ by more than 15 % (the machine's speed changed). The
// machine's load (bench/lib/timing.mjs machineLoad) is recorded at the start and end: run on a
// quiet machine. Each row states its GFLOP/s and share of the WASM SIMD limit measured in the
// same run (rows[].simdLimitShare; bench/lib/simd-limit.mjs).
//
//   npm run build && node bench/train-step.mjs [--help] [--simd auto|relaxed|plain] [--rounds 3] [--wmoe-steps 20] [--cpu-steps 3]
//        [--torch-steps 20] [--big-steps 3] [--no-big] [--no-torch] [--cpu-resnet-batch 2] [--out FILE]
//   smoke test of every path (writes elsewhere): node bench/train-step.mjs --rounds 1 --wmoe-steps 2
//        --torch-steps 2 --cpu-steps 1 --big-steps 1 --cpu-resnet-batch 0 --out /tmp/train-step.json
//
// Writes bench/results/train-step.json (or --out): the LeNet-5 batch-64 summary fields
// (wmoeMsMedian, cpuMsMedian, speedup, target, wasmPeakBytes, …), every measurement in `rows`,
// the comparisons with PyTorch (optimised BLAS only) and the checks with their verdicts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
// Like the wmoe CLI, turn on Node 20's relaxed SIMD before any WASM compiles, so that wmoe rows run
// the relaxed-SIMD build (the one the CLI runs) unless --simd plain; rows[].build.simd records it.
if (!process.argv.includes('plain')) setFlagsFromString('--experimental-wasm-relaxed-simd');
const { init, tf } = await import('../dist/node.mjs');
import { formatLoad, machineLoad, median, medianOfRounds } from './lib/timing.mjs';
import { MODELS, buildOf, defaultBuild, hasModel, makeStepper } from './lib/wmoe-step.mjs';
import { PYTHON, TORCH_INSTALL, TORCH_SCRIPT, probeTorch, torchRun } from './lib/torch-peer.mjs';
import { TORCH_PEER, findRow, rowProblems, torchComparisons, trainStepChecks } from './lib/train-step-checks.mjs';
import { formatLimit, simdLimit, simdShare } from './lib/simd-limit.mjs';
import { countFlops } from './lib/flops.mjs';

// LeNet-5 warm-up steps at each thread count, for wmoe and for each PyTorch process (the big
// models: 1). A training run is thousands of steps: the figure is the steady state. wmoe's first
// ~25 LeNet-5 steps ran 1.2–3× slower than the rest (V8 tiering up tfjs-core's JavaScript and
// the kernels; `node bench/profile-step.mjs --steps 60` lists every step), 30 steps take < 0.5 s.
const WARMUP = 30;

/** The command line: step counts, rounds, switches, output file. Exits 2 on a bad value. */
function parseArguments() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' }, 'cpu-steps': { type: 'string' }, 'wmoe-steps': { type: 'string' },
      'torch-steps': { type: 'string' }, 'big-steps': { type: 'string' }, 'no-big': { type: 'boolean' },
      'no-torch': { type: 'boolean' }, 'cpu-resnet-batch': { type: 'string' }, out: { type: 'string' }, simd: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    // the header comment of this file: what is measured, how, the PyTorch install line, usage
    const text = readFileSync(new URL(import.meta.url), 'utf8');
    console.log(text.split('\n').filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    process.exit(0);
  }
  const int = (name, dflt, min = 1) => {
    const v = Number(values[name] ?? dflt);
    if (!Number.isInteger(v) || v < min) {
      console.error(`bench/train-step.mjs: --${name} must be an integer >= ${min}, got '${values[name]}'`);
      process.exit(2);
    }
    return v;
  };
  return {
    rounds: int('rounds', 3), cpuSteps: int('cpu-steps', 3), wmoeSteps: int('wmoe-steps', 20),
    torchSteps: int('torch-steps', 20), bigSteps: int('big-steps', 3),
    cpuResnetBatch: int('cpu-resnet-batch', 2, 0), // 0 skips the ResNet-18 tfjs-backend-cpu row
    big: !values['no-big'], torch: !values['no-torch'],
    simd: ['auto', 'relaxed', 'plain'].includes(values.simd ?? 'auto') ? values.simd ?? 'auto' : (console.error(`bench/train-step.mjs: --simd must be auto, relaxed or plain, got '${values.simd}'`), process.exit(2)),
    out: values.out ?? new URL('./results/train-step.json', import.meta.url).pathname,
  };
}

const args = parseArguments();
const notes = [];
const note = (s) => {
  notes.push(s);
  console.log(`note: ${s}`);
};
const rows = [];
/** Adds a row from its per-round times (ms); the figure is the median of the round medians. */
const addRow = (model, batch, peer, threads, perRound, extra = {}) => {
  const ms = medianOfRounds(perRound);
  const r = { model, batch, peer, threads, msMedian: ms, imagesPerSec: (batch / ms) * 1e3, roundMedians: perRound.map(median), timesMs: perRound.flat(), ...extra };
  rows.push(r);
  return r;
};

/** The wmoe backend with 2 threads when possible (one build for both thread counts); the thread counts it can run. */
async function initWmoe() {
  const backend = await init({ threads: 2, setBackend: false, simd: args.simd });
  const threads = backend.nn.threads === 2 ? [1, 2] : [1];
  if (threads.length === 1) note(`wmoe with 2 threads not available: ${backend.nn.threadsUnavailable ?? 'init({ threads: 2 }) gave 1 thread'}; 2-thread rows skipped`);
  return { backend, threads };
}

/** The PyTorch probe: torch's version and BLAS, printed; null when skipped or missing (with a note). */
function initTorch() {
  if (!args.torch) {
    note('PyTorch rows skipped (--no-torch)');
    return null;
  }
  const probe = probeTorch();
  if (!probe.available) {
    note(`${probe.why}: PyTorch rows skipped`);
    return null;
  }
  console.log(`PyTorch ${probe.torch}: BLAS ${probe.blasKind} (${probe.blas.join(', ') || 'no BLAS library mapped'}${probe.mklLinked ? '; MKL linked in' : ''})`);
  if (!probe.optimised) note(`PyTorch runs on ${probe.blasKind === 'reference' ? "Debian's reference BLAS" : 'an unidentified BLAS'} (${probe.blas.join(', ')}): its rows are recorded but are no peer and every verdict against them is invalid; install OpenBLAS (${TORCH_INSTALL}) and re-run`);
  return probe;
}

/** The BLAS fields of one PyTorch run, stored on its row. */
const torchFields = (out) => ({ torch: out.torch, blas: out.blas, blasKind: out.blasKind, mklLinked: out.mklLinked, openblasNumThreads: out.openblasNumThreads, ...(out.otherSetting ? { otherBlasSetting: out.otherSetting } : {}), trainableParams: out.trainableParams });

/**
 * Share of the pool's chunks that the worker ran over a stepper's steps at `t` threads: 0 when
 * no chunk went to it (1 thread), about half when the 2 threads split the work; null without a pool.
 */
const workerShare = (pool, stepper, t) => (!pool ? null : stepper.chunks[t]?.total ? stepper.chunks[t].worker / stepper.chunks[t].total : 0);

/**
 * LeNet-5 at `batch`: `rounds` rounds of wmoe 1T/2T and PyTorch 1T/2T, the order rotating every
 * round. Returns wmoe's WASM peak after every step and the number of warm-up steps among them.
 */
async function measureLenet(wmoe, torch, batch) {
  await tf.setBackend('wmoe');
  const stepper = makeStepper('lenet5', batch, wmoe.backend);
  for (const t of wmoe.threads) stepper.run(WARMUP, t);
  const warmupSteps = stepper.memory.length;
  const torchOut = {};
  const jobs = wmoe.threads.map((t) => ({ peer: 'wmoe', t, run: () => stepper.run(args.wmoeSteps, t) }));
  if (torch) {
    for (const t of [1, 2]) {
      jobs.push({ peer: TORCH_PEER, t, run: () => (torchOut[t] = torchRun('lenet5', batch, t, args.torchSteps, WARMUP)).timesMs });
    }
  }
  const series = new Map(jobs.map((j) => [j, []]));
  for (let round = 0; round < args.rounds; round++) {
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[(i + round) % jobs.length];
      series.get(job).push(job.run());
    }
  }
  for (const job of jobs) {
    const extra = job.peer === 'wmoe' ? { build: buildOf(wmoe.backend.nn, job.t), workerShare: workerShare(wmoe.backend.nn.pool, stepper, job.t) } : torchFields(torchOut[job.t]);
    addRow('lenet5', batch, job.peer, job.t, series.get(job), extra);
  }
  stepper.dispose();
  return { memory: stepper.memory, warmupSteps };
}

/** LeNet-5 at batch 64 on tfjs-backend-cpu (seconds per step): after the rounds. */
async function measureTfjsCpu() {
  await tf.setBackend('cpu');
  tf.backend().firstUse = false;
  const stepper = makeStepper('lenet5', 64);
  stepper.run(1);
  addRow('lenet5', 64, 'tfjs-backend-cpu', 1, [stepper.run(args.cpuSteps)]);
  stepper.dispose();
}

/** tfjs-backend-wasm (XNNPACK, 1 thread, SIMD): tries the LeNet-5 step; a note when it cannot run it. */
async function measureTfjsWasm() {
  const require = createRequire(import.meta.url);
  const wasmBackend = require('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasmBackend.setThreadsCount(1);
  wasmBackend.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/');
  await tf.setBackend('wasm');
  let stepper;
  try {
    stepper = makeStepper('lenet5', 64);
    stepper.run(1);
    addRow('lenet5', 64, 'tfjs-backend-wasm', 1, [stepper.run(args.cpuSteps)]);
  } catch (e) {
    const missing = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad'].filter((k) => tf.getKernel(k, 'wasm') === undefined);
    note(`tfjs-backend-wasm cannot run the training step: ${e.message.split('\n')[0]}${missing.length ? ` (it also has no ${missing.join(', ')} kernel)` : ''}`);
  } finally {
    try { stepper?.dispose(); } catch { /* the failed step's state */ }
  }
}

/**
 * `model` at batch 32, in `rounds` rounds like LeNet-5's, the order rotating every round: wmoe
 * (its thread counts alternating step by step, 1 2 2 1 …, --big-steps steps each), PyTorch at 1
 * thread and at 2 (a fresh process each round, its own warm-up step). A slow spell of the machine
 * then falls on every peer's rounds alike, not on whichever peer ran during it.
 */
async function measureBig(wmoe, torch, model) {
  const jobs = [];
  let stepper = null;
  if (hasModel(model)) {
    await tf.setBackend('wmoe');
    stepper = makeStepper(model, 32, wmoe.backend);
    for (const t of wmoe.threads) stepper.run(1, t);
    const n = wmoe.threads.length;
    jobs.push({
      peer: 'wmoe',
      run: () => {
        const times = { 1: [], 2: [] };
        for (let i = 0; i < n * args.bigSteps; i++) {
          const t = n === 1 ? 1 : i % 4 < 2 ? 1 + (i % 2) : 2 - (i % 2);
          times[t].push(...stepper.run(1, t));
        }
        return times;
      },
    });
  } else {
    note(`the package has no model '${model}' yet: ${MODELS[model].label} wmoe rows skipped`);
  }
  const torchOut = {};
  if (torch) {
    for (const t of [1, 2]) jobs.push({ peer: TORCH_PEER, run: () => ({ [t]: (torchOut[t] = torchRun(model, 32, t, args.bigSteps, 1)).timesMs }) });
  }
  const series = new Map(); // `${peer}/${threads}` → per-round times
  for (let round = 0; round < args.rounds; round++) {
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[(i + round) % jobs.length];
      for (const [t, times] of Object.entries(job.run())) {
        const key = `${job.peer}/${t}`;
        series.set(key, [...(series.get(key) ?? []), times]);
      }
    }
  }
  if (stepper) {
    const peak = Math.max(...stepper.memory);
    for (const t of wmoe.threads) addRow(model, 32, 'wmoe', t, series.get(`wmoe/${t}`), { build: buildOf(wmoe.backend.nn, t), workerShare: workerShare(wmoe.backend.nn.pool, stepper, t), wasmPeakBytes: peak });
    stepper.dispose();
  }
  if (torch) for (const t of [1, 2]) addRow(model, 32, TORCH_PEER, t, series.get(`${TORCH_PEER}/${t}`), torchFields(torchOut[t]));
}

/** ResNet-18 at a small batch on tfjs-backend-cpu (one step, minutes) and wmoe (1 thread) at the same batch. */
async function measureResnetCpu(wmoe, batch) {
  await tf.setBackend('wmoe');
  const ours = makeStepper('resnet18', batch, wmoe.backend);
  ours.run(1, 1);
  addRow('resnet18', batch, 'wmoe', 1, [ours.run(3, 1)], { build: buildOf(wmoe.backend.nn, 1), workerShare: workerShare(wmoe.backend.nn.pool, ours, 1) });
  ours.dispose();
  await tf.setBackend('cpu');
  const theirs = makeStepper('resnet18', batch);
  addRow('resnet18', batch, 'tfjs-backend-cpu', 1, [theirs.run(1)]);
  theirs.dispose();
}

/**
 * Each row's share of the WASM SIMD limit measured now (bench/lib/simd-limit.mjs), as the row's
 * field `simdLimitShare: { gflops, plain, relaxed }`: the step's FLOPs (convolutions and matrix
 * products, counted from the kernels one wmoe step of the same model and batch dispatches,
 * bench/lib/flops.mjs) over its time, over threads × the limit per core. Returns the limit.
 */
async function addSimdShares(wmoe) {
  const limit = simdLimit({ repeats: 5 });
  const flops = new Map();
  await tf.setBackend('wmoe');
  for (const r of rows) {
    const key = `${r.model}/${r.batch}`;
    if (!flops.has(key) && hasModel(r.model)) {
      const stepper = makeStepper(r.model, r.batch, wmoe.backend);
      flops.set(key, (await countFlops(tf, () => void stepper.run(1, 1))).flops);
      stepper.dispose();
    }
    const gflops = flops.has(key) ? flops.get(key) / (r.msMedian * 1e6) : null;
    r.simdLimitShare = { gflops, ...simdShare(gflops, r.threads, limit) };
  }
  console.log(formatLimit(limit));
  return limit;
}

/** Prints the rows (with wmoe/PyTorch where PyTorch is a fair peer) and the verdicts. */
function printReport(comparisons, checks, load) {
  console.log(`\nMoE training step (K=4, top-2, Adam), images/s (ms per step), medians; ${formatLoad(load.start)} at start, ${formatLoad(load.end)} at end:`);
  for (const r of rows) {
    const c = comparisons.find((x) => x.model === r.model && x.batch === r.batch && x.threads === r.threads);
    const vs = r.peer === 'wmoe' && c ? `  wmoe/PyTorch x${c.ratio.toFixed(2)}${c.problems.length ? ' (invalid)' : ''}` : '';
    const how = r.build ? `  [${r.build.label}]` : r.blasKind ? `  [BLAS ${r.blasKind}, OPENBLAS_NUM_THREADS=${r.openblasNumThreads}${r.otherBlasSetting ? `; ${r.otherBlasSetting.msMedian.toFixed(1)} ms with ${r.otherBlasSetting.openblasThreads}` : ''}]` : '';
    const bad = rowProblems(rows, r).length ? '  (invalid: see checks)' : '';
    console.log(`  ${MODELS[r.model].label.padEnd(9)} batch ${String(r.batch).padEnd(3)} ${r.peer.padEnd(18)} ${r.threads} thr  ${r.imagesPerSec.toFixed(1).padStart(8)} img/s  (${r.msMedian.toFixed(1)} ms)${vs}${how}${bad}`);
  }
  for (const c of checks) {
    const v = typeof c.value === 'number' ? `: x${c.value.toFixed(2)}` : '';
    console.log(`${c.verdict.toUpperCase().padEnd(7)} ${c.target}${v}${c.why ? ` (${c.why})` : ''}`);
  }
}

// ---- run ------------------------------------------------------------------------------------
const load = { start: machineLoad() };
// The limit at the start as well as at the end (addSimdShares): a machine that slowed down or
// sped up during the run shows as two limits far apart, and every verdict is then invalid
// (bench/lib/train-step-checks.mjs runProblems).
const limitAtStart = simdLimit({ repeats: 5 });
// ... and after each model, so that a slow spell in the middle of the run shows too.
const limitDuring = [];
const limitAfter = (model) => limitDuring.push({ after: model, ...simdLimit({ repeats: 5 }) });
const wmoe = await initWmoe();
const torch = initTorch();
let lenet = null; // wmoe's WASM memory trace at LeNet-5 batch 64
for (const batch of [64, 32]) {
  const trace = await measureLenet(wmoe, torch, batch);
  if (batch === 64) lenet = trace;
}
limitAfter('lenet5');
await measureTfjsCpu();
await measureTfjsWasm();
const big = args.big ? ['resnet18', 'vit'] : [];
for (const model of big) {
  await measureBig(wmoe, torch, model);
  limitAfter(model);
}
if (big.includes('resnet18') && hasModel('resnet18') && args.cpuResnetBatch > 0) await measureResnetCpu(wmoe, args.cpuResnetBatch);
note('tfjs-backend-cpu is not timed on ViT, nor on ResNet-18 at batch 32 (one step would take over an hour; its Conv2DBackpropFilter runs at ~0.01 GFLOP/s)');
const wmoeBuild = buildOf(wmoe.backend.nn, wmoe.threads.at(-1));
const simdLimitRecord = await addSimdShares(wmoe);
wmoe.backend.nn.pool?.dispose?.();
load.end = machineLoad();

const pytorch = torch ? { python: PYTHON, peer: TORCH_SCRIPT, torch: torch.torch, blas: torch.blas, blasKind: torch.blasKind, mklLinked: torch.mklLinked, optimised: torch.optimised, threadsMeasured: [1, 2], env: 'OPENBLAS_NUM_THREADS = 1 on 1 thread; on 2, the faster of 1 and 2 (rows[].openblasNumThreads)' } : null;
const limits = { start: limitAtStart, during: limitDuring, end: simdLimitRecord };
const comparisons = torchComparisons(rows, pytorch, limits);
const checks = trainStepChecks(rows, pytorch, limits);
printReport(comparisons, checks, load);
const wmoe64 = findRow(rows, 'lenet5', 64, 'wmoe', 1);
const cpu64 = findRow(rows, 'lenet5', 64, 'tfjs-backend-cpu', 1);
const afterWarmup = lenet.memory[lenet.warmupSteps - 1];
const grew = Math.max(...lenet.memory) > afterWarmup;
console.log(`WASM memory (LeNet-5, batch 64, ${wmoeBuild.label}): peak ${(Math.max(...lenet.memory) / 2 ** 20).toFixed(2)} MiB; grew after warm-up: ${grew}`);

const result = {
  bench: 'MoE training step (stage 1: K=4, top-2, Adam): LeNet-5 at batch 64 and 32, ResNet-18 and ViT at batch 32',
  date: new Date().toISOString(),
  node: process.version,
  load,
  loadavg: { start: load.start.loadavg, end: load.end.loadavg },
  rounds: args.rounds,
  wmoeBuild,
  defaultBuild: defaultBuild(),
  // LeNet-5, batch 64, wmoe 1 thread vs tfjs-backend-cpu (fields read by the README generator)
  wmoeMsMedian: wmoe64.msMedian,
  cpuMsMedian: cpu64.msMedian,
  speedup: cpu64.msMedian / wmoe64.msMedian,
  target: 20,
  // WASM peak over the LeNet-5 batch-64 steps (with resident tensors it includes the tensors),
  // after the warm-up steps at each thread count, and whether it grew after them
  wasmPeakBytes: Math.max(...lenet.memory),
  wasmMemoryAfterWarmup: afterWarmup,
  wasmMemoryGrewAfterWarmup: grew,
  wmoeTimesMs: wmoe64.timesMs,
  cpuTimesMs: cpu64.timesMs,
  pytorch,
  simdLimit: simdLimitRecord,
  simdLimitAtStart: limitAtStart,
  simdLimitDuring: limitDuring,
  rows: rows.map((r) => ({ ...r, problems: rowProblems(rows, r, pytorch) })),
  comparisons,
  checks,
  notes,
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${args.out}`);
