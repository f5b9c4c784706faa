// What bench/kernels.mjs and bench/vit-ops.mjs share: the allocator-controlled re-run, the three
// backends (wmoe, tfjs-backend-cpu, tfjs-backend-wasm single-threaded SIMD) and seeded inputs.
// Import it first: on import it re-runs the calling script under MALLOC_TUNABLES (see the header
// of bench/kernels.mjs for why) unless --default-malloc is given.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export const MALLOC_TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.trim_threshold=1073741824:glibc.malloc.mmap_threshold=33554432';
if (!process.argv.includes('--default-malloc') && process.env.GLIBC_TUNABLES !== MALLOC_TUNABLES) {
  const r = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', ...process.argv.slice(1)], {
    stdio: 'inherit', env: { ...process.env, GLIBC_TUNABLES: MALLOC_TUNABLES },
  });
  process.exit(r.status ?? 1);
}
export const { init, tf, SeededRandom } = await import('../../dist/index.mjs');

export const require = createRequire(import.meta.url);
export const wasmBackend = require('@tensorflow/tfjs-backend-wasm');

/** Registers the three backends: returns the wmoe backend; leaves `cpu` current. */
export async function setUpBackends() {
  const wmoe = await init({ setBackend: false });
  // Node has no WASM threads in tfjs-backend-wasm (it never picks the threaded binary there);
  // the flag and thread count make the single-threaded SIMD choice explicit.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasmBackend.setThreadsCount(1);
  wasmBackend.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/');
  await tf.setBackend('wasm');
  await tf.ready();
  await tf.setBackend('cpu');
  tf.backend().firstUse = false; // silence tfjs-backend-cpu's "install tfjs-node" banner
  return wmoe;
}

/** A tensor of `shape` with uniform values in [-1, 1) from the package's seeded generator. */
export function randomTensor(shape, seed) {
  const rng = new SeededRandom(seed);
  const v = new Float32Array(shape.reduce((x, y) => x * y, 1));
  for (let i = 0; i < v.length; i++) v[i] = rng.uniform(-1, 1);
  return tf.tensor(v, shape);
}
