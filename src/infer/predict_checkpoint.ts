import { loadCheckpoint } from '../train/checkpoint.js';
import { predict, releasePredictState, type PredictOptions, type PredictResult } from './predict.js';
import type { PredictInput } from './image_source.js';

/**
 * {@link predict} with the model of checkpoint directory `dir` (Node only): loads it, predicts on
 * `images` ([n, H, W, C] pixel values in [0, 1]) and frees it. InputError for a missing or corrupt
 * checkpoint (as loadCheckpoint) and for images the model does not take. To predict many times,
 * load once (`loadCheckpoint`) and call `predict` on the model.
 */
export function predictCheckpoint(dir: string, images: PredictInput, options: PredictOptions = {}): PredictResult {
  const { model } = loadCheckpoint(dir);
  try {
    return predict(model, images, options);
  } finally {
    releasePredictState(model);
    model.dispose();
  }
}
