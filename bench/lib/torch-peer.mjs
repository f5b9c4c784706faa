// The PyTorch CPU peer of bench/train-step.mjs: bench/peers/torch/moe_step.py run by Debian's
// /usr/bin/python3, one process per measurement. The bench installs nothing; for a fair peer:
//   apt-get install python3-torch libopenblas0-pthread
// (libopenblas0-pthread switches libblas.so.3 to OpenBLAS: Debian's default reference BLAS is
// ~15x slower in matmuls, and a researcher's PyTorch has MKL or OpenBLAS). Each run gets
// OPENBLAS_NUM_THREADS = its thread count: this torch build does not pass set_num_threads on to
// OpenBLAS, and an unset count oversubscribes the cores (bench notes: peers.md).
import { spawnSync } from 'node:child_process';
import { isOptimisedBlas } from './verdict.mjs';

/** The interpreter that has Debian's python3-torch. */
export const PYTHON = '/usr/bin/python3';
/** The peer script (repository path and absolute path). */
export const TORCH_SCRIPT = 'bench/peers/torch/moe_step.py';
const SCRIPT_PATH = new URL('../peers/torch/moe_step.py', import.meta.url).pathname;
/** What to install for a fair PyTorch peer on Debian. */
export const TORCH_INSTALL = 'apt-get install python3-torch libopenblas0-pthread';

/** The environment of a PyTorch run with `threads` threads: OPENBLAS_NUM_THREADS set to match. */
export function torchEnv(threads) {
  return { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
}

/** Runs moe_step.py with `args` and `threads`; the parsed JSON it prints. Throws with its stderr's tail. */
function runPeer(args, threads) {
  const r = spawnSync(PYTHON, [SCRIPT_PATH, ...args, '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 24, env: torchEnv(threads) });
  if (r.status !== 0) {
    const tail = (r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ');
    throw new Error(`PyTorch peer failed (status ${r.status}): ${tail}`);
  }
  return JSON.parse(r.stdout);
}

/**
 * Whether torch imports, and which BLAS it loaded: `{ available: true, torch, blas, blasKind,
 * mklLinked, optimised }` or `{ available: false, why }`.
 */
export function probeTorch() {
  try {
    const out = runPeer(['--blas'], 1);
    return { available: true, ...out, optimised: isOptimisedBlas(out.blasKind) };
  } catch (e) {
    return { available: false, why: `PyTorch not usable by ${PYTHON} (${TORCH_INSTALL}): ${e.message}` };
  }
}

/** One PyTorch run (its own warm-up, then `steps` timed steps): the JSON of moe_step.py (timesMs, blas, …). */
export function torchRun(model, batch, threads, steps, warmup) {
  return runPeer(['--model', model, '--batch', String(batch), '--steps', String(steps), '--warmup', String(warmup)], threads);
}
