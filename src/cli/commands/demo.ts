import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accuracyVsSnr, compareGates, standardConditions, type ComparisonRow, type Condition } from '../../train/compare.js';
import { perfectLink, analogLink, digitalLink, mcsLink, type DigitalLink, type DigitalLinkOptions, type Link } from '../../link/index.js';
import { trainStage2 } from '../../train/stage2.js';
import { linkRecordOf, writeRunDirectory } from '../../train/checkpoint.js';
import { lineChart } from '../svg.js';
import { formatTable } from '../table.js';
import { runTraining, TRAIN_FLAGS } from './train.js';
import { continueDemoTraining, DEMO_RESUME_FLAGS, readDemoFlags, writeDemoFlags, type DemoRuntimeFlags } from './demo_resume.js';
import { progressBar } from '../progress.js';
import { parseFlags, parseIntFlag } from '../args.js';
import { DIGITAL_ONLY_FLAGS, digitalOptionsFromFlags } from '../link_flags.js';
import { effectiveChannel, formatMcsPolicy, parseChannelFlags } from '../channel_flags.js';
import { geometryMeanSnrDb, type GeometrySpec } from '../../channel/fading/geometry.js';
import type { ChannelSettings } from '../../link/channel_settings.js';
import { DEFAULT_TRAIN_CONFIG } from '../../train/config.js';
import { InputError } from '../../errors.js';
import { checkParetoFlags, runParetoDemo } from './demo_pareto.js';
import { DEMO_PARTS_DIR, demoParts } from './demo_parts.js';
import { RunStopped } from '../stop_request.js';

/** The digital links of the main job's table: 802.11n 648, rates 1/2 and 3/4, BPSK, 8 bits. */
const DIGITAL_CODES = ['80211n:648:1/2', '80211n:648:3/4'];

/** Equal-SNR sweep of the accuracy-vs-SNR plot, in dB. */
const SWEEP_DB = [-10, -5, 0, 5, 10, 15, 20];

/**
 * A digital row's link label: the code (or the MCS policy), plus each option that differs from the
 * defaults (BPSK, 8 bits, NMS 10 it.).
 */
function digitalLabel(o: DigitalLinkOptions, mcs?: string): string {
  const parts = [mcs ? `digital mcs ${mcs}` : `digital ${o.code}`];
  if (!mcs && o.modulation !== 'bpsk') parts.push(o.modulation);
  if (o.bits !== 8) parts.push(`${o.bits}-bit`);
  if (o.decoder?.algorithm !== 'nms' || o.decoder?.iterations !== 10) parts.push(`${o.decoder?.algorithm} ${o.decoder?.iterations} it.`);
  return parts.join(' ');
}

function comparisonTable(rows: ComparisonRow[]): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const uses = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  return formatTable(
    ['condition', 'link', 'naive', 'channel-aware', 'gain', 'uses/sample (naive, aware)'],
    rows.map((r) => [
      r.condition,
      r.link,
      pct(r.naive),
      pct(r.channelAware),
      `${r.gain >= 0 ? '+' : ''}${(r.gain * 100).toFixed(2)}`,
      `${uses(r.channelUsesPerSample.naive.mean)}, ${uses(r.channelUsesPerSample.channelAware.mean)}`,
    ]),
    2,
  );
}

/**
 * The conditions of one link: the standard ones and, with a geometry, one more at its mean SNRs
 * (`geometrySnrDb`); every evaluation under `channel`.
 */
function linkConditions(link: Link, K: number, range: [number, number], channel: ChannelSettings | undefined, geometry: { text: string; db: number[] } | null): Condition[] {
  const conditions = standardConditions(link, K, range, channel);
  if (geometry) {
    const db = geometry.db.map((x) => Number(x.toFixed(1))).join(',');
    conditions.push({ name: `geometry ${geometry.text} (${db} dB)`, link, snr: [{ kind: 'fixed', db: geometry.db }], ...(channel ? { channel } : {}) });
  }
  return conditions;
}

/** The flags of parsed flags that --resume takes besides DIR (those given). */
function runtimeFlagsOf(v: DemoRuntimeFlags): DemoRuntimeFlags {
  return Object.fromEntries(DEMO_RESUME_FLAGS.filter((k) => v[k] !== undefined).map((k) => [k, v[k]]));
}

/**
 * The main job (`npm start`): trains the default LeNet-5 MoE on MNIST in both stages, then
 * compares naive against channel-aware gating on the test set under perfect links, equal SNRs
 * of 0/10/20 dB, heterogeneous SNRs and one bad link, over the analog link and over digital
 * links (802.11n 648 at rates 1/2 and 3/4; --digital-codes). Writes the checkpoint,
 * metrics.json, comparison.json and accuracy-vs-snr.svg into --out (default runs/demo).
 *
 * Every row's channel-aware gate was trained over that row's link: stage 2 runs over the analog
 * link for the analog rows (the checkpoint in --out), then again over each digital link for its
 * rows (a checkpoint per link under --out). So demo takes no --link (nor --code: the codes are
 * --digital-codes); --modulation, --bits, --decoder and --iterations apply to every digital link.
 * The channel flags (--channel, --coherence, --doppler, --csi, --rx-csi) and --channel-use-weight
 * apply to every stage 2 and every evaluation; --geometry adds a condition at its mean SNRs to each
 * link's rows; --mcs gives the digital rows (one link with that MCS policy, instead of
 * --digital-codes). comparison.json records the channel and each row's channel uses per sample.
 * With --pareto it runs the accuracy vs channel-uses sweep instead of the comparison (see runParetoDemo).
 * Progress (training, feature extraction, the comparisons) goes to stderr, none with --quiet.
 *
 * The flags are recorded in --out (demo-flags.json) and the training state saved after every epoch:
 * `wmoe demo --resume DIR [--threads N --spin N --quiet]` continues a stopped demo (see demo_resume.ts).
 * An --out holding an unfinished demo or training run is refused rather than overwritten.
 */
export async function demoCommand(argv: string[]): Promise<void> {
  const options = { ...TRAIN_FLAGS, 'digital-codes': { type: 'string' }, pareto: { type: 'boolean' }, resume: { type: 'string' } } as const;
  const { values: given } = parseFlags(argv, options);
  const resumeDir = given.resume;
  if (resumeDir !== undefined) {
    const other = Object.keys(given).find((k) => k !== 'resume' && given[k as keyof typeof given] !== undefined && !(DEMO_RESUME_FLAGS as readonly string[]).includes(k));
    if (other) throw new InputError(`--resume continues the demo with the flags it recorded: --${other} cannot be given with it (only ${DEMO_RESUME_FLAGS.map((f) => `--${f}`).join(', ')})`);
  }
  // Resuming: the recorded flags, with this call's --threads/--spin/--quiet.
  const values = resumeDir === undefined ? given : { ...parseFlags(readDemoFlags(resumeDir), options).values, ...runtimeFlagsOf(given) };
  const { 'digital-codes': codesFlag, link: linkFlag, code: codeFlag, geometry: geometryFlag, mcs: mcsFlag, pareto, resume: _resume, ...trainFlags } = values;
  if (pareto === true) checkParetoFlags(values);
  if (linkFlag !== undefined) {
    throw new InputError(
      `demo takes no --link (got '${linkFlag}'): its analog rows use a gate trained over the analog link and its digital rows one trained over each --digital-codes link`,
    );
  }
  if (codeFlag !== undefined) throw new InputError(`demo takes no --code (got '${codeFlag}'): give its digital codes as --digital-codes SPEC,SPEC`);
  if (mcsFlag !== undefined && codesFlag !== undefined) throw new InputError(`--mcs '${mcsFlag}' gives the digital rows: drop --digital-codes (or --mcs)`);
  const digitalCodes = codesFlag === undefined ? DIGITAL_CODES : codesFlag === 'none' ? [] : codesFlag.split(',');
  const digitalFlags = DIGITAL_ONLY_FLAGS.filter((k) => values[k] !== undefined);
  if (digitalCodes.length === 0 && digitalFlags.length > 0) {
    throw new InputError(`--${digitalFlags[0]} applies to the digital rows, and --digital-codes is none`);
  }
  // The channel flags (stage 2 takes those of the channel model and λ through runTraining; the
  // geometry adds a condition to each link's comparison).
  const experts = parseIntFlag('experts', values.experts, DEFAULT_TRAIN_CONFIG.experts, 1);
  const channelSpec = parseChannelFlags(values, { experts, ...(mcsFlag !== undefined ? { link: 'digital' as const } : {}) });
  const geometrySpec: GeometrySpec | null = channelSpec.geometry;
  // Build (and so validate) every digital link before training: one per code, or the --mcs one.
  const digitalLinks: DigitalLink[] = channelSpec.mcs
    ? [mcsLink(channelSpec.mcs, digitalOptionsFromFlags(values))]
    : digitalCodes.map((code) => digitalLink(digitalOptionsFromFlags({ ...values, code })));
  for (const k of DIGITAL_ONLY_FLAGS) delete trainFlags[k as keyof typeof trainFlags]; // stage 2 of runTraining: analog
  const { model, cfg, out, features, stop } =
    resumeDir !== undefined
      ? await continueDemoTraining(resumeDir, runtimeFlagsOf(given))
      : await runTraining(trainFlags, 'runs/demo', DEFAULT_TRAIN_CONFIG, true, (dir) => writeDemoFlags(dir, argv));
  if (pareto === true) {
    // --pareto: the accuracy vs channel-uses sweep instead of the gate comparison (see demo_pareto.ts).
    const { bits, decoder } = digitalOptionsFromFlags(values);
    runParetoDemo({ model, features, cfg, out, channel: cfg.channel, digital: { bits, decoder }, progress: progressBar({ quiet: values.quiet === true }) });
    model.dispose();
    return;
  }
  const { train, test } = features;
  const K = cfg.experts;
  const quiet = values.quiet === true;
  const progress = progressBar({ quiet });
  const channel = cfg.channel;
  const geometry = geometrySpec && geometryFlag !== undefined ? { text: geometryFlag, db: Array.from(geometryMeanSnrDb(geometrySpec, cfg.seed)) } : null;
  // The comparisons run in parts, each saved as it finishes (see demo_parts.ts); a stop asked for
  // during them (STOP file, --stop-after-minutes) is obeyed between parts.
  const parts = demoParts(out, resumeDir === undefined);
  const part = <T>(name: string, compute: () => T): T => {
    if (parts.has(name)) {
      if (!quiet) process.stderr.write(`${name}: done in an earlier session\n`);
      return parts.get(name, compute);
    }
    const result = parts.get(name, compute);
    if (stop.requested()) {
      stop.obeyed();
      throw new RunStopped(`stopped as asked (${stop.reason()}): the demo's comparisons done so far (up to ${name}) are saved in ${join(out, DEMO_PARTS_DIR)}; continue with --resume ${out}`);
    }
    return result;
  };
  const { rows, curves } = part('perfect and analog rows', () => ({
    rows: compareGates(
      model,
      test,
      [{ name: 'perfect links', link: perfectLink, snr: [{ kind: 'perfect' }], ...(channel ? { channel } : {}) }, ...linkConditions(analogLink, K, cfg.snrRange, channel, geometry)],
      cfg.seed,
      progress,
      'compare gates (perfect, analog)',
    ),
    curves: accuracyVsSnr(model, test, analogLink, SWEEP_DB, 20, cfg.seed, progress, undefined, channel),
  }));

  // Digital rows: the channel-aware gate is retrained in stage 2 over each digital link (the
  // backbone, experts and naive gate stay those of stage 1), and saved as its own checkpoint.
  for (const link of digitalLinks) {
    const { modulation, bits, decoder } = link.codec.options;
    const mcs = link.mcs ? formatMcsPolicy(link.mcs.spec) : undefined;
    const code = mcs ?? link.codec.options.code;
    const name = `digital-${code.replace(/[:/=.]/g, '_')}`;
    const digitalRows = part(name, () => {
      if (!quiet) process.stderr.write(`stage 2 over the digital link ${mcs ? `mcs ${mcs}` : `${code}, ${modulation}`}, ${bits}-bit features, ${decoder?.algorithm} ${decoder?.iterations} it.\n`);
      const epochs = trainStage2(model, train, features.validation, link, cfg, progress);
      const linkRows = compareGates(model, test, linkConditions(link, K, cfg.snrRange, channel, geometry), cfg.seed, progress, `compare gates (digital ${code})`);
      writeRunDirectory(join(out, name), model, { train: cfg, stage2Link: linkRecordOf(link) }, {
        'metrics.json': JSON.stringify({ stage2: { link: linkRecordOf(link), epochs } }, null, 2) + '\n',
      });
      return linkRows.map((r) => ({ ...r, link: digitalLabel(link.codec.options, mcs) }));
    });
    rows.push(...digitalRows);
  }
  process.stdout.write(
    `\nTest accuracy, ${cfg.model} MoE on ${cfg.dataset} (K = ${K}, top-${cfg.topK}, ${test.n} test samples, seed ${cfg.seed})\n\n` +
      comparisonTable(rows),
  );
  const { source, ...channelTexts } = effectiveChannel(values, channelSpec, undefined, '').report;
  const channelReport = {
    ...channelTexts,
    ...(geometry ? { geometry: geometry.text, meanSnrDb: geometry.db } : {}),
    channelUseWeight: cfg.channelUseWeight ?? 0,
    source,
  };
  writeFileSync(
    join(out, 'comparison.json'),
    JSON.stringify({ channel: channelReport, rows, digitalLinks: digitalLinks.map((l) => linkRecordOf(l)), accuracyVsSnr: { snrDb: SWEEP_DB, otherLinksDb: 20, ...curves } }, null, 2) + '\n',
  );
  writeFileSync(
    join(out, 'accuracy-vs-snr.svg'),
    lineChart({
      title: `${cfg.model} MoE on ${cfg.dataset}, analog links: test accuracy vs SNR`,
      xLabel: 'SNR x, Es/N0 (dB)',
      yLabel: 'test accuracy',
      yLimits: { lo: 0, hi: 1 },
      series: [
        { name: 'naive, one link at x', points: curves.oneLink.naive },
        { name: 'channel-aware, one at x', points: curves.oneLink.channelAware },
        // Drawn last so that it stays visible where the two gates coincide.
        { name: 'ch.-aware, all at x', points: curves.equal.channelAware, dashed: true },
        { name: 'naive, all links at x', points: curves.equal.naive, dashed: true },
      ],
      notes: [
        'With every link at the same SNR the channel-aware gate routes exactly like the naive gate (its SNR terms are equal across experts, by design), so the two "all links at x" lines coincide; the naive one is drawn on top.',
      ],
    }),
  );
  parts.finish();
  process.stdout.write(`\nwrote ${join(out, 'comparison.json')} and ${join(out, 'accuracy-vs-snr.svg')}\n`);
  model.dispose();
}
