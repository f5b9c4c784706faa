// Which build of the package's nn WASM module a wmoe bench row ran on (bench/train-step.mjs,
// bench/threads.mjs record it with every row): the one-thread nn.wasm or the shared-memory
// nn_mt.wasm, tensors resident in WASM memory or copied per call, and the threads used. No
// import of the package at load time: test/bench/wmoe-build.test.ts imports this file directly.
import { spawnSync } from 'node:child_process';

/**
 * Which build of nn.wasm a wmoe row ran on, from the backend's module (`backend.nn`) and the
 * pool threads active for the row: `{ label, wasm, simd, sharedMemory, residentTensors, poolThreads,
 * activeThreads }` (simd: 'relaxed' or 'plain', see init's InitOptions.simd). Resident tensors: the kernels read and write tensors in WASM memory (no copy
 * per call); copy mode: each call copies its operands in and its output out.
 */
export function buildOf(nn, activeThreads = nn.pool ? nn.pool.active : 1) {
  const sharedMemory = typeof SharedArrayBuffer !== 'undefined' && nn.exports.memory.buffer instanceof SharedArrayBuffer;
  const residentTensors = nn.heap !== undefined;
  const poolThreads = nn.threads ?? 1;
  const simd = nn.simd ?? 'plain';
  const label = `${sharedMemory ? 'shared-memory' : 'one-thread'} ${simd}-SIMD build, ${residentTensors ? 'resident tensors' : 'copy mode'}, ${activeThreads} of ${poolThreads} thread${poolThreads > 1 ? 's' : ''}`;
  const wasm = `${sharedMemory ? 'nn_mt' : 'nn'}${simd === 'relaxed' ? '_relaxed' : ''}.wasm`;
  return { label, wasm, simd, sharedMemory, residentTensors, poolThreads, activeThreads };
}

/** The build a plain `init()` (no options) loads, from a fresh Node process: buildOf's record, or `{ error }`. */
export function defaultBuild() {
  const index = new URL('../../dist/index.mjs', import.meta.url).href;
  const code = `const { init } = await import(${JSON.stringify(index)}); const { buildOf } = await import(${JSON.stringify(import.meta.url)});
const b = await init(); console.log(JSON.stringify(buildOf(b.nn))); b.nn.pool?.dispose?.();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { error: (r.stderr || 'no output').trim().split('\n').slice(-2).join(' | ') };
  }
}
