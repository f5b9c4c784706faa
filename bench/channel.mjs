// Gaussian noise throughput (M samples/s, medians over repetitions) of wireless-moe/channel
// against numpy's default_rng().standard_normal (PCG64 + ziggurat, spawned as python3 in the same
// run) and tf.randomNormal on @tensorflow/tfjs-backend-cpu. Also AWGN and BPSK/QPSK/16-QAM
// demapping rates for the BER tools, and the fused channel `modem.llrOverAwgn` (bits → LLRs into
// a reused array) against the unfused chain modulate → addNoise → demap it replaces (same
// numbers; targets: fused ≥ 2 × chain where the chain's cost is copies and fresh arrays — BPSK,
// QPSK, 16-QAM max-log — and ≥ 1.3 × for 16-QAM exact, whose log-sum-exp demapping both share).
// Single-threaded.
//
//   node bench/channel.mjs [--n 4194304] [--reps 9] [--dist]
//
// By default src/channel is bundled with esbuild into a temporary file (figures for the current
// source; run `node scripts/build-wasm.mjs channel` first); --dist imports dist/channel.mjs.
// Every measurement allocates its output like its peers do (numpy and tfjs return new arrays):
// ours is `rng.normal(n)`; `fillNormal` into a reused array is reported as well.
// Target: ours ≥ 1.5 × numpy (the faster of its float64 and float32 variants).
// Writes bench/results/channel.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadChannel } from './lib/load-channel.mjs';
import { median } from './lib/timing.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = opt('n', 1 << 22);
const REPS = opt('reps', 9);

/** Runs f REPS times after three warm-ups (JIT tiers, first-touch page faults); median rate in M items/s. */
function rate(items, f) {
  for (let w = 0; w < 3; w++) f();
  const times = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    f();
    times.push((performance.now() - t) / 1000);
  }
  return items / median(times) / 1e6;
}

function numpyRates() {
  const py = `
import time, json, statistics, numpy as np
n, reps = ${N}, ${REPS}
g = np.random.default_rng(12345)
def med(f):
    for _ in range(3): f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return n / statistics.median(ts) / 1e6
print(json.dumps({"version": np.__version__,
  "float64": med(lambda: g.standard_normal(n)),
  "float32": med(lambda: g.standard_normal(n, dtype=np.float32))}))
`;
  const r = spawnSync('python3', ['-c', py], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`bench/channel.mjs: python3/numpy failed: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout);
}

const ch = await loadChannel(args.includes('--dist'));
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
await tf.setBackend('cpu');
await tf.ready();

const np1 = numpyRates();

const tfRate = rate(N, () => {
  const t = tf.randomNormal([N], 0, 1, 'float32', 7);
  t.dataSync();
  t.dispose();
});

const rng = new ch.Rng(12345);
const oursNormal = rate(N, () => rng.normal(N));
const reuse = new Float32Array(N);
const oursFill = rate(N, () => rng.fillNormal(reuse));

const signal = ch.bpsk.modulate(new Uint8Array(N).map((_, i) => (i * 2654435761) >>> 31));
const awgnRate = rate(N, () => ch.awgn(signal, 5, 1));
const y = ch.awgn(signal, 5, 2);
const bpskDemap = rate(N, () => ch.bpsk.demapExact(y, 0.5));
const qpskDemap = rate(N, () => ch.qpsk.demapExact(y, 0.5));
const qamIn = y.subarray(0, N / 4);
const qamExact = rate(N / 2, () => ch.qam16.demapExact(qamIn, 0.5));
const qamMaxLog = rate(N / 2, () => ch.qam16.demapMaxLog(qamIn, 0.5));

// Fused channel vs the unfused chain, M coded bits/s, Es/N0 = 3 dB, one noise stream each.
const fusedBits = new Uint8Array(N).map((_, i) => (i * 2654435761) >>> 31);
const fusedOut = new Float32Array(N);
const fused = {};
for (const m of [ch.bpsk, ch.qpsk, ch.qam16]) {
  for (const exact of [true, false]) {
    if (m !== ch.qam16 && !exact) continue; // BPSK/QPSK: max-log = exact
    const r1 = new ch.Rng(5);
    const r2 = new ch.Rng(5);
    const n0 = ch.n0FromEsn0(3);
    const f = rate(N, () => m.llrOverAwgn(fusedBits, 3, r1, fusedOut, { exact }));
    const c = rate(N, () => {
      const y = m.addNoise(m.modulate(fusedBits), 3, r2);
      return exact ? m.demapExact(y, n0) : m.demapMaxLog(y, n0);
    });
    const target = m === ch.qam16 && exact ? 1.3 : 2;
    fused[`${m.name}${exact ? '' : 'MaxLog'}`] = { fusedMBitsPerS: f, chainMBitsPerS: c, ratio: f / c, target, targetMet: f / c >= target };
  }
}
const fusedPass = Object.values(fused).every((r) => r.targetMet);

const np2 = numpyRates();
const npF64 = median([np1.float64, np2.float64]);
const npF32 = median([np1.float32, np2.float32]);
const npBest = Math.max(npF64, npF32);

const rows = [
  ['numpy default_rng().standard_normal (float64)', npF64],
  ['numpy default_rng().standard_normal (float32)', npF32],
  ['tf.randomNormal, tfjs-backend-cpu', tfRate],
  ['ours Rng.normal(n)', oursNormal],
  ['ours Rng.fillNormal(reused array)', oursFill],
];
console.log(`Gaussian samples, n = ${N}, medians of ${REPS} (M samples/s; ratio = ours normal(n) / peer)`);
for (const [name, r] of rows) console.log(`  ${name.padEnd(48)} ${r.toFixed(1).padStart(8)}   ${(oursNormal / r).toFixed(2)}×`);
console.log(`Channel kernels (M values/s): awgn ${awgnRate.toFixed(1)}, BPSK/QPSK LLR ${bpskDemap.toFixed(1)} / ${qpskDemap.toFixed(1)} (M bits/s), 16-QAM exact ${qamExact.toFixed(1)}, max-log ${qamMaxLog.toFixed(1)} (M bits/s)`);
console.log('Fused channel llrOverAwgn vs modulate → addNoise → demap (M coded bits/s, Es/N0 = 3 dB):');
for (const [name, r] of Object.entries(fused)) {
  console.log(`  ${name.padEnd(12)} fused ${r.fusedMBitsPerS.toFixed(1).padStart(7)}   chain ${r.chainMBitsPerS.toFixed(1).padStart(7)}   ${r.ratio.toFixed(2)}× (target ${r.target}×: ${r.targetMet ? 'met' : 'NOT met'})`);
}
const pass = oursNormal >= 1.5 * npBest;
console.log(`target ours ≥ 1.5 × numpy (best variant ${npBest.toFixed(1)} M/s): ${(oursNormal / npBest).toFixed(2)}× — ${pass ? 'met' : 'NOT met'}`);

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'channel.json'), JSON.stringify({
  bench: 'channel',
  date: new Date().toISOString(),
  loadavg: loadavg(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, numpy: np1.version },
  n: N, reps: REPS, unit: 'M samples/s (median)',
  gaussian: {
    numpyFloat64: npF64, numpyFloat32: npF32, numpyRuns: [np1, np2],
    tfjsCpuRandomNormal: tfRate, oursNormal, oursFillNormal: oursFill,
    ratioVsNumpyBest: oursNormal / npBest, ratioVsNumpyFloat64: oursNormal / npF64, ratioVsTfjsCpu: oursNormal / tfRate,
    target: 1.5, targetMet: pass,
  },
  channel: { awgnMSamplesPerS: awgnRate, bpskLlrMBitsPerS: bpskDemap, qpskLlrMBitsPerS: qpskDemap, qam16ExactMBitsPerS: qamExact, qam16MaxLogMBitsPerS: qamMaxLog },
  fusedChannel: { esn0Db: 3, unit: 'M coded bits/s (median)', modems: fused, targetMet: fusedPass },
}, null, 2) + '\n');
