// Generates the README's measured figures from the committed benchmark results: every block
// of README.md between `<!-- figures:NAME -->` and `<!-- /figures:NAME -->` is rewritten from
// bench/results/*.json, so no figure in those blocks is typed by hand.
//
//   node scripts/readme-figures.mjs           rewrite README.md's blocks (npm run figures)
//   node scripts/readme-figures.mjs --check   exit 1 if any block differs from what would be written
//
// Blocks: main-job (main-job.json), train-step, kernels, channel, fading, ldpc (+ itpp.json for the
// IT++ throughput), encode, itpp, coding, link-adaptation. A block whose JSON is missing says which bench to run.
// test/scripts/readme-figures.test.ts fails when README.md's blocks differ from this output.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { judge, verdictOf } from '../bench/lib/verdict.mjs';
import { allMet, blerCheck } from '../bench/lib/bler-check.mjs';
import { MODEL_LABELS, TORCH_PEER, findRow, isTorchPeer, torchBlasOf, torchComparisons, trainStepChecks } from '../bench/lib/train-step-checks.mjs';
import { TORCH_INSTALL } from '../bench/lib/torch-peer.mjs';
import { inferChecks } from '../bench/lib/infer-checks.mjs';
import { inferReadmeBlock } from '../bench/lib/infer-report.mjs';

const ROOT = new URL('..', import.meta.url).pathname;

/** The names of the generated blocks, in README order. */
export const BLOCK_NAMES = ['main-job', 'train-step', 'infer', 'threads', 'kernels', 'channel', 'fading', 'ldpc', 'encode', 'itpp', 'coding', 'link-adaptation'];

// ---- number formatting ----------------------------------------------------------------------

/** An integer with its digits in groups of three, space-separated ("3 772"). */
const grouped = (x) => String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
/** A throughput-like value: 0 decimals from 100, 1 from 1, else 2. */
const rate = (x) => (x >= 100 ? grouped(x) : x >= 1 ? x.toFixed(1) : x.toFixed(2));
/** A ratio: 0 decimals from 10, else 1 ("3.2×", "13×"). */
const times = (x) => `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}×`;
/** A fraction 0..1 as a percentage with `d` decimals. */
const pct = (x, d = 1) => `${(x * 100).toFixed(d)} %`;
/** "a–b" of a list of numbers after formatting with `f` (one value if they agree). */
const range = (xs, f) => {
  const lo = f(Math.min(...xs));
  const hi = f(Math.max(...xs));
  return lo === hi ? lo : `${lo}–${hi}`;
};
/** The 1-minute load average of a result: a number, an [1, 5, 15] array, or {before, after}. */
function load(la) {
  if (la === undefined || la === null) return 'load not recorded';
  if (typeof la === 'number') return `load ${la.toFixed(2)}`;
  if (Array.isArray(la)) return la.length === 2 && la[0] !== la[1] ? `load ${la[0].toFixed(2)}–${la[1].toFixed(2)}` : `load ${la[0].toFixed(2)}`;
  // {before, after} or {start, end}, each a loadavg array or a record holding one ({ loadavg }).
  const [a, b] = [la.before ?? la.start, la.after ?? la.end].map((x) => (Array.isArray(x) ? x : x.loadavg));
  return `load ${a[0].toFixed(2)} → ${b[0].toFixed(2)}`;
}
const day = (iso) => (iso ? iso.slice(0, 10) : 'date not recorded');

/**
 * A plain-text table like the CLI's, with a dashed rule under the header: the first `left`
 * columns left-aligned and the rest right-aligned, or `left` a string of 'l'/'r' per column.
 */
function table(header, rows, left = 1) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const isLeft = (i) => (typeof left === 'string' ? left[i] === 'l' : i < left);
  const line = (cells) => cells.map((c, i) => (isLeft(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
const fence = (text) => '```text\n' + text + '\n```';

/**
 * A paragraph wrapped at `width` columns like the rest of the README, breaking only at spaces
 * outside `code spans`.
 */
function wrap(text, width = 95) {
  const words = [];
  let word = '';
  let inCode = false;
  for (const ch of text) {
    if (ch === '`') inCode = !inCode;
    if (ch === ' ' && !inCode) {
      if (word) words.push(word);
      word = '';
    } else word += ch;
  }
  if (word) words.push(word);
  const lines = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
/** A block's Markdown with its paragraphs wrapped (fenced tables kept as they are). */
const wrapParagraphs = (text) => text.split('\n\n').map((p) => (p.startsWith('```') || p.startsWith('|') ? p : wrap(p))).join('\n\n');

// ---- blocks ---------------------------------------------------------------------------------

function mainJob(r) {
  const c = r.config;
  const rows = r.rows.map((x) => [
    x.condition, x.link, `${(x.naive * 100).toFixed(2)}%`, `${(x.channelAware * 100).toFixed(2)}%`,
    `${x.gain >= 0 ? '+' : ''}${(x.gain * 100).toFixed(2)}`,
  ]);
  const perfect = r.rows.find((x) => x.link === 'perfect');
  const digital = [...new Set(r.rows.filter((x) => x.link.startsWith('digital')).map((x) => x.link))];
  const clean = digital
    .map((link) => {
      const eq = r.rows.filter((x) => x.link === link && /^equal /.test(x.condition) && x.naive === perfect?.naive && x.channelAware === perfect?.channelAware);
      return eq.length ? `${link.replace('digital ', '')} at ${eq.map((x) => x.condition.replace('equal ', '')).join(', ')}` : null;
    })
    .filter(Boolean);
  const gains = r.rows.filter((x) => x.gain !== 0);
  const best = gains.length ? gains.reduce((a, b) => (b.gain > a.gain ? b : a)) : null;
  return [
    `**Main job** — \`npm start\` (\`node bench/main-job.mjs\` runs it and records bench/results/main-job.json): ` +
      `${c.model} on ${c.dataset}, ${r.testSamples === null ? '?' : grouped(r.testSamples)} test samples, ${c.stage1Epochs} + ${c.stage2Epochs} epochs, ` +
      `K = ${c.experts}, top-${c.topK}, batch ${c.batchSize}, seed ${r.seed}, then stage 2 again over each digital link; ` +
      `${r.wallSeconds.toFixed(0)} s wall, ${load(r.loadavg)}, ${day(r.date)}:`,
    '',
    fence(table(['condition', 'link', 'naive', 'channel-aware', 'gain'], rows, 2)),
    '',
    `Stage 1 alone reaches ${pct(r.stage1.testAccuracy)} with perfect links; the experts get ` +
      `${range(r.stage1.selection, (x) => (x * 100).toFixed(0))} % of the routing slots each and reach ` +
      `${range(r.stage1.expertSoloAccuracy, (x) => (x * 100).toFixed(0))} % accuracy on their own (\`metrics.json\`). ` +
      `Training (stage 1, then stage 2 over the analog link) took ${r.trainSeconds.toFixed(0)} s (\`timings.json\`).` +
      (best ? ` The largest gain of the channel-aware gate is ${(best.gain * 100).toFixed(2)} points (${best.condition}, ${best.link}).` : '') +
      (clean.length ? ` Digital rows at exactly the perfect-link accuracy: ${clean.join('; ')}.` : ''),
  ].join('\n');
}

/** "met (2.17×)", "MISSED (0.25×)", "INVALID: why" or "skipped (why)" for a recomputed verdict of `value`. */
function verdictText(v, value) {
  if (v.verdict === 'invalid') return `INVALID, not judged: ${v.why}`;
  if (v.verdict === 'skipped') return `skipped (${v.why})`;
  return `${v.verdict === 'met' ? 'met' : 'MISSED'} (${value.toFixed(2)}×)`;
}

/** The short name of a wmoe row's build, or of a PyTorch row's BLAS ('' when not recorded). */
function buildCell(x, r) {
  if (x.build) return `${x.build.sharedMemory ? 'shared' : 'one-thread'}, ${x.build.residentTensors ? 'resident' : 'copy'}`;
  if (x.peer === TORCH_PEER) {
    const kind = torchBlasOf(x, r.pytorch).kind;
    return x.openblasNumThreads && kind === 'openblas' ? `${kind}, ${x.openblasNumThreads} thr` : kind;
  }
  return '';
}

/** A train-step result's SIMD limits at its start, after each model and at its end (bench/lib/train-step-checks.mjs runProblems). */
const runLimits = (r) => ({ start: r.simdLimitAtStart, during: r.simdLimitDuring, end: r.simdLimit });

/**
 * The train-step table: every row; wmoe/PyTorch only where PyTorch ran on an optimised BLAS,
 * and "invalid" where either row of the pair cannot be quoted (a 2-thread row slower than its
 * own 1-thread row).
 */
function trainStepTable(r) {
  const cmp = torchComparisons(r.rows, r.pytorch, runLimits(r));
  const ratioOf = (x) => cmp.find((c) => c.model === x.model && c.batch === x.batch && c.threads === x.threads);
  const peerName = (x) => (x.peer !== TORCH_PEER || isTorchPeer(x, r.pytorch) ? x.peer : `pytorch, ${torchBlasOf(x, r.pytorch).kind} BLAS`);
  const slower = (x) => x.threads > 1 && (findRow(r.rows, x.model, x.batch, x.peer, 1)?.msMedian ?? Infinity) < x.msMedian;
  const rows = r.rows.map((x) => [
    MODEL_LABELS[x.model] ?? x.model, String(x.batch), peerName(x), String(x.threads), buildCell(x, r), x.msMedian.toFixed(1),
    x.imagesPerSec >= 100 ? grouped(x.imagesPerSec) : x.imagesPerSec.toFixed(1),
    limitCell(x.simdLimitShare),
    x.peer === 'wmoe' && ratioOf(x) ? (ratioOf(x).problems.length ? 'invalid' : `${ratioOf(x).ratio.toFixed(2)}×`) : '',
    slower(x) ? 'slower than 1T' : '',
  ]);
  return fence(table(['model', 'batch', 'runs on', 'threads', 'build / BLAS', 'ms/step', 'images/s', 'GFLOP/s (limit)', 'wmoe/PyTorch', 'invalid'], rows, 'lrlrlrrrrl'));
}

/** "25.5 (54 %)": a train-step row's GFLOP/s and its share of the relaxed-SIMD limit; blank when not counted. */
function limitCell(share) {
  if (typeof share?.gflops !== 'number') return '';
  const g = share.gflops < 1 ? share.gflops.toFixed(2) : share.gflops.toFixed(1);
  return typeof share.relaxed === 'number' ? `${g} (${(share.relaxed * 100).toFixed(0)} %)` : g;
}

/** What the GFLOP/s column of the train-step table means, with the limit of the run; null for runs before it was measured. */
function trainStepLimit(r) {
  const g = r.simdLimit?.relaxed?.gflops;
  if (typeof g !== 'number') return null;
  return `GFLOP/s: the step's nominal FLOPs per second (2 per multiply-add of its convolutions and matrix products, ` +
    `counted from the kernels one wmoe step dispatches: bench/lib/flops.mjs), the same count for every peer. ` +
    `In brackets: its share of the WASM relaxed-SIMD limit measured in the same run (threads × ${g.toFixed(1)} GFLOP/s ` +
    `per core; ${r.simdLimit.plain?.gflops?.toFixed(1) ?? 'n/a'} with plain f32x4 mul+add). Native FMA kernels, and Winograd ` +
    `convolutions (fewer multiplies than they are counted at), can exceed it.`;
}

/** What the README says about the PyTorch peer: its BLAS, and whether its figures are quoted as the peer. */
function trainStepPeer(r) {
  const torchRows = r.rows.filter((x) => x.peer === TORCH_PEER);
  if (!r.pytorch && !torchRows.length) return null;
  const kinds = [...new Set(torchRows.map((x) => torchBlasOf(x, r.pytorch).kind))];
  const paths = [r.pytorch?.blas ?? torchRows[0]?.blas].flat().filter(Boolean).join(', ');
  const head = `PyTorch: ${r.pytorch?.peer ?? 'bench/peers/torch/moe_step.py'}, torch ${r.pytorch?.torch ?? '?'}, BLAS ${kinds.join(' / ') || 'unknown'}${paths ? ` (${paths})` : ''}`;
  if (torchRows.every((x) => isTorchPeer(x, r.pytorch))) {
    const best = torchRows.some((x) => x.otherBlasSetting);
    return best
      ? `${head}. OPENBLAS_NUM_THREADS is set for every run (this torch build does not pass its thread count on); a ` +
          `2-thread row is the faster of OPENBLAS_NUM_THREADS = 1 and = 2 (the "build / BLAS" column gives the one kept: ` +
          `torch's own threads on a 2-thread OpenBLAS oversubscribe the cores in the ViT step).`
      : `${head}, OPENBLAS_NUM_THREADS = the thread count.`;
  }
  return `${head}. **These PyTorch figures are not the PyTorch peer**: they ran on a BLAS that is not optimised ` +
    `(Debian's reference BLAS is ~15× slower in matmuls than OpenBLAS), so no wmoe/PyTorch ratio is quoted and every ` +
    `target against them is invalid. Re-run after \`${TORCH_INSTALL}\`.`;
}

function trainStep(r) {
  const mib = (b) => (b / 2 ** 20).toFixed(1);
  const grew = r.wasmMemoryGrewAfterWarmup ?? r.wasmMemoryGrewAfterFirstStep;
  const after = r.wasmMemoryGrewAfterWarmup === undefined ? 'the first step' : 'warm-up';
  const parts = [
    `**Training step** — \`node bench/train-step.mjs\` (one stage-1 step: LeNet-5 backbone, 4 experts, top-2, ` +
      `batch 64, Adam; medians of ${r.wmoeTimesMs?.length ?? '?'} wmoe and ${r.cpuTimesMs?.length ?? '?'} cpu steps after warm-up): ` +
      `wmoe ${r.wmoeMsMedian.toFixed(1)} ms, tfjs-backend-cpu ${grouped(r.cpuMsMedian)} ms, **${times(r.speedup)} faster** ` +
      `(target ≥ ${r.target}×), ${load(r.loadavg)}, ${day(r.date)}. ` +
      `WASM memory peaks at ${mib(r.wasmPeakBytes)} MiB and ${grew ? 'GROWS' : 'does not grow'} after ${after}.` +
      (r.notes ? '' : ' tfjs-backend-wasm cannot run this step (it has no Conv2DBackpropFilter).'),
  ];
  if (!Array.isArray(r.rows) || !r.rows.length) return parts.join('\n\n');
  parts.push(trainStepTable(r));
  const limitText = trainStepLimit(r);
  if (limitText) parts.push(limitText);
  const wmoeRows = r.rows.filter((x) => x.peer === 'wmoe');
  if (wmoeRows.some((x) => !x.build)) {
    parts.push('These results do not record which build of the WASM module each wmoe row ran (they predate that field): ' +
      'that bench ran the 1-thread rows on the one-thread build in copy mode and the 2-thread rows on the shared-memory ' +
      'build with resident tensors in a child process, so the 1 → 2 thread ratio of those rows mixes two changes; ' +
      'bench/threads.mjs compares the thread counts within one build.');
  } else if (r.wmoeBuild) {
    parts.push(`Every wmoe row ran on one build (${r.wmoeBuild.wasm}, ${r.wmoeBuild.residentTensors ? 'resident tensors' : 'copy mode'}), ` +
      `its pool's active threads switched between rows${r.defaultBuild?.wasm ? `; a plain \`init()\` loads ${r.defaultBuild.wasm} (${r.defaultBuild.residentTensors ? 'resident tensors' : 'copy mode'})` : ''}.`);
  }
  // Every verdict is recomputed here from the stored rows (values, thread counts, BLAS), never read from a stored flag.
  const checks = trainStepChecks(r.rows, r.pytorch, runLimits(r));
  if (checks.length) parts.push(`Targets: ${checks.map((c) => `${c.target}: ${verdictText(c, c.value)}`).join('; ')}.`);
  const peer = trainStepPeer(r);
  if (peer) parts.push(peer);
  if (Array.isArray(r.notes) && r.notes.length) parts.push(`Notes from the bench: ${r.notes.map((n) => n.replace(/\.$/, '')).join('; ')}.`);
  return parts.join('\n\n');
}

/** bench/infer.mjs's block, its verdicts recomputed from the stored rows (bench/lib/infer-checks.mjs). */
function infer(r) {
  const limit = { plain: { gflops: r.simdLimit.used.plain }, relaxed: { gflops: r.simdLimit.used.relaxed } };
  return `**Inference** — \`node bench/infer.mjs\` (${day(r.date)}):\n\n` + inferReadmeBlock(r.rows, inferChecks(r.rows, r.load, r.pytorch), r.load, limit);
}

function threads(r) {
  const rows = r.kernels.map((x) => [
    x.op, x.shape, x.gflops1.toFixed(1), x.gflops2.toFixed(1), `${x.scaling.toFixed(2)}×`,
    x.workerShare === null ? '—' : `${(x.workerShare * 100).toFixed(0)} %`,
  ]);
  const steps = [r.trainStep, r.resnetStep].filter(Boolean).map((x) => [
    x.bench, x.ms1.toFixed(0), x.ms2.toFixed(0), `${(x.ms1 / x.ms2).toFixed(2)}×`,
    x.target === undefined ? '' : `≥ ${x.target}×: ${judge(x.ms1 / x.ms2, x.target).verdict === 'met' ? 'met' : 'MISSED'}`,
  ]);
  return [
    `**Threads** — \`node bench/threads.mjs\` (one process, \`init({ threads: 2 })\`; the pool's active threads ` +
      `alternate between 1 and 2 call by call and step by step, so that both see the same machine; medians of ` +
      `${r.calls} calls per kernel and of the steps), ${load({ before: r.loadavgBefore, after: r.loadavgAfter })}, ${day(r.date)}. ` +
      `"worker share": the chunks of 2-thread calls that the worker ran (half when both threads keep pace):`,
    '',
    fence(table(['kernel', 'shape', '1T GFLOP/s', '2T GFLOP/s', 'scaling', 'worker share'], rows, 2)),
    '',
    fence(table(['training step', '1T ms', '2T ms', 'scaling', 'target'], steps, 'lrrrl')),
  ].join('\n');
}

function kernels(r) {
  const f = (v) => (typeof v === 'number' ? (v < 1 ? v.toFixed(3) : v.toFixed(1)) : v);
  const kind = (k) => (k === 'xnnpack' ? 'XNNPACK' : k === 'reference' ? 'C++ ref' : '—');
  const share = (v) => (typeof v === 'number' ? `${(v * 100).toFixed(0)} %` : '—');
  const rows = r.rows.map((x) => [
    x.op, x.shape, f(x.wmoe), share(x.simdShare?.wmoe), f(x.cpu), f(x.wasm), share(x.simdShare?.wasm), kind(x.peerKind),
    x.vsWasm === null ? '—' : `${x.vsWasm.toFixed(2)}×`,
    typeof x.cpu === 'number' ? `${(x.wmoe / x.cpu).toFixed(x.wmoe / x.cpu >= 100 ? 0 : 1)}×` : '—',
  ]);
  const fwd = r.rows.filter((x) => x.op === 'Conv2D' && typeof x.vsWasm === 'number');
  const grads = r.rows.filter((x) => x.op === 'Conv2DBackpropInput' || x.op === 'Conv2DBackpropFilter');
  const met = r.checks.filter((c) => verdictOf(c).verdict === 'met').length;
  const missed = r.checks.filter((c) => verdictOf(c).verdict !== 'met');
  const xnnMm = r.rows.filter((x) => x.op === 'MatMul' && x.peerKind === 'xnnpack');
  const peak = r.wasmPeakBytes;
  return [
    `**Kernels** — \`node bench/kernels.mjs\` (GFLOP/s of wmoe, tfjs-backend-cpu and tfjs-backend-wasm ` +
      `single-threaded SIMD, wmoe and wasm alternating call by call; ${r.rounds} rounds, each figure the median of its ` +
      `round medians and "vs wasm" the median of the per-round ratios; cpu timed in the first round, median of ≥ 3 calls ` +
      `after warm-up, "skip" where a call would take over 2 s), ${load(r.loadavg)}, ${day(r.date)}. ` +
      `"wasm runs" says what tfjs-backend-wasm ${r.tfjsBackendWasmVersion ?? ''} executes for the row: XNNPACK, or "C++ ref", ` +
      `a plain C++ reference loop (its Conv2DBackpropInput, and BatchMatMul with a transposed operand); a "vs wasm" ` +
      `ratio on a C++ ref row is a ratio against that loop, not a win over XNNPACK. tfjs-backend-wasm has no Conv2DBackpropFilter.`,
    '',
    fence(table(['op', 'shape', 'wmoe', 'limit', 'cpu', 'wasm', 'limit', 'wasm runs', 'vs wasm', 'vs cpu'], rows, 2)),
    '',
    ...(r.simdLimit ? [`"limit": the share of the WASM SIMD limit measured in the same run (one core: ${r.simdLimit.plain?.gflops?.toFixed(1) ?? 'n/a'} GFLOP/s ` +
      `with plain f32x4 mul+add, ${r.simdLimit.relaxed?.gflops?.toFixed(1) ?? 'n/a'} with relaxed_madd) for the SIMD each ran: wmoe's ` +
      `${r.wmoeBuild?.simd ?? 'plain'}-SIMD build (${r.wmoeBuild?.wasm ?? 'nn.wasm'}), tfjs-backend-wasm's plain SIMD binary. GFLOP/s are nominal ` +
      `(direct-convolution multiply-adds), so a Winograd convolution can exceed its limit.`, ''] : []),
    `Targets: ${met} of ${r.checks.length} met (every shape: Conv2D forward ≥ 0.8× tfjs-backend-wasm's XNNPACK, both ` +
      `gradients ≥ 15 GFLOP/s; the ResNet-18 3x3 shapes also: forward ≥ 1.2× XNNPACK, each gradient ≥ 0.7× our own ` +
      `forward on the same shape). Conv2D forward runs at ${range(fwd.map((x) => x.vsWasm), (v) => v.toFixed(2))}× XNNPACK, the ` +
      `gradients at ${range(grads.map((x) => x.wmoe), (v) => v.toFixed(1))} GFLOP/s; the untransposed MatMuls at ` +
      `${range(xnnMm.map((x) => x.vsWasm), (v) => v.toFixed(2))}× XNNPACK.` +
      (missed.length ? ` Missed: ${missed.map((c) => `${c.target.replace(/ >= .*/, '')} (${typeof c.value === 'number' ? c.value.toFixed(2) : 'not measured'})`).join(', ')}.` : '') +
      ` WASM memory peaks at ${(peak.afterTimedRuns / 2 ** 20).toFixed(1)} MiB over the whole bench and ` +
      `${peak.afterRepeat === peak.afterTimedRuns ? 'does not grow' : 'GROWS'} when it is repeated.`,
  ].join('\n');
}

function channel(r) {
  const g = r.gaussian;
  const m = r.fusedChannel.modems;
  const modems = [['bpsk', 'BPSK'], ['qpsk', 'QPSK'], ['16qam', '16-QAM exact']].filter(([k]) => m[k]);
  return (
    `**Gaussian noise** — \`node bench/channel.mjs\` (${(r.n / 1e6).toFixed(1)} M samples, median of ${r.reps}): ` +
    `ours ${rate(g.oursNormal)} M samples/s (\`Rng.normal\`), numpy ${r.machine.numpy} \`default_rng().standard_normal\` ` +
    `${rate(g.numpyFloat32)} M/s (float32; ${rate(g.numpyFloat64)} M/s float64), \`tf.randomNormal\` (tfjs-backend-cpu) ` +
    `${rate(g.tfjsCpuRandomNormal)} M/s: **${times(g.ratioVsNumpyBest)} numpy** (target ≥ ${g.target}×), ` +
    `${times(g.ratioVsTfjsCpu)} tfjs, ${load(r.loadavg)}, ${day(r.date)}. The fused modulate + AWGN + LLR kernel runs at ` +
    `${modems.map(([k, name]) => `${rate(m[k].fusedMBitsPerS)} (${name})`).join(', ')} M coded bits/s, ` +
    `${range(modems.map(([k]) => m[k].ratio), (v) => v.toFixed(1))}× the three separate calls.`
  );
}

function fading(r) {
  const rows = r.rows.map((x) => ({ ...x, ...verdictOf(x) }));
  const met = rows.filter((x) => x.verdict === 'met').length;
  const other = rows.filter((x) => x.verdict !== 'met');
  const pick = (name) => rows.find((x) => x.row === name);
  const shown = ['QPSK exact, ĥ = h', '16-QAM exact, ĥ = h', '64-QAM exact, ĥ = h', '64-QAM max-log, ĥ = h'].map(pick).filter(Boolean);
  const versions = [...new Set(rows.flatMap((x) => x.numpyPeers.map((p) => p.numpy)))].join(' and ');
  const threshold = rows[0].threshold;
  return (
    `**Fading chain** — \`node bench/fading.mjs\` (records bench/results/fading.json): iid Rayleigh gain per ` +
    `${r.frameBits}-bit frame, y = h·x + n, equalised z = y·conj(ĥ)/|ĥ|², LLRs, ${grouped(r.bitsPerCall)} bits per call, against ` +
    `numpy doing the same chain vectorised (float32, the faster of numpy ${versions}) in the same run, one thread each, ` +
    `engines alternating; both chains are first checked on the same gains (hard-decision BER and mean LLR agree within 4 ` +
    `standard errors per frame), ${load(r.load)}, ${day(r.date)}: wmoe ${range(rows.map((x) => x.value), (v) => v.toFixed(1))}× numpy ` +
    `(target ≥ ${threshold}×, met in ${met} of ${rows.length} rows${other.length ? `; ${other.map((x) => `${x.row}: ${verdictText(x, x.value)}`).join('; ')}` : ''}): ` +
    `${shown.map((x) => `${x.row.replace(', ĥ = h', '')} ${rate(x.wmoeMBitsPerS)} against ${rate(x.numpyMBitsPerS)} Mbit/s`).join(', ')}.`
  );
}

function linkAdaptation(r) {
  const level = r.settings.level;
  const check = (x) => blerCheck({ errors: x.frameErrors, frames: x.frames, target: r.settings.target, level }).verdict;
  const awgn = r.awgn.map((t) => {
    const verdicts = t.grid.map(check);
    return `${t.table} ${verdicts.filter((v) => v === 'met').length}/${verdicts.length} points ${allMet(verdicts.map((verdict) => ({ verdict })))}`;
  });
  const tables = r.phyTables.map((t) => `${t.table} ${allMet(t.rows.map((x) => ({ verdict: check(x) })))}`);
  const fadingRows = r.fading.rows.filter((x) => x.variant === 'outage');
  const olla = fadingRows.filter((x) => x.loop === 'olla');
  const inner = fadingRows.filter((x) => x.loop === 'inner');
  const ollaVerdict = allMet(olla.map((x) => ({ verdict: check(x) })));
  const blers = (xs) => range(xs.map((x) => x.frameErrors / x.frames), (v) => v.toFixed(3));
  return (
    `**Link adaptation** — \`node bench/link-adaptation.mjs\` (records bench/results/link-adaptation.json; no peer: the ` +
    `target is the BLER ${r.settings.target} itself, a point is met when the ${Math.round(level * 100)} % Wilson interval of its codeword ` +
    `error rate reaches down to it), ${load(r.load)}, ${day(r.date)}. Adaptive MCS over AWGN, perfect gate CSI, every SNR above ` +
    `the lowest MCS's threshold: ${awgn.join('; ')}. The stored PHY tables at the thresholds the link uses: ${tables.join(', ')}. ` +
    `Rayleigh block fading (${r.fading.table}, ${r.fading.burnInBatches} burn-in batches), gate CSI ${[...new Set(olla.map((x) => x.csi))].join(' / ')} ` +
    `at ${[...new Set(olla.map((x) => x.meanSnrDb))].join(', ')} dB: with \`:olla\` BLER ${blers(olla)} (${ollaVerdict}); the inner loop alone ` +
    `${blers(inner.filter((x) => x.csi === 'perfect'))} with perfect CSI and ${blers(inner.filter((x) => x.csi !== 'perfect'))} with pilot CSI ` +
    `(a noisy estimate overstates the link; not a target).`
  );
}

function ldpc(r, itpp) {
  const h = r.headline;
  const row = (code, earlyStop) => r.rows.find((x) => x.code === code && x.algorithm === 'nms' && x.maxIterations === 10 && x.earlyStop === earlyStop);
  const nr = [row('5gnr:bg1:z384', false), row('5gnr:bg1:z384', true)];
  const target = /(>=|≥)\s*([\d.]+)/.exec(r.target)?.[2];
  const itppRates = itpp ? itpp.rows.map((x) => x.itpp.decoderMbps) : [];
  return (
    `**LDPC decoder** — \`node bench/ldpc.mjs --reps ${r.reps}\` (${h.code}, layered NMS, ${h.iterations} fixed ` +
    `iterations, Eb/N0 = ${r.ebn0Db} dB, ${h.batchFrames} frames per call, through \`ldpcCode(...).decodeBatch\`, one thread): ` +
    `**${h.facade.wallInfoMbps.toFixed(1)} Mb/s of information bits** (target ≥ ${target}; ` +
    `${h.facadeInto.wallInfoMbps.toFixed(1)} Mb/s with \`decodeBatchInto\` into reused arrays; ` +
    `${h.kernel.wallInfoMbps.toFixed(1)} Mb/s for the WASM kernel alone), ${load(h.loadAvg1m)}, FER ${h.fer.toFixed(3)} at that point; ` +
    (r.singleFrame?.check
      ? `decoding one frame per call (\`code.decode\`, 16 rows of a block row per vector), ${r.singleFrame.check.value.toFixed(1)} Mb/s (target ≥ 50: ${verdictOf(r.singleFrame.check).verdict}).`
      : `decoding one frame per call, ${h.decode.wallInfoMbps.toFixed(1)} Mb/s.`) +
    (nr[0] && nr[1] ? ` 5G NR BG1 Z = 384: ${nr[0].infoMbps.toFixed(1)} Mb/s (${nr[1].infoMbps.toFixed(1)} with early stop).` : '') +
    (r.peer ? ` A plain scalar JavaScript layered NMS does ${rate(r.peer.peerInfoMbps)} Mb/s (CPU time; ${times(r.peer.speedup)} slower)` : '') +
    (itppRates.length ? `; IT++ ${range(itppRates, (v) => v.toFixed(2))} Mb/s (its sum-product decoder, below).` : '.')
  );
}

function encode(r) {
  const names = { '80211n:1944:1/2': '802.11n 1944 R1/2', '5gnr:bg1:z384': 'NR BG1 Z = 384 (punctured)', '5gnr:bg1:z384:mother': 'NR BG1 Z = 384 (mother code)' };
  return (
    `**LDPC encoder** — \`node bench/encode.mjs\` (information Mb/s, wall clock, into a reused output array, median of ${r.reps}): ` +
    `${r.codes.map((c) => `${names[c.code] ?? c.code} ${rate(c.infoMbps)}`).join(', ')} Mb/s, ${load(r.loadavg)}, ${day(r.date)}. ` +
    `The structured QC encoder against the GF(2)-elimination encoder on the same code (CPU time): ` +
    `${r.peers.map((p) => `${times(p.speedupCpu)} (${p.code})`).join(', ')}.`
  );
}

/**
 * Whether our FER and IT++'s agree at an itpp.json row, recomputed from the stored FERs and
 * intervals: 'yes' when the 95 % intervals overlap, 'ratio' when only the FER ratio is within
 * `tolerance`× either way, else 'NO'.
 */
export function itppAgreement(x, tolerance) {
  const [a, b] = [x.ours, x.itpp];
  if (a.ferCi95[0] <= b.ferCi95[1] && b.ferCi95[0] <= a.ferCi95[1]) return 'yes';
  return a.fer > 0 && b.fer > 0 && a.fer / b.fer <= tolerance && b.fer / a.fer <= tolerance ? 'ratio' : 'NO';
}

function itppTable(r) {
  const e = (x) => x.toExponential(2);
  const ci = (x) => `${e(x.fer)} [${e(x.ferCi95[0])}, ${e(x.ferCi95[1])}]`;
  const agreement = r.rows.map((x) => itppAgreement(x, r.ratioTolerance));
  const rows = r.rows.map((x, i) => [
    x.code, x.ebn0Db.toFixed(2), ci(x.ours), ci(x.itpp),
    agreement[i],
    x.ours.decoderMbps.toFixed(2), x.itpp.decoderMbps.toFixed(2),
  ]);
  const iters = /at most (\d+) iterations/.exec(r.workload)?.[1] ?? '?';
  return [
    `**FER against IT++** — \`node bench/itpp.mjs\` (sum-product, ≤ ${iters} iterations, BPSK/AWGN, ` +
      `${r.frameErrorTarget} frame errors per point, seed ${r.seed}; IT++ ${r.peer.version}), ${load(r.loadavg)}, ${day(r.date)}. ` +
      `"agree": "yes" when the 95 % intervals overlap, "ratio" when only the FER ratio is within ${r.ratioTolerance}×; ` +
      `${agreement.every((a) => a !== 'NO') ? 'every point agrees' : 'SOME POINT DISAGREES'}:`,
    '',
    fence(table(['code', 'Eb/N0', 'ours FER [95% CI]', 'IT++ FER [95% CI]', 'agree', 'ours Mb/s', 'IT++ Mb/s'], rows, 'lrlllrr')),
  ].join('\n');
}

function coding(r) {
  const rows = r.rows.map((x) => [
    x.link, x.rate.toFixed(3), String(x.channelUses), x.encodeUs.toFixed(1), x.decodeUs.toFixed(1),
    x.totalUs.toFixed(1), grouped(x.vectorsPerSecond), (x.codingShare * 100).toFixed(1),
  ]);
  const analog = r.rows.find((x) => x.link === 'analog');
  const digital = r.rows.filter((x) => x.link !== 'analog');
  return [
    `**Digital coding overhead** — \`${r.command}\` (\`node bench/coding.mjs\`; one LeNet-5 feature vector, d = ${r.d}, ` +
      `${r.bits}-bit quantisation, ${r.modulation.toUpperCase()}, Es/N0 = ${r.esn0Db} dB, ${r.decoder.algorithm.toUpperCase()} ` +
      `${r.decoder.iterations} iterations; per vector, medians of ${r.reps} × ${r.vectors} vectors; the analog row is the ` +
      `model's \`analogLink.transmit\` on backend wmoe; channel uses are complex uses), ${load(r.loadavg)}, ${day(r.date)}:`,
    '',
    fence(table(['link', 'rate', 'ch. uses/vec', 'encode µs', 'decode µs', 'total µs', 'vectors/s', 'coding %'], rows, 1)),
    '',
    `A digital link costs ${range(digital.map((x) => x.channelUses / analog.channelUses), (v) => v.toFixed(0))}× the ` +
      `analog link's channel uses (⌈d·b/k⌉·n/log2 M against ⌈d/2⌉) and ` +
      `${range(digital.map((x) => x.totalUs / analog.totalUs), (v) => v.toFixed(1))}× its latency; LDPC encoding and ` +
      `decoding are ${range(digital.map((x) => x.codingShare * 100), (v) => v.toFixed(0))} % of the digital chain, the rest ` +
      `is quantisation, modulation, noise and demapping.`,
  ].join('\n');
}

export { table as formatTable };

// ---- driver ---------------------------------------------------------------------------------

/** Reads bench/results/NAME.json under `root`, or undefined if it does not exist. */
function readResult(root, name) {
  const file = join(root, 'bench', 'results', `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

/**
 * The generated text of every block (name → Markdown, no markers), from the JSON results under
 * `root` (default: this repository).
 */
export function renderBlocks(root = ROOT) {
  const missing = (bench) => `_No results yet: run \`node bench/${bench}.mjs\`, then \`npm run figures\`._`;
  const make = (file, render, bench = file) => {
    const r = readResult(root, file);
    return wrapParagraphs(r === undefined ? missing(bench) : render(r));
  };
  const itpp = readResult(root, 'itpp');
  return {
    'main-job': make('main-job', mainJob),
    'train-step': make('train-step', trainStep),
    infer: make('infer', infer),
    threads: make('threads', threads),
    kernels: make('kernels', kernels),
    channel: make('channel', channel),
    fading: make('fading', fading),
    ldpc: make('ldpc', (r) => ldpc(r, itpp)),
    encode: make('encode', encode),
    itpp: make('itpp', itppTable),
    coding: make('coding', coding),
    'link-adaptation': make('link-adaptation', linkAdaptation),
  };
}

const blockPattern = (name) => new RegExp(`(<!-- figures:${name} -->\\n)([\\s\\S]*?)(<!-- /figures:${name} -->)`);

/** The current contents of README's marked blocks (name → text between the markers, trimmed). */
export function readBlocks(readme) {
  const out = {};
  for (const m of readme.matchAll(/<!-- figures:([\w-]+) -->\n([\s\S]*?)<!-- \/figures:\1 -->/g)) out[m[1]] = m[2].trim();
  return out;
}

/**
 * README text with every block of `blocks` (name → text) written between its markers. Throws
 * if README lacks the markers of a block.
 */
export function applyBlocks(readme, blocks) {
  let out = readme;
  for (const [name, text] of Object.entries(blocks)) {
    const re = blockPattern(name);
    if (!re.test(out)) throw new Error(`README.md has no block <!-- figures:${name} --> … <!-- /figures:${name} -->`);
    out = out.replace(re, (_, open, _old, close) => `${open}${text}\n${close}`);
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const readmePath = join(ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const next = applyBlocks(readme, renderBlocks());
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      const now = readBlocks(readme);
      const want = readBlocks(next);
      const stale = BLOCK_NAMES.filter((n) => now[n] !== want[n]);
      console.error(`README.md figures differ from bench/results/*.json in: ${stale.join(', ')} (run npm run figures)`);
      process.exit(1);
    }
    console.log('README.md figures match bench/results/*.json');
  } else if (next !== readme) {
    writeFileSync(readmePath, next);
    console.log('README.md figures rewritten from bench/results/*.json');
  } else {
    console.log('README.md figures already match bench/results/*.json');
  }
}
