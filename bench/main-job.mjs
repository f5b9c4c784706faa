// The main job (`npm start`, i.e. `wmoe demo` with its defaults) run as a benchmark: runs the
// built CLI's demo into a temporary directory and records its naive vs channel-aware
// comparison, the training config, the test sample count, the seed, stage-1 diagnostics, the
// wall time and the load average in bench/results/main-job.json, from which the README's
// main-job table is generated (scripts/readme-figures.mjs). Takes about 2 minutes on an idle
// 2-core machine.
//
//   npm run build && node bench/main-job.mjs [extra demo flags, e.g. --epochs 1 --train-samples 512]
//
// Extra flags are passed to `wmoe demo` and recorded in the JSON (`demoArgs`); a run with extra
// flags is not the main job, so it writes its JSON to the system's temporary directory instead.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const extra = process.argv.slice(2);
const out = mkdtempSync(join(tmpdir(), 'wmoe-main-job-'));
const demoArgs = ['demo', '--out', out, ...extra];
const loadBefore = loadavg();
const t0 = performance.now();
const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'wmoe.mjs'), ...demoArgs], {
  cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20,
});
const wallSeconds = (performance.now() - t0) / 1000;
const loadAfter = loadavg();
process.stdout.write(r.stdout ?? '');
if (r.status !== 0) {
  rmSync(out, { recursive: true, force: true });
  console.error(`bench/main-job.mjs: wmoe demo exited with ${r.status ?? r.signal}`);
  process.exit(1);
}

const read = (name) => JSON.parse(readFileSync(join(out, name), 'utf8'));
const comparison = read('comparison.json');
const metrics = read('metrics.json');
const timings = read('timings.json');
rmSync(out, { recursive: true, force: true });
// The demo prints "... (K = 4, top-2, 1996 test samples, seed 1)" above its table.
const testSamples = Number(/(\d+) test samples/.exec(r.stdout)?.[1] ?? NaN);
const cfg = metrics.config;
const result = {
  bench: 'main job: wmoe demo (npm start) — naive vs channel-aware gating',
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpu: cpus()[0]?.model.trim(), cores: cpus().length },
  command: `node dist/cli/wmoe.mjs ${['demo', ...extra].join(' ')}`,
  demoArgs: extra,
  wallSeconds,
  trainSeconds: timings.trainSeconds,
  backend: timings.backend,
  loadavg: { before: loadBefore, after: loadAfter },
  config: cfg,
  seed: cfg.seed,
  testSamples: Number.isFinite(testSamples) ? testSamples : null,
  stage1: {
    testAccuracy: metrics.stage1.testAccuracy,
    selection: metrics.stage1.selection,
    expertSoloAccuracy: metrics.stage1.expertSoloAccuracy,
  },
  rows: comparison.rows,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const file = extra.length ? join(tmpdir(), 'wmoe-main-job.partial.json') : join(root, 'bench', 'results', 'main-job.json');
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
console.log(`\nmain job: ${wallSeconds.toFixed(0)} s wall (training ${timings.trainSeconds.toFixed(0)} s), load ${loadBefore[0].toFixed(2)} → ${loadAfter[0].toFixed(2)}; wrote ${file}`);
