import { describe, expect, it } from 'vitest';
import { INT_FLAG_MAX, parseChoice, parseFlags, parseIntFlag, parseNumberFlag, parseSeedFlag } from '../../src/cli/args.js';
import { InputError } from '../../src/errors.js';
import { expectInputError } from '../helpers/errors.js';

describe('flag parsers', () => {
  it('parseIntFlag: fallback when absent, the value when in [min, max], else an InputError naming both', () => {
    expect(parseIntFlag('experts', undefined, 4, 1)).toBe(4);
    expect(parseIntFlag('experts', '64', 4, 1)).toBe(64);
    expectInputError(() => parseIntFlag('experts', '65', 4, 1), "--experts '65' must be an integer in [1, 64]");
    expectInputError(() => parseIntFlag('train-samples', '-1', 0, 0), "--train-samples '-1' must be an integer ≥ 0");
    expectInputError(() => parseIntFlag('train-samples', '1e3', 0, 0), "--train-samples '1e3' must be an integer ≥ 0");
    expect(parseIntFlag('train-samples', '123456789', 0, 0)).toBe(123456789);
  });

  it('every bounded flag accepts its bound and rejects one more', () => {
    for (const [name, max] of Object.entries(INT_FLAG_MAX)) {
      expect(parseIntFlag(name, String(max), 0, 0)).toBe(max);
      expectInputError(() => parseIntFlag(name, String(max + 1), 0, 0), `--${name} '${max + 1}' must be an integer in [0, ${max}]`);
    }
  });

  it('parseSeedFlag: 0 … 2^31 − 1; 2^32 + 1 (which `seed | 0` would alias to 1) is rejected', () => {
    expect(parseSeedFlag(undefined, 1)).toBe(1);
    expect(parseSeedFlag('0', 1)).toBe(0);
    expect(parseSeedFlag('2147483647', 1)).toBe(2147483647);
    expectInputError(() => parseSeedFlag('4294967297', 1), "--seed '4294967297' must be an integer in [0, 2147483647]");
    expectInputError(() => parseSeedFlag('2147483648', 1), "--seed '2147483648' must be an integer in [0, 2147483647]");
  });

  it('parseNumberFlag and parseChoice throw InputErrors', () => {
    expectInputError(() => parseNumberFlag('load-balance', 'x', 1), "--load-balance 'x' is not a finite number");
    expectInputError(() => parseChoice('gate', 'magic', ['naive'] as const, 'naive'), "unknown gate 'magic' (known: naive)");
  });

  it('parseFlags turns node:util parse errors into InputErrors, and joins values that start with -', () => {
    const opts = { seed: { type: 'string' }, json: { type: 'boolean' } } as const;
    expect(parseFlags(['--seed', '-3'], opts).values.seed).toBe('-3');
    expectInputError(() => parseFlags(['--nope'], opts), "Unknown option '--nope'");
    expect(() => parseFlags(['stray'], opts)).toThrow(InputError);
    expectInputError(() => parseFlags(['--json=1'], opts), "Option '--json' does not take an argument");
  });
});

describe('training flags', () => {
  it("--stage1-lr defaults to the model registry rate (resnet18 1e-3, vit 5e-4, else 2e-3); the experts' own loss weight from the registry (resnet18 and vit 1, else 0.3); --threads to auto", async () => {
    const { trainConfigFromFlags } = await import('../../src/cli/commands/train.js');
    expect(trainConfigFromFlags({}).cfg.stage1LearningRate).toBe(2e-3);
    expect(trainConfigFromFlags({ model: 'resnet18' }).cfg.stage1LearningRate).toBe(1e-3);
    expect(trainConfigFromFlags({ model: 'vit' }).cfg.stage1LearningRate).toBe(5e-4);
    expect(trainConfigFromFlags({ model: 'vit', 'stage1-lr': '1e-3', 'stage2-lr': '4e-3' }).cfg).toMatchObject({ stage1LearningRate: 1e-3, stage2LearningRate: 4e-3 });
    expect(trainConfigFromFlags({ model: 'vit' }).cfg.stage1ExpertLoss).toBe(1);
    expect(trainConfigFromFlags({ model: 'vit', 'expert-loss': '0.3' }).cfg.stage1ExpertLoss).toBe(0.3);
    expect(trainConfigFromFlags({ model: 'resnet18' }).cfg.stage1ExpertLoss).toBe(1);
    expect(trainConfigFromFlags({}).cfg.stage1ExpertLoss).toBe(0.3);
    expect(trainConfigFromFlags({}).threads).toBe(Math.min(64, (await import('node:os')).availableParallelism())); // --threads auto
    expect(trainConfigFromFlags({ threads: '2' }).threads).toBe(2);
    expect(trainConfigFromFlags({ spin: '2000' }).spin).toBe(2000);
  });
});

describe('out of WASM memory during training', () => {
  it('batchSizeThatFits: a power of two below the batch, scaled by what fits, with headroom; at least 1', async () => {
    const { batchSizeThatFits } = await import('../../src/errors.js');
    expect(batchSizeThatFits(256, 8 * 2 ** 30, 4 * 2 ** 30)).toBe(64); // 256·0.8/2 = 102 → 64
    expect(batchSizeThatFits(64, 5 * 2 ** 30, 4 * 2 ** 30)).toBe(32); // 51 → 32
    expect(batchSizeThatFits(2, 100 * 2 ** 30, 2 ** 30)).toBe(1);
  });

  it('becomes a one-line InputError naming the batch size and one that fits', async () => {
    const { trainWithin } = await import('../../src/cli/commands/train.js');
    const { WasmMemoryError, InputError: IE } = await import('../../src/errors.js');
    const cfg = { batchSize: 128, model: 'resnet18' } as Parameters<typeof trainWithin>[0];
    const oom = () => {
      throw new WasmMemoryError('out of WASM memory', 6 * 2 ** 30, 4 * 2 ** 30);
    };
    expect(() => trainWithin(cfg, oom)).toThrow(IE);
    expect(() => trainWithin(cfg, oom)).toThrow(
      'out of WASM memory at --batch-size 128 (resnet18): a kernel needed 6144 MiB, the engine gives 4096 MiB; --batch-size 64 should fit',
    );
    expect(() => trainWithin(cfg, () => { throw new RangeError('other'); })).toThrow(RangeError);
    expect(trainWithin(cfg, () => 7)).toBe(7);
  });
});
