import * as tf from '@tensorflow/tfjs-core';
import type { DistributedMoE } from '../moe/model.js';
import type { Link } from '../link/link.js';
import { drawSnrs } from '../link/snr.js';
import { channelModelFor } from '../link/channel_settings.js';
import { importanceLoss, loadBalancingLoss, mixProbabilities, nllLoss, routeWeights, topKMask } from '../moe/routing.js';
import { routedExpertLogits } from '../moe/dispatch.js';
import { channelUseCost } from './channel_cost.js';
import { analogChannelUses } from '../link/analog.js';
import { resolveTrainConfig, type TrainConfig } from './config.js';
import { stageOptimizer, setLearningRate, StageRun, type StageRunOptions } from './stage_run.js';
import { learningRateAt, stageSchedule } from './lr_schedule.js';
import { SeededRandom } from '../random/seeded.js';
import { deriveSeed } from '../random/hash.js';
import { featureBatch, labelBatch, type FeatureSet } from './features.js';
import { evaluate } from './evaluate.js';
import { EpochLoss, type ProgressFn } from './progress.js';

/** Per-epoch record of stage 2. */
export interface Stage2Epoch {
  epoch: number;
  loss: number;
  /** Validation accuracy of the channel-aware gate at SNRs drawn from the training range (NaN: no validation set). */
  validationAccuracy: number;
}

/**
 * Stage 2: backbone, experts and naive gate frozen; trains the channel-aware gate's own terms
 * (freshly initialised) over noisy links. Each sample's per-expert mean SNRs are drawn uniformly
 * from cfg.snrRange; the links fade, and the gate and receivers know them, as cfg.channel says
 * (sample p of epoch e's order is at time slot e·n + p, so successive steps see successive blocks). Loss = NLL of the mixture + stage2LoadBalance · K·Σ fᵢPᵢ
 * + stage2Importance · CV²(importance); the two terms keep the gate from collapsing onto
 * the few experts that happen to have the best links. With cfg.channelUseWeight λ > 0 the loss
 * also has λ × the expected channel uses of the chosen experts, in units of one analog vector
 * (see channelUseCost): the gate then trades accuracy for channel uses.
 * Takes precomputed backbone features (the backbone is frozen) of the training and validation sets.
 * The learning rate follows cfg.lrSchedule; the stage ends on the weights of the epoch
 * cfg.keepEpoch says. `run`: continue from a saved state (the model holding its weights: the
 * gate is then not re-initialised), and receive the state after each epoch (see {@link StageRun}).
 */
export function trainStage2(
  model: DistributedMoE,
  train: FeatureSet,
  validation: FeatureSet,
  link: Link,
  config: TrainConfig,
  progress?: ProgressFn,
  run: StageRunOptions<Stage2Epoch> = {},
): Stage2Epoch[] {
  const cfg = resolveTrainConfig(config);
  const K = cfg.experts;
  const [min, max] = cfg.snrRange;
  const lambda = cfg.channelUseWeight ?? 0;
  const channel = channelModelFor(cfg.channel, K, cfg.seed, 2, cfg.snrRange);
  const rng = new SeededRandom(cfg.seed).fork(2);
  const gateRng = rng.fork(3);
  if (!run.resume) model.params.reinit('gate/channel/', gateRng);
  const optimizer = stageOptimizer(model, cfg, cfg.stage2LearningRate, run.resume !== undefined || run.onEpoch !== undefined);
  const vars = model.channelGate.variables();
  const steps = Math.ceil(train.n / cfg.batchSize);
  const schedule = stageSchedule(cfg.lrSchedule, cfg.stage2LearningRate, cfg.stage2Epochs, steps, cfg.warmupEpochs);
  const linkState = link.saveState && link.restoreState ? { save: () => link.saveState!(), restore: (s: number[]) => link.restoreState!(s) } : undefined;
  const stage = new StageRun<Stage2Epoch>(model, 2, cfg.keepEpoch, optimizer, { order: rng }, run, linkState);
  const resumed = stage.resume();
  let order = resumed?.order ?? rng.permutation(train.n);
  let accuracy = stage.history.at(-1)?.validationAccuracy ?? NaN;
  try {
    for (let epoch = resumed?.start ?? 0; epoch < cfg.stage2Epochs; epoch++) {
      const epochLoss = new EpochLoss();
      for (let s = 0; s < steps; s++) {
        const start = s * cfg.batchSize;
        const count = Math.min(cfg.batchSize, train.n - start);
        const snr = drawSnrs({ kind: 'range', min, max }, count, K, rng);
        const stepSeed = deriveSeed(cfg.seed, 2, epoch, s);
        setLearningRate(optimizer, learningRateAt(schedule, epoch * steps + s));
        const cost = tf.tidy(() => {
          const f = featureBatch(train, order, start, count);
          const ys = labelBatch(train.labels, order, start, count);
          const realised = channel.realise(snr, count, epoch * train.n + start, stepSeed);
          const batch = link.prepare ? link.prepare(realised) : realised;
          const uses = lambda > 0 ? link.channelUses(train.d, batch) : null; // before sending (see evaluate)
          // The step's routing (the gate before this update; topKMask is off the tape, so the
          // mask inside the loss is the same), then the frozen experts on what their links
          // delivered, run only on the samples routed to them: constants for the gate's gradient.
          const mask = topKMask(model.batchLogits('channel-aware', f, batch), cfg.topK);
          const received = link.transmit(f, batch, mask);
          const expertProbs = tf.softmax(routedExpertLogits(model.experts, received, mask)) as tf.Tensor3D;
          return optimizer.minimize(
            () => {
              const logits = model.batchLogits('channel-aware', f, batch);
              const weights = routeWeights(logits, mask);
              const nll = nllLoss(mixProbabilities(expertProbs, weights), ys);
              const lb = tf.mul(loadBalancingLoss(logits, mask), cfg.stage2LoadBalance);
              const imp = tf.mul(importanceLoss(weights), cfg.stage2Importance);
              const terms = [nll, lb, imp];
              if (uses) terms.push(tf.mul(channelUseCost(logits, uses, cfg.topK, analogChannelUses(train.d)), lambda));
              return tf.addN(terms) as tf.Scalar;
            },
            true,
            vars,
          ) as tf.Scalar;
        });
        epochLoss.add(cost);
        if (progress) {
          const samples = start + count;
          progress({ kind: 'step', stage: 2, epoch: epoch + 1, epochs: cfg.stage2Epochs, step: s + 1, steps, samples, batch: count, samplesPerEpoch: train.n, loss: epochLoss.mean(s + 1), accuracy });
        }
      }
      const loss = epochLoss.mean(steps);
      epochLoss.dispose();
      accuracy = validation.n
        ? evaluate(model, validation, { gate: 'channel-aware', link, snr: { kind: 'range', min, max }, channel: cfg.channel, seed: cfg.seed, progress, label: 'validation' }).accuracy
        : NaN;
      // The next epoch's order: the same draw an uninterrupted run makes when that epoch starts.
      order = rng.permutation(train.n);
      stage.endEpoch({ epoch: epoch + 1, loss, validationAccuracy: accuracy }, order);
      progress?.({ kind: 'epoch', stage: 2, epoch: epoch + 1, epochs: cfg.stage2Epochs, step: steps, steps, samples: train.n, batch: train.n - (steps - 1) * cfg.batchSize, samplesPerEpoch: train.n, loss, accuracy });
    }
  } finally {
    optimizer.dispose(); // also when a stop (TrainingStopped) ends the stage early
  }
  stage.finish();
  return stage.history;
}
