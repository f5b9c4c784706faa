// Profiles one training step of a LeNet-5 mixture-of-experts on backend `wmoe` and compares
// the step time with tfjs-backend-cpu.
//
//   npm run build && node bench/profile-step.mjs [--steps 5] [--cpu-steps 3] [--no-cpu] [--backend wmoe]
//        [--profile-steps 3] [--by-shape]
//
// Model (images 32x32x1, batch 64): conv 5x5x6 + relu + maxpool 2 → conv 5x5x16 + relu +
// maxpool 2 → flatten (400) → 4 experts, each dense 400→120 relu →84 relu →10; a gate
// dense 400→4 + softmax, top-2 routing with renormalised weights; loss = softmax
// cross-entropy of the gate-weighted mixture of expert logits + 0.5 × load-balancing term
// (E · Σ_e f_e · P_e, f_e = fraction of routed slots, P_e = mean gate probability).
// Adam (lr 1e-3) via optimizer.minimize.
//
// Prints the per-kernel time of one step on the profiled backend (tf.profile, kernels summed
// by name, sorted by total ms) and the median step time (ms) on wmoe and cpu, and writes
// bench/results/profile-step.json.
import { mkdirSync, writeFileSync } from 'node:fs';
// WMOE_DIST: path of another build of the package to profile (default ../dist/index.mjs).
const { init, tf, SeededRandom } = await import(process.env.WMOE_DIST ?? '../dist/index.mjs');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const STEPS = opt('steps', 5);
const CPU_STEPS = args.includes('--no-cpu') ? 0 : opt('cpu-steps', 3);
const PROFILED = args.includes('--backend') ? args[args.indexOf('--backend') + 1] : 'wmoe';
const PROFILE_STEPS = opt('profile-steps', 3);
const BATCH = 64, EXPERTS = 4, TOP_K = 2, CLASSES = 10, LB_WEIGHT = 0.5;

/** Deterministic uniform floats in [-1, 1) from the package's seeded generator. */
function randomValues(n, seed) {
  const rng = new SeededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

/** Glorot-uniform-like weight of `shape` with `fanIn`/`fanOut`, from a seed. */
function weight(shape, fanIn, fanOut, seed) {
  const n = shape.reduce((a, b) => a * b, 1);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.variable(tf.tensor(randomValues(n, seed).map((v) => v * limit), shape));
}
const bias = (n) => tf.variable(tf.zeros([n]));

/** Builds the model's variables, data and Adam optimizer on the current backend. */
function makeModel() {
  let seed = 1;
  const p = {
    c1w: weight([5, 5, 1, 6], 25, 150, seed++), c1b: bias(6),
    c2w: weight([5, 5, 6, 16], 150, 400, seed++), c2b: bias(16),
    gw: weight([400, EXPERTS], 400, EXPERTS, seed++), gb: bias(EXPERTS),
    experts: [],
  };
  for (let e = 0; e < EXPERTS; e++) {
    p.experts.push({
      w1: weight([400, 120], 400, 120, seed++), b1: bias(120),
      w2: weight([120, 84], 120, 84, seed++), b2: bias(84),
      w3: weight([84, CLASSES], 84, CLASSES, seed++), b3: bias(CLASSES),
    });
  }
  const x = tf.tensor4d(randomValues(BATCH * 32 * 32, 100), [BATCH, 32, 32, 1]);
  const labelIdx = Array.from(randomValues(BATCH, 101), (v) => Math.floor((v + 1) * 5) % CLASSES);
  const y = tf.cast(tf.oneHot(tf.tensor1d(labelIdx, 'int32'), CLASSES), 'float32');
  const optimizer = tf.train.adam(1e-3);
  return { p, x, y, optimizer };
}

/**
 * [B, E] 0/1 mask of the top-k experts of each row of `probs`. Routing is a hard choice: it
 * passes no gradient (TopK has none in tfjs), hence the custom zero gradient.
 */
const routeMask = tf.customGrad((probs, save) => {
  const { indices } = tf.topk(probs, TOP_K, true);
  return { value: tf.sum(tf.oneHot(indices, EXPERTS), 1), gradFunc: () => tf.zerosLike(probs) };
});

/** The scalar loss of one forward pass. */
function loss({ p, x, y }) {
  const h1 = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, p.c1w, 1, 'valid'), p.c1b)), 2, 2, 'valid');
  const h2 = tf.maxPool(tf.relu(tf.add(tf.conv2d(h1, p.c2w, 1, 'valid'), p.c2b)), 2, 2, 'valid');
  const feat = tf.reshape(h2, [BATCH, 400]);
  // Gate: softmax probabilities, top-2 selection, renormalised weights over the chosen experts.
  const probs = tf.softmax(tf.add(tf.matMul(feat, p.gw), p.gb));
  const mask = routeMask(probs); // [B, E], 1 on the top-2 experts of each sample
  const chosen = tf.mul(probs, mask);
  const gates = tf.div(chosen, tf.sum(chosen, 1, true)); // [B, E]
  // Experts (each evaluated on the whole batch) and their gate-weighted mixture of logits.
  const outs = p.experts.map((e) => {
    const a1 = tf.relu(tf.add(tf.matMul(feat, e.w1), e.b1));
    const a2 = tf.relu(tf.add(tf.matMul(a1, e.w2), e.b2));
    return tf.add(tf.matMul(a2, e.w3), e.b3);
  });
  const stacked = tf.stack(outs, 1); // [B, E, C]
  const logits = tf.sum(tf.mul(stacked, tf.expandDims(gates, 2)), 1);
  const ce = tf.losses.softmaxCrossEntropy(y, logits);
  // Load balancing: E · Σ_e (fraction of routed slots to e) · (mean gate probability of e).
  const frac = tf.div(tf.mean(mask, 0), TOP_K);
  const lb = tf.mul(EXPERTS, tf.sum(tf.mul(frac, tf.mean(probs, 0))));
  return tf.add(ce, tf.mul(LB_WEIGHT, lb));
}

/** One Adam step; returns the loss value. */
function step(model) {
  const l = model.optimizer.minimize(() => loss(model), true);
  const v = l.dataSync()[0];
  l.dispose();
  return v;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median step ms over `steps` steps after two warm-up steps; then, if `profile`, per-kernel
 * times averaged over PROFILE_STEPS further steps. Also the loss trajectory. */
async function timeSteps(backend, steps, profile) {
  await tf.setBackend(backend);
  tf.backend().firstUse = false; // silence tfjs-backend-cpu's "install tfjs-node" banner
  const model = makeModel();
  const losses = [step(model), step(model)]; // warm-up (JIT, WASM tier-up, memory growth)
  const times = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    losses.push(step(model));
    times.push(performance.now() - t0);
  }
  let kernels;
  if (profile) {
    const all = [];
    for (let i = 0; i < PROFILE_STEPS; i++) {
      const info = await tf.profile(() => { losses.push(step(model)); });
      all.push(...info.kernels);
    }
    kernels = summarize(all, (k) => k.name);
    if (args.includes('--by-shape')) {
      for (const e of summarize(all, (k) => `${k.name} ${JSON.stringify(k.inputShapes)}`).slice(0, 40)) {
        console.log(`${e.ms.toFixed(2).padStart(8)} ms ${String(Math.round(e.calls)).padStart(4)}×  ${e.name}`);
      }
    }
  }
  tf.dispose([model.x, model.y]);
  model.optimizer.dispose();
  tf.disposeVariables();
  return { ms: median(times), times, losses, kernels };
}

/** Kernel records grouped by `key`: per-step ms and calls, sorted by ms. */
function summarize(records, key) {
  const groups = new Map();
  for (const k of records) {
    const name = key(k);
    const e = groups.get(name) ?? { name, ms: 0, calls: 0, outMB: 0 };
    e.ms += k.kernelTimeMs / PROFILE_STEPS;
    e.calls += 1 / PROFILE_STEPS;
    e.outMB += k.outputShapes.reduce((a, sh) => a + 4 * sh.reduce((x, y) => x * y, 1), 0) / 2 ** 20 / PROFILE_STEPS;
    groups.set(name, e);
  }
  return [...groups.values()].sort((a, b) => b.ms - a.ms);
}

await init({ setBackend: false });
const prof = await timeSteps(PROFILED, STEPS, true);
// Records that are no registered kernel (customGrad scopes such as `forward`,
// softmaxCrossEntropy__op) time their nested kernels again: listed apart, not in the total.
const isKernel = (k) => tf.getKernel(k.name, PROFILED) !== undefined;
const scopes = prof.kernels.filter((k) => !isKernel(k));
prof.kernels = prof.kernels.filter(isKernel);
const total = prof.kernels.reduce((a, k) => a + k.ms, 0);
console.log(`kernel time per step on ${PROFILED} (tf.profile, mean of ${PROFILE_STEPS} steps): ${total.toFixed(1)} ms in ${Math.round(prof.kernels.reduce((a, k) => a + k.calls, 0))} calls, ${prof.kernels.reduce((a, k) => a + k.outMB, 0).toFixed(1)} MB of outputs`);
console.log('kernel'.padEnd(28) + 'ms'.padStart(9) + 'calls'.padStart(7) + 'share'.padStart(8) + 'out MB'.padStart(8));
for (const k of prof.kernels) {
  if (k.ms < total * 0.002) continue;
  console.log(k.name.padEnd(28) + k.ms.toFixed(2).padStart(9) + String(Math.round(k.calls)).padStart(7) + `${((100 * k.ms) / total).toFixed(1)}%`.padStart(8) + k.outMB.toFixed(2).padStart(8));
}
console.log(`(scopes, not counted: ${scopes.map((k) => `${k.name} ${k.ms.toFixed(2)} ms`).join(', ')})`);
console.log(`${PROFILED} step: median ${prof.ms.toFixed(1)} ms over ${STEPS} steps (${prof.times.map((t) => t.toFixed(0)).join(' ')})`);
let cpu;
if (CPU_STEPS > 0 && PROFILED !== 'cpu') {
  cpu = await timeSteps('cpu', CPU_STEPS, false);
  console.log(`cpu step:  median ${cpu.ms.toFixed(1)} ms over ${CPU_STEPS} steps (${cpu.times.map((t) => t.toFixed(0)).join(' ')})`);
  console.log(`speed-up ${PROFILED} vs cpu: ${(cpu.ms / prof.ms).toFixed(1)}x`);
  const drift = Math.max(...cpu.losses.map((l, i) => Math.abs(l - prof.losses[i]) / Math.abs(l)));
  console.log(`losses wmoe ${prof.losses.slice(0, cpu.losses.length).map((l) => l.toPrecision(8)).join(' ')}`);
  console.log(`losses cpu  ${cpu.losses.map((l) => l.toPrecision(8)).join(' ')}`);
  console.log(`loss ${prof.losses[0].toFixed(5)} → ${prof.losses.at(-1).toFixed(5)}; max relative loss difference vs cpu over common steps: ${drift.toExponential(2)}`);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/profile-step.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(), batch: BATCH, backend: PROFILED,
  stepMs: { [PROFILED]: prof.ms, cpu: cpu?.ms ?? null },
  speedup: cpu ? cpu.ms / prof.ms : null,
  losses: { [PROFILED]: prof.losses, cpu: cpu?.losses ?? null },
  kernels: prof.kernels,
}, null, 2));
