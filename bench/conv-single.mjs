// Benchmark of Conv2DBackpropInput for a convolution with ONE input channel (LeNet-5's first
// layer: 5x5, 1→6, 'valid', 32x32 input, batch 64) on backend `wmoe` against tfjs-backend-cpu
// and tfjs-backend-wasm (XNNPACK, single-threaded SIMD binary), all in the same run.
// Prints median GFLOP/s (FLOPs = 2·n·oh·ow·co·fh·fw·ci) and writes bench/results/conv-single.json.
//
//   npm run build && node bench/conv-single.mjs [--quick]
//
// Same method as bench/kernels.mjs: every backend warmed up first, then the backends take turns
// call by call (fair under machine load), medians of the timed calls. Target: wmoe ≥ 15 GFLOP/s.
// WMOE_LIB=path/to/index.mjs benchmarks another bundle of src/ than dist/index.mjs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// Same allocator setting as bench/kernels.mjs (see its header): freed output arrays are kept by
// malloc instead of being returned to the kernel, so no call pays ~15 µs per fresh 4 KiB page on
// this VM depending on GC timing; all backends alike. --default-malloc measures without.
const MALLOC_TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.trim_threshold=1073741824:glibc.malloc.mmap_threshold=33554432';
if (!process.argv.includes('--default-malloc') && process.env.GLIBC_TUNABLES !== MALLOC_TUNABLES) {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit', env: { ...process.env, GLIBC_TUNABLES: MALLOC_TUNABLES },
  });
  process.exit(r.status ?? 1);
}

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const lib = process.env.WMOE_LIB ? pathToFileURL(resolve(process.env.WMOE_LIB)).href : new URL('../dist/index.mjs', import.meta.url).href;
const { init, tf } = await import(lib);
const wasmBackend = require('@tensorflow/tfjs-backend-wasm');
const quick = process.argv.includes('--quick');

// ---- backends ----------------------------------------------------------------------------
await init({ setBackend: false });
// Node has no WASM threads in tfjs-backend-wasm; make the single-threaded SIMD choice explicit.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
wasmBackend.setThreadsCount(1);
wasmBackend.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/');
await tf.setBackend('wasm');
await tf.ready();
await tf.setBackend('cpu');
tf.backend().firstUse = false; // silence tfjs-backend-cpu's "install tfjs-node" banner

// ---- the LeNet c1 shape ---------------------------------------------------------------------
const c = { n: 64, h: 32, w: 32, ci: 1, co: 6, f: 5, pad: 'valid' };
const oh = c.h - c.f + 1;
const ow = c.w - c.f + 1;
const flops = 2 * c.n * oh * ow * c.co * c.f * c.f * c.ci;
const xShape = [c.n, c.h, c.w, c.ci];
const wShape = [c.f, c.f, c.ci, c.co];
const yShape = [c.n, oh, ow, c.co];

function randomValues(size, seed) {
  let a = seed >>> 0;
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    v[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return v;
}
const dyVals = randomValues(yShape.reduce((a, b) => a * b, 1), 3);
const wVals = randomValues(wShape.reduce((a, b) => a * b, 1), 2);

/** Inputs made on backend `name` and one call of the kernel on them. */
async function setup(name) {
  await tf.setBackend(name);
  const dy = tf.tensor(dyVals, yShape);
  const filter = tf.tensor(wVals, wShape);
  const run = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: 1, pad: c.pad, dataFormat: 'NHWC', inputShape: xShape });
  return { name, run, inputs: [dy, filter], times: [] };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function once(b) {
  await tf.setBackend(b.name);
  const t0 = performance.now();
  const y = b.run();
  const data = y.dataSync();
  const dt = (performance.now() - t0) / 1000;
  y.dispose();
  return { dt, data };
}

const backends = [];
for (const name of ['wmoe', 'cpu', 'wasm']) backends.push(await setup(name));

// Warm-up (V8 tiers WASM up to optimized code in the background) and a correctness check of
// wmoe against tfjs-backend-cpu on the same inputs.
const outputs = {};
for (const b of backends) {
  const rounds = b.name === 'cpu' ? 1 : 20;
  for (let r = 0; r < rounds; r++) outputs[b.name] = (await once(b)).data;
}
let peak = 0;
let worst = 0;
for (const v of outputs.cpu) peak = Math.max(peak, Math.abs(v));
for (let i = 0; i < outputs.cpu.length; i++) {
  worst = Math.max(worst, Math.abs(outputs.wmoe[i] - outputs.cpu[i]) / (Math.abs(outputs.cpu[i]) + peak * 1e-3));
}

// Timed: backends alternate call by call; cpu (~1 GFLOP/s) takes part in fewer rounds.
const reps = quick ? 5 : 31;
for (let r = 0; r < reps; r++) {
  for (const b of backends) {
    if (b.name === 'cpu' && r % 4 !== 0) continue;
    b.times.push((await once(b)).dt);
  }
}
const gflops = {};
for (const b of backends) {
  gflops[b.name] = flops / median(b.times) / 1e9;
  tf.dispose(b.inputs);
}

const f = (v) => v.toFixed(2);
console.log(`Conv2DBackpropInput n${c.n} ${c.h}x${c.w}x${c.ci} filter ${c.f}x${c.f}x${c.ci}x${c.co} '${c.pad}' (${(flops / 1e6).toFixed(1)} MFLOP per call)`);
console.log(`GFLOP/s (median): wmoe ${f(gflops.wmoe)}  tfjs-backend-cpu ${f(gflops.cpu)}  tfjs-backend-wasm ${f(gflops.wasm)}` +
  `  (x${f(gflops.wmoe / gflops.wasm)} vs wasm, x${f(gflops.wmoe / gflops.cpu)} vs cpu)`);
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores shared); wmoe vs cpu max relative error ${worst.toExponential(2)}; target wmoe >= 15 GFLOP/s: ${gflops.wmoe >= 15 ? 'met' : 'MISSED'}.`);

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', 'conv-single.json'),
  JSON.stringify({
    date: new Date().toISOString(), node: process.version, quick, lib: process.env.WMOE_LIB ?? 'dist/index.mjs', loadavg: loadavg(), shape: { ...c, oh, ow }, mflop: flops / 1e6,
    note: 'Conv2DBackpropInput GFLOP/s medians; wasm = tfjs-backend-wasm single-threaded SIMD',
    gflops, maxRelErrorVsCpu: worst, target: { gflops: 15, met: gflops.wmoe >= 15 },
  }, null, 2) + '\n',
);
