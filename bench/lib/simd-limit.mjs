// The WASM SIMD limit of one core, measured on this machine in this run, for the benches to
// state each row's share of it (bench/infer.mjs, bench/train-step.mjs). The loop is
// bench/simd-limit/limit.ts: 12 independent f32x4 accumulators updated as acc·m + c (96 FLOP per
// iteration, no memory traffic), compiled at bench time by the installed AssemblyScript (asc) into
// build/simd-limit/, twice:
//   plain     f32x4.mul + f32x4.add: the ceiling of any f32 kernel on a stock Node 20;
//   relaxed   f32x4.relaxed_madd (--enable relaxed-simd): what a fused multiply-add gives; Node 20
//             compiles it only with --experimental-wasm-relaxed-simd, so it runs in a child Node
//             with that flag when this engine does not validate it (null, with the reason, when
//             no engine here can run it).
// Each kind is timed in its own Node process on one thread (after a warm-up that lets V8 tier
// the loop up to TurboFan): the median of `repeats` timed calls, in GFLOP/s per core, per second
// of the process's CPU time (so a busy machine does not lower the ceiling; the wall-time rate is
// recorded beside it).
//
//   node bench/lib/simd-limit.mjs [--repeats 7] [--ms 100]   prints the limits as JSON
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './timing.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE = join(ROOT, 'bench/simd-limit/limit.ts');
const OUT_DIR = join(ROOT, 'build/simd-limit');
const ASC = join(ROOT, 'node_modules/assemblyscript/bin/asc.js');
const SELF = fileURLToPath(import.meta.url);

/** FLOP per iteration of the loop: 12 accumulators × 4 lanes × (a multiply and an add). */
export const FLOP_PER_ITERATION = 12 * 4 * 2;
/** The two kinds of loop and the asc features each is compiled with. */
export const SIMD_KINDS = { plain: ['simd'], relaxed: ['simd', 'relaxed-simd'] };
/** The Node flag that lets Node 20 compile relaxed SIMD. */
export const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

/** The path of `kind`'s module, compiled by asc from bench/simd-limit/limit.ts when missing or older than the source. */
export function simdLimitModule(kind) {
  const features = SIMD_KINDS[kind];
  if (!features) throw new Error(`simd-limit: unknown kind '${kind}' (known: ${Object.keys(SIMD_KINDS).join(', ')})`);
  const wasm = join(OUT_DIR, `${kind}.wasm`);
  if (!existsSync(wasm) || statSync(wasm).mtimeMs < statSync(SOURCE).mtimeMs) {
    mkdirSync(OUT_DIR, { recursive: true });
    execFileSync(process.execPath, [ASC, SOURCE, '-O3', '--runtime', 'stub', '--noAssert', ...features.flatMap((f) => ['--enable', f]), '--outFile', wasm], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return wasm;
}

/**
 * Times the loop of the module at `wasmPath` in this process: calibrates the iteration count to
 * about `ms` milliseconds of CPU time per call, warms up, then `repeats` calls. `{ gflops, gflopsWall,
 * gflopsWallMax, timesMs, cpuMs, iterations }`: gflops is the median rate per second of this
 * process's CPU time, i.e. the core's rate even while other processes took turns on it (on a
 * quiet machine it equals the wall-time rate, gflopsWall; gflopsWallMax: the fastest call).
 */
export async function timeLoop(wasmPath, { repeats = 7, ms = 100 } = {}) {
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath));
  const run = instance.exports.run;
  let iterations = 1 << 16;
  for (let i = 0; i < 8; i++) run(iterations, 0.9999, 1e-4); // tier the function up
  for (;;) {
    const c0 = process.cpuUsage();
    run(iterations, 0.9999, 1e-4);
    const c = process.cpuUsage(c0);
    const dt = (c.user + c.system) / 1e3;
    if (dt >= ms / 4 || iterations >= 1 << 30) {
      iterations = Math.max(1, Math.min(2 ** 31 - 1, Math.round((iterations * ms) / Math.max(dt, 1e-3))));
      break;
    }
    iterations *= 4;
  }
  const timesMs = [];
  const cpuMs = [];
  let sink = 0;
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    sink += run(iterations, 0.9999, 1e-4);
    timesMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1e3);
  }
  if (!Number.isFinite(sink)) throw new Error('simd-limit: the loop overflowed');
  const gf = (t) => (iterations * FLOP_PER_ITERATION) / (t * 1e6);
  return { gflops: gf(median(cpuMs)), gflopsWall: gf(median(timesMs)), gflopsWallMax: gf(Math.min(...timesMs)), timesMs, cpuMs, iterations };
}

/** Measures `kind` in a child Node process (with `nodeFlags`): timeLoop's record, or `{ error }`. */
function measureInChild(kind, nodeFlags, opts) {
  const r = spawnSync(process.execPath, [...nodeFlags, SELF, '--measure', kind, '--repeats', String(opts.repeats ?? 7), '--ms', String(opts.ms ?? 100)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `status ${r.status}`).trim().split('\n').slice(-2).join(' | ') };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/**
 * The SIMD limit of one core on this machine: `{ plain: { gflops, gflopsMax, timesMs, iterations,
 * nodeFlags }, relaxed: { … } or { gflops: null, why }, flopPerIteration, node, source }`, each
 * kind measured in its own Node process (`repeats` calls of about `ms` ms each).
 */
export function simdLimit({ repeats = 7, ms = 100 } = {}) {
  const out = { flopPerIteration: FLOP_PER_ITERATION, node: process.version, source: 'bench/simd-limit/limit.ts' };
  for (const kind of Object.keys(SIMD_KINDS)) {
    // The child is a fresh Node: it needs RELAXED_FLAG for relaxed SIMD before Node 22, whatever
    // this process has turned on, and may reject the flag after; so without it first, then with it.
    let flags = [];
    let m = measureInChild(kind, flags, { repeats, ms });
    if (m.error && kind === 'relaxed') {
      flags = [RELAXED_FLAG];
      m = measureInChild(kind, flags, { repeats, ms });
    }
    out[kind] = m.error ? { gflops: null, nodeFlags: flags, why: `${kind} SIMD loop did not run under node ${flags.join(' ')}: ${m.error}` } : { ...m, nodeFlags: flags };
  }
  return out;
}

/**
 * The share of the SIMD limit a row reaches: its GFLOP/s over `threads` × the limit per core, for
 * the plain and the relaxed limits (`limit`: simdLimit()'s record): `{ plain, relaxed }`, each a
 * fraction (null when the row's rate or that limit is unknown).
 */
export function simdShare(gflops, threads, limit) {
  const share = (kind) => {
    const g = limit?.[kind]?.gflops;
    return typeof gflops === 'number' && Number.isFinite(gflops) && typeof g === 'number' && g > 0 ? gflops / (threads * g) : null;
  };
  return { plain: share('plain'), relaxed: share('relaxed') };
}

/** "41.2 GFLOP/s (plain), 63.5 (relaxed)" for simdLimit()'s record. */
export function formatLimit(limit) {
  const f = (k) => (typeof limit[k]?.gflops === 'number' ? limit[k].gflops.toFixed(1) : 'n/a');
  return `WASM SIMD limit per core: ${f('plain')} GFLOP/s (f32x4 mul+add), ${f('relaxed')} (relaxed_madd)`;
}

// ---- command line: the child's measurement, or the limits as JSON -----------------------------
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { measure: { type: 'string' }, repeats: { type: 'string' }, ms: { type: 'string' } } });
  const opts = { repeats: Number(values.repeats ?? 7), ms: Number(values.ms ?? 100) };
  if (values.measure) console.log(JSON.stringify(await timeLoop(simdLimitModule(values.measure), opts)));
  else console.log(JSON.stringify(simdLimit(opts), null, 2));
}
