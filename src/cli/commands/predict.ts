import { loadDataset } from '../../data/index.js';
import { head, type Dataset } from '../../data/dataset.js';
import type { DatasetName, LabelSet } from '../../data/names.js';
import { loadCheckpoint, type CheckpointMeta } from '../../train/checkpoint.js';
import type { DistributedMoE } from '../../moe/model.js';
import { GATE_KINDS } from '../../moe/gate.js';
import type { Link, LinkKind } from '../../link/link.js';
import type { ChannelSettings } from '../../link/channel_settings.js';
import { describeSnr, parseSnrList, parseSnrRange, type SnrSpec } from '../../link/snr.js';
import { geometryMeanSnrDb } from '../../channel/fading/geometry.js';
import { predict, releasePredictState, type PredictResult } from '../../infer/predict.js';
import { classNamesOf, readInputFile } from '../../infer/input_file.js';
import { chooseLink } from '../link_flags.js';
import { EVAL_FLAGS } from './eval.js';
import { effectiveChannel, parseChannelFlags } from '../channel_flags.js';
import { parseBackend, parseSpin, parseThreads, useBackend } from '../backend.js';
import { parseChoice, parseFlags, parseIntFlag, parseSeedFlag } from '../args.js';
import { progressBar } from '../progress.js';
import { formatTable } from '../table.js';
import { InputError } from '../../errors.js';

const FLAGS = {
  ...EVAL_FLAGS,
  input: { type: 'string' },
  dataset: { type: 'string' },
  'batch-size': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];

/** The images to predict on, their labels when known, and where they came from. */
interface Images {
  images: Dataset;
  labelled: boolean;
  source: { dataset: string } | { input: string; format: string };
}

/** The link, SNRs and channel the flags give (default: the perfect link). */
interface LinkSetup {
  link: Link;
  snr: SnrSpec;
  channel: ChannelSettings | undefined;
}

/**
 * `wmoe predict --checkpoint DIR (--input FILE | --dataset NAME [--test-samples N])`: runs the
 * checkpoint's MoE (batch norm folded, sparse expert dispatch) on each image and prints a table
 * (index, class, probability, chosen experts with their weights) or, with --json, the same per
 * image (plus all class probabilities) with the timing (median latency per batch, images/s) and
 * the accuracy when the images carry labels (timing after untimed warm-up calls). Links: perfect unless --link (then as `wmoe eval`:
 * SNR flags, digital options, channel flags over the checkpoint's recorded channel). Everything is
 * checked before anything is printed.
 */
export async function predictCommand(argv: string[]): Promise<void> {
  const { values: v } = parseFlags(argv, FLAGS);
  if (v.checkpoint === undefined) throw new InputError('--checkpoint DIR is required');
  if ((v.input === undefined) === (v.dataset === undefined)) throw new InputError('give either --input FILE or --dataset NAME (one of them)');
  if (v.input !== undefined && v['test-samples'] !== undefined) throw new InputError('--test-samples applies to --dataset, not --input');
  if (v.input !== undefined && v['data-dir'] !== undefined) throw new InputError('--data-dir applies to --dataset, not --input');
  const gate = parseChoice('gate', v.gate, GATE_KINDS, 'channel-aware');
  const batchSize = parseIntFlag('batch-size', v['batch-size'], 250, 1);
  const testSamples = parseIntFlag('test-samples', v['test-samples'], 0, 0);
  const seed = parseSeedFlag(v.seed, 1);
  const backend = parseBackend(v.backend);
  const threads = parseThreads(v.threads, backend);
  const spin = parseSpin(v.spin, backend);
  checkLinkFlags(v);

  await useBackend(backend, threads, spin);
  const { model, meta } = loadCheckpoint(v.checkpoint);
  try {
    const setup = linkSetup(v, model, meta, seed);
    const data = await imagesFor(v, model, meta, testSamples);
    warmUp(model, head(data.images, batchSize), batchSize);
    const result = predict(model, data.images, { gate, ...setup, seed, batchSize, progress: progressBar({ quiet: v.quiet }) });
    const accuracy = data.labelled ? result.predictions.filter((p, i) => p.label === data.images.labels[i]).length / data.images.n : null;
    const context = { gate, link: setup.link.kind, snr: describeSnr(setup.snr), batchSize, threads, seed };
    process.stdout.write(v.json ? jsonReport(result, data, accuracy, v.checkpoint, context) : textReport(result, data, accuracy, batchSize));
  } finally {
    releasePredictState(model);
    model.dispose();
  }
}

/**
 * Warm-up calls on the first batch, untimed and dropped (perfect link: a link's state stays
 * untouched), so that the reported latency leaves out what first calls pay: WASM tier-up to
 * optimised code, growing buffers. Up to 10 calls, none started 0.2 s after the first ended.
 */
function warmUp(model: DistributedMoE, images: Dataset, batchSize: number): void {
  predict(model, images, { gate: 'naive', batchSize });
  const t0 = performance.now();
  for (let i = 1; i < 10 && performance.now() - t0 < 200; i++) predict(model, images, { gate: 'naive', batchSize });
}

/** The link flags' own checks, before anything is loaded (the link defaults to perfect). */
function checkLinkFlags(v: Values): void {
  const { link } = chooseLink(v, 'perfect');
  const kind = link.kind;
  const snrFlag = v['snr-db'] !== undefined ? '--snr-db' : v['snr-range'] !== undefined ? '--snr-range' : undefined;
  if (v['snr-db'] !== undefined && v['snr-range'] !== undefined) throw new InputError('give either --snr-db or --snr-range, not both');
  if (kind === 'perfect') {
    const given = snrFlag ?? (['geometry', 'channel', 'coherence', 'doppler', 'csi', 'rx-csi'] as const).map((f) => v[f] !== undefined && `--${f}`).find(Boolean);
    if (given) throw new InputError(`${given} does not apply to the perfect link (the default without --link): give --link analog or digital`);
  }
  parseChannelFlags(v, { link: kind as LinkKind });
  if (v['snr-db'] !== undefined) parseSnrList(v['snr-db'], v['snr-db'].split(',').length);
  if (v['snr-range'] !== undefined) parseSnrRange(v['snr-range']);
}

/** The link (perfect unless --link), its SNRs and channel, checked against the loaded model. */
function linkSetup(v: Values, model: DistributedMoE, meta: CheckpointMeta | undefined, seed: number): LinkSetup {
  const { link } = chooseLink(v, 'perfect');
  if (link.kind === 'perfect') return { link, snr: { kind: 'perfect' }, channel: undefined };
  const K = model.config.experts;
  const spec = parseChannelFlags(v, { experts: K, link: link.kind });
  const recorded = (meta?.train as { channel?: unknown } | undefined)?.channel;
  const { settings } = effectiveChannel(v, spec, recorded, `checkpoint '${v.checkpoint}': meta.train.channel`);
  let snr: SnrSpec;
  if (spec.geometry) snr = { kind: 'fixed', db: Array.from(geometryMeanSnrDb(spec.geometry, seed)) };
  else if (v['snr-db'] !== undefined) snr = parseSnrList(v['snr-db'], K);
  else if (v['snr-range'] !== undefined) {
    const [min, max] = parseSnrRange(v['snr-range']);
    snr = { kind: 'range', min, max };
  } else snr = { kind: 'range', min: model.config.snrRange[0], max: model.config.snrRange[1] };
  return { link, snr, channel: settings };
}

/** The images of --input or --dataset, checked against the model's input shape. */
async function imagesFor(v: Values, model: DistributedMoE, meta: CheckpointMeta | undefined, testSamples: number): Promise<Images> {
  const trained = (meta?.train ?? {}) as { dataDir?: string; labels?: LabelSet };
  const config = model.config;
  let out: Images;
  if (v.input !== undefined) {
    const file = readInputFile(v.input, config.dataset, config.classes, trained.labels);
    out = { images: file.images, labelled: file.labelled, source: { input: v.input, format: file.format } };
  } else {
    const name = v.dataset as DatasetName;
    const dataDir = v['data-dir'] ?? (name === config.dataset ? trained.dataDir : undefined);
    const split = await loadDataset(name, { dataDir, labels: name === config.dataset ? trained.labels : undefined });
    const images = testSamples > 0 ? head(split.test, testSamples) : split.test;
    out = { images, labelled: true, source: { dataset: name } };
  }
  const { height, width, channels } = out.images;
  const [h, w, c] = config.inputShape;
  if (height !== h || width !== w || channels !== c) {
    const what = v.input !== undefined ? `--input ${v.input}` : `--dataset ${v.dataset}`;
    throw new InputError(`${what} holds ${height}x${width}x${channels} images but checkpoint '${v.checkpoint}' takes ${h}x${w}x${c}`);
  }
  if (!out.images.classNames) {
    const names = classNamesOf(config.dataset, trained.labels);
    if (names && names.length === config.classes) out.images = { ...out.images, classNames: names };
  }
  return out;
}

/** Experts as "2 (0.613), 0 (0.387)". */
const expertsText = (experts: number[], weights: number[]) => experts.map((k, j) => `${k} (${weights[j].toFixed(3)})`).join(', ');

function textReport(r: PredictResult, data: Images, accuracy: number | null, batchSize: number): string {
  const names = data.images.classNames;
  const rows = r.predictions.map((p, i) => [
    String(i),
    names ? `${p.label} ${names[p.label]}` : String(p.label),
    p.probabilities[p.label].toFixed(4),
    expertsText(p.experts, p.weights),
  ]);
  const table = formatTable(['index', 'class', 'probability', 'experts (weight)'], rows, 0);
  const n = r.predictions.length;
  const summary = (accuracy === null ? '' : `accuracy ${(accuracy * 100).toFixed(2)}% (${n} samples); `) +
    `latency per batch of ${Math.min(batchSize, n)} median ${r.timing.medianBatchMs.toFixed(3)} ms, ${r.timing.imagesPerSecond.toFixed(1)} images/s\n`;
  return table + summary;
}

function jsonReport(r: PredictResult, data: Images, accuracy: number | null, checkpoint: string, context: Record<string, unknown>): string {
  const names = data.images.classNames;
  const predictions = r.predictions.map((p, i) => ({
    index: i,
    class: p.label,
    ...(names ? { name: names[p.label] } : {}),
    probability: p.probabilities[p.label],
    experts: p.experts,
    weights: p.weights,
    probabilities: Array.from(p.probabilities),
    ...(data.labelled ? { label: data.images.labels[i] } : {}),
  }));
  const timing = { batches: r.timing.batchMs.length, latencyMsMedian: r.timing.medianBatchMs, imagesPerSecond: r.timing.imagesPerSecond };
  return JSON.stringify({ checkpoint, ...data.source, ...context, samples: predictions.length, accuracy, timing, predictions }, null, 2) + '\n';
}
