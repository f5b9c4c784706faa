import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadDataset } from '../../data/index.js';
import { MODEL_NAMES } from '../../models/backbone.js';
import { DATASET_NAMES, LABEL_SETS } from '../../data/names.js';
import {
  AUGMENTATIONS,
  DEFAULT_TRAIN_CONFIG,
  KEEP_EPOCHS,
  LR_SCHEDULES,
  modelTrainDefaults,
  PACKAGE_TRAIN_DEFAULTS,
  resolveTrainConfig,
  type ModelTrainDefaults,
  type ResolvedTrainConfig,
  type TrainConfig,
} from '../../train/config.js';
import { parseModelOptions } from '../model_flags.js';
import { trainMoe, type TrainMetrics } from '../../train/train.js';
import { stage1StepFits } from '../../train/step_fits.js';
import { finishRunDirectory, linkRecordOf, parseLinkRecord } from '../../train/checkpoint.js';
import { hasTrainState, readTrainStateFile, TRAIN_STATE_FILE, writeTrainStateFile } from '../../train/train_state_file.js';
import { encodeTrainState, type TrainState } from '../../train/train_state.js';
import { parseSnrRange } from '../../link/snr.js';
import { LINK_KINDS, type Link } from '../../link/index.js';
import { chooseLink, LINK_FLAGS, linkFromFlags } from '../link_flags.js';
import { CHANNEL_FLAGS, channelSettingsOf, parseChannelFlags } from '../channel_flags.js';
import type { DistributedMoE } from '../../moe/model.js';
import { loadedSimdBuild, parseBackend, parseSpin, parseThreads, resumeSimdBuild, useBackend, type BackendName } from '../backend.js';
import type { SimdBuild } from '../../wasm/module.js';
import { parseChoice, parseFlags, parseIntFlag, parseNumberFlag, parseSeedFlag } from '../args.js';
import { InputError, WasmMemoryError, batchSizeThatFits, batchSizeThatRuns } from '../../errors.js';
import { progressBar } from '../progress.js';
import { parseStopAfterMinutes, RunStopped, sessionStopRequest } from '../stop_request.js';
import { TrainingStopped } from '../../train/training_stopped.js';

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
  ...CHANNEL_FLAGS,
  'channel-use-weight': { type: 'string' },
  'load-balance': { type: 'string' },
  'expert-loss': { type: 'string' },
  'stage2-load-balance': { type: 'string' },
  'stage2-importance': { type: 'string' },
  'stage1-lr': { type: 'string' },
  'stage2-lr': { type: 'string' },
  'lr-schedule': { type: 'string' },
  'warmup-epochs': { type: 'string' },
  'weight-decay': { type: 'string' },
  'keep-epoch': { type: 'string' },
  'checkpoint-minutes': { type: 'string' },
  'stop-after-minutes': { type: 'string' },
  threads: { type: 'string' },
  spin: { type: 'string' },
} as const;

/** What `--resume DIR` accepts besides: how to run, not what to train (the run recorded that). */
export const RESUME_FLAGS = ['threads', 'spin', 'quiet', 'checkpoint-minutes', 'stop-after-minutes'] as const;

/** Minutes between training states saved inside a stage-1 epoch, by default (--checkpoint-minutes). */
export const DEFAULT_CHECKPOINT_MINUTES = 20;

/** `--checkpoint-minutes M`: a number ≥ 0 (0: states only at the end of each epoch). */
export function parseCheckpointMinutes(text: string | undefined): number {
  const m = parseNumberFlag('checkpoint-minutes', text, DEFAULT_CHECKPOINT_MINUTES);
  if (m < 0) throw new InputError(`--checkpoint-minutes must be >= 0, got ${text}`);
  return m;
}

type Flags = Partial<Record<Exclude<keyof typeof TRAIN_FLAGS, 'no-normalise' | 'quiet'>, string>> & { 'no-normalise'?: boolean; quiet?: boolean };

/**
 * Builds and validates a training config from flags (before anything is loaded or written);
 * settings whose flag is absent and that depend on the model are the model's (the library's
 * {@link resolveTrainConfig} fills them in).
 */
export function trainConfigFromFlags(v: Flags, defaults = DEFAULT_TRAIN_CONFIG): { cfg: ResolvedTrainConfig; backend: BackendName; link: Link; threads: number; spin?: number } {
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
    ...(v['lr-schedule'] !== undefined ? { lrSchedule: parseChoice('lr-schedule', v['lr-schedule'], LR_SCHEDULES, 'constant') } : {}),
    ...(v['warmup-epochs'] !== undefined ? { warmupEpochs: parseNumberFlag('warmup-epochs', v['warmup-epochs'], NaN) } : {}),
    ...(v['weight-decay'] !== undefined ? { weightDecay: parseNumberFlag('weight-decay', v['weight-decay'], NaN) } : {}),
    ...(v['keep-epoch'] !== undefined ? { keepEpoch: parseChoice('keep-epoch', v['keep-epoch'], KEEP_EPOCHS, 'best') } : {}),
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
  Object.assign(cfg, stage2ChannelFromFlags(v, cfg.experts));
  const resolved = resolveTrainConfig(cfg);
  const backend = parseBackend(v.backend);
  const threads = parseThreads(v.threads, backend);
  const spin = parseSpin(v.spin, backend);
  const link = linkFromFlags(v, 'analog');
  return { cfg: resolved, backend, link, threads, spin };
}

/**
 * The stage-2 channel settings of the flags: `channel` (the texts of the channel flags given, only
 * when one is: a run without them keeps today's config) and `channelUseWeight` (--channel-use-weight
 * λ ≥ 0, only when given). --geometry is refused: it gives an evaluation's mean SNRs, and stage 2
 * draws its mean SNRs from --snr-range. --mcs is checked here against --link and --code/--modulation.
 */
export function stage2ChannelFromFlags(v: Flags, experts: number): Pick<TrainConfig, 'channel' | 'channelUseWeight'> {
  if (v.geometry !== undefined) {
    throw new InputError(`--geometry '${v.geometry}' gives the mean SNRs of an evaluation (wmoe eval, demo): stage 2 draws them from --snr-range`);
  }
  const link = parseChoice('link', v.link, LINK_KINDS, 'analog');
  const spec = parseChannelFlags(v, { experts, link });
  const channel = channelSettingsOf(v, spec);
  const out: Pick<TrainConfig, 'channel' | 'channelUseWeight'> = channel ? { channel } : {};
  const lambda = v['channel-use-weight'];
  if (lambda !== undefined) {
    const w = parseNumberFlag('channel-use-weight', lambda, NaN);
    if (w < 0) throw new InputError(`--channel-use-weight '${lambda}' is not a number ≥ 0`);
    out.channelUseWeight = w;
  }
  return out;
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
 * batch size and one that should fit (nothing but the last epoch's training state has been
 * written). With `runs` (a training step at a given batch size, false when it runs out of WASM
 * memory), the size named is one seen to run: the estimate alone can be too large.
 */
export function trainWithin<T>(cfg: TrainConfig, train: () => T, runs?: (batch: number) => boolean): T {
  try {
    return train();
  } catch (e) {
    if (!(e instanceof WasmMemoryError)) throw e;
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    // An estimate from the measured figures; with `runs` (one training step at a batch size),
    // the size named is one seen to run.
    const estimate = batchSizeThatFits(cfg.batchSize, e.neededBytes, e.haveBytes);
    const fit = runs ? batchSizeThatRuns(estimate, runs) : estimate;
    throw new InputError(
      `out of WASM memory at --batch-size ${cfg.batchSize} (${cfg.model}): a kernel needed ${mib(e.neededBytes)}, ` +
        `the engine gives ${mib(e.haveBytes)}; ` +
        (fit === undefined ? 'not even --batch-size 1 fits' : `--batch-size ${fit} ${runs ? 'fits' : 'should fit'}`),
    );
  }
}

/** A run to execute: what to train, how, where, and (continuing a run) the state and time so far. */
interface RunPlan {
  cfg: ResolvedTrainConfig;
  backend: BackendName;
  threads: number;
  /** --spin: polls of an idle worker before it sleeps (init's default when absent). */
  spin?: number;
  /** The SIMD build of backend wmoe (a resumed run: the one it started on); --simd's otherwise. */
  simd?: SimdBuild;
  /** Minutes between states saved inside a stage-1 epoch (0: only after each epoch). */
  checkpointMinutes: number;
  /** --stop-after-minutes: save the state and stop once this session has run that long (see stop_request.ts). */
  stopAfterMinutes?: number;
  link: Link;
  out: string;
  resume?: TrainState;
  /** Training time of earlier sessions of this run, s, and this session's number (1 = the first). */
  previousSeconds: number;
  session: number;
}

/**
 * Loads the data and trains, saving the training state into `out` after every epoch; at the end
 * writes the checkpoint, metrics.json and timings.json there (and removes the state).
 */
async function executeRun(plan: RunPlan, quiet: boolean | undefined) {
  const { cfg, backend, threads, link, out } = plan;
  const started = Date.now();
  const stop = sessionStopRequest(out, plan.stopAfterMinutes, quiet);
  await useBackend(backend, threads, plan.spin, plan.simd);
  const simd = backend === 'wmoe' ? loadedSimdBuild() : undefined;
  const data = await loadDataset(cfg.dataset, { dataDir: cfg.dataDir, labels: cfg.labels });
  const shape: [number, number, number] = [data.train.height, data.train.width, data.train.channels];
  if (plan.resume && (shape.join('x') !== cfg.inputShape.join('x') || data.train.classes !== cfg.classes)) {
    throw new InputError(`the ${cfg.dataset} data now has ${shape.join('x')} images of ${data.train.classes} classes; the run in '${out}' had ${cfg.inputShape.join('x')}, ${cfg.classes}`);
  }
  cfg.inputShape = shape;
  cfg.classes = data.train.classes;
  const stage2Link = linkRecordOf(link);
  const seconds = () => plan.previousSeconds + (Date.now() - started) / 1000;
  let lastSaved = Date.now();
  const onCheckpoint = (s: TrainState) => {
    writeTrainStateFile(out, encodeTrainState(s, { backend, threads, simd, stage2Link, trainSeconds: seconds(), session: plan.session }));
    lastSaved = Date.now();
  };
  // Long epochs (a ResNet-18 one takes hours) also save a state every --checkpoint-minutes inside stage 1.
  const everyMs = plan.checkpointMinutes * 60_000;
  const saveMidEpoch = everyMs > 0 ? () => Date.now() - lastSaved >= everyMs : undefined;
  const train = () => trainMoe(cfg, data, link, { progress: progressBar({ quiet }), onCheckpoint, ...(saveMidEpoch ? { saveMidEpoch } : {}), stopRequested: stop.requested, ...(plan.resume ? { resume: plan.resume } : {}) });
  let trained: ReturnType<typeof train>;
  try {
    trained = trainWithin(cfg, train, (batch) => stage1StepFits(cfg, batch));
  } catch (e) {
    if (!(e instanceof TrainingStopped)) throw e;
    stop.obeyed();
    throw new RunStopped(`stopped as asked (${stop.reason()}): the state ${e.at} is saved in ${out}; continue with --resume ${out}`);
  }
  const { model, metrics, features } = trained;
  // simd: the SIMD build of wmoe's kernels (relaxed or plain; absent with another backend).
  const timings = { backend, threads, simd, trainSeconds: seconds(), sessions: plan.session, finishedAt: new Date().toISOString() };
  finishRunDirectory(out, model, { train: cfg, stage2Link }, {
    'metrics.json': JSON.stringify(metrics, null, 2) + '\n',
    'timings.json': JSON.stringify(timings, null, 2) + '\n',
  }, TRAIN_STATE_FILE);
  return { model, metrics, features, out, cfg, backend, link, stop };
}

/**
 * Trains as the flags say, saving the training state into --out after every epoch, and writes
 * checkpoint, metrics.json and timings.json there. `refuseUnfinished`: an --out that holds an
 * unfinished run (a training state) is an InputError rather than replaced. `onStart(out)` runs once
 * the flags are valid, before training, with `out` created (demo records its flags there).
 */
export async function runTraining(v: Flags, outDefault: string, defaults = DEFAULT_TRAIN_CONFIG, refuseUnfinished = false, onStart?: (out: string) => void) {
  const { cfg, backend, link, threads, spin } = trainConfigFromFlags(v, defaults);
  const out = v.out ?? outDefault;
  checkOutDirectory(out);
  if (refuseUnfinished && hasTrainState(out)) {
    throw new InputError(`'${out}' holds an unfinished run (${TRAIN_STATE_FILE}): continue it with --resume ${out}, or give another --out`);
  }
  if (onStart) {
    mkdirSync(out, { recursive: true });
    onStart(out);
  }
  const checkpointMinutes = parseCheckpointMinutes(v['checkpoint-minutes']);
  const stopAfterMinutes = parseStopAfterMinutes(v['stop-after-minutes']);
  return executeRun({ cfg, backend, threads, spin, link, out, previousSeconds: 0, session: 1, checkpointMinutes, stopAfterMinutes }, v.quiet);
}

/**
 * `wmoe train --resume DIR`: continues the run in DIR from its training state, with the config,
 * link and backend it recorded; only the flags of {@link RESUME_FLAGS} may be given (--threads:
 * the recorded count otherwise).
 */
export async function resumeTraining(dir: string, v: Flags) {
  const given = Object.entries(v).filter(([k, x]) => x !== undefined && !(RESUME_FLAGS as readonly string[]).includes(k));
  if (given.length > 0) {
    throw new InputError(`--resume continues the run with the flags it recorded: --${given[0][0]} cannot be given with it (only ${RESUME_FLAGS.map((f) => `--${f}`).join(', ')})`);
  }
  const { state, meta } = readTrainStateFile(dir);
  const where = join(dir, TRAIN_STATE_FILE);
  let cfg: ResolvedTrainConfig;
  try {
    cfg = resolveTrainConfig(state.config);
  } catch (e) {
    throw new InputError(`resume state '${where}' has an invalid config: ${e instanceof InputError ? e.message : 'not a training config'}`);
  }
  const record = parseLinkRecord(meta.stage2Link, where);
  if (!record) throw new InputError(`resume state '${where}' records no stage-2 link`);
  const backend = parseBackend(typeof meta.backend === 'string' ? meta.backend : undefined);
  const threads = v.threads !== undefined || !Number.isInteger(meta.threads) ? parseThreads(v.threads, backend) : (meta.threads as number);
  const { link } = chooseLink({}, record);
  const previousSeconds = typeof meta.trainSeconds === 'number' ? meta.trainSeconds : 0;
  const session = (Number.isInteger(meta.session) ? (meta.session as number) : 1) + 1;
  const simd = backend === 'wmoe' ? resumeSimdBuild(meta.simd, `the run in '${dir}'`) : undefined;
  const { stage, epochs, step } = state.state;
  const within = step ? ` and step ${step} of epoch ${epochs + 1}` : '';
  if (!v.quiet) process.stderr.write(`resuming the run in ${dir} after stage ${stage}, epoch ${epochs} of ${stage === 1 ? cfg.stage1Epochs : cfg.stage2Epochs}${within}\n`);
  const checkpointMinutes = parseCheckpointMinutes(v['checkpoint-minutes']);
  const stopAfterMinutes = parseStopAfterMinutes(v['stop-after-minutes']);
  return executeRun({ cfg, backend, threads, spin: parseSpin(v.spin, backend), simd, link, out: dir, resume: state, previousSeconds, session, checkpointMinutes, stopAfterMinutes }, v.quiet);
}

export async function trainCommand(argv: string[]): Promise<{ model: DistributedMoE; metrics: TrainMetrics }> {
  const { values } = parseFlags(argv, { ...TRAIN_FLAGS, resume: { type: 'string' } });
  const { resume, ...flags } = values;
  const { model, metrics, out } = resume !== undefined ? await resumeTraining(resume, flags) : await runTraining(flags, 'runs/train', DEFAULT_TRAIN_CONFIG, true);
  if (!values.quiet) process.stderr.write(`wrote checkpoint, metrics.json and timings.json to ${out}\n`);
  return { model, metrics };
}
