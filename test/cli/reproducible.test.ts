import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, TINY_TRAIN } from '../helpers/cli.js';

describe('wmoe train and eval are reproducible', () => {
  it('the same seed gives bit-identical metrics.json, weights and eval JSON', () => {
    const runs = [1, 2].map(() => {
      const dir = join(tempDir(), 'run');
      const r = runCli(['train', ...TINY_TRAIN, '--seed', '7', '--out', dir]);
      expect(r.code, r.stderr).toBe(0);
      const evalArgs = ['eval', '--checkpoint', dir, '--gate', 'channel-aware', '--link', 'analog', '--snr-range', '-10:20', '--seed', '3', '--test-samples', '96', '--json'];
      const e = runCli(evalArgs);
      expect(e.code, e.stderr).toBe(0);
      return {
        metrics: readFileSync(join(dir, 'metrics.json'), 'utf8'),
        weights: readFileSync(join(dir, 'weights.bin')),
        eval: e.stdout,
      };
    });
    expect(runs[1].metrics).toBe(runs[0].metrics);
    expect(Buffer.compare(runs[1].weights, runs[0].weights)).toBe(0);
    expect(runs[1].eval).toBe(runs[0].eval);
    const report = JSON.parse(runs[0].eval);
    expect(report).toMatchObject({ gate: 'channel-aware', link: 'analog', linkSource: 'flag', samples: 96 });
    expect(report.selection).toHaveLength(4);
    expect(report.selection.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('a different seed gives different weights', () => {
    const dirs = [7, 8].map((seed) => {
      const dir = join(tempDir(), 'run');
      expect(runCli(['train', ...TINY_TRAIN, '--seed', String(seed), '--out', dir]).code).toBe(0);
      return readFileSync(join(dir, 'weights.bin'));
    });
    expect(Buffer.compare(dirs[0], dirs[1])).not.toBe(0);
  });
});
