// src/moe/config.ts: the integer bound check the MoE and training configs share.
import { describe, expect, it } from 'vitest';
import { intAtLeast } from '../../src/moe/config.js';
import { expectInputError } from '../helpers/errors.js';

describe('intAtLeast', () => {
  it('accepts integers from min on, including min itself (0 where 0 is allowed)', () => {
    expect(() => intAtLeast('stage-2 epochs', 0, 0)).not.toThrow();
    expect(() => intAtLeast('experts K', 1, 1)).not.toThrow();
    expect(() => intAtLeast('classes', 1000, 2)).not.toThrow();
  });

  it('rejects values below min and non-integers with a one-line InputError naming the value', () => {
    expectInputError(() => intAtLeast('experts K', 0, 1), 'experts K must be an integer ≥ 1, got 0');
    expectInputError(() => intAtLeast('classes', 1, 2), 'classes must be an integer ≥ 2, got 1');
    expectInputError(() => intAtLeast('batch size', 2.5, 1), 'batch size must be an integer ≥ 1, got 2.5');
    expectInputError(() => intAtLeast('train samples', Number.NaN, 0), 'train samples must be an integer ≥ 0, got NaN');
  });
});
