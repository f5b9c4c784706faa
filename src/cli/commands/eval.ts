
import { loadDataset } from '../../data/index.js';
import { head } from '../../data/dataset.js';
import { loadCheckpoint } from '../../train/checkpoint.js';
import { extractFeatures } from '../../train/features.js';
import { evaluate } from '../../train/evaluate.js';
import { GATE_KINDS } from '../../moe/gate.js';
import { chooseLink, digitalOptionsFromFlags, LINK_FLAGS } from '../link_flags.js';
import type { DigitalLink } from '../../link/index.js';
import { describeSnr, parseSnrList, parseSnrRange, type SnrSpec } from '../../link/snr.js';
import { parseBackend, parseSpin, parseThreads, useBackend } from '../backend.js';
import { parseChoice, parseFlags, parseIntFlag, parseSeedFlag } from '../args.js';
import { InputError } from '../../errors.js';
import { progressBar } from '../progress.js';

const FLAGS = {
  checkpoint: { type: 'string' },
  gate: { type: 'string' },
  ...LINK_FLAGS,
  'snr-db': { type: 'string' },
  'snr-range': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  spin: { type: 'string' },
  'test-samples': { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

/**
 * `wmoe eval`: accuracy of a checkpoint on the test split of its dataset, with the given gate
 * and link at the given SNRs. Prints a JSON object (with --json) or a one-line summary, and
 * the progress of feature extraction and evaluation on stderr (none with --quiet).
 * Without --link the link is the one the checkpoint's channel-aware gate was trained over
 * (config.json's meta.stage2Link; analog for checkpoints that do not record it), and the digital
 * options not given as flags are the checkpoint's too. A perfect link takes no SNRs.
 */
export async function evalCommand(argv: string[]): Promise<void> {
  const { values: v } = parseFlags(argv, FLAGS);
  if (v.checkpoint === undefined) throw new InputError('--checkpoint DIR is required');
  const gate = parseChoice('gate', v.gate, GATE_KINDS, 'channel-aware');
  // Validate the link flags before loading anything (without --link, the checkpoint gives the kind).
  if (v.link !== undefined) chooseLink(v, 'analog');
  else digitalOptionsFromFlags(v);
  const snrFlag = v['snr-db'] !== undefined ? '--snr-db' : v['snr-range'] !== undefined ? '--snr-range' : undefined;
  if (v.link === 'perfect' && snrFlag) throw new InputError(`${snrFlag} does not apply to --link perfect (a perfect link has no SNR)`);
  const seed = parseSeedFlag(v.seed, 1);
  const backend = parseBackend(v.backend);
  const threads = parseThreads(v.threads, backend);
  const spin = parseSpin(v.spin, backend);
  const testSamples = parseIntFlag('test-samples', v['test-samples'], 0, 0);
  if (v['snr-db'] !== undefined && v['snr-range'] !== undefined) throw new InputError('give either --snr-db or --snr-range, not both');
  // Validate the SNR text before loading anything (K is checked against the checkpoint below).
  if (v['snr-db'] !== undefined) parseSnrList(v['snr-db'], v['snr-db'].split(',').length);
  const range = v['snr-range'] !== undefined ? parseSnrRange(v['snr-range']) : undefined;

  await useBackend(backend, threads, spin);
  const { model, stage2Link, meta } = loadCheckpoint(v.checkpoint);
  const { link, source } = chooseLink(v, stage2Link ?? 'analog', stage2Link ? "the checkpoint's stage-2 link" : 'the default for a checkpoint that records no link');
  const linkKind = link.kind;
  if (linkKind === 'perfect' && snrFlag) {
    model.dispose();
    throw new InputError(`${snrFlag} does not apply to the perfect link, which checkpoint '${v.checkpoint}' was trained over; give --link analog or digital`);
  }
  const linkSource = source === 'flag' ? 'flag' : stage2Link ? 'checkpoint' : 'default';
  const K = model.config.experts;
  let snr: SnrSpec;
  if (linkKind === 'perfect') snr = { kind: 'perfect' };
  else if (v['snr-db'] !== undefined) snr = parseSnrList(v['snr-db'], K);
  else if (range) snr = { kind: 'range', min: range[0], max: range[1] };
  else snr = { kind: 'range', min: model.config.snrRange[0], max: model.config.snrRange[1] };

  // The data the checkpoint was trained on: --data-dir overrides the recorded directory.
  const trained = (meta?.train ?? {}) as { dataDir?: string; labels?: 'fine' | 'coarse' };
  const data = await loadDataset(model.config.dataset, { dataDir: v['data-dir'] ?? trained.dataDir, labels: trained.labels });
  const test = testSamples > 0 ? head(data.test, testSamples) : data.test;
  const progress = progressBar({ quiet: v.quiet });
  const testFeatures = extractFeatures(model, test, { progress, label: 'features (test)' });
  const result = evaluate(model, testFeatures, { gate, link, snr, seed, progress });
  const report = {
    accuracy: result.accuracy,
    gate,
    link: linkKind,
    linkSource,
    snr: describeSnr(snr),
    samples: result.samples,
    selection: result.selection,
    experts: K,
    topK: model.config.topK,
    seed,
    ...('codec' in link ? { digital: digitalSummary(link as DigitalLink, model.backbone.featureDim) } : {}),
  };
  if (v.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    process.stdout.write(
      `accuracy ${(result.accuracy * 100).toFixed(2)}% (${gate} gate, ${linkKind} link (${linkSource}), ${report.snr}, ${result.samples} samples); ` +
        `selection ${result.selection.map((s) => s.toFixed(3)).join(' ')}\n`,
    );
  }
  model.dispose();
}

/** What a digital link did during an eval: its code and error counts (no timings: deterministic). */
function digitalSummary(link: DigitalLink, d: number) {
  const { codec, totals } = link;
  return {
    code: codec.options.code,
    modulation: codec.options.modulation,
    bits: codec.options.bits,
    decoder: codec.options.decoder?.algorithm,
    iterations: codec.options.decoder?.iterations,
    rate: codec.code.rate,
    channelUsesPerVector: codec.channelUses(d),
    vectors: totals.vectors,
    frames: totals.frames,
    failedFrames: totals.failedFrames,
    bitErrorRate: totals.infoBits ? totals.bitErrors / totals.infoBits : 0,
  };
}
