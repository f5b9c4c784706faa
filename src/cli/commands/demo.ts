import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accuracyVsSnr, compareGates, standardConditions, type ComparisonRow } from '../../train/compare.js';
import { perfectLink, analogLink, digitalLink, DEFAULT_DIGITAL } from '../../link/index.js';
import { trainStage2 } from '../../train/stage2.js';
import { writeRunDirectory } from '../../train/checkpoint.js';
import { lineChart } from '../svg.js';
import { formatTable } from '../table.js';
import { runTraining, TRAIN_FLAGS } from './train.js';
import { progressBar } from '../progress.js';
import { parseFlags } from '../args.js';

/** The digital links of the main job's table: 802.11n 648, rates 1/2 and 3/4, BPSK, 8 bits. */
const DIGITAL_CODES = ['80211n:648:1/2', '80211n:648:3/4'];

/** Equal-SNR sweep of the accuracy-vs-SNR plot, in dB. */
const SWEEP_DB = [-10, -5, 0, 5, 10, 15, 20];

function comparisonTable(rows: ComparisonRow[]): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  return formatTable(
    ['condition', 'link', 'naive', 'channel-aware', 'gain'],
    rows.map((r) => [r.condition, r.link, pct(r.naive), pct(r.channelAware), `${r.gain >= 0 ? '+' : ''}${(r.gain * 100).toFixed(2)}`]),
    2,
  );
}

/**
 * The main job (`npm start`): trains the default LeNet-5 MoE on MNIST in both stages, then
 * compares naive against channel-aware gating on the test set under perfect links, equal SNRs
 * of 0/10/20 dB, heterogeneous SNRs and one bad link, over the analog link and over digital
 * links (802.11n 648 at rates 1/2 and 3/4; --digital-codes). Writes the checkpoint,
 * metrics.json, comparison.json and accuracy-vs-snr.svg into --out (default runs/demo).
 */
export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, { ...TRAIN_FLAGS, 'digital-codes': { type: 'string' } });
  const { 'digital-codes': codesFlag, ...trainFlags } = values;
  const digitalCodes = codesFlag === undefined ? DIGITAL_CODES : codesFlag === 'none' ? [] : codesFlag.split(',');
  const digitalLinks = digitalCodes.map((code) => digitalLink({ ...DEFAULT_DIGITAL, code })); // validates before training
  const { model, cfg, out, features } = await runTraining(trainFlags, 'runs/demo');
  const { train, test } = features;
  const K = cfg.experts;
  const rows = compareGates(
    model,
    test,
    [{ name: 'perfect links', link: perfectLink, snr: [{ kind: 'perfect' }] }, ...standardConditions(analogLink, K, cfg.snrRange)],
    cfg.seed,
  );
  const curves = accuracyVsSnr(model, test, analogLink, SWEEP_DB, 20, cfg.seed);

  // Digital rows: the channel-aware gate is retrained in stage 2 over each digital link (the
  // backbone, experts and naive gate stay those of stage 1), and saved as its own checkpoint.
  for (const link of digitalLinks) {
    const { code, modulation, bits } = link.codec.options;
    process.stderr.write(`stage 2 over the digital link ${code}, ${modulation}, ${bits}-bit features\n`);
    const epochs = trainStage2(model, train, test, link, cfg, progressBar());
    rows.push(
      ...compareGates(model, test, standardConditions(link, K, cfg.snrRange), cfg.seed).map((r) => ({ ...r, link: `digital ${code}` })),
    );
    writeRunDirectory(join(out, `digital-${code.replace(/[:/]/g, '_')}`), model, { train: cfg, stage2Link: link.codec.options }, {
      'metrics.json': JSON.stringify({ stage2: { link: link.codec.options, epochs } }, null, 2) + '\n',
    });
  }
  process.stdout.write(
    `\nTest accuracy, ${cfg.model} MoE on ${cfg.dataset} (K = ${K}, top-${cfg.topK}, ${test.n} test samples, seed ${cfg.seed})\n\n` +
      comparisonTable(rows),
  );
  writeFileSync(join(out, 'comparison.json'), JSON.stringify({ rows, accuracyVsSnr: { snrDb: SWEEP_DB, otherLinksDb: 20, ...curves } }, null, 2) + '\n');
  writeFileSync(
    join(out, 'accuracy-vs-snr.svg'),
    lineChart({
      title: `${cfg.model} MoE on ${cfg.dataset}, analog links: test accuracy vs SNR`,
      xLabel: 'SNR x, Es/N0 (dB)',
      yLabel: 'test accuracy',
      series: [
        { name: 'naive, one link at x', points: curves.oneLink.naive },
        { name: 'channel-aware, one at x', points: curves.oneLink.channelAware },
        { name: 'naive, all links at x', points: curves.equal.naive, dashed: true },
        { name: 'ch.-aware, all at x', points: curves.equal.channelAware, dashed: true },
      ],
    }),
  );
  process.stdout.write(`\nwrote ${join(out, 'comparison.json')} and ${join(out, 'accuracy-vs-snr.svg')}\n`);
  model.dispose();
}
