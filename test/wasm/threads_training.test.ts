// End to end: stage-1 training steps of a small ResNet-18 MoE give bit-identical parameters
// (BN running statistics included) and losses on 1 and 2 threads, and in the copy-mode build
// (no SharedArrayBuffer). Each thread count runs in a child process of its own, since a process
// loads backend wmoe once; the 2-thread child shows that its work was split (jobs on more than
// one thread, chunks run by the worker), elementwise ops included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { bundleChild, runChildScript, srcPath } from '../helpers/child_script.js';
import { tempDir } from '../helpers/cli.js';

let script: string;
const dir = tempDir('wmoe-threads-training-');

beforeAll(async () => {
  script = await bundleChild('threads-training', `
import { writeFileSync } from 'node:fs';
import { init, tf } from ${JSON.stringify(srcPath('backend', 'init.ts'))};
import { DistributedMoE } from ${JSON.stringify(srcPath('moe', 'model.ts'))};
import { stage1Step } from ${JSON.stringify(srcPath('train', 'stage1.ts'))};
import { DEFAULT_TRAIN_CONFIG } from ${JSON.stringify(srcPath('train', 'config.ts'))};
const [mode, out] = process.argv.slice(2);
if (mode === 'copy') delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;
const backend = await init({ threads: mode === '2' ? 2 : 1 });
const pool = backend.nn.pool;
/** Jobs of more than one chunk, by export (binary: the elementwise Add/Sub/Mul/Div). */
const splitByExport: Record<string, number> = {};
if (pool) {
  const run = pool.run.bind(pool);
  pool.run = (name, job) => {
    if (job.chunks > 1) splitByExport[name] = (splitByExport[name] ?? 0) + 1;
    run(name, job);
  };
}
// Width 32 at 32x32, batch 32: the first stage's maps have 32·32·32·32 = 2^20 values, so their
// gradient sums (same-shape adds) and ReLUs are split too, besides the GEMMs and batch norms.
const cfg = { ...DEFAULT_TRAIN_CONFIG, model: 'resnet18' as const, dataset: 'cifar10' as const, inputShape: [32, 32, 3] as [number, number, number],
  classes: 10, experts: 2, topK: 1, batchSize: 32, modelOptions: { width: 32 } };
const model = new DistributedMoE(cfg, 7);
const step = stage1Step(model, cfg);
const batch = 32;
let a = 12345;
const pixels = Float32Array.from({ length: batch * 32 * 32 * 3 }, () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1);
const xs = tf.tensor4d(pixels, [batch, 32, 32, 3]);
const ys = tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 7) % 10), 'int32');
const losses: number[] = [];
for (let s = 0; s < 3; s++) {
  const loss = step(xs, ys, 100 + s);
  losses.push(loss.dataSync()[0]);
  loss.dispose();
}
const flat = model.params.toFlat();
writeFileSync(out, new Uint8Array(flat.buffer, flat.byteOffset, flat.byteLength));
console.log(JSON.stringify({
  threads: backend.nn.threads, resident: backend.nn.heap !== undefined, losses, values: flat.length,
  splitJobs: pool?.splitJobs ?? 0, splitByExport, totalChunks: pool?.totalChunks ?? 0, workerChunks: pool?.workerChunks ?? 0,
}));
`);
}, 60_000);

/** Runs 3 steps in a child (`mode` 1, 2 or copy); its parameters' bytes and its report. */
function train(mode: '1' | '2' | 'copy') {
  const file = join(dir, `params-${mode}.bin`);
  const r = runChildScript(script, [mode, file], 240_000);
  expect(r.error, `child ${mode} did not finish`).toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  return { params: readFileSync(file), ...r.out };
}

describe('training on 1 and 2 threads', () => {
  test('3 stage-1 steps of a ResNet-18 MoE: every parameter bit-identical on 1 thread, 2 threads and the copy-mode build', () => {
    const one = train('1');
    const two = train('2');
    const copy = train('copy');
    expect([one.threads, one.resident, two.threads, two.resident, copy.threads, copy.resident]).toEqual([1, true, 2, true, 1, false]);
    // The 2-thread run really ran on 2 threads.
    expect(two.splitJobs).toBeGreaterThan(100);
    expect(two.workerChunks).toBeGreaterThan(0);
    expect(two.splitByExport.binary, 'elementwise adds (gradient sums) split').toBeGreaterThan(0);
    expect(two.splitByExport.gemmIndirect).toBeGreaterThan(0);
    expect(one.splitJobs).toBe(0);
    expect(one.values).toBeGreaterThan(100_000);
    expect(one.params.length).toBe(one.values * 4);
    expect(two.losses).toEqual(one.losses);
    expect(copy.losses).toEqual(one.losses);
    expect(two.params.equals(one.params), '2 threads vs 1 thread').toBe(true);
    expect(copy.params.equals(one.params), 'copy mode vs resident, 1 thread').toBe(true);
    // The steps changed the parameters (a run that trained nothing would agree trivially).
    expect(new Set(one.losses).size).toBe(3);
  }, 600_000);
});
