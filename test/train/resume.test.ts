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

function run(data: DatasetSplit, resume?: TrainState) {
  const states: Uint8Array[] = [];
  const { model, metrics } = trainMoe(cfg, data, analogLink, { resume, onCheckpoint: (s) => states.push(encodeTrainState(s, { note: 'test' })) });
  const weights = model.params.toFlat();
  model.dispose();
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
