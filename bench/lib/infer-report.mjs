// The README's inference block from bench/infer.mjs's rows (bench/infer.mjs prints and stores it;
// scripts/readme-figures.mjs renders it again from bench/results/infer.json, verdicts recomputed).
import { formatLoad } from './timing.mjs';
import { PLAIN_NETS } from './plain-nets.mjs';
import { PEER_LABELS } from './infer-checks.mjs';

/** A share as a whole percentage ('n/a' when not measured). */
export const pct = (x) => (typeof x === 'number' ? `${(100 * x).toFixed(0)} %` : 'n/a');

/** Milliseconds with 3 significant-ish digits. */
export const fmtMs = (ms) => (ms < 10 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

/** The cases as the table's columns, in this order, at each thread count measured. */
const CASE_ORDER = [['resnet18', 32], ['resnet18', 1], ['lenet5', 1]];

/**
 * The README's inference block (markdown): one line per engine, one column per case and thread
 * count, each cell "ms (GFLOP/s, share of the plain SIMD limit)"; the limit, the load; the targets
 * (`checks`, from bench/lib/infer-checks.mjs). `limit`: { plain: { gflops }, relaxed: { gflops } }.
 */
export function inferReadmeBlock(rows, checks, load, limit) {
  const threads = [...new Set(rows.map((r) => r.threads))].sort((a, b) => a - b);
  const cols = CASE_ORDER.filter(([m, b]) => rows.some((r) => r.model === m && r.batch === b)).flatMap(([model, batch]) => threads.map((t) => ({ model, batch, threads: t })));
  const peers = [...new Set(rows.map((r) => r.peer))];
  const lines = [
    `| engine | ${cols.map((c) => `${PLAIN_NETS[c.model].label} batch ${c.batch}, ${c.threads} thr`).join(' | ')} |`,
    `|---|${cols.map(() => '---').join('|')}|`,
  ];
  for (const p of peers) {
    const cell = (c) => {
      const r = rows.find((x) => x.peer === p && x.model === c.model && x.batch === c.batch && x.threads === c.threads);
      return r ? `${fmtMs(r.msMedian)} ms (${r.gflops.toFixed(1)} GFLOP/s, ${pct(r.simdShare.plain)})` : '–';
    };
    lines.push(`| ${PEER_LABELS[p] ?? p} | ${cols.map(cell).join(' | ')} |`);
  }
  const others = load.othersCpu ? `; other processes took ${pct(load.othersCpu.othersShare)} of the CPU at normal priority (niced ${pct(load.othersCpu.niceShare)})` : '';
  const g = (k) => (typeof limit[k]?.gflops === 'number' ? limit[k].gflops.toFixed(1) : 'n/a');
  lines.push('', `Medians, each engine in its own process. GFLOP/s: the network's nominal FLOPs (2 per multiply-add of a direct convolution or dense layer) per second, so an engine using Winograd (fewer multiplies) or native FMA can exceed the WASM limit. Percentages: share of the WASM SIMD limit measured in the same run (threads × ${g('plain')} GFLOP/s per core with f32x4 mul+add; ${g('relaxed')} with relaxed_madd). ${formatLoad(load.start)} at start, ${formatLoad(load.end)} at end (uptime ${(load.start.uptimeSeconds / 3600).toFixed(1)} h)${others}.`, '');
  lines.push('Targets are checked on the relaxed-SIMD build (the one the wmoe CLI, browsers and Node ≥ 22 run) when it ran.', '');
  lines.push('| target | value | verdict |', '|---|---|---|');
  for (const c of checks) lines.push(`| ${c.target} | ${typeof c.value === 'number' ? (c.maxMs ? `${c.msMedian.toFixed(3)} ms` : `${c.value.toFixed(2)}x`) : '–'} | ${c.verdict}${c.verdict === 'invalid' ? ' (see bench/results/infer.json)' : ''} |`);
  return lines.join('\n');
}

