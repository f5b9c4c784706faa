import { InputError } from '../errors.js';
import type { ParamStore } from './params.js';
import type { Backbone, ExpertStack, ModelName } from './backbone.js';

/** A model's numeric options (`--model-options patch=4,width=192`), all integers or reals. */
export type ModelOptions = Record<string, number>;

/** What a model builds into a ParamStore: the server's backbone and the K experts. */
export interface ModelParts {
  backbone: Backbone;
  experts: ExpertStack;
}

/** Everything a model needs to build itself. */
export interface ModelBuildArgs {
  /** Input images [height, width, channels]. */
  inputShape: [number, number, number];
  classes: number;
  /** K. */
  experts: number;
  /** Options with every default filled in (see {@link ModelSpec.resolveOptions}). */
  options: ModelOptions;
}

/**
 * One entry of the model registry: how a backbone/expert pair is split and built.
 * Parameter names: the backbone's start with `backbone/`, expert k's with `experts/`.
 */
export interface ModelSpec {
  name: ModelName;
  /** One line: what the backbone is, where the split sits, what is sent (d). */
  description: string;
  /** Default options (empty when the model has none). */
  defaults: ModelOptions;
  /**
   * Stage-1 Adam learning rate this model trains well at (the default of `--stage1-lr`);
   * absent: the package default (DEFAULT_TRAIN_CONFIG.stage1LearningRate).
   */
  stage1LearningRate?: number;
  /**
   * Stage-1 weight of the experts' own loss this model needs for interchangeable experts (the
   * default of `--expert-loss`); absent: the package default.
   */
  stage1ExpertLoss?: number;
  /** The learning-rate schedule of `--lr-schedule` by default; absent: the package's ('constant'). */
  lrSchedule?: 'cosine' | 'constant';
  /** Linear warm-up epochs of each stage (`--warmup-epochs`); absent: the package's (0). */
  warmupEpochs?: number;
  /** Decoupled (AdamW) weight decay (`--weight-decay`); absent: the package's (0). */
  weightDecay?: number;
  /**
   * Fills in defaults and checks `options` against `inputShape`; throws an InputError naming
   * the bad value (unknown option, patch not dividing the image, width not divisible by heads…).
   */
  resolveOptions(options: ModelOptions | undefined, inputShape: [number, number, number]): ModelOptions;
  build(params: ParamStore, args: ModelBuildArgs): ModelParts;
}

/**
 * `given` over `defaults`, for a model named `model`: rejects unknown option names and values
 * that are not finite numbers, with an InputError naming them.
 */
export function mergeOptions(model: string, defaults: ModelOptions, given: ModelOptions | undefined): ModelOptions {
  const out = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {})) {
    if (!(key in defaults)) {
      const known = Object.keys(defaults);
      throw new InputError(`model '${model}' has no option '${key}' (${known.length ? `known: ${known.join(', ')}` : 'it takes none'})`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InputError(`model '${model}' option ${key} = ${String(value)} is not a finite number`);
    }
    out[key] = value;
  }
  return out;
}

/** Throws an InputError unless option `key` of `model` is an integer in [min, max]. */
export function intOption(model: string, options: ModelOptions, key: string, min: number, max: number): number {
  const v = options[key];
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new InputError(`model '${model}' option ${key} = ${v} must be an integer in ${min}…${max}`);
  }
  return v;
}
