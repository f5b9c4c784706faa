#!/usr/bin/env node
// Issue 18's result tables: naive against channel-aware gating over Rayleigh block fading for each
// gate-CSI model (perfect, pilots:1, pilots:4, stale by one block at f = 0.05 and f = 0.15,
// quantised:2, statistical), each with stage 2 trained under that CSI; and the robustness rows: the
// gate trained on perfect CSI evaluated under each imperfect CSI. One stage 1 per model; every stage 2
// starts from its weights. Uses the built package (dist/: run `npm run build` first).
//
//   node scripts/fading-results.mjs [--model lenet5|resnet18] [--dataset fashion-mnist]
//        [--epochs 4] [--stage2-epochs 4] [--train-samples 0] [--test-samples 0] [--seed 1]
//        [--link analog|digital] [--out docs/results] [--runs runs] [--threads 1|N|auto]
//
// Mean SNRs: expert k's link has mean Es/N0 −5, 5, 15, 25 dB (K = 4, heterogeneous over −5…25 dB);
// stage 2 draws each sample's per-expert mean SNRs uniformly from −5…25 dB. Coherence 1 (one block
// per sample); without Doppler successive blocks fade independently, the stale rows use Jakes at f.
// Checkpoints: stage 1's state after every epoch and each finished row go to RUNS/fading-<name>/, so
// a killed run continues where it stopped when started again with the same options.
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

const ROOT = new URL('..', import.meta.url).pathname;
const pkg = await import(join(ROOT, 'dist/node.mjs'));
const { init, trainMoe, trainStage2, evaluate, encodeTrainState, writeTrainStateFile, hasTrainState, readTrainStateFile, loadDataset, createLink, DEFAULT_TRAIN_CONFIG } = pkg;

const { values: v } = parseArgs({
  options: {
    model: { type: 'string', default: 'lenet5' },
    dataset: { type: 'string', default: 'fashion-mnist' },
    epochs: { type: 'string', default: '4' },
    'stage2-epochs': { type: 'string', default: '4' },
    'train-samples': { type: 'string', default: '0' },
    'test-samples': { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    link: { type: 'string', default: 'analog' },
    out: { type: 'string', default: join(ROOT, 'docs/results') },
    runs: { type: 'string', default: join(ROOT, 'runs') },
    threads: { type: 'string', default: '1' },
  },
});
const int = (name) => {
  const x = Number(v[name]);
  if (!Number.isSafeInteger(x) || x < 0) throw new Error(`--${name} '${v[name]}' must be an integer ≥ 0`);
  return x;
};

const MEAN_SNR_DB = [-5, 5, 15, 25];
const CSI_ROWS = [
  { name: 'perfect', channel: { channel: 'rayleigh', csi: 'perfect' } },
  { name: 'pilots:1', channel: { channel: 'rayleigh', csi: 'pilots:1' } },
  { name: 'pilots:4', channel: { channel: 'rayleigh', csi: 'pilots:4' } },
  { name: 'stale:1, f = 0.05', channel: { channel: 'rayleigh', doppler: '0.05', csi: 'stale:1' } },
  { name: 'stale:1, f = 0.15', channel: { channel: 'rayleigh', doppler: '0.15', csi: 'stale:1' } },
  { name: 'quantised:2', channel: { channel: 'rayleigh', csi: 'quantised:2' } },
  { name: 'statistical', channel: { channel: 'rayleigh', csi: 'statistical' } },
];

await init({ threads: v.threads === 'auto' ? 'auto' : int('threads') });
const name = `${v.dataset}-${v.model}-${v.link}`;
const runDir = join(v.runs, `fading-${name}`);
mkdirSync(runDir, { recursive: true });
const cfg = {
  ...DEFAULT_TRAIN_CONFIG,
  model: v.model,
  dataset: v.dataset,
  experts: 4,
  topK: 2,
  snrRange: [-5, 25],
  seed: int('seed'),
  stage1Epochs: int('epochs'),
  stage2Epochs: 0,
  trainSamples: int('train-samples'),
  testSamples: int('test-samples'),
};
const data = await loadDataset(v.dataset);
cfg.inputShape = [data.train.height, data.train.width, data.train.channels];
cfg.classes = data.train.classes;
const log = (s) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

// Stage 1 (resumable), then the frozen backbone's features.
const resume = hasTrainState(runDir) ? readTrainStateFile(runDir).state : undefined;
if (resume) log(`stage 1: continuing from ${runDir}`);
const t0 = Date.now();
const { model, metrics, features } = trainMoe(cfg, data, createLink('perfect'), {
  resume,
  onCheckpoint: (state) => writeTrainStateFile(runDir, encodeTrainState(state, { script: 'fading-results' })),
});
log(`stage 1 done: test accuracy ${(metrics.stage1.testAccuracy * 100).toFixed(2)} % (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
const stage1Weights = model.params.toFlat();

const rowsFile = join(runDir, 'rows.json');
const done = existsSync(rowsFile) ? JSON.parse(readFileSync(rowsFile, 'utf8')) : {};
const save = () => {
  writeFileSync(`${rowsFile}.tmp`, JSON.stringify(done, null, 1));
  renameSync(`${rowsFile}.tmp`, rowsFile);
};
const evalSnr = { kind: 'fixed', db: MEAN_SNR_DB };
const stage2Epochs = int('stage2-epochs');

/** Stage 2 under `channel` from the stage-1 weights; returns the gate's weights. */
function trainGate(channel) {
  model.params.fromFlat(stage1Weights);
  trainStage2(model, features.train, features.validation, createLink(v.link), { ...cfg, stage2Epochs, channel });
  return model.params.toFlat();
}
/** Accuracy and channel uses of `gate` under `channel` at the fixed heterogeneous mean SNRs. */
function evalGate(gate, channel) {
  const r = evaluate(model, features.test, { gate, link: createLink(v.link), snr: evalSnr, channel, seed: cfg.seed });
  return { accuracy: r.accuracy, channelUses: r.channelUses.mean, selection: r.selection };
}

const gates = {};
for (const row of CSI_ROWS) {
  if (done[row.name]) {
    log(`${row.name}: done before`);
    continue;
  }
  const t = Date.now();
  const weights = trainGate(row.channel);
  gates[row.name] = weights;
  const naive = evalGate('naive', row.channel);
  const aware = evalGate('channel-aware', row.channel);
  done[row.name] = { channel: row.channel, naive, channelAware: aware, seconds: (Date.now() - t) / 1000 };
  save();
  log(`${row.name}: naive ${(naive.accuracy * 100).toFixed(2)} %, channel-aware ${(aware.accuracy * 100).toFixed(2)} %`);
}
// Robustness: the gate trained on perfect CSI, evaluated under each other CSI.
if (!done.robustness) {
  model.params.fromFlat(stage1Weights);
  trainStage2(model, features.train, features.validation, createLink(v.link), { ...cfg, stage2Epochs, channel: CSI_ROWS[0].channel });
  const robustness = {};
  for (const row of CSI_ROWS.slice(1)) robustness[row.name] = evalGate('channel-aware', row.channel);
  done.robustness = robustness;
  save();
}

const result = {
  script: 'scripts/fading-results.mjs',
  command: `node scripts/fading-results.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  config: { ...metrics.config, stage2Epochs, link: v.link },
  meanSnrDb: MEAN_SNR_DB,
  samples: metrics.samples,
  stage1TestAccuracy: metrics.stage1.testAccuracy,
  rows: CSI_ROWS.map((r) => ({ csi: r.name, ...done[r.name] })),
  robustness: CSI_ROWS.slice(1).map((r) => ({ csi: r.name, trainedOnPerfect: done.robustness[r.name], trainedMatched: done[r.name].channelAware })),
  loadAverage: loadavg(),
};
mkdirSync(v.out, { recursive: true });
const file = join(v.out, `fading-${name}.json`);
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
log(`wrote ${file}`);
