// `wmoe train` killed (SIGKILL) mid-run and continued with --resume ends bit-identical to a run
// that never stopped, in either stage.
import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectOneLineError, runCli, runCliAndKill, runCliPolling, tempDir } from '../helpers/cli.js';
import { decodeTrainState } from '../../src/train/train_state.js';

const CLI = new URL('../../dist/cli/wmoe.mjs', import.meta.url).pathname;
const STATE = 'resume-state.bin';

/** A small run with every source of randomness on: augmentation, validation split, schedule, decay. */
const ARGS = [
  'train', '--train-samples', '256', '--test-samples', '64', '--stage1-epochs', '4', '--stage2-epochs', '4', '--batch-size', '32',
  '--seed', '3', '--augment', 'crop-flip', '--lr-schedule', 'cosine', '--warmup-epochs', '1', '--weight-decay', '0.01', '--quiet',
];

/** The saved state's stage and epochs, or undefined when there is none (yet). */
function savedAt(dir: string): [number, number] | undefined {
  const path = join(dir, STATE);
  if (!existsSync(path)) return undefined;
  const { state } = decodeTrainState(readFileSync(path), path).state;
  return [state.stage, state.epochs];
}

/** Runs `wmoe train ...ARGS --out dir` and kills it once the state saved after epoch 2 of `stage` appears. */
function trainAndKill(dir: string, stage: 1 | 2): Promise<[number, number]> {
  return runCliAndKill([...ARGS, '--out', dir], () => {
    const at = savedAt(dir);
    return at && at[0] === stage && at[1] >= 2 ? at : undefined;
  });
}

describe('wmoe train --resume', () => {
  let reference: { metrics: string; weights: Buffer; config: string };

  beforeAll(() => {
    const dir = join(tempDir(), 'ref');
    const r = runCli([...ARGS, '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, STATE))).toBe(false);
    reference = {
      metrics: readFileSync(join(dir, 'metrics.json'), 'utf8'),
      weights: readFileSync(join(dir, 'weights.bin')),
      config: readFileSync(join(dir, 'config.json'), 'utf8'),
    };
  }, 240_000);

  it.each([1, 2] as const)('a run killed with SIGKILL in stage %i after epoch 2 and resumed is bit-identical to one never stopped', async (stage) => {
    const dir = join(tempDir(), 'run');
    const killedAt = await trainAndKill(dir, stage);
    expect(killedAt[0]).toBe(stage);
    // Killed mid-run: a state to resume from, and no results yet.
    expect(existsSync(join(dir, 'metrics.json'))).toBe(false);
    const saved = savedAt(dir)!;
    expect(saved[0]).toBe(stage);
    expect(saved[1]).toBeGreaterThanOrEqual(2);

    const r = runCli(['train', '--resume', dir, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'metrics.json'), 'utf8')).toBe(reference.metrics);
    expect(Buffer.compare(readFileSync(join(dir, 'weights.bin')), reference.weights)).toBe(0);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(reference.config);
    expect(existsSync(join(dir, STATE))).toBe(false);
    const timings = JSON.parse(readFileSync(join(dir, 'timings.json'), 'utf8'));
    expect(timings.sessions).toBe(2);
  }, 240_000);

  it('a run killed inside a stage-1 epoch (states saved every few ms by --checkpoint-minutes) resumes mid-epoch, bit-identical', async () => {
    const dir = join(tempDir(), 'mid');
    const path = join(dir, STATE);
    const killedAt = await runCliAndKill([...ARGS, '--checkpoint-minutes', '0.0001', '--out', dir], () => {
      if (!existsSync(path)) return undefined;
      const { state } = decodeTrainState(readFileSync(path), path).state;
      return state.stage === 1 && state.epochs === 1 && (state.step ?? 0) > 0 ? state.step : undefined;
    });
    expect(killedAt).toBeGreaterThan(0);
    const r = runCli(['train', '--resume', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/after stage 1, epoch 1 of 4 and step \d+ of epoch 2/);
    expect(readFileSync(join(dir, 'metrics.json'), 'utf8')).toBe(reference.metrics);
    expect(Buffer.compare(readFileSync(join(dir, 'weights.bin')), reference.weights)).toBe(0);
  }, 240_000);

  /** Expects the run in `dir` to have stopped as asked: exit 75, one line naming why and where, a state, no results. */
  function expectStopped(r: { code: number | null; stdout: string; stderr: string }, dir: string, why: string, where: string) {
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`wmoe: stopped as asked (${why}): the state ${where} is saved in ${dir}; continue with --resume ${dir}\n`);
    expect(r.code).toBe(75);
    expect(existsSync(join(dir, STATE))).toBe(true);
    expect(existsSync(join(dir, 'metrics.json'))).toBe(false);
  }

  /** Expects the finished run in `dir` to equal the one that never stopped. */
  function expectReference(dir: string) {
    expect(readFileSync(join(dir, 'metrics.json'), 'utf8')).toBe(reference.metrics);
    expect(Buffer.compare(readFileSync(join(dir, 'weights.bin')), reference.weights)).toBe(0);
    expect(existsSync(join(dir, STATE))).toBe(false);
  }

  it('a run asked to stop by DIR/STOP saves its state, exits 75 with one line and removes the file; resumed, it is bit-identical', async () => {
    const dir = join(tempDir(), 'stop');
    const stop = join(dir, 'STOP');
    let asked = false;
    const r = await runCliPolling([...ARGS, '--out', dir], () => {
      if (!asked && savedAt(dir)) {
        writeFileSync(stop, '');
        asked = true;
      }
    });
    // Where the saved state is, read from it.
    const { state } = decodeTrainState(readFileSync(join(dir, STATE)), STATE).state;
    const where = state.step ? `at step ${state.step} of epoch ${state.epochs + 1} of stage ${state.stage}` : `after epoch ${state.epochs} of stage ${state.stage}`;
    expectStopped(r, dir, `${stop} asked it to`, where);
    expect(existsSync(stop)).toBe(false);
    const resumed = runCli(['train', '--resume', dir, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expectReference(dir);
  }, 240_000);

  it('--stop-after-minutes stops each session at its limit (here after one step); a STOP file left from before is removed, not obeyed', () => {
    const dir = join(tempDir(), 'limit');
    expectStopped(runCli([...ARGS, '--stop-after-minutes', '0.0001', '--out', dir]), dir, '--stop-after-minutes 0.0001 had passed', 'at step 1 of epoch 1 of stage 1');
    expectStopped(runCli(['train', '--resume', dir, '--quiet', '--stop-after-minutes', '0.0001']), dir, '--stop-after-minutes 0.0001 had passed', 'at step 2 of epoch 1 of stage 1');
    writeFileSync(join(dir, 'STOP'), '');
    const r = runCli(['train', '--resume', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`removed ${join(dir, 'STOP')}: it was there before this session started\n`);
    expectReference(dir);
    expect(JSON.parse(readFileSync(join(dir, 'timings.json'), 'utf8')).sessions).toBe(3);
  }, 240_000);

  it('a run started on the plain SIMD build resumes on it (not the default relaxed one), bit-identical; --simd relaxed is refused', async () => {
    const ref = join(tempDir(), 'plain-ref');
    expect(runCli([...ARGS, '--simd', 'plain', '--out', ref]).code).toBe(0);
    const dir = join(tempDir(), 'plain');
    await runCliAndKill([...ARGS, '--simd', 'plain', '--out', dir], () => {
      const at = savedAt(dir);
      return at && at[0] === 1 && at[1] >= 2 ? at : undefined;
    });
    expectOneLineError(
      runCli(['train', '--resume', dir, '--simd', 'relaxed']),
      `the run in '${dir}' ran on the plain SIMD build: it continues on that build only (bit-identical to a run that never stopped), not --simd relaxed`,
    );
    const r = runCli(['train', '--resume', dir, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(join(dir, 'weights.bin')), readFileSync(join(ref, 'weights.bin')))).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'timings.json'), 'utf8')).simd).toBe('plain');
  }, 240_000);

  it('refuses training flags with --resume, a finished run, a corrupt state, and a fresh run into an unfinished one (one-line errors)', async () => {
    const dir = join(tempDir(), 'run');
    await trainAndKill(dir, 1);
    expectOneLineError(
      runCli(['train', '--resume', dir, '--seed', '4']),
      '--resume continues the run with the flags it recorded: --seed cannot be given with it (only --threads, --spin, --quiet, --checkpoint-minutes, --stop-after-minutes)',
    );
    expectOneLineError(
      runCli([...ARGS, '--out', dir]),
      `'${dir}' holds an unfinished run (${STATE}): continue it with --resume ${dir}, or give another --out`,
    );
    const path = join(dir, STATE);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 100));
    expectOneLineError(runCli(['train', '--resume', dir]), new RegExp(`resume state '${path}' is truncated: .*`));
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(path, bytes);
    expectOneLineError(runCli(['train', '--resume', dir]), new RegExp(`resume state '${path}' is corrupt: FNV-1a .*`));
    writeFileSync(path, 'not a state');
    expectOneLineError(runCli(['train', '--resume', dir]), `resume state '${path}' is not a wmoe training state`);

    const finished = join(tempDir(), 'done');
    expect(runCli(['train', '--train-samples', '64', '--test-samples', '32', '--epochs', '1', '--quiet', '--out', finished]).code).toBe(0);
    expectOneLineError(runCli(['train', '--resume', finished]), `the run in '${finished}' is finished: nothing to resume (no ${STATE})`);
    expectOneLineError(runCli(['train', '--resume', join(finished, 'nope')]), `run directory '${join(finished, 'nope')}' does not exist`);
  }, 240_000);
});
