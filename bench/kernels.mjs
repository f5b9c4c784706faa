// Benchmark of the GEMM and convolution kernels of backend `wmoe` against tfjs-backend-cpu and
// tfjs-backend-wasm (single-threaded SIMD binary), all in the same run.
// Prints a table of median GFLOP/s and ratios and writes bench/results/kernels.json.
//
// What tfjs-backend-wasm runs is not XNNPACK for every row, and each row says which
// (`peerKind` in the JSON; "XNNPACK" or "C++ ref" after the wasm column in the table):
//   'xnnpack'   Conv2D (xnn_create_convolution2d_nhwc_f32) and MatMul without transposed
//               operands on a batch of 1 (xnn_create_fully_connected_nc_f32).
//   'reference' Conv2DBackpropInput (a plain scalar C++ loop, src/cc/kernels/
//               Conv2DBackpropInput.cc: the binary holds no XNNPACK deconvolution) and MatMul
//               with transposeA or transposeB (batch_mat_mul_impl.cc calls XNNPACK only when
//               neither is set and the batch is 1; otherwise slow_batch_matmul, a blocked
//               scalar loop). A ratio against such a row is a ratio against a reference loop,
//               not a win over XNNPACK.
//   null        no kernel (tfjs-backend-wasm has no Conv2DBackpropFilter).
// Checked against tfjs-backend-wasm 4.22.0: its .wasm carries the XNNPACK error strings of
// exactly convolution2d_nhwc and fully_connected_nc among the ops timed here, and its
// dist/kernels/BatchMatMul.js passes transposeA/transposeB through to that C++ dispatch.
//
//   npm run build && node bench/kernels.mjs [--quick] [--rounds=3] [--only=substring of 'op shape']
//   (--quick and --only print their table but do not write bench/results/kernels.json)
//
// Each row also states wmoe's and tfjs-backend-wasm's share of the WASM SIMD limit measured at the
// end of the run (rows[].simdShare; bench/lib/simd-limit.mjs): of the plain limit for the plain
// builds, of the relaxed one when wmoe ran its relaxed build.
//
// Shapes: LeNet-5 (conv 5x5 1→6 on 32x32, 5x5 6→16 on 14x14, batch 64; dense 400→120, 120→84,
// 84→10 at batch 64) and ResNet-18 on 32x32 CIFAR input (batch 2–8). Targets checked here:
// Conv2D forward ≥ 0.8× tfjs-backend-wasm; Conv2DBackpropInput and Conv2DBackpropFilter
// ≥ 15 GFLOP/s; on the ResNet-18 3x3 shapes also Conv2D ≥ 1.2× XNNPACK and each gradient ≥ 0.7×
// our own forward on the same shape (issue 8). wmoe and wasm alternate call by call (fair under machine load); at least 3
// calls each after a first untimed one. tfjs-backend-cpu is warmed up like the others (its
// kernels run untimed before timing, then one untimed call per case) and then timed over at
// least 3 calls; it runs an op only while one call is predicted to take < 2 s
// (its BackpropFilter runs at ~0.01 GFLOP/s); skipped entries are reported as "skip". Calls
// shorter than ~30 ms are repeated until 0.3 s of timed calls per backend (at most 201) so that
// millisecond medians do not rest on 11 samples. The list is timed in 3 rounds (--rounds=N) and
// each figure is the median of its round medians (see below).
//
// Memory allocator: every call returns a fresh output array (dataSync() hands it to the caller,
// so no backend may recycle it). With glibc's defaults, freed arrays go back to the kernel
// (heap trimming, mmap for ≥ 128 KiB) and the next call's output lands on never-touched pages;
// on this VM a first-touch page fault costs ~15 µs per 4 KiB (0.27 GB/s, ~50× the copy), so a
// 256 KiB output costs ~1 ms and a 9.4 MiB one ~30 ms, and whether a call pays it depended on
// GC timing: the same kernel measured up to 2× apart between runs. The bench therefore re-runs
// itself with MALLOC_TUNABLES (bench/lib/peers.mjs: keep freed memory, back the heap with transparent huge
// pages), which applies to all three backends alike; --default-malloc measures without. The
// re-run also passes --expose-gc, so that each case starts after a full GC (outside timing).
import { MALLOC_TUNABLES, tf, require, randomTensor, setUpBackends } from './lib/peers.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { median } from './lib/timing.mjs';
import { buildOf } from './lib/wmoe-build.mjs';
import { formatLimit, simdLimit } from './lib/simd-limit.mjs';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const root = new URL('..', import.meta.url).pathname;

// ---- backends ----------------------------------------------------------------------------
const wmoe = await setUpBackends();

// ---- shapes --------------------------------------------------------------------------------
const convs = [
  { name: 'LeNet c1 5x5 1→6 32x32', n: 64, h: 32, w: 32, ci: 1, co: 6, f: 5, s: 1, pad: 'valid' },
  { name: 'LeNet c2 5x5 6→16 14x14', n: 64, h: 14, w: 14, ci: 6, co: 16, f: 5, s: 1, pad: 'valid' },
  { name: 'R18 3x3 64→64 32x32', n: 2, h: 32, w: 32, ci: 64, co: 64, f: 3, s: 1, pad: 'same' },
  { name: 'R18 3x3 64→64 32x32', n: 8, h: 32, w: 32, ci: 64, co: 64, f: 3, s: 1, pad: 'same' },
  { name: 'R18 3x3 128→128 16x16', n: 4, h: 16, w: 16, ci: 128, co: 128, f: 3, s: 1, pad: 'same' },
  { name: 'R18 3x3 64→128 s2 32x32', n: 4, h: 32, w: 32, ci: 64, co: 128, f: 3, s: 2, pad: 'same' },
  { name: 'R18 1x1 64→128 s2 32x32', n: 4, h: 32, w: 32, ci: 64, co: 128, f: 1, s: 2, pad: 'valid' },
  { name: 'R18 3x3 256→256 8x8', n: 8, h: 8, w: 8, ci: 256, co: 256, f: 3, s: 1, pad: 'same' },
  { name: 'R18 3x3 512→512 4x4', n: 8, h: 4, w: 4, ci: 512, co: 512, f: 3, s: 1, pad: 'same' },
];
const denses = [
  [64, 400, 120],
  [64, 120, 84],
  [64, 84, 10],
];

/**
 * What tfjs-backend-wasm 4.22 runs for each conv kernel (see the header): 'xnnpack', a plain C++
 * 'reference' loop, or null where it has no such kernel.
 */
const WASM_PEER_KIND = { Conv2D: 'xnnpack', Conv2DBackpropInput: 'reference', Conv2DBackpropFilter: null };
/** Short label of a peer kind for the printed table. */
const peerLabel = (kind) => (kind === 'xnnpack' ? 'XNNPACK' : kind === 'reference' ? 'C++ ref' : 'none');

// Each case: build(backend) → { run: () => Tensor, dispose }, flops per call.
function convCases(c) {
  const outH = c.pad === 'same' ? Math.ceil(c.h / c.s) : Math.ceil((c.h - c.f + 1) / c.s);
  const outW = c.pad === 'same' ? Math.ceil(c.w / c.s) : Math.ceil((c.w - c.f + 1) / c.s);
  const flops = 2 * c.n * outH * outW * c.f * c.f * c.ci * c.co;
  const xShape = [c.n, c.h, c.w, c.ci];
  const wShape = [c.f, c.f, c.ci, c.co];
  const yShape = [c.n, outH, outW, c.co];
  const shape = `n${c.n} ${c.name}`;
  const mk = (kernel, make) => ({ op: kernel, shape, flops, kernel, peerKind: WASM_PEER_KIND[kernel], make });
  return [
    mk('Conv2D', () => {
      const x = randomTensor(xShape, 1);
      const w = randomTensor(wShape, 2);
      return { run: () => tf.conv2d(x, w, c.s, c.pad), inputs: [x, w] };
    }),
    mk('Conv2DBackpropInput', () => {
      const dy = randomTensor(yShape, 3);
      const w = randomTensor(wShape, 2);
      return {
        run: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: xShape }),
        inputs: [dy, w],
      };
    }),
    mk('Conv2DBackpropFilter', () => {
      const x = randomTensor(xShape, 1);
      const dy = randomTensor(yShape, 3);
      return {
        run: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: wShape }),
        inputs: [x, dy],
      };
    }),
  ];
}

function denseCases([b, din, dout]) {
  const flops = 2 * b * din * dout;
  const mk = (op, shape, aShape, bShape, ta, tb) => ({
    // tfjs-backend-wasm: XNNPACK only without transposes on a batch of 1 (these are 2-D).
    op, shape, flops, kernel: 'BatchMatMul', peerKind: ta || tb ? 'reference' : 'xnnpack',
    make: () => {
      const a = randomTensor(aShape, 4);
      const w = randomTensor(bShape, 5);
      return { run: () => tf.matMul(a, w, ta, tb), inputs: [a, w] };
    },
  });
  return [
    mk('MatMul', `${b}x${din} · ${din}x${dout}`, [b, din], [din, dout], false, false),
    mk('MatMul dx (B^T)', `${b}x${dout} · (${din}x${dout})^T`, [b, dout], [din, dout], false, true),
    mk('MatMul dW (A^T)', `(${b}x${din})^T · ${b}x${dout}`, [b, din], [b, dout], true, false),
  ];
}

const cases = [...convs.flatMap(convCases), ...denses.flatMap(denseCases)].filter(
  (c) => only === undefined || `${c.op} ${c.shape}`.includes(only),
);

// ---- timing --------------------------------------------------------------------------------

/**
 * Median seconds per call of case `c` on each backend of `names` (null for a backend that lacks
 * the kernel). The backends take turns call by call, so that load from other processes on the
 * machine hits them alike and their ratio stays meaningful.
 */
async function time(c, names, budgetSeconds, minReps = 3) {
  const live = [];
  for (const name of names) {
    if (tf.getKernel(c.kernel, name) === undefined) continue;
    await tf.setBackend(name);
    live.push({ name, ...c.make(), times: [] });
  }
  const once = async (b) => {
    await tf.setBackend(b.name);
    const t0 = performance.now();
    const y = b.run();
    y.dataSync();
    const dt = (performance.now() - t0) / 1000;
    y.dispose();
    return dt;
  };
  // Collect the garbage of earlier cases now, outside the timed calls (needs --expose-gc, which
  // the re-run above passes), so that no case pays for the previous one's GC.
  globalThis.gc?.();
  let spent = 0;
  for (const b of live) spent += await once(b); // first calls: compilation, tier-up, memory growth
  const reps = quick ? 3 : 11;
  // Short calls: more reps, until minSeconds of timed calls per backend (bounded by maxReps).
  const minSeconds = quick ? 0.1 : 0.3;
  const maxReps = 201;
  // A backend slower than half a second per call (cpu on big shapes) gets exactly minReps timed
  // calls after its untimed first one.
  const slow = spent > 0.5 * live.length;
  let timed = 0;
  for (
    let r = 0;
    r < maxReps && (r < minReps || (!slow && ((r < reps && spent < budgetSeconds) || timed < minSeconds * live.length)));
    r++
  ) {
    for (const b of live) {
      const dt = await once(b);
      b.times.push(dt);
      spent += dt;
      timed += dt;
    }
  }
  const out = {};
  for (const name of names) out[name] = null;
  for (const b of live) {
    out[b.name] = median(b.times);
    out[`${b.name}Reps`] = b.times.length;
    tf.dispose(b.inputs);
  }
  return out;
}

// Warm-up: V8 first runs WASM functions in its baseline compiler and swaps in optimized code
// once they are hot (compiled on a background thread, which is slow on a busy machine); run
// every case a few times on both WASM backends before timing anything. tfjs-backend-cpu's
// kernels are JavaScript, which V8 optimises the same way: each of its ops runs 3 times on its
// cheapest shape (its code paths do not depend on the shape; its big shapes take seconds).
const warm = (name, list) => {
  for (let round = 0; round < 3; round++) {
    for (const c of list) {
      if (tf.getKernel(c.kernel, name) === undefined) continue;
      const { run, inputs } = c.make();
      run().dispose();
      tf.dispose(inputs);
    }
  }
};
for (const name of ['wmoe', 'wasm']) {
  await tf.setBackend(name);
  warm(name, cases);
}
const cheapestPerOp = [...new Map([...cases].sort((a, b) => b.flops - a.flops).map((c) => [c.op, c])).values()];
await tf.setBackend('cpu');
warm('cpu', cheapestPerOp);

// Rounds: the whole list of cases is timed `rounds` times in turn, and each figure is the median
// of its per-round medians. On this VM every backend (the pure-JS cpu one included) sometimes
// runs 30–35 % slower for tens of seconds; such a spell then moves at most one round of a case
// instead of deciding its figure. tfjs-backend-cpu is timed in the first round only (slow).
const rounds = quick ? 1 : Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 3);
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`bench/kernels.mjs: --rounds must be a positive integer, got ${rounds}`);
const perRound = cases.map(() => ({ wmoe: [], wasm: [] }));
const cpuTimes = cases.map(() => 'skip');
const cpuReps = cases.map(() => 0);
const cpuRate = {}; // GFLOP/s measured for each op on the first shape, to predict the others
for (let round = 0; round < rounds; round++) {
  for (const [i, c] of cases.entries()) {
    const t = await time(c, ['wmoe', 'wasm'], quick ? 1 : 3);
    for (const name of ['wmoe', 'wasm']) if (t[name] !== null) perRound[i][name].push(t[name]);
    const predicted = cpuRate[c.op] ? c.flops / (cpuRate[c.op] * 1e9) : 0;
    if (round === 0 && predicted < 2) {
      const t = await time(c, ['cpu'], 1, 3);
      cpuTimes[i] = t.cpu;
      cpuReps[i] = t.cpuReps;
      cpuRate[c.op] ??= c.flops / cpuTimes[i] / 1e9;
    }
  }
  if (rounds > 1) console.error(`round ${round + 1}/${rounds} done`);
}
const rows = [];
for (const [i, c] of cases.entries()) {
  const gf = (v) => (typeof v === 'number' ? c.flops / v / 1e9 : v);
  const mid = (xs) => (xs.length ? median(xs) : null);
  const wasmT = mid(perRound[i].wasm);
  // wmoe vs wasm: the median of the per-round ratios (the two alternate call by call within a
  // round, so each round's ratio compares like with like even when the rounds differ).
  const perRoundRatio = perRound[i].wasm.map((t, k) => t / perRound[i].wmoe[k]);
  rows.push({
    op: c.op, shape: c.shape, mflop: c.flops / 1e6, peerKind: c.peerKind,
    wmoe: gf(mid(perRound[i].wmoe)), cpu: gf(cpuTimes[i]), cpuReps: cpuReps[i], wasm: wasmT === null ? 'n/a' : gf(wasmT),
    vsWasm: perRoundRatio.length ? median(perRoundRatio) : null,
    rounds: { wmoe: perRound[i].wmoe.map(gf), wasm: perRound[i].wasm.map(gf), vsWasm: perRoundRatio },
  });
  const r = rows[rows.length - 1];
  const f = (v) => (typeof v === 'number' ? v.toFixed(v < 1 ? 3 : 1) : v);
  const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' ? (a / b).toFixed(2) : '-');
  console.log(
    `${r.op.padEnd(21)} ${r.shape.padEnd(32)} ${f(r.wmoe).padStart(6)} ${f(r.cpu).padStart(7)} ${f(r.wasm).padStart(6)} ${peerLabel(r.peerKind).padEnd(7)}` +
      `  x${(r.vsWasm === null ? '-' : r.vsWasm.toFixed(2)).padStart(5)} vs wasm  x${ratio(r.wmoe, r.cpu).padStart(7)} vs cpu`,
  );
}

// ---- WASM memory: run every wmoe case again and check the peak does not move ----------------
const peakBefore = wmoe.wasmPeakBytes();
for (const c of cases) {
  await tf.setBackend('wmoe');
  const { run, inputs } = c.make();
  for (let i = 0; i < 2; i++) run().dispose();
  tf.dispose(inputs);
}
const peakAfter = wmoe.wasmPeakBytes();

// ---- share of the WASM SIMD limit -------------------------------------------------------------
// Each row's wmoe and wasm GFLOP/s as a share of the limit of the SIMD they ran (one thread):
// wmoe's build (plain unless relaxed SIMD is on) and tfjs-backend-wasm's plain SIMD binary.
const build = buildOf(wmoe.nn, 1);
const limit = simdLimit({ repeats: 5 });
const limitOf = (kind) => limit[kind]?.gflops;
for (const r of rows) {
  const share = (v, kind) => (typeof v === 'number' && typeof limitOf(kind) === 'number' ? v / limitOf(kind) : null);
  r.simdShare = { wmoe: share(r.wmoe, build.simd), wasm: share(r.wasm, 'plain') };
}
console.log(`${formatLimit(limit)}; wmoe ran the ${build.simd}-SIMD build (${build.wasm}).`);

// ---- targets -------------------------------------------------------------------------------
// Every shape: Conv2D >= 0.8x XNNPACK, gradients >= 15 GFLOP/s. The ResNet-18 3x3 shapes that
// issue 8 lists (64@32x32, 128@16x16 stride 2 and 1, 256@8x8, 512@4x4): Conv2D >= 1.2x XNNPACK,
// and each gradient >= 0.7x our own forward rate on the same shape.
const checks = [];
const isResNet = (r) => r.shape.includes('R18 3x3');
for (const r of rows) {
  if (r.op === 'Conv2D' && typeof r.wasm === 'number') {
    checks.push({ target: `Conv2D ${r.shape} >= 0.8x wasm`, value: r.vsWasm, pass: r.vsWasm >= 0.8 });
    if (isResNet(r)) checks.push({ target: `Conv2D ${r.shape} >= 1.2x wasm`, value: r.vsWasm, pass: r.vsWasm >= 1.2 });
  }
  if (r.op === 'Conv2DBackpropInput' || r.op === 'Conv2DBackpropFilter') {
    checks.push({ target: `${r.op} ${r.shape} >= 15 GFLOP/s`, value: r.wmoe, pass: r.wmoe >= 15 });
    const forward = rows.find((f) => f.op === 'Conv2D' && f.shape === r.shape);
    if (isResNet(r) && forward) {
      const ratio = r.wmoe / forward.wmoe;
      checks.push({ target: `${r.op} ${r.shape} >= 0.7x own forward`, value: ratio, pass: ratio >= 0.7 });
    }
  }
}
console.log(`\nmalloc: ${process.env.GLIBC_TUNABLES === MALLOC_TUNABLES ? 'GLIBC_TUNABLES=' + MALLOC_TUNABLES : 'glibc defaults (--default-malloc)'}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}.`);
console.log(`GFLOP/s columns: wmoe, tfjs-backend-cpu, tfjs-backend-wasm (1 thread, SIMD), then what tfjs-backend-wasm runs (XNNPACK, or "C++ ref": a plain reference loop, so "vs wasm" there is no comparison with XNNPACK); medians of ${rounds} round medians (cpu: first round, >= 3 timed calls after warm-up); "vs wasm": median of the per-round ratios.`);
console.log(`WASM peak memory: ${(peakBefore / 2 ** 20).toFixed(1)} MiB after the timed runs, ${(peakAfter / 2 ** 20).toFixed(1)} MiB after repeating them (${peakAfter === peakBefore ? 'no growth' : 'GREW'}).`);
const failed = checks.filter((c) => !c.pass);
console.log(`Targets: ${checks.length - failed.length}/${checks.length} met${failed.length ? '; missed: ' + failed.map((c) => `${c.target} (${c.value.toFixed(2)})`).join(', ') : ''}.`);

// A partial run (--quick, --only) prints its table but leaves the committed results alone.
if (quick || only !== undefined) {
  console.log('Partial run (--quick or --only): bench/results/kernels.json not written.');
  process.exit(0);
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', 'kernels.json'),
  JSON.stringify({
    date: new Date().toISOString(), node: process.version, quick, rounds, loadavg: loadavg(),
    glibcTunables: process.env.GLIBC_TUNABLES === MALLOC_TUNABLES ? MALLOC_TUNABLES : null,
    note: 'GFLOP/s: median of the per-round medians (rows[].rounds); vsWasm: median of the per-round wmoe/wasm ratios; wasm = tfjs-backend-wasm single-threaded SIMD; peerKind = what tfjs-backend-wasm runs for the row: "xnnpack", "reference" (a plain C++ loop, not XNNPACK) or null (no kernel); cpu: first round only, median of cpuReps (>= 3) timed calls after warm-up, "skip" = predicted > 2 s per call',
    peerKinds: {
      xnnpack: 'tfjs-backend-wasm calls XNNPACK: Conv2D (convolution2d_nhwc), MatMul without transposes on a batch of 1 (fully_connected_nc)',
      reference: 'tfjs-backend-wasm runs a plain C++ loop: Conv2DBackpropInput (Conv2DBackpropInput.cc), MatMul with transposeA or transposeB (slow_batch_matmul in batch_mat_mul_impl.cc)',
    },
    tfjsBackendWasmVersion: require('@tensorflow/tfjs-backend-wasm/package.json').version,
    wmoeBuild: build, simdLimit: limit,
    rows, wasmPeakBytes: { afterTimedRuns: peakBefore, afterRepeat: peakAfter }, checks,
  }, null, 2) + '\n',
);
