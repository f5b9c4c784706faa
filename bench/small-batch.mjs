// Small-batch latency of backend `wmoe` (issue 19: per-op overhead): the package's LeNet-5 MoE
// (DistributedMoE with DEFAULT_TRAIN_CONFIG, seed 1, untrained) at batch 1.
//
//   npm run build:ts && node bench/small-batch.mjs [--threads 1,2] [--calls 2000] [--warmup 300] [--profile] [--out FILE]
//
// Four forwards, each timed as tf.tidy(forward) + dataSync() of its output (median of --calls
// calls after --warmup calls), one child process per thread count (init({ threads }) decides
// the thread count once per process):
//  - predict:  predict(model, x) — the package's inference call (batch norm folded, gate and
//              routed experts on the host side; timed as the call, its probabilities hashed);
//  - moe:      model.route(model.features(x), naive gate, perfect link, sparse dispatch).probs
//              — the MoE's inference path as tensor ops (what evaluate() runs);
//  - lenet5:   plain LeNet-5: the backbone, then one 400 → 120 → 84 → 10 dense head and softmax;
//  - backbone: model.features(x) alone (two fused convs + ReLU, two max-pools, a reshape).
// Each line: wall-clock median, 10th and 90th percentiles (ms), the process's CPU time per call
// (every thread: less sensitive to other processes on a busy machine than wall time), jobs the
// thread pool split per call, and a hash of the output's bits.
// With --profile, also the kernels of one call of each (tf.profile: calls and ms by name), and
// the pool's counters (jobs split over threads) per call.
// --out FILE: also writes the rows as JSON (with the machine's load at start and end).
// WMOE_DIST: path of another build of the package's Node entry (default ../dist/node.mjs).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineLoad, formatLoad, median } from './lib/timing.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const CALLS = Number(opt('calls', 2000));
const WARMUP = Number(opt('warmup', 300));
const PROFILE = args.includes('--profile');

if (opt('child', undefined) === undefined) {
  // Parent: one child per thread count, in order; prints each child's lines.
  const start = machineLoad();
  console.log(`small-batch: LeNet-5 MoE at batch 1, ${CALLS} calls after ${WARMUP}; ${formatLoad(start)}, uptime ${start.uptimeSeconds} s`);
  const rows = [];
  for (const t of String(opt('threads', '1,2')).split(',')) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args, '--child', t], { stdio: ['inherit', 'pipe', 'inherit'], env: process.env, encoding: 'utf8' });
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('ROW ')) rows.push(JSON.parse(line.slice(4)));
      else if (line) console.log(line);
    }
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const end = machineLoad();
  console.log(`end: ${formatLoad(end)}`);
  const out = opt('out', undefined);
  if (out !== undefined) {
    const meta = { date: new Date().toISOString(), node: process.version, build: process.env.WMOE_DIST ?? 'dist/node.mjs', calls: CALLS, warmup: WARMUP };
    writeFileSync(out, JSON.stringify({ ...meta, load: { start, end }, rows }, null, 2) + '\n');
  }
} else {
  await child(Number(opt('child')));
}

/** Times the three forwards on `threads` threads and prints one line each (plus profiles). */
async function child(threads) {
  const { init, tf, DistributedMoE, DEFAULT_TRAIN_CONFIG, moeConfigOf, perfectLink, awgnLinkBatch, SeededRandom, predict, releasePredictState } = await import(
    process.env.WMOE_DIST ?? '../dist/node.mjs'
  );
  const backend = await init({ threads });
  const cfg = { ...DEFAULT_TRAIN_CONFIG, model: 'lenet5', dataset: 'mnist', inputShape: [32, 32, 1], classes: 10 };
  const model = new DistributedMoE(moeConfigOf(cfg), 1);
  const K = model.config.experts;
  const rng = new SeededRandom(7);
  const pixels = Float32Array.from({ length: 32 * 32 }, () => rng.uniform(0, 1));
  const x = tf.tensor4d(pixels, [1, 32, 32, 1]);
  const batch = awgnLinkBatch(new Float32Array(K).fill(Infinity), 1, K, 1);
  // The plain LeNet-5 head: 400 → 120 → 84 → 10 (seeded, He-scaled).
  const dense = [[400, 120], [120, 84], [84, 10]].map(([i, o]) => ({
    w: tf.tensor2d(Float32Array.from({ length: i * o }, () => rng.normal() * Math.sqrt(2 / i)), [i, o]),
    b: tf.tensor1d(Float32Array.from({ length: o }, () => rng.normal() * 0.01)),
  }));
  const forwards = {
    // Not a tensor: call() below passes the probabilities through.
    predict: () => predict(model, x).predictions[0].probabilities,
    moe: () => model.route(model.features(x), { gate: 'naive', link: perfectLink, batch, sparse: true }).probs,
    lenet5: () => {
      let h = model.features(x);
      dense.forEach(({ w, b }, i) => {
        h = tf.fused.matMul({ a: h, b: w, bias: b, activation: i === dense.length - 1 ? 'linear' : 'relu' });
      });
      return tf.softmax(h);
    },
    backbone: () => model.features(x),
  };
  const pool = backend.nn.pool;
  for (const [name, f] of Object.entries(forwards)) {
    const call = name === 'predict' ? f : () => {
      const y = tf.tidy(f);
      const v = y.dataSync();
      y.dispose();
      return v;
    };
    for (let i = 0; i < WARMUP; i++) call();
    const jobs0 = pool?.splitJobs ?? 0;
    const times = new Array(CALLS);
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) {
      const t0 = performance.now();
      call();
      times[i] = performance.now() - t0;
    }
    const cpu = process.cpuUsage(cpu0);
    const jobs = ((pool?.splitJobs ?? 0) - jobs0) / CALLS;
    const sorted = [...times].sort((a, b) => a - b);
    const bits = bitsHash(call());
    console.log('ROW ' + JSON.stringify({ threads, forward: name, medianMs: median(times), p10Ms: sorted[Math.floor(CALLS * 0.1)], p90Ms: sorted[Math.floor(CALLS * 0.9)],
      cpuMsPerCall: (cpu.user + cpu.system) / 1e3 / CALLS, splitJobsPerCall: jobs, bits }));
    console.log(`threads ${threads} ${name.padEnd(8)} median ${median(times).toFixed(4)} ms  p10 ${sorted[Math.floor(CALLS * 0.1)].toFixed(4)}  p90 ${sorted[Math.floor(CALLS * 0.9)].toFixed(4)}  CPU ${((cpu.user + cpu.system) / 1e3 / CALLS).toFixed(4)} ms/call (all threads)  split jobs/call ${jobs.toFixed(2)}  output bits ${bits}`);
    if (PROFILE) await profileOnce(tf, name, call);
  }
  tf.dispose([x, ...dense.flatMap((d) => [d.w, d.b])]);
  releasePredictState(model);
  model.dispose();
}

/** Prints the kernels of one call of `call` (tf.profile), summed by name. */
async function profileOnce(tf, name, call) {
  const info = await tf.profile(() => { call(); });
  const byName = new Map();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += k.kernelTimeMs;
    byName.set(k.name, e);
  }
  const rows = [...byName].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((a, [, e]) => a + e.ms, 0);
  console.log(`  ${name}: ${info.kernels.length} kernel calls, ${total.toFixed(3)} ms kernel time (incl. nested scopes)`);
  for (const [k, e] of rows) console.log(`    ${k.padEnd(24)} ${String(e.calls).padStart(3)}×  ${e.ms.toFixed(3)} ms`);
}

/** FNV-1a hash of the float32 bits of `values` (hex): equal hashes, bit-identical outputs. */
function bitsHash(values) {
  const bits = new Uint32Array(Float32Array.from(values).buffer);
  let h = 0x811c9dc5;
  for (const b of bits) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
