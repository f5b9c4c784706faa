// Seeds at the edge of their range run to the end (a seed of 2^40 used to crash the digital
// link after stage 1: seed · 2 000 003 exceeded the 2^53 its generator accepts), and seeds
// beyond it are refused at parse time instead of aliasing (`seed | 0` made 2^32 + 1 run as 1).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectOneLineError, runCli, tempDir, TINY_TRAIN } from '../helpers/cli.js';

describe('wmoe seeds', () => {
  it('seed 2^31 − 1 trains to the end over the digital link and evaluates', () => {
    const dir = join(tempDir(), 'run');
    const r = runCli(['train', ...TINY_TRAIN, '--seed', '2147483647', '--link', 'digital', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    expect(metrics.config.seed).toBe(2147483647);
    expect(metrics.stage2.epochs).toHaveLength(1);
    const e = runCli(['eval', '--checkpoint', dir, '--seed', '2147483647', '--test-samples', '32', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ seed: 2147483647, link: 'digital', samples: 32 });
  });

  it('seed 2^32 + 1 is refused, not run as seed 1', () => {
    expectOneLineError(runCli(['train', ...TINY_TRAIN, '--seed', '4294967297']), "--seed '4294967297' must be an integer in [0, 2147483647]");
  });
});
