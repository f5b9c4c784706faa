// The targets of bench/infer.mjs and their verdicts, computed from the measured rows and the
// machine's load alone (the bench stores them; scripts/readme-figures.mjs can recompute them with
// the same functions, never trusting a stored flag). A row is `{ model, batch, peer, threads,
// msMedian, blas?, blasKind?, mklLinked?, agreement? }`; peers: 'wmoe', 'pytorch-cpu',
// 'onnxruntime-web', 'onnxruntime-node', 'wmoe-relaxed', 'wmoe-predict' (the last three informative).
// Targets (issue 19), at equal thread counts, 1 and 2:
//   ResNet-18 at batch 32: wmoe ≥ 0.8x PyTorch CPU and ≥ 2x onnxruntime-web (images/s);
//   ResNet-18 at batch 1: wmoe ≥ 1x PyTorch CPU;
//   LeNet-5 at batch 1: at most 0.25 ms per forward, checked as ≥ 4000 forwards/s.
// A verdict is invalid, with the reasons, when
//   - the machine was busy while a compared row was measured: other processes took more of the
//     machine's CPU (the row's othersCpuShare, from bench/lib/cpu-share.mjs) than the cores the
//     row left free, plus OTHERS_CPU_SLACK: on 2 cores, 60 % for a 1-thread row, 10 % for a
//     2-thread row. Niced processes (niceCpuShare) count only against a row that uses every core:
//     they yield a core to a single thread, but a thread that waits for the other at every op
//     (PyTorch's OpenMP, wmoe's pool) stalls whenever a niced job gets its time slice (measured:
//     PyTorch's ResNet-18 batch 32 at 2 threads, 1387 ms against 768 at 1 thread, beside a niced
//     training job and nothing else). Rows without that
//     figure fall back on the load average: above LOAD_LIMIT_PER_CORE × cores at the start or the
//     end of the run (other processes held the cores, and PyTorch's OpenMP threads collapse then);
//   - in a comparison with a peer, a 2-thread row it compares ran slower than the same peer's
//     1-thread row, or PyTorch ran on a BLAS that is not optimised (bench/lib/train-step-checks.mjs
//     rowProblems), or an ONNX Runtime row disagreed with PyTorch's output.
// A latency target (LeNet-5, batch 1) compares no peer: there a 2-thread row slower than the
// 1-thread row is what the target tests (a small op must not pay for thread dispatch), not a
// sign of a bad measurement, so only the load can make it invalid.
// No imports of the package: tests import this file directly.
import { judge } from './verdict.mjs';
import { MODEL_LABELS, TORCH_PEER, findRow, rowProblems } from './train-step-checks.mjs';
import { flopsPerImage } from './plain-nets.mjs';

export { TORCH_PEER };
/** The onnxruntime-web row name (its WASM backend, run in Node). */
export const ORT_WEB = 'onnxruntime-web';
/** Display names of the peers. */
export const PEER_LABELS = { wmoe: 'wmoe', 'wmoe-relaxed': 'wmoe, relaxed SIMD', 'wmoe-predict': 'wmoe predict() (MoE, top-2 of 4)', [TORCH_PEER]: 'PyTorch CPU', [ORT_WEB]: 'onnxruntime-web (wasm)', 'onnxruntime-node': 'onnxruntime-node (native)' };
/** A run is too busy for verdicts when its 1-minute load exceeds this many times the cores, at start or end. */
export const LOAD_LIMIT_PER_CORE = 1.5;
/** Share of all cores' time other processes may take beyond the cores a row leaves free (see othersCpuLimit). */
export const OTHERS_CPU_SLACK = 0.1;

/**
 * The most CPU other processes may have taken while a `threads`-thread row ran on `cores` cores,
 * as a share of all cores' time: the share of the cores it left free, plus OTHERS_CPU_SLACK.
 */
export const othersCpuLimit = (threads, cores) => Math.max(0, (cores - threads) / cores) + OTHERS_CPU_SLACK;

/**
 * The targets: `ratio` ones, wmoe's images/s ≥ `threshold` × the `vs` peer's at the same model,
 * batch and threads; `latency` ones, wmoe's forward at most `maxMs` ms.
 */
export const INFER_TARGETS = [1, 2].flatMap((threads) => [
  { kind: 'ratio', model: 'resnet18', batch: 32, threads, vs: TORCH_PEER, threshold: 0.8 },
  { kind: 'ratio', model: 'resnet18', batch: 32, threads, vs: ORT_WEB, threshold: 2 },
  { kind: 'ratio', model: 'resnet18', batch: 1, threads, vs: TORCH_PEER, threshold: 1 },
  { kind: 'latency', model: 'lenet5', batch: 1, threads, maxMs: 0.25 },
]);

/** GFLOP/s of a forward of `model` at `batch` taking `ms` milliseconds. */
export const gflopsOf = (model, batch, ms) => (flopsPerImage(model) * batch) / (ms * 1e6);

/** Why the run's load forbids verdicts (`load`: { start, end } machineLoad() snapshots; empty when it does not). */
export function loadProblems(load) {
  const out = [];
  for (const when of ['start', 'end']) {
    const s = load?.[when];
    if (!s) continue;
    const limit = LOAD_LIMIT_PER_CORE * s.cores;
    if (s.loadavg[0] > limit) out.push(`the machine was busy: 1-minute load ${s.loadavg[0].toFixed(2)} at the ${when} of the run, above ${limit} (${LOAD_LIMIT_PER_CORE} x ${s.cores} cores)`);
  }
  return out;
}

/**
 * Why the machine was too busy for `row`: from its othersCpuShare (the median over its runs of
 * the share of CPU other, un-niced processes took) against othersCpuLimit(threads, cores) when
 * it has one, else from the run's load average (`load`). Empty when it was quiet enough.
 */
export function busyProblems(row, load) {
  if (typeof row?.othersCpuShare !== 'number') return loadProblems(load);
  const cores = load?.start?.cores ?? 2;
  const limit = othersCpuLimit(row.threads, cores);
  const niced = row.threads >= cores ? (row.niceCpuShare ?? 0) : 0;
  const taken = row.othersCpuShare + niced;
  if (taken <= limit) return [];
  const how = niced > 0 ? ` (${(100 * niced).toFixed(0)} % of it niced, which stalls a row on every core)` : '';
  return [`the machine was busy while ${row.peer} ${MODEL_LABELS[row.model] ?? row.model} batch ${row.batch} at ${row.threads} thread(s) ran: other processes took ${(100 * taken).toFixed(0)} % of the CPU of ${cores} cores${how}, above ${(100 * limit).toFixed(0)} %`];
}

/** Why a row cannot support a comparison with a peer (empty when it can). */
export function comparisonProblems(rows, row, pytorch) {
  const out = rowProblems(rows, row, pytorch);
  if (row.agreement && row.agreement.agrees === false) out.push(`${row.peer} disagreed with PyTorch's output (max |diff| ${row.agreement.maxAbsDiff})`);
  return out;
}

/** The text of a target: "ResNet-18 inference batch 32 at 1 thread: wmoe >= 0.8x PyTorch CPU". */
export function targetText(t) {
  const at = `${MODEL_LABELS[t.model]} inference batch ${t.batch} at ${t.threads} thread${t.threads > 1 ? 's' : ''}`;
  if (t.kind === 'latency') return `${at}: wmoe >= ${Math.round(1000 / t.maxMs)} forwards/s (at most ${t.maxMs} ms per forward)`;
  const factor = t.threshold === 1 ? '' : `${t.threshold}x `;
  return `${at}: wmoe >= ${factor}${PEER_LABELS[t.vs]}`;
}

/** One target's check from the rows: `{ target, threshold, value, verdict, why?, invalid, compares, … }`. */
function check(t, rows, load, pytorch) {
  // wmoe as the CLI runs it: the relaxed-SIMD build where the engine has it (the CLI turns it on in
  // Node 20; browsers and Node >= 22 have it), else the plain build.
  const ours = findRow(rows, t.model, t.batch, 'wmoe-relaxed', t.threads) ?? findRow(rows, t.model, t.batch, 'wmoe', t.threads);
  const busy = (compared) => [...new Set(compared.flatMap((r) => busyProblems(r, load)))];
  if (t.kind === 'latency') {
    const base = ours ? busy([ours]) : [];
    const value = ours ? 1000 / ours.msMedian : null;
    const v = judge(value, 1000 / t.maxMs, base, `wmoe ${MODEL_LABELS[t.model]} batch ${t.batch} at ${t.threads} thread(s) not measured`);
    return { target: targetText(t), threshold: 1000 / t.maxMs, value, msMedian: ours?.msMedian ?? null, maxMs: t.maxMs, verdict: v.verdict, ...(v.why ? { why: v.why } : {}), invalid: base, compares: ours ? [pick(ours)] : [] };
  }
  const peer = findRow(rows, t.model, t.batch, t.vs, t.threads);
  const compared = [ours, peer].filter(Boolean);
  const value = ours && peer ? peer.msMedian / ours.msMedian : null;
  const skipWhy = !peer ? `${t.vs} at ${t.threads} thread(s) not measured` : `wmoe at ${t.threads} thread(s) not measured`;
  const invalid = [...busy(compared), ...compared.flatMap((r) => comparisonProblems(rows, r, pytorch))];
  const v = judge(value, t.threshold, invalid, skipWhy);
  return { target: targetText(t), threshold: t.threshold, value, verdict: v.verdict, ...(v.why ? { why: v.why } : {}), invalid, compares: compared.map(pick) };
}

const pick = ({ model, batch, peer, threads }) => ({ model, batch, peer, threads });

/**
 * Every target's check, from `rows`, the run's `load` ({ start, end }) and `pytorch` (the result's
 * PyTorch record, for rows without their own BLAS fields). value: the ratio (peer's ms / wmoe's)
 * or forwards/s.
 */
export function inferChecks(rows, load, pytorch) {
  return INFER_TARGETS.map((t) => check(t, rows, load, pytorch));
}

