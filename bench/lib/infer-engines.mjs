// The Node engines of bench/infer.mjs, each measured in its own process (bench/infer.mjs
// --worker ENGINE …): wmoe on the package's plain networks (bench/lib/plain-nets.mjs), the
// package's predict() on a stage-1 MoE (wmoe-predict, informative), and the
// ONNX Runtime peers on the network PyTorch exported (bench/peers/torch/infer.py --export):
//   onnxruntime-web    its WASM backend (SIMD, threads through worker_threads) run in Node, with
//                      ort.env.wasm.numThreads = the row's threads;
//   onnxruntime-node   native CPU execution provider, intraOpNumThreads = the row's threads.
// Before timing, an ONNX Runtime engine runs PyTorch's reference input and checks its output
// against PyTorch's (the run fails when they disagree). Every engine times `iters` forwards after
// `warmup` ones, each to its output values on the host.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildPlainNet, PLAIN_NETS } from './plain-nets.mjs';
import { countFlops } from './flops.mjs';

const require = createRequire(import.meta.url);

/** Relative tolerance of ONNX Runtime's outputs against PyTorch's: |a − b| ≤ tol · max|b| + 1e-5. */
export const AGREEMENT_TOLERANCE = 1e-3;

/** Times `iters` calls of the async or sync `run` after `warmup` ones: the ms of each timed call. */
async function timeCalls(run, warmup, iters) {
  const times = [];
  for (let i = 0; i < warmup + iters; i++) {
    const t0 = performance.now();
    await run();
    const dt = performance.now() - t0;
    if (i >= warmup) times.push(dt);
  }
  return times;
}

/**
 * wmoe: init({ threads }) (the plain SIMD build unless this Node validates relaxed SIMD), the
 * plain `model` with seeded random weights, a forward at `batch` as tf.tidy + dataSync. Also
 * counts the forward's FLOPs from the kernels it dispatched (checked against the layer count).
 */
export async function measureWmoe({ model, batch, threads, warmup, iters }) {
  const { init, tf, SeededRandom } = await import('../../dist/node.mjs');
  const { buildOf } = await import('./wmoe-build.mjs');
  const backend = await init({ threads });
  const net = buildPlainNet(tf, model, new SeededRandom(1));
  const rng = new SeededRandom(2);
  const shape = [batch, ...PLAIN_NETS[model].inputShape];
  const x = tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(0, 1)), shape);
  const forward = () => {
    const y = tf.tidy(() => net.forward(x));
    y.dataSync();
    y.dispose();
  };
  const counted = await countFlops(tf, () => net.forward(x));
  const timesMs = await timeCalls(forward, warmup, iters);
  const out = { timesMs, countedFlops: counted.flops, simd: backend.nn.simd ?? 'plain', build: buildOf(backend.nn), threadsUnavailable: backend.nn.threadsUnavailable ?? null, tensorsLeft: tf.memory().numTensors };
  net.dispose();
  x.dispose();
  backend.nn.pool?.dispose?.();
  return out;
}

/**
 * wmoe-predict: the package's predict() (batch norm folded, top-2 of K = 4 experts, sparse
 * dispatch, perfect links) on a stage-1 MoE of `model` with its initial weights, `batch` images
 * per call and per forward. Its FLOPs depend on the routing, so they are counted from the
 * kernels it ran (`countedFlops`, per call). Throws when the built package has no predict().
 */
export async function measureWmoePredict({ model, batch, threads, warmup, iters }) {
  const pkg = await import('../../dist/node.mjs');
  if (typeof pkg.predict !== 'function') throw new Error('the built package (dist/) has no predict(): npm run build');
  const { init, tf, DistributedMoE, DEFAULT_TRAIN_CONFIG, moeConfigOf, predict, releasePredictState, SeededRandom } = pkg;
  const { MODELS } = await import('./wmoe-step.mjs');
  const { buildOf } = await import('./wmoe-build.mjs');
  const backend = await init({ threads });
  const cfg = { ...DEFAULT_TRAIN_CONFIG, model, dataset: MODELS[model].dataset, inputShape: MODELS[model].inputShape, classes: 10 };
  const moe = new DistributedMoE(moeConfigOf(cfg), 1);
  const rng = new SeededRandom(2);
  const images = Float32Array.from({ length: batch * MODELS[model].inputShape.reduce((a, b) => a * b, 1) }, () => rng.uniform(0, 1));
  const run = () => predict(moe, images, { batchSize: batch });
  const counted = await countFlops(tf, () => void run());
  const timesMs = await timeCalls(run, warmup, iters);
  const out = { timesMs, countedFlops: counted.flops, experts: moe.config.experts, topK: moe.config.topK ?? null, simd: backend.nn.simd ?? 'plain', build: buildOf(backend.nn) };
  releasePredictState(moe);
  moe.dispose();
  backend.nn.pool?.dispose?.();
  return out;
}

/** PyTorch's reference files beside `onnx`: input, output (Float32Array). */
function reference(onnx) {
  const read = (suffix) => {
    const b = readFileSync(onnx + suffix);
    return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  };
  return { input: read('.input.bin'), output: read('.output.bin') };
}

/** Largest |a − b| and the limit it must stay under (AGREEMENT_TOLERANCE · max|b| + 1e-5). */
export function agreement(a, b) {
  if (a.length !== b.length) return { maxAbsDiff: Infinity, limit: 0, agrees: false };
  let diff = 0, scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  const limit = AGREEMENT_TOLERANCE * scale + 1e-5;
  return { maxAbsDiff: diff, limit, agrees: diff <= limit };
}

/**
 * onnxruntime-web (wasm backend) or onnxruntime-node (`kind`: 'web' | 'node') on the exported
 * model `onnx` (input shape `inputShape`, NCHW): checks the output against PyTorch's, then times.
 */
export async function measureOrt(kind, { onnx, inputShape, threads, warmup, iters }) {
  const ort = require(kind === 'web' ? 'onnxruntime-web' : 'onnxruntime-node');
  let options;
  if (kind === 'web') {
    ort.env.wasm.numThreads = threads;
    options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  } else {
    options = { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
  }
  const session = await ort.InferenceSession.create(readFileSync(onnx), options);
  const ref = reference(onnx);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', ref.input, inputShape) };
  const first = await session.run(feeds);
  const check = agreement(first[session.outputNames[0]].data, ref.output);
  if (!check.agrees) throw new Error(`onnxruntime-${kind} disagrees with PyTorch: max |diff| ${check.maxAbsDiff} > ${check.limit}`);
  const timesMs = await timeCalls(async () => {
    const r = await session.run(feeds);
    r[session.outputNames[0]].data; // eslint-disable-line no-unused-expressions
  }, warmup, iters);
  await session.release?.();
  return { timesMs, agreement: check, version: ort.env.versions?.[kind] ?? null, numThreads: threads };
}
