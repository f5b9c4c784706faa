// A run continued from any epoch's saved state ends bit-identical to one that never stopped.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { loadMnist } from '../../src/data/mnist.js';
import type { DatasetSplit } from '../../src/data/dataset.js';
import { trainMoe } from '../../src/train/train.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { analogLink } from '../../src/link/analog.js';
import { decodeTrainState, encodeTrainState, type TrainState } from '../../src/train/train_state.js';
import { InputError } from '../../src/errors.js';
import { TrainingStopped } from '../../src/train/training_stopped.js';

// Every source of randomness on: augmentation, validation split, cosine schedule with warm-up, weight decay.
const cfg: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  inputShape: [32, 32, 1],
  classes: 10,
  trainSamples: 256,
  testSamples: 64,
  stage1Epochs: 3,
  stage2Epochs: 3,
  batchSize: 32,
  augment: 'crop-flip',
  lrSchedule: 'cosine',
  warmupEpochs: 1,
  weightDecay: 0.05,
};

function run(data: DatasetSplit, resume?: TrainState, stopRequested?: (states: Uint8Array[]) => boolean) {
  const states: Uint8Array[] = [];
  const stop = stopRequested ? { stopRequested: () => stopRequested(states) } : {};
  const tensors = tf.memory().numTensors;
  const { model, metrics } = trainMoe(cfg, data, analogLink, { resume, onCheckpoint: (s) => states.push(encodeTrainState(s, { note: 'test' })), ...stop });
  const weights = model.params.toFlat();
  model.dispose();
  expect(tf.memory().numTensors).toBe(tensors); // a finished run leaves nothing behind
  return { weights: Buffer.from(weights.buffer), metrics: JSON.stringify(metrics), states };
}

describe('trainMoe: resume', () => {
  let data: DatasetSplit;
  let full: ReturnType<typeof run>;

  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
    data = await loadMnist();
    full = run(data);
  }, 120_000);

  it('saves a state after every epoch of both stages', () => {
    expect(full.states).toHaveLength(6);
    const stages = full.states.map((b) => decodeTrainState(b, 'x').state.state);
    expect(stages.map((s) => [s.stage, s.epochs])).toEqual([[1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [2, 3]]);
    expect(decodeTrainState(full.states[0], 'x').meta).toEqual({ note: 'test' });
  });

  it.each([1, 2, 3, 4, 5, 6])('continued from saved state %i gives bit-identical weights and metrics', (i) => {
    const { state } = decodeTrainState(full.states[i - 1], 'x');
    const resumed = run(data, state);
    expect(Buffer.compare(resumed.weights, full.weights)).toBe(0);
    expect(resumed.metrics).toBe(full.metrics);
    // And the states it saves from there on are those of the uninterrupted run.
    expect(resumed.states.map((b) => Buffer.from(b).toString('base64'))).toEqual(full.states.slice(i).map((b) => Buffer.from(b).toString('base64')));
  }, 120_000);

  /** Runs until `stopRequested` asks to stop: the TrainingStopped thrown and the states saved. */
  function runUntilStopped(stopRequested: (states: Uint8Array[]) => boolean, resume?: TrainState) {
    let states: Uint8Array[] = []; // run's own list, which gets the state saved where it stops
    const tensors = tf.memory().numTensors;
    let stopped: unknown;
    try {
      run(data, resume, (s) => {
        states = s;
        return stopRequested(s);
      });
    } catch (e) {
      stopped = e;
    }
    expect(stopped).toBeInstanceOf(TrainingStopped);
    // The model, the optimizer's moments and the epoch's loss sum are freed.
    expect(tf.memory().numTensors).toBe(tensors);
    return { stopped: stopped as TrainingStopped, bytes: states.at(-1)!, last: decodeTrainState(states.at(-1)!, 'x').state };
  }

  it('stopRequested inside a stage-1 epoch saves the state at that step, throws TrainingStopped, and the run resumes bit-identically', () => {
    let calls = 0;
    const { stopped, last } = runUntilStopped(() => ++calls === 3);
    expect([stopped.stage, stopped.epochs, stopped.step]).toEqual([1, 0, 3]);
    expect(stopped.message).toBe('training stopped at step 3 of epoch 1 of stage 1');
    expect([last.state.stage, last.state.epochs, last.state.step]).toEqual([1, 0, 3]);
    const resumed = run(data, last);
    expect(Buffer.compare(resumed.weights, full.weights)).toBe(0);
    expect(resumed.metrics).toBe(full.metrics);
  }, 120_000);

  it('stopRequested after an epoch of stage 2 stops there, and a stopped run stopped again resumes bit-identically', () => {
    // Stage 1's three states, then stage 2's first: asked once that one is saved.
    const first = runUntilStopped((states) => states.length === 4);
    expect(first.stopped.message).toBe('training stopped after epoch 1 of stage 2');
    expect(first.stopped.step).toBeUndefined();
    expect(Buffer.compare(first.bytes, full.states[3])).toBe(0);
    const second = runUntilStopped(() => true, first.last);
    expect(second.stopped.message).toBe('training stopped after epoch 2 of stage 2');
    const resumed = run(data, second.last);
    expect(Buffer.compare(resumed.weights, full.weights)).toBe(0);
    expect(resumed.metrics).toBe(full.metrics);
  }, 120_000);

  it('refuses stopRequested without onCheckpoint (it could not save where it stops)', () => {
    expect(() => trainMoe(cfg, data, analogLink, { stopRequested: () => true })).toThrow('trainMoe: stopRequested needs onCheckpoint, to save the state it stops at');
  });

  it('refuses a state of another config or other data, and a corrupt one, with one-line InputErrors', () => {
    const { state } = decodeTrainState(full.states[1], 'x');
    expect(() => trainMoe({ ...cfg, seed: 2 }, data, analogLink, { resume: state })).toThrow(new InputError('the saved state was trained with another config'));
    const other = { ...state, data: { ...state.data, trainLabelsFnv1a: '00000000' } };
    expect(() => trainMoe(cfg, data, analogLink, { resume: other })).toThrow(/^the data differs from the saved run's/);
    const bytes = full.states[1].slice();
    bytes[bytes.length - 3] ^= 1;
    expect(() => decodeTrainState(bytes, 'f')).toThrow(/^resume state 'f' is corrupt: FNV-1a/);
    expect(() => decodeTrainState(full.states[1].subarray(0, 1000), 'f')).toThrow(/^resume state 'f' is truncated/);
    expect(() => decodeTrainState(new Uint8Array(20), 'f')).toThrow("resume state 'f' is not a wmoe training state");
  });
});
