// Whether one training step of a config fits in WASM memory at a given batch size: the check
// behind the CLI's advice after a run runs out of WASM memory (see cli/commands/train.ts,
// trainWithin), so that the batch size it names is one seen to run.
import * as tf from '@tensorflow/tfjs-core';
import { WasmMemoryError } from '../errors.js';
import { DistributedMoE } from '../moe/model.js';
import { stage1Step } from './stage1.js';
import { moeConfigOf } from './train.js';
import { resolveTrainConfig, type TrainConfig } from './config.js';

/**
 * Runs one stage-1 step (the largest: backbone, experts and gate all train) of a fresh model of
 * `config` on a batch of `batch` zero images; throws what the step throws (a WasmMemoryError
 * when it does not fit). Everything it made is disposed.
 */
export function runStage1Step(config: TrainConfig, batch: number): void {
  const cfg = resolveTrainConfig(config);
  const model = new DistributedMoE(moeConfigOf(cfg), cfg.seed);
  const step = stage1Step(model, cfg, true);
  const xs = tf.zeros([batch, ...cfg.inputShape]) as tf.Tensor4D;
  const ys = tf.zeros([batch], 'int32') as tf.Tensor1D;
  try {
    step(xs, ys, 1).dispose();
  } finally {
    tf.dispose([xs, ys]);
    step.dispose();
    model.dispose();
  }
}

/** Whether {@link runStage1Step} runs at `batch`: false when it runs out of WASM memory (other errors are thrown). */
export function stage1StepFits(config: TrainConfig, batch: number): boolean {
  try {
    runStage1Step(config, batch);
    return true;
  } catch (e) {
    if (e instanceof WasmMemoryError) return false;
    throw e;
  }
}
