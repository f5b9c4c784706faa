// The ViT's operations at batch 32 (patch 4 → 64 tokens + CLS = 65, width 192, 3 heads of 64,
// MLP 192 → 384 → 192), timed on backend `wmoe`, tfjs-backend-cpu and tfjs-backend-wasm
// (XNNPACK, 1 thread, SIMD) in the same run, with the method of bench/kernels.mjs: inputs from
// the package's SeededRandom, wmoe and wasm alternating call by call, 3 rounds (--rounds=N),
// each figure the median of its round medians; tfjs-backend-cpu in the first round only.
//
//   npm run build && node bench/vit-ops.mjs [--quick] [--rounds=3] [--only=substring of 'op shape']
//
// Rows (M = 32·65 = 2080 token rows):
//   matmuls, each forward, dx = dy·Wᵀ and dW = xᵀ·dy:  qkv [M, 192]·[192, 576], output
//     projection [M, 192]·[192, 192], MLP [M, 192]·[192, 384] and [M, 384]·[384, 192]
//   attention, batched over 32·3 = 96 (batch·heads): scores q·kᵀ [96, 65, 64]·[96, 64, 65]
//     and the weighted sum [96, 65, 65]·[96, 65, 64], each forward and its two gradients
//   LayerNorm over [M, 192] (mean, variance, normalise, scale and shift from tfjs ops, as
//     src/models/layer_norm.ts), forward and forward + gradient (x, gamma, beta)
//   GELU, erf form, on the MLP's hidden [M, 384] (as src/models/gelu.ts: x·Φ(x) with its closed-
//     form gradient), forward and forward + gradient
//   softmax over the last axis of the scores [96·65, 65], forward and forward + gradient
// GFLOP/s for matmuls (2·m·n·k per call); milliseconds for every row. Writes
// bench/results/vit-ops.json. Memory allocator and GC: as bench/kernels.mjs (re-runs itself with
// the same GLIBC_TUNABLES and --expose-gc; --default-malloc measures without).
import { MALLOC_TUNABLES, tf, require, randomTensor, setUpBackends } from './lib/peers.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { median } from './lib/timing.mjs';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const root = new URL('..', import.meta.url).pathname;
const BACKENDS = ['wmoe', 'cpu', 'wasm'];

// ---- backends (as bench/kernels.mjs) ---------------------------------------------------------
const wmoe = await setUpBackends();

// ---- the ViT's shapes ------------------------------------------------------------------------
const B = 32, T = 65, W = 192, HEADS = 3, DH = W / HEADS, MLP = 2 * W;
const M = B * T;
const BH = B * HEADS;

/** LayerNorm over the last axis from tfjs ops, ε = 1e-5 (the formula of src/models/layer_norm.ts). */
function layerNorm(x, gamma, beta) {
  const axis = x.rank - 1;
  const centred = tf.sub(x, tf.mean(x, axis, true));
  const variance = tf.mean(tf.square(centred), axis, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), gamma), beta);
}

/** GELU, erf form, with the closed-form gradient Φ(x) + x·φ(x) (the formula of src/models/gelu.ts). */
const gelu = tf.customGrad((x, save) => {
  const cdf = tf.mul(tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1), 0.5);
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy, [xs, cdfs]) => tf.mul(dy, tf.add(cdfs, tf.mul(xs, tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), 1 / Math.sqrt(2 * Math.PI))))),
  };
});

// Each case: { op, shape, flops (0: not a matmul), make: () => { run: () => Tensor | Tensor[], inputs } }.
let seed = 1;
function matmulCases(name, batch, m, k, n) {
  const pre = batch ? [batch] : [];
  const flops = 2 * (batch || 1) * m * k * n;
  const dims = (r, c) => `${batch ? batch + 'x' : ''}${r}x${c}`;
  const mk = (op, shape, aShape, bShape, ta, tb) => {
    const sa = seed++, sb = seed++;
    return { op: `${name} ${op}`, shape, flops, make: () => {
      const a = randomTensor(aShape, sa);
      const b = randomTensor(bShape, sb);
      return { run: () => tf.matMul(a, b, ta, tb), inputs: [a, b] };
    } };
  };
  return [
    mk('fwd', `${dims(m, k)} · ${dims(k, n)}`, [...pre, m, k], [...pre, k, n], false, false),
    mk('dA (B^T)', `${dims(m, n)} · (${dims(k, n)})^T`, [...pre, m, n], [...pre, k, n], false, true),
    mk('dB (A^T)', `(${dims(m, k)})^T · ${dims(m, n)}`, [...pre, m, k], [...pre, m, n], true, false),
  ];
}

/** An elementwise or normalisation op: forward, and forward + gradient of Σ f(x)·dy w.r.t. its inputs. */
function opCases(name, shape, inputsOf, f) {
  const s = seed;
  seed += 4;
  const fwd = { op: `${name} fwd`, shape, flops: 0, make: () => {
    const inputs = inputsOf(s);
    return { run: () => tf.tidy(() => f(...inputs)), inputs };
  } };
  const grad = { op: `${name} fwd+grad`, shape, flops: 0, make: () => {
    const inputs = inputsOf(s);
    const dy = randomTensor(JSON.parse(`[${shape.replace(/x/g, ',')}]`), s + 3);
    const g = tf.grads(f);
    return { run: () => g(inputs, dy), inputs: [...inputs, dy] };
  } };
  return [fwd, grad];
}

const cases = [
  ...matmulCases('qkv', 0, M, W, 3 * W),
  ...matmulCases('attn scores q·k^T', BH, T, DH, T), // q [96, 65, 64] · kᵀ [96, 64, 65]
  ...matmulCases('attn weighted sum', BH, T, T, DH),
  ...matmulCases('out proj', 0, M, W, W),
  ...matmulCases('mlp fc1', 0, M, W, MLP),
  ...matmulCases('mlp fc2', 0, M, MLP, W),
  ...opCases('LayerNorm', `${M}x${W}`, (s) => [randomTensor([M, W], s), tf.add(randomTensor([W], s + 1), 1), randomTensor([W], s + 2)], layerNorm),
  ...opCases('GELU', `${M}x${MLP}`, (s) => [tf.mul(randomTensor([M, MLP], s), 3)], (x) => gelu(x)),
  ...opCases('softmax', `${BH * T}x${T}`, (s) => [tf.mul(randomTensor([BH * T, T], s), 4)], (x) => tf.softmax(x)),
].filter((c) => only === undefined || `${c.op} ${c.shape}`.includes(only));

// ---- timing (bench/kernels.mjs's `time`, copied; availability by a trial call) ----------------
const unavailable = new Map(); // `${backend} ${op}` → error message of its trial call
const sync = (y) => {
  for (const t of [y].flat()) t.dataSync();
  tf.dispose(y);
};

/** Median seconds per call of case `c` on each backend of `names` (null when it cannot run it); backends alternate call by call. */
async function time(c, names, budgetSeconds, minReps = 3) {
  const live = [];
  for (const name of names) {
    if (unavailable.has(`${name} ${c.op}`)) continue;
    await tf.setBackend(name);
    live.push({ name, ...c.make(), times: [] });
  }
  const once = async (b) => {
    await tf.setBackend(b.name);
    const t0 = performance.now();
    sync(b.run());
    return (performance.now() - t0) / 1000;
  };
  globalThis.gc?.();
  let spent = 0;
  for (const b of live) spent += await once(b);
  const reps = quick ? 3 : 11;
  const minSeconds = quick ? 0.1 : 0.3;
  const maxReps = 201;
  const slow = spent > 0.5 * live.length;
  let timed = 0;
  for (let r = 0; !slow && r < maxReps && (r < minReps || (r < reps && spent < budgetSeconds) || timed < minSeconds * live.length); r++) {
    for (const b of live) {
      const dt = await once(b);
      b.times.push(dt);
      spent += dt;
      timed += dt;
    }
  }
  const out = Object.fromEntries(names.map((n) => [n, null]));
  for (const b of live) {
    out[b.name] = median(b.times.length ? b.times : [spent]);
    tf.dispose(b.inputs);
  }
  return out;
}

// Trial calls (which backend runs which case) and warm-up of the two WASM backends, 3 times each.
for (const name of BACKENDS) {
  await tf.setBackend(name);
  for (let round = 0; round < (name === 'cpu' ? 1 : 3); round++) {
    for (const c of cases) {
      if (unavailable.has(`${name} ${c.op}`) || (name === 'cpu' && c.flops > 0)) continue; // cpu matmuls: timed once below
      const { run, inputs } = c.make();
      try {
        sync(run());
      } catch (e) {
        unavailable.set(`${name} ${c.op}`, e.message.split('\n')[0]);
      }
      tf.dispose(inputs);
    }
  }
}

const rounds = quick ? 1 : Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 3);
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`bench/vit-ops.mjs: --rounds must be a positive integer, got ${rounds}`);
const perRound = cases.map(() => ({ wmoe: [], wasm: [] }));
const cpuTimes = cases.map(() => null);
for (let round = 0; round < rounds; round++) {
  for (const [i, c] of cases.entries()) {
    const t = await time(c, ['wmoe', 'wasm'], quick ? 1 : 3);
    for (const name of ['wmoe', 'wasm']) if (t[name] !== null) perRound[i][name].push(t[name]);
    if (round === 0) cpuTimes[i] = (await time(c, ['cpu'], 1, 1)).cpu;
  }
  if (rounds > 1) console.error(`round ${round + 1}/${rounds} done`);
}

// ---- report ----------------------------------------------------------------------------------
const rows = [];
const f = (v, d = 2) => (typeof v === 'number' ? v.toFixed(d) : 'n/a');
console.log(`${'op'.padEnd(30)} ${'shape'.padEnd(30)} ${'ms: wmoe'.padStart(9)} ${'cpu'.padStart(8)} ${'wasm'.padStart(8)}   GFLOP/s: wmoe  cpu   wasm   wmoe vs wasm  vs cpu`);
for (const [i, c] of cases.entries()) {
  const mid = (xs) => (xs.length ? median(xs) : null);
  const ms = { wmoe: mid(perRound[i].wmoe), cpu: cpuTimes[i], wasm: mid(perRound[i].wasm) };
  const gf = (t) => (c.flops && t !== null ? c.flops / t / 1e9 : null);
  const perRoundRatio = perRound[i].wasm.map((t, k) => t / perRound[i].wmoe[k]);
  const r = {
    op: c.op, shape: c.shape, mflop: c.flops ? c.flops / 1e6 : null,
    ms: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, v === null ? null : v * 1e3])),
    gflops: { wmoe: gf(ms.wmoe), cpu: gf(ms.cpu), wasm: gf(ms.wasm) },
    vsWasm: perRoundRatio.length ? median(perRoundRatio) : null,
    vsCpu: ms.cpu !== null && ms.wmoe !== null ? ms.cpu / ms.wmoe : null,
    unavailable: Object.fromEntries(BACKENDS.filter((b) => unavailable.has(`${b} ${c.op}`)).map((b) => [b, unavailable.get(`${b} ${c.op}`)])),
    rounds: { wmoeMs: perRound[i].wmoe.map((t) => t * 1e3), wasmMs: perRound[i].wasm.map((t) => t * 1e3), vsWasm: perRoundRatio },
  };
  rows.push(r);
  console.log(
    `${r.op.padEnd(30)} ${r.shape.padEnd(30)} ${f(r.ms.wmoe, 3).padStart(9)} ${f(r.ms.cpu, 2).padStart(8)} ${f(r.ms.wasm, 3).padStart(8)}   ` +
      `${c.flops ? `${f(r.gflops.wmoe, 1).padStart(13)} ${f(r.gflops.cpu, 2).padStart(5)} ${f(r.gflops.wasm, 1).padStart(6)}` : ' '.repeat(26)}   x${f(r.vsWasm).padStart(6)}  x${f(r.vsCpu, 1).padStart(6)}`,
  );
}
for (const [key, why] of unavailable) console.log(`n/a: ${key}: ${why}`);
console.log(`\nmalloc: ${process.env.GLIBC_TUNABLES === MALLOC_TUNABLES ? 'GLIBC_TUNABLES=' + MALLOC_TUNABLES : 'glibc defaults (--default-malloc)'}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; WASM peak ${(wmoe.wasmPeakBytes() / 2 ** 20).toFixed(1)} MiB.`);
console.log(`Medians of ${rounds} round medians (cpu: first round); "wmoe vs wasm": median of the per-round time ratios wasm/wmoe; "vs cpu": cpu/wmoe.`);

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', 'vit-ops.json'),
  JSON.stringify({
    date: new Date().toISOString(), node: process.version, quick, rounds, loadavg: loadavg(),
    glibcTunables: process.env.GLIBC_TUNABLES === MALLOC_TUNABLES ? MALLOC_TUNABLES : null,
    shapes: { batch: B, tokens: T, width: W, heads: HEADS, headDim: DH, mlp: MLP },
    note: 'ms and GFLOP/s: median of the per-round medians (rows[].rounds); vsWasm: median of the per-round wasm/wmoe time ratios; vsCpu: cpu/wmoe; wasm = tfjs-backend-wasm single-threaded SIMD; cpu: first round only; unavailable: the error of the backend\'s trial call',
    rows, wasmPeakBytes: wmoe.wasmPeakBytes(),
  }, null, 2) + '\n',
);
