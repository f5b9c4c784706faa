// A stage-1 MoE training step of the package (bench/train-step.mjs, bench/profile-step.mjs's
// kind of step): the models, seeded random batches, a stepper that times steps on the current
// tfjs backend (with a chosen number of the wmoe pool's threads active). Which build of the WASM
// module a wmoe row ran on: bench/lib/wmoe-build.mjs (re-exported here).
import { tf, DistributedMoE, DEFAULT_TRAIN_CONFIG, moeConfigOf, stage1Step, modelSpec, SeededRandom } from '../../dist/node.mjs';

export { buildOf, defaultBuild } from './wmoe-build.mjs';

/** The bench's models: input shape [H, W, C], dataset name, display label. */
export const MODELS = {
  lenet5: { inputShape: [32, 32, 1], dataset: 'mnist', label: 'LeNet-5' },
  resnet18: { inputShape: [32, 32, 3], dataset: 'cifar10', label: 'ResNet-18' },
  vit: { inputShape: [32, 32, 3], dataset: 'cifar10', label: 'ViT' },
};

/** Random images [batch, H, W, C] in [0, 1) and labels [batch] from the package's seeded generator. */
export function randomBatch(model, batch) {
  const [h, w, c] = MODELS[model].inputShape;
  const rng = new SeededRandom(7);
  const images = new Float32Array(batch * h * w * c);
  for (let i = 0; i < images.length; i++) images[i] = rng.uniform(0, 1);
  const labels = Int32Array.from({ length: batch }, () => Math.floor(rng.uniform(0, 10)));
  return { images, labels };
}

/** True when the package's model registry builds `model`. */
export function hasModel(model) {
  try {
    modelSpec(model);
    return true;
  } catch {
    return false;
  }
}

/**
 * A stage-1 step of `model` at `batch` on the current backend. `run(n, threads)` times n steps
 * (ms each; the loss is read back every step) with `threads` of the wmoe pool active (`nn`:
 * the wmoe module, or undefined on other backends); after each step `memory` gets the WASM peak
 * and `chunks` counts the pool's chunks (worker's and total), so a row can show that 1 thread ran
 * no worker chunk and 2 threads split the work.
 */
export function makeStepper(model, batch, backend) {
  const cfg = { ...DEFAULT_TRAIN_CONFIG, model, dataset: MODELS[model].dataset, inputShape: MODELS[model].inputShape, classes: 10 };
  const moe = new DistributedMoE(moeConfigOf(cfg), 1);
  const step = stage1Step(moe, cfg);
  const { images, labels } = randomBatch(model, batch);
  const xs = tf.tensor4d(images, [batch, ...MODELS[model].inputShape]);
  const ys = tf.tensor1d(labels, 'int32');
  const pool = backend?.nn?.pool;
  let seed = 0;
  const memory = [];
  const chunks = { 1: { worker: 0, total: 0 }, 2: { worker: 0, total: 0 } };
  return {
    memory,
    chunks,
    run(n, threads = 1) {
      if (pool) pool.active = threads;
      else if (threads !== 1) throw new Error(`makeStepper: ${threads} threads asked for, but the backend has no thread pool`);
      const times = [];
      for (let i = 0; i < n; i++) {
        const [w0, t0chunks] = pool ? [pool.workerChunks, pool.totalChunks] : [0, 0];
        const t0 = performance.now();
        const loss = step(xs, ys, seed++);
        loss.dataSync();
        loss.dispose();
        times.push(performance.now() - t0);
        if (pool) {
          chunks[threads] ??= { worker: 0, total: 0 };
          chunks[threads].worker += pool.workerChunks - w0;
          chunks[threads].total += pool.totalChunks - t0chunks;
        }
        if (backend) memory.push(backend.wasmPeakBytes());
      }
      return times;
    },
    dispose() {
      step.dispose();
      tf.dispose([xs, ys]);
      moe.dispose();
    },
  };
}
