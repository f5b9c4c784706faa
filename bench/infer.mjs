// Inference speed against peers, measured in one run on this machine, at equal thread counts
// (1 and 2): a plain CIFAR ResNet-18 (1.111 GFLOP per image) at batch 32 and at batch 1, and a
// plain LeNet-5 at batch 1, forward only, random weights of the same architecture everywhere:
//   wmoe               the package's backend, init({ threads }), the networks built from tfjs-core
//                      ops with batch norm folded into the convs (bench/lib/plain-nets.mjs), timed as
//                      tf.tidy(forward) + dataSync; its FLOPs are counted from the kernels it ran and
//                      must equal PyTorch's count. Plain SIMD build (a stock Node 20).
//   wmoe-relaxed       the same under node --experimental-wasm-relaxed-simd (the relaxed-SIMD build,
//                      f32x4.relaxed_madd): the build the wmoe CLI runs (and browsers, Node >= 22), so
//                      the targets are checked on it when it ran (on the plain build otherwise).
//   wmoe-predict       the package's predict() on a stage-1 MoE of the same model (batch norm folded,
//                      top-2 of 4 experts, sparse dispatch, perfect links), its FLOPs counted from
//                      the kernels it ran (backbone + two experts: not the plain network's); informative.
//   PyTorch CPU        Debian's python3-torch by /usr/bin/python3 (bench/peers/torch/infer.py: eval,
//                      inference_mode), torch.set_num_threads and OPENBLAS_NUM_THREADS = threads;
//                      the BLAS it loaded is recorded (/proc/self/maps): a reference BLAS is no peer.
//                      For a fair peer:  apt-get install python3-torch libopenblas0-pthread
//   onnxruntime-web    its WASM backend run in Node (ort.env.wasm.numThreads = threads), and
//   onnxruntime-node   native CPU (intraOpNumThreads = threads; informative, no target), both on
//                      the network PyTorch exports (torch.onnx.export, opset 13) into build/infer/,
//                      after checking that their output agrees with PyTorch's.
// Every engine runs in its own process per measurement; each round runs every engine and thread
// count once, in an order that rotates every round; a row's figure is the median of its round
// medians. Each row states its GFLOP/s and its share of the WASM SIMD limit measured in the same
// run (bench/lib/simd-limit.mjs: 12 independent f32x4 accumulators, mul+add and relaxed_madd,
// per core; the limit is the better of a measurement at the start and one at the end). GFLOP/s
// are nominal: the network's direct-convolution and dense multiply-adds, 2 FLOP each, per second
// (1.111 GFLOP per ResNet-18 image whatever the algorithm), so an engine that multiplies less
// (Winograd) or has FMA on wider vectors (native) can show more than 100 % of the WASM limit.
// Targets and verdicts: bench/lib/infer-checks.mjs (met / missed / invalid / skipped; invalid when
// the machine was busy while a compared row ran, a compared 2-thread row ran slower than its
// 1-thread row, or PyTorch ran on a BLAS that is not optimised). The machine's load average is
// recorded at the start and the end, and the CPU share other (un-niced) processes took during
// each run and over the whole run (bench/lib/cpu-share.mjs).
//
//   npm run build && node bench/infer.mjs [--help] [--rounds 3] [--big-iters 5] [--b1-iters 20]
//        [--lenet-iters 300] [--no-torch] [--no-ort] [--no-relaxed] [--no-predict] [--out FILE]
//   short run: node bench/infer.mjs --rounds 2 --big-iters 2 --b1-iters 10 --lenet-iters 100
//   README block again from a stored result (verdicts recomputed): node bench/infer.mjs --from FILE
//
// Writes bench/results/infer.json (or --out): the rows, the SIMD limit, the checks (the README block is
// rendered from them by `npm run figures` or `--from FILE`, verdicts recomputed).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatLoad, machineLoad, median, medianOfRounds } from './lib/timing.mjs';
import { PYTHON, TORCH_INSTALL, probeTorch, torchEnv } from './lib/torch-peer.mjs';
import { RELAXED_FLAG, formatLimit, simdLimit, simdShare } from './lib/simd-limit.mjs';
import { PLAIN_NETS } from './lib/plain-nets.mjs';
import { fmtMs, inferReadmeBlock, pct } from './lib/infer-report.mjs';
import { PEER_LABELS, TORCH_PEER, busyProblems, comparisonProblems, gflopsOf, inferChecks } from './lib/infer-checks.mjs';
import { cpuSnapshot, othersCpu } from './lib/cpu-share.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TORCH_INFER = fileURLToPath(new URL('./peers/torch/infer.py', import.meta.url));
const EXPORT_DIR = `${ROOT}build/infer`;

/** The command line (orchestrator or --worker). Exits 2 on a bad value. */
function parseArguments() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' }, 'big-iters': { type: 'string' }, 'b1-iters': { type: 'string' }, 'lenet-iters': { type: 'string' },
      'no-torch': { type: 'boolean' }, 'no-ort': { type: 'boolean' }, 'no-relaxed': { type: 'boolean' }, 'no-predict': { type: 'boolean' }, out: { type: 'string' },
      worker: { type: 'string' }, model: { type: 'string' }, batch: { type: 'string' }, threads: { type: 'string' },
      warmup: { type: 'string' }, iters: { type: 'string' }, onnx: { type: 'string' }, from: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    const text = readFileSync(SELF, 'utf8');
    console.log(text.split('\n').filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    process.exit(0);
  }
  const int = (name, dflt, min = 1) => {
    const v = Number(values[name] ?? dflt);
    if (!Number.isInteger(v) || v < min) {
      console.error(`bench/infer.mjs: --${name} must be an integer >= ${min}, got '${values[name]}'`);
      process.exit(2);
    }
    return v;
  };
  return {
    rounds: int('rounds', 3), bigIters: int('big-iters', 5), b1Iters: int('b1-iters', 20), lenetIters: int('lenet-iters', 300),
    torch: !values['no-torch'], ort: !values['no-ort'], relaxed: !values['no-relaxed'], predict: !values['no-predict'],
    out: values.out ?? fileURLToPath(new URL('./results/infer.json', import.meta.url)),
    worker: values.worker, model: values.model, batch: int('batch', 1), threads: int('threads', 1), warmup: int('warmup', 1, 0),
    iters: int('iters', 5), onnx: values.onnx, from: values.from,
  };
}

const args = parseArguments();

// ---- worker: one engine, one measurement, JSON on stdout --------------------------------------
if (args.worker) {
  const { measureOrt, measureWmoe, measureWmoePredict } = await import('./lib/infer-engines.mjs');
  const job = { model: args.model, batch: args.batch, threads: args.threads, warmup: args.warmup, iters: args.iters };
  const out = args.worker === 'wmoe-predict' ? await measureWmoePredict(job)
    : args.worker.startsWith('wmoe')
    ? await measureWmoe(job)
    : await measureOrt(args.worker === 'onnxruntime-web' ? 'web' : 'node', { ...job, onnx: args.onnx, inputShape: [args.batch, ...nchw(args.model)] });
  console.log(JSON.stringify(out));
  process.exit(0);
}

/** The NCHW input shape (without batch) of `model`. */
function nchw(model) {
  const [h, w, c] = PLAIN_NETS[model].inputShape;
  return [c, h, w];
}

// ---- orchestrator ------------------------------------------------------------------------------
const notes = [];
const note = (s) => {
  notes.push(s);
  console.log(`note: ${s}`);
};

/** Runs a child command; its last stdout line parsed as JSON, or throws with its stderr's tail. */
function runChild(cmd, argv, env = process.env) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26, env });
  if (r.status !== 0) {
    const tail = (r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${cmd} ${argv.slice(0, 3).join(' ')} … failed (status ${r.status}): ${tail}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** The cases measured: model, batch, warm-up and timed forwards per process. */
const CASES = [
  { model: 'resnet18', batch: 32, warmup: 1, iters: args.bigIters },
  // V8 moves a WASM function from its baseline to its optimising compiler once it has run a while:
  // after 10 forwards some still ran on the baseline (19.6–20.4 ms against 18.0–18.4 after 100).
  { model: 'resnet18', batch: 1, warmup: 100, iters: args.b1Iters },
  // V8 needs a few hundred calls to optimise a small network's JS path (0.45 ms after 30, 0.13 after 300), every engine the same.
  { model: 'lenet5', batch: 1, warmup: 1000, iters: args.lenetIters },
];
const THREADS = [1, 2];

/** PyTorch's probe (BLAS), or null with a note. */
function initTorch() {
  if (!args.torch) return note('PyTorch and ONNX Runtime rows skipped (--no-torch; the ONNX models come from PyTorch)'), null;
  const probe = probeTorch();
  if (!probe.available) return note(`${probe.why}: PyTorch and ONNX Runtime rows skipped`), null;
  console.log(`PyTorch ${probe.torch}: BLAS ${probe.blasKind} (${probe.blas.join(', ') || 'none mapped'})`);
  if (!probe.optimised) note(`PyTorch runs on ${probe.blasKind} BLAS: its rows are no peer (install OpenBLAS: ${TORCH_INSTALL})`);
  return probe;
}

/** Exports every case's network to ONNX via PyTorch (one file per batch); checks its multiply-adds. */
function exportOnnx(c) {
  mkdirSync(EXPORT_DIR, { recursive: true });
  const path = `${EXPORT_DIR}/${c.model}-b${c.batch}.onnx`;
  const out = runChild(PYTHON, [TORCH_INFER, '--model', c.model, '--batch', String(c.batch), '--export', path], torchEnv(1));
  if (out.macsPerImage !== PLAIN_NETS[c.model].macsPerImage) throw new Error(`PyTorch's ${c.model} has ${out.macsPerImage} multiply-adds per image, wmoe's ${PLAIN_NETS[c.model].macsPerImage}: not the same network`);
  return { ...out, onnx: path };
}

/** The jobs of one case: { peer, threads, run() → timesMs }, and where each run's extra record goes. */
function jobsOf(c, torch, onnx) {
  const extras = new Map();
  const jobs = [];
  const add = (peer, threads, run) => jobs.push({ peer, threads, run: () => { const r = run(); extras.set(`${peer}/${threads}`, r); return r.timesMs; } });
  const common = ['--model', c.model, '--batch', String(c.batch), '--warmup', String(c.warmup), '--iters', String(c.iters)];
  for (const t of THREADS) {
    const node = (peer, flags = [], extra = []) => () => runChild(process.execPath, [...flags, SELF, '--worker', peer, ...common, '--threads', String(t), ...extra]);
    add('wmoe', t, node('wmoe'));
    if (args.relaxed) add('wmoe-relaxed', t, node('wmoe-relaxed', [RELAXED_FLAG]));
    if (args.predict) add('wmoe-predict', t, node('wmoe-predict'));
    if (torch) add(TORCH_PEER, t, () => runChild(PYTHON, [TORCH_INFER, ...common, '--threads', String(t)], torchEnv(t)));
    if (onnx && args.ort) {
      add('onnxruntime-web', t, node('onnxruntime-web', [], ['--onnx', onnx.onnx]));
      add('onnxruntime-node', t, node('onnxruntime-node', [], ['--onnx', onnx.onnx]));
    }
  }
  return { jobs, extras };
}

/** The fields a row keeps from its engine's last record. */
function rowExtra(peer, r) {
  if (peer === 'wmoe-predict') return { simd: r.simd, build: r.build, countedFlops: r.countedFlops, experts: r.experts, topK: r.topK };
  if (peer.startsWith('wmoe')) {
    const expected = 2 * PLAIN_NETS[r.model].macsPerImage;
    return { simd: r.simd, build: r.build, countedFlops: r.countedFlops, threadsUnavailable: r.threadsUnavailable, expectedFlops: expected };
  }
  if (peer === TORCH_PEER) return { torch: r.torch, blas: r.blas, blasKind: r.blasKind, mklLinked: r.mklLinked, openblasNumThreads: r.openblasNumThreads, macsPerImage: r.macsPerImage };
  return { version: r.version, agreement: r.agreement };
}

/** Measures one case over the rounds: its rows. */
function measureCase(c, torch, onnx, limit) {
  const { jobs, extras } = jobsOf(c, torch, onnx);
  const series = new Map(jobs.map((j) => [j, []]));
  const others = new Map(jobs.map((j) => [j, []])); // other processes' CPU shares during each run: [un-niced, niced]
  const failed = new Set();
  for (let round = 0; round < args.rounds; round++) {
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[(i + round) % jobs.length];
      if (failed.has(job)) continue;
      try {
        const before = cpuSnapshot();
        series.get(job).push(job.run());
        const o = othersCpu(before, cpuSnapshot());
        if (o) others.get(job).push([o.othersShare, o.niceShare]);
      } catch (e) {
        failed.add(job);
        note(`${job.peer} ${PLAIN_NETS[c.model].label} batch ${c.batch} at ${job.threads} thread(s): ${e.message}`);
      }
    }
  }
  const rows = [];
  for (const job of jobs.filter((j) => !failed.has(j))) {
    const perRound = series.get(job);
    const ms = medianOfRounds(perRound);
    const extra = rowExtra(job.peer, { model: c.model, ...extras.get(`${job.peer}/${job.threads}`) });
    if (extra.expectedFlops !== undefined && extra.countedFlops !== extra.expectedFlops * c.batch) {
      throw new Error(`wmoe ${c.model} batch ${c.batch} ran ${extra.countedFlops} FLOPs, expected ${extra.expectedFlops * c.batch}`);
    }
    if (job.peer === 'wmoe-relaxed' && extra.simd !== 'relaxed') note(`wmoe-relaxed loaded the ${extra.simd} build (this Node does not validate relaxed SIMD even with ${RELAXED_FLAG})`);
    // predict()'s MoE runs its own FLOPs (backbone + the top-2 experts), counted from its kernels
    const gflops = job.peer === 'wmoe-predict' ? extra.countedFlops / (ms * 1e6) : gflopsOf(c.model, c.batch, ms);
    rows.push({ model: c.model, batch: c.batch, peer: job.peer, threads: job.threads, msMedian: ms, imagesPerSec: (c.batch / ms) * 1e3, gflops,
      simdShare: simdShare(gflops, job.threads, limit),
      othersCpuShare: others.get(job).length ? median(others.get(job).map((o) => o[0])) : null,
      niceCpuShare: others.get(job).length ? median(others.get(job).map((o) => o[1])) : null,
      roundMedians: perRound.map(median), timesMs: perRound.flat(), ...extra });
  }
  return rows;
}

/** Per kind, the better (higher) of two simdLimit() records. */
function betterLimit(a, b) {
  const pick = (k) => ((b[k]?.gflops ?? -1) > (a[k]?.gflops ?? -1) ? b[k] : a[k]);
  return { ...a, plain: pick('plain'), relaxed: pick('relaxed') };
}

/** Every row as a markdown table (printed): ms, images/s, GFLOP/s, SIMD-limit share, wmoe's speed against it. */
function detailTable(rows) {
  const lines = [
    `| inference | threads | engine | ms per forward | images/s | GFLOP/s | share of WASM SIMD limit (mul+add / relaxed_madd) | wmoe's speed vs it |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const ours = rows.find((x) => x.model === r.model && x.batch === r.batch && x.threads === r.threads && x.peer === 'wmoe');
    const vs = r.peer !== 'wmoe' && r.peer !== 'wmoe-predict' && ours ? `${(r.msMedian / ours.msMedian).toFixed(2)}x` : '';
    lines.push(`| ${PLAIN_NETS[r.model].label}, batch ${r.batch} | ${r.threads} | ${PEER_LABELS[r.peer] ?? r.peer} | ${fmtMs(r.msMedian)} | ${r.imagesPerSec.toFixed(1)} | ${r.gflops.toFixed(1)} | ${pct(r.simdShare.plain)} / ${pct(r.simdShare.relaxed)} | ${vs} |`);
  }
  return lines.join('\n');
}

// --from FILE: the README block and verdicts again from a stored result (checks recomputed from its rows)
if (args.from) {
  const stored = JSON.parse(readFileSync(args.from, 'utf8'));
  const used = { plain: { gflops: stored.simdLimit.used.plain }, relaxed: { gflops: stored.simdLimit.used.relaxed } };
  console.log(inferReadmeBlock(stored.rows, inferChecks(stored.rows, stored.load, stored.pytorch), stored.load, used));
  process.exit(0);
}

const load = { start: machineLoad() };
const cpuAtStart = cpuSnapshot();
console.log(`start: ${formatLoad(load.start)}`);
const limitStart = simdLimit({ repeats: 5 });
console.log(formatLimit(limitStart));
const torch = initTorch();
const rows = [];
const exports = [];
for (const c of CASES) {
  let onnx = null;
  if (torch && args.ort) {
    try {
      onnx = exportOnnx(c);
      exports.push(onnx);
    } catch (e) {
      note(`ONNX export of ${c.model} batch ${c.batch} failed: ${e.message}; ONNX Runtime rows skipped`);
    }
  }
  console.log(`${PLAIN_NETS[c.model].label} batch ${c.batch}: ${args.rounds} rounds …`);
  rows.push(...measureCase(c, torch, onnx, limitStart));
}
const limitEnd = simdLimit({ repeats: 5 });
load.end = machineLoad();
load.othersCpu = othersCpu(cpuAtStart, cpuSnapshot()); // other processes' CPU share over the whole run (niced ones apart)
const limit = betterLimit(limitStart, limitEnd);
for (const r of rows) r.simdShare = simdShare(r.gflops, r.threads, limit);
const pytorch = torch ? { python: PYTHON, peer: 'bench/peers/torch/infer.py', torch: torch.torch, blas: torch.blas, blasKind: torch.blasKind, mklLinked: torch.mklLinked, optimised: torch.optimised, env: 'OPENBLAS_NUM_THREADS = threads' } : null;
const checks = inferChecks(rows, load, pytorch);
console.log(`\n${detailTable(rows)}\n\n${inferReadmeBlock(rows, checks, load, limit)}\n`);
for (const c of checks) console.log(`${c.verdict.toUpperCase().padEnd(7)} ${c.target}${typeof c.value === 'number' ? `: ${c.value.toFixed(2)}` : ''}${c.why ? ` (${c.why})` : ''}`);

const result = {
  bench: 'inference, plain networks: ResNet-18 (CIFAR, 1.111 GFLOP per image) at batch 32 and 1, LeNet-5 at batch 1; wmoe vs PyTorch CPU, onnxruntime-web (wasm), onnxruntime-node',
  date: new Date().toISOString(), node: process.version, load,
  settings: { rounds: args.rounds, cases: CASES, threads: THREADS },
  simdLimit: { start: limitStart, end: limitEnd, used: { plain: limit.plain?.gflops ?? null, relaxed: limit.relaxed?.gflops ?? null } },
  flopsPerImage: Object.fromEntries(Object.entries(PLAIN_NETS).map(([k, v]) => [k, 2 * v.macsPerImage])),
  pytorch, onnx: exports.map(({ onnx, inputShape, opset }) => ({ onnx: onnx.replace(ROOT, ''), inputShape, opset })),
  rows: rows.map((r) => ({ ...r, problems: [...busyProblems(r, load), ...comparisonProblems(rows, r, pytorch)] })),
  checks, notes,
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${args.out}`);
