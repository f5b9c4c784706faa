// `wmoe demo` stopped (SIGKILL) during training, or after training but before its tables, and
// continued with `wmoe demo --resume DIR` ends with the same comparison as a demo never stopped.
import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectOneLineError, runCli, runCliAndKill, tempDir } from '../helpers/cli.js';
import { decodeTrainState } from '../../src/train/train_state.js';

const STATE = 'resume-state.bin';
const ARGS = [
  'demo', '--train-samples', '384', '--test-samples', '96', '--stage1-epochs', '3', '--stage2-epochs', '2', '--batch-size', '32',
  '--seed', '5', '--digital-codes', '80211n:648:1/2', '--quiet',
];

/** comparison.json of a finished demo in `dir`. */
const comparison = (dir: string) => JSON.parse(readFileSync(join(dir, 'comparison.json'), 'utf8'));

/** The table a demo prints (its stdout without the last line, which names the directory). */
const table = (stdout: string) => stdout.slice(0, stdout.lastIndexOf('\nwrote '));

describe('wmoe demo --resume', () => {
  let reference: unknown;
  let referenceTable: string;
  beforeAll(() => {
    const dir = join(tempDir(), 'ref');
    const r = runCli([...ARGS, '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    reference = comparison(dir);
    referenceTable = table(r.stdout);
  }, 240_000);

  it('a demo killed in stage 1 and resumed gives the same comparison', async () => {
    const dir = join(tempDir(), 'run');
    await runCliAndKill([...ARGS, '--out', dir], () => {
      const path = join(dir, STATE);
      if (!existsSync(path)) return undefined;
      const { state } = decodeTrainState(readFileSync(path), path).state;
      return state.stage === 1 && state.epochs >= 1 ? true : undefined;
    });
    expect(existsSync(join(dir, 'comparison.json'))).toBe(false);
    // A fresh demo into the unfinished run is refused, not overwritten.
    expectOneLineError(runCli([...ARGS, '--out', dir]), `'${dir}' holds an unfinished run (${STATE}): continue it with --resume ${dir}, or give another --out`);
    const r = runCli(['demo', '--resume', dir, '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(comparison(dir)).toEqual(reference);
    expect(JSON.parse(readFileSync(join(dir, 'timings.json'), 'utf8')).sessions).toBe(2);
  }, 240_000);

  it('a demo stopped by --stop-after-minutes does not record that flag: resumed without it, it runs to the same comparison', () => {
    const dir = join(tempDir(), 'run');
    const r = runCli([...ARGS, '--stop-after-minutes', '0.0001', '--out', dir]);
    expect(r.code, r.stderr).toBe(75);
    expect(r.stderr).toBe(`wmoe: stopped as asked (--stop-after-minutes 0.0001 had passed): the state at step 1 of epoch 1 of stage 1 is saved in ${dir}; continue with --resume ${dir}\n`);
    expect(JSON.parse(readFileSync(join(dir, 'demo-flags.json'), 'utf8')).argv).not.toContain('--stop-after-minutes');
    const resumed = runCli(['demo', '--resume', dir, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(comparison(dir)).toEqual(reference);
  }, 240_000);

  it('a demo killed after training, before its tables, resumes from the checkpoint; its comparisons, stopped between parts, resume with the same comparison', async () => {
    const dir = join(tempDir(), 'run');
    await runCliAndKill([...ARGS, '--out', dir], () => (existsSync(join(dir, 'timings.json')) && !existsSync(join(dir, STATE)) ? true : undefined));
    expect(existsSync(join(dir, 'comparison.json'))).toBe(false);
    expect(existsSync(join(dir, STATE))).toBe(false);
    // Two sessions stopped by a time limit, each after the first comparison part it runs.
    const limit = ['--quiet', '--stop-after-minutes', '0.0001'];
    const parts = join(dir, 'demo-parts');
    const first = runCli(['demo', '--resume', dir, ...limit]);
    expect(first.code, first.stderr).toBe(75);
    expect(first.stderr).toBe(
      `wmoe: stopped as asked (--stop-after-minutes 0.0001 had passed): the demo's comparisons done so far (up to perfect and analog rows) are saved in ${parts}; continue with --resume ${dir}\n`,
    );
    expect(readdirSync(parts)).toEqual(['perfect and analog rows.json']);
    const second = runCli(['demo', '--resume', dir, ...limit]);
    expect(second.code, second.stderr).toBe(75);
    expect(second.stderr).toMatch(/\(up to digital-80211n_648_1_2\)/);
    expect(existsSync(join(dir, 'digital-80211n_648_1_2', 'weights.bin'))).toBe(true);
    expect(existsSync(join(dir, 'comparison.json'))).toBe(false);
    // The last session runs no part again, and ends with the same comparison and table.
    const r = runCli(['demo', '--resume', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('perfect and analog rows: done in an earlier session\ndigital-80211n_648_1_2: done in an earlier session\n');
    expect(r.stderr).not.toContain('stage 2 over the digital link');
    expect(comparison(dir)).toEqual(reference);
    expect(table(r.stdout)).toBe(referenceTable);
    expect(existsSync(parts)).toBe(false);
    // Finished: nothing left to resume.
    expectOneLineError(runCli(['demo', '--resume', dir]), `--resume '${dir}': that demo has finished (its comparison.json is written)`);
  }, 240_000);

  it('refuses other flags with --resume, and a directory that holds no demo (one-line errors)', () => {
    const dir = tempDir();
    expectOneLineError(
      runCli(['demo', '--resume', dir, '--seed', '2']),
      '--resume continues the demo with the flags it recorded: --seed cannot be given with it (only --threads, --spin, --quiet, --checkpoint-minutes, --stop-after-minutes)',
    );
    expectOneLineError(runCli(['demo', '--resume', dir]), `--resume '${dir}': no demo-flags.json there, so it holds no demo run to continue`);
    writeFileSync(join(dir, 'demo-flags.json'), '{"argv": 3}');
    expectOneLineError(runCli(['demo', '--resume', dir]), `--resume '${dir}': ${join(dir, 'demo-flags.json')} has no argv list of strings`);
    writeFileSync(join(dir, 'demo-flags.json'), '{"argv": []}');
    expectOneLineError(
      runCli(['demo', '--resume', dir]),
      `--resume '${dir}': neither a training state (${STATE}) nor a checkpoint: the demo stopped before its first epoch ended; start it again`,
    );
  }, 120_000);
});
