// The targets of bench/train-step.mjs and their verdicts, computed from the measured rows alone
// (bench/train-step.mjs stores them; scripts/readme-figures.mjs recomputes them from the stored
// rows, so a stored flag is never quoted). A row is `{ model, batch, peer, threads, msMedian,
// blas?, blasKind?, mklLinked? }` (peer: 'wmoe', 'pytorch-cpu', 'tfjs-backend-cpu', …).
// A verdict is invalid, with the reason, when a row it compares
//   - ran with 2 threads yet slower than the same peer's 1-thread row (another process held a
//     core: PyTorch's OpenMP threads wait for each other at every op and collapse then), or
//   - is PyTorch on a BLAS that is not optimised (Debian's reference BLAS is ~15x slower in
//     matmuls than OpenBLAS; a researcher's PyTorch has MKL or OpenBLAS);
// and every verdict of a run is invalid when the WASM SIMD limits measured at its start, between
// its models and at its end differ by more than LIMIT_DRIFT (the machine's speed changed during
// the run).
// No imports of the package: tests import this file directly.
import { blasKind, isOptimisedBlas, judge } from './verdict.mjs';

/** Display names of the bench's models. */
export const MODEL_LABELS = { lenet5: 'LeNet-5', resnet18: 'ResNet-18', vit: 'ViT' };

/** The PyTorch peer's row name in `rows`. */
export const TORCH_PEER = 'pytorch-cpu';

/**
 * The targets: wmoe's images/s at least `threshold` × the `vs` peer's, same model, batch and
 * thread count. `batch: 'cpu'` takes the batch of the ResNet-18 tfjs-backend-cpu row (small:
 * one step there takes minutes).
 */
export const TRAIN_STEP_TARGETS = [
  { model: 'lenet5', batch: 64, threads: 1, vs: 'tfjs-backend-cpu', threshold: 20 },
  { model: 'lenet5', batch: 64, threads: 1, vs: TORCH_PEER, threshold: 1 },
  { model: 'lenet5', batch: 64, threads: 2, vs: TORCH_PEER, threshold: 1 },
  { model: 'resnet18', batch: 'cpu', threads: 1, vs: 'tfjs-backend-cpu', threshold: 30 },
  // Issue 19: ResNet-18 >= 0.8x and ViT >= 1x PyTorch CPU (batch 32), at 1 and 2 threads.
  { model: 'resnet18', batch: 32, threads: 1, vs: TORCH_PEER, threshold: 0.8 },
  { model: 'resnet18', batch: 32, threads: 2, vs: TORCH_PEER, threshold: 0.8 },
  { model: 'vit', batch: 32, threads: 1, vs: TORCH_PEER, threshold: 1 },
  { model: 'vit', batch: 32, threads: 2, vs: TORCH_PEER, threshold: 1 },
];

/** The row of (model, batch, peer, threads) in `rows`, or undefined. */
export function findRow(rows, model, batch, peer, threads) {
  return rows.find((r) => r.model === model && r.batch === batch && r.peer === peer && r.threads === threads);
}

/** The BLAS kind of a PyTorch row, recomputed from its library paths (or the result's `pytorch` record). */
export function torchBlasOf(row, pytorch) {
  const paths = row.blas !== undefined ? row.blas : pytorch?.blas;
  const mkl = row.mklLinked ?? pytorch?.mklLinked ?? false;
  return { paths: paths ?? null, kind: blasKind(paths, mkl) };
}

/** True when `row` is a PyTorch row on an optimised BLAS (so its figure may be quoted as the peer). */
export function isTorchPeer(row, pytorch) {
  return row.peer === TORCH_PEER && isOptimisedBlas(torchBlasOf(row, pytorch).kind);
}

/** Why `row` cannot support a verdict (empty when it can). */
export function rowProblems(rows, row, pytorch) {
  const out = [];
  const label = `${row.peer} ${MODEL_LABELS[row.model] ?? row.model} batch ${row.batch}`;
  if (row.threads > 1) {
    const one = findRow(rows, row.model, row.batch, row.peer, 1);
    if (one && row.msMedian > one.msMedian) {
      out.push(`${label}: ${row.threads} threads (${row.msMedian.toFixed(1)} ms) slower than 1 thread (${one.msMedian.toFixed(1)} ms): another process may have held a core, or the 2-thread path costs more than it gains at this size; either way the row cannot support a verdict`);
    }
  }
  if (row.peer === TORCH_PEER) {
    const { paths, kind } = torchBlasOf(row, pytorch);
    if (!isOptimisedBlas(kind)) {
      out.push(`PyTorch ran on ${kind === 'reference' ? 'the reference BLAS' : 'an unidentified BLAS'} (${[paths].flat().join(', ') || 'no BLAS library found'}), not an optimised one: no peer`);
    }
  }
  return out;
}

/** Largest relative change of the WASM SIMD limit within a run for its figures to stand. */
export const LIMIT_DRIFT = 0.15;

/**
 * Why no row of a run can support a verdict (empty when they can): `limits` = { start, during?,
 * end }, the WASM SIMD limits (bench/lib/simd-limit.mjs records) measured at the run's start,
 * after each of its models (`during`: records with `after`, the model's name; absent in runs
 * stored before) and at its end, of which the lowest and highest differ by more than LIMIT_DRIFT
 * for plain or relaxed. A limit not measured is left out.
 */
export function runProblems(limits) {
  const points = [
    ['at the start of the run', limits?.start],
    ...(limits?.during ?? []).map((d) => [`after the ${MODEL_LABELS[d.after] ?? d.after} rows`, d]),
    ['at its end', limits?.end],
  ];
  const out = [];
  for (const kind of ['plain', 'relaxed']) {
    const measured = points.filter(([, l]) => typeof l?.[kind]?.gflops === 'number').map(([where, l]) => ({ where, gflops: l[kind].gflops }));
    if (measured.length < 2) continue;
    const low = measured.reduce((a, b) => (b.gflops < a.gflops ? b : a));
    const high = measured.reduce((a, b) => (b.gflops > a.gflops ? b : a));
    if (high.gflops - low.gflops > LIMIT_DRIFT * high.gflops) {
      const [first, second] = measured.indexOf(low) < measured.indexOf(high) ? [low, high] : [high, low];
      out.push(`the ${kind} WASM SIMD limit was ${first.gflops.toFixed(1)} GFLOP/s ${first.where} and ${second.gflops.toFixed(1)} ${second.where}: the machine's speed changed during the run (another process, or the VM's host)`);
    }
  }
  return out;
}

/** "LeNet-5 step batch 64: wmoe >= 20x tfjs-backend-cpu" style text of a target at a batch. */
function targetText(t, batch) {
  const vs = t.vs === TORCH_PEER ? 'PyTorch CPU' : t.vs;
  const factor = t.threshold === 1 ? '' : `${t.threshold}x `;
  const threads = t.vs === TORCH_PEER ? ` at ${t.threads} thread${t.threads > 1 ? 's' : ''}` : '';
  return `${MODEL_LABELS[t.model]} step batch ${batch}: wmoe >= ${factor}${vs}${threads}`;
}

/**
 * Every target's check, computed from `rows` (and `pytorch`, the result's PyTorch record for
 * rows without their own BLAS fields, and `limits`, the run's SIMD limits: see runProblems):
 * `{ target, threshold, value, verdict, why?, invalid, compares }`; value = the peer's ms per
 * step / wmoe's (= wmoe's images/s / the peer's).
 */
export function trainStepChecks(rows, pytorch, limits) {
  const run = runProblems(limits);
  const checks = [];
  for (const t of TRAIN_STEP_TARGETS) {
    const batch = t.batch === 'cpu' ? rows.find((r) => r.model === t.model && r.peer === t.vs)?.batch : t.batch;
    if (batch === undefined) continue; // the optional small-batch comparison was not run
    const ours = findRow(rows, t.model, batch, 'wmoe', t.threads);
    const peer = findRow(rows, t.model, batch, t.vs, t.threads);
    const compared = [ours, peer].filter(Boolean);
    const value = ours && peer ? peer.msMedian / ours.msMedian : null;
    const skipWhy = !peer ? `${t.vs} at ${t.threads} thread(s) not measured` : `wmoe at ${t.threads} thread(s) not measured`;
    const invalid = [...run, ...compared.flatMap((r) => rowProblems(rows, r, pytorch))];
    const v = judge(value, t.threshold, invalid, skipWhy);
    checks.push({
      target: targetText(t, batch), threshold: t.threshold, value, verdict: v.verdict, ...(v.why ? { why: v.why } : {}),
      invalid, compares: compared.map(({ model, batch: b, peer: p, threads }) => ({ model, batch: b, peer: p, threads })),
    });
  }
  return checks;
}

/**
 * wmoe against the PyTorch peer at the same model, batch and thread count, for every pair of
 * rows where PyTorch ran on an optimised BLAS: `{ model, batch, threads, ratio, problems }`
 * (ratio = wmoe's images/s / PyTorch's; problems: why the pair cannot be quoted, e.g. a
 * 2-thread row slower than its 1-thread row; empty when it can). A reference-BLAS PyTorch row
 * gives no comparison at all.
 */
export function torchComparisons(rows, pytorch, limits) {
  const run = runProblems(limits);
  const out = [];
  for (const r of rows.filter((x) => x.peer === 'wmoe')) {
    const t = findRow(rows, r.model, r.batch, TORCH_PEER, r.threads);
    if (t && isTorchPeer(t, pytorch)) {
      const problems = [...run, ...[r, t].flatMap((x) => rowProblems(rows, x, pytorch))];
      out.push({ model: r.model, batch: r.batch, threads: r.threads, wmoeMs: r.msMedian, torchMs: t.msMedian, ratio: t.msMedian / r.msMedian, problems });
    }
  }
  return out;
}
