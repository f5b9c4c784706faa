import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG, validateTrainConfig, type TrainConfig } from '../../src/train/config.js';
import { expectInputError } from '../helpers/errors.js';

const cfg: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, inputShape: [32, 32, 1], classes: 10 };

describe('validateTrainConfig: seeds', () => {
  it('accepts 0 and 2^31 − 1', () => {
    expect(() => validateTrainConfig({ ...cfg, seed: 0 })).not.toThrow();
    expect(() => validateTrainConfig({ ...cfg, seed: 2 ** 31 - 1 })).not.toThrow();
  });

  it.each([2 ** 31, 4294967297, -1, 1.5, NaN])('rejects seed %d with an InputError naming it', (seed) => {
    expectInputError(() => validateTrainConfig({ ...cfg, seed }), `seed must be an integer in [0, 2147483647], got ${seed}`);
  });
});
