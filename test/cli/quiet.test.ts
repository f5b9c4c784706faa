// Progress goes to stderr as plain lines off a terminal; --quiet prints none, and stdout keeps the results.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { runCli, tempDir, TINY_TRAIN } from '../helpers/cli.js';

describe('progress on stderr, and --quiet', () => {
  const dir = tempDir();
  const run = join(dir, 'run');

  it('train reports the stages and the feature extraction in plain lines; --quiet prints nothing', () => {
    const loud = runCli(['train', ...TINY_TRAIN, '--out', run]);
    expect(loud.code, loud.stderr).toBe(0);
    expect(loud.stderr).not.toMatch(/[\r\x1b]/);
    expect(loud.stderr).toMatch(/^stage 1 epoch 1\/1 step 6\/6 {2}[\d.]+ img\/s {2}elapsed \d+:\d\d {2}stage done {2}loss \d\.\d{4} {2}val acc \d+\.\d%$/m);
    expect(loud.stderr).toMatch(/^stage 2 epoch 1\/1 step 6\/6 .*val acc \d+\.\d%$/m);
    expect(loud.stderr).toMatch(/^features \(train\): 173 images in \d+:\d\d$/m);

    const quiet = runCli(['train', ...TINY_TRAIN, '--out', join(dir, 'quiet'), '--quiet']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(existsSync(join(dir, 'quiet', 'metrics.json'))).toBe(true);
  }, 240_000);

  it('eval reports feature extraction and evaluation; --quiet prints only the result', () => {
    const args = ['eval', '--checkpoint', run, '--test-samples', '50', '--json'];
    const loud = runCli(args);
    expect(loud.code, loud.stderr).toBe(0);
    expect(loud.stderr).toMatch(/^features \(test\): 50 images in \d+:\d\d\nevaluate channel-aware gate, analog link: 50 images in \d+:\d\d\n$/);
    const quiet = runCli([...args, '--quiet']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(loud.stdout);
    expect(JSON.parse(quiet.stdout).samples).toBe(50);
  }, 120_000);

  it('demo with --quiet prints its table on stdout and nothing on stderr', () => {
    const r = runCli(['demo', ...TINY_TRAIN, '--digital-codes', 'none', '--out', join(dir, 'demo'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Test accuracy');
  }, 240_000);

  it('ber takes --quiet', () => {
    const r = runCli(['ber', '--code', 'none', '--ebn0-db', '0', '--max-frames', '64', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/BER/);
  });
});
