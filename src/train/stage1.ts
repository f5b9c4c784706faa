import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset.js';
import type { DistributedMoE } from '../moe/model.js';
import { perfectLink } from '../link/perfect.js';
import { awgnLinkBatch } from '../link/channel_model.js';
import { loadBalancingLoss, nllLoss } from '../moe/routing.js';
import { augmentationOf, resolveTrainConfig, type TrainConfig } from './config.js';
import { augmenter } from './data_prep.js';
import { stageOptimizer, setLearningRate, StageRun, type StageRunOptions } from './stage_run.js';
import { learningRateAt, stageSchedule } from './lr_schedule.js';
import { SeededRandom } from '../random/seeded.js';
import { deriveSeed, tfjsSeed } from '../random/hash.js';
import { extractFeatures, imageArray, labelBatch } from './features.js';
import { evaluate } from './evaluate.js';
import { EpochLoss, type ProgressFn } from './progress.js';

/** Per-epoch record of stage 1. */
export interface Stage1Epoch {
  epoch: number;
  loss: number;
  /** Naive gate, perfect links, on the validation set (null in JSON when there is none). */
  validationAccuracy: number;
}

/**
 * One stage-1 optimisation step as a function of a batch: images [batch, H, W, C], labels
 * [batch] (int32) and the step's seed (gate noise). Returns the loss (caller disposes it).
 * Adam at the stage-1 learning rate (set `optimizer`'s for a schedule) with cfg's weight decay;
 * `exact`: an optimizer whose state can be saved (FusedAdam). `dispose()` frees its state.
 */
export function stage1Step(
  model: DistributedMoE,
  config: TrainConfig,
  exact = false,
): ((xs: tf.Tensor4D, ys: tf.Tensor1D, stepSeed: number) => tf.Scalar) & { dispose(): void; optimizer: tf.Optimizer } {
  const cfg = resolveTrainConfig(config);
  const K = cfg.experts;
  const optimizer = stageOptimizer(model, cfg, cfg.stage1LearningRate, exact);
  const vars = [...model.params.group('backbone/'), ...model.params.group('experts/'), ...model.params.group('gate/naive/')];
  const step = (xs: tf.Tensor4D, ys: tf.Tensor1D, stepSeed: number) =>
    tf.tidy(() => {
      const count = xs.shape[0];
      const batch = awgnLinkBatch(new Float32Array(count * K).fill(Infinity), count, K, stepSeed);
      const gateNoise = tf.randomNormal([count, K], 0, 1, 'float32', tfjsSeed(stepSeed)) as tf.Tensor2D;
      return optimizer.minimize(
        () => {
          const out = model.route(model.features(xs, true), { gate: 'naive', link: perfectLink, batch, gateNoise, training: true });
          const lb = tf.mul(loadBalancingLoss(out.logits, out.mask), cfg.stage1LoadBalance);
          const terms = [nllLoss(out.probs, ys), lb];
          if (cfg.stage1ExpertLoss > 0) {
            const [K, batch, classes] = out.expertProbs.shape;
            const solo = nllLoss(tf.reshape(out.expertProbs, [K * batch, classes]) as tf.Tensor2D, tf.tile(ys, [K]) as tf.Tensor1D);
            terms.push(tf.mul(solo, cfg.stage1ExpertLoss));
          }
          return tf.addN(terms) as tf.Scalar;
        },
        true,
        vars,
      ) as tf.Scalar;
    });
  return Object.assign(step, { dispose: () => optimizer.dispose(), optimizer });
}

/**
 * Stage 1: trains backbone, experts and the naive gate together over perfect links with Adam.
 * Loss = NLL of the top-k mixture + stage1LoadBalance · K·Σ fᵢPᵢ (Switch load balancing)
 * [+ stage1ExpertLoss · mean NLL of each expert alone], with the naive gate's noisy top-k.
 * Training images are augmented as cfg.augment says; the learning rate follows cfg.lrSchedule;
 * accuracy is measured after each epoch on `validation` (NaN when it is empty), and the stage
 * ends on the weights of the epoch cfg.keepEpoch says (see {@link keptEpochOf}). `run`: continue
 * from a saved state, and receive the state after each epoch (see {@link StageRun}).
 */
export function trainStage1(
  model: DistributedMoE,
  train: Dataset,
  validation: Dataset,
  config: TrainConfig,
  progress?: ProgressFn,
  run: StageRunOptions<Stage1Epoch> = {},
): Stage1Epoch[] {
  const cfg = resolveTrainConfig(config);
  const rng = new SeededRandom(cfg.seed).fork(1);
  const step = stage1Step(model, cfg, run.resume !== undefined || run.onEpoch !== undefined);
  const steps = Math.ceil(train.n / cfg.batchSize);
  const augmentRng = rng.fork(4);
  const augment = augmenter(augmentationOf(cfg), augmentRng);
  const shape = (count: number): [number, number, number, number] => [count, train.height, train.width, train.channels];
  const schedule = stageSchedule(cfg.lrSchedule, cfg.stage1LearningRate, cfg.stage1Epochs, steps, cfg.warmupEpochs);
  const stage = new StageRun<Stage1Epoch>(model, 1, cfg.keepEpoch, step.optimizer, { order: rng, augment: augmentRng }, run);
  const resumed = stage.resume();
  let order = resumed?.order ?? rng.permutation(train.n);
  let accuracy = stage.history.at(-1)?.validationAccuracy ?? NaN;
  try {
    for (let epoch = resumed?.start ?? 0; epoch < cfg.stage1Epochs; epoch++) {
      // A state saved inside this epoch continues at its step, with its loss sum so far.
      const within = epoch === resumed?.start ? resumed : undefined;
      const epochLoss = new EpochLoss(within?.lossSum ?? 0);
      let loss: number;
      try {
        for (let s = within?.step ?? 0; s < steps; s++) {
          const start = s * cfg.batchSize;
          const count = Math.min(cfg.batchSize, train.n - start);
          const stepSeed = deriveSeed(cfg.seed, 1, epoch, s);
          const images = imageArray(train, order, start, count);
          const xs = tf.tensor4d(augment ? augment(images, shape(count)) : images, shape(count));
          const ys = labelBatch(train.labels, order, start, count);
          setLearningRate(step.optimizer, learningRateAt(schedule, epoch * steps + s));
          const cost = step(xs, ys, stepSeed);
          xs.dispose();
          ys.dispose();
          epochLoss.add(cost);
          if (progress) {
            const samples = start + count;
            progress({ kind: 'step', stage: 1, epoch: epoch + 1, epochs: cfg.stage1Epochs, step: s + 1, steps, samples, batch: count, samplesPerEpoch: train.n, loss: epochLoss.mean(s + 1), accuracy });
          }
          if (s + 1 < steps) stage.midEpoch(s + 1, order, () => epochLoss.sum());
        }
        loss = epochLoss.mean(steps);
      } finally {
        epochLoss.dispose(); // also when a stop ends the epoch early
      }
      accuracy = validation.n
        ? evaluate(model, extractFeatures(model, validation, { progress, label: 'validation features' }), { gate: 'naive', link: perfectLink, snr: { kind: 'perfect' }, seed: cfg.seed, progress, label: 'validation' }).accuracy
        : NaN;
      // The next epoch's order: the same draw an uninterrupted run makes when that epoch starts.
      order = rng.permutation(train.n);
      stage.endEpoch({ epoch: epoch + 1, loss, validationAccuracy: accuracy }, order);
      progress?.({ kind: 'epoch', stage: 1, epoch: epoch + 1, epochs: cfg.stage1Epochs, step: steps, steps, samples: train.n, batch: train.n - (steps - 1) * cfg.batchSize, samplesPerEpoch: train.n, loss, accuracy });
    }
  } finally {
    step.dispose(); // also when a stop (TrainingStopped) ends the stage early
  }
  stage.finish();
  return stage.history;
}
