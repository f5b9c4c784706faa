import { MODEL_NAMES, type ModelName } from '../models/backbone.js';
import { DATASET_NAMES, type DatasetName } from '../data/names.js';
import { InputError } from '../errors.js';

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
}

function fail(message: string): never {
  throw new InputError(message);
}

/** Throws unless `v` is an integer ≥ `min`; the message names the value. */
export function positiveInt(name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) fail(`${name} must be an integer ≥ ${min}, got ${v}`);
}

/** Checks an architecture; throws a one-line error naming the first bad value. */
export function validateMoeConfig(c: MoeConfig): void {
  if (!(MODEL_NAMES as readonly string[]).includes(c.model)) {
    fail(`unknown model '${c.model}' (known: ${MODEL_NAMES.join(', ')})`);
  }
  if (!(DATASET_NAMES as readonly string[]).includes(c.dataset)) {
    fail(`unknown dataset '${c.dataset}' (known: ${DATASET_NAMES.join(', ')})`);
  }
  positiveInt('experts K', c.experts);
  positiveInt('top-k k', c.topK);
  if (c.topK > c.experts) fail(`top-k k = ${c.topK} exceeds the number of experts K = ${c.experts}`);
  const [lo, hi] = c.snrRange;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    fail(`SNR range must be finite with MIN < MAX, got ${lo}:${hi}`);
  }
  positiveInt('classes', c.classes, 2);
}

