// The backend flags of the CLI (src/cli/backend.ts): --threads N|auto and --spin N, parsed
// before anything is loaded; each bad value is an InputError naming it.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseSpin, parseThreads } from '../../src/cli/backend.js';
import { expectInputError } from '../helpers/errors.js';

describe('--threads', () => {
  it('defaults to auto: the machine\'s logical CPUs (at most 64) with wmoe', () => {
    expect(parseThreads(undefined, 'wmoe')).toBe(Math.min(64, availableParallelism()));
    expect(parseThreads('auto', 'wmoe', 8)).toBe(8);
    expect(parseThreads(undefined, 'wmoe', 8)).toBe(8);
    expect(parseThreads('auto', 'wmoe', 128)).toBe(64);
    expect(parseThreads('auto', 'wmoe', 1)).toBe(1);
  });

  it('auto means 1 with another backend (no error); N > 1 with one is an error', () => {
    expect(parseThreads(undefined, 'cpu', 8)).toBe(1);
    expect(parseThreads('auto', 'tensorflow', 8)).toBe(1);
    expect(parseThreads('1', 'cpu', 8)).toBe(1);
    expectInputError(() => parseThreads('2', 'cpu', 8), "--threads 2 applies to backend wmoe only, not 'cpu'");
  });

  it('takes an integer 1–64 otherwise, --threads 1 included', () => {
    expect(parseThreads('1', 'wmoe', 8)).toBe(1);
    expect(parseThreads('64', 'wmoe', 8)).toBe(64);
    expectInputError(() => parseThreads('0', 'wmoe'), "--threads '0' must be an integer in [1, 64]");
    expectInputError(() => parseThreads('65', 'wmoe'), "--threads '65' must be an integer in [1, 64]");
    expectInputError(() => parseThreads('Auto2', 'wmoe'), "--threads 'Auto2' must be an integer in [1, 64]");
  });
});

describe('--spin', () => {
  it('is absent (init\'s default) unless given; an integer ≥ 0 with wmoe; an error with another backend', () => {
    expect(parseSpin(undefined, 'wmoe')).toBeUndefined();
    expect(parseSpin(undefined, 'cpu')).toBeUndefined();
    expect(parseSpin('2000', 'wmoe')).toBe(2000);
    expect(parseSpin('0', 'wmoe')).toBe(0);
    expectInputError(() => parseSpin('-1', 'wmoe'), "--spin '-1' must be an integer in [0, 1000000000]");
    expectInputError(() => parseSpin('lots', 'wmoe'), "--spin 'lots' must be an integer in [0, 1000000000]");
    expectInputError(() => parseSpin('2000', 'cpu'), "--spin 2000 applies to backend wmoe only, not 'cpu'");
  });
});

describe('the commands that take --threads take --spin', () => {
  it.each([
    ['train', async () => (await import('../../src/cli/commands/train.js')).trainCommand(['--backend', 'cpu', '--spin', '500'])],
    ['eval', async () => (await import('../../src/cli/commands/eval.js')).evalCommand(['--checkpoint', 'none', '--backend', 'cpu', '--spin', '500'])],
    ['demo', async () => (await import('../../src/cli/commands/demo.js')).demoCommand(['--backend', 'cpu', '--spin', '500'])],
  ])('%s', async (_name, run) => {
    await expect(run()).rejects.toThrow("--spin 500 applies to backend wmoe only, not 'cpu'");
  });
});
