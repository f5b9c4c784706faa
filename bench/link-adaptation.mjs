// Link adaptation of the digital link (issue 18): does the adaptive MCS link achieve its BLER target,
// and are the stored PHY tables (src/link/adapt/data/*.json) accurate? Three parts, all through the
// package's own link (mcsLink, bundled from src/ by bench/lib/load-link.mjs), 8-bit features:
//
// 1. AWGN, perfect gate CSI, `adaptive:bler=0.1:table=T` for T = 80211n:1944, 80211n:648, nr:
//    d = 100 features (800 bits: one codeword per vector on 1944 and nr, 2–3 on 648), at SNRs
//    τ0 + 0.01 + 0.5·i dB up to τ_max + 3 dB (τ_m = the table's threshold of MCS m at the target)
//    plus τ_m + 0.01 dB for every MCS m (the worst point of each MCS, twice the vectors). Per point:
//    BLER with its 99 % Wilson interval and the MCS chosen; verdict met when the interval's lower bound
//    is ≤ the target (bench/lib/bler-check.mjs). Below τ0: the lowest MCS's BLER (fallback) and the
//    outage rate with `:outage`.
// 2. The PHY tables themselves: each MCS m at a fixed MCS, τ_m + 0.01 dB, with codewords filled by
//    features (d = ⌊k_m/8⌋, uniform features: the table's uniform random bits, < 8 padding bits).
//    The table says BLER ≈ target there; agreement 'consistent' / 'optimistic' / 'pessimistic', and
//    the threshold's error in dB read along the table's curve. Beside it, part 1's d = 100 link at the
//    same SNR (its last codeword zero-padded), which separates the table's error from the padding's.
// 3. Rayleigh block fading (coherence 1), 802.11n 1944, K = 2 links, mean SNR 0…20 dB, gate CSI
//    perfect / pilots:4 / pilots:1, inner loop alone vs `:olla`, each with and without `:outage`, all
//    four on the same channel, gate estimates and noise: batches of 250 samples, the first third burn-in.
//    With `:outage` only the pairs whose gate SNR (+ OLLA offset) reaches τ0 are sent, so its BLER is
//    the BLER over pairs above τ0 at the gate; without, over all pairs. Required: `:olla` rows (with
//    `:outage`) for every CSI, and the inner loop alone with perfect CSI (block fading per codeword is
//    AWGN at the instantaneous SNR). The inner loop alone with pilot CSI is expected to miss (the gate's
//    SNR estimate is noisy and optimistic on average: the point of OLLA): recorded, not required.
//
//   node bench/link-adaptation.mjs [--quick]
//
// --quick: one table, a 2 dB grid, few vectors, one fading row set (< 1 min); writes to the temp dir,
// not to bench/results. Records the machine load at start and end (bench/lib/timing.mjs), the commit
// and the uncommitted source files bundled, the command, and timings (informational: the verdicts are
// statistical). Same settings, same counts (every seed is fixed).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLink } from './lib/load-link.mjs';
import { machineLoad, formatLoad, median } from './lib/timing.mjs';
import { allMet, blerCheck, tableAgreement, wilson } from './lib/bler-check.mjs';

const root = new URL('..', import.meta.url).pathname;
const QUICK = process.argv.includes('--quick');
const TARGET = 0.1;
const LEVEL = 0.99;
const BITS = 8;
const D = 100;
const MAX_BATCH = 1000;
const CFG = QUICK
  ? { tables: ['80211n:1944'], stepDb: 2, vectors: 300, thresholdVectors: 600, belowDb: [1], belowVectors: 200, checkVectors: 300,
    fading: { table: '80211n:1944', snrs: [10], csis: ['pilots:1'], batches: 6, batch: 100, experts: 2 } }
  : { tables: ['80211n:1944', '80211n:648', 'nr'], stepDb: 0.5, vectors: 4000, thresholdVectors: 10000, belowDb: [0.5, 1, 2, 3], belowVectors: 1000, checkVectors: 10000,
    fading: { table: '80211n:1944', snrs: [0, 5, 10, 15, 20], csis: ['perfect', 'pilots:4', 'pilots:1'], batches: 30, batch: 250, experts: 2 } };
const CHANNEL_SEED = 18;

/** A seed in [0, 2^31) from any parts (FNV-1a over their text): every batch's seeds are fixed by its place in the bench. */
function seedOf(...parts) {
  let h = 2166136261;
  for (const c of parts.join('|')) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h & 0x7fffffff;
}

const W = await loadLink();
await W.init();
const { tf } = W;

/** Features [B, d]: normal (as a model's features) or uniform (uniform quantised bits). */
function features(B, d, seed, uniform = false) {
  return uniform ? tf.randomUniform([B, d], 0, 1, 'float32', seed) : tf.randomNormal([B, d], 0, 1, 'float32', seed);
}

/** Sends `vectors` vectors of d features at Es/N0 `snrDb` over AWGN through `link` in batches; returns ms per 1000 vectors. */
function sendAwgn(link, snrDb, vectors, key, d = D, uniform = false) {
  const t = performance.now();
  for (let done = 0, b = 0; done < vectors; b++) {
    const B = Math.min(MAX_BATCH, vectors - done);
    const f = features(B, d, seedOf('f', key, b), uniform);
    link.transmit(f, W.awgnLinkBatch(new Float32Array(B).fill(snrDb), B, 1, seedOf('n', key, b))).dispose();
    f.dispose();
    done += B;
  }
  return ((performance.now() - t) / vectors) * 1000;
}

/** Counts of a link's totals as a check against the target. */
function measured(link) {
  const { frames, frameErrors } = link.totals;
  return { frames, frameErrors, ...blerCheck({ errors: frameErrors, frames, target: TARGET, level: LEVEL }) };
}

const policyText = (table, extra = '') => `adaptive:bler=${TARGET}:table=${table}${extra}`;
const adaptive = (table, extra) => W.mcsLink(W.parseMcsPolicy(policyText(table, extra)), { bits: BITS });

/** Part 1 for one table: the grid above τ0, the thresholds, and the points below τ0. */
function awgnTable(table) {
  const tau = Array.from(adaptive(table).mcs.thresholdsDb);
  const top = tau[tau.length - 1] + 3;
  const pts = [];
  for (let s = tau[0] + 0.01; s <= top + 1e-9; s += CFG.stepDb) pts.push({ snrDb: s, kind: 'grid' });
  tau.forEach((t, m) => m > 0 && pts.push({ snrDb: t + 0.01, kind: `threshold of MCS ${m}` }));
  pts.sort((a, b) => a.snrDb - b.snrDb);
  const points = pts.map((p) => {
    const link = adaptive(table);
    const vectors = p.kind === 'grid' ? CFG.vectors : CFG.thresholdVectors;
    const msPer1000 = sendAwgn(link, p.snrDb, vectors, `awgn|${table}|${p.snrDb.toFixed(3)}`);
    return { ...p, vectors, mcs: link.mcs.summary().histogram, ...measured(link), msPer1000 };
  });
  const below = CFG.belowDb.map((off) => {
    const snrDb = tau[0] - off;
    const fallback = adaptive(table);
    sendAwgn(fallback, snrDb, CFG.belowVectors, `below|${table}|${off}`);
    const outage = adaptive(table, ':outage');
    sendAwgn(outage, snrDb, CFG.belowVectors, `below|${table}|${off}`);
    const fb = measured(fallback);
    return { snrDb, belowTau0Db: off, vectors: CFG.belowVectors, lowestMcs: { mcs: fallback.mcs.summary().histogram, frames: fb.frames, frameErrors: fb.frameErrors, bler: fb.bler, ci: fb.ci },
      outage: { policy: policyText(table, ':outage'), outageRate: outage.mcs.summary().outageRate, framesSent: outage.totals.frames } };
  });
  const misses = points.filter((p) => p.verdict === 'missed').map((p) => ({ snrDb: p.snrDb, kind: p.kind, mcs: p.mcs, bler: p.bler, ci: p.ci }));
  return { table, policy: policyText(table), thresholdsDb: tau, verdict: allMet(points), pointsMet: points.filter((p) => p.verdict === 'met').length, points: points.length, misses, grid: points, below };
}

/** The stored table's grid points of MCS m on either side of `snrDb`: { esn0Db, frames, frameErrors }. */
function bracket(phy, m, snrDb) {
  const pts = phy.data.mcs.find((c) => c.index === m).points;
  const i = pts.findIndex((p) => p.esn0Db > snrDb);
  return [pts[i - 1], pts[i]].filter(Boolean).map(({ esn0Db, frames, frameErrors }) => ({ esn0Db, frames, frameErrors }));
}

/** d ln BLER / d SNR (per dB, < 0) of the table's curve of MCS m at `snrDb` (±0.05 dB): converts a BLER ratio into dB. */
function logSlope(phy, m, snrDb) {
  return (Math.log(phy.blerAt(m, snrDb + 0.05)) - Math.log(phy.blerAt(m, snrDb - 0.05))) / 0.1;
}

/**
 * Part 2 for one table: each MCS at a fixed MCS at τ_m + 0.01 dB, τ_m the threshold the adaptive
 * link uses (where the upper 95 % Wilson bound of the stored BLER meets the target), codewords filled
 * with uniform feature bits. thresholdErrorDb = ln(measured/table BLER) / |table slope|: how many dB
 * the table's point-estimate curve is too optimistic there (> 0), read along that curve.
 */
function tableCheck(table) {
  const spec = W.parseMcsPolicy(policyText(table));
  const phy = W.phyTableFor(table);
  const tau = Array.from(adaptive(table).mcs.thresholdsDb);
  const rows = tau.map((t, m) => {
    const link = W.mcsLink({ kind: 'fixed', table: spec.table, index: m }, { bits: BITS });
    const { k, n } = link.codec.code;
    const d = Math.floor(k / BITS);
    const snrDb = t + 0.01;
    const msPer1000 = sendAwgn(link, snrDb, CFG.checkVectors, `check|${table}|${m}`, d, true);
    const r = measured(link);
    const entry = spec.table.entries[m];
    const tableBler = phy.blerAt(m, snrDb);
    return { mcs: m, modulation: entry.modulation, code: entry.code, k, n, d, paddingBits: link.codec.framesPerVector(d) * k - d * BITS,
      snrDb, tableBler, tablePoints: bracket(phy, m, snrDb), ...r, agreement: tableAgreement({ errors: r.frameErrors, frames: r.frames, target: TARGET, level: LEVEL }),
      thresholdErrorDb: r.frameErrors > 0 ? Math.log(r.bler / tableBler) / -logSlope(phy, m, snrDb) : null, msPer1000 };
  });
  const errs = rows.map((x) => x.thresholdErrorDb).filter((x) => x !== null);
  return { table, verdict: allMet(rows), thresholdErrorDb: { min: Math.min(...errs), max: Math.max(...errs), medianAbs: median(errs.map(Math.abs)) }, rows };
}

/** Zero padding bits per vector of d = D features at MCS m of `table` (⌈D·bits/k⌉·k − D·bits). */
function link100Padding(table, m) {
  const link = W.mcsLink({ kind: 'fixed', table: W.parseMcsPolicy(policyText(table)).table, index: m }, { bits: BITS });
  return link.codec.framesPerVector(D) * link.codec.code.k - D * BITS;
}

/** The four links of one fading setting: inner loop / OLLA × fallback / outage. */
const FADING_LINKS = [
  { loop: 'inner', variant: 'outage', extra: ':outage' },
  { loop: 'olla', variant: 'outage', extra: ':olla:outage' },
  { loop: 'inner', variant: 'fallback', extra: '' },
  { loop: 'olla', variant: 'fallback', extra: ':olla' },
];

/** Part 3 for one (gate CSI, mean SNR): the four links on the same batches; counts after burn-in. */
function fadingSetting(csi, snr) {
  const { table, batches, batch: B, experts: K } = CFG.fading;
  const model = new W.ChannelModel(W.channelModelSpecOf({ channel: 'rayleigh', csi }), K, CHANNEL_SEED);
  const burn = Math.ceil(batches / 3);
  const runs = FADING_LINKS.map((l) => ({ ...l, link: adaptive(table, l.extra), uses: 0, pairs: 0, start: null, ms: [] }));
  for (let s = 0; s < batches; s++) {
    const f = features(B, D, seedOf('ff', csi, snr, s));
    const batch = model.realise(new Float32Array(B * K).fill(snr), B, s * B, seedOf('fn', csi, snr, s));
    for (const r of runs) {
      if (s === burn) {
        r.start = { ...r.link.totals };
        r.link.mcs.reset();
      }
      const uses = r.link.channelUses(D, batch);
      const t = performance.now();
      r.link.transmit(f, batch).dispose();
      r.ms.push(((performance.now() - t) / (B * K)) * 1000);
      if (s >= burn) {
        r.uses += uses.reduce((a, u) => a + u, 0);
        r.pairs += B * K;
      }
    }
    f.dispose();
  }
  return runs.map((r) => fadingRow(csi, snr, r, model));
}

/** One row of part 3 from a finished run. */
function fadingRow(csi, snr, r, model) {
  const frames = r.link.totals.frames - r.start.frames;
  const frameErrors = r.link.totals.frameErrors - r.start.frameErrors;
  const sum = r.link.mcs.summary();
  const sent = sum.pairs - sum.outages;
  const required = r.variant === 'outage' && (r.loop === 'olla' || csi === 'perfect');
  return {
    csi, meanSnrDb: snr, loop: r.loop, variant: r.variant, policy: policyText(CFG.fading.table, r.extra),
    blerOver: r.variant === 'outage' ? 'pairs above τ0 at the gate (γ̂ + Δ ≥ τ0)' : 'all pairs',
    frames, frameErrors, ...blerCheck({ errors: frameErrors, frames, target: TARGET, level: LEVEL }),
    required, role: required ? 'required' : r.loop === 'inner' ? 'informational (inner loop with estimated CSI: expected to miss)' : 'informational (includes pairs below τ0)',
    outageRate: sum.outageRate, mcs: sum.histogram, ollaOffsetsDb: sum.ollaOffsetsDb,
    meanChannelUsesPerVector: r.uses / r.pairs, meanChannelUsesPerSentVector: sent > 0 ? r.uses / sent : null,
    gatePilotUsesPerSample: model.gatePilotUsesPerSample, msPer1000: median(r.ms),
  };
}

/** JSON indented by 2, with arrays of plain values and everything at depth ≥ 4 (one measurement) on one line. */
function compactJson(v, depth = 0) {
  if (v === null || typeof v !== 'object' || depth >= 4) return JSON.stringify(v);
  const pad = '  '.repeat(depth + 1), end = '  '.repeat(depth);
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) return JSON.stringify(v);
    return `[\n${v.map((x) => pad + compactJson(x, depth + 1)).join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(v).filter(([, x]) => x !== undefined);
  return `{\n${entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${compactJson(x, depth + 1)}`).join(',\n')}\n${end}}`;
}

// ---- run -------------------------------------------------------------------------------------------

const git = (...a) => { try { return execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trimEnd(); } catch { return null; } };
const load = { start: machineLoad() };
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
console.log(`Link adaptation bench${QUICK ? ' (--quick)' : ''}: target BLER ${TARGET}, ${LEVEL * 100} % Wilson intervals; ${formatLoad(load.start)} at start`);
// the package's interval and ours agree (the verdicts are recomputable without the package; its z comes from a rational approximation, rel. error < 1.2e-9)
for (const [e, n] of [[0, 100], [7, 2000], [1999, 2000]]) {
  const a = W.wilsonInterval(e, n, LEVEL), b = wilson(e, n, LEVEL);
  if (Math.abs(a.lo - b[0]) > 1e-8 || Math.abs(a.hi - b[1]) > 1e-8) throw new Error(`bench/lib/bler-check.mjs wilson disagrees with src/sim/confidence.ts at ${e}/${n}`);
}

const fmtCi = (c) => (c ? `[${c[0].toFixed(3)}, ${c[1].toFixed(3)}]` : '—');
const fmtMcs = (h) => Object.entries(h).map(([m, c]) => (Object.keys(h).length > 1 ? `${m}×${c}` : m)).join(',');
const sections = {};
let t0 = performance.now();
const awgn = CFG.tables.map((table) => {
  const r = awgnTable(table);
  console.log(`\nAWGN ${r.policy}: τ = ${r.thresholdsDb.map((x) => x.toFixed(2)).join(' ')} dB; ${r.pointsMet}/${r.points} points met — ${r.verdict}`);
  for (const p of r.grid) if (p.verdict !== 'met' || p.kind !== 'grid') console.log(`  ${p.snrDb.toFixed(2).padStart(6)} dB MCS ${fmtMcs(p.mcs).padEnd(6)} BLER ${p.bler.toFixed(4)} ${fmtCi(p.ci)} ${p.verdict}${p.kind === 'grid' ? '' : ` (${p.kind})`}`);
  for (const b of r.below) console.log(`  below τ0 by ${b.belowTau0Db} dB: lowest MCS BLER ${b.lowestMcs.bler.toFixed(3)}; :outage outage rate ${b.outage.outageRate}`);
  return r;
});
sections.awgnMs = performance.now() - t0;
t0 = performance.now();
const tables = CFG.tables.map((table) => {
  const r = tableCheck(table);
  // beside each row: the adaptive link's BLER at the same SNR with d = 100 (part 1's threshold point)
  const a = awgn.find((x) => x.table === table);
  for (const x of r.rows) {
    const p = a.grid.find((g) => Math.abs(g.snrDb - x.snrDb) < 1e-9);
    const padding = link100Padding(table, x.mcs);
    x.adaptiveD100 = p ? { bler: p.bler, ci: p.ci, verdict: p.verdict, paddingBitsPerVector: padding } : null;
  }
  console.log(`\nPHY table ${table} at the link's thresholds (upper 95 % bound; fixed MCS, filled codewords; adaptive link with d = ${D} at the same SNR): ${r.verdict}`);
  for (const x of r.rows) console.log(`  MCS ${String(x.mcs).padStart(2)} ${x.modulation.padEnd(5)} ${x.snrDb.toFixed(2).padStart(6)} dB table ${x.tableBler.toFixed(3)} measured ${x.bler.toFixed(4)} ${fmtCi(x.ci)} ${x.agreement} (${x.thresholdErrorDb === null ? '—' : `${x.thresholdErrorDb >= 0 ? '+' : ''}${x.thresholdErrorDb.toFixed(2)} dB`}) ${x.verdict}; d = ${D}: ${x.adaptiveD100 ? `${x.adaptiveD100.bler.toFixed(4)} (${x.adaptiveD100.paddingBitsPerVector} padding bits)` : '—'}`);
  return r;
});
sections.tableCheckMs = performance.now() - t0;
t0 = performance.now();
const fadingRows = CFG.fading.csis.flatMap((csi) => CFG.fading.snrs.flatMap((snr) => fadingSetting(csi, snr)));
sections.fadingMs = performance.now() - t0;
console.log(`\nRayleigh block fading, ${CFG.fading.table}, K = ${CFG.fading.experts}, ${CFG.fading.batches} batches of ${CFG.fading.batch} (burn-in ${Math.ceil(CFG.fading.batches / 3)}):`);
for (const r of fadingRows) {
  console.log(`  ${r.csi.padEnd(8)} ${String(r.meanSnrDb).padStart(3)} dB ${r.loop.padEnd(5)} ${r.variant.padEnd(8)} BLER ${r.bler === null ? '—' : r.bler.toFixed(4)} ${fmtCi(r.ci)} outage ${r.outageRate.toFixed(3)} uses ${r.meanChannelUsesPerVector.toFixed(0)} ${r.verdict}${r.required ? '' : ' (info)'}`);
}
load.end = machineLoad();

const verdicts = [
  ...awgn.map((r) => ({ name: `AWGN ${r.policy}, every point above τ0`, verdict: r.verdict })),
  ...tables.map((r) => ({ name: `PHY table ${r.table} at the link's thresholds (upper 95 % bound, filled codewords)`, verdict: r.verdict })),
  ...CFG.fading.csis.map((csi) => ({ name: `Rayleigh, gate CSI ${csi}, :olla, pairs above τ0`, verdict: allMet(fadingRows.filter((r) => r.csi === csi && r.loop === 'olla' && r.variant === 'outage')) })),
  ...(CFG.fading.csis.includes('perfect') ? [{ name: 'Rayleigh, gate CSI perfect, inner loop alone, pairs above τ0', verdict: allMet(fadingRows.filter((r) => r.csi === 'perfect' && r.loop === 'inner' && r.variant === 'outage')) }] : []),
];
console.log(`\n${verdicts.map((v) => `${v.name}: ${v.verdict}`).join('\n')}\n${formatLoad(load.end)} at end; ${((sections.awgnMs + sections.tableCheckMs + sections.fadingMs) / 1000).toFixed(0)} s`);

const result = {
  bench: 'link-adaptation',
  date: new Date().toISOString(),
  command: `node bench/link-adaptation.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
  quick: QUICK,
  package: { name: pkg.name, version: pkg.version, commit: git('rev-parse', 'HEAD'), uncommittedSources: (git('status', '--porcelain', '--', 'src') ?? '').split('\n').filter(Boolean), source: 'src/ bundled by esbuild (bench/lib/load-link.mjs)' },
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
  load,
  settings: { target: TARGET, level: LEVEL, bits: BITS, d: D, ...CFG, channelSeed: CHANNEL_SEED, verdictRule: 'met when the lower bound of the 99 % Wilson interval of the BLER is ≤ the target (bench/lib/bler-check.mjs blerCheck); a group is met when all its points are' },
  verdicts,
  awgn,
  phyTables: tables,
  fading: { table: CFG.fading.table, coherence: 1, burnInBatches: Math.ceil(CFG.fading.batches / 3), rows: fadingRows },
  timing: {
    note: 'informational (shared machine; see load)', sectionsS: Object.fromEntries(Object.entries(sections).map(([k, v]) => [k.replace(/Ms$/, 'S'), v / 1000])),
    medianMsPer1000Vectors: {
      awgn: Object.fromEntries(awgn.map((r) => [r.table, median(r.grid.map((p) => p.msPer1000))])),
      phyTables: Object.fromEntries(tables.map((r) => [r.table, median(r.rows.map((x) => x.msPer1000))])),
      fading: median(fadingRows.map((r) => r.msPer1000)),
    },
  },
};
const out = QUICK ? join(tmpdir(), 'link-adaptation.quick.json') : join(root, 'bench', 'results', 'link-adaptation.json');
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, compactJson(result) + '\n');
console.log(`wrote ${out}`);
