// One LeNet-5 MoE training step (stage 1: backbone + 4 experts + naive top-2 gate, softmax
// mixture NLL + load balancing, Adam) at batch 64 on MNIST, timed on backend `wmoe` and on
// tfjs-backend-cpu in the same run. Reports medians, the speed-up, and WASM memory growth.
// Usage: npm run build && node bench/train-step.mjs [--cpu-steps 3] [--wmoe-steps 20]
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { init, tf, DistributedMoE, DEFAULT_TRAIN_CONFIG, moeConfigOf, stage1Step, loadMnist } from '../dist/node.mjs';

const { values } = parseArgs({ options: { 'cpu-steps': { type: 'string' }, 'wmoe-steps': { type: 'string' } } });
const cpuSteps = Number(values['cpu-steps'] ?? 3);
const wmoeSteps = Number(values['wmoe-steps'] ?? 20);
const BATCH = 64;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const data = await loadMnist();
const backend = await init({ setBackend: false });
const cfg = { ...DEFAULT_TRAIN_CONFIG, inputShape: [32, 32, 1], classes: 10 };
const xsData = data.train.images.subarray(0, BATCH * 32 * 32);
const ysData = data.train.labels.subarray(0, BATCH);

async function timeSteps(name, steps) {
  await tf.setBackend(name);
  const model = new DistributedMoE(moeConfigOf(cfg), 1);
  const step = stage1Step(model, cfg);
  const xs = tf.tensor4d(xsData, [BATCH, 32, 32, 1]);
  const ys = tf.tensor1d(ysData, 'int32');
  const times = [];
  const memory = [];
  for (let i = 0; i < steps + 1; i++) {
    const t0 = performance.now();
    const loss = step(xs, ys, i);
    loss.dataSync();
    loss.dispose();
    if (i > 0) times.push(performance.now() - t0); // the first step warms up
    if (name === 'wmoe') memory.push(backend.wasmPeakBytes());
  }
  step.dispose();
  xs.dispose();
  ys.dispose();
  model.dispose();
  return { ms: median(times), times, memory };
}

const wmoe = await timeSteps('wmoe', wmoeSteps);
const cpu = await timeSteps('cpu', cpuSteps);
const result = {
  bench: 'LeNet-5 MoE training step (K=4, top-2, batch 64, Adam)',
  node: process.version,
  wmoeMsMedian: wmoe.ms,
  cpuMsMedian: cpu.ms,
  speedup: cpu.ms / wmoe.ms,
  target: 20,
  wasmPeakBytes: Math.max(...wmoe.memory),
  wasmMemoryAfterFirstStep: wmoe.memory[0],
  wasmMemoryGrewAfterFirstStep: wmoe.memory.some((m) => m !== wmoe.memory[0]),
  wmoeTimesMs: wmoe.times,
  cpuTimesMs: cpu.times,
};
console.log(`LeNet-5 MoE training step, batch ${BATCH}: wmoe ${wmoe.ms.toFixed(1)} ms, cpu ${cpu.ms.toFixed(1)} ms (medians)`);
console.log(`speed-up ${result.speedup.toFixed(1)}x (target >= 20x) ${result.speedup >= 20 ? 'PASS' : 'FAIL'}`);
console.log(`WASM memory: peak ${(result.wasmPeakBytes / 2 ** 20).toFixed(2)} MiB; grew after first step: ${result.wasmMemoryGrewAfterFirstStep}`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/train-step.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
