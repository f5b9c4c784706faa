// Peak memory of a CIFAR-10 ResNet-18 training run: synthetic CIFAR-10 binary files of the
// official size and format (data_batch_1..5.bin, 10 000 records each, and test_batch.bin, 10 000;
// a record is 1 label byte + 3 072 CHW pixel bytes; 184 MB in all) are written to a temp dir,
// then a child process per build loads them with loadDataset('cifar10') and runs trainMoe (the
// library path `wmoe train` takes: the validation split, the input statistics, the ResNet-18
// MoE, Adam, batches of 64 with crop-flip augmentation) for --steps stage-1 steps, enough to
// reach the steady state of stage 1, and stops there. Reported per build: the peak resident set
// (the kernel's high-water mark, getrusage maxrss, over the whole child), and the largest
// V8 heap in use and ArrayBuffer bytes seen at the progress reports. Stage 2's features and
// the final evaluations are not reached (a real run's full feature extraction of 45 000 images
// takes hours here).
//
//   npm run build && node bench/peak-memory.mjs [--steps 20] [--threads N] [--before DIST]
//
// --before DIST: also measure another build's dist/ (e.g. the previous commit's, made by
//   git worktree add /tmp/before HEAD~1 && ln -s "$PWD/node_modules" /tmp/before/ && (cd /tmp/before && npm run build)
// then --before /tmp/before/dist; --before-label names it) and print both. Writes
// bench/results/peak-memory.json (or --out).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatLoad, machineLoad } from './lib/timing.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    steps: { type: 'string' },
    threads: { type: 'string' },
    before: { type: 'string' },
    'before-label': { type: 'string' },
    out: { type: 'string' },
    child: { type: 'string' },
    dist: { type: 'string' },
  },
});
const STEPS = Number(values.steps ?? 20);
const THREADS = Number(values.threads ?? Math.min(availableParallelism(), 64));
const MB = 1024 * 1024;

if (values.child !== undefined) await child(values.child, values.dist);
else await parent();

/** Writes the six CIFAR-10 files (seeded bytes, labels < 10) into `dir`. */
function writeCifar10(dir) {
  const RECORDS = 10000;
  const record = 3073;
  let seed = 1;
  for (const name of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
    const bytes = new Uint8Array(RECORDS * record);
    const words = new Uint32Array(bytes.buffer);
    for (let i = 0; i < words.length; i++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      words[i] = seed >>> 0;
    }
    for (let r = 0; r < RECORDS; r++) bytes[r * record] %= 10;
    writeFileSync(join(dir, `${name}.bin`), bytes);
  }
}

/** The commit a dist/ was built from (its worktree's HEAD), or null. */
function commitOf(dist) {
  try {
    return execFileSync('git', ['-C', resolve(dist, '..'), 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Runs one child measurement on `dist`; returns its JSON report. */
function measure(dist, dataDir) {
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', dataDir, '--dist', dist, '--steps', String(STEPS), '--threads', String(THREADS)],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`measurement of ${dist} failed (exit ${r.status ?? r.signal}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop();
  return { dist, commit: commitOf(dist), ...JSON.parse(line) };
}

async function parent() {
  const loadStart = machineLoad();
  const dataDir = mkdtempSync(join(tmpdir(), 'wmoe-peak-memory-'));
  const runs = [];
  try {
    writeCifar10(dataDir);
    const before = values['before-label'] ?? 'before';
    const builds = [...(values.before ? [[before, resolve(values.before)]] : []), ['this build', resolve(HERE, '..', 'dist')]];
    for (const [label, dist] of builds) {
      console.log(`${label} (${dist}): loading CIFAR-10 and training ResNet-18 for ${STEPS} steps on ${THREADS} thread(s) ...`);
      const m = measure(dist, dataDir);
      runs.push({ label, ...m });
      console.log(
        `  peak RSS ${(m.peakRssBytes / MB).toFixed(0)} MB; largest V8 heap in use ${(m.peakHeapUsedBytes / MB).toFixed(0)} MB; ` +
          `largest ArrayBuffer total ${(m.peakArrayBuffersBytes / MB).toFixed(0)} MB; RSS after loading ${(m.rssAfterLoadBytes / MB).toFixed(0)} MB ` +
          `(${m.steps} steps, ${(m.seconds).toFixed(0)} s)`,
      );
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const loadEnd = machineLoad();
  console.log(`machine: ${formatLoad(loadStart)} at start, ${formatLoad(loadEnd)} at end`);
  const out = values.out ?? join(HERE, 'results', 'peak-memory.json');
  mkdirSync(dirname(out), { recursive: true });
  const result = {
    bench: 'peak-memory',
    what: 'CIFAR-10 (50 000 + 10 000 records, official binary format) ResNet-18 MoE (K=4, top-2, batch 64, crop-flip) via loadDataset + trainMoe, stopped after the given stage-1 steps',
    steps: STEPS,
    threads: THREADS,
    node: process.version,
    runs,
    load: { start: loadStart, end: loadEnd },
  };
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${out}`);
}

/** The measured child: loads the data, trains until step STEPS of stage 1, prints a JSON line. */
async function child(dataDir, dist) {
  const t0 = performance.now();
  const { init, analogLink, trainMoe, DEFAULT_TRAIN_CONFIG } = await import(pathToFileURL(join(dist, 'index.mjs')).href);
  const { loadDataset } = await import(pathToFileURL(join(dist, 'node.mjs')).href);
  await init({ threads: THREADS });
  let peakHeapUsedBytes = 0;
  let peakArrayBuffersBytes = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, m.heapUsed);
    peakArrayBuffersBytes = Math.max(peakArrayBuffersBytes, m.arrayBuffers);
  };
  const data = await loadDataset('cifar10', { dataDir });
  sample();
  const rssAfterLoadBytes = process.memoryUsage().rss;
  const cfg = { ...DEFAULT_TRAIN_CONFIG, model: 'resnet18', dataset: 'cifar10', inputShape: [32, 32, 3], classes: 10, batchSize: 64, stage1Epochs: 1, stage2Epochs: 1 };
  const STOP = new Error('stop');
  let steps = 0;
  try {
    trainMoe(cfg, data, analogLink, (e) => {
      sample();
      // Builds before progress had `kind` reported every 10th step; later ones every step.
      if (e.stage === 1 && (e.kind === undefined || e.kind === 'step')) {
        steps = e.step;
        if (steps >= STEPS) throw STOP;
      }
    });
  } catch (e) {
    if (e !== STOP) throw e;
  }
  sample();
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    JSON.stringify({ peakRssBytes, peakHeapUsedBytes, peakArrayBuffersBytes, rssAfterLoadBytes, steps, seconds: (performance.now() - t0) / 1000 }) + '\n',
  );
  process.exit(0);
}
