import type { ModelName } from '../models/backbone.js';
import type { ModelOptions } from '../models/model_spec.js';
import { modelSpec } from '../models/registry.js';
import { DATASET_NAMES, type DatasetName } from '../data/names.js';
import { fail } from '../errors.js';

/** The architecture of a distributed MoE: what a checkpoint's config.json must describe. */
export interface MoeConfig {
  model: ModelName;
  dataset: DatasetName;
  /** Input images [height, width, channels]. */
  inputShape: [number, number, number];
  classes: number;
  /** K, the number of experts (clients). */
  experts: number;
  /** k, how many experts each sample is sent to. */
  topK: number;
  /** The stage-2 SNR range in dB that the channel-aware gate was trained on (and normalises by). */
  snrRange: [number, number];
  /** The model's options (see its registry entry); defaults fill the rest. */
  modelOptions?: ModelOptions;
  /**
   * Per-channel normalisation the model applies to its input images (pixels in [0, 1]):
   * (x − mean[c]) / std[c]. Computed from the training set; absent = none.
   */
  inputNormalisation?: { mean: number[]; std: number[] };
}

/** Throws unless `v` is an integer ≥ `min`; the message names the value. */
export function intAtLeast(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) fail(`${name} must be an integer ≥ ${min}, got ${v}`);
}

/** Checks an architecture; throws a one-line error naming the first bad value. */
export function validateMoeConfig(c: MoeConfig): void {
  const spec = modelSpec(c.model);
  if (!(DATASET_NAMES as readonly string[]).includes(c.dataset)) {
    fail(`unknown dataset '${c.dataset}' (known: ${DATASET_NAMES.join(', ')})`);
  }
  intAtLeast('experts K', c.experts, 1);
  intAtLeast('top-k k', c.topK, 1);
  if (c.topK > c.experts) fail(`top-k k = ${c.topK} exceeds the number of experts K = ${c.experts}`);
  const [lo, hi] = c.snrRange;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    fail(`SNR range must be finite with MIN < MAX, got ${lo}:${hi}`);
  }
  intAtLeast('classes', c.classes, 2);
  const shape = c.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((v) => Number.isInteger(v) && v >= 1)) {
    fail(`input shape must be [height, width, channels] of positive integers, got ${JSON.stringify(shape)}`);
  }
  const norm = c.inputNormalisation;
  if (norm !== undefined) {
    const ok = (a: unknown, positive: boolean) =>
      Array.isArray(a) && a.length === shape[2] && a.every((v) => Number.isFinite(v) && (!positive || v > 0));
    if (!ok(norm.mean, false) || !ok(norm.std, true)) {
      fail(`input normalisation needs ${shape[2]} finite means and positive stds, got ${JSON.stringify(norm)}`);
    }
  }
  spec.resolveOptions(c.modelOptions, shape);
}

