import type { DatasetSplit } from '../data/dataset.js';
import type { ChannelStatistics } from '../data/normalise.js';
import { prepareData } from './data_prep.js';
import { DistributedMoE } from '../moe/model.js';
import { perfectLink } from '../link/perfect.js';
import type { Link } from '../link/link.js';
import { resolveTrainConfig, type MoeConfig, type ResolvedTrainConfig, type TrainConfig } from './config.js';
import { extractFeatures, type FeatureSet } from './features.js';
import { evaluate, expertSoloAccuracy } from './evaluate.js';
import { trainStage1, type Stage1Epoch } from './stage1.js';
import { trainStage2, type Stage2Epoch } from './stage2.js';
import type { ProgressFn } from './progress.js';
import { InputError } from '../errors.js';
import { keptEpochOf } from './stage_run.js';
import { TrainingStopped } from './training_stopped.js';
import { dataSummary, type DataSummary, type TrainState } from './train_state.js';

/** What training measured; deterministic for a seed (no timings here). */
export interface TrainMetrics {
  /** The config as trained: every model-dependent setting filled in (see {@link resolveTrainConfig}). */
  config: ResolvedTrainConfig;
  stage1: {
    epochs: Stage1Epoch[];
    /** After stage 1, perfect links, naive gate: share of routing slots per expert. */
    selection: number[];
    /** Each expert's accuracy alone on the test set (perfect link): shows collapse. */
    expertSoloAccuracy: number[];
    testAccuracy: number;
    /** The epoch whose weights the stage ended with (config.keepEpoch; 0: no epochs). */
    keptEpoch: number;
  };
  /** Sizes of the three sets, after truncation and the validation split. */
  samples: { train: number; validation: number; test: number };
  stage2: {
    link: string;
    epochs: Stage2Epoch[];
    /** The epoch whose weights the stage ended with (config.keepEpoch; 0: no epochs). */
    keptEpoch: number;
  };
}

/** How {@link trainMoe} runs besides its config. */
export interface TrainOptions {
  progress?: ProgressFn;
  /**
   * Called after every epoch of either stage with the run's state, to save it (e.g.
   * `encodeTrainState`); the run can continue from it bit-identically (`resume`).
   */
  onCheckpoint?: (state: TrainState) => void;
  /** Continue the run from a state `onCheckpoint` gave, with the same config and data. */
  resume?: TrainState;
  /**
   * Asked after every stage-1 step that does not end an epoch: true hands a state saved inside the
   * epoch to onCheckpoint as well (e.g. every 20 minutes, so that long epochs survive a stop).
   */
  saveMidEpoch?: () => boolean;
  /**
   * Asked after every stage-1 step and after every epoch of either stage: true hands the state
   * there to onCheckpoint (needed) and stops the run with {@link TrainingStopped} (the model
   * disposed); `resume` continues it bit-identically. E.g. a deadline, or a stop file.
   */
  stopRequested?: () => boolean;
}

/** JSON with object keys sorted (at every depth): equal for equal configs, whatever their key order. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Throws a one-line InputError unless `state` is a state of this config and data. */
function checkResumable(state: TrainState, cfg: TrainConfig, data: DataSummary, weights: number): void {
  if (canonicalJson(state.config) !== canonicalJson(cfg)) throw new InputError('the saved state was trained with another config');
  const d = state.data;
  if (d?.train !== data.train || d.validation !== data.validation || d.test !== data.test || d.trainLabelsFnv1a !== data.trainLabelsFnv1a) {
    throw new InputError(
      `the data differs from the saved run's: train/validation/test ${data.train}/${data.validation}/${data.test} samples ` +
        `(labels FNV-1a ${data.trainLabelsFnv1a}), the run had ${d?.train}/${d?.validation}/${d?.test} (${d?.trainLabelsFnv1a})`,
    );
  }
  if (state.weights.length !== weights) throw new InputError(`the saved state holds ${state.weights.length} weights, the model has ${weights}`);
  if (state.state.stage === 2 && !state.stage1History) throw new InputError("the saved state of stage 2 lacks stage 1's epochs");
}

/**
 * The architecture part of a training config, with the input normalisation the model applies
 * (the training set's per-channel statistics; none when omitted).
 */
export function moeConfigOf(cfg: TrainConfig, normalisation?: ChannelStatistics): MoeConfig {
  const { model, dataset, inputShape, classes, experts, topK, snrRange, modelOptions } = cfg;
  return {
    model,
    dataset,
    inputShape,
    classes,
    experts,
    topK,
    snrRange,
    ...(modelOptions ? { modelOptions } : {}),
    ...(normalisation ? { inputNormalisation: { mean: normalisation.mean, std: normalisation.std } } : {}),
  };
}

/**
 * Two-stage training of a distributed MoE on `data`: stage 1 over perfect links (backbone,
 * experts, naive gate), stage 2 over `link` (channel-aware gate only), monitored each epoch on
 * a validation split held out from the training samples (see {@link prepareData}); the test
 * set is left for the final tables. Settings `config` leaves out are its model's (see
 * {@link resolveTrainConfig}); metrics.config records them filled in. `options` (or just a
 * progress function): progress, a state after every epoch, a state to continue from (see
 * {@link TrainOptions}). Also returns the frozen backbone's features of the three sets.
 */
export function trainMoe(
  config: TrainConfig,
  data: DatasetSplit,
  link: Link,
  options: ProgressFn | TrainOptions = {},
): { model: DistributedMoE; metrics: TrainMetrics; features: { train: FeatureSet; validation: FeatureSet; test: FeatureSet } } {
  const cfg = resolveTrainConfig(config);
  const { progress, onCheckpoint, resume, saveMidEpoch, stopRequested } = typeof options === 'function' ? { progress: options } : options;
  if (stopRequested && !onCheckpoint) throw new Error('trainMoe: stopRequested needs onCheckpoint, to save the state it stops at');
  const { train, validation, test, normalisation } = prepareData(cfg, data);
  const summary = dataSummary({ train, validation, test });
  const model = new DistributedMoE(moeConfigOf(cfg, normalisation), cfg.seed);
  try {
    if (resume) {
      checkResumable(resume, cfg, summary, model.params.size());
      model.params.fromFlat(resume.weights);
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  const saved = (stage1History?: Stage1Epoch[]) =>
    onCheckpoint && ((state: TrainState['state']) => onCheckpoint({ config: cfg, data: summary, state, ...(stage1History ? { stage1History } : {}), weights: model.params.toFlat() }));
  const inStage2 = resume?.state.stage === 2;
  const stop = stopRequested ? { stopRequested } : {};
  try {
    const stage1 = inStage2
      ? resume!.stage1History!
      : trainStage1(model, train, validation, cfg, progress, { resume: resume?.state as TrainState['state'] & { stage: 1 } | undefined, onEpoch: saved(), ...(saveMidEpoch ? { saveMidEpoch } : {}), ...stop });
    // After stage 1 everything but the channel-aware gate is frozen: a run continued in stage 2
    // recomputes these from the saved weights, bit-identically.
    const testFeatures = extractFeatures(model, test, { progress, label: 'features (test)' });
    const trainFeatures = extractFeatures(model, train, { progress, label: 'features (train)' });
    const validationFeatures = extractFeatures(model, validation, { progress, label: 'features (validation)' });
    const perfect = evaluate(model, testFeatures, { gate: 'naive', link: perfectLink, snr: { kind: 'perfect' }, seed: cfg.seed });
    const solo = expertSoloAccuracy(model, testFeatures);
    const stage2 = trainStage2(model, trainFeatures, validationFeatures, link, cfg, progress, {
      resume: inStage2 ? (resume!.state as TrainState['state'] & { stage: 2 }) : undefined,
      onEpoch: saved(stage1),
      ...stop,
    });
    return {
      model,
      metrics: {
        config: cfg,
        samples: { train: train.n, validation: validation.n, test: test.n },
        stage1: { epochs: stage1, selection: perfect.selection, expertSoloAccuracy: solo, testAccuracy: perfect.accuracy, keptEpoch: keptEpochOf(stage1, cfg.keepEpoch) },
        stage2: { link: link.kind, epochs: stage2, keptEpoch: keptEpochOf(stage2, cfg.keepEpoch) },
      },
      // The backbone is frozen after stage 1: these are the features every later stage sees.
      features: { train: trainFeatures, validation: validationFeatures, test: testFeatures },
    };
  } catch (e) {
    if (e instanceof TrainingStopped) model.dispose();
    throw e;
  }
}
