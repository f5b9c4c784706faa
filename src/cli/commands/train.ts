import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadDataset } from '../../data/index.js';
import { MODEL_NAMES } from '../../models/backbone.js';
import { DATASET_NAMES, LABEL_SETS } from '../../data/names.js';
import {
  AUGMENTATIONS,
  DEFAULT_TRAIN_CONFIG,
  modelTrainDefaults,
  PACKAGE_TRAIN_DEFAULTS,
  resolveTrainConfig,
  type ModelTrainDefaults,
  type ResolvedTrainConfig,
  type TrainConfig,
} from '../../train/config.js';
import { parseModelOptions } from '../model_flags.js';
import { trainMoe, type TrainMetrics } from '../../train/train.js';
import { linkRecordOf, writeRunDirectory } from '../../train/checkpoint.js';
import { parseSnrRange } from '../../link/snr.js';
import type { Link } from '../../link/index.js';
import { LINK_FLAGS, linkFromFlags } from '../link_flags.js';
import type { DistributedMoE } from '../../moe/model.js';
import { parseBackend, parseThreads, useBackend, type BackendName } from '../backend.js';
import { parseChoice, parseFlags, parseIntFlag, parseNumberFlag, parseSeedFlag } from '../args.js';
import { InputError, WasmMemoryError, batchSizeThatFits } from '../../errors.js';
import { progressBar } from '../progress.js';

/**
 * Flags shared by `wmoe train` and `wmoe demo`. Integer bounds (args.ts INT_FLAG_MAX): --experts
 * and --top-k ≤ 64, --batch-size ≤ 1024, epochs ≤ 1000, --seed < 2^31.
 */
export const TRAIN_FLAGS = {
  model: { type: 'string' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  labels: { type: 'string' },
  'model-options': { type: 'string' },
  validation: { type: 'string' },
  augment: { type: 'string' },
  'no-normalise': { type: 'boolean' },
  quiet: { type: 'boolean' },
  experts: { type: 'string' },
  'top-k': { type: 'string' },
  epochs: { type: 'string' },
  'stage1-epochs': { type: 'string' },
  'stage2-epochs': { type: 'string' },
  'snr-range': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  out: { type: 'string' },
  'batch-size': { type: 'string' },
  'train-samples': { type: 'string' },
  'test-samples': { type: 'string' },
  ...LINK_FLAGS,
  'load-balance': { type: 'string' },
  'expert-loss': { type: 'string' },
  'stage2-load-balance': { type: 'string' },
  'stage2-importance': { type: 'string' },
  'stage1-lr': { type: 'string' },
  'stage2-lr': { type: 'string' },
  threads: { type: 'string' },
} as const;

type Flags = Partial<Record<Exclude<keyof typeof TRAIN_FLAGS, 'no-normalise' | 'quiet'>, string>> & { 'no-normalise'?: boolean; quiet?: boolean };

/**
 * Builds and validates a training config from flags (before anything is loaded or written);
 * settings whose flag is absent and that depend on the model are the model's (the library's
 * {@link resolveTrainConfig} fills them in).
 */
export function trainConfigFromFlags(v: Flags, defaults = DEFAULT_TRAIN_CONFIG): { cfg: ResolvedTrainConfig; backend: BackendName; link: Link; threads: number } {
  const epochs = parseIntFlag('epochs', v.epochs, -1, 0);
  const model = parseChoice('model', v.model, MODEL_NAMES, defaults.model);
  const cfg: TrainConfig = {
    ...defaults,
    model,
    ...(v['stage1-lr'] !== undefined ? { stage1LearningRate: parseNumberFlag('stage1-lr', v['stage1-lr'], NaN) } : {}),
    stage2LearningRate: parseNumberFlag('stage2-lr', v['stage2-lr'], defaults.stage2LearningRate),
    dataset: parseChoice('dataset', v.dataset, DATASET_NAMES, defaults.dataset),
    experts: parseIntFlag('experts', v.experts, defaults.experts, 1),
    topK: parseIntFlag('top-k', v['top-k'], defaults.topK, 1),
    stage1Epochs: parseIntFlag('stage1-epochs', v['stage1-epochs'], epochs >= 0 ? epochs : defaults.stage1Epochs, 0),
    stage2Epochs: parseIntFlag('stage2-epochs', v['stage2-epochs'], epochs >= 0 ? epochs : defaults.stage2Epochs, 0),
    snrRange: v['snr-range'] === undefined ? defaults.snrRange : parseSnrRange(v['snr-range']),
    seed: parseSeedFlag(v.seed, defaults.seed),
    batchSize: parseIntFlag('batch-size', v['batch-size'], defaults.batchSize, 1),
    trainSamples: parseIntFlag('train-samples', v['train-samples'], defaults.trainSamples, 0),
    testSamples: parseIntFlag('test-samples', v['test-samples'], defaults.testSamples, 0),
    stage1LoadBalance: parseNumberFlag('load-balance', v['load-balance'], defaults.stage1LoadBalance),
    ...(v['expert-loss'] !== undefined ? { stage1ExpertLoss: parseNumberFlag('expert-loss', v['expert-loss'], NaN) } : {}),
    stage2LoadBalance: parseNumberFlag('stage2-load-balance', v['stage2-load-balance'], defaults.stage2LoadBalance),
    stage2Importance: parseNumberFlag('stage2-importance', v['stage2-importance'], defaults.stage2Importance),
    validationFraction: parseNumberFlag('validation', v.validation, defaults.validationFraction),
    augment: parseChoice('augment', v.augment, ['auto', ...AUGMENTATIONS] as const, defaults.augment),
    normalise: v['no-normalise'] ? false : defaults.normalise,
    ...(v['model-options'] !== undefined ? { modelOptions: parseModelOptions(v['model-options']) } : {}),
    ...(v['data-dir'] !== undefined ? { dataDir: resolve(v['data-dir']) } : {}),
    ...(v.labels !== undefined ? { labels: parseChoice('labels', v.labels, LABEL_SETS, 'fine') } : {}),
    inputShape: [32, 32, 1],
    classes: 10,
  };
  // The input shape is the dataset's; validate the model's options against 32x32 now (every
  // dataset here is 32x32) so a bad option fails before any data is read.
  if (cfg.dataset.startsWith('cifar')) cfg.inputShape = [32, 32, 3];
  if (cfg.topK > cfg.experts) throw new InputError(`--top-k ${cfg.topK} exceeds --experts ${cfg.experts}: each sample goes to k of the K experts`);
  const resolved = resolveTrainConfig(cfg);
  const backend = parseBackend(v.backend);
  const threads = parseThreads(v.threads, backend);
  const link = linkFromFlags(v, 'analog');
  return { cfg: resolved, backend, link, threads };
}

/** A default as the usage text shows it: 2e-3, 5e-4, 0.3, 1. */
function formatDefault(v: number | string): string {
  return typeof v === 'number' && v !== 0 && Math.abs(v) < 0.01 ? v.toExponential() : String(v);
}

/** The flags whose defaults depend on the model, by flag name. */
const MODEL_DEFAULT_FLAGS: [flag: string, key: keyof ModelTrainDefaults][] = [
  ['stage1-lr', 'stage1LearningRate'],
  ['expert-loss', 'stage1ExpertLoss'],
  ['lr-schedule', 'lrSchedule'],
  ['warmup-epochs', 'warmupEpochs'],
  ['weight-decay', 'weightDecay'],
];

/**
 * The usage text of the flags whose defaults depend on the model, from the model registry:
 * `--expert-loss 0.3 (resnet18 1, vit 1)`, the package default first, then each model that
 * differs from it.
 */
export function modelDefaultsUsage(): string[] {
  return MODEL_DEFAULT_FLAGS.map(([flag, key]) => {
    const base = PACKAGE_TRAIN_DEFAULTS[key];
    const others = MODEL_NAMES.map((m) => [m, modelTrainDefaults(m)[key]] as const).filter(([, v]) => v !== base);
    return `--${flag} ${formatDefault(base)}${others.length ? ` (${others.map(([m, v]) => `${m} ${formatDefault(v)}`).join(', ')})` : ''}`;
  });
}

/**
 * Fails early (before training) when --out cannot be written: its nearest existing ancestor
 * must be a writable directory.
 */
export function checkOutDirectory(out: string): void {
  let dir = dirname(resolve(out));
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new InputError(`cannot write the run directory '${out}': '${dir}' is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new InputError(`cannot write the run directory '${out}': '${dir}' is not writable`);
  }
}

/**
 * Runs `train`; a WASM kernel running out of memory becomes a one-line InputError naming the
 * batch size and one that should fit (nothing has been written yet).
 */
export function trainWithin<T>(cfg: TrainConfig, train: () => T): T {
  try {
    return train();
  } catch (e) {
    if (!(e instanceof WasmMemoryError)) throw e;
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    const fit = batchSizeThatFits(cfg.batchSize, e.neededBytes, e.haveBytes);
    throw new InputError(
      `out of WASM memory at --batch-size ${cfg.batchSize} (${cfg.model}): a kernel needed ${mib(e.neededBytes)}, ` +
        `the engine gives ${mib(e.haveBytes)}; --batch-size ${fit} should fit`,
    );
  }
}

/** Trains as the flags say and writes checkpoint, metrics.json and timings.json into --out. */
export async function runTraining(v: Flags, outDefault: string, defaults = DEFAULT_TRAIN_CONFIG) {
  const { cfg, backend, link, threads } = trainConfigFromFlags(v, defaults);
  const out = v.out ?? outDefault;
  checkOutDirectory(out);
  const started = Date.now();
  await useBackend(backend, threads);
  const data = await loadDataset(cfg.dataset, { dataDir: cfg.dataDir, labels: cfg.labels });
  cfg.inputShape = [data.train.height, data.train.width, data.train.channels];
  cfg.classes = data.train.classes;
  const { model, metrics, features } = trainWithin(cfg, () => trainMoe(cfg, data, link, progressBar({ quiet: v.quiet })));
  const timings = { backend, threads, trainSeconds: (Date.now() - started) / 1000, finishedAt: new Date().toISOString() };
  writeRunDirectory(out, model, { train: cfg, stage2Link: linkRecordOf(link) }, {
    'metrics.json': JSON.stringify(metrics, null, 2) + '\n',
    'timings.json': JSON.stringify(timings, null, 2) + '\n',
  });
  return { model, metrics, features, out, cfg, backend, link };
}

export async function trainCommand(argv: string[]): Promise<{ model: DistributedMoE; metrics: TrainMetrics }> {
  const { values } = parseFlags(argv, TRAIN_FLAGS);
  const { model, metrics, out } = await runTraining(values, 'runs/train');
  if (!values.quiet) process.stderr.write(`wrote checkpoint, metrics.json and timings.json to ${out}\n`);
  return { model, metrics };
}
