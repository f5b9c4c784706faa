// `wmoe demo --resume DIR`: a long demo (full datasets, many epochs, big models) stopped at any point
// continues where it stopped. A demo records its flags in DIR (demo-flags.json) before it trains;
// --resume reads them back and
//   - while training is unfinished (DIR holds the training state), continues the training exactly
//     as `wmoe train --resume` does (bit-identical to a run that never stopped), then runs the
//     comparisons;
//   - once training has finished (DIR holds the checkpoint, no comparison.json yet), loads the
//     checkpoint, recomputes the frozen backbone's features of the same data split and runs the
//     comparisons (the digital links' stage 2 and every table) from there, with the same results.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../data/index.js';
import { InputError } from '../../errors.js';
import { loadCheckpoint } from '../../train/checkpoint.js';
import { resolveTrainConfig, type TrainConfig } from '../../train/config.js';
import { prepareData } from '../../train/data_prep.js';
import { extractFeatures } from '../../train/features.js';
import { hasTrainState, TRAIN_STATE_FILE } from '../../train/train_state_file.js';
import { parseBackend, parseThreads, parseSpin, resumeSimdBuild, useBackend } from '../backend.js';
import { progressBar } from '../progress.js';
import { parseStopAfterMinutes, sessionStopRequest } from '../stop_request.js';
import { RESUME_FLAGS, resumeTraining } from './train.js';

/** The file in a demo's --out that records its flags, for --resume. */
export const DEMO_FLAGS_FILE = 'demo-flags.json';

/** Flags --resume takes besides DIR: how to run, not what to run (the demo recorded that); train --resume's. */
export const DEMO_RESUME_FLAGS = RESUME_FLAGS;

/** Records the demo's command-line flags (without those of {@link DEMO_RESUME_FLAGS}: how to run, not what) in `out`. */
export function writeDemoFlags(out: string, argv: readonly string[]): void {
  writeFileSync(join(out, DEMO_FLAGS_FILE), JSON.stringify({ argv: withoutRuntimeFlags(argv) }, null, 2) + '\n');
}

/** `argv` without the flags of {@link DEMO_RESUME_FLAGS} (and their values). */
function withoutRuntimeFlags(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2).split('=')[0] : '';
    if ((DEMO_RESUME_FLAGS as readonly string[]).includes(name)) {
      if (name !== 'quiet' && !argv[i].includes('=')) i++;
      continue;
    }
    kept.push(argv[i]);
  }
  return kept;
}

/**
 * The flags the demo in `dir` was started with (as recorded by {@link writeDemoFlags}); a one-line
 * InputError when `dir` is no demo run, is already finished, or the record is unreadable.
 */
export function readDemoFlags(dir: string): string[] {
  if (!existsSync(dir)) throw new InputError(`--resume '${dir}': no such directory`);
  const path = join(dir, DEMO_FLAGS_FILE);
  if (!existsSync(path)) throw new InputError(`--resume '${dir}': no ${DEMO_FLAGS_FILE} there, so it holds no demo run to continue`);
  if (existsSync(join(dir, 'comparison.json'))) throw new InputError(`--resume '${dir}': that demo has finished (its comparison.json is written)`);
  let argv: unknown;
  try {
    argv = (JSON.parse(readFileSync(path, 'utf8')) as { argv?: unknown }).argv;
  } catch {
    throw new InputError(`--resume '${dir}': ${path} is not valid JSON`);
  }
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw new InputError(`--resume '${dir}': ${path} has no argv list of strings`);
  return argv as string[];
}

/** The runtime flags of a --resume call. */
export interface DemoRuntimeFlags {
  threads?: string;
  spin?: string;
  quiet?: boolean;
  'checkpoint-minutes'?: string;
  'stop-after-minutes'?: string;
}

/**
 * The trained model of the demo in `dir`, and what the comparisons need: continues unfinished
 * training (see {@link resumeTraining}), or loads the finished checkpoint and recomputes the
 * features of the data split it was trained on (the backbone is frozen after stage 1, so these are
 * the features training ended with); and this session's stop request (see stop_request.ts).
 */
export async function continueDemoTraining(dir: string, runtime: DemoRuntimeFlags) {
  if (hasTrainState(dir)) return resumeTraining(dir, runtime);
  if (!existsSync(join(dir, 'weights.bin'))) {
    throw new InputError(`--resume '${dir}': neither a training state (${TRAIN_STATE_FILE}) nor a checkpoint: the demo stopped before its first epoch ended; start it again`);
  }
  const stopAfterMinutes = parseStopAfterMinutes(runtime['stop-after-minutes']);
  const stop = sessionStopRequest(dir, stopAfterMinutes, runtime.quiet);
  const timings = readTimings(dir);
  const backend = parseBackend(timings.backend);
  const threads = runtime.threads !== undefined || timings.threads === undefined ? parseThreads(runtime.threads, backend) : timings.threads;
  const simd = backend === 'wmoe' ? resumeSimdBuild(timings.simd, `the demo in '${dir}'`) : undefined;
  await useBackend(backend, threads, parseSpin(runtime.spin, backend), simd);
  const { model, meta, stage2Link } = loadCheckpoint(dir);
  try {
    if (!meta?.train || !stage2Link) throw new InputError(`--resume '${dir}': the checkpoint records no training config or stage-2 link`);
    const cfg = resolveTrainConfig(meta.train as unknown as TrainConfig);
    if (!runtime.quiet) process.stderr.write(`resuming the demo in ${dir}: training had finished; running the comparisons\n`);
    const data = await loadDataset(cfg.dataset, { dataDir: cfg.dataDir, labels: cfg.labels });
    const { train, validation, test } = prepareData(cfg, data);
    const progress = progressBar({ quiet: runtime.quiet });
    const features = {
      test: extractFeatures(model, test, { progress, label: 'features (test)' }),
      train: extractFeatures(model, train, { progress, label: 'features (train)' }),
      validation: extractFeatures(model, validation, { progress, label: 'features (validation)' }),
    };
    return { model, cfg, features, out: dir, stop };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** The backend, threads and SIMD build a finished run recorded in timings.json (empty when absent). */
function readTimings(dir: string): { backend?: string; threads?: number; simd?: string } {
  const path = join(dir, 'timings.json');
  if (!existsSync(path)) return {};
  try {
    const t = JSON.parse(readFileSync(path, 'utf8')) as { backend?: unknown; threads?: unknown; simd?: unknown };
    return {
      ...(typeof t.backend === 'string' ? { backend: t.backend } : {}),
      ...(Number.isInteger(t.threads) ? { threads: t.threads as number } : {}),
      ...(typeof t.simd === 'string' ? { simd: t.simd } : {}),
    };
  } catch {
    throw new InputError(`--resume '${dir}': ${path} is not valid JSON`);
  }
}
