
import { loadDataset } from '../../data/index.js';
import { head } from '../../data/dataset.js';
import { loadCheckpoint } from '../../train/checkpoint.js';
import { extractFeatures } from '../../train/features.js';
import { evalChannelModel, evaluate } from '../../train/evaluate.js';
import { GATE_KINDS } from '../../moe/gate.js';
import { chooseLink, digitalOptionsFromFlags, LINK_FLAGS } from '../link_flags.js';
import { phyTableFor, type DigitalLink } from '../../link/index.js';
import { describeSnr, parseSnrList, parseSnrRange, type SnrSpec } from '../../link/snr.js';
import { parseBackend, parseSpin, parseThreads, useBackend } from '../backend.js';
import { parseChoice, parseFlags, parseIntFlag, parseSeedFlag } from '../args.js';
import { InputError } from '../../errors.js';
import { progressBar } from '../progress.js';
import { wilsonInterval } from '../../sim/confidence.js';
import { CHANNEL_FLAGS, effectiveChannel, parseChannelFlags } from '../channel_flags.js';
import { geometryMeanSnrDb } from '../../channel/fading/geometry.js';
import type { LinkKind } from '../../link/link.js';

/** The flags of `wmoe eval` (`wmoe predict` takes them too, plus its own). */
export const EVAL_FLAGS = {
  checkpoint: { type: 'string' },
  gate: { type: 'string' },
  ...LINK_FLAGS,
  ...CHANNEL_FLAGS,
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
 * The channel (fading, coherence, Doppler, gate and receiver CSI) is the one stage 2 trained under
 * (meta.train.channel; AWGN with perfect CSI when not recorded), each channel flag given
 * overriding its recorded setting (a mismatched evaluation); --geometry gives per-expert mean SNRs
 * (instead of --snr-db/--snr-range). The report adds the channel (texts and sources), the channel
 * uses per sample (mean, p95; pilots included), the gate's CSI pilot uses per sample, and for a
 * digital link its BLER (codeword error rate) and, with --mcs, the MCS choice summary.
 */
export async function evalCommand(argv: string[]): Promise<void> {
  const { values: v } = parseFlags(argv, EVAL_FLAGS);
  if (v.checkpoint === undefined) throw new InputError('--checkpoint DIR is required');
  const gate = parseChoice('gate', v.gate, GATE_KINDS, 'channel-aware');
  // Validate the link flags before loading anything (without --link, the checkpoint gives the kind).
  if (v.link !== undefined) chooseLink(v, 'analog');
  else digitalOptionsFromFlags(v);
  const snrFlag = v['snr-db'] !== undefined ? '--snr-db' : v['snr-range'] !== undefined ? '--snr-range' : undefined;
  if (v.link === 'perfect' && snrFlag) throw new InputError(`${snrFlag} does not apply to --link perfect (a perfect link has no SNR)`);
  // The channel flags (K and the checkpoint's link are checked again once it is loaded).
  parseChannelFlags(v, { link: v.link as LinkKind | undefined });
  if (v.link === 'perfect' && v.geometry !== undefined) throw new InputError(`--geometry does not apply to --link perfect (a perfect link has no SNR)`);
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
  const K = model.config.experts;
  const where = `checkpoint '${v.checkpoint}'`;
  let channel, channelSpec;
  try {
    if (linkKind === 'perfect' && (snrFlag || v.geometry !== undefined)) {
      throw new InputError(`${snrFlag ?? '--geometry'} does not apply to the perfect link, which ${where} was trained over; give --link analog or digital`);
    }
    channelSpec = parseChannelFlags(v, { experts: K, link: linkKind });
    channel = effectiveChannel(v, channelSpec, (meta?.train as { channel?: unknown } | undefined)?.channel, `${where}: meta.train.channel`);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const linkSource = source === 'flag' ? 'flag' : stage2Link ? 'checkpoint' : 'default';
  let snr: SnrSpec;
  const geometrySnrDb = channelSpec.geometry ? Array.from(geometryMeanSnrDb(channelSpec.geometry, seed)) : undefined;
  if (linkKind === 'perfect') snr = { kind: 'perfect' };
  else if (geometrySnrDb) snr = { kind: 'fixed', db: geometrySnrDb };
  else if (v['snr-db'] !== undefined) snr = parseSnrList(v['snr-db'], K);
  else if (range) snr = { kind: 'range', min: range[0], max: range[1] };
  else snr = { kind: 'range', min: model.config.snrRange[0], max: model.config.snrRange[1] };

  // The data the checkpoint was trained on: --data-dir overrides the recorded directory.
  const trained = (meta?.train ?? {}) as { dataDir?: string; labels?: 'fine' | 'coarse' };
  const data = await loadDataset(model.config.dataset, { dataDir: v['data-dir'] ?? trained.dataDir, labels: trained.labels });
  const test = testSamples > 0 ? head(data.test, testSamples) : data.test;
  const progress = progressBar({ quiet: v.quiet });
  const testFeatures = extractFeatures(model, test, { progress, label: 'features (test)' });
  const result = evaluate(model, testFeatures, { gate, link, snr, seed, progress, ...(channel.settings ? { channel: channel.settings } : {}) });
  const csiUsesPerSample = evalChannelModel(model, channel.settings, seed).gatePilotUsesPerSample;
  const digital = 'codec' in link ? digitalSummary(link as DigitalLink, model.backbone.featureDim) : undefined;
  const { source: _source, ...channelTexts } = channel.report;
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
    channel: { ...channelTexts, ...(channelSpec.geometry ? { geometry: v.geometry, meanSnrDb: geometrySnrDb } : {}), source: channel.report.source },
    channelUsesPerSample: { mean: result.channelUses.mean, p95: result.channelUses.p95 },
    csiUsesPerSample,
    ...(digital ? { digital } : {}),
  };
  if (v.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    process.stdout.write(
      `accuracy ${(result.accuracy * 100).toFixed(2)}% (${gate} gate, ${linkKind} link (${linkSource}), ${report.snr}, ${result.samples} samples); ` +
        `selection ${result.selection.map((s) => s.toFixed(3)).join(' ')}; ` +
        `channel uses per sample mean ${fmtUses(result.channelUses.mean)}, p95 ${fmtUses(result.channelUses.p95)}` +
        (digital ? `, BLER ${digital.bler.value.toPrecision(3)} (${digital.bler.codewordErrors}/${digital.bler.codewords} codewords)` : '') +
        '\n',
    );
  }
  model.dispose();
}

/** Channel uses as the one-line summary shows them: integers as they are, else one decimal. */
function fmtUses(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/**
 * The block (codeword) error rate of `errors` in `n` codewords, with its 95% Wilson score interval
 * ([0, 1] when n = 0, value 0).
 */
export function blerOf(errors: number, n: number): { value: number; codewords: number; codewordErrors: number; interval: [number, number] } {
  const { lo, hi } = wilsonInterval(errors, n);
  return { value: n === 0 ? 0 : errors / n, codewords: n, codewordErrors: errors, interval: [lo, hi] };
}

/** What a digital link did during an eval: its code and error counts (no timings: deterministic). */
function digitalSummary(link: DigitalLink, d: number) {
  const { codec, totals } = link;
  // An adaptive MCS has no one code: its code, rate and channel uses per vector vary per pair.
  const adaptive = link.mcs?.spec.kind === 'adaptive';
  return {
    code: adaptive ? null : codec.options.code,
    modulation: adaptive ? null : codec.options.modulation,
    bits: codec.options.bits,
    decoder: codec.options.decoder?.algorithm,
    iterations: codec.options.decoder?.iterations,
    rate: adaptive ? null : codec.code.rate,
    channelUsesPerVector: adaptive ? null : codec.channelUses(d),
    vectors: totals.vectors,
    frames: totals.frames,
    failedFrames: totals.failedFrames,
    bitErrorRate: totals.infoBits ? totals.bitErrors / totals.infoBits : 0,
    bler: blerOf(totals.frameErrors, totals.frames),
    ...(link.mcs ? { mcs: mcsSummary(link) } : {}),
  };
}

/**
 * The MCS policy's summary (choice histogram over every (sample, expert) pair, outages, OLLA
 * offsets), the vectors sent per MCS index (the chosen pairs), and, for an adaptive policy, whether
 * its stored PHY table was measured with this link's decoder (algorithm and iterations).
 */
function mcsSummary(link: DigitalLink) {
  const policy = link.mcs!;
  const vectorsPerMcs = Object.fromEntries([...link.vectorsPerMcs].sort((a, b) => a[0] - b[0]).map(([m, n]) => [String(m), n]));
  const summary = { ...policy.summary(), vectorsPerMcs };
  if (policy.spec.kind !== 'adaptive') return summary;
  const phy = phyTableFor(policy.table).data.decoder;
  const dec = link.codec.options.decoder;
  return { ...summary, phyTableMatchesDecoder: phy.decoder === (dec?.algorithm ?? 'nms') && phy.iterations === (dec?.iterations ?? 10) };
}
