import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, readFileSync, writeFileSync, readdirSync, truncateSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { expectOneLineError, runCli, tempDir, TINY_TRAIN } from '../helpers/cli.js';


describe('wmoe bad input', () => {
  const cases: [string, string[], string][] = [
    ['k > K', ['train', '--experts', '2', '--top-k', '3'], '3'],
    ['K < 1', ['train', '--experts', '0'], "'0'"],
    ['unknown model', ['train', '--model', 'resnet99'], 'resnet99'],
    ['unknown dataset', ['train', '--dataset', 'imagenet'], 'imagenet'],
    ['unknown backend', ['train', '--backend', 'webgpu'], 'webgpu'],
    ['bad SNR range', ['train', '--snr-range', '20:-10'], '20:-10'],
    ['NaN SNR range', ['train', '--snr-range', 'NaN:3'], 'NaN:3'],
    ['unknown gate', ['eval', '--checkpoint', '/nonexistent', '--gate', 'magic'], 'magic'],
    ['NaN SNR', ['eval', '--checkpoint', '/nonexistent', '--snr-db', '1,NaN,3,4'], 'NaN'],
    ['unparsable SNR', ['eval', '--checkpoint', '/nonexistent', '--snr-db', '1,abc,3,4'], 'abc'],
    ['missing checkpoint', ['eval', '--checkpoint', '/nonexistent/ckpt'], '/nonexistent/ckpt'],
    ['unknown command', ['fly'], 'fly'],
    ['code rate the standard lacks', ['train', '--link', 'digital', '--code', '80211n:648:7/8'], '7/8'],
    ['lifting size not in TS 38.212', ['train', '--link', 'digital', '--code', '5gnr:bg1:z17'], '17'],
    ['quantiser bits out of range', ['train', '--link', 'digital', '--bits', '17'], '17'],
    ['unknown modulation', ['train', '--link', 'digital', '--modulation', '64qam'], '64qam'],
    ['digital flag without the digital link', ['train', '--code', '80211n:648:1/2'], '--code'],
  ];
  for (const [name, args, needle] of cases) {
    it(`${name}: one-line error naming the value, no output written`, () => {
      const out = join(tempDir(), 'run');
      const r = runCli([...args, ...(args[0] === 'train' ? ['--out', out] : [])]);
      expectOneLineError(r, needle);
      expect(existsSync(out)).toBe(false);
    });
  }

  describe('corrupt checkpoints', () => {
    let good: string;
    beforeAll(() => {
      good = join(tempDir(), 'ckpt');
      const r = runCli(['train', ...TINY_TRAIN, '--out', good]);
      expect(r.code, r.stderr).toBe(0);
    });

    it('leaves no temporary files next to the checkpoint', () => {
      expect(readdirSync(join(good, '..'))).toEqual(['ckpt']);
    });

    it('truncated weights.bin', () => {
      const dir = join(tempDir(), 'ckpt');
      cpSync(good, dir, { recursive: true });
      truncateSync(join(dir, 'weights.bin'), 1000);
      expectOneLineError(runCli(['eval', '--checkpoint', dir, '--json']), 'truncated');
    });

    it('shapes that do not match the config', () => {
      const dir = join(tempDir(), 'ckpt');
      cpSync(good, dir, { recursive: true });
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      config.moe.experts = 3;
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
      expectOneLineError(runCli(['eval', '--checkpoint', dir, '--json']), 'experts/dense1/kernel');
    });

    it('flipped weight bytes', () => {
      const dir = join(tempDir(), 'ckpt');
      cpSync(good, dir, { recursive: true });
      const bytes = readFileSync(join(dir, 'weights.bin'));
      bytes[100] ^= 0xff;
      writeFileSync(join(dir, 'weights.bin'), bytes);
      expectOneLineError(runCli(['eval', '--checkpoint', dir, '--json']), 'corrupt');
    });

    it('SNR list of the wrong length for K', () => {
      expectOneLineError(runCli(['eval', '--checkpoint', good, '--snr-db', '1,2,3']), 'K = 4');
    });
  });
});
