import type * as tf from '@tensorflow/tfjs-core';
import type { DistributedMoE } from '../moe/model.js';
import type { RandomState, SeededRandom } from '../random/seeded.js';
import { InputError } from '../errors.js';
import { adam, FusedAdam, type AdamState } from './adam.js';
import { TrainingStopped } from './training_stopped.js';
import type { KeepEpoch, ResolvedTrainConfig } from './config.js';

/** One epoch's record, as both stages keep it (1-based epoch). */
export interface EpochRecord {
  epoch: number;
  loss: number;
  /** NaN when there is no validation set. */
  validationAccuracy: number;
}

/**
 * Everything a stage needs to continue after a whole epoch, the model's weights aside: with
 * them, the remaining epochs run bit-identically to an uninterrupted stage.
 */
export interface StageState<E extends EpochRecord = EpochRecord> {
  stage: 1 | 2;
  /** Whole epochs done. */
  epochs: number;
  history: E[];
  /** The best epoch so far by validation accuracy (1-based; 0: none, or keepEpoch 'last'). */
  bestEpoch: number;
  /** The model's weights (ParamStore.toFlat) at bestEpoch when that is not the last epoch done. */
  bestWeights?: Float32Array;
  /** The optimizer's exact state, its moments named by model parameter (not by tfjs's process-wide variable names). */
  optimizer: AdamState;
  /** The stage's generators, by purpose ('order': data orders and stage 2's SNRs; 'augment': stage 1's augmentation). */
  random: Record<string, RandomState>;
  /** The data order of the next epoch (drawn from 'order' when the epoch ended). */
  order: Int32Array;
  /** What the stage's link carries from batch to batch (adaptive MCS's OLLA offsets, dB), when it has such state. */
  linkState?: number[];
  /**
   * A state saved inside an epoch (stage 1): the steps of epoch `epochs` + 1 already done; then
   * `order` is that epoch's data order and `lossSum` the float32 sum of its step losses so far.
   */
  step?: number;
  lossSum?: number;
}

/** A link's state across batches, saved with each epoch's state and restored on resume (see Link.saveState). */
export interface LinkStateHandle {
  save(): number[] | null;
  restore(state: number[]): void;
}

/** How a stage runs besides its config: continuing from a saved state, reporting each epoch's. */
export interface StageRunOptions<E extends EpochRecord> {
  /** Continue from this state (the model already holds its weights). */
  resume?: StageState<E>;
  /** Called after every epoch with the state to save (the model holds that epoch's weights). */
  onEpoch?: (state: StageState<E>) => void;
  /**
   * Asked after every step that does not end an epoch (stage 1): true saves a state there too
   * (through onEpoch), so that a long epoch is not lost when the run stops (e.g. every 20 min).
   */
  saveMidEpoch?: () => boolean;
  /**
   * Asked after every step inside an epoch (stage 1) and after every epoch: true saves the state
   * there (through onEpoch) and ends the stage with {@link TrainingStopped}. Needs onEpoch.
   */
  stopRequested?: () => boolean;
}

/**
 * The epoch whose weights a stage ends with: under 'best', the earliest epoch with the highest
 * validation accuracy; the last epoch under 'last' or when no accuracy was measured (0: no epochs).
 */
export function keptEpochOf(history: readonly EpochRecord[], keep: KeepEpoch): number {
  let best = 0;
  let bestAccuracy = -Infinity;
  if (keep === 'best') {
    for (const e of history) {
      if (Number.isFinite(e.validationAccuracy) && e.validationAccuracy > bestAccuracy) {
        best = e.epoch;
        bestAccuracy = e.validationAccuracy;
      }
    }
  }
  return best || (history.at(-1)?.epoch ?? 0);
}

/**
 * Which parameters weight decay applies to: the trainable kernels (He- or Glorot-initialised
 * weights that multiply their input), not biases, norm scales and shifts, BN statistics, nor
 * the ViT's CLS token and position embeddings. As tfjs variable names.
 */
function decayedVariables(model: DistributedMoE): Set<string> {
  const kernels = model.params.specs.filter((s) => s.trainable && (s.init === 'he' || s.init === 'glorot'));
  return new Set(kernels.map((s) => model.params.get(s.name).name));
}

/**
 * A stage's Adam at `learningRate` with cfg's weight decay: {@link FusedAdam} when decay or an
 * exact, saveable state (`exact`, for checkpoints) is needed, else {@link adam}'s choice.
 */
export function stageOptimizer(model: DistributedMoE, cfg: ResolvedTrainConfig, learningRate: number, exact: boolean): tf.Optimizer {
  const optimizer = exact || cfg.weightDecay > 0 ? new FusedAdam(learningRate) : adam(learningRate);
  if (optimizer instanceof FusedAdam && cfg.weightDecay > 0) {
    optimizer.weightDecay = cfg.weightDecay;
    optimizer.decayed = decayedVariables(model);
  }
  return optimizer;
}

/** Sets an Adam's learning rate for its next step (FusedAdam's, or tfjs's own). */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}

/** `{ linkState }` when the link has state to save, else nothing. */
function linkStateOf(handle: LinkStateHandle | undefined): { linkState?: number[] } {
  const saved = handle?.save();
  return saved ? { linkState: saved } : {};
}

/**
 * The bookkeeping of a stage's epochs: history, the best epoch and its weights, the state each
 * epoch hands to `onEpoch`, restoring a saved state, and ending on the kept epoch's weights.
 */
export class StageRun<E extends EpochRecord> {
  readonly history: E[] = [];
  private bestEpoch = 0;
  private bestWeights: Float32Array | undefined;

  constructor(
    private readonly model: DistributedMoE,
    private readonly stage: 1 | 2,
    private readonly keep: KeepEpoch,
    private readonly optimizer: tf.Optimizer,
    private readonly random: Record<string, SeededRandom>,
    private readonly options: StageRunOptions<E>,
    private readonly linkState?: LinkStateHandle,
  ) {
    if (options.stopRequested && !options.onEpoch) throw new Error('StageRun: stopRequested needs onEpoch, to save the state it stops at');
  }

  /**
   * Restores the saved state, if any (history, best epoch, optimizer, generators): returns the
   * 0-based epoch to continue at and its data order, or undefined to start afresh.
   */
  resume(): { start: number; order: Int32Array; step: number; lossSum: number } | undefined {
    const r = this.options.resume;
    if (!r) return undefined;
    if (r.stage !== this.stage) throw new InputError(`the saved state is of stage ${r.stage}, not stage ${this.stage}`);
    this.history.push(...r.history);
    this.bestEpoch = r.bestEpoch;
    this.bestWeights = r.bestWeights ?? (r.bestEpoch > 0 ? this.model.params.toFlat() : undefined);
    (this.optimizer as FusedAdam).importState(this.renameMoments(r.optimizer, true));
    if (r.linkState && this.linkState) this.linkState.restore(r.linkState);
    for (const [purpose, rng] of Object.entries(this.random)) {
      const saved = r.random[purpose];
      if (!saved) throw new InputError(`the saved state of stage ${this.stage} has no '${purpose}' generator`);
      rng.restore(saved);
    }
    return { start: r.epochs, order: r.order, step: r.step ?? 0, lossSum: r.lossSum ?? 0 };
  }

  /** After an epoch: records it, keeps its weights if it is the best so far, and hands the state to onEpoch. */
  endEpoch(entry: E, nextOrder: Int32Array): void {
    this.history.push(entry);
    if (this.keep === 'best' && keptEpochOf(this.history, 'best') === entry.epoch && Number.isFinite(entry.validationAccuracy)) {
      this.bestEpoch = entry.epoch;
      this.bestWeights = this.model.params.toFlat();
    }
    this.save(nextOrder, {});
    if (this.options.stopRequested?.()) throw new TrainingStopped(this.stage, entry.epoch);
  }

  /**
   * Inside an epoch, after `step` of its steps (whose losses sum to `lossSum`, float32): hands the
   * state to onEpoch when saveMidEpoch asks for it, or when stopRequested does, and then stops
   * (throws {@link TrainingStopped}). `order`: this epoch's data order.
   */
  midEpoch(step: number, order: Int32Array, lossSum: () => number): void {
    const stop = this.options.stopRequested?.() ?? false;
    if (stop || this.options.saveMidEpoch?.()) this.save(order, { step, lossSum: lossSum() });
    if (stop) throw new TrainingStopped(this.stage, this.history.at(-1)?.epoch ?? 0, step);
  }

  /** Hands the state after the epochs in `history` (and `within` the next one) to onEpoch. */
  private save(order: Int32Array, within: { step?: number; lossSum?: number }): void {
    if (!this.options.onEpoch) return;
    if (!(this.optimizer instanceof FusedAdam)) throw new Error('StageRun: saving a state needs FusedAdam');
    const epochs = this.history.at(-1)?.epoch ?? 0;
    this.options.onEpoch({
      stage: this.stage,
      epochs,
      history: [...this.history],
      bestEpoch: this.bestEpoch,
      ...(this.bestEpoch > 0 && (this.bestEpoch !== epochs || within.step !== undefined) ? { bestWeights: this.bestWeights } : {}),
      optimizer: this.renameMoments(this.optimizer.exportState(), false),
      random: Object.fromEntries(Object.entries(this.random).map(([purpose, rng]) => [purpose, rng.save()])),
      order,
      ...linkStateOf(this.linkState),
      ...within,
    });
  }

  /** Ends the stage on the kept epoch's weights (see {@link keptEpochOf}); returns that epoch. */
  finish(): number {
    const kept = keptEpochOf(this.history, this.keep);
    if (kept !== (this.history.at(-1)?.epoch ?? 0) && this.bestWeights) this.model.params.fromFlat(this.bestWeights);
    return kept;
  }

  /** Moments named by tfjs variable → by parameter name (`toTfjs`: the other way). */
  private renameMoments(state: AdamState, toTfjs: boolean): AdamState {
    const byTfjs = new Map<string, string>();
    for (const [param, v] of this.model.params.vars) byTfjs.set(v.name, param);
    const map = toTfjs ? new Map([...byTfjs].map(([t, p]) => [p, t])) : byTfjs;
    const moments = state.moments.map((m) => {
      const name = map.get(m.name);
      if (name === undefined) throw new InputError(`the saved optimizer state names an unknown parameter '${m.name}'`);
      return { ...m, name };
    });
    return { ...state, moments };
  }
}
