// The PyTorch CPU peer of bench/train-step.mjs: bench/peers/torch/moe_step.py run by Debian's
// /usr/bin/python3, one process per measurement. The bench installs nothing; for a fair peer:
//   apt-get install python3-torch libopenblas0-pthread
// (libopenblas0-pthread switches libblas.so.3 to OpenBLAS: Debian's default reference BLAS is
// ~15x slower in matmuls, and a researcher's PyTorch has MKL or OpenBLAS). Each run sets
// OPENBLAS_NUM_THREADS: this torch build does not pass set_num_threads on to OpenBLAS, and an
// unset count oversubscribes the cores (bench notes: peers.md). At 2+ threads the best setting
// depends on the model: torch's own OpenMP threads calling a multi-threaded OpenBLAS can
// oversubscribe too (the ViT step, measured on this machine: 480-492 ms with
// OPENBLAS_NUM_THREADS=1, 1069-1208 ms with 2), so a multi-thread figure is the faster of the
// two settings, and records which (the peer's best configuration, never its worst).
import { spawnSync } from 'node:child_process';
import { isOptimisedBlas } from './verdict.mjs';

/** The interpreter that has Debian's python3-torch. */
export const PYTHON = '/usr/bin/python3';
/** The peer script (repository path and absolute path). */
export const TORCH_SCRIPT = 'bench/peers/torch/moe_step.py';
const SCRIPT_PATH = new URL('../peers/torch/moe_step.py', import.meta.url).pathname;
/** What to install for a fair PyTorch peer on Debian. */
export const TORCH_INSTALL = 'apt-get install python3-torch libopenblas0-pthread';

/** The environment of a PyTorch run: OPENBLAS_NUM_THREADS = `blasThreads` (default: the run's thread count). */
export function torchEnv(threads, blasThreads = threads) {
  return { ...process.env, OPENBLAS_NUM_THREADS: String(blasThreads) };
}

/** Runs moe_step.py with `args` and `threads`; the parsed JSON it prints. Throws with its stderr's tail. */
function runPeer(args, threads, blasThreads = threads) {
  const r = spawnSync(PYTHON, [SCRIPT_PATH, ...args, '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 24, env: torchEnv(threads, blasThreads) });
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

/**
 * One PyTorch measurement (its own warm-up, then `steps` timed steps): the JSON of moe_step.py
 * (timesMs, msMedian, blas, …). At 2+ threads it runs with OPENBLAS_NUM_THREADS = 1 and = threads
 * and returns the faster, with `openblasThreads` (the setting it kept) and `otherSetting`
 * ({ openblasThreads, msMedian } of the one it dropped).
 */
export function torchRun(model, batch, threads, steps, warmup) {
  const args = ['--model', model, '--batch', String(batch), '--steps', String(steps), '--warmup', String(warmup)];
  if (threads < 2) return { ...runPeer(args, threads), openblasThreads: threads };
  const runs = [1, threads].map((blasThreads) => ({ ...runPeer(args, threads, blasThreads), openblasThreads: blasThreads }));
  const [best, other] = runs[0].msMedian <= runs[1].msMedian ? runs : [runs[1], runs[0]];
  return { ...best, otherSetting: { openblasThreads: other.openblasThreads, msMedian: other.msMedian } };
}
