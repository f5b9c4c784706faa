// `--simd auto|relaxed|plain` (src/cli/backend.ts takeSimdFlag) and the CLI's relaxed SIMD on
// Node 20 (src/cli/relaxed_simd.ts): the CLI process runs the relaxed-SIMD build by default, also
// where vitest's own Node would not validate it, and records the build in timings.json.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { takeSimdFlag } from '../../src/cli/backend.js';
import { InputError } from '../../src/errors.js';
import { expectOneLineError, runCli, tempDir, TINY_TRAIN } from '../helpers/cli.js';

describe('takeSimdFlag', () => {
  it('removes --simd VALUE and --simd=VALUE wherever they stand and keeps the other arguments in order', () => {
    expect(takeSimdFlag(['train', '--simd', 'plain', '--seed', '3'])).toEqual(['train', '--seed', '3']);
    expect(takeSimdFlag(['--simd=relaxed', 'eval', '--json'])).toEqual(['eval', '--json']);
    expect(takeSimdFlag(['info'])).toEqual(['info']);
  });

  it('rejects a missing or unknown value, naming it', () => {
    expect(() => takeSimdFlag(['info', '--simd', 'fast'])).toThrow(InputError);
    expect(() => takeSimdFlag(['info', '--simd', 'fast'])).toThrow("--simd must be auto, relaxed or plain, got 'fast'");
    expect(() => takeSimdFlag(['info', '--simd'])).toThrow("--simd must be auto, relaxed or plain, got ''");
  });
});

describe('wmoe --simd', () => {
  it('info says which build runs: relaxed by default (the CLI turns relaxed SIMD on in Node 20), plain with --simd plain', () => {
    const auto = runCli(['info', '--json']);
    expect(auto.code, auto.stderr).toBe(0);
    expect(JSON.parse(auto.stdout).wasmSimd).toBe('relaxed');
    const plain = runCli(['info', '--simd', 'plain']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/kernels: backend wmoe runs its plain SIMD WASM build in this process/);
    expectOneLineError(runCli(['info', '--simd=fast']), "--simd must be auto, relaxed or plain, got 'fast'");
  });

  it('train records the build in timings.json; relaxed and plain train to different bits, each reproducibly', () => {
    const train = (simd: string[]) => {
      const dir = join(tempDir(), 'run');
      const r = runCli(['train', ...TINY_TRAIN, '--seed', '5', '--threads', '1', '--quiet', '--out', dir, ...simd]);
      expect(r.code, r.stderr).toBe(0);
      return { timings: JSON.parse(readFileSync(join(dir, 'timings.json'), 'utf8')), weights: readFileSync(join(dir, 'weights.bin')) };
    };
    const relaxed = train([]), plain = train(['--simd', 'plain']), plainAgain = train(['--simd', 'plain']);
    expect(relaxed.timings.simd).toBe('relaxed');
    expect(plain.timings.simd).toBe('plain');
    expect(Buffer.compare(plainAgain.weights, plain.weights)).toBe(0);
    expect(Buffer.compare(relaxed.weights, plain.weights)).not.toBe(0);
  });

  it('bench coding --json records the build its analog link ran on', () => {
    const r = runCli(['bench', 'coding', '--codes', '80211n:648:1/2', '--vectors', '4', '--reps', '1', '--json', '--simd', 'plain']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).wasmSimd).toBe('plain');
  });

  it('--simd relaxed or plain with another backend is an error', () => {
    expectOneLineError(runCli(['train', ...TINY_TRAIN, '--backend', 'cpu', '--simd', 'plain', '--out', join(tempDir(), 'run')]), "--simd plain applies to backend wmoe only, not 'cpu'");
  });
});
